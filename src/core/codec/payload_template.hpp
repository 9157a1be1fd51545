#pragma once
// The one payload language (docs/profile-format.md, "Payloads"): what the send panel, saved
// commands, on-connect payloads, timers, replies and scripts send.
//   body      text with escapes in an encoding, or tolerant hex; either may hold templates
//             {{counter}} {{unixtime}} {{time}} {{random:N}} {{echo}} {{rx[a:b]}} {{N}}
//   checksum  over a byte range of the rendered body, appended or inserted, in a byte order
//   ending    a line ending appended last
// A spec is compiled ONCE (all parse errors found here, with their position in the text) and the
// compiled form is rendered per send with a RenderContext (cheap: literal bytes are copied, only
// the templates are formatted).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec/checksum.hpp"
#include "core/codec/escape.hpp"
#include "core/codec/parse_result.hpp"
#include "core/codec/text_encoding.hpp"

namespace sockscope {

enum class PayloadMode : std::uint8_t { Text, Hex };
const char* toString(PayloadMode mode);   // "text", "hex"
std::optional<PayloadMode> payloadModeFromString(std::string_view text);   // case-insensitive

/// Where the checksum goes.
enum class ChecksumPlacement : std::uint8_t {
    End,        // "end": appended after the whole body
    RangeEnd,   // "range-end": inserted right after the covered range, before the `end` bytes left out
};
const char* toString(ChecksumPlacement placement);   // "end", "range-end"
std::optional<ChecksumPlacement> checksumPlacementFromString(std::string_view text);

struct ChecksumSpec {
    ChecksumKind kind = ChecksumKind::Crc16Modbus;
    ChecksumByteOrder order = ChecksumByteOrder::Conventional;
    std::size_t start = 0;   // body bytes left out at the start (a header such as AA 55)
    std::size_t end = 0;     // body bytes left out at the end (a trailer such as 0D 0A or ETX)
    ChecksumPlacement at = ChecksumPlacement::End;
    bool operator==(const ChecksumSpec&) const = default;
};

struct PayloadSpec {
    PayloadMode mode = PayloadMode::Text;        // how `text` is read: characters with escapes, or hex digits
    std::string text;                            // what the user typed
    TextEncoding encoding = TextEncoding::Utf8;  // text mode: the bytes each character becomes (escapes stay raw)
    bool escapes = true;                         // text mode: \r \n \t \0 \\ \" \{ \xHH; false sends '\' as is
    bool templates = true;                       // {{...}} are templates; false sends them as typed
    std::optional<ChecksumSpec> checksum;        // none by default
    LineEnding line_ending = LineEnding::None;   // appended last, after the checksum
    bool operator==(const PayloadSpec&) const = default;
};

/// A counter per source ("whoever sends" owns one): {{counter}} shows start + sends, and each
/// render with this counter counts one send, whether its payload shows the counter or not (a
/// sender's sends: the channel's, a script run's, the send panel's). Reset by assigning {}.
struct CounterState {
    std::uint64_t sends = 0;
};

/// Everything a render may read. Only what the payload uses needs to be set.
struct RenderContext {
    CounterState* counter = nullptr;               // null: {{counter}} shows its start and counts nothing
    TimestampUs now_us = 0;                        // 0: read the wall clock (once per render)
    bool utc = false;                              // {{time}} in UTC instead of local time
    std::span<const std::uint8_t> rx;              // the message being answered ({{echo}}, {{rx[a:b]}})
    std::span<const std::span<const std::uint8_t>> captures;   // {{0}} whole match, {{1}} first group...
    std::uint64_t random_state = 0;                // 0: seeded on first use; then advanced per byte
};

/// One template or literal run of a compiled payload (see payload_template.cpp).
struct PayloadSegment;

class CompiledPayload {
public:
    CompiledPayload();
    ~CompiledPayload();
    CompiledPayload(const CompiledPayload&);
    CompiledPayload& operator=(const CompiledPayload&);
    CompiledPayload(CompiledPayload&&) noexcept;
    CompiledPayload& operator=(CompiledPayload&&) noexcept;

    /// No templates: every render gives the same bytes (staticBytes()).
    bool isStatic() const { return m_isStatic; }
    const Bytes& staticBytes() const { return m_static; }
    bool usesCounter() const { return m_usesCounter; }
    /// Uses {{echo}} or {{rx[...]}}: only meaningful when answering a message (a reply).
    bool usesRx() const { return m_usesRx; }
    /// The highest capture number used ({{2}} -> 2), or -1 when none.
    int maxCapture() const { return m_maxCapture; }
    /// The bytes before the checksum are at least this long (templates of known size counted).
    std::size_t minBodySize() const { return m_minBody; }

private:
    friend struct PayloadCompiler;
    friend void renderPayloadInto(const CompiledPayload&, RenderContext&, Bytes&);
    std::vector<PayloadSegment> m_segments;   // empty when static
    bool m_isStatic = false;
    Bytes m_static;                           // static: the final bytes; otherwise unused
    TextEncoding m_encoding = TextEncoding::Utf8;
    PayloadMode m_mode = PayloadMode::Text;
    std::optional<ChecksumSpec> m_checksum;
    LineEnding m_ending = LineEnding::None;
    bool m_usesCounter = false;
    bool m_usesRx = false;
    int m_maxCapture = -1;
    std::size_t m_minBody = 0;
};

struct PayloadCompileResult {
    std::optional<CompiledPayload> payload;   // set on success
    std::optional<ParseError> error;          // position = byte offset in spec.text
    bool ok() const { return payload.has_value(); }
};

/// Parses the body and its templates once. Errors: bad hex or escapes (as parseHex /
/// parseEscapedText report them), an unknown, malformed or unclosed template (at its "{{"), a
/// character the encoding cannot send, a checksum range longer than a fixed-size body.
[[nodiscard]] PayloadCompileResult compilePayload(const PayloadSpec& spec);

/// The bytes to send now. Never fails: rx slices clamp to the message, a missing rx or capture
/// renders as nothing, and a checksum range the body is too short for covers nothing (only
/// possible with variable-size templates; compilePayload refuses it for fixed-size bodies).
[[nodiscard]] Bytes renderPayload(const CompiledPayload& payload, RenderContext& context);
/// The same into `out` (cleared first), so a 1 ms timer can reuse one buffer.
void renderPayloadInto(const CompiledPayload& payload, RenderContext& context, Bytes& out);

/// compilePayload + renderPayload with a default context (counter at its start, the wall clock):
/// the bytes to send, or the compile error.
ParseResult buildPayload(const PayloadSpec& spec);

/// Largest N of {{random:N}}.
inline constexpr std::size_t kMaxRandomBytes = 65536;

}  // namespace sockscope
