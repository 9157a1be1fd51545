#include "core/framing/framer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace sockscope {
namespace {

using Clock = Framer::Clock;
using namespace std::chrono_literals;

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }
std::string textOf(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

/// Records frames and errors; "E:<code>" entries keep their order relative to the frames.
struct Collector : FrameSink {
    std::vector<std::string> items;
    std::vector<ErrorInfo> errors;
    std::vector<const std::uint8_t*> starts;
    void onFrame(ByteView frame) override {
        items.push_back(textOf(frame));
        starts.push_back(frame.data());
    }
    void onFramingError(const ErrorInfo& error) override {
        items.push_back("E:" + error.code);
        errors.push_back(error);
    }
};

/// Feeds `stream` in pieces ending at `cuts` (ascending), then finishes; returns what came out.
std::vector<std::string> run(const FramingConfig& config, const Bytes& stream, const std::vector<std::size_t>& cuts,
                             bool finish = true) {
    Framer framer(config);
    Collector out;
    std::size_t pos = 0;
    const auto now = Clock::now();
    for (std::size_t cut : cuts) {
        framer.feed(ByteView(stream).subspan(pos, cut - pos), now, out);
        EXPECT_LE(framer.pending(), std::max(config.max, config.length));
        pos = cut;
    }
    framer.feed(ByteView(stream).subspan(pos), now, out);
    if (finish) framer.finish(out);
    return out.items;
}

/// The property every framer has: however the stream is split into reads, the same frames (and
/// errors) come out. Checks every single cut, every pair of cuts (short streams) and byte by byte.
void expectSplitInvariant(const FramingConfig& config, const Bytes& stream, const std::vector<std::string>& expected) {
    ASSERT_EQ(run(config, stream, {}), expected) << "whole stream";
    for (std::size_t i = 0; i <= stream.size(); ++i)
        ASSERT_EQ(run(config, stream, {i}), expected) << "cut at " << i;
    if (stream.size() <= 64) {
        for (std::size_t i = 0; i <= stream.size(); ++i)
            for (std::size_t j = i; j <= stream.size(); ++j)
                ASSERT_EQ(run(config, stream, {i, j}), expected) << "cuts at " << i << ", " << j;
    }
    std::vector<std::size_t> every(stream.size());
    for (std::size_t i = 0; i < stream.size(); ++i) every[i] = i;
    ASSERT_EQ(run(config, stream, every), expected) << "byte by byte";
}

FramingConfig delimiter(std::string_view delim, bool keep = false, std::size_t max = 65536) {
    FramingConfig c;
    c.type = FramingType::Delimiter;
    c.delimiter = bytesOf(delim);
    c.keep = keep;
    c.max = max;
    return c;
}

TEST(Framer, RawIsOneMessagePerRead) {
    FramingConfig c;
    Framer framer(c);
    Collector out;
    const Bytes a = bytesOf("hello"), b = bytesOf("world!");
    framer.feed(a, Clock::now(), out);
    framer.feed(b, Clock::now(), out);
    framer.finish(out);
    EXPECT_EQ(out.items, (std::vector<std::string>{"hello", "world!"}));
    EXPECT_EQ(out.starts[0], a.data());   // a span into the read buffer, not a copy
}

TEST(Framer, DelimiterStripsOrKeepsAtEverySplit) {
    const Bytes stream = bytesOf("AT\r\nOK\r\n\r\nlong line here\r\n");
    expectSplitInvariant(delimiter("\r\n"), stream, {"AT", "OK", "", "long line here"});
    expectSplitInvariant(delimiter("\r\n", true), stream, {"AT\r\n", "OK\r\n", "\r\n", "long line here\r\n"});
}

TEST(Framer, DelimiterWithSelfOverlapFindsTheFirstMatch) {
    // "aab" inside "aaab": a naive restart after a failed partial match misses it.
    expectSplitInvariant(delimiter("aab", true), bytesOf("xaaabyaabaab"), {"xaaab", "yaab", "aab"});
    expectSplitInvariant(delimiter("abab"), bytesOf("abababab"), {"", ""});
    expectSplitInvariant(delimiter("abab"), bytesOf("ababab"), {"", "E:FRAME_INCOMPLETE", "ab"});
}

TEST(Framer, DelimiterMatchesAReferenceOnRandomStreams) {
    std::mt19937 rng(7);
    for (const char* delim : {"a", "ab", "aab", "abab", "bba"}) {
        const Bytes d = bytesOf(delim);
        for (int round = 0; round < 200; ++round) {
            Bytes stream(rng() % 60);
            for (auto& b : stream) b = "ab"[rng() % 2];
            // Reference: search the whole stream at once.
            std::vector<std::string> expected;
            auto begin = stream.begin();
            for (;;) {
                auto hit = std::search(begin, stream.end(), d.begin(), d.end());
                if (hit == stream.end()) break;
                expected.push_back(std::string(begin, hit + static_cast<std::ptrdiff_t>(d.size())));
                begin = hit + static_cast<std::ptrdiff_t>(d.size());
            }
            if (begin != stream.end()) {
                expected.push_back("E:FRAME_INCOMPLETE");
                expected.push_back(std::string(begin, stream.end()));
            }
            std::vector<std::size_t> cuts;
            for (std::size_t i = 1; i < stream.size(); ++i)
                if (rng() % 3 == 0) cuts.push_back(i);
            ASSERT_EQ(run(delimiter(delim, true), stream, cuts), expected) << delim;
        }
    }
}

/// Takes the frames of a batch at once (as the receive pipeline does); same items as Collector.
struct BatchCollector : Collector {
    std::vector<std::size_t> batches;
    void onFrames(const std::uint8_t* base, std::span<const FrameCut> frames) override {
        batches.push_back(frames.size());
        for (const FrameCut& frame : frames) onFrame(ByteView(base + frame.offset, frame.length));
    }
};

/// Long streams (the 64-byte scan blocks, their ends, the batches, max in between): whatever
/// the split (whole, random reads, byte by byte: then every frame goes through the pending
/// path) and whichever sink, the same frames and errors come out.
TEST(Framer, DelimiterLongStreamsAgreeAcrossSplitsAndSinks) {
    std::mt19937 rng(11);
    for (const char* delim : {"\n", "\r\n", "aab", "\n\n"}) {
        for (int round = 0; round < 60; ++round) {
            const std::size_t density = 1 + rng() % 120;   // about one delimiter byte in `density`
            Bytes stream(rng() % 3000);
            for (auto& b : stream) b = rng() % density == 0 ? static_cast<std::uint8_t>(delim[rng() % std::strlen(delim)])
                                                            : static_cast<std::uint8_t>("ab\rxyz"[rng() % 6]);
            for (const bool keep : {false, true}) {
                FramingConfig c = delimiter(delim, keep, round % 3 == 0 ? 2 + rng() % 90 : 65536);
                c.on_error = round % 5 == 0 ? FramingOnError::Close : FramingOnError::Resync;
                const auto whole = run(c, stream, {});
                std::vector<std::size_t> every(stream.size()), cuts;
                for (std::size_t i = 0; i < stream.size(); ++i) every[i] = i;
                for (std::size_t i = 1; i < stream.size(); ++i)
                    if (rng() % 97 == 0) cuts.push_back(i);
                ASSERT_EQ(run(c, stream, every), whole) << delim << " round " << round;
                ASSERT_EQ(run(c, stream, cuts), whole) << delim << " round " << round;
                Framer framer(c);
                BatchCollector batched;
                framer.feed(stream, Clock::now(), batched);
                framer.finish(batched);
                ASSERT_EQ(batched.items, whole) << delim << " round " << round;
            }
        }
    }
}

TEST(Framer, DelimiterBatchesAreBoundedSpansOfTheRead) {
    Bytes read;
    for (int i = 0; i < 1000; ++i) {
        const std::string line = "line " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 70), 'x') + "\n";
        read.insert(read.end(), line.begin(), line.end());
    }
    Framer framer(delimiter("\n"));
    BatchCollector out;
    framer.feed(read, Clock::now(), out);
    ASSERT_EQ(out.items.size(), 1000u);
    EXPECT_EQ(out.items[999], "line 999" + std::string(999 % 70, 'x'));
    EXPECT_EQ(out.starts[0], read.data());   // spans of the read, no copy
    std::size_t total = 0;
    for (std::size_t n : out.batches) {
        EXPECT_LE(n, 256u);
        total += n;
    }
    EXPECT_EQ(total, 1000u);
    EXPECT_LE(out.batches.size(), 4u + 1u);
    EXPECT_EQ(framer.pending(), 0u);
}

