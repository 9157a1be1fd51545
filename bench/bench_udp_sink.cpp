// bench_udp_sink: the simplest fast UDP receiver — bind 127.0.0.x:PORT (0 = any free port), read
// datagrams with recvmmsg (64 per call) and count them, nothing else. Prints {"port":P} once
// bound; ends 1 s after the traffic stops (or at --timeout) and prints the count, the rate from
// the first to the last datagram, and the kernel's drop count for the socket (/proc/net/udp).
// The reference for what one receiving thread can take on this machine from bench_udp_sender.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "bench_common.hpp"

using namespace sockscope::bench;

namespace {

constexpr const char* kUsage =
    "bench_udp_sink [--port P (0 = any)] [--host 127.0.0.1] [--recv-buffer BYTES] [--timeout S]";
constexpr unsigned kBatch = 64;
constexpr std::size_t kSlot = 2048;   // the benchmark's datagrams are small; longer ones are truncated

/// The "drops" column of this socket's line in /proc/net/udp (0 when not found).
std::uint64_t kernelDrops(int port) {
    std::ifstream table("/proc/net/udp");
    std::string line;
    std::getline(table, line);
    char wanted[16];
    std::snprintf(wanted, sizeof wanted, ":%04X", port);
    for (int lines = 0; lines < 1'000'000 && std::getline(table, line); ++lines) {
        std::istringstream fields(line);
        std::string slot, local, column, last;
        fields >> slot >> local;
        if (local.size() < 5 || local.compare(local.size() - 5, 5, wanted) != 0) continue;
        while (fields >> column) last = column;
        return std::strtoull(last.c_str(), nullptr, 10);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args args(argc, argv, kUsage);
    const int port = static_cast<int>(args.number("port", 0, 0, 65535));
    const double timeout = args.number("timeout", 120, 1, 3600);
    const int recv_buffer = static_cast<int>(args.number("recv-buffer", 0, 0, 1 << 30));
    auto address = loopbackAddress(args.text("host", "127.0.0.1"), port);
    if (!address) args.fail("--host must be a 127.x.x.x address (loopback only)");

    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (recv_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &recv_buffer, sizeof recv_buffer);
    socklen_t length = sizeof *address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&*address), sizeof *address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&*address), &length) != 0) {
        JsonLine().add("error", "bind: " + errnoName(errno)).print();
        return 1;
    }
    const int bound_port = ntohs(address->sin_port);
    JsonLine().add("port", bound_port).print();

    const timeval idle{1, 0};   // a quiet second after the first datagram ends the run
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    std::vector<char> buffer(kBatch * kSlot);
    std::vector<iovec> iov(kBatch);
    std::vector<mmsghdr> messages(kBatch);
    std::uint64_t received = 0, calls = 0;
    double first = 0, last = 0;
    const double give_up = nowSeconds() + timeout;
    for (std::uint64_t turn = 0; turn < (1ull << 40) && nowSeconds() < give_up; ++turn) {
        for (unsigned i = 0; i < kBatch; ++i) {
            iov[i] = {buffer.data() + i * kSlot, kSlot};
            messages[i] = {};
            messages[i].msg_hdr.msg_iov = &iov[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(fd, messages.data(), kBatch, MSG_WAITFORONE, nullptr);
        const double now = nowSeconds();
        if (n < 0) {
            if (errno == EINTR) continue;
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && received == 0) continue;   // not started yet
            break;
        }
        if (received == 0) first = now;
        last = now;
        received += static_cast<std::uint64_t>(n);
        ++calls;
    }
    const std::uint64_t drops = kernelDrops(bound_port);
    ::close(fd);
    const double elapsed = last - first;
    JsonLine()
        .add("received", received)
        .add("calls", calls)
        .add("seconds", elapsed)
        .add("rate", elapsed > 0 ? static_cast<double>(received) / elapsed : 0.0)
        .add("kernel_drops", drops)
        .print();
    return received > 0 ? 0 : 1;
}
