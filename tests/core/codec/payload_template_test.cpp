#include "core/codec/payload_template.hpp"

#include <gtest/gtest.h>

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

TEST(BuildPayload, DefaultIsPlainUtf8TextWithEscapes) {
    PayloadSpec spec;
    spec.text = "AT+RST\\r\\n";
    const ParseResult result = buildPayload(spec);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.bytes, bytesOf("AT+RST\r\n"));
    EXPECT_TRUE(buildPayload(PayloadSpec{}).ok());
    EXPECT_TRUE(buildPayload(PayloadSpec{}).bytes.empty());
}

TEST(BuildPayload, LineEndingGoesLast) {
    PayloadSpec spec;
    spec.text = "AT";
    spec.line_ending = LineEnding::CrLf;
    EXPECT_EQ(buildPayload(spec).bytes, bytesOf("AT\r\n"));
    spec.escapes = false;
    spec.text = "C:\\temp";
    spec.line_ending = LineEnding::Lf;
    EXPECT_EQ(buildPayload(spec).bytes, bytesOf("C:\\temp\n"));
}

TEST(BuildPayload, HexModbusFrameWithCrc) {
    PayloadSpec spec;
    spec.mode = PayloadMode::Hex;
    spec.text = "01 03 00 00 00 0A";
    spec.checksum = ChecksumSpec{ChecksumKind::Crc16Modbus};
    const ParseResult result = buildPayload(spec);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result.bytes, (Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD}));
}

TEST(BuildPayload, ChecksumSkipsAHeaderAndPrecedesTheLineEnding) {
    PayloadSpec spec;
    spec.mode = PayloadMode::Hex;
    spec.text = "AA 55 01 02 03";
    spec.checksum = ChecksumSpec{ChecksumKind::Sum8, ChecksumByteOrder::Conventional, 2};
    spec.line_ending = LineEnding::Lf;
    EXPECT_EQ(buildPayload(spec).bytes, (Bytes{0xAA, 0x55, 0x01, 0x02, 0x03, 0x06, '\n'}));

    spec.checksum = ChecksumSpec{ChecksumKind::Crc32, ChecksumByteOrder::BigEndian};
    spec.line_ending = LineEnding::None;
    spec.text = "31 32 33 34 35 36 37 38 39";
    EXPECT_EQ(buildPayload(spec).bytes,
              (Bytes{'1', '2', '3', '4', '5', '6', '7', '8', '9', 0xCB, 0xF4, 0x39, 0x26}));
}

TEST(BuildPayload, ChecksumSkipPastTheEndIsAnError) {
    PayloadSpec spec;
    spec.mode = PayloadMode::Hex;
    spec.text = "01 02";
    spec.checksum = ChecksumSpec{ChecksumKind::Xor8, ChecksumByteOrder::Conventional, 3};
    const ParseResult result = buildPayload(spec);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->position, spec.text.size());
    EXPECT_NE(result.error->reason.find("only 2"), std::string::npos) << result.error->reason;
    spec.checksum->start = 2;   // the checksum of nothing is fine
    EXPECT_EQ(buildPayload(spec).bytes, (Bytes{0x01, 0x02, 0x00}));
}

TEST(BuildPayload, GbkTextWithEscapes) {
    PayloadSpec spec;
    spec.text = "\xE4\xB8\xAD\xE6\x96\x87\\x00";   // 中文\x00
    spec.encoding = TextEncoding::Gbk;
    spec.line_ending = LineEnding::CrLf;
    EXPECT_EQ(buildPayload(spec).bytes, (Bytes{0xD6, 0xD0, 0xCE, 0xC4, 0x00, '\r', '\n'}));
    spec.escapes = false;
    spec.text = "\xE4\xB8\xAD\\";
    spec.line_ending = LineEnding::None;
    EXPECT_EQ(buildPayload(spec).bytes, (Bytes{0xD6, 0xD0, '\\'}));
}

TEST(BuildPayload, ErrorsPointIntoTheText) {
    PayloadSpec hex;
    hex.mode = PayloadMode::Hex;
    hex.text = "01 0G";
    hex.checksum = ChecksumSpec{ChecksumKind::Crc16Modbus};
    ASSERT_FALSE(buildPayload(hex).ok());
    EXPECT_EQ(buildPayload(hex).error->position, 4u);

    PayloadSpec text;
    text.text = "ok\\q";
    text.line_ending = LineEnding::CrLf;
    const ParseResult result = buildPayload(text);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->position, 2u);
    EXPECT_TRUE(result.bytes.empty());
}

TEST(PayloadMode, Names) {
    EXPECT_STREQ(toString(PayloadMode::Text), "text");
    EXPECT_STREQ(toString(PayloadMode::Hex), "hex");
    EXPECT_EQ(payloadModeFromString("HEX"), PayloadMode::Hex);
    EXPECT_EQ(payloadModeFromString("text"), PayloadMode::Text);
    EXPECT_EQ(payloadModeFromString("binary"), std::nullopt);
}

}  // namespace
}  // namespace sockscope
