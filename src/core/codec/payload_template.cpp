#include "core/codec/payload_template.hpp"

#include "core/codec/hex.hpp"
#include "core/codec/utf8.hpp"

namespace sockscope {

const char* toString(PayloadMode mode) { return mode == PayloadMode::Hex ? "hex" : "text"; }

std::optional<PayloadMode> payloadModeFromString(std::string_view text) {
    if (utf8::equalsIgnoreCase(text, "text")) return PayloadMode::Text;
    if (utf8::equalsIgnoreCase(text, "hex")) return PayloadMode::Hex;
    return std::nullopt;
}

ParseResult buildPayload(const PayloadSpec& spec) {
    ParseResult result;
    if (spec.mode == PayloadMode::Hex) result = parseHex(spec.text);
    else if (spec.escapes) result = parseEscapedText(spec.text, spec.encoding);
    else result = encodeForSend(spec.text, spec.encoding);
    if (!result.ok()) return result;

    if (spec.checksum) {
        if (spec.checksum_skip > result.bytes.size())
            return parseFailure(spec.text.size(),
                                "the checksum skips the first " + std::to_string(spec.checksum_skip) +
                                    " bytes but the payload has only " + std::to_string(result.bytes.size()));
        const std::span<const std::uint8_t> covered =
            std::span<const std::uint8_t>(result.bytes).subspan(spec.checksum_skip);
        const Bytes sum = checksumBytes(*spec.checksum, covered, spec.checksum_order);
        result.bytes.insert(result.bytes.end(), sum.begin(), sum.end());
    }
    appendLineEnding(result.bytes, spec.line_ending);
    return result;
}

}  // namespace sockscope
