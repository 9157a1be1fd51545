#pragma once
// Backslash escapes: what users type in a text send box ("AT+RST\r\n") and how received bytes are
// shown as one line of text (the log's text view, the headless runner's "text" field).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/codec/parse_result.hpp"
#include "core/codec/text_encoding.hpp"

namespace sockscope {

/// Text as UTF-8 bytes with escapes: \r \n \t \0 (one zero byte) \\ \" \{ and \xHH (exactly two hex
/// digits, any case). Any other escape, a lone trailing '\' or a bad \x is an error at the '\'.
/// Literal text is copied byte for byte.
ParseResult parseEscapedText(std::string_view text);

/// The same, but literal runs are encoded with `encoding` (e.g. GBK) while escapes stay raw bytes:
/// "中\xFF" in GBK gives D6 D0 FF. An unencodable character is an error at its offset.
ParseResult parseEscapedText(std::string_view text, TextEncoding encoding);

enum class NonAscii : std::uint8_t {
    KeepUtf8,   // valid UTF-8 sequences are shown as text (Chinese shows as Chinese)
    Escape,     // every byte >= 0x80 becomes \xHH
};

/// One line of display text, always valid UTF-8: printable ASCII as is; \r \n \t \0 \\ named;
/// other control bytes, DEL, C1 controls and bytes not part of valid UTF-8 as \xHH (upper case).
/// parseEscapedText(escapeForDisplay(b)) == b for every byte string b.
std::string escapeForDisplay(std::span<const std::uint8_t> bytes, NonAscii non_ascii = NonAscii::KeepUtf8);

// Building blocks shared with decodeForDisplay.
/// Appends "\xHH".
void appendByteEscape(std::string& out, std::uint8_t byte);
/// Appends a decoded character the way escapeForDisplay shows it: controls (C0, DEL, C1) escaped
/// (\r \n \t \0 by name, others as \xHH of the code point), '\' doubled, the rest as UTF-8.
void appendCodePointForDisplay(std::string& out, char32_t code_point);

enum class LineEnding : std::uint8_t { None, Cr, Lf, CrLf };
inline constexpr std::array<LineEnding, 4> kLineEndings = {LineEnding::None, LineEnding::Cr,
                                                           LineEnding::Lf, LineEnding::CrLf};

void appendLineEnding(Bytes& bytes, LineEnding ending);
const char* toString(LineEnding ending);     // "none", "cr", "lf", "crlf"
std::optional<LineEnding> lineEndingFromString(std::string_view text);   // case-insensitive

}  // namespace sockscope
