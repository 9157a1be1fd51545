#include "core/script/script_match.hpp"

#include <algorithm>
#include <cctype>

#include "core/codec/hex.hpp"

namespace sockscope {
namespace {

/// Hex with "??" wildcards: the bytes (wildcards as 00) and which are wildcards.
bool parseMaskedHex(const std::string& text, Bytes& bytes, std::vector<bool>& wild, std::string& error) {
    std::string plain;
    std::vector<std::size_t> wild_at;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '?') {
            if (i + 1 >= text.size() || text[i + 1] != '?') {
                error = "at character " + std::to_string(i + 1) + ": a wildcard byte is written ??";
                return false;
            }
            plain += " 00 ";
            wild_at.push_back(plain.size());
            i += 2;
            continue;
        }
        plain += text[i++];
    }
    ParseResult parsed = parseHex(plain);
    if (parsed.error) {
        error = parsed.error->reason;   // positions are of the ??-expanded text: say only what
        return false;
    }
    bytes = std::move(parsed.bytes);
    wild.assign(bytes.size(), false);
    // Map each wildcard to its byte index: count bytes parsed before its end marker.
    for (const std::size_t end : wild_at) {
        ParseResult before = parseHex(std::string_view(plain).substr(0, end));
        if (!before.bytes.empty()) wild[before.bytes.size() - 1] = true;
    }
    return true;
}

}  // namespace

std::string describeMatch(const ScriptMatchSpec& spec) {
    if (spec.any) return "any message";
    std::string out = spec.hex ? "hex " + spec.pattern : "text \"" + spec.pattern + "\"";
    if (spec.mode == ScriptTextMode::Prefix) out += " (prefix)";
    if (spec.mode == ScriptTextMode::Contains) out += " (contains)";
    return out;
}

std::optional<ScriptMatcher> ScriptMatcher::compile(const ScriptMatchSpec& spec, std::string& error) {
    ScriptMatcher m;
    m.m_spec = spec;
    if (spec.any) return m;
    if (spec.hex) {
        if (!parseMaskedHex(spec.pattern, m.m_bytes, m.m_wild, error)) return std::nullopt;
    } else {
        m.m_bytes.assign(spec.pattern.begin(), spec.pattern.end());
        m.m_wild.assign(m.m_bytes.size(), false);
    }
    return m;
}

bool ScriptMatcher::matches(std::span<const std::uint8_t> message) const {
    if (m_spec.any) return true;
    const auto equalAt = [&](std::size_t at) {
        for (std::size_t i = 0; i < m_bytes.size(); ++i)
            if (!m_wild[i] && message[at + i] != m_bytes[i]) return false;
        return true;
    };
    switch (m_spec.mode) {
    case ScriptTextMode::Exact: return message.size() == m_bytes.size() && equalAt(0);
    case ScriptTextMode::Prefix: return message.size() >= m_bytes.size() && equalAt(0);
    case ScriptTextMode::Contains:
        for (std::size_t at = 0; at + m_bytes.size() <= message.size(); ++at)
            if (equalAt(at)) return true;
        return false;
    }
    return false;
}

}  // namespace sockscope
