#pragma once
// Scripted exchanges (docs/profile-format.md, "Scripts"): named step lists per endpoint that send,
// wait for an expected answer with a timeout (recording pass/fail and the request -> response
// latency), pause, repeat, and connect/close. Plain data: the profile loader fills it, the script
// runner (script_runner.hpp) executes it on the I/O thread.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/codec/payload_template.hpp"
#include "core/script/script_match.hpp"

namespace sockscope {

/// How a `close` step closes: FIN after queued data, RST, or shutdown of the sending side.
enum class ScriptCloseMode : std::uint8_t { Fin, Rst, HalfClose };

enum class ScriptStepKind : std::uint8_t { Send, Expect, Wait, Repeat, Connect, Close };
const char* toString(ScriptStepKind kind);   // "send", "expect", "wait_ms", "repeat", "connect", "close"

struct ScriptStep {
    ScriptStepKind kind = ScriptStepKind::Send;
    std::string name;                  // optional label (reports, the checklist)
    PayloadSpec send;                  // Send
    ScriptMatchSpec expect;            // Expect
    int timeout_ms = 1000;             // Expect: fail when nothing matches within this; Connect: connect timeout
    int wait_ms = 0;                   // Wait
    std::uint32_t count = 1;           // Repeat: how many times `steps` run
    std::vector<ScriptStep> steps;     // Repeat
    ScriptCloseMode close_mode = ScriptCloseMode::Fin;   // Close
    bool operator==(const ScriptStep&) const = default;
};

struct Script {
    std::string name;
    std::vector<ScriptStep> steps;
    bool operator==(const Script&) const = default;
};

/// Bounds the loader enforces (a profile is user input; a fuzzer feeds it).
inline constexpr int kMaxScriptDepth = 8;                  // repeats nested at most this deep
inline constexpr std::size_t kMaxScriptSteps = 10'000;     // steps written in one script (repeats not expanded)
inline constexpr std::size_t kMaxScriptsPerEndpoint = 1000;
inline constexpr std::uint32_t kMaxRepeatCount = 10'000'000;
inline constexpr int kMaxScriptTimeoutMs = 3'600'000;

/// Steps in pre-order (a repeat, then its body): a step's index in this order is its id in
/// events, the checklist and reports.
std::vector<const ScriptStep*> flattenSteps(const Script& script);

/// "send", "expect \"PONG\" (prefix)", "repeat 100", "close (rst)": one line for a step.
std::string describeStep(const ScriptStep& step);

}  // namespace sockscope
