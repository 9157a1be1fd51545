#include "core/codec/text_encoding.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include <random>

#include "core/codec/utf8.hpp"
#include "support/platform.hpp"

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

const std::string kChinese = "\xE4\xB8\xAD\xE6\x96\x87";   // 中文 in UTF-8
const Bytes kChineseGbk = {0xD6, 0xD0, 0xCE, 0xC4};         // 中文 in GBK

TEST(DecodeForDisplay, Utf8KeepsTextAndEscapesTheRest) {
    EXPECT_EQ(decodeForDisplay(bytesOf(kChinese + "\r\n"), TextEncoding::Utf8), kChinese + "\\r\\n");
    EXPECT_EQ(decodeForDisplay(Bytes{'A', 0xFF}, TextEncoding::Utf8), "A\\xFF");
}

TEST(DecodeForDisplay, AsciiEscapesHighBytes) {
    EXPECT_EQ(decodeForDisplay(bytesOf("OK " + kChinese), TextEncoding::Ascii),
              "OK \\xE4\\xB8\\xAD\\xE6\\x96\\x87");
}

TEST(DecodeForDisplay, Latin1MapsBytesToCodePoints) {
    EXPECT_EQ(decodeForDisplay(Bytes{'c', 'a', 'f', 0xE9}, TextEncoding::Latin1), "caf\xC3\xA9");   // café
    EXPECT_EQ(decodeForDisplay(Bytes{0xA0, 0xFF}, TextEncoding::Latin1), "\xC2\xA0\xC3\xBF");
    EXPECT_EQ(decodeForDisplay(Bytes{0x80, 0x9F, 0x00, '\\'}, TextEncoding::Latin1), "\\x80\\x9F\\0\\\\");
}

TEST(DecodeForDisplay, GbkRealBytes) {
    EXPECT_EQ(decodeForDisplay(kChineseGbk, TextEncoding::Gbk), kChinese);
    Bytes with_crlf = kChineseGbk;
    with_crlf.push_back('\r');
    with_crlf.push_back('\n');
    EXPECT_EQ(decodeForDisplay(with_crlf, TextEncoding::Gbk), kChinese + "\\r\\n");
    EXPECT_EQ(decodeForDisplay(bytesOf("temp=25"), TextEncoding::Gbk), "temp=25");
}

TEST(DecodeForDisplay, GbkTrailByte5CIsNotABackslash) {
    // 0x81 0x5C is one GBK character (U+4E57); its trail byte must not show as "\\".
    EXPECT_EQ(decodeForDisplay(Bytes{0x81, 0x5C}, TextEncoding::Gbk), "\xE4\xB9\x97");
    EXPECT_EQ(decodeForDisplay(Bytes{'\\'}, TextEncoding::Gbk), "\\\\");
}

TEST(DecodeForDisplay, GbkBadAndPartialBytesAreEscapedOneByOne) {
    // a cut-off character at the end (EINVAL)
    EXPECT_EQ(decodeForDisplay(Bytes{0xD6, 0xD0, 0xCE}, TextEncoding::Gbk), "\xE4\xB8\xAD\\xCE");
    // an invalid byte in the middle (EILSEQ): decoding resumes after it
    EXPECT_EQ(decodeForDisplay(Bytes{0xD6, 0xD0, 0xFF, 0xCE, 0xC4}, TextEncoding::Gbk),
              "\xE4\xB8\xAD\\xFF\xE6\x96\x87");
    // a lead byte followed by ASCII: the lead is escaped, the ASCII kept
    EXPECT_EQ(decodeForDisplay(Bytes{0xD6, 0x0A, 'A'}, TextEncoding::Gbk), "\\xD6\\nA");
    EXPECT_EQ(decodeForDisplay(Bytes{0xFF}, TextEncoding::Gbk), "\\xFF");
    EXPECT_EQ(decodeForDisplay(Bytes{0x00, 0x01, 0x7F}, TextEncoding::Gbk), "\\0\\x01\\x7F");
}

TEST(DecodeForDisplay, GbkEuroAndFourByteGb18030) {
    EXPECT_EQ(decodeForDisplay(Bytes{0x80}, TextEncoding::Gbk), "\xE2\x82\xAC");   // € in code page 936
    EXPECT_EQ(decodeForDisplay(Bytes{'1', 0x80, 'A'}, TextEncoding::Gbk), "1\xE2\x82\xAC" "A");
    EXPECT_EQ(encodeForSend("\xE2\x82\xAC", TextEncoding::Gbk).bytes, Bytes{0x80});
    if (test::underWine()) GTEST_SKIP() << "Wine has no GB18030 four-byte table (code page 54936)";
    EXPECT_EQ(decodeForDisplay(Bytes{0x94, 0x39, 0xFC, 0x36}, TextEncoding::Gbk), "\xF0\x9F\x98\x80");   // 😀
}

