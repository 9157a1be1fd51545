// bench_connections: open many TCP connections to 127.0.0.x:PORT with non-blocking connects,
// keeping at most --window handshakes in flight, wait for them all, print timings as one JSON
// line ("phase":"connected"), then hold them idle until stdin reaches EOF (or --hold seconds),
// close them (RST by default: no TIME_WAIT left behind) and print a second line.
// --trickle-ms N: while holding, send one byte on every connection every N ms (and read and
// discard what comes back), so the server's counters and TCP state change on every refresh.
// --storm: a client storm; each connection is reset as soon as its handshake completes, so the
// tool opens --count connections at --rate without holding more than --window descriptors.
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "bench_common.hpp"

using namespace sockscope::bench;

namespace {

constexpr const char* kUsage =
    "bench_connections --port P --count N [--host 127.0.0.1] [--window N] [--rate PER_S (0 = max)]\n"
    "                  [--timeout S] [--hold S (max; ends early at stdin EOF)] [--close rst|fin]\n"
    "                  [--trickle-ms N] [--storm]";

volatile sig_atomic_t g_stop = 0;   // SIGTERM: stop launching, report what was done

struct Pending {
    int fd;
    double started;
};

double wallSeconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

void resetAndClose(int fd) {
    const linger abort_close{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
    ::close(fd);
}

// One byte on every connection; whatever the server echoed is read and dropped.
void trickle(const std::vector<int>& fds, std::uint64_t& sent, std::uint64_t& received) {
    char buffer[4096];
    for (const int fd : fds) {
        if (::send(fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL) == 1) ++sent;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) received += static_cast<std::uint64_t>(n);
    }
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
    Args args(argc, argv, kUsage);
    const int port = static_cast<int>(args.number("port", 0, 1, 65535));
    if (port == 0) args.fail("--port is required");
    const auto count = static_cast<std::size_t>(args.number("count", 0, 1, 1e7));
    if (count == 0) args.fail("--count is required");
    const auto window = static_cast<std::size_t>(args.number("window", 256, 1, 1e6));
    // A handshake completes in the kernel before the server accepts it, so an unpaced client can
    // overrun the listen backlog; the dropped SYNs are retried only after 1 s. A rate keeps the
    // accept queue short enough to measure the server rather than the SYN retry timer.
    const double rate = args.number("rate", 0, 0, 1e7);
    const double timeout = args.number("timeout", 30, 0.1, 600);
    const double hold = args.number("hold", 120, 0, 3600);
    const std::string close_mode = args.text("close", "rst");
    if (close_mode != "rst" && close_mode != "fin") args.fail("--close: expected rst or fin");
    const double trickle_ms = args.number("trickle-ms", 0, 0, 60'000);
    const bool storm = args.has("storm");
    const auto address = loopbackAddress(args.text("host", "127.0.0.1"), port);
    if (!address) args.fail("--host must be a 127.x.x.x address (loopback only)");
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, [](int) { g_stop = 1; });

    // The soft descriptor limit may be below the hard one: take what the system allows.
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    ::getrlimit(RLIMIT_NOFILE, &limit);

    const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) {
        JsonLine().add("phase", "connected").add("error", "epoll_create1: " + errnoName(errno)).print();
        return 1;
    }

    std::vector<int> open_fds;
    open_fds.reserve(count);
    std::vector<Pending> pending(count + 1);   // indexed by slot number stored in epoll data
    std::vector<double> latencies_ms;
    latencies_ms.reserve(count);
    std::map<std::string, std::uint64_t> failures;
    std::size_t launched = 0, in_flight = 0, completed = 0;
    bool launch_stopped = false;
    std::string launch_error;

    // A storm resets each connection at once (no TIME_WAIT, one descriptor per handshake in flight).
    const auto keepOrReset = [&](int fd) {
        if (!storm) {
            open_fds.push_back(fd);
            return;
        }
        resetAndClose(fd);
    };

