#pragma once
// Does a framed message match? One spec language for auto-reply rules and script expectations
// (docs/profile-format.md, "Matching messages"):
//   { "text": "PING", "mode": "prefix" }        exact | prefix | contains | regex (default exact)
//   { "hex": "01 03 ?? ?? 00 01" }              tolerant hex, ?? = any byte; exact | prefix | contains
//   { "any": true }                             every message
// A spec is compiled once (every error found then, with its position in the text) and matched per
// message without allocating. Regular expressions run on PCRE2 (never std::regex, whose recursion
// overflows the stack on a long message from a peer): JIT where the platform has it, with match,
// depth and heap limits so that a pathological pattern gives up with a reported error instead of
// hanging the I/O thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/codec/parse_result.hpp"
#include "core/codec/text_encoding.hpp"

namespace sockscope {

enum class MatchBody : std::uint8_t { Any, Text, Hex };
enum class MatchMode : std::uint8_t { Exact, Prefix, Contains, Regex };
const char* toString(MatchMode mode);   // "exact", "prefix", "contains", "regex"
std::optional<MatchMode> matchModeFromString(std::string_view text);   // case-insensitive

struct MatchSpec {
    MatchBody body = MatchBody::Any;
    MatchMode mode = MatchMode::Exact;
    std::string text;                             // text / regex pattern, or hex with ?? wildcards
    TextEncoding encoding = TextEncoding::Utf8;   // text: the bytes the characters must be
    bool escapes = true;                          // text (not regex): \r \n \xHH ... as in payloads
    bool ignore_case = false;                     // text: ASCII letters match either case
    bool operator==(const MatchSpec&) const = default;
};

/// Byte ranges of a match inside the message: [0] the whole match, [1..] the regex groups (hex:
/// each run of ?? wildcards, in order). A group that took no part is empty. They point into the
/// matched message: valid as long as it is. This is RenderContext::captures for reply templates.
using MatchCaptures = std::vector<std::span<const std::uint8_t>>;

enum class MatchOutcome : std::uint8_t {
    NoMatch,
    Match,
    Failed,   // a regex gave up (match/depth/heap limit): treated as no match, error() says why
};

class MessageMatcher {
public:
    MessageMatcher();
    ~MessageMatcher();
    MessageMatcher(MessageMatcher&&) noexcept;
    MessageMatcher& operator=(MessageMatcher&&) noexcept;
    /// A copy shares the compiled regex (read-only) and has its own match data.
    MessageMatcher(const MessageMatcher& other);
    MessageMatcher& operator=(const MessageMatcher& other);

    /// Not thread-safe (match data is reused): one matcher per thread.
    [[nodiscard]] MatchOutcome match(std::span<const std::uint8_t> message, MatchCaptures* captures = nullptr);
    /// Why the last match() returned Failed, in plain words.
    const std::string& error() const { return m_error; }
    const MatchSpec& spec() const { return m_spec; }
    /// How many capture groups match() fills after the whole match ({{1}}..{{N}}).
    std::size_t groupCount() const { return m_groups; }

private:
    friend struct MatcherCompiler;
    struct Regex;
    MatchOutcome matchRegex(std::span<const std::uint8_t> message, MatchCaptures* captures);
    bool matchAt(const std::uint8_t* data) const;
    void fillHexCaptures(std::span<const std::uint8_t> message, std::size_t at, MatchCaptures* captures) const;

    MatchSpec m_spec;
    std::vector<std::uint8_t> m_bytes;   // text/hex: the literal bytes
    std::vector<std::uint8_t> m_mask;    // hex: 0xFF where a byte must equal, 0 for ??; empty = none
    /// ignore_case: 1 where the pattern has an ASCII character (folded), 0 inside a multi-byte
    /// GBK or UTF-16 character (compared as it is); empty = every byte (utf-8, latin-1, hex).
    std::vector<std::uint8_t> m_fold;
    std::vector<std::pair<std::size_t, std::size_t>> m_runs;   // hex: [begin, end) of each ?? run
    std::size_t m_groups = 0;
    std::shared_ptr<const Regex> m_regex;
    struct MatchData;
    std::unique_ptr<MatchData> m_data;   // regex: PCRE2 match data, per matcher
    std::string m_error;
};

struct MatcherCompileResult {
    std::optional<MessageMatcher> matcher;   // set on success
    std::optional<ParseError> error;         // position: byte offset in spec.text
    bool ok() const { return matcher.has_value(); }
};

/// Compiles a spec. Errors: bad hex (as parseHex says) or a lone '?', bad escapes, characters the
/// encoding cannot hold, a regex PCRE2 refuses (with its reason), regex mode on hex, a regex in a
/// 16-bit encoding.
[[nodiscard]] MatcherCompileResult compileMatcher(const MatchSpec& spec);

/// Limits every regex match runs under (exposed for tests and docs).
inline constexpr std::uint32_t kRegexMatchLimit = 1'000'000;   // backtracking steps
inline constexpr std::uint32_t kRegexDepthLimit = 10'000;      // nested backtracking frames
inline constexpr std::uint32_t kRegexHeapLimitKiB = 16 * 1024; // backtracking memory
inline constexpr std::size_t kMaxPatternLength = 64 * 1024;

/// One line describing the spec for a list: `prefix "PING"`, `hex 01 03 ?? ??`, `any`.
std::string describeMatch(const MatchSpec& spec);
/// A step's text as descriptions show it: as typed, at most 60 bytes, cut between characters.
std::string shownText(const std::string& text);

}  // namespace sockscope
