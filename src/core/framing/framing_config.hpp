#pragma once
// How a connection's received bytes are cut into messages (docs/profile-format.md, "framing").
// Plain data: profiles serialize it, the engine builds a Framer from it per connection.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace sockscope {

enum class FramingType : std::uint8_t {
    Raw,         // one message per read (TCP) / per datagram (UDP): no framing
    Delimiter,   // a message ends with a byte sequence ("\r\n")
    Fixed,       // every message has the same length
    Length,      // a length field in a header gives the message's total length
    Idle,        // a message ends when nothing arrives for gap_ms (TCP only)
};
enum class FramingOnError : std::uint8_t {
    Resync,      // drop bytes until a frame can start again, say how many, go on
    Close,       // report the error and close the connection (FIN)
};
enum class ByteOrder : std::uint8_t { Big, Little };

/// Largest `max` (and fixed `length`) a profile may ask for: a partial frame is buffered whole.
constexpr std::size_t kMaxFrameLimit = 64u << 20;

struct FramingConfig {
    FramingType type = FramingType::Raw;
    // delimiter
    Bytes delimiter{'\n'};             // the bytes that end a message (1..64 of them)
    bool delimiter_is_text = true;     // saved as {"text": ...} (else {"hex": ...})
    bool keep = false;                 // keep the delimiter at the end of each message
    // fixed
    std::size_t length = 1;            // bytes per message
    // length field
    std::size_t offset = 0;            // where the field starts in the frame
    std::size_t size = 2;              // field width: 1, 2 or 4 bytes
    ByteOrder endian = ByteOrder::Big;
    std::int64_t adjust = 0;           // total frame length = field value + adjust
    // idle
    int gap_ms = 20;                   // silence that ends a message
    // delimiter, length, idle
    std::size_t max = 65536;           // largest frame in bytes (delimiter and header included)
    FramingOnError on_error = FramingOnError::Resync;

    bool operator==(const FramingConfig&) const = default;
};

/// The profile fields each framing type reads besides "type" ("delimiter", "keep", "length",
/// "offset", "size", "endian", "adjust", "gap_ms", "max", "on_error"): the loader, the saver
/// and the endpoint editor all read this one table.
std::vector<std::string_view> framingFields(FramingType type);
bool framingUses(FramingType type, std::string_view field);

const char* toString(FramingType type);           // "raw", "delimiter", "fixed", "length", "idle"
std::optional<FramingType> framingTypeFromString(const std::string& text);
const char* toString(FramingOnError policy);      // "resync", "close"
const char* toString(ByteOrder order);            // "big", "little"

}  // namespace sockscope
