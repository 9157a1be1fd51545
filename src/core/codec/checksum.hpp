#pragma once
// Checksums engineers append to device frames, with the byte order each is conventionally sent in.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace sockscope {

enum class ChecksumKind : std::uint8_t {
    Crc8,             // CRC-8/SMBUS: poly 0x07, init 0x00, not reflected (the plain "CRC-8")
    Crc8Maxim,        // CRC-8/MAXIM (Dallas 1-Wire): poly 0x31 reflected (0x8C), init 0x00
    Crc16Modbus,      // poly 0x8005 reflected (0xA001), init 0xFFFF; sent low byte first
    Crc16CcittFalse,  // poly 0x1021, init 0xFFFF, not reflected; sent high byte first
    Crc16Xmodem,      // poly 0x1021, init 0x0000, not reflected; sent high byte first
    Crc32,            // IEEE 802.3 / zlib, reflected, init and xorout 0xFFFFFFFF; sent low byte first
    Sum8,             // sum of the bytes mod 256
    Xor8,             // xor of the bytes
    Lrc,              // Modbus ASCII LRC: two's complement of the 8-bit sum
};
inline constexpr std::array<ChecksumKind, 9> kChecksumKinds = {
    ChecksumKind::Crc8, ChecksumKind::Crc8Maxim, ChecksumKind::Crc16Modbus, ChecksumKind::Crc16CcittFalse, ChecksumKind::Crc16Xmodem,
    ChecksumKind::Crc32, ChecksumKind::Sum8, ChecksumKind::Xor8, ChecksumKind::Lrc};

enum class ChecksumByteOrder : std::uint8_t {
    Conventional,   // reflected CRCs (MODBUS, CRC-32) low byte first, the others high byte first
    BigEndian,      // high byte first, as the value is written: 0x4B37 -> 4B 37
    LittleEndian,   // low byte first: 0x4B37 -> 37 4B
};

/// The checksum as a number (e.g. 0x4B37 for CRC-16/MODBUS of "123456789").
std::uint32_t checksumValue(ChecksumKind kind, std::span<const std::uint8_t> data);
/// Size in bytes: 1 for the CRC-8s and 8-bit sums, 2 for the CRC-16s, 4 for CRC-32.
std::size_t checksumWidth(ChecksumKind kind);
/// The bytes to append to a frame: 01 03 00 00 00 0A + CRC-16/MODBUS -> C5 CD.
Bytes checksumBytes(ChecksumKind kind, std::span<const std::uint8_t> data,
                    ChecksumByteOrder order = ChecksumByteOrder::Conventional);

/// Whether `order` puts the low byte first for `kind` (Conventional: the reflected CRCs do).
bool checksumLowByteFirst(ChecksumKind kind, ChecksumByteOrder order);

const char* toString(ChecksumKind kind);   // "crc8", "crc8-maxim", "crc16-modbus", "crc16-ccitt-false",
                                           // "crc16-xmodem", "crc32", "sum8", "xor8", "lrc"
const char* displayName(ChecksumKind kind);   // "CRC-16/MODBUS", ... (for menus)
/// Case-insensitive and blind to '-', '_', '/', '.' and spaces ("CRC-16/MODBUS", "crc16_modbus");
/// also accepts "crc8-smbus" (= crc8), "crc8-dallas" and "crc8-maxim-dow" (= crc8-maxim).
std::optional<ChecksumKind> checksumKindFromString(std::string_view text);
/// "crc8, crc8-maxim, crc16-modbus, ..." for error messages.
std::string checksumKindList();
const char* toString(ChecksumByteOrder order);   // "conventional", "big", "little"
/// Case-insensitive; also accepts "big-endian", "little-endian", "be", "le", "default".
std::optional<ChecksumByteOrder> checksumByteOrderFromString(std::string_view text);

}  // namespace sockscope
