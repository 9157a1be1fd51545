#include "ui/views/rules_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <unordered_map>

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

/// The engine's counts of rule `index` (by name): O(1) with thousands of rules. The engine
/// reports them in the rules' order; an index by name is built only when that does not hold (an
/// edit not yet applied).
class RuleCounts {
public:
    explicit RuleCounts(const EndpointRow* row) : m_row(row) {}
    const RuleCount* find(std::size_t index, const std::string& name) {
        if (!m_row) return nullptr;
        if (index < m_row->rules.size() && m_row->rules[index].name == name) return &m_row->rules[index];
        if (m_byName.empty())
            for (const RuleCount& c : m_row->rules) m_byName.emplace(c.name, &c);
        const auto it = m_byName.find(name);
        return it == m_byName.end() ? nullptr : it->second;
    }

private:
    const EndpointRow* m_row;
    std::unordered_map<std::string_view, const RuleCount*> m_byName;
};

/// The counts strip names this many rules (paused ones first to be seen); the rest are summed.
constexpr std::size_t kCountsNamed = 12;

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
    RuleCounts counts(id != 0 ? model.table.endpoint(id) : nullptr);
    m_ruleHeights.resize(config.rules.size(), 0.0f);
    const float spacing = ImGui::GetStyle().ItemSpacing.y;
    float estimate = 0.0f;   // a rule not drawn yet: as high as the last one measured
    float skipped = 0.0f;    // the space of the rules out of view just passed: one Dummy takes it
    for (std::size_t i = 0; i < config.rules.size(); ++i) {
        // Out of view: its space only (heights vary with wrapping; each is measured when drawn).
        const float height = m_ruleHeights[i] > 0.0f ? m_ruleHeights[i] : estimate;
        ImVec2 at = ImGui::GetCursorScreenPos();
        at.y += skipped;
        if (height > spacing && !ImGui::IsRectVisible(at, ImVec2(at.x + 1.0f, at.y + height))) {
            skipped += height;
            continue;
        }
        if (skipped > 0.0f) ImGui::Dummy(ImVec2(1.0f, skipped - spacing));
        skipped = 0.0f;
        const float y = ImGui::GetCursorPosY();
        const std::size_t before = config.rules.size();
        drawRule(model, config, i, counts.find(i, config.rules[i].name));
        if (config.rules.size() != before) break;   // deleted: the rest is drawn next frame
        m_ruleHeights[i] = estimate = ImGui::GetCursorPosY() - y;
    }
    if (skipped > 0.0f) ImGui::Dummy(ImVec2(1.0f, skipped - spacing));
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

void RulesEditor::drawRule(UiModel& model, EndpointConfig& config, std::size_t index, const RuleCount* count) {
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
    if (count) {
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
    RuleCounts counts(model.table.endpoint(id));
    const Palette& pal = palette(model.settings.theme);
    ImGui::PushID("rule_counts");
    ImGui::TextColored(pal.dim, "%s", tr(Str::RulesLabel));
    std::size_t named = 0, named_paused = 0, rest = 0, rest_paused = 0;
    unsigned long long rest_hits = 0;
    for (std::size_t i = 0; i < config.rules.size(); ++i) {
        const ReplyRule& rule = config.rules[i];
        const RuleCount* count = counts.find(i, rule.name);
        // Past kCountsNamed only paused rules are named (up to as many again): they need a Resume.
        if (named >= kCountsNamed && !(count && count->paused && named_paused < kCountsNamed)) {
            ++rest;
            rest_hits += count ? count->hits : 0;
            rest_paused += count && count->paused ? 1 : 0;
            continue;
        }
        ++named;
        named_paused += count && count->paused ? 1 : 0;
        char hits[64];
        std::snprintf(hits, sizeof hits, tr(Str::RuleHits), static_cast<unsigned long long>(count ? count->hits : 0));
        const bool paused = count && count->paused;
        const std::string label = rule.name + ": " + hits + (paused ? " !" : "");
        sameLineIfFits(ImGui::CalcTextSize(label.c_str()).x);   // wraps: never past the window's edge
        ImGui::TextColored(paused ? pal.bad : rule.enabled ? pal.info : pal.dim, "%s", label.c_str());
        if (paused) {
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::RulePaused));
            sameLineIfFits(buttonWidth(tr(Str::RuleResume)));
            ImGui::PushID(static_cast<int>(i));
            if (ImGui::SmallButton(tr(Str::RuleResume))) submit(ResumeRules{id, rule.name});
            probeItem(model, "rules.resume." + std::to_string(i));
            ImGui::PopID();
        }
    }
    if (rest > 0) {
        char more[160];
        std::snprintf(more, sizeof more, tr(Str::RulesMore), rest, rest_hits, rest_paused);
        sameLineIfFits(ImGui::CalcTextSize(more).x);
        ImGui::TextColored(rest_paused > 0 ? pal.bad : pal.dim, "%s", more);
        probeItem(model, "rules.more");
        if (rest_paused > 0) {
            sameLineIfFits(buttonWidth(tr(Str::RuleResumeAll)));
            if (ImGui::SmallButton(tr(Str::RuleResumeAll))) submit(ResumeRules{id, ""});
            probeItem(model, "rules.resume_all");
        }
    }
    ImGui::PopID();
}

}  // namespace sockscope::ui
