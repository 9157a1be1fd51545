// libFuzzer target for the codec: every parser and decoder on arbitrary input, with the
// invariants the rest of the program relies on. Built by tests/fuzz/CMakeLists.txt; run by
// `scripts/dev.sh fuzz` (corpus: tests/fuzz/corpus/codec). By hand:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I src \
//       tests/fuzz/fuzz_codec.cpp src/core/codec/*.cpp -o fuzz_codec && ./fuzz_codec -max_total_time=30
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "core/codec/checksum.hpp"
#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "core/codec/payload_template.hpp"
#include "core/codec/text_encoding.hpp"
#include "core/codec/utf8.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void checkDisplayText(const std::string& shown) {
    check(!sockscope::utf8::firstInvalid(shown).has_value());
    for (const char c : shown) {
        const auto u = static_cast<unsigned char>(c);
        check(u >= 0x20 && u != 0x7F);   // no raw control characters reach the screen
    }
}

void checkResult(const sockscope::ParseResult& result, std::size_t text_size) {
    if (!result.ok()) {
        check(result.error->position <= text_size);
        check(!result.error->reason.empty());
        check(result.bytes.empty());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::span<const std::uint8_t> bytes(data, size);

    const ParseResult hex = parseHex(text);
    checkResult(hex, size);
    if (hex.ok()) {
        check(hex.bytes.size() <= size / 2);
        check(parseHex(formatHex(hex.bytes, HexStyle::SpacedUpper)).bytes == hex.bytes);
        check(parseHex(formatHex(hex.bytes, HexStyle::CompactLower)).bytes == hex.bytes);
    }
    (void)hexDump(bytes, size % 33);

    const ParseResult escaped = parseEscapedText(text);
    checkResult(escaped, size);
    if (escaped.ok()) check(escaped.bytes.size() <= size);

    for (const NonAscii mode : {NonAscii::KeepUtf8, NonAscii::Escape}) {
        const std::string shown = escapeForDisplay(bytes, mode);
        checkDisplayText(shown);
        const ParseResult back = parseEscapedText(shown);
        check(back.ok() && back.bytes == Bytes(bytes.begin(), bytes.end()));
    }

    for (const TextEncoding encoding : kTextEncodings) {
        checkDisplayText(decodeForDisplay(bytes, encoding));
        checkResult(encodeForSend(text, encoding), size);
        checkResult(parseEscapedText(text, encoding), size);
    }

    if (size > 0) {
        PayloadSpec spec;
        spec.mode = (data[0] & 1) ? PayloadMode::Hex : PayloadMode::Text;
        spec.text.assign(text.substr(1));
        spec.encoding = kTextEncodings[(data[0] >> 1) % kTextEncodings.size()];
        spec.escapes = (data[0] & 0x10) == 0;
        spec.line_ending = kLineEndings[(data[0] >> 5) % kLineEndings.size()];
        spec.checksum = ChecksumSpec{kChecksumKinds[data[0] % kChecksumKinds.size()], ChecksumByteOrder::Conventional,
                                     static_cast<std::size_t>(data[0] % 5)};
        checkResult(buildPayload(spec), spec.text.size());
    }
    return 0;
}
