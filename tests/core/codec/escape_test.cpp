#include "core/codec/escape.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/codec/utf8.hpp"

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

std::string show(const Bytes& bytes) { return escapeForDisplay(bytes, NonAscii::Escape); }

void expectParse(std::string_view text, const Bytes& expected) {
    const ParseResult result = parseEscapedText(text);
    ASSERT_TRUE(result.ok()) << "input '" << text << "': " << describe(*result.error);
    EXPECT_EQ(result.bytes, expected) << "input '" << text << "' gave " << show(result.bytes);
}

void expectError(std::string_view text, std::size_t position, std::string_view reason_part) {
    const ParseResult result = parseEscapedText(text);
    ASSERT_FALSE(result.ok()) << "input '" << text << "' should fail";
    EXPECT_EQ(result.error->position, position) << result.error->reason;
    EXPECT_NE(result.error->reason.find(reason_part), std::string::npos)
        << "reason was: " << result.error->reason;
    EXPECT_TRUE(result.bytes.empty());
}

TEST(ParseEscapedText, PlainTextIsItsUtf8Bytes) {
    expectParse("", {});
    expectParse("AT+RST", bytesOf("AT+RST"));
    expectParse("\xE4\xB8\xAD\xE6\x96\x87", bytesOf("\xE4\xB8\xAD\xE6\x96\x87"));   // 中文
    expectParse("say \"hi\"", bytesOf("say \"hi\""));
}

TEST(ParseEscapedText, KnownEscapes) {
    expectParse("AT\\r\\n", bytesOf("AT\r\n"));
    expectParse("a\\tb", bytesOf("a\tb"));
    expectParse("\\0", Bytes{0});
    expectParse("\\012", Bytes{0, '1', '2'});   // \0 is exactly one zero byte
    expectParse("C:\\\\temp", bytesOf("C:\\temp"));
    expectParse("\\\"quoted\\\"", bytesOf("\"quoted\""));
    expectParse("\\x48\\x65\\x6c\\x6C", bytesOf("Hell"));
    expectParse("\\xff\\xFF\\x00", Bytes{0xFF, 0xFF, 0x00});
    expectParse("\\x414", bytesOf("A4"));       // exactly two digits, the third is text
    expectParse("\\\\x41", bytesOf("\\x41"));   // escaped backslash, then plain text
}

TEST(ParseEscapedText, BadEscapesAreErrorsAtTheBackslash) {
    expectError("abc\\q", 3, "'\\q' is not a known escape");
    expectError("abc\\", 3, "'\\' at the end");
    expectError("x\\x4", 1, "exactly two hex digits");
    expectError("x\\x4G", 1, "found 'G'");
    expectError("\\x", 0, "found the end of the text");
    expectError("\\xZZ", 0, "found 'Z'");
    expectError("ok\\r\\n\\u0041", 6, "'\\u' is not a known escape");
    expectError("\\\xE4\xB8\xAD", 0, "'\xE4\xB8\xAD' (U+4E2D) is not a known escape");
    expectError("\\\t", 0, "a tab is not a known escape");
}

TEST(EscapeForDisplay, ShowsPrintableAsciiAndNamesControls) {
    EXPECT_EQ(escapeForDisplay(bytesOf("OK\r\n")), "OK\\r\\n");
    EXPECT_EQ(escapeForDisplay(Bytes{'a', '\t', 0, '\\', 0x01, 0x1B, 0x7F}), "a\\t\\0\\\\\\x01\\x1B\\x7F");
    EXPECT_EQ(escapeForDisplay(bytesOf("say \"hi\"")), "say \"hi\"");
    EXPECT_EQ(escapeForDisplay({}), "");
}

