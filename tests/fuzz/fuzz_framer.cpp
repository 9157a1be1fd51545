// libFuzzer target for the receive framers: any configuration, any stream, any split into reads.
// Invariants: the frames and errors do not depend on how the stream was split (fed whole, fed in
// the fuzzer's chunks, fed byte by byte) nor on whether the sink takes delimiter frames one by one
// or in batches, a partial frame never holds more than max bytes (the fixed length for "fixed"),
// and every frame is within max. Built by tests/fuzz/CMakeLists.txt;
// run by `scripts/dev.sh fuzz` (corpus: tests/fuzz/corpus/framer).
// Input: 8 bytes of configuration, then chunk lengths (1 byte each, count in byte 7), then the stream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <string>
#include <vector>

#include "core/framing/framer.hpp"

namespace {

using namespace sockscope;

void check(bool condition) {
    if (!condition) std::abort();
}

struct Recorder : FrameSink {
    std::vector<std::string> items;
    std::size_t limit = 0;
    void onFrame(ByteView frame) override {
        check(frame.size() <= limit);
        items.emplace_back(frame.begin(), frame.end());
    }
    void onFramingError(const ErrorInfo& error) override {
        check(!error.code.empty() && !error.message.empty());
        items.push_back("E:" + error.code);
    }
    bool batches = false;   // take a batch of frames at once, as the receive pipeline does
    void onFrames(const std::uint8_t* base, std::span<const FrameCut> frames) override {
        if (!batches) return FrameSink::onFrames(base, frames);
        check(!frames.empty());
        for (const FrameCut& frame : frames) onFrame(ByteView(base + frame.offset, frame.length));
    }
};

std::vector<std::string> run(const FramingConfig& config, ByteView stream, const std::vector<std::size_t>& chunks,
                             bool batches = false) {
    Framer framer(config);
    Recorder out;
    out.batches = batches;
    out.limit = config.type == FramingType::Raw ? stream.size() : config.type == FramingType::Fixed ? config.length : config.max;
    const auto now = Framer::Clock::time_point{};
    std::size_t pos = 0;
    for (std::size_t chunk : chunks) {
        if (pos >= stream.size()) break;
        const std::size_t n = std::min(chunk, stream.size() - pos);
        framer.feed(stream.subspan(pos, n), now, out);
        pos += n;
        check(framer.pending() <= (config.type == FramingType::Fixed ? config.length : config.max));
    }
    if (pos < stream.size()) framer.feed(stream.subspan(pos), now, out);
    framer.finish(out);
    check(framer.pending() == 0);
    return out.items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    FramingConfig c;
    c.type = static_cast<FramingType>(1 + data[0] % 4);   // delimiter, fixed, length, idle (no gap)
    c.delimiter.assign(data + 1, data + 1 + 1 + data[2] % 3);   // 1..3 bytes from the input
    c.keep = data[0] & 0x10;
    c.length = 1 + data[3] % 16;
    c.offset = data[4] % 4;
    c.size = (data[4] >> 2) % 3 == 0 ? 1 : (data[4] >> 2) % 3 == 1 ? 2 : 4;
    c.endian = (data[4] & 0x40) ? ByteOrder::Little : ByteOrder::Big;
    c.adjust = static_cast<std::int8_t>(data[5]);
    c.max = std::max({std::size_t{1} + data[6] % 64, c.offset + c.size, c.delimiter.size()});
    c.on_error = (data[0] & 0x20) ? FramingOnError::Close : FramingOnError::Resync;
    const std::size_t chunk_count = std::min<std::size_t>(data[7] % 16, size - 8);
    std::vector<std::size_t> chunks;
    for (std::size_t i = 0; i < chunk_count; ++i) chunks.push_back(data[8 + i]);
    const ByteView stream(data + 8 + chunk_count, size - 8 - chunk_count);

    const auto whole = run(c, stream, {});
    check(run(c, stream, chunks) == whole);
    check(run(c, stream, chunks, true) == whole);
    std::vector<std::size_t> ones(stream.size(), 1);
    check(run(c, stream, ones) == whole);
    return 0;
}
