// bench_tcp_sink: the simplest fast receiver — listen on 127.0.0.x:PORT (0 = any free port), accept
// one connection, read() into one buffer until EOF, close. It prints {"port":P} once listening and
// a result line at the end. Used as a reference that shows what the sender and the kernel can do
// when the receiver does nothing with the bytes.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "bench_common.hpp"

using namespace sockscope::bench;

namespace {

constexpr const char* kUsage = "bench_tcp_sink [--port P (0 = any)] [--host 127.0.0.1] [--buffer BYTES] [--timeout S]";

}  // namespace

int main(int argc, char** argv) {
    Args args(argc, argv, kUsage);
    const int port = static_cast<int>(args.number("port", 0, 0, 65535));
    const auto buffer_size = static_cast<std::size_t>(args.number("buffer", 256 * 1024, 1, 64 << 20));
    const double timeout = args.number("timeout", 120, 1, 3600);
    auto address = loopbackAddress(args.text("host", "127.0.0.1"), port);
    if (!address) args.fail("--host must be a 127.x.x.x address (loopback only)");

    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t length = sizeof *address;
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&*address), sizeof *address) != 0 ||
        ::listen(listener, 16) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&*address), &length) != 0) {
        JsonLine().add("error", "listen: " + errnoName(errno)).print();
        return 1;
    }
    JsonLine().add("port", static_cast<int>(ntohs(address->sin_port))).print();

    // Bounded waits: a missing sender ends the tool after the timeout.
    const timeval limit{static_cast<time_t>(timeout), 0};
    ::setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    const int fd = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    if (fd < 0) {
        JsonLine().add("error", "accept: " + errnoName(errno)).print();
        return 1;
    }
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::vector<char> buffer(buffer_size);
    std::uint64_t bytes = 0, reads = 0;
    std::string error;
    double first = 0;
    for (std::uint64_t turn = 0; turn < (1ull << 40); ++turn) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n > 0) {
            if (bytes == 0) first = nowSeconds();
            bytes += static_cast<std::uint64_t>(n);
            ++reads;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) error = errnoName(errno);
        break;
    }
    const double elapsed = bytes ? nowSeconds() - first : 0;
    ::close(fd);
    JsonLine line;
    line.add("bytes", bytes).add("reads", reads).add("seconds", elapsed);
    line.add("bytes_per_s", elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0.0);
    if (!error.empty()) line.add("error", "read: " + error);
    line.print();
    return error.empty() ? 0 : 1;
}
