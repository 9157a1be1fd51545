#include "core/codec/text_encoding.hpp"

#include <cerrno>

#include "core/codec/escape.hpp"
#include "core/codec/utf8.hpp"

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <iconv.h>
#endif

namespace sockscope {
namespace {

ParseResult invalidUtf8(std::string_view utf8, std::size_t pos) {
    return parseFailure(pos, "invalid UTF-8: " + utf8::describeCharAt(utf8, pos) +
                                 " does not start a valid character");
}

ParseError cannotEncode(std::string_view utf8, std::size_t pos, const char* encoding_name) {
    return ParseError{pos, utf8::describeCharAt(utf8, pos) + " cannot be encoded in " + encoding_name};
}

void appendUtf16Unit(Bytes& out, char32_t unit, bool big_endian) {
    const auto hi = static_cast<std::uint8_t>(unit >> 8);
    const auto lo = static_cast<std::uint8_t>(unit & 0xFF);
    out.push_back(big_endian ? hi : lo);
    out.push_back(big_endian ? lo : hi);
}

std::string decodeUtf16(std::span<const std::uint8_t> bytes, bool big_endian) {
    auto unitAt = [&](std::size_t i) -> char32_t {
        return big_endian ? (char32_t{bytes[i]} << 8 | bytes[i + 1]) : (char32_t{bytes[i + 1]} << 8 | bytes[i]);
    };
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i + 1 < bytes.size()) {
        const char32_t unit = unitAt(i);
        if (unit >= 0xD800 && unit <= 0xDBFF && i + 3 < bytes.size()) {
            const char32_t low = unitAt(i + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                appendCodePointForDisplay(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                i += 4;
                continue;
            }
        }
        if (unit >= 0xD800 && unit <= 0xDFFF) {   // unpaired surrogate: show its two bytes
            appendByteEscape(out, bytes[i]);
            appendByteEscape(out, bytes[i + 1]);
        } else {
            appendCodePointForDisplay(out, unit);
        }
        i += 2;
    }
    if (i < bytes.size()) appendByteEscape(out, bytes[i]);   // odd trailing byte
    return out;
}

/// Walks the UTF-8 input one character at a time; `encodeOne` appends the bytes of one code
/// point and returns false when the encoding has none.
template <typename EncodeOne>
ParseResult encodeEach(std::string_view utf8, const char* encoding_name, EncodeOne encodeOne) {
    ParseResult result;
    result.bytes.reserve(utf8.size());
    std::size_t i = 0;
    while (i < utf8.size()) {
        const auto decoded = utf8::decode(utf8.substr(i));
        if (!decoded) return invalidUtf8(utf8, i);
        if (!encodeOne(decoded->code_point, result.bytes)) {
            ParseResult failed;
            failed.error = cannotEncode(utf8, i, encoding_name);
            return failed;
        }
        i += decoded->length;
    }
    return result;
}

#ifdef _WIN32
// GBK is Windows code page 936. One character at a time, so a bad byte costs one escape.
std::string decodeGbk(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::uint8_t b = bytes[i];
        if (b < 0x80) {
            appendCodePointForDisplay(out, b);
            ++i;
            continue;
        }
        if (b == 0x80) {   // '€' in code page 936
            appendCodePointForDisplay(out, 0x20AC);
            ++i;
            continue;
        }
        // GB18030's four-byte form (second byte a digit): code page 54936; 936 has only GBK.
        if (b >= 0x81 && b <= 0xFE && i + 3 < bytes.size() && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39) {
            wchar_t wide[2] = {};
            const int n = MultiByteToWideChar(54936, MB_ERR_INVALID_CHARS,
                                              reinterpret_cast<const char*>(bytes.data() + i), 4, wide, 2);
            const bool pair = n == 2 && wide[0] >= 0xD800 && wide[0] < 0xDC00 && wide[1] >= 0xDC00 && wide[1] < 0xE000;
            if (n == 1 || pair) {
                const char32_t cp = pair ? 0x10000 + ((static_cast<char32_t>(wide[0]) - 0xD800) << 10) +
                                               (static_cast<char32_t>(wide[1]) - 0xDC00)
                                         : static_cast<char32_t>(wide[0]);
                appendCodePointForDisplay(out, cp);
                i += 4;
                continue;
            }
        }
        if (b >= 0x81 && b <= 0xFE && i + 1 < bytes.size()) {
            wchar_t wide[2] = {};
            const int n = MultiByteToWideChar(936, MB_ERR_INVALID_CHARS,
                                              reinterpret_cast<const char*>(bytes.data() + i), 2, wide, 2);
            if (n == 1) {
                appendCodePointForDisplay(out, static_cast<char32_t>(wide[0]));
                i += 2;
                continue;
            }
        }
        appendByteEscape(out, b);
        ++i;
    }
    return out;
}

ParseResult encodeGbk(std::string_view utf8) {
    return encodeEach(utf8, "GBK", [](char32_t cp, Bytes& out) {
        wchar_t wide[2];
        int wide_len = 1;
        if (cp >= 0x10000) {
            wide[0] = static_cast<wchar_t>(0xD800 + ((cp - 0x10000) >> 10));
            wide[1] = static_cast<wchar_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
            wide_len = 2;
        } else {
            wide[0] = static_cast<wchar_t>(cp);
        }
        char narrow[8];
        BOOL used_default = FALSE;
        const int n = WideCharToMultiByte(936, WC_NO_BEST_FIT_CHARS, wide, wide_len, narrow,
                                          sizeof narrow, nullptr, &used_default);
        if (n <= 0 || used_default) return false;
        out.insert(out.end(), narrow, narrow + n);
        return true;
    });
}
#else
class Iconv {
public:
    Iconv(const char* to, const char* from) : m_cd(iconv_open(to, from)) {}
    ~Iconv() {
        if (valid()) iconv_close(m_cd);
    }
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;
    bool valid() const { return m_cd != reinterpret_cast<iconv_t>(-1); }
    /// The descriptor, reset to its initial state.
    iconv_t get() const {
        iconv(m_cd, nullptr, nullptr, nullptr, nullptr);
        return m_cd;
    }

private:
    iconv_t m_cd;
};

// One descriptor per direction and thread, opened on first use: the log decodes every visible
// row each frame, and iconv_open loads conversion tables (not cheap, and once per row adds up).
const Iconv& gbkDecoder() {
    thread_local const Iconv cd("UTF-8", "GB18030");
    return cd;
}
const Iconv& gbkEncoder() {
    thread_local const Iconv cd("GBK", "UTF-8");
    return cd;
}

/// Converts as much of [*in, *in + *in_left) as iconv can; appends the output. Returns the errno
/// that stopped it (0 when everything was converted).
int convertRun(iconv_t cd, char** in, std::size_t* in_left, std::string& out) {
    char buffer[512];
    while (*in_left > 0) {
        char* dst = buffer;
        std::size_t dst_left = sizeof buffer;
        const std::size_t r = iconv(cd, in, in_left, &dst, &dst_left);
        out.append(buffer, static_cast<std::size_t>(dst - buffer));
        if (r != static_cast<std::size_t>(-1)) continue;
        const int err = errno;
        if (err == E2BIG && dst != buffer) continue;
        return err == E2BIG ? EILSEQ : err;   // no progress at all: treat as a bad byte
    }
    return 0;
}

/// Appends iconv's UTF-8 output for display (escaping controls and backslashes).
void appendGbkRun(std::string& out, std::string_view run) {
    std::size_t i = 0;
    while (i < run.size()) {
        const auto decoded = utf8::decode(run.substr(i));
        if (!decoded) {   // not expected from iconv; never emit invalid UTF-8 anyway
            appendByteEscape(out, static_cast<std::uint8_t>(run[i]));
            ++i;
            continue;
        }
        appendCodePointForDisplay(out, decoded->code_point);
        i += decoded->length;
    }
}

std::string decodeGbk(std::span<const std::uint8_t> bytes) {
    std::string out;
    const Iconv& cd = gbkDecoder();
    if (!cd.valid()) {   // no converter on this system: show ASCII, escape the rest
        for (const std::uint8_t b : bytes) {
            if (b < 0x80) appendCodePointForDisplay(out, b);
            else appendByteEscape(out, b);
        }
        return out;
    }
    out.reserve(bytes.size() * 2);
    // iconv takes a non-const input pointer but does not write through it.
    char* in = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    std::size_t in_left = bytes.size();
    std::string run;
    while (in_left > 0) {
        run.clear();
        const int err = convertRun(cd.get(), &in, &in_left, run);
        appendGbkRun(out, run);
        if (err != 0 && in_left > 0) {   // EILSEQ (bad bytes) or EINVAL (cut off at the end)
            const auto bad = static_cast<std::uint8_t>(*in);
            // GB18030 has nothing at 0x80; code page 936 (Windows, most GBK devices) has '€'.
            if (bad == 0x80) appendCodePointForDisplay(out, 0x20AC);
            else appendByteEscape(out, bad);
            ++in;
            --in_left;
            iconv(cd.get(), nullptr, nullptr, nullptr, nullptr);   // reset the converter state
        }
    }
    return out;
}

ParseResult encodeGbk(std::string_view utf8) {
    if (const auto bad = utf8::firstInvalid(utf8)) return invalidUtf8(utf8, *bad);
    const Iconv& cd = gbkEncoder();
    if (!cd.valid()) return parseFailure(0, "GBK conversion is not available on this system");
    char* in = const_cast<char*>(utf8.data());
    std::size_t in_left = utf8.size();
    std::string out;
    const int err = convertRun(cd.get(), &in, &in_left, out);
    if (err != 0) {
        const auto pos = static_cast<std::size_t>(in - utf8.data());
        ParseResult failed;
        failed.error = cannotEncode(utf8, pos, "GBK");
        return failed;
    }
    ParseResult result;
    result.bytes.assign(out.begin(), out.end());
    return result;
}
#endif

std::size_t utf8Length(std::span<const std::uint8_t> b, std::size_t i) {
    const std::uint8_t lead = b[i];
    const std::size_t n = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : (lead & 0xF8) == 0xF0 ? 4 : 1;
    if (n == 1 || i + n > b.size()) return 1;
    for (std::size_t k = 1; k < n; ++k)
        if ((b[i + k] & 0xC0) != 0x80) return 1;
    return n;
}

std::size_t utf16Length(std::span<const std::uint8_t> b, std::size_t i, bool big_endian) {
    if (i + 1 >= b.size()) return 1;
    auto unitAt = [&](std::size_t k) -> unsigned {
        return big_endian ? (unsigned{b[k]} << 8 | b[k + 1]) : (unsigned{b[k + 1]} << 8 | b[k]);
    };
    const unsigned unit = unitAt(i);
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 3 < b.size()) {
        const unsigned low = unitAt(i + 2);
        if (low >= 0xDC00 && low <= 0xDFFF) return 4;
    }
    return 2;
}