TEST(EscapeForDisplay, KeepsValidUtf8AndEscapesTheRest) {
    const Bytes chinese = bytesOf("\xE4\xB8\xAD\xE6\x96\x87");   // 中文
    EXPECT_EQ(escapeForDisplay(chinese), "\xE4\xB8\xAD\xE6\x96\x87");
    EXPECT_EQ(escapeForDisplay(chinese, NonAscii::Escape), "\\xE4\\xB8\\xAD\\xE6\\x96\\x87");
    // truncated sequence, lone continuation, overlong '/', surrogate, above U+10FFFF
    EXPECT_EQ(escapeForDisplay(Bytes{0xE4, 0xB8}), "\\xE4\\xB8");
    EXPECT_EQ(escapeForDisplay(Bytes{0x80, 'A'}), "\\x80A");
    EXPECT_EQ(escapeForDisplay(Bytes{0xC0, 0xAF}), "\\xC0\\xAF");
    EXPECT_EQ(escapeForDisplay(Bytes{0xED, 0xA0, 0x80}), "\\xED\\xA0\\x80");
    EXPECT_EQ(escapeForDisplay(Bytes{0xF4, 0x90, 0x80, 0x80}), "\\xF4\\x90\\x80\\x80");
    // a bad byte in the middle does not swallow the valid characters after it
    EXPECT_EQ(escapeForDisplay(Bytes{0xE4, 0xB8, 0xAD, 0xFF, 0xE6, 0x96, 0x87}),
              "\xE4\xB8\xAD\\xFF\xE6\x96\x87");
    // C1 controls are invisible, so they are escaped even though the UTF-8 is valid
    EXPECT_EQ(escapeForDisplay(Bytes{0xC2, 0x85}), "\\xC2\\x85");
    EXPECT_EQ(escapeForDisplay(Bytes{0xC2, 0xA9}), "\xC2\xA9");   // ©
    EXPECT_EQ(escapeForDisplay(bytesOf("\xF0\x9F\x98\x80")), "\xF0\x9F\x98\x80");   // emoji
}

/// Invisible format characters change how the rest of a line reads (a right-to-left override shows
/// "user\u202Eexe.txt" as "usertxt.exe"; U+2028 breaks the line in some viewers): shown as bytes.
TEST(EscapeForDisplay, InvisibleFormatCharactersAreShownAsTheirBytes) {
    EXPECT_EQ(escapeForDisplay(bytesOf("user\xE2\x80\xAE" "exe.txt")), "user\\xE2\\x80\\xAEexe.txt");   // U+202E
    EXPECT_EQ(escapeForDisplay(bytesOf("a\xE2\x80\xA8" "b")), "a\\xE2\\x80\\xA8b");                   // U+2028
    EXPECT_EQ(escapeForDisplay(bytesOf("\xE2\x80\x8B")), "\\xE2\\x80\\x8B");                          // U+200B
    EXPECT_EQ(escapeForDisplay(bytesOf("\xEF\xBB\xBF" "x")), "\\xEF\\xBB\\xBFx");                     // BOM
    EXPECT_EQ(escapeForDisplay(bytesOf("\xE2\x81\xA6")), "\\xE2\\x81\\xA6");                          // U+2066
    EXPECT_EQ(escapeForDisplay(bytesOf("\xE2\x80\x94")), "\xE2\x80\x94") << "an em dash is visible: kept";
}

TEST(EscapeForDisplay, EveryByteValueRoundTrips) {
    for (int b = 0; b < 256; ++b) {
        const Bytes one{static_cast<std::uint8_t>(b)};
        for (NonAscii mode : {NonAscii::KeepUtf8, NonAscii::Escape}) {
            const std::string shown = escapeForDisplay(one, mode);
            EXPECT_FALSE(utf8::firstInvalid(shown).has_value()) << "byte " << b;
            const ParseResult back = parseEscapedText(shown);
            ASSERT_TRUE(back.ok()) << "byte " << b << ": " << back.error->reason;
            EXPECT_EQ(back.bytes, one) << "byte " << b << " shown as " << shown;
        }
    }
    Bytes all(256);
    for (int b = 0; b < 256; ++b) all[b] = static_cast<std::uint8_t>(b);
    EXPECT_EQ(parseEscapedText(escapeForDisplay(all)).bytes, all);
}

