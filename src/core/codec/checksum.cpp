#include "core/codec/checksum.hpp"

#include "core/codec/utf8.hpp"

namespace sockscope {
namespace {

using Table8 = std::array<std::uint8_t, 256>;
using Table16 = std::array<std::uint16_t, 256>;
using Table32 = std::array<std::uint32_t, 256>;

constexpr Table8 makeNormal8(std::uint8_t poly) {
    Table8 table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        auto crc = static_cast<std::uint8_t>(i);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x80) ? static_cast<std::uint8_t>((crc << 1) ^ poly) : static_cast<std::uint8_t>(crc << 1);
        table[i] = crc;
    }
    return table;
}

constexpr Table8 makeReflected8(std::uint8_t reflected_poly) {
    Table8 table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        auto crc = static_cast<std::uint8_t>(i);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) ? static_cast<std::uint8_t>((crc >> 1) ^ reflected_poly) : static_cast<std::uint8_t>(crc >> 1);
        table[i] = crc;
    }
    return table;
}

constexpr Table16 makeReflected16(std::uint16_t reflected_poly) {
    Table16 table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint16_t crc = static_cast<std::uint16_t>(i);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ reflected_poly)
                            : static_cast<std::uint16_t>(crc >> 1);
        table[i] = crc;
    }
    return table;
}

constexpr Table16 makeNormal16(std::uint16_t poly) {
    Table16 table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint16_t crc = static_cast<std::uint16_t>(i << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ poly)
                                 : static_cast<std::uint16_t>(crc << 1);
        table[i] = crc;
    }
    return table;
}

constexpr Table32 makeReflected32(std::uint32_t reflected_poly) {
    Table32 table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t crc = i;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ reflected_poly : crc >> 1;
        table[i] = crc;
    }
    return table;
}

constexpr Table8 kCrc8Table = makeNormal8(0x07);
constexpr Table8 kCrc8MaximTable = makeReflected8(0x8C);
constexpr Table16 kModbusTable = makeReflected16(0xA001);
constexpr Table16 kCcittTable = makeNormal16(0x1021);
constexpr Table32 kCrc32Table = makeReflected32(0xEDB88320u);

/// Init 0 and no final xor for both CRC-8s; with one table lookup per byte the normal and the
/// reflected form are the same loop.
std::uint8_t crc8(const Table8& table, std::span<const std::uint8_t> data) {
    std::uint8_t crc = 0;
    for (const std::uint8_t b : data) crc = table[crc ^ b];
    return crc;
}

std::uint16_t crc16Reflected(const Table16& table, std::uint16_t crc, std::span<const std::uint8_t> data) {
    for (const std::uint8_t b : data) crc = static_cast<std::uint16_t>((crc >> 8) ^ table[(crc ^ b) & 0xFF]);
    return crc;
}

std::uint16_t crc16Normal(const Table16& table, std::uint16_t crc, std::span<const std::uint8_t> data) {
    for (const std::uint8_t b : data)
        crc = static_cast<std::uint16_t>((crc << 8) ^ table[((crc >> 8) ^ b) & 0xFF]);
    return crc;
}

}  // namespace

bool checksumLowByteFirst(ChecksumKind kind, ChecksumByteOrder order) {
    if (order != ChecksumByteOrder::Conventional) return order == ChecksumByteOrder::LittleEndian;
    return kind == ChecksumKind::Crc16Modbus || kind == ChecksumKind::Crc32;
}

std::uint32_t checksumValue(ChecksumKind kind, std::span<const std::uint8_t> data) {
    switch (kind) {
    case ChecksumKind::Crc8: return crc8(kCrc8Table, data);
    case ChecksumKind::Crc8Maxim: return crc8(kCrc8MaximTable, data);
    case ChecksumKind::Crc16Modbus: return crc16Reflected(kModbusTable, 0xFFFF, data);
    case ChecksumKind::Crc16CcittFalse: return crc16Normal(kCcittTable, 0xFFFF, data);
    case ChecksumKind::Crc16Xmodem: return crc16Normal(kCcittTable, 0x0000, data);
    case ChecksumKind::Crc32: {
        std::uint32_t crc = 0xFFFFFFFFu;
        for (const std::uint8_t b : data) crc = (crc >> 8) ^ kCrc32Table[(crc ^ b) & 0xFF];
        return crc ^ 0xFFFFFFFFu;
    }
    case ChecksumKind::Sum8:
    case ChecksumKind::Lrc: {
        std::uint8_t sum = 0;
        for (const std::uint8_t b : data) sum = static_cast<std::uint8_t>(sum + b);
        return kind == ChecksumKind::Sum8 ? sum : static_cast<std::uint8_t>(-sum);
    }
    case ChecksumKind::Xor8: {
        std::uint8_t x = 0;
        for (const std::uint8_t b : data) x ^= b;
        return x;
    }
    }
    return 0;
}