TEST(DecodeForDisplay, Utf16BothByteOrders) {
    // 中 U+4E2D, 'A', CR, 😀 U+1F600 (D83D DE00)
    const Bytes le = {0x2D, 0x4E, 'A', 0, '\r', 0, 0x3D, 0xD8, 0x00, 0xDE};
    const Bytes be = {0x4E, 0x2D, 0, 'A', 0, '\r', 0xD8, 0x3D, 0xDE, 0x00};
    const std::string expected = "\xE4\xB8\xAD" "A\\r\xF0\x9F\x98\x80";
    EXPECT_EQ(decodeForDisplay(le, TextEncoding::Utf16Le), expected);
    EXPECT_EQ(decodeForDisplay(be, TextEncoding::Utf16Be), expected);
}

TEST(DecodeForDisplay, Utf16BadInput) {
    EXPECT_EQ(decodeForDisplay(Bytes{'A', 0, 'B'}, TextEncoding::Utf16Le), "A\\x42");   // odd trailing byte
    EXPECT_EQ(decodeForDisplay(Bytes{0x3D, 0xD8, 'A', 0}, TextEncoding::Utf16Le), "\\x3D\\xD8A");   // lone high
    EXPECT_EQ(decodeForDisplay(Bytes{0x00, 0xDE}, TextEncoding::Utf16Le), "\\x00\\xDE");   // lone low
    EXPECT_EQ(decodeForDisplay(Bytes{0x3D, 0xD8}, TextEncoding::Utf16Le), "\\x3D\\xD8");   // cut-off pair
    EXPECT_EQ(decodeForDisplay(Bytes{0, 0, 0x85, 0}, TextEncoding::Utf16Le), "\\0\\x85");
}

TEST(DecodeForDisplay, AlwaysValidUtf8ForRandomInput) {
    std::mt19937 rng(4242);
    for (int n = 0; n < 300; ++n) {
        Bytes bytes(rng() % 80);
        for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
        for (TextEncoding encoding : kTextEncodings) {
            const std::string shown = decodeForDisplay(bytes, encoding);
            ASSERT_FALSE(utf8::firstInvalid(shown).has_value()) << toString(encoding);
            for (const char c : shown) {   // no raw control characters reach the screen
                const auto u = static_cast<unsigned char>(c);
                ASSERT_TRUE(u >= 0x20 && u != 0x7F) << toString(encoding);
            }
        }
    }
}

TEST(EncodeForSend, GbkRealBytes) {
    const ParseResult result = encodeForSend(kChinese, TextEncoding::Gbk);
    ASSERT_TRUE(result.ok()) << result.error->reason;
    EXPECT_EQ(result.bytes, kChineseGbk);
    const ParseResult mixed = encodeForSend("T=25\xE2\x84\x83", TextEncoding::Gbk);   // ℃ = A1 E6
    ASSERT_TRUE(mixed.ok());
    EXPECT_EQ(mixed.bytes, (Bytes{'T', '=', '2', '5', 0xA1, 0xE6}));
}

TEST(EncodeForSend, GbkUnencodableCharacterIsAnErrorAtItsOffset) {
    const ParseResult result = encodeForSend(kChinese + "\xF0\x9F\x98\x80", TextEncoding::Gbk);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->position, 6u);
    EXPECT_NE(result.error->reason.find("U+1F600"), std::string::npos) << result.error->reason;
    EXPECT_NE(result.error->reason.find("cannot be encoded in GBK"), std::string::npos);
    EXPECT_TRUE(result.bytes.empty());
}

TEST(EncodeForSend, GbkRoundTripsThroughDecode) {
    const std::string text = "\xE6\xB8\xA9\xE5\xBA\xA6" "=25.5 \xE6\xB9\xBF\xE5\xBA\xA6" "=60%";   // 温度=25.5 湿度=60%
    const ParseResult encoded = encodeForSend(text, TextEncoding::Gbk);
    ASSERT_TRUE(encoded.ok());
    EXPECT_EQ(decodeForDisplay(encoded.bytes, TextEncoding::Gbk), text);
}

TEST(EncodeForSend, AsciiAndLatin1) {
    EXPECT_EQ(encodeForSend("AT", TextEncoding::Ascii).bytes, bytesOf("AT"));
    const ParseResult bad = encodeForSend("caf\xC3\xA9", TextEncoding::Ascii);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error->position, 3u);
    EXPECT_EQ(bad.error->reason, "'\xC3\xA9' (U+00E9) cannot be encoded in ASCII");

    const ParseResult latin = encodeForSend("caf\xC3\xA9", TextEncoding::Latin1);
    ASSERT_TRUE(latin.ok());
    EXPECT_EQ(latin.bytes, (Bytes{'c', 'a', 'f', 0xE9}));
    const ParseResult no_latin = encodeForSend("a" + kChinese, TextEncoding::Latin1);
    ASSERT_FALSE(no_latin.ok());
    EXPECT_EQ(no_latin.error->position, 1u);
}

TEST(EncodeForSend, Utf16) {
    const std::string text = "A\xE4\xB8\xAD\xF0\x9F\x98\x80";   // A 中 😀
    EXPECT_EQ(encodeForSend(text, TextEncoding::Utf16Le).bytes,
              (Bytes{'A', 0, 0x2D, 0x4E, 0x3D, 0xD8, 0x00, 0xDE}));
    EXPECT_EQ(encodeForSend(text, TextEncoding::Utf16Be).bytes,
              (Bytes{0, 'A', 0x4E, 0x2D, 0xD8, 0x3D, 0xDE, 0x00}));
    for (TextEncoding encoding : {TextEncoding::Utf16Le, TextEncoding::Utf16Be}) {
        const ParseResult encoded = encodeForSend(text, encoding);
        EXPECT_EQ(decodeForDisplay(encoded.bytes, encoding), text);
    }
}

