#pragma once
// What an `expect` step waits for: the message matcher's spec (match/message_matcher.hpp, the
// same language as auto-reply rules). This header is the script's only seam to the matcher.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/match/message_matcher.hpp"
#include "core/types.hpp"

namespace sockscope {

using ScriptMatchSpec = MatchSpec;

/// A spec compiled once, tested per received message (one per run: the matcher is not shared).
class ScriptMatcher {
public:
    /// nullopt and `error` set when the spec cannot be compiled.
    static std::optional<ScriptMatcher> compile(const ScriptMatchSpec& spec, std::string& error);
    /// A regex that gives up (its limits) counts as no match.
    [[nodiscard]] bool matches(std::span<const std::uint8_t> message) {
        return m_matcher.match(message) == MatchOutcome::Match;
    }
    /// The bytes a matching message holds (hex ?? as 00, text with its escapes), for reports;
    /// empty for `any` and regex.
    [[nodiscard]] const Bytes& exampleBytes() const { return m_bytes; }

private:
    MessageMatcher m_matcher;
    Bytes m_bytes;
};

}  // namespace sockscope