std::size_t checksumWidth(ChecksumKind kind) {
    switch (kind) {
    case ChecksumKind::Crc16Modbus:
    case ChecksumKind::Crc16CcittFalse:
    case ChecksumKind::Crc16Xmodem: return 2;
    case ChecksumKind::Crc32: return 4;
    case ChecksumKind::Crc8:
    case ChecksumKind::Crc8Maxim:
    case ChecksumKind::Sum8:
    case ChecksumKind::Xor8:
    case ChecksumKind::Lrc: return 1;
    }
    return 1;
}

Bytes checksumBytes(ChecksumKind kind, std::span<const std::uint8_t> data, ChecksumByteOrder order) {
    const std::uint32_t value = checksumValue(kind, data);
    const std::size_t width = checksumWidth(kind);
    const bool low_first = checksumLowByteFirst(kind, order);
    Bytes out(width);
    for (std::size_t i = 0; i < width; ++i) {
        const std::size_t shift = 8 * (low_first ? i : width - 1 - i);
        out[i] = static_cast<std::uint8_t>(value >> shift);
    }
    return out;
}

const char* toString(ChecksumKind kind) {
    switch (kind) {
    case ChecksumKind::Crc8: return "crc8";
    case ChecksumKind::Crc8Maxim: return "crc8-maxim";
    case ChecksumKind::Crc16Modbus: return "crc16-modbus";
    case ChecksumKind::Crc16CcittFalse: return "crc16-ccitt-false";
    case ChecksumKind::Crc16Xmodem: return "crc16-xmodem";
    case ChecksumKind::Crc32: return "crc32";
    case ChecksumKind::Sum8: return "sum8";
    case ChecksumKind::Xor8: return "xor8";
    case ChecksumKind::Lrc: return "lrc";
    }
    return "crc16-modbus";
}

const char* displayName(ChecksumKind kind) {
    switch (kind) {
    case ChecksumKind::Crc8: return "CRC-8 (SMBUS)";
    case ChecksumKind::Crc8Maxim: return "CRC-8/MAXIM";
    case ChecksumKind::Crc16Modbus: return "CRC-16/MODBUS";
    case ChecksumKind::Crc16CcittFalse: return "CRC-16/CCITT-FALSE";
    case ChecksumKind::Crc16Xmodem: return "CRC-16/XMODEM";
    case ChecksumKind::Crc32: return "CRC-32";
    case ChecksumKind::Sum8: return "SUM8";
    case ChecksumKind::Xor8: return "XOR8";
    case ChecksumKind::Lrc: return "LRC (Modbus ASCII)";
    }
    return "";
}

namespace {
/// Lower case without '-', '_', '/', '.' and spaces: "CRC-16/MODBUS" and "crc16_modbus" both give
/// "crc16modbus", so names copied from a datasheet or a calculator match.
std::string squeezed(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '-' || c == '_' || c == '/' || c == '.' || c == ' ') continue;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}
}  // namespace

std::optional<ChecksumKind> checksumKindFromString(std::string_view text) {
    const std::string name = squeezed(text);
    for (const ChecksumKind kind : kChecksumKinds)
        if (name == squeezed(toString(kind))) return kind;
    if (name == "crc8smbus") return ChecksumKind::Crc8;
    if (name == "crc8dallas" || name == "crc8maximdow") return ChecksumKind::Crc8Maxim;
    return std::nullopt;
}

std::string checksumKindList() {
    std::string out;
    for (const ChecksumKind kind : kChecksumKinds) {
        if (!out.empty()) out += ", ";
        out += toString(kind);
    }
    return out;
}

const char* toString(ChecksumByteOrder order) {
    switch (order) {
    case ChecksumByteOrder::Conventional: return "conventional";
    case ChecksumByteOrder::BigEndian: return "big";
    case ChecksumByteOrder::LittleEndian: return "little";
    }
    return "conventional";
}

std::optional<ChecksumByteOrder> checksumByteOrderFromString(std::string_view text) {
    for (const auto order : {ChecksumByteOrder::Conventional, ChecksumByteOrder::BigEndian,
                             ChecksumByteOrder::LittleEndian})
        if (utf8::equalsIgnoreCase(text, toString(order))) return order;
    if (utf8::equalsIgnoreCase(text, "big-endian")) return ChecksumByteOrder::BigEndian;
    if (utf8::equalsIgnoreCase(text, "little-endian")) return ChecksumByteOrder::LittleEndian;
    if (utf8::equalsIgnoreCase(text, "default")) return ChecksumByteOrder::Conventional;
    if (utf8::equalsIgnoreCase(text, "be")) return ChecksumByteOrder::BigEndian;
    if (utf8::equalsIgnoreCase(text, "le")) return ChecksumByteOrder::LittleEndian;
    return std::nullopt;
}

}  // namespace sockscope
