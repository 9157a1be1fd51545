#include "core/match/message_matcher.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstring>

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"

namespace sockscope {
namespace {

std::uint8_t lowerAscii(std::uint8_t b) { return b >= 'A' && b <= 'Z' ? static_cast<std::uint8_t>(b + 32) : b; }

/// Bytes of the character that begins at `p` (`left` bytes remain) where a letter's byte value
/// also occurs inside other characters: GBK (GB18030's four-byte form too) and UTF-16 (a unit).
/// 1 for the single-byte encodings (UTF-8's letters never occur inside a sequence).
std::size_t charLength(TextEncoding encoding, const std::uint8_t* p, std::size_t left) {
    switch (encoding) {
        case TextEncoding::Gbk:
            if (p[0] < 0x80 || left < 2) return 1;
            return left >= 4 && p[1] >= 0x30 && p[1] <= 0x39 ? 4 : 2;
        case TextEncoding::Utf16Le:
        case TextEncoding::Utf16Be: return left >= 2 ? 2 : 1;
        default: return 1;
    }
}

bool multiByteText(const MatchSpec& spec) {
    return spec.body == MatchBody::Text &&
           (spec.encoding == TextEncoding::Gbk || spec.encoding == TextEncoding::Utf16Le ||
            spec.encoding == TextEncoding::Utf16Be);
}

/// Which bytes of `bytes` (text in `encoding`) are ASCII characters, the only ones case folds.
std::vector<std::uint8_t> asciiPositions(const std::vector<std::uint8_t>& bytes, TextEncoding encoding) {
    std::vector<std::uint8_t> fold(bytes.size(), 0);
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t n = charLength(encoding, bytes.data() + i, bytes.size() - i);
        if (encoding == TextEncoding::Gbk) fold[i] = n == 1;
        else if (encoding == TextEncoding::Utf16Le && n == 2) fold[i] = bytes[i + 1] == 0;
        else if (encoding == TextEncoding::Utf16Be && n == 2) fold[i + 1] = bytes[i] == 0;
        i += n;
    }
    return fold;
}

std::string pcre2Message(int code) {
    PCRE2_UCHAR buffer[256];
    if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0) return "PCRE2 error " + std::to_string(code);
    return reinterpret_cast<const char*>(buffer);
}

bool equalsNoCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lowerAscii(static_cast<std::uint8_t>(x)) == lowerAscii(static_cast<std::uint8_t>(y));
           });
}

}  // namespace

const char* toString(MatchMode mode) {
    switch (mode) {
        case MatchMode::Exact: return "exact";
        case MatchMode::Prefix: return "prefix";
        case MatchMode::Contains: return "contains";
        case MatchMode::Regex: return "regex";
    }
    return "exact";
}

std::optional<MatchMode> matchModeFromString(std::string_view text) {
    for (MatchMode m : {MatchMode::Exact, MatchMode::Prefix, MatchMode::Contains, MatchMode::Regex})
        if (equalsNoCase(text, toString(m))) return m;
    return std::nullopt;
}

/// The compiled pattern: immutable after compile, shared by copies of a matcher.
struct MessageMatcher::Regex {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Regex() { pcre2_code_free(code); }
};

/// What one matcher needs per match: the match data (ovector), the limits, the JIT stack.
struct MessageMatcher::MatchData {
    pcre2_match_data* data = nullptr;
    pcre2_match_context* context = nullptr;
    pcre2_jit_stack* stack = nullptr;

    explicit MatchData(const pcre2_code* code) {
        data = pcre2_match_data_create_from_pattern(code, nullptr);
        context = pcre2_match_context_create(nullptr);
        if (context) {
            pcre2_set_match_limit(context, kRegexMatchLimit);
            pcre2_set_depth_limit(context, kRegexDepthLimit);
            pcre2_set_heap_limit(context, kRegexHeapLimitKiB);
            // JIT code runs on its own stack (a JIT_STACKLIMIT error when exhausted, never a crash).
            stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
            if (stack) pcre2_jit_stack_assign(context, nullptr, stack);
        }
    }
    ~MatchData() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
        if (stack) pcre2_jit_stack_free(stack);
    }
    MatchData(const MatchData&) = delete;
    MatchData& operator=(const MatchData&) = delete;
};

