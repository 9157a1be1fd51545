#include "core/codec/payload_template.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <limits>

#include "core/codec/hex.hpp"
#include "core/codec/utf8.hpp"

namespace sockscope {

enum class SegmentKind : std::uint8_t { Literal, Counter, UnixTime, Time, Random, Echo, RxSlice, Capture };

/// How a number is written: text digits (decimal or hex, padded to a width) or raw bytes.
enum class NumberForm : std::uint8_t { Decimal, HexLower, HexUpper, Binary };
struct NumberFormat {
    NumberForm form = NumberForm::Decimal;
    std::uint8_t width = 0;   // text: minimum digits; binary: bytes (1, 2, 4, 8)
    char pad = '0';           // text: '0' or ' '
    bool little = false;      // binary: low byte first
};

struct PayloadSegment {
    SegmentKind kind = SegmentKind::Literal;
    Bytes literal;                 // Literal
    NumberFormat number;           // Counter, UnixTime
    std::uint64_t start = 0;       // Counter: the first value
    bool millis = false;           // UnixTime: milliseconds instead of seconds
    std::string time_pattern;      // Time: strftime-like, ASCII only
    std::size_t count = 0;         // Random: bytes
    std::int64_t index = 0;        // RxSlice with single: the byte
    std::optional<std::int64_t> from, to;   // RxSlice: Python-style bounds (negative: from the end)
    bool single = false;           // RxSlice: {{rx[i]}}
    int capture = 0;               // Capture: group number
};

CompiledPayload::CompiledPayload() = default;
CompiledPayload::~CompiledPayload() = default;
CompiledPayload::CompiledPayload(const CompiledPayload&) = default;
CompiledPayload& CompiledPayload::operator=(const CompiledPayload&) = default;
CompiledPayload::CompiledPayload(CompiledPayload&&) noexcept = default;
CompiledPayload& CompiledPayload::operator=(CompiledPayload&&) noexcept = default;

const char* toString(PayloadMode mode) { return mode == PayloadMode::Hex ? "hex" : "text"; }

std::optional<PayloadMode> payloadModeFromString(std::string_view text) {
    if (utf8::equalsIgnoreCase(text, "text")) return PayloadMode::Text;
    if (utf8::equalsIgnoreCase(text, "hex")) return PayloadMode::Hex;
    return std::nullopt;
}

const char* toString(ChecksumPlacement placement) {
    return placement == ChecksumPlacement::RangeEnd ? "range-end" : "end";
}

std::optional<ChecksumPlacement> checksumPlacementFromString(std::string_view text) {
    if (utf8::equalsIgnoreCase(text, "end")) return ChecksumPlacement::End;
    if (utf8::equalsIgnoreCase(text, "range-end")) return ChecksumPlacement::RangeEnd;
    return std::nullopt;
}

namespace {

constexpr std::string_view kTemplateList =
    "counter, unixtime, unixtime_ms, time, random:N, echo, rx[a:b], rx[i] or a capture number such as 1";

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

template <typename Int>
bool parseInt(std::string_view s, Int& out) {
    if (s.empty()) return false;
    if (s.front() == '+') s.remove_prefix(1);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

/// "04", "4", "d", "08x", "X", "u8", "u16le", ... (docs/profile-format.md, "Number formats").
std::optional<NumberFormat> parseNumberFormat(std::string_view s) {
    NumberFormat f;
    if (s.size() >= 2 && s[0] == 'u') {
        std::string_view bits = s.substr(1);
        f.form = NumberForm::Binary;
        if (bits.ends_with("le")) f.little = true;
        if (bits.ends_with("le") || bits.ends_with("be")) bits.remove_suffix(2);
        if (bits == "8") f.width = 1;
        else if (bits == "16") f.width = 2;
        else if (bits == "32") f.width = 4;
        else if (bits == "64") f.width = 8;
        else return std::nullopt;
        return f;
    }
    if (!s.empty() && (s.back() == 'd' || s.back() == 'x' || s.back() == 'X')) {
        f.form = s.back() == 'd' ? NumberForm::Decimal : s.back() == 'x' ? NumberForm::HexLower : NumberForm::HexUpper;
        s.remove_suffix(1);
    }
    if (s.empty()) return f;
    f.pad = s.front() == '0' ? '0' : ' ';
    unsigned width = 0;
    if (!parseInt(s, width) || width > 20) return std::nullopt;
    f.width = static_cast<std::uint8_t>(width);
    return f;
}

/// Appends the digits of `value` (ASCII) or its bytes.
void appendNumber(Bytes& out, std::uint64_t value, const NumberFormat& f) {
    if (f.form == NumberForm::Binary) {
        for (std::size_t i = 0; i < f.width; ++i) {
            const std::size_t shift = 8 * (f.little ? i : f.width - 1 - i);
            out.push_back(static_cast<std::uint8_t>(value >> shift));
        }
        return;
    }
    char digits[24];
    std::size_t n = 0;
    const unsigned base = f.form == NumberForm::Decimal ? 10 : 16;
    const char* alphabet = f.form == NumberForm::HexUpper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = alphabet[value % base];
        value /= base;
    } while (value != 0);
    for (std::size_t i = n; i < f.width; ++i) out.push_back(static_cast<std::uint8_t>(f.pad));
    while (n > 0) out.push_back(static_cast<std::uint8_t>(digits[--n]));
}

/// Time patterns: %Y %m %d %H %M %S, %f (milliseconds), %% — anything else is copied.
void appendTime(Bytes& out, std::string_view pattern, TimestampUs now_us, bool utc) {
    const std::time_t seconds = static_cast<std::time_t>(now_us / 1000000 - (now_us % 1000000 < 0 ? 1 : 0));
    const auto millis = static_cast<std::uint64_t>(((now_us % 1000000) + 1000000) % 1000000 / 1000);
    std::tm tm{};
#ifdef _WIN32
    if (utc) gmtime_s(&tm, &seconds);
    else localtime_s(&tm, &seconds);
#else
    if (utc) gmtime_r(&seconds, &tm);
    else localtime_r(&seconds, &tm);
#endif
    const NumberFormat two{NumberForm::Decimal, 2, '0', false};
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%' || i + 1 == pattern.size()) {
            out.push_back(static_cast<std::uint8_t>(pattern[i]));
            continue;
        }
        switch (pattern[++i]) {
        case 'Y': appendNumber(out, static_cast<std::uint64_t>(std::max(0, tm.tm_year + 1900)), {NumberForm::Decimal, 4, '0', false}); break;
        case 'm': appendNumber(out, static_cast<std::uint64_t>(tm.tm_mon + 1), two); break;
        case 'd': appendNumber(out, static_cast<std::uint64_t>(tm.tm_mday), two); break;
        case 'H': appendNumber(out, static_cast<std::uint64_t>(tm.tm_hour), two); break;
        case 'M': appendNumber(out, static_cast<std::uint64_t>(tm.tm_min), two); break;
        case 'S': appendNumber(out, static_cast<std::uint64_t>(tm.tm_sec), two); break;
        case 'f': appendNumber(out, millis, {NumberForm::Decimal, 3, '0', false}); break;
        case '%': out.push_back('%'); break;
        default: out.push_back('%'); out.push_back(static_cast<std::uint8_t>(pattern[i])); break;
        }
    }
}

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Python slice bounds on a message of `size` bytes, clamped: [lo, hi).
std::pair<std::size_t, std::size_t> sliceBounds(const PayloadSegment& s, std::size_t size) {
    const auto n = static_cast<std::int64_t>(size);
    auto resolve = [n](std::int64_t i) { return std::clamp<std::int64_t>(i < 0 ? i + n : i, 0, n); };
    if (s.single) {
        const std::int64_t i = s.index < 0 ? s.index + n : s.index;
        if (i < 0 || i >= n) return {0, 0};
        return {static_cast<std::size_t>(i), static_cast<std::size_t>(i + 1)};
    }
    const std::int64_t lo = s.from ? resolve(*s.from) : 0;
    const std::int64_t hi = s.to ? resolve(*s.to) : n;
    if (hi <= lo) return {0, 0};
    return {static_cast<std::size_t>(lo), static_cast<std::size_t>(hi)};
}