    const double wall_start = wallSeconds();
    const double start = nowSeconds();
    const double give_up = start + timeout;
    double last_done = start;
    std::vector<epoll_event> ready(1024);
    // Bounded by the deadline and by a generous turn count.
    for (std::uint64_t turn = 0; turn < 100'000'000 && nowSeconds() < give_up && !g_stop; ++turn) {
        const double allowed = rate > 0 ? (nowSeconds() - start) * rate + 1 : static_cast<double>(count);
        while (!launch_stopped && launched < count && in_flight < window && static_cast<double>(launched) < allowed) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                launch_stopped = true;   // EMFILE here is our own limit, not the server's
                launch_error = "socket: " + errnoName(errno);
                break;
            }
            const std::size_t slot = launched++;
            pending[slot] = {fd, nowSeconds()};
            const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
            if (rc == 0) {
                latencies_ms.push_back(0);
                keepOrReset(fd);
                ++completed;
                last_done = nowSeconds();
                continue;
            }
            if (errno != EINPROGRESS) {
                ++failures[errnoName(errno)];
                ::close(fd);
                continue;
            }
            epoll_event interest{};
            interest.events = EPOLLOUT;
            interest.data.u64 = slot;
            ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &interest);
            ++in_flight;
        }
        if (in_flight == 0 && (launch_stopped || launched == count)) break;
        const int n = ::epoll_wait(epoll, ready.data(), static_cast<int>(ready.size()), rate > 0 ? 1 : 100);
        for (int i = 0; i < n; ++i) {
            const Pending& p = pending[ready[i].data.u64];
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &error, &length);
            ::epoll_ctl(epoll, EPOLL_CTL_DEL, p.fd, nullptr);
            --in_flight;
            const double now = nowSeconds();
            if (error == 0) {
                latencies_ms.push_back((now - p.started) * 1000);
                keepOrReset(p.fd);
                ++completed;
                last_done = now;
            } else {
                ++failures[errnoName(error)];
                ::close(p.fd);
            }
        }
    }
    const double seconds = last_done - start;

    std::string failure_json = "{";
    for (const auto& [name, n] : failures)
        failure_json += (failure_json.size() > 1 ? "," : "") + ("\"" + name + "\":" + std::to_string(n));
    failure_json += "}";
    JsonLine connected;
    connected.add("phase", "connected")
        .add("requested", static_cast<std::uint64_t>(count))
        .add("target_rate", rate)
        .add("launched", static_cast<std::uint64_t>(launched))
        .add("completed", static_cast<std::uint64_t>(completed))
        .add("still_pending", static_cast<std::uint64_t>(in_flight))
        .raw("failed", failure_json)
        .add("seconds", seconds)
        .add("rate", seconds > 0 ? static_cast<double>(completed) / seconds : 0.0)
        .add("wall_start", wall_start)
        .add("latency_p50_ms", percentile(latencies_ms, 0.5))
        .add("latency_p99_ms", percentile(latencies_ms, 0.99))
        .add("latency_max_ms", percentile(latencies_ms, 1.0))
        .add("fd_limit", static_cast<std::uint64_t>(limit.rlim_cur));
    if (!launch_error.empty()) connected.add("launch_error", launch_error);
    connected.print();

    // Hold the connections idle until the caller closes our stdin (or the hold time is up).
    const double hold_until = nowSeconds() + (storm ? 0 : hold);
    char sink[256];
    std::uint64_t trickle_sent = 0, trickle_received = 0;
    double next_trickle = nowSeconds();
    for (int turn = 0; turn < 10'000'000 && nowSeconds() < hold_until && !g_stop; ++turn) {
        int wait_ms = static_cast<int>((hold_until - nowSeconds()) * 1000) + 1;
        if (trickle_ms > 0) {
            if (nowSeconds() >= next_trickle) {
                trickle(open_fds, trickle_sent, trickle_received);
                next_trickle = std::max(next_trickle + trickle_ms / 1000, nowSeconds());
            }
            wait_ms = std::min(wait_ms, std::max(0, static_cast<int>((next_trickle - nowSeconds()) * 1000)));
        }
        pollfd in{STDIN_FILENO, POLLIN, 0};
        const int rc = ::poll(&in, 1, std::min(wait_ms, 1000));
        if (rc < 0 && errno != EINTR) break;
        if (rc > 0) {
            const ssize_t n = ::read(STDIN_FILENO, sink, sizeof sink);
            if (n <= 0) break;   // EOF: the caller is done measuring
        }
    }

    // Handshakes still pending (none unless the deadline passed) are closed by our exit.
    std::size_t closed = 0;
    const double close_start = nowSeconds();
    for (const int fd : open_fds) {
        if (close_mode == "rst") {
            const linger abort_close{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
        }
        if (::close(fd) == 0) ++closed;
    }
    ::close(epoll);
    JsonLine()
        .add("phase", "closed")
        .add("closed", static_cast<std::uint64_t>(closed))
        .add("close_seconds", nowSeconds() - close_start)
        .add("trickle_sent", trickle_sent)
        .add("trickle_received", trickle_received)
        .print();
    return completed == count ? 0 : 1;
}