MessageMatcher::MessageMatcher() = default;
MessageMatcher::~MessageMatcher() = default;
MessageMatcher::MessageMatcher(MessageMatcher&&) noexcept = default;
MessageMatcher& MessageMatcher::operator=(MessageMatcher&&) noexcept = default;

MessageMatcher::MessageMatcher(const MessageMatcher& other)
    : m_spec(other.m_spec), m_bytes(other.m_bytes), m_mask(other.m_mask), m_runs(other.m_runs),
      m_groups(other.m_groups), m_regex(other.m_regex) {
    if (m_regex) m_data = std::make_unique<MatchData>(m_regex->code);
}

MessageMatcher& MessageMatcher::operator=(const MessageMatcher& other) {
    if (this != &other) *this = MessageMatcher(other);
    return *this;
}

bool MessageMatcher::matchAt(const std::uint8_t* data) const {
    const std::size_t n = m_bytes.size();
    const bool masked = !m_mask.empty();
    const bool fold = m_spec.ignore_case;
    if (!masked && !fold) return n == 0 || std::memcmp(data, m_bytes.data(), n) == 0;
    const bool every = m_fold.empty();
    for (std::size_t i = 0; i < n; ++i) {
        if (masked && m_mask[i] == 0) continue;
        const bool folds = fold && (every || m_fold[i] != 0);
        if ((folds ? lowerAscii(data[i]) : data[i]) != m_bytes[i]) return false;
    }
    return true;
}

void MessageMatcher::fillHexCaptures(std::span<const std::uint8_t> message, std::size_t at,
                                     MatchCaptures* captures) const {
    if (!captures) return;
    captures->clear();
    captures->push_back(message.subspan(at, m_bytes.size()));
    for (const auto& [begin, end] : m_runs) captures->push_back(message.subspan(at + begin, end - begin));
}

MatchOutcome MessageMatcher::match(std::span<const std::uint8_t> message, MatchCaptures* captures) {
    m_error.clear();
    const std::size_t n = m_bytes.size();
    switch (m_spec.body == MatchBody::Any ? MatchMode::Exact : m_spec.mode) {
        case MatchMode::Regex: return matchRegex(message, captures);
        case MatchMode::Exact:
            if (m_spec.body == MatchBody::Any) {
                if (captures) captures->assign(1, message);
                return MatchOutcome::Match;
            }
            if (message.size() != n || !matchAt(message.data())) return MatchOutcome::NoMatch;
            fillHexCaptures(message, 0, captures);
            return MatchOutcome::Match;
        case MatchMode::Prefix:
            if (message.size() < n || !matchAt(message.data())) return MatchOutcome::NoMatch;
            fillHexCaptures(message, 0, captures);
            return MatchOutcome::Match;
        case MatchMode::Contains: {
            if (message.size() < n) return MatchOutcome::NoMatch;
            const std::uint8_t* data = message.data();
            const std::size_t last = message.size() - n;
            if (multiByteText(m_spec)) {   // a match begins where a character begins
                for (std::size_t at = 0; at <= last; at += charLength(m_spec.encoding, data + at, message.size() - at))
                    if (matchAt(data + at)) {
                        fillHexCaptures(message, at, captures);
                        return MatchOutcome::Match;
                    }
                return MatchOutcome::NoMatch;
            }
            // A fixed first byte: jump between its occurrences with memchr.
            const bool jump = n > 0 && (m_mask.empty() || m_mask[0] != 0) && !m_spec.ignore_case;
            for (std::size_t at = 0; at <= last; ++at) {
                if (jump) {
                    const void* hit = std::memchr(data + at, m_bytes[0], last - at + 1);
                    if (!hit) return MatchOutcome::NoMatch;
                    at = static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - data);
                }
                if (matchAt(data + at)) {
                    fillHexCaptures(message, at, captures);
                    return MatchOutcome::Match;
                }
            }
            return MatchOutcome::NoMatch;
        }
    }
    return MatchOutcome::NoMatch;
}

