#pragma once
// Character encodings for showing received bytes and for sending typed text. Display output is
// always valid UTF-8 (what ImGui and the jsonl output need); what cannot be decoded is shown as
// \xHH, one escape per bad byte, and decoding carries on after it.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/codec/parse_result.hpp"

namespace sockscope {

enum class TextEncoding : std::uint8_t {
    Utf8,
    Ascii,      // 7-bit; bytes >= 0x80 are shown escaped and cannot be sent from text
    Latin1,     // ISO-8859-1: byte = code point (0x80..0x9F are C1 controls, shown escaped)
    Gbk,        // CP936 / GBK; decoded as GB18030 (a superset), encoded as GBK
    Utf16Le,    // no BOM is added or removed
    Utf16Be,
};
inline constexpr std::array<TextEncoding, 6> kTextEncodings = {
    TextEncoding::Utf8, TextEncoding::Ascii, TextEncoding::Latin1,
    TextEncoding::Gbk, TextEncoding::Utf16Le, TextEncoding::Utf16Be};

/// Received bytes as one line of display text (valid UTF-8). Controls, '\' and undecodable bytes
/// are escaped as escapeForDisplay does; for Utf8 it is escapeForDisplay(bytes).
std::string decodeForDisplay(std::span<const std::uint8_t> bytes, TextEncoding encoding);

/// Length in bytes of the character at bytes[pos] in `encoding` (1 for a byte that starts no valid
/// character: it is shown as one escape). Never cuts a character that decodeForDisplay shows whole.
std::size_t charLengthAt(std::span<const std::uint8_t> bytes, std::size_t pos, TextEncoding encoding);

/// End of the display line that starts at `start`: after a line feed, or before the character that
/// would make the line longer than `max_bytes` (at least one character). Lets a view split a
/// message of any size into bounded lines and decode only the lines it shows.
std::size_t displayLineEnd(std::span<const std::uint8_t> bytes, std::size_t start, TextEncoding encoding,
                           std::size_t max_bytes);

/// UTF-8 text -> bytes in `encoding` (no escapes processed; see parseEscapedText for that).
/// Invalid UTF-8 input, or a character the encoding has no bytes for, is an error at its offset.
ParseResult encodeForSend(std::string_view utf8, TextEncoding encoding);

const char* toString(TextEncoding encoding);   // "utf-8", "ascii", "latin-1", "gbk", "utf-16le", "utf-16be"
/// Case-insensitive; also accepts "utf8", "latin1", "iso-8859-1", "gb2312", "cp936", "utf16le", "utf16be".
std::optional<TextEncoding> textEncodingFromString(std::string_view text);

}  // namespace sockscope
