// bench_udp_sender: send small datagrams to 127.0.0.x:PORT with sendmmsg, at the highest rate the
// machine allows or at a target rate, for a fixed time; print one JSON line. Each datagram starts
// with its 64-bit sequence number so a receiver could spot gaps.
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "bench_common.hpp"

using namespace sockscope::bench;

namespace {

constexpr const char* kUsage =
    "bench_udp_sender --port P --seconds S [--host 127.0.0.1] [--size BYTES] [--rate PER_S (0 = max)]\n"
    "                 [--batch N (datagrams per sendmmsg)] [--gso N (UDP_SEGMENT: N datagrams per buffer)]\n"
    "                 [--line 1 (each datagram ends with a newline, for a delimiter framer)]";

}  // namespace

int main(int argc, char** argv) {
    Args args(argc, argv, kUsage);
    const int port = static_cast<int>(args.number("port", 0, 1, 65535));
    if (port == 0) args.fail("--port is required");
    if (!args.has("seconds")) args.fail("--seconds is required");
    const double seconds = args.number("seconds", 0, 0.01, 3600);
    const auto size = static_cast<std::size_t>(args.number("size", 64, 8, 65507));
    const double rate = args.number("rate", 0, 0, 1e9);
    const auto batch = static_cast<unsigned>(args.number("batch", 64, 1, 1024));
    // UDP generic segmentation offload: the kernel cuts each buffer into `gso` datagrams of
    // `size` bytes, so the sender pays for one send per buffer and the receiver still gets
    // separate 64-byte datagrams. Lets one sending core outrun the receiver on loopback.
    const auto gso = static_cast<unsigned>(args.number("gso", 1, 1, 64));
    const bool line = args.number("line", 0, 0, 1) != 0;
    const auto address = loopbackAddress(args.text("host", "127.0.0.1"), port);
    if (!address) args.fail("--host must be a 127.x.x.x address (loopback only)");

    JsonLine out;
    out.add("size", static_cast<std::uint64_t>(size)).add("target_rate", rate);
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
        out.add("error", "socket/connect: " + errnoName(errno)).print();
        return 1;
    }
    const timeval limit{1, 0};   // a blocked send returns within a second, the time check follows
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (gso > 1) {
        const int segment = static_cast<int>(size);
        if (::setsockopt(fd, SOL_UDP, UDP_SEGMENT, &segment, sizeof segment) != 0) {
            out.add("error", "UDP_SEGMENT: " + errnoName(errno)).print();
            return 1;
        }
    }
    out.add("gso", static_cast<std::uint64_t>(gso));

    // One buffer per message: `gso` datagrams back to back (each starts with its sequence number).
    std::vector<std::vector<char>> payloads(batch, std::vector<char>(size * gso, 'u'));
    if (line)
        for (auto& payload : payloads)
            for (unsigned k = 0; k < gso; ++k) payload[k * size + size - 1] = '\n';
    std::vector<iovec> iov(batch);
    std::vector<mmsghdr> messages(batch);
    for (unsigned i = 0; i < batch; ++i) {
        iov[i] = {payloads[i].data(), size * gso};
        messages[i] = {};
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }

    std::uint64_t sent = 0, errors = 0, calls = 0;
    std::string last_error;
    const double start = nowSeconds();
    const double stop_at = start + seconds;
    // Bounded: at most one sendmmsg per microsecond of the run plus the sleeps of a paced run.
    const auto max_calls = static_cast<std::uint64_t>(seconds * 2e6) + 1000;
    for (; calls < max_calls; ++calls) {
        const double now = nowSeconds();
        if (now >= stop_at) break;
        unsigned count = batch;   // messages (buffers) this call
        if (rate > 0) {
            const double due = ((now - start) * rate - static_cast<double>(sent)) / gso;
            if (due < 1) {
                std::this_thread::sleep_for(std::chrono::microseconds(50));
                continue;
            }
            count = due < batch ? static_cast<unsigned>(due) : batch;
        }
        for (unsigned i = 0; i < count; ++i)
            for (unsigned k = 0; k < gso; ++k) {
                const std::uint64_t seq = sent + std::uint64_t(i) * gso + k;
                std::memcpy(payloads[i].data() + k * size, &seq, sizeof seq);
            }
        const int n = ::sendmmsg(fd, messages.data(), count, 0);
        if (n < 0) {
            // ECONNREFUSED: an ICMP unreachable from an earlier datagram (no receiver yet/any more).
            if (errno == EINTR) continue;
            ++errors;
            last_error = errnoName(errno);
            if (errors > 1000) break;
            continue;
        }
        sent += static_cast<std::uint64_t>(n) * gso;
    }
    const double elapsed = nowSeconds() - start;
    ::close(fd);
    out.add("sent", sent).add("seconds", elapsed).add("rate", elapsed > 0 ? static_cast<double>(sent) / elapsed : 0.0);
    out.add("calls", calls).add("errors", errors);
    if (!last_error.empty()) out.add("last_error", last_error);
    out.print();
    return sent > 0 ? 0 : 1;
}
