#include "core/codec/utf8.hpp"

#include <cstdio>

namespace sockscope::utf8 {

std::optional<Decoded> decode(std::span<const std::uint8_t> data) {
    if (data.empty()) return std::nullopt;
    const std::uint8_t b0 = data[0];
    if (b0 < 0x80) return Decoded{b0, 1};
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) { length = 2; cp = b0 & 0x1F; min = 0x80; }
    else if (b0 >= 0xE0 && b0 <= 0xEF) { length = 3; cp = b0 & 0x0F; min = 0x800; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { length = 4; cp = b0 & 0x07; min = 0x10000; }
    else return std::nullopt;   // continuation byte, 0xC0/0xC1 (always overlong) or 0xF5..0xFF
    if (data.size() < length) return std::nullopt;
    for (std::size_t i = 1; i < length; ++i) {
        if ((data[i] & 0xC0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (data[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    return Decoded{cp, length};
}

std::optional<Decoded> decode(std::string_view text) {
    return decode(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<std::size_t> firstInvalid(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto decoded = decode(text.substr(i));
        if (!decoded) return i;
        i += decoded->length;
    }
    return std::nullopt;
}

std::string_view prefix(std::string_view text, std::size_t max_chars) {
    std::size_t at = 0;
    for (std::size_t n = 0; n < max_chars && at < text.size(); ++n) {
        const auto ch = decode(text.substr(at));
        at += ch ? ch->length : 1;
    }
    return text.substr(0, at);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string describeCharAt(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) return "the end of the text";
    const auto c = static_cast<unsigned char>(text[pos]);
    switch (c) {
    case ' ': return "a space";
    case '\t': return "a tab";
    case '\n': return "a line break";
    case '\r': return "a carriage return";
    default: break;
    }
    char buf[16];
    if (c < 0x20 || c == 0x7F) {
        std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
        return buf;
    }
    if (c < 0x80) return std::string("'") + static_cast<char>(c) + "'";
    const auto decoded = decode(text.substr(pos));
    if (!decoded) {
        std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
        return buf;
    }
    std::snprintf(buf, sizeof buf, " (U+%04X)", static_cast<unsigned>(decoded->code_point));
    return "'" + std::string(text.substr(pos, decoded->length)) + "'" + buf;
}

}  // namespace sockscope::utf8
