// The framer's own cost (goals F and 7U framed), without sockets: a 131,000-byte read of
// 100-byte lines cut by the delimiter framer (ns per line, per byte-match implementation), and
// 64-byte datagrams ending in a newline through the receive pipeline, 64 per batch as recvmmsg
// brings them (ns per datagram, framing off and on).
//   bench_framer      prints one line per round and mode
#include <chrono>
#include <cstdio>
#include <vector>

#include "core/framing/byte_match.hpp"
#include "core/framing/framer.hpp"
#include "core/session/receive_pipeline.hpp"
using namespace sockscope;

namespace {

struct CountingSink final : FrameSink {
    std::size_t frames = 0;
    void onFrame(ByteView) override { ++frames; }
    void onFrames(const std::uint8_t*, std::span<const FrameCut> cut) override { frames += cut.size(); }
    void onFramingError(const ErrorInfo&) override {}
};

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void lines() {
    std::vector<std::uint8_t> read(131000, 'x');
    for (std::size_t i = 99; i < read.size(); i += 100) read[i] = '\n';
    FramingConfig config;
    config.type = FramingType::Delimiter;
    for (MatchLevel level : {MatchLevel::Avx2, MatchLevel::Sse2, MatchLevel::Portable}) {
        if (!useMatchLevel(level)) continue;
        for (int round = 0; round < 3; ++round) {
            Framer framer(config);
            CountingSink sink;
            const auto start = std::chrono::steady_clock::now();
            for (int i = 0; i < 20000; ++i) framer.feed(read, {}, sink);
            const double s = secondsSince(start);
            std::printf("lines %s round %d: %.2f ns/line, %.1f GB/s\n", toString(level), round, s * 1e9 / sink.frames,
                        20000.0 * read.size() / s / 1e9);
        }
    }
    useMatchLevel(bestMatchLevel());
}

void datagrams() {
    std::vector<std::uint8_t> buffer(64 * 64, 'x');
    std::vector<FrameSpan> spans;
    for (std::uint32_t i = 0; i < 64; ++i) {
        buffer[i * 64 + 63] = '\n';
        spans.push_back({i * 64, 64});
    }
    const SharedBytes bytes = SharedBytes::copyOf(std::span<const std::uint8_t>(buffer));
    for (bool framed : {false, true}) {
        for (int round = 0; round < 3; ++round) {
            EventQueue queue;
            FramingConfig config;
            if (framed) config.type = FramingType::Delimiter;
            ReceivePipeline pipeline(queue, 1, 0, config, EventPriority::Droppable, nullptr);
            std::vector<Event> drained;
            const int batches = 100000;
            const auto start = std::chrono::steady_clock::now();
            for (int i = 0; i < batches; ++i) {
                (void)pipeline.onDatagrams(bytes, spans, "127.0.0.1:5000", "127.0.0.1:6000");
                if (i % 16 == 0) {
                    queue.drain(drained);
                    drained.clear();
                }
            }
            std::printf("datagrams %s round %d: %.1f ns/datagram\n", framed ? "delimiter" : "raw", round,
                        secondsSince(start) * 1e9 / (batches * 64.0));
        }
    }
}

}  // namespace

int main() {
    lines();
    datagrams();
}