TEST(Framer, CompleteFramesAreSpansIntoTheReadBuffer) {
    Framer framer(delimiter("\n"));
    Collector out;
    const Bytes read = bytesOf("one\ntwo\nthr");
    framer.feed(read, Clock::now(), out);
    ASSERT_EQ(out.starts.size(), 2u);
    EXPECT_EQ(out.starts[0], read.data());
    EXPECT_EQ(out.starts[1], read.data() + 4);
    EXPECT_EQ(framer.pending(), 3u);   // only the partial frame is kept
}

TEST(Framer, DelimiterOverMaxResyncsAtTheNextDelimiter) {
    // max 8: "0123456789" has no delimiter within 8 bytes -> dropped up to and including "\n".
    const Bytes stream = bytesOf("ok\n0123456789abc\nnext\n");
    expectSplitInvariant(delimiter("\n", false, 8), stream,
                         {"ok", "E:FRAME_TOO_LONG", "E:FRAMING_RESYNC", "next"});
    Framer framer(delimiter("\n", false, 8));
    Collector out;
    framer.feed(stream, Clock::now(), out);
    ASSERT_EQ(out.errors.size(), 2u);
    EXPECT_NE(out.errors[0].message.find("no delimiter (0A) within max 8 bytes"), std::string::npos)
        << out.errors[0].message;
    EXPECT_NE(out.errors[1].message.find("14 bytes were dropped"), std::string::npos) << out.errors[1].message;
    EXPECT_EQ(framer.droppedBytes(), 14u);
    EXPECT_FALSE(framer.failed());
}

