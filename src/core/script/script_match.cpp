#include "core/script/script_match.hpp"

#include <string_view>

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"

namespace sockscope {
namespace {

/// Hex with ?? wildcards as bytes, each ?? as 00 (only for showing what was expected).
Bytes exampleFromHex(std::string_view text) {
    std::string plain;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '?' && i + 1 < text.size() && text[i + 1] == '?') {
            plain += " 00 ";
            ++i;
        } else {
            plain += text[i];
        }
    }
    return parseHex(plain).bytes;
}

}  // namespace

std::optional<ScriptMatcher> ScriptMatcher::compile(const ScriptMatchSpec& spec, std::string& error) {
    MatcherCompileResult compiled = compileMatcher(spec);
    if (!compiled.ok()) {
        error = compiled.error ? describe(*compiled.error, spec.text) : "the match does not compile";
        return std::nullopt;
    }
    ScriptMatcher m;
    m.m_matcher = std::move(*compiled.matcher);
    if (spec.body == MatchBody::Hex) {
        m.m_bytes = exampleFromHex(spec.text);
    } else if (spec.body == MatchBody::Text && spec.mode != MatchMode::Regex) {
        m.m_bytes = spec.escapes ? parseEscapedText(spec.text, spec.encoding).bytes : Bytes(spec.text.begin(), spec.text.end());
    }
    return m;
}

}  // namespace sockscope