/// ASCII text as the encoding's bytes: widened for UTF-16, unchanged for the others.
void widenAscii(Bytes& out, std::size_t from, TextEncoding encoding) {
    if (encoding != TextEncoding::Utf16Le && encoding != TextEncoding::Utf16Be) return;
    const Bytes ascii(out.begin() + static_cast<std::ptrdiff_t>(from), out.end());
    out.resize(from);
    for (const std::uint8_t c : ascii) {
        if (encoding == TextEncoding::Utf16Le) {
            out.push_back(c);
            out.push_back(0);
        } else {
            out.push_back(0);
            out.push_back(c);
        }
    }
}

void appendChecksum(Bytes& out, std::size_t body_size, const ChecksumSpec& c) {
    const std::size_t lo = std::min(c.start, body_size);
    const std::size_t hi = std::max(lo, body_size >= c.end ? body_size - c.end : 0);
    const std::uint32_t value = checksumValue(c.kind, std::span<const std::uint8_t>(out).subspan(lo, hi - lo));
    const std::size_t width = checksumWidth(c.kind);
    const bool low_first = checksumLowByteFirst(c.kind, c.order);
    std::uint8_t bytes[4];
    for (std::size_t i = 0; i < width; ++i)
        bytes[i] = static_cast<std::uint8_t>(value >> (8 * (low_first ? i : width - 1 - i)));
    const auto where = c.at == ChecksumPlacement::RangeEnd ? out.begin() + static_cast<std::ptrdiff_t>(hi) : out.end();
    out.insert(where, bytes, bytes + width);
}

}  // namespace

