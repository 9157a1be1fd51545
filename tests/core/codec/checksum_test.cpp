#include "core/codec/checksum.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }
const Bytes kCheck = bytesOf("123456789");   // the standard CRC check input

TEST(Checksum, StandardCheckValues) {
    // Check values of the CRC catalogue (reveng.sourceforge.io/crc-catalogue) for "123456789".
    EXPECT_EQ(checksumValue(ChecksumKind::Crc8, kCheck), 0xF4u);        // CRC-8/SMBUS
    EXPECT_EQ(checksumValue(ChecksumKind::Crc8Maxim, kCheck), 0xA1u);   // CRC-8/MAXIM-DOW
    EXPECT_EQ(checksumValue(ChecksumKind::Crc16Modbus, kCheck), 0x4B37u);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc16CcittFalse, kCheck), 0x29B1u);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc16Xmodem, kCheck), 0x31C3u);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc32, kCheck), 0xCBF43926u);
    EXPECT_EQ(checksumValue(ChecksumKind::Sum8, kCheck), 0xDDu);   // 0x1DD mod 256
    EXPECT_EQ(checksumValue(ChecksumKind::Xor8, kCheck), 0x31u);
    EXPECT_EQ(checksumValue(ChecksumKind::Lrc, kCheck), 0x23u);    // -0xDD mod 256
}

TEST(Checksum, ConventionalByteOrder) {
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc8, kCheck), (Bytes{0xF4}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc8Maxim, kCheck), (Bytes{0xA1}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc16Modbus, kCheck), (Bytes{0x37, 0x4B}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc16CcittFalse, kCheck), (Bytes{0x29, 0xB1}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc16Xmodem, kCheck), (Bytes{0x31, 0xC3}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc32, kCheck), (Bytes{0x26, 0x39, 0xF4, 0xCB}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Sum8, kCheck), (Bytes{0xDD}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Xor8, kCheck), (Bytes{0x31}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Lrc, kCheck), (Bytes{0x23}));
}

TEST(Checksum, ExplicitByteOrder) {
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc32, kCheck, ChecksumByteOrder::BigEndian),
              (Bytes{0xCB, 0xF4, 0x39, 0x26}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc16Modbus, kCheck, ChecksumByteOrder::BigEndian),
              (Bytes{0x4B, 0x37}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc16Xmodem, kCheck, ChecksumByteOrder::LittleEndian),
              (Bytes{0xC3, 0x31}));
    EXPECT_EQ(checksumBytes(ChecksumKind::Sum8, kCheck, ChecksumByteOrder::LittleEndian), (Bytes{0xDD}));
}

TEST(Checksum, RealModbusRtuFrames) {
    // Read 10 holding registers from address 0 of slave 1: 01 03 00 00 00 0A C5 CD
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc16Modbus, Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}),
              (Bytes{0xC5, 0xCD}));
    // Read 1 holding register: 01 03 00 00 00 01 84 0A
    EXPECT_EQ(checksumBytes(ChecksumKind::Crc16Modbus, Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x01}),
              (Bytes{0x84, 0x0A}));
    // A whole frame including its CRC has a residue of zero.
    EXPECT_EQ(checksumValue(ChecksumKind::Crc16Modbus, Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD}), 0u);
}

TEST(Checksum, ModbusAsciiLrc) {
    // ":010300000001FB\r\n" — LRC over the binary bytes 01 03 00 00 00 01 is FB.
    EXPECT_EQ(checksumBytes(ChecksumKind::Lrc, Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x01}), (Bytes{0xFB}));
    // The 8-bit sum of a message and its LRC is zero.
    Bytes frame{0xF7, 0x03, 0x13, 0x89, 0x00, 0x0A};
    frame.push_back(static_cast<std::uint8_t>(checksumValue(ChecksumKind::Lrc, frame)));
    EXPECT_EQ(checksumValue(ChecksumKind::Sum8, frame), 0u);
}

TEST(Checksum, EmptyInput) {
    EXPECT_EQ(checksumValue(ChecksumKind::Crc16Modbus, {}), 0xFFFFu);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc16CcittFalse, {}), 0xFFFFu);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc16Xmodem, {}), 0u);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc32, {}), 0u);
    EXPECT_EQ(checksumValue(ChecksumKind::Sum8, {}), 0u);
    EXPECT_EQ(checksumValue(ChecksumKind::Lrc, {}), 0u);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc8, {}), 0u);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc8Maxim, {}), 0u);
    for (ChecksumKind kind : kChecksumKinds)
        EXPECT_EQ(checksumBytes(kind, {}).size(), checksumWidth(kind)) << toString(kind);
}

TEST(Checksum, Crc32KnownStrings) {
    EXPECT_EQ(checksumValue(ChecksumKind::Crc32, bytesOf("The quick brown fox jumps over the lazy dog")),
              0x414FA339u);
    EXPECT_EQ(checksumValue(ChecksumKind::Crc32, bytesOf("a")), 0xE8B7BE43u);
}

TEST(Checksum, Names) {
    for (ChecksumKind kind : kChecksumKinds) {
        EXPECT_EQ(checksumKindFromString(toString(kind)), kind);
        EXPECT_STRNE(displayName(kind), "");
    }
    EXPECT_STREQ(toString(ChecksumKind::Crc16Modbus), "crc16-modbus");
    EXPECT_STREQ(toString(ChecksumKind::Crc16CcittFalse), "crc16-ccitt-false");
    EXPECT_EQ(checksumKindFromString("CRC32"), ChecksumKind::Crc32);
    EXPECT_EQ(checksumKindFromString("crc64"), std::nullopt);
    EXPECT_EQ(checksumKindFromString("crc8-smbus"), ChecksumKind::Crc8);
    EXPECT_EQ(checksumKindFromString("CRC8-DALLAS"), ChecksumKind::Crc8Maxim);
    EXPECT_EQ(checksumKindFromString("CRC-8/MAXIM-DOW"), ChecksumKind::Crc8Maxim);
    EXPECT_EQ(checksumKindFromString("CRC-16/MODBUS"), ChecksumKind::Crc16Modbus);
    EXPECT_EQ(checksumKindFromString("crc16_ccitt_false"), ChecksumKind::Crc16CcittFalse);
    EXPECT_EQ(checksumKindFromString("CRC-32"), ChecksumKind::Crc32);
    EXPECT_EQ(checksumKindFromString("crc-8"), ChecksumKind::Crc8);
    EXPECT_EQ(checksumKindFromString("crc16"), std::nullopt) << "ambiguous: which CRC-16?";
    EXPECT_EQ(checksumKindFromString(""), std::nullopt);
    EXPECT_EQ(checksumKindList(),
              "crc8, crc8-maxim, crc16-modbus, crc16-ccitt-false, crc16-xmodem, crc32, sum8, xor8, lrc");
    for (auto order : {ChecksumByteOrder::Conventional, ChecksumByteOrder::BigEndian, ChecksumByteOrder::LittleEndian})
        EXPECT_EQ(checksumByteOrderFromString(toString(order)), order);
    EXPECT_STREQ(toString(ChecksumByteOrder::LittleEndian), "little");
    EXPECT_EQ(checksumByteOrderFromString("Big-Endian"), ChecksumByteOrder::BigEndian);
    EXPECT_EQ(checksumByteOrderFromString("middle"), std::nullopt);
    EXPECT_EQ(checksumByteOrderFromString("LE"), ChecksumByteOrder::LittleEndian);
}

}  // namespace
}  // namespace sockscope
