#include "core/codec/hex.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace sockscope {
namespace {

Bytes bytesOf(std::initializer_list<int> values) {
    Bytes out;
    for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

void expectBytes(std::string_view text, const Bytes& expected) {
    const ParseResult result = parseHex(text);
    ASSERT_TRUE(result.ok()) << "input '" << text << "': " << describe(*result.error);
    EXPECT_EQ(result.bytes, expected) << "input '" << text << "'";
}

void expectError(std::string_view text, std::size_t position, std::string_view reason_part) {
    const ParseResult result = parseHex(text);
    ASSERT_FALSE(result.ok()) << "input '" << text << "' should fail";
    EXPECT_EQ(result.error->position, position) << result.error->reason;
    EXPECT_NE(result.error->reason.find(reason_part), std::string::npos)
        << "reason was: " << result.error->reason;
    EXPECT_TRUE(result.bytes.empty());
}

TEST(ParseHex, AcceptsWhatUsersPaste) {
    const Bytes hel = bytesOf({0x48, 0x65, 0x6C});
    expectBytes("48 65 6C", hel);
    expectBytes("48656c", hel);
    expectBytes("0x48 0x65 0x6C", hel);
    expectBytes("0X48,0x65,0x6c", hel);
    expectBytes("0x48, 0x65, 0x6C,", hel);   // a C array body with a trailing comma
    expectBytes("48:65:6c", hel);
    expectBytes("48-65-6C", hel);
    expectBytes("48;65;6C", hel);
    expectBytes("  48\t65\r\n6c\n", hel);
    expectBytes("4865 6C", hel);
    expectBytes("0x48656C", hel);             // one prefixed token holding three bytes
    expectBytes("48\xC2\xA0" "65\xE3\x80\x80" "6C", hel);   // no-break and ideographic spaces
    expectBytes("48\xEF\xBC\x8C" "65\xEF\xBC\x8C" "6C", hel);  // full-width commas
    expectBytes("aB cD eF", bytesOf({0xAB, 0xCD, 0xEF}));
    expectBytes("00 ff 7F 80", bytesOf({0x00, 0xFF, 0x7F, 0x80}));
}

TEST(ParseHex, EmptyAndSeparatorOnlyInputIsNoBytes) {
    expectBytes("", {});
    expectBytes("   \n\t, :-", {});
}

TEST(ParseHex, OddDigitCountIsAnErrorAtTheUnpairedDigit) {
    expectError("48 6 6C", 3, "odd number of hex digits: '6' needs a second digit");
    expectError("A", 0, "'A' needs a second digit (write '0A'");
    expectError("48 656", 5, "in '656': the last '6' needs a second digit");
    expectError("0x5", 2, "'5' needs a second digit");
    expectError("48656", 4, "odd number of hex digits");
    const std::string long_run(33, 'a');
    expectError(long_run, 32, "a run of 33 digits");
}

TEST(ParseHex, NonHexCharactersAreErrorsAtTheirOffset) {
    expectError("48 6G", 4, "'G' is not a hex digit");
    expectError("zz", 0, "'z' is not a hex digit");
    expectError("48x65", 2, "'x' is not a hex digit");
    expectError("0xx1", 2, "'x' is not a hex digit");
    expectError("48 \xE4\xB8\xAD", 3, "'\xE4\xB8\xAD' (U+4E2D) is not a hex digit");
    expectError("48 \xFF", 3, "byte 0xFF is not a hex digit");
    expectError("\\x48", 0, "text mode");
    expectError("48 \x01", 3, "byte 0x01");
}

TEST(ParseHex, PrefixWithoutDigitsIsAnError) {
    expectError("0x", 0, "'0x' must be followed by hex digits");
    expectError("48 0X 65", 3, "'0X' must be followed by hex digits");
}

TEST(ParseHex, ErrorsPointAtTheFirstProblem) {
    expectError("48 G 6", 3, "'G'");
}

TEST(FormatHex, Styles) {
    const Bytes bytes = bytesOf({0x48, 0x65, 0x6C, 0x0A, 0xFF});
    EXPECT_EQ(formatHex(bytes), "48 65 6C 0A FF");
    EXPECT_EQ(formatHex(bytes, HexStyle::SpacedUpper), "48 65 6C 0A FF");
    EXPECT_EQ(formatHex(bytes, HexStyle::SpacedLower), "48 65 6c 0a ff");
    EXPECT_EQ(formatHex(bytes, HexStyle::CompactUpper), "48656C0AFF");
    EXPECT_EQ(formatHex(bytes, HexStyle::CompactLower), "48656c0aff");
    EXPECT_EQ(formatHex({}), "");
    EXPECT_EQ(formatHex(bytesOf({0}), HexStyle::SpacedUpper), "00");
}

TEST(FormatHex, RoundTripsThroughParseHexForEveryStyle) {
    Bytes all(256);
    for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
    std::mt19937 rng(12345);
    std::vector<Bytes> samples = {{}, all};
    for (int n = 0; n < 50; ++n) {
        Bytes random(rng() % 300);
        for (auto& b : random) b = static_cast<std::uint8_t>(rng());
        samples.push_back(random);
    }
    for (const Bytes& sample : samples) {
        for (HexStyle style : {HexStyle::SpacedUpper, HexStyle::SpacedLower, HexStyle::CompactUpper,
                               HexStyle::CompactLower}) {
            const ParseResult parsed = parseHex(formatHex(sample, style));
            ASSERT_TRUE(parsed.ok());
            EXPECT_EQ(parsed.bytes, sample);
        }
    }
}

TEST(HexDump, MatchesHexdumpCanonicalFormat) {
    // Expected lines taken from `hexdump -C` (util-linux) on the same input.
    const std::string hello = "hello world\n";
    EXPECT_EQ(hexDump(Bytes(hello.begin(), hello.end())),
              "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|");
    const std::string seventeen = "Hello World!!!!!!";
    EXPECT_EQ(hexDump(Bytes(seventeen.begin(), seventeen.end())),
              "00000000  48 65 6c 6c 6f 20 57 6f  72 6c 64 21 21 21 21 21  |Hello World!!!!!|\n"
              "00000010  21                                                |!|");
}

TEST(HexDump, NonPrintableBytesShowAsDots) {
    EXPECT_EQ(hexDump(bytesOf({0x00, 0x7F, 0x80, 0xFF, 0x41})),
              "00000000  00 7f 80 ff 41                                    |....A|");
}

TEST(HexDump, EmptyInputGivesNoLines) { EXPECT_EQ(hexDump({}), ""); }

TEST(HexDump, CustomRowWidthAndOffsets) {
    Bytes bytes(20);
    for (int i = 0; i < 20; ++i) bytes[i] = static_cast<std::uint8_t>('a' + i);
    EXPECT_EQ(hexDump(bytes, 8),
              "00000000  61 62 63 64 65 66 67 68  |abcdefgh|\n"
              "00000008  69 6a 6b 6c 6d 6e 6f 70  |ijklmnop|\n"
              "00000010  71 72 73 74              |qrst|");
    EXPECT_EQ(hexDump(bytesOf({0x41, 0x42}), 0), hexDump(bytesOf({0x41, 0x42}), 16)) << "0 means 16";
    EXPECT_EQ(hexDump(bytesOf({0x41, 0x42, 0x43}), 1),
              "00000000  41  |A|\n00000001  42  |B|\n00000002  43  |C|");
}

TEST(HexDump, RowCountForLargeInput) {
    const Bytes bytes(4096 + 5, 0x20);
    const std::string dump = hexDump(bytes);
    EXPECT_EQ(std::count(dump.begin(), dump.end(), '\n'), 256);
    EXPECT_NE(dump.find("\n00001000  20 20 20 20 20 "), std::string::npos);
}

TEST(ParseResult, DescribeNamesTheOffset) {
    const ParseResult result = parseHex("48 6G");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(describe(*result.error), "at byte 4: 'G' is not a hex digit (hex digits are 0-9 and A-F)");
    EXPECT_EQ(describe(*result.error, "01 0G"), "at character 5: 'G' is not a hex digit (hex digits are 0-9 and A-F)");
    // Characters, not UTF-8 bytes; lines when there are several.
    const ParseResult wide = parseHex("\xE3\x80\x80" "01 Z");   // an ideographic space first
    ASSERT_FALSE(wide.ok());
    EXPECT_EQ(wide.error->position, 6u);
    EXPECT_EQ(describe(*wide.error, "\xE3\x80\x80" "01 Z").substr(0, 15), "at character 5:");
    const ParseResult lines = parseHex("01 02\n03 x4");
    ASSERT_FALSE(lines.ok());
    EXPECT_EQ(describe(*lines.error, "01 02\n03 x4").substr(0, 24), "at line 2, character 4: ");
}

}  // namespace
}  // namespace sockscope
