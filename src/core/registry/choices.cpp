#include "core/registry/choices.hpp"

#include <array>
#include <stdexcept>

#include "core/codec/checksum.hpp"
#include "core/codec/escape.hpp"
#include "core/codec/payload_template.hpp"
#include "core/codec/text_encoding.hpp"
#include "core/endpoint_config.hpp"
#include "core/framing/framing_config.hpp"
#include "core/match/message_matcher.hpp"
#include "core/script/script.hpp"

namespace sockscope::registry {
namespace {

template <typename E>
constexpr int v(E value) { return static_cast<int>(value); }

// Rows in the order the messages name them (tests assert those messages word for word).
constexpr std::array<Choice, 9> kChecksumTypes{{
    {"crc8", "CRC-8 (SMBUS)", "CRC-8/SMBUS: poly 0x07, init 0.", v(ChecksumKind::Crc8)},
    {"crc8-maxim", "CRC-8/MAXIM", "CRC-8/MAXIM (Dallas 1-Wire).", v(ChecksumKind::Crc8Maxim)},
    {"crc16-modbus", "CRC-16/MODBUS", "Modbus RTU's CRC, low byte first.", v(ChecksumKind::Crc16Modbus)},
    {"crc16-ccitt-false", "CRC-16/CCITT-FALSE", "Poly 0x1021, init 0xFFFF, high byte first.",
     v(ChecksumKind::Crc16CcittFalse)},
    {"crc16-xmodem", "CRC-16/XMODEM", "Poly 0x1021, init 0, high byte first.", v(ChecksumKind::Crc16Xmodem)},
    {"crc32", "CRC-32", "IEEE 802.3 / zlib CRC-32, low byte first.", v(ChecksumKind::Crc32)},
    {"sum8", "SUM8", "The sum of the bytes mod 256.", v(ChecksumKind::Sum8)},
    {"xor8", "XOR8", "The xor of the bytes.", v(ChecksumKind::Xor8)},
    {"lrc", "LRC (Modbus ASCII)", "Modbus ASCII's LRC: the two's complement of the 8-bit sum.", v(ChecksumKind::Lrc)},
}};
constexpr std::array<Choice, 3> kChecksumOrders{{
    {"little", "Little endian", "Low byte first.", v(ChecksumByteOrder::LittleEndian)},
    {"big", "Big endian", "High byte first, as the value is written.", v(ChecksumByteOrder::BigEndian)},
    {"conventional", "Usual", "The algorithm's own: reflected CRCs low byte first, the others high byte first.",
     v(ChecksumByteOrder::Conventional)},
}};
constexpr std::array<Choice, 2> kChecksumPlacements{{
    {"end", "End", "Appended after the whole payload.", v(ChecksumPlacement::End)},
    {"range-end", "After the range", "Inserted right after the covered range, before the bytes left out.",
     v(ChecksumPlacement::RangeEnd)},
}};
constexpr std::array<Choice, 6> kEncodings{{
    {"utf-8", "utf-8", "", v(TextEncoding::Utf8)},
    {"ascii", "ascii", "7-bit; other bytes cannot be typed as text.", v(TextEncoding::Ascii)},
    {"latin-1", "latin-1", "ISO-8859-1: one byte per character.", v(TextEncoding::Latin1)},
    {"gbk", "gbk", "CP936 / GBK (decoded as GB18030).", v(TextEncoding::Gbk)},
    {"utf-16le", "utf-16le", "No byte order mark is added.", v(TextEncoding::Utf16Le)},
    {"utf-16be", "utf-16be", "No byte order mark is added.", v(TextEncoding::Utf16Be)},
}};
constexpr std::array<Choice, 4> kLineEndings{{
    {"none", "None", "Nothing is appended.", v(LineEnding::None)},
    {"cr", "CR", "\\r is appended.", v(LineEnding::Cr)},
    {"lf", "LF", "\\n is appended.", v(LineEnding::Lf)},
    {"crlf", "CRLF", "\\r\\n is appended.", v(LineEnding::CrLf)},
}};
constexpr std::array<Choice, 5> kFramingTypes{{
    {"raw", "Raw", "One message per read (TCP) or per datagram (UDP).", v(FramingType::Raw)},
    {"delimiter", "Delimiter", "A message ends with a byte sequence.", v(FramingType::Delimiter)},
    {"fixed", "Fixed length", "Every message has the same length.", v(FramingType::Fixed)},
    {"length", "Length field", "A header field gives the message's length.", v(FramingType::Length)},
    {"idle", "Idle gap", "A message ends after a silence.", v(FramingType::Idle)},
}};
constexpr std::array<Choice, 2> kFramingEndian{{
    {"big", "Big endian", "The length field's high byte first.", v(ByteOrder::Big)},
    {"little", "Little endian", "The length field's low byte first.", v(ByteOrder::Little)},
}};
constexpr std::array<Choice, 2> kFramingOnError{{
    {"resync", "Resynchronise", "Drop bytes until a frame can start again.", v(FramingOnError::Resync)},
    {"close", "Close", "Report the error and close the connection.", v(FramingOnError::Close)},
}};
constexpr std::array<Choice, 4> kMatchModes{{
    {"exact", "Exact", "The whole message.", v(MatchMode::Exact)},
    {"prefix", "Prefix", "The message starts with it.", v(MatchMode::Prefix)},
    {"contains", "Contains", "It occurs anywhere in the message.", v(MatchMode::Contains)},
    {"regex", "Regex", "A regular expression (text only).", v(MatchMode::Regex)},
}};
constexpr std::array<Choice, 3> kRuleCloses{{
    {"none", "Keep open", "The connection stays open.", v(RuleClose::None), true},
    {"fin", "graceful", "Close after the reply (FIN).", v(RuleClose::Fin)},
    {"rst", "reset", "Reset the connection (RST).", v(RuleClose::Rst)},
}};
constexpr std::array<Choice, 3> kScriptCloses{{
    {"fin", "Graceful (FIN)", "Close after what was queued.", v(ScriptCloseMode::Fin)},
    {"rst", "Reset (RST)", "Reset the connection.", v(ScriptCloseMode::Rst)},
    {"half-close", "Half-close", "Stop sending (FIN) and keep reading.", v(ScriptCloseMode::HalfClose)},
}};

constexpr std::array<ChoiceTable, 11> kTables{{
    {"checksum.type", kChecksumTypes},
    {"checksum.order", kChecksumOrders},
    {"checksum.at", kChecksumPlacements},
    {"encoding", kEncodings},
    {"line_ending", kLineEndings},
    {"framing.type", kFramingTypes},
    {"framing.endian", kFramingEndian},
    {"framing.on_error", kFramingOnError},
    {"match.mode", kMatchModes},
    {"rules.close", kRuleCloses},
    {"steps.close", kScriptCloses},
}};

std::vector<const Choice*> listed(const ChoiceTable& table) {
    std::vector<const Choice*> out;
    for (const Choice& c : table.items)
        if (!c.unlisted) out.push_back(&c);
    return out;
}

}  // namespace

std::span<const ChoiceTable> choiceTables() { return kTables; }

const ChoiceTable& choices(std::string_view key) {
    for (const ChoiceTable& t : kTables)
        if (t.key == key) return t;
    throw std::logic_error("no choice table " + std::string(key) + " in the registry");
}

const Choice* findChoice(const ChoiceTable& table, int value) {
    for (const Choice& c : table.items)
        if (c.value == value) return &c;
    return nullptr;
}

std::string choiceList(const ChoiceTable& table) {
    std::string out;
    for (const Choice* c : listed(table)) {
        if (!out.empty()) out += ", ";
        out += c->name;
    }
    return out;
}

std::string joinAlternatives(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
        out += items[i];
    }
    return out;
}

std::string quotedChoices(const ChoiceTable& table, bool with_display) {
    std::vector<std::string> items;
    for (const Choice* c : listed(table))
        items.push_back("\"" + std::string(c->name) + "\"" + (with_display ? " (" + std::string(c->display) + ")" : ""));
    return joinAlternatives(items);
}

}  // namespace sockscope::registry