/// Builds a CompiledPayload out of the spec's text, one segment at a time.
struct PayloadCompiler {
    const PayloadSpec& spec;
    CompiledPayload out;
    bool variable_size = false;   // some template's size depends on the render

    std::optional<ParseError> literal(std::size_t from, std::size_t to) {
        if (from == to) return std::nullopt;
        const std::string_view text = std::string_view(spec.text).substr(from, to - from);
        ParseResult r;
        if (spec.mode == PayloadMode::Hex) r = parseHex(text);
        else if (spec.escapes) r = parseEscapedText(text, spec.encoding);
        else r = encodeForSend(text, spec.encoding);
        if (!r.ok()) return ParseError{from + r.error->position, r.error->reason};
        appendLiteral(r.bytes);
        return std::nullopt;
    }

    void appendLiteral(const Bytes& bytes) {
        out.m_minBody += bytes.size();
        if (!out.m_segments.empty() && out.m_segments.back().kind == SegmentKind::Literal) {
            Bytes& last = out.m_segments.back().literal;
            last.insert(last.end(), bytes.begin(), bytes.end());
            return;
        }
        PayloadSegment s;
        s.literal = bytes;
        out.m_segments.push_back(std::move(s));
    }

    /// A number template's format: what follows "name:", or the mode's default.
    std::optional<NumberFormat> numberFormat(std::string_view text, std::uint8_t hex_default_bytes) {
        if (text.empty()) {
            if (spec.mode == PayloadMode::Hex) return NumberFormat{NumberForm::Binary, hex_default_bytes, '0', false};
            return NumberFormat{};
        }
        return parseNumberFormat(text);
    }

    void countSize(const PayloadSegment& s) {
        if (s.kind == SegmentKind::Random) out.m_minBody += s.count;
        else if ((s.kind == SegmentKind::Counter || s.kind == SegmentKind::UnixTime) && s.number.form == NumberForm::Binary)
            out.m_minBody += s.number.width;
        else variable_size = true;
    }

