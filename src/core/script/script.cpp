#include "core/script/script.hpp"

#include "core/match/message_matcher.hpp"

namespace sockscope {
namespace {

void flattenInto(const std::vector<ScriptStep>& steps, std::vector<const ScriptStep*>& out) {
    for (const ScriptStep& step : steps) {
        out.push_back(&step);
        if (step.kind == ScriptStepKind::Repeat) flattenInto(step.steps, out);
    }
}

}  // namespace

const char* toString(ScriptStepKind kind) {
    switch (kind) {
    case ScriptStepKind::Send: return "send";
    case ScriptStepKind::Expect: return "expect";
    case ScriptStepKind::Wait: return "wait_ms";
    case ScriptStepKind::Repeat: return "repeat";
    case ScriptStepKind::Connect: return "connect";
    case ScriptStepKind::Close: return "close";
    }
    return "?";
}

std::vector<const ScriptStep*> flattenSteps(const Script& script) {
    std::vector<const ScriptStep*> out;
    flattenInto(script.steps, out);
    return out;
}

std::string describeStep(const ScriptStep& step) {
    std::string out;
    switch (step.kind) {
    case ScriptStepKind::Send:
    {
        // As typed, like an expect's (describeMatch): quoting it again doubled its escapes ("\\r").
        const std::string shown = shownText(step.send.text);
        out = step.send.mode == PayloadMode::Hex ? "send hex " + shown : "send text \"" + shown + "\"";
    }
        break;
    case ScriptStepKind::Expect:
        out = "expect " + describeMatch(step.expect) + " within " + std::to_string(step.timeout_ms) + " ms";
        break;
    case ScriptStepKind::Wait: out = "wait " + std::to_string(step.wait_ms) + " ms"; break;
    case ScriptStepKind::Repeat: out = "repeat " + std::to_string(step.count); break;
    case ScriptStepKind::Connect: out = "connect"; break;
    case ScriptStepKind::Close:
        out = step.close_mode == ScriptCloseMode::Rst ? "close (rst)"
              : step.close_mode == ScriptCloseMode::HalfClose ? "close (half-close)" : "close (fin)";
        break;
    }
    if (!step.name.empty()) out = step.name + ": " + out;
    return out;
}

}  // namespace sockscope
