// bench_tcp_sender: connect to 127.0.0.x:PORT, write a bulk stream in big chunks (or small
// messages with TCP_NODELAY), shutdown(SHUT_WR), wait for the receiver's FIN, print one JSON line.
// The clock runs from the first byte written to the receiver's FIN, so a receiver is only done
// when it has consumed everything (a receiver that closes on our FIN closes after its last read).
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "bench_common.hpp"

using namespace sockscope::bench;

namespace {

constexpr const char* kUsage =
    "bench_tcp_sender --port P [--host 127.0.0.1] (--bytes N | --seconds S) [--chunk BYTES]\n"
    "                 [--message-size BYTES (small writes with TCP_NODELAY)] [--timeout S] [--connect-wait S]\n"
    "                 [--line-every N (every Nth byte is a newline: a line-framed stream)]";

int connectWithRetry(const sockaddr_in& address, double wait_s, std::string& error) {
    const double give_up = nowSeconds() + wait_s;
    for (int attempt = 0; attempt < 10000; ++attempt) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            error = errnoName(errno);
            return -1;
        }
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) return fd;
        const int saved = errno;
        ::close(fd);
        error = errnoName(saved);
        // The listener may still be starting: retry refused connects for a short while.
        if (saved != ECONNREFUSED || nowSeconds() > give_up) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    Args args(argc, argv, kUsage);
    const int port = static_cast<int>(args.number("port", 0, 1, 65535));
    if (port == 0) args.fail("--port is required");
    if (args.has("bytes") == args.has("seconds")) args.fail("give exactly one of --bytes and --seconds");
    const double max_bytes = args.number("bytes", 0, 1, 1e13);
    const double seconds = args.number("seconds", 0, 0.01, 3600);
    const auto message_size = static_cast<std::size_t>(args.number("message-size", 0, 0, 1 << 20));
    auto chunk = message_size ? message_size : static_cast<std::size_t>(args.number("chunk", 128 * 1024, 1, 64 << 20));
    const auto line_every = static_cast<std::size_t>(args.number("line-every", 0, 0, 1 << 20));
    if (line_every > 0 && chunk >= line_every) chunk -= chunk % line_every;   // the period holds across writes
    const double timeout = args.number("timeout", (seconds > 0 ? seconds : 10) + 60, 1, 7200);
    const auto address = loopbackAddress(args.text("host", "127.0.0.1"), port);
    if (!address) args.fail("--host must be a 127.x.x.x address (loopback only)");
    signal(SIGPIPE, SIG_IGN);

    JsonLine out;
    out.add("mode", message_size ? "messages" : "bulk").add("chunk", static_cast<std::uint64_t>(chunk));
    std::string error;
    const int fd = connectWithRetry(*address, args.number("connect-wait", 5, 0, 60), error);
    if (fd < 0) {
        out.add("error", "connect: " + error).print();
        return 1;
    }
    if (message_size) {
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    // Bound every blocking call: a stuck receiver must not hang the suite.
    const timeval limit{static_cast<time_t>(timeout), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);

    std::vector<char> buffer(chunk);
    for (std::size_t i = 0; i < buffer.size(); ++i)
        buffer[i] = line_every > 0 && i % line_every == line_every - 1 ? '\n' : static_cast<char>('A' + i % 26);

    const double start = nowSeconds();
    const double stop_at = seconds > 0 ? start + seconds : start + timeout;
    const auto byte_goal = max_bytes > 0 ? static_cast<std::uint64_t>(max_bytes) : UINT64_MAX;
    std::uint64_t sent = 0, writes = 0;
    while (sent < byte_goal) {
        // Checking the clock per write costs ~20 ns against a syscall of a microsecond or more.
        if (nowSeconds() >= stop_at) break;
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, byte_goal - sent));
        std::size_t done = 0;
        while (done < want) {
            const ssize_t n = ::write(fd, buffer.data() + done, want - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                out.add("error", "write: " + errnoName(errno)).add("bytes", sent).print();
                ::close(fd);
                return 1;
            }
            done += static_cast<std::size_t>(n);
        }
        sent += want;
        ++writes;
    }
    const double written = nowSeconds();
    ::shutdown(fd, SHUT_WR);

    // Wait for the receiver's FIN: it has read every byte by then.
    bool eof = false;
    std::uint64_t received = 0;
    for (int reads = 0; reads < 1'000'000; ++reads) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n > 0) {
            received += static_cast<std::uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) eof = true;
        else error = errnoName(errno);
        break;
    }
    const double finished = nowSeconds();
    ::close(fd);
    const double elapsed = finished - start;
    out.add("bytes", sent)
        .add("writes", writes)
        .add("seconds", elapsed)
        .add("write_seconds", written - start)
        .add("bytes_per_s", elapsed > 0 ? static_cast<double>(sent) / elapsed : 0.0)
        .add("messages_per_s", message_size && elapsed > 0 ? static_cast<double>(writes) / elapsed : 0.0)
        .add("received", received)
        .add("eof", eof);
    if (!eof) out.add("error", error.empty() ? std::string("no FIN from the receiver") : "read: " + error);
    out.print();
    return eof ? 0 : 1;
}
