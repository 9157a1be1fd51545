#include "ui/views/rules_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "core/session/rules.hpp"
#include "ui/i18n.hpp"
#include "ui/probe.hpp"
#include "ui/views/endpoint_editor_fields.hpp"
#include "ui/theme.hpp"
#include "ui/views/choice_combo.hpp"

namespace sockscope::ui {
namespace {

void tooltip(const char* text) {
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
}

const RuleCount* countOf(const EndpointRow* row, const std::string& name) {
    if (!row) return nullptr;
    for (const RuleCount& c : row->rules)
        if (c.name == name) return &c;
    return nullptr;
}

/// Why a rule would not load, in plain words (empty when it is fine).
std::string ruleError(const ReplyRule& rule) {
    const MatcherCompileResult matcher = compileMatcher(rule.match);
    if (!matcher.ok()) return describe(*matcher.error, rule.match.text);
    if (rule.reply) {
        const PayloadCompileResult reply = compilePayload(*rule.reply);
        if (!reply.ok()) return describe(*reply.error, rule.reply->text);
    }
    return {};
}

// Rows wrap instead of running past the modal's right edge (font scale 1-2, longer Chinese labels):
/// Continues the row when an item `width` wide fits (else a new row) and never lets it be wider
/// than what is left of the row.
void nextItem(float width) {
    sameLineIfFits(width);
    ImGui::SetNextItemWidth(std::min(width, ImGui::GetContentRegionAvail().x));
}
/// The first item of a row after its label: at `x` when it fits there, on the next row otherwise.
void afterLabel(float x, float width) {
    sameLineIfFits(std::min(width, ImGui::GetContentRegionAvail().x), x);
    ImGui::SetNextItemWidth(std::min(width, ImGui::GetContentRegionAvail().x));
}
void textInRow(const char* text) {
    sameLineIfFits(ImGui::CalcTextSize(text).x);
    ImGui::TextUnformatted(text);
}

}  // namespace

TryItResult tryRules(const std::vector<ReplyRule>& rules, const std::string& message, bool hex) {
    TryItResult result;
    ParseResult bytes = hex ? parseHex(message) : parseEscapedText(message);
    if (!bytes.ok()) {
        result.error = describe(*bytes.error, message);
        return result;
    }
    std::vector<std::string> errors;
    RuleSet set = RuleSet::compile(rules, &errors);
    if (!errors.empty()) {
        result.error = errors.front();
        return result;
    }
    RuleSessionState state = set.newSession();
    RuleEvaluation eval;
    set.evaluate(bytes.bytes, state, eval);
    if (!eval.errors.empty()) result.error = eval.errors.front();
    result.fired = eval.fired.size();
    if (eval.fired.empty()) return result;
    const RuleFiring& first = eval.fired.front();
    result.rule = first.rule;
    result.rule_name = set.rule(first.rule).config.name;
    result.has_reply = first.has_reply;
    for (const RuleFiring& f : eval.fired) result.reply.insert(result.reply.end(), f.reply.begin(), f.reply.end());
    result.has_reply = std::any_of(eval.fired.begin(), eval.fired.end(), [](const RuleFiring& f) { return f.has_reply; });
    return result;
}

void RulesEditor::draw(UiModel& model, EndpointConfig& config, EndpointId id) {
    char header[96];
    std::snprintf(header, sizeof header, "%s (%zu)###rules", tr(Str::RulesTitle), config.rules.size());
    if (!ImGui::CollapsingHeader(header, config.rules.empty() ? 0 : ImGuiTreeNodeFlags_DefaultOpen)) return;
    ImGui::PushID("rules");
    const EndpointRow* row = id != 0 ? model.table.endpoint(id) : nullptr;
    for (std::size_t i = 0; i < config.rules.size(); ++i) drawRule(model, config, i, row);
    if (ImGui::Button(tr(Str::RuleAdd))) {
        ReplyRule rule;
        rule.name = "rule " + std::to_string(config.rules.size() + 1);
        rule.match.body = MatchBody::Text;
        rule.match.mode = MatchMode::Prefix;
        config.rules.push_back(std::move(rule));
    }
    probeItem(model, "rules.add");
    textInRow(tr(Str::StormLimit));
    nextItem(ImGui::GetFontSize() * 6);
    stageInputInt(model, "##storm_limit", "rules", "storm_limit", config.storm_limit);
    tooltip(tr(Str::TipStormLimit));
    drawTryIt(model, config);
    ImGui::PopID();
}

void RulesEditor::drawRule(UiModel& model, EndpointConfig& config, std::size_t index, const EndpointRow* row) {
    ReplyRule& rule = config.rules[index];
    const Palette& pal = palette(model.settings.theme);
    const float em = ImGui::GetFontSize();
    const std::string probe = "rules." + std::to_string(index) + ".";
    ImGui::PushID(static_cast<int>(index));
    ImGui::Separator();
    ImGui::Checkbox("##enabled", &rule.enabled);
    tooltip(tr(Str::RuleEnabled));
    nextItem(em * 12);
    ImGui::InputText("##name", &rule.name);
    probeItem(model, probe + "name");
    if (const RuleCount* count = countOf(row, rule.name)) {
        char hits[64];
        std::snprintf(hits, sizeof hits, tr(Str::RuleHits), static_cast<unsigned long long>(count->hits));
        sameLineIfFits(ImGui::CalcTextSize(hits).x);
        ImGui::TextColored(count->paused ? pal.bad : pal.dim, "%s", hits);
        if (count->paused) {
            sameLineIfFits(ImGui::CalcTextSize(tr(Str::RulePaused)).x);
            ImGui::TextColored(pal.bad, "%s", tr(Str::RulePaused));
        }
    }
    std::optional<int> move;
    sameLineIfFits(buttonWidth(tr(Str::RuleUp)));
    if (ImGui::SmallButton(tr(Str::RuleUp)) && index > 0) move = -1;
    sameLineIfFits(buttonWidth(tr(Str::RuleDown)));
    if (ImGui::SmallButton(tr(Str::RuleDown)) && index + 1 < config.rules.size()) move = 1;
    sameLineIfFits(buttonWidth(tr(Str::RuleDelete)));
    const bool remove = ImGui::SmallButton(tr(Str::RuleDelete));
    probeItem(model, probe + "delete");

    // Match: any / text / hex, the text, the mode.
    ImGui::TextUnformatted(tr(Str::RuleMatch));
    int body = static_cast<int>(rule.match.body);
    const char* bodies[] = {tr(Str::RuleMatchAny), tr(Str::RuleMatchText), tr(Str::RuleMatchHex)};
    afterLabel(em * 5, em * 9);
    if (ImGui::Combo("##body", &body, bodies, 3)) {
        rule.match.body = static_cast<MatchBody>(body);
        if (rule.match.body == MatchBody::Hex && rule.match.mode == MatchMode::Regex) rule.match.mode = MatchMode::Exact;
    }
    if (rule.match.body != MatchBody::Any) {
        nextItem(em * 16);
        ImGui::InputText("##match", &rule.match.text);
        probeItem(model, probe + "match");
        nextItem(em * 7);
        const bool hex = rule.match.body == MatchBody::Hex;   // a regex matches text only
        choiceCombo(model, "##mode", "match.mode", rule.match.mode, probe + "mode",
                    [hex](int mode) { return !hex || static_cast<MatchMode>(mode) != MatchMode::Regex; });
    }

    // Reply: text or hex in the payload language (an empty reply: the rule sends nothing).
    ImGui::TextUnformatted(tr(Str::RuleReply));
    std::string reply = rule.reply ? rule.reply->text : std::string();
    bool reply_hex = rule.reply && rule.reply->mode == PayloadMode::Hex;
    afterLabel(em * 5, em * 20);
    const bool reply_edited = ImGui::InputTextWithHint("##reply", tr(Str::RuleNoReply), &reply);
    probeItem(model, probe + "reply");
    sameLineIfFits(checkboxWidth(tr(Str::RuleReplyHex)));
    const bool hex_edited = ImGui::Checkbox(tr(Str::RuleReplyHex), &reply_hex);
    if (reply_edited || hex_edited) {
        if (reply.empty() && !(rule.reply && rule.reply->checksum)) {
            rule.reply.reset();
        } else {
            if (!rule.reply) rule.reply = PayloadSpec{};
            rule.reply->text = reply;
            rule.reply->mode = reply_hex ? PayloadMode::Hex : PayloadMode::Text;
        }
    }

    ImGui::TextUnformatted(tr(Str::RuleDelay));
    afterLabel(em * 5, em * 5);
    stageInputInt(model, "##delay", "rules", "rules.delay_ms", rule.delay_ms);
    textInRow(tr(Str::RuleTimes));
    nextItem(em * 4);
    stageInputInt(model, "##times", "rules", "rules.times", rule.times, false, /*zero_is_off=*/true);   // 0: always
    if (config.type != EndpointType::Udp) {
        textInRow(tr(Str::RuleThen));
        nextItem(em * 9);
        choiceCombo(model, "##close", "rules.close", rule.close, probe + "close");
    }
    sameLineIfFits(checkboxWidth(tr(Str::RuleContinue)));
    ImGui::Checkbox(tr(Str::RuleContinue), &rule.continue_matching);
    if (rule.faults) {   // a rule's own fault injection (edited in the profile): shown while active
        sameLineIfFits(ImGui::CalcTextSize(tr(Str::FaultsBadge)).x + em);
        ImGui::TextColored(pal.warn, "[%s]", tr(Str::FaultsBadge));
        probeItem(model, probe + "faults");
    }

    if (const std::string error = ruleError(rule); !error.empty()) ImGui::TextColored(pal.bad, "%s", error.c_str());
    ImGui::PopID();
    if (move) std::swap(config.rules[index], config.rules[index + static_cast<std::size_t>(*move)]);
    else if (remove) config.rules.erase(config.rules.begin() + static_cast<std::ptrdiff_t>(index));
}

void RulesEditor::drawTryIt(UiModel& model, const EndpointConfig& config) {
    const Palette& pal = palette(model.settings.theme);
    ImGui::Separator();
    ImGui::TextUnformatted(tr(Str::TryIt));
    afterLabel(ImGui::GetFontSize() * 5, ImGui::GetFontSize() * 20);
    ImGui::InputText("##try", &m_tryInput);
    probeItem(model, "rules.try.input");
    tooltip(tr(Str::TipTryIt));
    sameLineIfFits(checkboxWidth(tr(Str::TryItHex)));
    ImGui::Checkbox(tr(Str::TryItHex), &m_tryHex);
    probeItem(model, "rules.try.hex");
    // Recomputed only when the message or the rules changed (a regex compiles once per change).
    if (!m_tried || m_tryInput != m_triedInput || m_tryHex != m_triedHex || config.rules != m_triedRules) {
        m_tryResult = tryRules(config.rules, m_tryInput, m_tryHex);
        m_triedInput = m_tryInput;
        m_triedHex = m_tryHex;
        m_triedRules = config.rules;
        m_tried = true;
    }
    const TryItResult& r = m_tryResult;
    if (!r.error.empty()) ImGui::TextColored(pal.bad, "%s", r.error.c_str());
    if (!r.rule) {
        if (r.error.empty()) ImGui::TextColored(pal.dim, "%s", tr(Str::TryItNoMatch));
        return;
    }
    ImGui::TextColored(pal.good, tr(Str::TryItMatches), static_cast<int>(*r.rule + 1), r.rule_name.c_str());
    if (!r.has_reply) {
        ImGui::TextColored(pal.dim, "%s", tr(Str::TryItNoReply));
        return;
    }
    ImGui::Text(tr(Str::TryItReplyHex), formatHex(r.reply).c_str());
    ImGui::Text(tr(Str::TryItReplyText), escapeForDisplay(r.reply).c_str());
}

void drawRuleCounts(UiModel& model, const CommandSink& submit, EndpointId id, const EndpointConfig& config) {
    if (config.rules.empty()) return;
    const EndpointRow* row = model.table.endpoint(id);
    const Palette& pal = palette(model.settings.theme);
    ImGui::PushID("rule_counts");
    ImGui::TextColored(pal.dim, "%s", tr(Str::RulesLabel));
    for (std::size_t i = 0; i < config.rules.size(); ++i) {
        const ReplyRule& rule = config.rules[i];
        const RuleCount* count = countOf(row, rule.name);
        ImGui::SameLine();
        char hits[64];
        std::snprintf(hits, sizeof hits, tr(Str::RuleHits), static_cast<unsigned long long>(count ? count->hits : 0));
        const bool paused = count && count->paused;
        ImGui::TextColored(paused ? pal.bad : rule.enabled ? pal.info : pal.dim, "%s: %s%s", rule.name.c_str(), hits,
                           paused ? " !" : "");
        if (paused) {
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::RulePaused));
            ImGui::SameLine();
            ImGui::PushID(static_cast<int>(i));
            if (ImGui::SmallButton(tr(Str::RuleResume))) submit(ResumeRules{id, rule.name});
            probeItem(model, "rules.resume." + std::to_string(i));
            ImGui::PopID();
        }
    }
    ImGui::PopID();
}

}  // namespace sockscope::ui
