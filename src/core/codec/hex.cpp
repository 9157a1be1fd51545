#include "core/codec/hex.hpp"

#include <cstdio>

#include "core/codec/utf8.hpp"

namespace sockscope {
namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Length in bytes of the separator at text[i], 0 when there is none.
std::size_t separatorLength(std::string_view text, std::size_t i) {
    switch (text[i]) {
    case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
    case ',': case ';': case ':': case '-':
        return 1;
    default: break;
    }
    // Pasted from web pages and Chinese input methods.
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("\xC2\xA0")) return 2;       // U+00A0 no-break space
    if (rest.starts_with("\xE3\x80\x80")) return 3;   // U+3000 ideographic space
    if (rest.starts_with("\xEF\xBC\x8C")) return 3;   // U+FF0C full-width comma
    return 0;
}

std::string notHexDigit(std::string_view text, std::size_t pos) {
    std::string reason = utf8::describeCharAt(text, pos) + " is not a hex digit";
    if (text[pos] == '\\') reason += " (\\x escapes belong in text mode; in hex mode write just the digits)";
    else reason += " (hex digits are 0-9 and A-F)";
    return reason;
}

std::string oddDigits(std::string_view digits) {
    const char last = digits.back();
    if (digits.size() == 1)
        return std::string("odd number of hex digits: '") + last + "' needs a second digit (write '0" +
               last + "' for one byte)";
    std::string reason = "odd number of hex digits";
    if (digits.size() <= 16) reason += " in '" + std::string(digits) + "'";
    else reason += " in a run of " + std::to_string(digits.size()) + " digits";
    return reason + ": the last '" + last + "' needs a second digit";
}

const char* hexDigits(bool upper) { return upper ? "0123456789ABCDEF" : "0123456789abcdef"; }

}  // namespace

ParseResult parseHex(std::string_view text) {
    ParseResult result;
    result.bytes.reserve(text.size() / 2);
    std::size_t i = 0;
    while (i < text.size()) {
        if (const std::size_t sep = separatorLength(text, i)) {
            i += sep;
            continue;
        }
        const std::size_t token_start = i;
        if (text[i] == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            i += 2;
            if (i == text.size() || separatorLength(text, i) != 0)
                return parseFailure(token_start, "'" + std::string(text.substr(token_start, 2)) +
                                                     "' must be followed by hex digits");
        }
        const std::size_t digits_start = i;
        while (i < text.size() && separatorLength(text, i) == 0) {
            if (hexValue(text[i]) < 0) return parseFailure(i, notHexDigit(text, i));
            ++i;
        }
        const std::size_t count = i - digits_start;
        if (count % 2 != 0) return parseFailure(i - 1, oddDigits(text.substr(digits_start, count)));
        for (std::size_t k = digits_start; k < i; k += 2)
            result.bytes.push_back(
                static_cast<std::uint8_t>(hexValue(text[k]) << 4 | hexValue(text[k + 1])));
    }
    return result;
}

std::string formatHex(std::span<const std::uint8_t> bytes, HexStyle style) {
    const bool spaced = style == HexStyle::SpacedUpper || style == HexStyle::SpacedLower;
    const char* digits = hexDigits(style == HexStyle::SpacedUpper || style == HexStyle::CompactUpper);
    std::string out;
    out.reserve(bytes.size() * (spaced ? 3 : 2));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (spaced && i != 0) out += ' ';
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0F];
    }
    return out;
}

void appendHexDumpRow(std::string& out, std::span<const std::uint8_t> bytes, std::size_t row_start,
                      std::size_t bytes_per_row) {
    if (bytes_per_row == 0) bytes_per_row = 16;
    const char* digits = hexDigits(false);
    char offset[24];
    std::snprintf(offset, sizeof offset, "%08zx  ", row_start);
    out += offset;
    for (std::size_t j = 0; j < bytes_per_row; ++j) {
        if (j != 0 && j % 8 == 0) out += ' ';
        if (row_start + j < bytes.size()) {
            const std::uint8_t b = bytes[row_start + j];
            out += digits[b >> 4];
            out += digits[b & 0x0F];
            out += ' ';
        } else {
            out += "   ";
        }
    }
    out += " |";
    for (std::size_t j = row_start; j < bytes.size() && j < row_start + bytes_per_row; ++j)
        out += (bytes[j] >= 0x20 && bytes[j] < 0x7F) ? static_cast<char>(bytes[j]) : '.';
    out += '|';
}

std::string hexDump(std::span<const std::uint8_t> bytes, std::size_t bytes_per_row) {
    if (bytes_per_row == 0) bytes_per_row = 16;
    std::string out;
    const std::size_t rows = (bytes.size() + bytes_per_row - 1) / bytes_per_row;
    out.reserve(rows * (12 + bytes_per_row * 4 + bytes_per_row / 8 + 4));
    for (std::size_t row_start = 0; row_start < bytes.size(); row_start += bytes_per_row) {
        if (row_start != 0) out += '\n';
        appendHexDumpRow(out, bytes, row_start, bytes_per_row);
    }
    return out;
}

}  // namespace sockscope
