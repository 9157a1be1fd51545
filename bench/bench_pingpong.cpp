// Request/response over one TCP connection on 127.0.0.1, for the reply goals of issue 8.
//   bench_pingpong --serve                 a plain C echo (the floor): prints {"port": P}, then
//                                          echoes every client, one at a time, TCP_NODELAY
//   bench_pingpong --port P --count N [--size 64] [--reply-size 64] [--window 1] [--text PREFIX]
//                                          sends N requests of --size bytes (PREFIX, then hex
//                                          digits of a counter), keeping --window of them in
//                                          flight, and times each one to the end of its reply.
// One JSON line: {"count":N,"seconds":S,"rate":R,"p50_us":..,"p99_us":..,"max_us":..}.
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "bench_common.hpp"

using namespace sockscope::bench;

namespace {

constexpr const char* kUsage =
    "bench_pingpong --serve | --port P --count N [--size 64] [--reply-size 64] [--window 1] [--text PREFIX]";

void noDelay(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

[[noreturn]] void serve() {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = *loopbackAddress("127.0.0.1", 0);
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener, 8) != 0) {
        std::perror("bench_pingpong: bind/listen");
        std::exit(1);
    }
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    JsonLine().add("port", static_cast<int>(ntohs(address.sin_port))).print();
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const int client = ::accept(listener, nullptr, nullptr);
        if (client < 0) continue;
        noDelay(client);
        for (ssize_t n; (n = ::read(client, buffer.data(), buffer.size())) > 0;)
            for (ssize_t done = 0, w; done < n; done += w)
                if ((w = ::write(client, buffer.data() + done, static_cast<std::size_t>(n - done))) <= 0) break;
        ::close(client);
    }
}

/// Request i: the prefix, then the counter in upper-case hex digits, padded to `size` bytes.
std::string request(const std::string& prefix, std::size_t size, std::uint64_t i) {
    std::string text = prefix;
    static const char* digits = "0123456789ABCDEF";
    for (int shift = 60; text.size() < size; shift = shift == 0 ? 60 : shift - 4) text += digits[(i >> shift) & 15];
    text.resize(size);
    return text;
}

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
    Args args(argc, argv, kUsage);
    if (args.has("serve")) serve();
    const int port = static_cast<int>(args.number("port", 0, 1, 65535));
    const auto count = static_cast<std::uint64_t>(args.number("count", 10000, 1, 1e9));
    const auto size = static_cast<std::size_t>(args.number("size", 64, 1, 65536));
    const auto reply_size = static_cast<std::size_t>(args.number("reply-size", static_cast<double>(size), 1, 65536));
    const auto window = static_cast<std::uint64_t>(args.number("window", 1, 1, 4096));
    const std::string prefix = args.text("text", "");
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = *loopbackAddress("127.0.0.1", port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        std::perror("bench_pingpong: connect");
        return 1;
    }
    noDelay(fd);
    std::vector<double> latencies;
    latencies.reserve(count);
    std::deque<double> sent_at;
    std::vector<char> buffer(1 << 16);
    std::size_t partial = 0;   // bytes of the current reply received so far
    std::uint64_t sent = 0, answered = 0;
    const double start = nowSeconds();
    std::string batch;
    while (answered < count) {
        batch.clear();
        const double now = nowSeconds();
        while (sent < count && sent - answered < window) {
            batch += request(prefix, size, sent++);
            sent_at.push_back(now);
        }
        for (std::size_t done = 0; done < batch.size();) {
            const ssize_t w = ::write(fd, batch.data() + done, batch.size() - done);
            if (w <= 0) {
                std::perror("bench_pingpong: write");
                return 1;
            }
            done += static_cast<std::size_t>(w);
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10000) <= 0) {
            std::fprintf(stderr, "bench_pingpong: no reply within 10 s (%llu of %llu answered)\n",
                         static_cast<unsigned long long>(answered), static_cast<unsigned long long>(count));
            break;
        }
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n <= 0) break;
        const double arrived = nowSeconds();
        for (std::size_t left = static_cast<std::size_t>(n); left > 0;) {
            const std::size_t take = std::min(left, reply_size - partial);
            partial += take;
            left -= take;
            if (partial == reply_size) {
                partial = 0;
                latencies.push_back((arrived - sent_at.front()) * 1e6);
                sent_at.pop_front();
                ++answered;
            }
        }
    }
    const double seconds = nowSeconds() - start;
    std::sort(latencies.begin(), latencies.end());
    JsonLine()
        .add("count", answered)
        .add("seconds", seconds)
        .add("rate", seconds > 0 ? static_cast<double>(answered) / seconds : 0.0)
        .add("p50_us", percentile(latencies, 0.50))
        .add("p99_us", percentile(latencies, 0.99))
        .add("max_us", latencies.empty() ? 0.0 : latencies.back())
        .print();
    ::close(fd);
    return answered == count ? 0 : 1;
}
