#include "core/codec/escape.hpp"

#include "core/codec/utf8.hpp"

namespace sockscope {
namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr const char* kKnownEscapes = "use \\r \\n \\t \\0 \\\\ \\\" \\{ or \\xHH";

/// Reads the escape starting at text[pos] == '\\'. On success stores the byte and its length.
std::optional<ParseError> readEscape(std::string_view text, std::size_t pos, std::uint8_t& byte,
                                     std::size_t& length) {
    if (pos + 1 >= text.size())
        return ParseError{pos, "a '\\' at the end needs a letter after it (write '\\\\' for a backslash)"};
    length = 2;
    switch (text[pos + 1]) {
    case 'r': byte = '\r'; return std::nullopt;
    case 'n': byte = '\n'; return std::nullopt;
    case 't': byte = '\t'; return std::nullopt;
    case '0': byte = 0; return std::nullopt;
    case '\\': byte = '\\'; return std::nullopt;
    case '"': byte = '"'; return std::nullopt;
    case '{': byte = '{'; return std::nullopt;   // "\{{" is a literal "{{", not a template
    case 'x': {
        const int hi = pos + 2 < text.size() ? hexValue(text[pos + 2]) : -1;
        const int lo = pos + 3 < text.size() ? hexValue(text[pos + 3]) : -1;
        if (hi < 0 || lo < 0) {
            const std::size_t bad = hi < 0 ? pos + 2 : pos + 3;
            return ParseError{pos, "'\\x' needs exactly two hex digits, as in \\x0D; found " +
                                       utf8::describeCharAt(text, bad)};
        }
        byte = static_cast<std::uint8_t>(hi << 4 | lo);
        length = 4;
        return std::nullopt;
    }
    default: {
        std::string reason = "'\\" + std::string(1, text[pos + 1]) + "' is not a known escape";
        if (static_cast<unsigned char>(text[pos + 1]) >= 0x80 || text[pos + 1] < 0x20)
            reason = "'\\' followed by " + utf8::describeCharAt(text, pos + 1) + " is not a known escape";
        return ParseError{pos, reason + "; " + kKnownEscapes + " (write '\\\\' for a backslash)"};
    }
    }
}

bool isAsciiPrintable(std::uint8_t b) { return b >= 0x20 && b < 0x7F; }

void appendAsciiForDisplay(std::string& out, std::uint8_t b) {
    switch (b) {
    case '\r': out += "\\r"; return;
    case '\n': out += "\\n"; return;
    case '\t': out += "\\t"; return;
    case 0: out += "\\0"; return;
    case '\\': out += "\\\\"; return;
    default: break;
    }
    if (isAsciiPrintable(b)) out += static_cast<char>(b);
    else appendByteEscape(out, b);
}

}  // namespace

ParseResult parseEscapedText(std::string_view text) {
    return parseEscapedText(text, TextEncoding::Utf8);
}

ParseResult parseEscapedText(std::string_view text, TextEncoding encoding) {
    ParseResult result;
    result.bytes.reserve(text.size());
    std::size_t run_start = 0;  // start of the literal run not yet copied
    auto flushRun = [&](std::size_t end) -> bool {
        if (end == run_start) return true;
        const std::string_view run = text.substr(run_start, end - run_start);
        if (encoding == TextEncoding::Utf8) {
            result.bytes.insert(result.bytes.end(), run.begin(), run.end());
            return true;
        }
        ParseResult encoded = encodeForSend(run, encoding);
        if (!encoded.ok()) {
            result.error = ParseError{run_start + encoded.error->position, encoded.error->reason};
            return false;
        }
        result.bytes.insert(result.bytes.end(), encoded.bytes.begin(), encoded.bytes.end());
        return true;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '\\') {
            ++i;
            continue;
        }
        if (!flushRun(i)) break;
        std::uint8_t byte = 0;
        std::size_t length = 0;
        if (auto error = readEscape(text, i, byte, length)) {
            result.error = std::move(error);
            break;
        }
        // \xHH is a raw byte; a named escape (\r, \n, ...) is a character, in the text's
        // encoding like the text around it (it differs from the byte in UTF-16 only).
        if (length == 2 && encoding == TextEncoding::Utf16Le) result.bytes.insert(result.bytes.end(), {byte, 0});
        else if (length == 2 && encoding == TextEncoding::Utf16Be) result.bytes.insert(result.bytes.end(), {0, byte});
        else result.bytes.push_back(byte);
        i += length;
        run_start = i;
    }
    if (!result.error) flushRun(text.size());
    if (result.error) result.bytes.clear();
    return result;
}

void appendByteEscape(std::string& out, std::uint8_t byte) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    out += "\\x";
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0F];
}

namespace {
/// Invisible format characters that change how the rest of a line reads: zero-width ones, the bidi
/// overrides and isolates (U+202E shows "user\u202Eexe.txt" as "usertxt.exe"), line and paragraph
/// separators, the BOM. Shown as their bytes, like controls.
bool invisibleFormat(char32_t cp) {
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) ||
           cp == 0xFEFF || cp == 0x061C || cp == 0x180E;
}

void appendBytesEscaped(std::string& out, char32_t cp) {
    std::string encoded;
    utf8::append(encoded, cp);
    for (const char c : encoded) appendByteEscape(out, static_cast<std::uint8_t>(c));
}
}  // namespace

void appendCodePointForDisplay(std::string& out, char32_t cp) {
    if (cp < 0x80) appendAsciiForDisplay(out, static_cast<std::uint8_t>(cp));
    else if (cp < 0xA0) appendByteEscape(out, static_cast<std::uint8_t>(cp));   // C1 controls
    else if (invisibleFormat(cp)) appendBytesEscaped(out, cp);
    else utf8::append(out, cp);
}

std::string escapeForDisplay(std::span<const std::uint8_t> bytes, NonAscii non_ascii) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 4);
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::uint8_t b = bytes[i];
        if (b < 0x80) {
            appendAsciiForDisplay(out, b);
            ++i;
            continue;
        }
        if (non_ascii == NonAscii::KeepUtf8) {
            const auto decoded = utf8::decode(bytes.subspan(i));
            // C1 controls (U+0080..U+009F) are invisible: show their bytes instead.
            if (decoded && decoded->code_point >= 0xA0 && !invisibleFormat(decoded->code_point)) {
                out.append(reinterpret_cast<const char*>(bytes.data() + i), decoded->length);
                i += decoded->length;
                continue;
            }
        }
        appendByteEscape(out, b);
        ++i;
    }
    return out;
}

void appendLineEnding(Bytes& bytes, LineEnding ending) {
    switch (ending) {
    case LineEnding::None: break;
    case LineEnding::Cr: bytes.push_back('\r'); break;
    case LineEnding::Lf: bytes.push_back('\n'); break;
    case LineEnding::CrLf:
        bytes.push_back('\r');
        bytes.push_back('\n');
        break;
    }
}

const char* toString(LineEnding ending) {
    switch (ending) {
    case LineEnding::None: return "none";
    case LineEnding::Cr: return "cr";
    case LineEnding::Lf: return "lf";
    case LineEnding::CrLf: return "crlf";
    }
    return "none";
}

std::optional<LineEnding> lineEndingFromString(std::string_view text) {
    for (const LineEnding ending : kLineEndings)
        if (utf8::equalsIgnoreCase(text, toString(ending))) return ending;
    return std::nullopt;
}

}  // namespace sockscope
