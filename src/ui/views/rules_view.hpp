#pragma once
// Auto-reply rules in the GUI (docs/profile-format.md, "Auto-reply rules"):
//   - RulesEditor: the endpoint editor's section: add, edit, reorder, delete rules; the storm
//     limit; a "try it" box (paste a message, see which rule answers and the exact reply bytes).
//   - drawRuleCounts: the selected endpoint's rules with their live hit counts and the storm
//     guard's pauses (with Resume), above the send panel.
#include <optional>
#include <string>
#include <vector>

#include "ui/ui_model.hpp"

namespace sockscope::ui {

/// What the try-it box shows for one message.
struct TryItResult {
    std::string error;              // the message does not parse (hex), or a rule does not compile
    std::optional<std::size_t> rule;   // the first rule that fires; none: no match
    std::string rule_name;
    bool has_reply = false;
    Bytes reply;                    // exact bytes, templates rendered with the message
    std::size_t fired = 0;          // rules that fire (more than one through "continue")
};

/// Runs `rules` on `message` (text with escapes, or hex) as a new connection would see it.
TryItResult tryRules(const std::vector<ReplyRule>& rules, const std::string& message, bool hex);

class RulesEditor {
public:
    /// Draws the section for `config` (edited in place). `id` (0 = new) shows live hit counts.
    void draw(UiModel& model, EndpointConfig& config, EndpointId id);
    /// The try-it box's input and its result (tests).
    std::string& tryInput() { return m_tryInput; }
    const TryItResult& tryResult() const { return m_tryResult; }

private:
    void drawRule(UiModel& model, EndpointConfig& config, std::size_t index, const RuleCount* count);
    void drawTryIt(UiModel& model, const EndpointConfig& config);

    std::string m_tryInput;
    bool m_tryHex = false;
    TryItResult m_tryResult;
    std::vector<ReplyRule> m_triedRules;   // what m_tryResult was computed for
    std::string m_triedInput;
    bool m_triedHex = false;
    bool m_tried = false;
    /// Each rule's height when last drawn: rules out of view take their space without being
    /// drawn (20,000 rules cost 628 ms a frame drawn in full).
    std::vector<float> m_ruleHeights;
};

/// The selected endpoint's rules with live hits, paused rules in the "bad" colour with Resume.
void drawRuleCounts(UiModel& model, const CommandSink& submit, EndpointId id, const EndpointConfig& config);

}  // namespace sockscope::ui