    /// Parses the inside of one {{...}} that starts at `pos`.
    std::optional<ParseError> templ(std::string_view body, std::size_t pos) {
        // Spaces around the name and the arguments are ignored ({{ counter : 04 }}); those inside a
        // time pattern are kept.
        const std::string_view t = trim(body);
        const std::size_t cut = t.find_first_of(":[");
        const std::string_view name = trim(t.substr(0, cut));
        const std::string_view rest = cut == std::string_view::npos ? std::string_view() : t.substr(cut);
        const std::string_view args = !rest.empty() && rest.front() == ':' ? trim(rest.substr(1)) : std::string_view();
        PayloadSegment s;
        auto fail = [&](std::string reason) { return ParseError{pos, "{{" + std::string(t) + "}}: " + reason}; };
        const std::string_view number_help =
            "a format such as 04, 4, x, 08X (a width of at most 20 digits), u8, u16, u16le, u32, u32le, u64";
        if (name == "counter") {
            s.kind = SegmentKind::Counter;
            const std::size_t colon = args.find(':');
            const auto format = numberFormat(trim(args.substr(0, colon)), 1);
            if (!format) return fail("expected " + std::string(number_help) + " after 'counter:'");
            s.number = *format;
            if (colon != std::string_view::npos && !parseInt(trim(args.substr(colon + 1)), s.start))
                return fail("the start after the second ':' must be a whole number >= 0, as in {{counter:04:100}}");
            out.m_usesCounter = true;
        } else if (name == "unixtime" || name == "unixtime_ms") {
            s.kind = SegmentKind::UnixTime;
            s.millis = name == "unixtime_ms";
            const auto format = numberFormat(args, s.millis ? 8 : 4);
            if (!format) return fail("expected " + std::string(number_help) + " after ':'");
            s.number = *format;
        } else if (name == "time") {
            s.kind = SegmentKind::Time;
            s.time_pattern = args.empty() ? "%H:%M:%S" : std::string(args);
            for (const char c : s.time_pattern)
                if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F)
                    return fail("a time pattern holds only printable ASCII, such as %Y-%m-%d %H:%M:%S.%f");
        } else if (name == "random") {
            s.kind = SegmentKind::Random;
            if (!parseInt(args, s.count) || s.count == 0 || s.count > kMaxRandomBytes)
                return fail("expected {{random:N}} with N random bytes, 1 to " + std::to_string(kMaxRandomBytes));
        } else if (name == "echo" && rest.empty()) {
            s.kind = SegmentKind::Echo;
            out.m_usesRx = true;
        } else if (name == "rx") {
            if (auto error = rxSlice(rest, s)) return fail(*error);
            out.m_usesRx = true;
        } else if (!t.empty() && t.find_first_not_of("0123456789") == std::string_view::npos) {
            s.kind = SegmentKind::Capture;
            if (t.size() > 2) return fail("capture numbers go from 0 (the whole match) to 99");
            parseInt(t, s.capture);
            out.m_maxCapture = std::max(out.m_maxCapture, s.capture);
        } else {
            return ParseError{pos, "unknown template {{" + std::string(t) + "}}; expected " +
                                       std::string(kTemplateList) + " (write \\{{ for a literal '{{' in text)"};
        }
        countSize(s);
        out.m_segments.push_back(std::move(s));
        return std::nullopt;
    }

    /// "[a:b]", "[a:]", "[:b]", "[:]", "[i]" with optional signs.
    static std::optional<std::string> rxSlice(std::string_view s, PayloadSegment& seg) {
        const std::string help = "expected rx[a:b] (bytes a to b-1; either may be left out or negative), or rx[i]";
        if (s.size() < 2 || s.front() != '[' || s.back() != ']') return help;
        s = s.substr(1, s.size() - 2);
        seg.kind = SegmentKind::RxSlice;
        const std::size_t colon = s.find(':');
        if (colon == std::string_view::npos) {
            seg.single = true;
            if (!parseInt(trim(s), seg.index)) return help;
            return std::nullopt;
        }
        for (const auto& [part, bound] : {std::pair{trim(s.substr(0, colon)), &seg.from},
                                          std::pair{trim(s.substr(colon + 1)), &seg.to}}) {
            if (part.empty()) continue;
            std::int64_t v = 0;
            if (!parseInt(part, v)) return help;
            *bound = v;
        }
        return std::nullopt;
    }

    std::optional<ParseError> run() {
        const std::string_view text = spec.text;
        const bool escapes = spec.mode == PayloadMode::Text && spec.escapes;
        std::size_t run_start = 0, i = 0;
        while (i < text.size()) {
            if (escapes && text[i] == '\\') {
                i += 2;   // an escape never opens a template ("\{{" is a literal "{{")
                continue;
            }
            if (!spec.templates || text.compare(i, 2, "{{") != 0) {
                ++i;
                continue;
            }
            if (auto error = literal(run_start, i)) return error;
            const std::size_t close = text.find("}}", i + 2);
            if (close == std::string_view::npos)
                return ParseError{i, "'{{' opens a template that is never closed with '}}' (write \\{{ for a literal '{{' in text)"};
            if (auto error = templ(text.substr(i + 2, close - i - 2), i)) return error;
            i = run_start = close + 2;
        }
        return literal(run_start, std::min(i, text.size()));
    }

    static PayloadCompileResult compile(const PayloadSpec& spec) {
        PayloadCompileResult result;
        PayloadCompiler c{spec, {}};
        c.out.m_encoding = spec.encoding;
        c.out.m_mode = spec.mode;
        c.out.m_checksum = spec.checksum;
        c.out.m_ending = spec.line_ending;
        if (auto error = c.run()) {
            result.error = std::move(error);
            return result;
        }
        if (spec.checksum && !c.variable_size && spec.checksum->start + spec.checksum->end > c.out.m_minBody) {
            const ChecksumSpec& k = *spec.checksum;
            result.error = ParseError{spec.text.size(), "the checksum leaves out " + std::to_string(k.start) +
                                                            " bytes at the start and " + std::to_string(k.end) +
                                                            " at the end, but the payload has only " +
                                                            std::to_string(c.out.m_minBody)};
            return result;
        }
        CompiledPayload& p = c.out;
        const bool is_static = std::all_of(p.m_segments.begin(), p.m_segments.end(),
                                           [](const PayloadSegment& s) { return s.kind == SegmentKind::Literal; });
        if (is_static) {
            RenderContext context;
            renderPayloadInto(p, context, p.m_static);
            p.m_segments.clear();
            p.m_isStatic = true;
        }
        result.payload = std::move(p);
        return result;
    }
};

