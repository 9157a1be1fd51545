#pragma once
// What an `expect` step waits for: the message matcher's spec ({ "text": "PONG", "mode":
// "prefix" }, { "hex": "01 03 02 ?? ??" }, { "any": true }). This header is the script's seam to
// the matcher: the script code uses only these names.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace sockscope {

enum class ScriptTextMode : std::uint8_t { Exact, Prefix, Contains };

struct ScriptMatchSpec {
    bool any = false;
    bool hex = false;                  // `pattern` is hex with ?? wildcards
    std::string pattern;               // text, or hex text
    ScriptTextMode mode = ScriptTextMode::Exact;
    bool operator==(const ScriptMatchSpec&) const = default;
};

/// One line: "text \"PONG\" (prefix)", "hex 01 03 02 ?? ??", "any message".
std::string describeMatch(const ScriptMatchSpec& spec);

/// A spec compiled once, tested per received message.
class ScriptMatcher {
public:
    /// nullopt and `error` set when the spec cannot be compiled.
    static std::optional<ScriptMatcher> compile(const ScriptMatchSpec& spec, std::string& error);
    [[nodiscard]] bool matches(std::span<const std::uint8_t> message) const;
    /// The bytes a matching message would hold (wildcards as 00), for reports; empty for `any`.
    [[nodiscard]] const Bytes& exampleBytes() const { return m_bytes; }

private:
    ScriptMatchSpec m_spec;
    Bytes m_bytes;
    std::vector<bool> m_wild;
};

}  // namespace sockscope
