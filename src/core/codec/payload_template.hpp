#pragma once
// What a send panel or a scripted reply describes, turned into the bytes to send:
// body (text with escapes, or hex) + optional checksum over the body + optional line ending.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/codec/checksum.hpp"
#include "core/codec/escape.hpp"
#include "core/codec/parse_result.hpp"
#include "core/codec/text_encoding.hpp"

namespace sockscope {

enum class PayloadMode : std::uint8_t { Text, Hex };
const char* toString(PayloadMode mode);   // "text", "hex"
std::optional<PayloadMode> payloadModeFromString(std::string_view text);   // case-insensitive

struct PayloadSpec {
    PayloadMode mode = PayloadMode::Text;             // = text         // how `text` is read: characters with escapes, or hex digits (parseHex)
    std::string text;                                  // = ""           // what the user typed
    TextEncoding encoding = TextEncoding::Utf8;        // = utf-8        // text mode: the bytes each character becomes (escapes stay raw bytes)
    bool escapes = true;                               // = true         // text mode: \r \n \t \0 \\ \" \xHH are escapes; false sends every '\' as is
    std::optional<ChecksumKind> checksum;              // = none         // appended after the body
    std::size_t checksum_skip = 0;                     // = 0            // leading body bytes left out of the checksum (e.g. a frame header AA 55)
    ChecksumByteOrder checksum_order = ChecksumByteOrder::Conventional;   // = conventional // byte order of the appended checksum
    LineEnding line_ending = LineEnding::None;         // = none         // appended last, after the checksum
};

/// The bytes to send. Errors point into spec.text (position = byte offset); a checksum_skip past
/// the end of the body is an error at the end of the text.
ParseResult buildPayload(const PayloadSpec& spec);

}  // namespace sockscope