PayloadCompileResult compilePayload(const PayloadSpec& spec) { return PayloadCompiler::compile(spec); }

void renderPayloadInto(const CompiledPayload& p, RenderContext& context, Bytes& out) {
    if (p.m_isStatic) {
        out = p.m_static;
        if (context.counter) ++context.counter->sends;
        return;
    }
    out.clear();
    const bool text = p.m_mode == PayloadMode::Text;
    const std::uint64_t sends = context.counter ? context.counter->sends : 0;
    TimestampUs now = context.now_us;   // read once per render; the context is not changed (it may be reused)
    for (const PayloadSegment& s : p.m_segments) {
        const std::size_t before = out.size();
        switch (s.kind) {
        case SegmentKind::Literal: out.insert(out.end(), s.literal.begin(), s.literal.end()); break;
        case SegmentKind::Counter: appendNumber(out, s.start + sends, s.number); break;
        case SegmentKind::UnixTime: {
            if (now == 0) now = nowUs();
            const auto us = static_cast<std::uint64_t>(std::max<TimestampUs>(0, now));
            appendNumber(out, s.millis ? us / 1000 : us / 1000000, s.number);
            break;
        }
        case SegmentKind::Time:
            if (now == 0) now = nowUs();
            appendTime(out, s.time_pattern, now, context.utc);
            break;
        case SegmentKind::Random:
            if (context.random_state == 0) context.random_state = static_cast<std::uint64_t>(nowUs()) | 1;
            for (std::size_t i = 0; i < s.count; i += 8) {
                const std::uint64_t r = splitmix64(context.random_state);
                for (std::size_t k = 0; k < 8 && i + k < s.count; ++k) out.push_back(static_cast<std::uint8_t>(r >> (8 * k)));
            }
            break;
        case SegmentKind::Echo: out.insert(out.end(), context.rx.begin(), context.rx.end()); break;
        case SegmentKind::RxSlice: {
            const auto [lo, hi] = sliceBounds(s, context.rx.size());
            out.insert(out.end(), context.rx.begin() + static_cast<std::ptrdiff_t>(lo),
                       context.rx.begin() + static_cast<std::ptrdiff_t>(hi));
            break;
        }
        case SegmentKind::Capture:
            if (static_cast<std::size_t>(s.capture) < context.captures.size()) {
                const auto group = context.captures[static_cast<std::size_t>(s.capture)];
                out.insert(out.end(), group.begin(), group.end());
            }
            break;
        }
        // Digits and times are text: in a text payload they take the payload's encoding.
        const bool textual = s.kind == SegmentKind::Time ||
                             ((s.kind == SegmentKind::Counter || s.kind == SegmentKind::UnixTime) &&
                              s.number.form != NumberForm::Binary);
        if (text && textual) widenAscii(out, before, p.m_encoding);
    }
    if (p.m_checksum) appendChecksum(out, out.size(), *p.m_checksum);
    const std::size_t ending = out.size();
    appendLineEnding(out, p.m_ending);
    if (text) widenAscii(out, ending, p.m_encoding);   // a line ending is text: "\r\n" is 0D 00 0A 00 in UTF-16LE
    if (context.counter) ++context.counter->sends;   // every send of the sender counts, templated or not
}

Bytes renderPayload(const CompiledPayload& payload, RenderContext& context) {
    Bytes out;
    renderPayloadInto(payload, context, out);
    return out;
}

ParseResult buildPayload(const PayloadSpec& spec) {
    PayloadCompileResult compiled = compilePayload(spec);
    ParseResult result;
    if (!compiled.ok()) {
        result.error = std::move(compiled.error);
        return result;
    }
    RenderContext context;
    result.bytes = renderPayload(*compiled.payload, context);
    return result;
}

}  // namespace sockscope