TEST(EncodeForSend, InvalidUtf8InputIsAnError) {
    for (TextEncoding encoding : kTextEncodings) {
        const ParseResult result = encodeForSend("ab\xFF" "c", encoding);
        ASSERT_FALSE(result.ok()) << toString(encoding);
        EXPECT_EQ(result.error->position, 2u) << toString(encoding);
        EXPECT_NE(result.error->reason.find("invalid UTF-8"), std::string::npos);
    }
    EXPECT_EQ(encodeForSend(kChinese, TextEncoding::Utf8).bytes, bytesOf(kChinese));
    EXPECT_TRUE(encodeForSend("", TextEncoding::Gbk).ok());
}

TEST(TextEncoding, Names) {
    for (TextEncoding encoding : kTextEncodings)
        EXPECT_EQ(textEncodingFromString(toString(encoding)), encoding);
    EXPECT_STREQ(toString(TextEncoding::Latin1), "latin-1");
    EXPECT_STREQ(toString(TextEncoding::Utf16Be), "utf-16be");
    EXPECT_EQ(textEncodingFromString("GBK"), TextEncoding::Gbk);
    EXPECT_EQ(textEncodingFromString("UTF8"), TextEncoding::Utf8);
    EXPECT_EQ(textEncodingFromString("iso-8859-1"), TextEncoding::Latin1);
    EXPECT_EQ(textEncodingFromString("cp936"), TextEncoding::Gbk);
    EXPECT_EQ(textEncodingFromString("ebcdic"), std::nullopt);
}

}  // namespace
}  // namespace sockscope

namespace sockscope {
namespace {

// The log decodes every visible row each frame: GBK reuses one iconv descriptor per thread instead
// of opening one per call, and a row cut inside a character must not leave state behind for the
// next row (each decode below starts with a lead byte right after a row that ended with one).
TEST(TextEncoding, GbkDecodingReusesItsConverterWithoutCarryingState) {
    auto cpu_ms = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    };
    const std::vector<std::uint8_t> row = {0xC4, 0xE3, 0xBA, 0xC3, 'O', 'K', 0x81};   // 你好OK + a cut byte
    const std::string first = decodeForDisplay(row, TextEncoding::Gbk);
    EXPECT_EQ(first, "\xe4\xbd\xa0\xe5\xa5\xbdOK\\x81");
    const double start = cpu_ms();
    for (int i = 0; i < 20'000; ++i) ASSERT_EQ(decodeForDisplay(row, TextEncoding::Gbk), first);
    const double spent = cpu_ms() - start;
    EXPECT_LT(spent, 250.0) << "20,000 GBK rows took " << spent << " ms of CPU";
    std::printf("20,000 GBK rows decoded in %.1f ms of CPU\n", spent);
}

// The detail pane splits a message into bounded lines and decodes only the lines in view: a line
// never cuts a character, so the lines decoded one by one read exactly like the whole.
TEST(TextEncoding, DisplayLinesAreBoundedAndNeverCutACharacter) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "temp=21.5 \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80 line\n";
    for (const TextEncoding encoding : kTextEncodings) {
        if (encoding == TextEncoding::Ascii || encoding == TextEncoding::Latin1) continue;   // no CJK there
        if (encoding == TextEncoding::Gbk && !encodeForSend("\xe4\xbd\xa0", encoding).ok()) continue;
        std::string source = text;
        if (encoding == TextEncoding::Gbk) {   // GBK has no emoji
            for (std::size_t p; (p = source.find("\xf0\x9f\x98\x80")) != std::string::npos;) source.erase(p, 4);
        }
        const ParseResult encoded = encodeForSend(source, encoding);
        ASSERT_TRUE(encoded.ok()) << toString(encoding);
        const std::span<const std::uint8_t> bytes(encoded.bytes);
        std::string joined;
        std::size_t lines = 0;
        for (std::size_t start = 0; start < bytes.size();) {
            const std::size_t end = displayLineEnd(bytes, start, encoding, 64);
            ASSERT_GT(end, start);
            ASSERT_LE(end - start, 64u);
            joined += decodeForDisplay(bytes.subspan(start, end - start), encoding);
            start = end;
            ++lines;
        }
        EXPECT_EQ(joined, decodeForDisplay(bytes, encoding)) << toString(encoding);
        EXPECT_GE(lines, 200u) << "a line ends after each line feed";
    }
    // Undecodable bytes still advance one at a time; a long run is cut at the bound.
    const std::vector<std::uint8_t> junk(1000, 0xFF);
    for (const TextEncoding encoding : kTextEncodings) EXPECT_EQ(displayLineEnd(junk, 0, encoding, 64), 64u);
}

}  // namespace
}  // namespace sockscope