MatchOutcome MessageMatcher::matchRegex(std::span<const std::uint8_t> message, MatchCaptures* captures) {
    if (!m_regex || !m_data || !m_data->data || !m_data->context) {
        m_error = "the regular expression could not be prepared (out of memory)";
        return MatchOutcome::Failed;
    }
    static const std::uint8_t kEmpty = 0;   // PCRE2 wants a valid pointer even for length 0
    const PCRE2_SPTR subject = message.empty() ? &kEmpty : message.data();
    // JIT code: the direct entry skips the interpreter's checks (a peer's bytes need no UTF check:
    // PCRE2_MATCH_INVALID_UTF makes invalid sequences simply not match).
    const int rc = m_regex->jit ? pcre2_jit_match(m_regex->code, subject, message.size(), 0, 0, m_data->data, m_data->context)
                                : pcre2_match(m_regex->code, subject, message.size(), 0, 0, m_data->data, m_data->context);
    if (rc == PCRE2_ERROR_NOMATCH) return MatchOutcome::NoMatch;
    if (rc < 0) {
        m_error = "regex /" + m_spec.text.substr(0, 80) + "/ gave up on a message of " +
                  std::to_string(message.size()) + " bytes: " + pcre2Message(rc) +
                  " (treated as no match; simplify the pattern, e.g. avoid nested repeats)";
        return MatchOutcome::Failed;
    }
    if (captures) {
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(m_data->data);
        captures->clear();
        for (std::size_t group = 0; group <= m_groups; ++group) {
            const PCRE2_SIZE begin = ovector[2 * group], end = ovector[2 * group + 1];
            if (static_cast<int>(group) >= rc || begin == PCRE2_UNSET || end < begin)
                captures->emplace_back();
            else
                captures->push_back(message.subspan(begin, end - begin));
        }
    }
    return MatchOutcome::Match;
}

struct MatcherCompiler {
    static MatcherCompileResult fail(std::size_t position, std::string reason) {
        MatcherCompileResult result;
        result.error = ParseError{position, std::move(reason)};
        return result;
    }

    /// Hex with ?? wildcards: the runs between wildcards go through parseHex (its errors, at
    /// their place in the whole text).
    static std::optional<ParseError> parseMaskedHex(std::string_view text, MessageMatcher& m) {
        std::size_t start = 0;
        bool any_wildcard = false;
        auto flush = [&](std::size_t end) -> std::optional<ParseError> {
            ParseResult part = parseHex(text.substr(start, end - start));
            if (!part.ok()) return ParseError{start + part.error->position, part.error->reason};
            m.m_bytes.insert(m.m_bytes.end(), part.bytes.begin(), part.bytes.end());
            m.m_mask.insert(m.m_mask.end(), part.bytes.size(), 0xFF);
            return std::nullopt;
        };
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] != '?') continue;
            if (i + 1 >= text.size() || text[i + 1] != '?')
                return ParseError{i, "a wildcard byte is written \"??\" (two question marks)"};
            if (auto error = flush(i)) return error;
            const std::size_t at = m.m_bytes.size();
            if (!m.m_runs.empty() && m.m_runs.back().second == at) ++m.m_runs.back().second;
            else m.m_runs.emplace_back(at, at + 1);
            m.m_bytes.push_back(0);
            m.m_mask.push_back(0);
            any_wildcard = true;
            start = ++i + 1;
            if (start < text.size() && text[start] != '?' && std::string_view(" \t\r\n,;:-").find(text[start]) == std::string_view::npos &&
                static_cast<unsigned char>(text[start]) < 0x80)
                return ParseError{start, "put a separator after \"??\" (e.g. \"?? 01\")"};
        }
        if (auto error = flush(text.size())) return error;
        if (!any_wildcard) m.m_mask.clear();
        m.m_groups = m.m_runs.size();
        return std::nullopt;
    }

    static MatcherCompileResult compileRegex(const MatchSpec& spec, MessageMatcher& m) {
        if (spec.encoding == TextEncoding::Utf16Le || spec.encoding == TextEncoding::Utf16Be)
            return fail(0, "a regex needs an 8-bit encoding (utf-8, ascii, latin-1, gbk), not " +
                               std::string(toString(spec.encoding)));
        if (spec.text.size() > kMaxPatternLength)
            return fail(kMaxPatternLength, "the regex is longer than " + std::to_string(kMaxPatternLength) + " bytes");
        // The pattern's literal characters become the encoding's bytes; PCRE2 handles its escapes.
        std::string pattern = spec.text;
        std::uint32_t options = PCRE2_NEVER_BACKSLASH_C | PCRE2_ALT_BSUX;
        if (spec.encoding == TextEncoding::Utf8) {
            options |= PCRE2_UTF;
#ifdef PCRE2_MATCH_INVALID_UTF
            options |= PCRE2_MATCH_INVALID_UTF;   // a peer's bytes need not be valid UTF-8
#else
            options |= PCRE2_NO_UTF_CHECK;
#endif
        } else {
            ParseResult encoded = encodeForSend(spec.text, spec.encoding);
            if (!encoded.ok()) return fail(encoded.error->position, encoded.error->reason);
            pattern.assign(encoded.bytes.begin(), encoded.bytes.end());
        }
        if (spec.ignore_case) options |= PCRE2_CASELESS;
        int error_code = 0;
        PCRE2_SIZE error_offset = 0;
        pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                                         &error_code, &error_offset, nullptr);
        if (!code) {
            const std::size_t at = spec.encoding == TextEncoding::Utf8 ? error_offset : 0;
            return fail(at, "regex: " + pcre2Message(error_code));
        }
        auto regex = std::make_shared<MessageMatcher::Regex>();
        regex->code = code;
        regex->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;   // interpreter otherwise
