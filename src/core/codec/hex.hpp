#pragma once
// Hex text <-> bytes. parseHex accepts what users paste from datasheets, C arrays, Wireshark and
// other tools; formatHex and hexDump are what the log view and the headless runner print.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/codec/parse_result.hpp"

namespace sockscope {

/// Parses hex bytes. Tokens are runs of hex digits, optionally prefixed by "0x"/"0X", separated by
/// any of: whitespace (space, tab, newline, CR), ',' ';' ':' '-', no-break space, ideographic
/// space (U+3000) or full-width comma (U+FF0C). A token holds one or more whole bytes ("48656c").
/// An odd number of digits in a token is an error at the unpaired digit (never padded); anything
/// else is an error at its offset. Empty or separator-only input gives no bytes and no error.
ParseResult parseHex(std::string_view text);

enum class HexStyle : std::uint8_t {
    SpacedUpper,    // "48 65 6C"   (send panel, log view)
    SpacedLower,    // "48 65 6c"
    CompactUpper,   // "48656C"
    CompactLower,   // "48656c"     (the headless jsonl format)
};

std::string formatHex(std::span<const std::uint8_t> bytes, HexStyle style = HexStyle::SpacedUpper);

/// Classic `hexdump -C` lines without the trailing offset line:
/// "00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |Hello world.|"
/// An extra space separates each group of 8 bytes; the last row is padded so the ASCII column
/// lines up; non-printable bytes show as '.'. Rows are joined by '\n' (none after the last).
/// bytes_per_row 0 means 16.
std::string hexDump(std::span<const std::uint8_t> bytes, std::size_t bytes_per_row = 16);

/// One row of hexDump: the row of `bytes` that starts at `offset` (a multiple of bytes_per_row),
/// appended to `out`. A view of a large message formats only the rows it shows.
void appendHexDumpRow(std::string& out, std::span<const std::uint8_t> bytes, std::size_t offset,
                      std::size_t bytes_per_row = 16);

}  // namespace sockscope