std::size_t gb18030Length(std::span<const std::uint8_t> b, std::size_t i) {
    const std::uint8_t lead = b[i];
    if (lead < 0x81 || lead > 0xFE || i + 1 >= b.size()) return 1;
    const std::uint8_t second = b[i + 1];
    if (second >= 0x30 && second <= 0x39) {
        if (i + 3 < b.size() && b[i + 2] >= 0x81 && b[i + 2] <= 0xFE && b[i + 3] >= 0x30 && b[i + 3] <= 0x39)
            return 4;
        return 1;
    }
    return (second >= 0x40 && second <= 0xFE && second != 0x7F) ? 2 : 1;
}

}  // namespace

std::size_t charLengthAt(std::span<const std::uint8_t> bytes, std::size_t pos, TextEncoding encoding) {
    if (pos >= bytes.size()) return 0;
    switch (encoding) {
    case TextEncoding::Utf8: return utf8Length(bytes, pos);
    case TextEncoding::Ascii:
    case TextEncoding::Latin1: return 1;
    case TextEncoding::Gbk: return gb18030Length(bytes, pos);
    case TextEncoding::Utf16Le: return utf16Length(bytes, pos, false);
    case TextEncoding::Utf16Be: return utf16Length(bytes, pos, true);
    }
    return 1;
}

