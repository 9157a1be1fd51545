#pragma once
// Small UTF-8 building blocks shared by the codec: strict decoding (shortest form, no surrogates,
// nothing above U+10FFFF), encoding, and naming a character in an error message.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sockscope::utf8 {

struct Decoded {
    char32_t code_point = 0;
    std::size_t length = 0;     // bytes used, 1..4
};

/// The character at the start of `data`, or nullopt when the bytes there are not a complete,
/// valid, shortest-form UTF-8 sequence (or `data` is empty).
std::optional<Decoded> decode(std::span<const std::uint8_t> data);
std::optional<Decoded> decode(std::string_view text);

/// Appends the UTF-8 form of a Unicode scalar value (callers never pass surrogates).
void append(std::string& out, char32_t code_point);

/// Offset of the first byte that does not start a valid sequence, or nullopt if all is valid.
std::optional<std::size_t> firstInvalid(std::string_view text);

/// At most `max_chars` characters from the start of `text`, never cut inside one (a byte that is
/// not valid UTF-8 counts as one character).
std::string_view prefix(std::string_view text, std::size_t max_chars);

/// ASCII case-insensitive equality, for enum names read from profiles and the command line.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

/// Names the character at text[pos] for an error message: "'G'", "'中'", "a tab", "byte 0xFF".
std::string describeCharAt(std::string_view text, std::size_t pos);

}  // namespace sockscope::utf8