TEST(Framer, DelimiterGarbageNeverGrowsTheBuffer) {
    Framer framer(delimiter("\r\n", false, 1024));
    Collector out;
    const Bytes garbage(4096, 'x');
    for (int i = 0; i < 256; ++i) {   // 1 MiB without a delimiter
        framer.feed(garbage, Clock::now(), out);
        ASSERT_LT(framer.pending(), 1024u);
    }
    EXPECT_EQ(out.errors.size(), 1u);   // one report per episode, not one per read
    const Bytes end = bytesOf("\r\nfine\r\n");
    framer.feed(end, Clock::now(), out);
    EXPECT_EQ(out.items, (std::vector<std::string>{"E:FRAME_TOO_LONG", "E:FRAMING_RESYNC", "fine"}));
    EXPECT_EQ(framer.droppedBytes(), 4096u * 256 + 2);
}

/// A stream that ends while bytes are being dropped found no frame again: said as such, with the
/// count, not as "resynchronised"; so does a datagram (tester item: it said "resynchronised"),
/// whose end is a boundary where framing starts afresh.
TEST(Framer, AStreamThatEndsWhileResynchronisingSaysSo) {
    Framer framer(delimiter("\n", false, 8));
    Collector out;
    framer.feed(Bytes(5000, 'x'), Clock::now(), out);
    framer.finish(out, true);
    ASSERT_EQ(out.errors.size(), 2u);
    EXPECT_EQ(out.errors[1].code, "FRAMING_RESYNC");
    EXPECT_EQ(out.errors[1].message, "the stream ended while resynchronising: 5000 bytes were dropped since the framing error");
    Framer datagrams(delimiter("\n", false, 8));
    datagrams.setDatagrams(true);
    Collector udp;
    datagrams.feed(Bytes(9, 'x'), Clock::now(), udp);
    datagrams.finish(udp, false);
    ASSERT_EQ(udp.errors.size(), 2u);
    EXPECT_EQ(udp.errors[1].message, "the datagram ended while resynchronising: 9 bytes were dropped since the framing error");
    datagrams.feed(bytesOf("ok\n"), Clock::now(), udp);   // the next datagram frames afresh
    datagrams.finish(udp, false);
    EXPECT_EQ(udp.items.back(), "ok");
}

TEST(Framer, DelimiterOverMaxClosePolicyStops) {
    FramingConfig c = delimiter("\n", false, 8);
    c.on_error = FramingOnError::Close;
    const Bytes stream = bytesOf("ok\n0123456789abc\nnext\n");
    expectSplitInvariant(c, stream, {"ok", "E:FRAME_TOO_LONG"});
    Framer framer(c);
    Collector out;
    framer.feed(stream, Clock::now(), out);
    EXPECT_TRUE(framer.failed());
    EXPECT_NE(out.errors[0].message.find("closing the connection"), std::string::npos);
}