TEST(EscapeForDisplay, RandomBytesRoundTripAndStayValidUtf8) {
    std::mt19937 rng(777);
    for (int n = 0; n < 500; ++n) {
        Bytes bytes(rng() % 64);
        // bias towards bytes that form UTF-8 sequences so both paths are exercised
        for (auto& b : bytes) b = static_cast<std::uint8_t>(rng() % 3 == 0 ? 0x80 + rng() % 0x40 : rng());
        for (NonAscii mode : {NonAscii::KeepUtf8, NonAscii::Escape}) {
            const std::string shown = escapeForDisplay(bytes, mode);
            ASSERT_FALSE(utf8::firstInvalid(shown).has_value());
            const ParseResult back = parseEscapedText(shown);
            ASSERT_TRUE(back.ok());
            ASSERT_EQ(back.bytes, bytes);
        }
    }
}

TEST(EscapeForDisplay, AsciiOnlyOutputIsPureAscii) {
    Bytes all(256);
    for (int b = 0; b < 256; ++b) all[b] = static_cast<std::uint8_t>(b);
    for (const char c : escapeForDisplay(all, NonAscii::Escape))
        EXPECT_LT(static_cast<unsigned char>(c), 0x80);
}

TEST(ParseEscapedText, WithEncodingEncodesLiteralRunsOnly) {
    // 中 in GBK is D6 D0; escapes stay raw bytes
    const ParseResult gbk = parseEscapedText("\xE4\xB8\xAD\\xFF\\r\\n", TextEncoding::Gbk);
    ASSERT_TRUE(gbk.ok()) << gbk.error->reason;
    EXPECT_EQ(gbk.bytes, (Bytes{0xD6, 0xD0, 0xFF, '\r', '\n'}));

    const ParseResult utf16 = parseEscapedText("A\\x00B", TextEncoding::Utf16Le);
    ASSERT_TRUE(utf16.ok());
    EXPECT_EQ(utf16.bytes, (Bytes{'A', 0, 0, 'B', 0}));

    // A named escape is a character: in UTF-16 it takes two bytes, as the text around it does;
    // \xHH stays one raw byte.
    const ParseResult le = parseEscapedText("A\\r\\n\\x0D", TextEncoding::Utf16Le);
    ASSERT_TRUE(le.ok());
    EXPECT_EQ(le.bytes, (Bytes{'A', 0, '\r', 0, '\n', 0, 0x0D}));
    const ParseResult be = parseEscapedText("A\\t", TextEncoding::Utf16Be);
    ASSERT_TRUE(be.ok());
    EXPECT_EQ(be.bytes, (Bytes{0, 'A', 0, '\t'}));

    // error positions are offsets in the whole text
    const ParseResult ascii = parseEscapedText("ok\\r\xE4\xB8\xAD", TextEncoding::Ascii);
    ASSERT_FALSE(ascii.ok());
    EXPECT_EQ(ascii.error->position, 4u);
    EXPECT_NE(ascii.error->reason.find("cannot be encoded in ASCII"), std::string::npos);

    const ParseResult bad_escape = parseEscapedText("\xE4\xB8\xAD\\q", TextEncoding::Gbk);
    ASSERT_FALSE(bad_escape.ok());
    EXPECT_EQ(bad_escape.error->position, 3u);
}

TEST(LineEnding, AppendsAndNames) {
    Bytes bytes = bytesOf("AT");
    appendLineEnding(bytes, LineEnding::None);
    EXPECT_EQ(bytes, bytesOf("AT"));
    appendLineEnding(bytes, LineEnding::Cr);
    EXPECT_EQ(bytes, bytesOf("AT\r"));
    appendLineEnding(bytes, LineEnding::Lf);
    EXPECT_EQ(bytes, bytesOf("AT\r\n"));
    appendLineEnding(bytes, LineEnding::CrLf);
    EXPECT_EQ(bytes, bytesOf("AT\r\n\r\n"));

    for (LineEnding ending : kLineEndings) EXPECT_EQ(lineEndingFromString(toString(ending)), ending);
    EXPECT_STREQ(toString(LineEnding::CrLf), "crlf");
    EXPECT_EQ(lineEndingFromString("CRLF"), LineEnding::CrLf);
    EXPECT_EQ(lineEndingFromString("windows"), std::nullopt);
    EXPECT_EQ(lineEndingFromString(""), std::nullopt);
}

}  // namespace
}  // namespace sockscope