#ifndef PCRE2_MATCH_INVALID_UTF
        if (spec.encoding == TextEncoding::Utf8) regex->jit = false;   // pcre2_match's UTF handling then
#endif
        std::uint32_t groups = 0;
        pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
        m.m_groups = groups;
        m.m_regex = std::move(regex);
        m.m_data = std::make_unique<MessageMatcher::MatchData>(code);
        if (!m.m_data->data || !m.m_data->context) return fail(0, "regex: out of memory");
        MatcherCompileResult result;
        result.matcher = std::move(m);
        return result;
    }

    static MatcherCompileResult compile(const MatchSpec& spec) {
        MessageMatcher m;
        m.m_spec = spec;
        if (spec.body == MatchBody::Any) {
            MatcherCompileResult result;
            result.matcher = std::move(m);
            return result;
        }
        if (spec.mode == MatchMode::Regex) {
            if (spec.body == MatchBody::Hex)
                return fail(0, "regex mode needs \"text\"; hex matches with mode exact, prefix or contains");
            return compileRegex(spec, m);
        }
        if (spec.body == MatchBody::Hex) {
            if (auto error = parseMaskedHex(spec.text, m)) return fail(error->position, error->reason);
        } else {
            ParseResult bytes = spec.escapes ? parseEscapedText(spec.text, spec.encoding)
                                             : encodeForSend(spec.text, spec.encoding);
            if (!bytes.ok()) return fail(bytes.error->position, bytes.error->reason);
            m.m_bytes = std::move(bytes.bytes);
        }
        // matchAt folds the message's ASCII letters: the pattern's must be folded the same way,
        // hex included (41 42 with ignore_case matches "AB" and "ab"; other bytes compare as they are).
        // In GBK and UTF-16 only the bytes of ASCII characters fold.
        if (spec.ignore_case && multiByteText(spec)) m.m_fold = asciiPositions(m.m_bytes, spec.encoding);
        if (spec.ignore_case)
            for (std::size_t i = 0; i < m.m_bytes.size(); ++i)
                if (m.m_fold.empty() || m.m_fold[i] != 0) m.m_bytes[i] = lowerAscii(m.m_bytes[i]);
        MatcherCompileResult result;
        result.matcher = std::move(m);
        return result;
    }
};

MatcherCompileResult compileMatcher(const MatchSpec& spec) { return MatcherCompiler::compile(spec); }

std::string shownText(const std::string& text) {
    if (text.size() <= 60) return text;
    std::size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;   // not inside a UTF-8 character
    return text.substr(0, cut) + "...";
}

std::string describeMatch(const MatchSpec& spec) {
    if (spec.body == MatchBody::Any) return "any";
    const std::string shown = shownText(spec.text);
    if (spec.body == MatchBody::Hex)
        return spec.mode == MatchMode::Exact ? "hex " + shown : std::string(toString(spec.mode)) + " hex " + shown;
    if (spec.mode == MatchMode::Regex) return "regex /" + shown + "/";
    return std::string(toString(spec.mode)) + " \"" + shown + "\"";
}

}  // namespace sockscope