TEST(Framer, FixedLengthAtEverySplit) {
    FramingConfig c;
    c.type = FramingType::Fixed;
    c.length = 8;
    expectSplitInvariant(c, bytesOf("AAAAAAAABBBBBBBBCCCCCCCCdd"),
                         {"AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "E:FRAME_INCOMPLETE", "dd"});
    c.length = 1;
    expectSplitInvariant(c, bytesOf("xyz"), {"x", "y", "z"});
}

FramingConfig modbusTcp() {
    FramingConfig c;
    c.type = FramingType::Length;
    c.offset = 4;
    c.size = 2;
    c.endian = ByteOrder::Big;
    c.adjust = 6;
    c.max = 260;
    return c;
}

TEST(Framer, ModbusTcpMbapLengthWithAdjust) {
    // Read holding registers request (12 bytes) and a response with 2 registers (13 bytes).
    const Bytes request{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x02};
    const Bytes response{0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x01, 0x03, 0x04, 0x00, 0x0A, 0x00, 0x0B};
    Bytes stream = request;
    stream.insert(stream.end(), response.begin(), response.end());
    stream.insert(stream.end(), request.begin(), request.end());
    expectSplitInvariant(modbusTcp(), stream, {textOf(request), textOf(response), textOf(request)});
}

TEST(Framer, LengthFieldSizesAndByteOrders) {
    FramingConfig c;
    c.type = FramingType::Length;
    c.max = 1000;
    // size 1 at offset 1, value counts the bytes after the field: total = value + 2.
    c.offset = 1;
    c.size = 1;
    c.adjust = 2;
    expectSplitInvariant(c, Bytes{0x7E, 0x03, 'a', 'b', 'c', 0x7E, 0x00}, {"\x7E\x03" "abc", std::string("\x7E\x00", 2)});
    // size 4, little endian, the value is the total length (adjust 0).
    c.offset = 0;
    c.size = 4;
    c.adjust = 0;
    c.endian = ByteOrder::Little;
    expectSplitInvariant(c, Bytes{6, 0, 0, 0, 'h', 'i', 5, 0, 0, 0, '!'},
                         {std::string("\x06\0\0\0hi", 6), std::string("\x05\0\0\0!", 5)});
    // size 2, big endian at offset 0, 258-byte frame (the value uses both bytes).
    c.size = 2;
    c.endian = ByteOrder::Big;
    Bytes big(258, 'z');
    big[0] = 0x01;
    big[1] = 0x02;
    EXPECT_EQ(run(c, big, {1, 100}), (std::vector<std::string>{textOf(big)}));
}

TEST(Framer, LengthGarbageResyncsByDroppingBytes) {
    FramingConfig c;
    c.type = FramingType::Length;
    c.size = 2;
    c.adjust = 2;   // the field counts the bytes after it
    c.max = 64;
    const Bytes stream{0x00, 0x01, 'A', 0xFF, 0xFF, 0x00, 0x03, 'a', 'b', 'c', 0x00, 0x00};
    expectSplitInvariant(c, stream,
                         {std::string("\x00\x01" "A", 3), "E:BAD_FRAME_LENGTH", "E:FRAMING_RESYNC",
                          std::string("\x00\x03" "abc", 5), std::string("\x00\x00", 2)});
    Framer framer(c);
    Collector out;
    framer.feed(stream, Clock::now(), out);
    EXPECT_NE(out.errors[0].message.find("reads 65535, so the frame would be 65537 bytes: longer than max 64"),
              std::string::npos)
        << out.errors[0].message;
    EXPECT_NE(out.errors[1].message.find("2 bytes were dropped"), std::string::npos);
}

TEST(Framer, AOneByteFrameIsSaidInTheSingular) {   // tester item: "would be 1 bytes"
    FramingConfig c;
    c.type = FramingType::Length;
    c.size = 2;
    c.max = 64;
    Framer framer(c);
    Collector out;
    framer.feed(Bytes{0x00, 0x01, 'z', 'z'}, Clock::now(), out);
    ASSERT_FALSE(out.errors.empty());
    EXPECT_NE(out.errors[0].message.find("reads 1, so the frame would be 1 byte: shorter than its own header (2 bytes)"),
              std::string::npos)
        << out.errors[0].message;
}

TEST(Framer, LengthShorterThanHeaderIsAnError) {
    FramingConfig c = modbusTcp();
    c.adjust = -10;   // value 6 -> total -4
    Framer framer(c);
    Collector out;
    framer.feed(Bytes{0, 1, 0, 0, 0, 6, 1, 3}, Clock::now(), out);
    ASSERT_FALSE(out.errors.empty());
    EXPECT_NE(out.errors[0].message.find("shorter than its own header (6 bytes)"), std::string::npos)
        << out.errors[0].message;
}

TEST(Framer, LengthOverMaxClosePolicy) {
    FramingConfig c = modbusTcp();
    c.on_error = FramingOnError::Close;
    const Bytes stream{0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03};   // 256 + 6 > 260
    expectSplitInvariant(c, stream, {"E:BAD_FRAME_LENGTH"});
    Framer framer(c);
    Collector out;
    framer.feed(stream, Clock::now(), out);
    EXPECT_TRUE(framer.failed());
    EXPECT_EQ(framer.pending(), 0u);
}

TEST(Framer, HugeLengthFieldNeverAllocatesBeyondMax) {
    FramingConfig c;
    c.type = FramingType::Length;
    c.size = 4;
    c.max = 100;
    Framer framer(c);
    Collector out;
    framer.feed(Bytes{0xFF, 0xFF, 0xFF, 0xF0}, Clock::now(), out);
    EXPECT_LE(framer.pending(), 4u);
    EXPECT_EQ(out.errors.size(), 1u);
}

FramingConfig idle(int gap_ms, std::size_t max = 65536) {
    FramingConfig c;
    c.type = FramingType::Idle;
    c.gap_ms = gap_ms;
    c.max = max;
    return c;
}

TEST(Framer, IdleGapEndsAMessage) {
    Framer framer(idle(20));
    Collector out;
    const auto t0 = Clock::now();
    EXPECT_FALSE(framer.deadline());
    framer.feed(bytesOf("ab"), t0, out);
    framer.feed(bytesOf("cd"), t0 + 5ms, out);
    ASSERT_TRUE(framer.deadline());
    EXPECT_EQ(*framer.deadline(), t0 + 25ms);
    framer.expire(t0 + 24ms, out);
    EXPECT_TRUE(out.items.empty());
    framer.expire(t0 + 25ms, out);
    EXPECT_EQ(out.items, (std::vector<std::string>{"abcd"}));
    EXPECT_FALSE(framer.deadline());
    framer.feed(bytesOf("e"), t0 + 100ms, out);
    framer.finish(out);   // the end of the stream ends an idle frame without complaint
    EXPECT_EQ(out.items, (std::vector<std::string>{"abcd", "e"}));
}

TEST(Framer, IdleOverMaxCutsWithoutLosingBytes) {
    expectSplitInvariant(idle(20, 4), bytesOf("0123456789"), {"0123", "E:FRAME_TOO_LONG", "4567", "89"});
    FramingConfig c = idle(20, 4);
    c.on_error = FramingOnError::Close;
    Framer framer(c);
    Collector out;
    framer.feed(bytesOf("0123456789"), Clock::now(), out);
    EXPECT_EQ(out.items, (std::vector<std::string>{"0123", "E:FRAME_TOO_LONG"}));
    EXPECT_TRUE(framer.failed());
    EXPECT_FALSE(framer.deadline());
}

TEST(Framer, FinishReportsAnIncompleteFrame) {
    Framer framer(modbusTcp());
    Collector out;
    framer.feed(Bytes{0, 1, 0, 0, 0, 6, 1}, Clock::now(), out);
    framer.finish(out);
    ASSERT_EQ(out.errors.size(), 1u);
    EXPECT_EQ(out.errors[0].code, "FRAME_INCOMPLETE");
    EXPECT_NE(out.errors[0].message.find("7 bytes into a frame of 12"), std::string::npos) << out.errors[0].message;
    EXPECT_EQ(out.items.back().size(), 7u);
}

}  // namespace
}  // namespace sockscope