std::size_t displayLineEnd(std::span<const std::uint8_t> bytes, std::size_t start, TextEncoding encoding,
                           std::size_t max_bytes) {
    const bool utf16 = encoding == TextEncoding::Utf16Le || encoding == TextEncoding::Utf16Be;
    std::size_t i = start;
    while (i < bytes.size()) {
        const std::size_t n = charLengthAt(bytes, i, encoding);
        if (i > start && i + n - start > max_bytes) break;
        const bool line_feed = utf16 ? (n == 2 && bytes[i + (encoding == TextEncoding::Utf16Le ? 0 : 1)] == 0x0A &&
                                        bytes[i + (encoding == TextEncoding::Utf16Le ? 1 : 0)] == 0)
                                     : bytes[i] == 0x0A;
        i += n;
        if (line_feed) break;
    }
    return i;
}

std::string decodeForDisplay(std::span<const std::uint8_t> bytes, TextEncoding encoding) {
    switch (encoding) {
    case TextEncoding::Utf8: return escapeForDisplay(bytes, NonAscii::KeepUtf8);
    case TextEncoding::Ascii: return escapeForDisplay(bytes, NonAscii::Escape);
    case TextEncoding::Latin1: {
        std::string out;
        out.reserve(bytes.size() + bytes.size() / 2);
        for (const std::uint8_t b : bytes) appendCodePointForDisplay(out, b);
        return out;
    }
    case TextEncoding::Gbk: return decodeGbk(bytes);
    case TextEncoding::Utf16Le: return decodeUtf16(bytes, false);
    case TextEncoding::Utf16Be: return decodeUtf16(bytes, true);
    }
    return escapeForDisplay(bytes, NonAscii::Escape);
}

