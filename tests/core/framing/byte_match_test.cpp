#include "core/framing/byte_match.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/framing/framer.hpp"

namespace sockscope {
namespace {

std::vector<MatchLevel> levels() {
    std::vector<MatchLevel> out;
    for (MatchLevel level : {MatchLevel::Portable, MatchLevel::Sse2, MatchLevel::Avx2})
        if (matchBytesAt(level) != nullptr) out.push_back(level);
    return out;
}

/// Restores the implementation in use when a test ends.
struct LevelGuard {
    MatchLevel saved = matchLevelInUse();
    ~LevelGuard() { useMatchLevel(saved); }
};

TEST(ByteMatch, EveryImplementationMarksExactlyTheMatchingBytes) {
    ASSERT_NE(matchBytesAt(MatchLevel::Portable), nullptr);
    ASSERT_NE(matchBytesAt(bestMatchLevel()), nullptr);
    std::mt19937 rng(3);
    Bytes buffer(kMatchBlockBytes + 64);
    for (MatchLevel level : levels()) {
        const MatchBytesFn match = matchBytesAt(level);
        for (int round = 0; round < 600; ++round) {
            const std::size_t n = round < 300 ? static_cast<std::size_t>(round) : rng() % (kMatchBlockBytes + 1);
            const std::size_t shift = rng() % 64;   // any alignment
            const std::uint8_t byte = round % 4 == 0 ? 0x00 : round % 4 == 1 ? 0xff : static_cast<std::uint8_t>(rng());
            for (auto& b : buffer) b = rng() % 3 == 0 ? byte : static_cast<std::uint8_t>(rng());
            std::vector<std::uint64_t> bits((n + 63) / 64, 0x5555555555555555ULL);
            match(buffer.data() + shift, n, byte, bits.data());
            for (std::size_t i = 0; i < bits.size() * 64; ++i) {
                const bool expected = i < n && buffer[shift + i] == byte;
                ASSERT_EQ(((bits[i / 64] >> (i % 64)) & 1) != 0, expected)
                    << toString(level) << " n=" << n << " i=" << i << " byte=" << int(byte);
            }
        }
    }
}

struct Frames : FrameSink {
    std::vector<std::string> items;
    void onFrame(ByteView frame) override { items.emplace_back(frame.begin(), frame.end()); }
    void onFramingError(const ErrorInfo& error) override { items.push_back("E:" + error.code); }
};

/// The frames of `stream` found by searching it whole (std::search), as the framer must cut them.
std::vector<std::string> reference(const Bytes& stream, const std::string& delim, bool keep) {
    std::vector<std::string> out;
    auto begin = stream.begin();
    for (;;) {
        const auto hit = std::search(begin, stream.end(), delim.begin(), delim.end());
        if (hit == stream.end()) break;
        const auto end = hit + static_cast<std::ptrdiff_t>(keep ? delim.size() : 0);
        out.emplace_back(begin, end);
        begin = hit + static_cast<std::ptrdiff_t>(delim.size());
    }
    if (begin != stream.end()) {
        out.push_back("E:FRAME_INCOMPLETE");
        out.emplace_back(begin, stream.end());
    }
    return out;
}

/// Every scan implementation cuts the same frames as a plain search, for delimiters of 1-4
/// bytes, kept or stripped, in streams of several 4 KiB scan blocks (delimiters straddling the
/// blocks' ends and the reads' ends), whole, in random reads, and in reads of each size 1-9.
TEST(ByteMatch, FramerCutsTheSameFramesWithEveryImplementation) {
    LevelGuard guard;
    std::mt19937 rng(5);
    for (const std::string delim : {"\n", "\r\n", "aab", "\r\n\r\n"}) {
        for (int round = 0; round < 12; ++round) {
            Bytes stream(3 * kMatchBlockBytes + rng() % 3000);
            const std::size_t density = 2 + rng() % 200;
            for (auto& b : stream) b = static_cast<std::uint8_t>("ab\r\nxy"[rng() % density == 0 ? 2 + rng() % 2 : rng() % 6]);
            for (std::size_t at : {kMatchBlockBytes - 1, 2 * kMatchBlockBytes - 2, 2 * kMatchBlockBytes + 1})
                std::memcpy(stream.data() + at, delim.data(), delim.size());   // across a block's end
            for (const bool keep : {false, true}) {
                FramingConfig config;
                config.type = FramingType::Delimiter;
                config.delimiter.assign(delim.begin(), delim.end());
                config.keep = keep;
                config.max = stream.size() + 1;
                const auto expected = reference(stream, delim, keep);
                for (MatchLevel level : levels()) {
                    ASSERT_TRUE(useMatchLevel(level));
                    const auto cut = [&](const std::vector<std::size_t>& reads) {
                        Framer framer(config);
                        Frames out;
                        std::size_t pos = 0;
                        for (std::size_t i = 0; pos < stream.size(); ++i) {
                            const std::size_t n = std::min(reads[i % reads.size()], stream.size() - pos);
                            framer.feed(ByteView(stream).subspan(pos, n), Framer::Clock::time_point{}, out);
                            pos += n;
                        }
                        framer.finish(out);
                        return out.items;
                    };
                    const std::string what = std::string(toString(level)) + " delimiter size " +
                                             std::to_string(delim.size()) + (keep ? " kept" : " stripped");
                    ASSERT_EQ(cut({stream.size()}), expected) << what;
                    std::vector<std::size_t> random(64);
                    for (auto& r : random) r = 1 + rng() % 6000;
                    ASSERT_EQ(cut(random), expected) << what << " random reads";
                    ASSERT_EQ(cut({1 + static_cast<std::size_t>(round) % 9}), expected) << what << " small reads";
                }
            }
        }
    }
}

/// Over `max` the scans must still agree: streams with delimiter-free runs longer than a 4 KiB
/// scan block, a `max` below, at and above a block, resync and close. The portable scan cut in
/// 1-byte reads is the reference (no block boundary can matter there).
TEST(ByteMatch, FramerHandlesTooLongFramesTheSameWithEveryImplementationAcrossBlocks) {
    LevelGuard guard;
    std::mt19937 rng(11);
    for (const std::string delim : {"\n", "\r\n"}) {
        for (const std::size_t max : {std::size_t{100}, kMatchBlockBytes - 1, kMatchBlockBytes + 1, 3 * kMatchBlockBytes}) {
            for (const FramingOnError policy : {FramingOnError::Resync, FramingOnError::Close}) {
                Bytes stream;
                for (bool longest = true; stream.size() < 4 * kMatchBlockBytes; longest = false) {
                    // one run longer than max, then short lines and runs of up to 3 blocks
                    const std::size_t run = longest ? max + 1 + rng() % kMatchBlockBytes
                                            : rng() % 4 == 0 ? rng() % (3 * kMatchBlockBytes) : rng() % 80;
                    stream.insert(stream.end(), run, static_cast<std::uint8_t>('a' + rng() % 3));
                    stream.insert(stream.end(), delim.begin(), delim.end());
                }
                FramingConfig config;
                config.type = FramingType::Delimiter;
                config.delimiter.assign(delim.begin(), delim.end());
                config.max = max;
                config.on_error = policy;
                const auto cut = [&](const std::vector<std::size_t>& reads) {
                    Framer framer(config);
                    Frames out;
                    std::size_t pos = 0;
                    for (std::size_t i = 0; pos < stream.size() && !framer.failed(); ++i) {
                        const std::size_t n = std::min(reads[i % reads.size()], stream.size() - pos);
                        framer.feed(ByteView(stream).subspan(pos, n), Framer::Clock::time_point{}, out);
                        pos += n;
                    }
                    out.items.push_back("dropped " + std::to_string(framer.droppedBytes()));
                    if (!framer.failed()) framer.finish(out);
                    return out.items;
                };
                ASSERT_TRUE(useMatchLevel(MatchLevel::Portable));
                const auto expected = cut({1});
                ASSERT_NE(std::count(expected.begin(), expected.end(), "E:FRAME_TOO_LONG"), 0) << "the test's premise";
                for (const std::string& frame : expected) ASSERT_LE(frame.size(), std::max<std::size_t>(max, 40));
                const std::string what = std::string(policy == FramingOnError::Resync ? "resync" : "close") +
                                         " max " + std::to_string(max) + " delimiter size " + std::to_string(delim.size());
                for (MatchLevel level : levels()) {
                    ASSERT_TRUE(useMatchLevel(level));
                    ASSERT_EQ(cut({stream.size()}), expected) << toString(level) << " " << what;
                    std::vector<std::size_t> random(64);
                    for (auto& r : random) r = 1 + rng() % 9000;
                    ASSERT_EQ(cut(random), expected) << toString(level) << " " << what << " random reads";
                }
            }
        }
    }
}

}  // namespace
}  // namespace sockscope