ParseResult encodeForSend(std::string_view utf8, TextEncoding encoding) {
    switch (encoding) {
    case TextEncoding::Utf8: {
        if (const auto bad = utf8::firstInvalid(utf8)) return invalidUtf8(utf8, *bad);
        ParseResult result;
        result.bytes.assign(utf8.begin(), utf8.end());
        return result;
    }
    case TextEncoding::Ascii:
        return encodeEach(utf8, "ASCII", [](char32_t cp, Bytes& out) {
            if (cp >= 0x80) return false;
            out.push_back(static_cast<std::uint8_t>(cp));
            return true;
        });
    case TextEncoding::Latin1:
        return encodeEach(utf8, "Latin-1", [](char32_t cp, Bytes& out) {
            if (cp > 0xFF) return false;
            out.push_back(static_cast<std::uint8_t>(cp));
            return true;
        });
    case TextEncoding::Gbk: return encodeGbk(utf8);
    case TextEncoding::Utf16Le:
    case TextEncoding::Utf16Be: {
        const bool big_endian = encoding == TextEncoding::Utf16Be;
        return encodeEach(utf8, "UTF-16", [big_endian](char32_t cp, Bytes& out) {
            if (cp >= 0x10000) {
                appendUtf16Unit(out, 0xD800 + ((cp - 0x10000) >> 10), big_endian);
                appendUtf16Unit(out, 0xDC00 + ((cp - 0x10000) & 0x3FF), big_endian);
            } else {
                appendUtf16Unit(out, cp, big_endian);
            }
            return true;
        });
    }
    }
    return parseFailure(0, "unknown text encoding");
}

const char* toString(TextEncoding encoding) {
    switch (encoding) {
    case TextEncoding::Utf8: return "utf-8";
    case TextEncoding::Ascii: return "ascii";
    case TextEncoding::Latin1: return "latin-1";
    case TextEncoding::Gbk: return "gbk";
    case TextEncoding::Utf16Le: return "utf-16le";
    case TextEncoding::Utf16Be: return "utf-16be";
    }
    return "utf-8";
}

std::optional<TextEncoding> textEncodingFromString(std::string_view text) {
    for (const TextEncoding encoding : kTextEncodings)
        if (utf8::equalsIgnoreCase(text, toString(encoding))) return encoding;
    struct Alias { const char* name; TextEncoding encoding; };
    static constexpr Alias kAliases[] = {
        {"utf8", TextEncoding::Utf8},       {"latin1", TextEncoding::Latin1},
        {"iso-8859-1", TextEncoding::Latin1}, {"gb2312", TextEncoding::Gbk},
        {"cp936", TextEncoding::Gbk},       {"utf16le", TextEncoding::Utf16Le},
        {"utf16be", TextEncoding::Utf16Be},
    };
    for (const Alias& alias : kAliases)
        if (utf8::equalsIgnoreCase(text, alias.name)) return alias.encoding;
    return std::nullopt;
}

}  // namespace sockscope
