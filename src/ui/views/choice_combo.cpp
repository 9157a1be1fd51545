#include "ui/views/choice_combo.hpp"

#include <imgui.h>

#include <array>

#include "ui/i18n.hpp"
#include "ui/probe.hpp"

namespace sockscope::ui {
namespace {

// The GUI's translations of the rows it has words for; the others show the table's display text
// (checksum names such as "CRC-16/MODBUS" and encodings are the same in every language).
struct Label {
    std::string_view table, name;
    Str str;
};
constexpr std::array<Label, 20> kLabels{{
    {"framing.type", "raw", Str::FramingRaw},
    {"framing.type", "delimiter", Str::FramingDelimiter},
    {"framing.type", "fixed", Str::FramingFixed},
    {"framing.type", "length", Str::FramingLength},
    {"framing.type", "idle", Str::FramingIdle},
    {"framing.endian", "big", Str::BigEndian},
    {"framing.endian", "little", Str::LittleEndian},
    {"framing.on_error", "resync", Str::FramingResync},
    {"framing.on_error", "close", Str::FramingClose},
    {"match.mode", "exact", Str::RuleModeExact},
    {"match.mode", "prefix", Str::RuleModePrefix},
    {"match.mode", "contains", Str::RuleModeContains},
    {"match.mode", "regex", Str::RuleModeRegex},
    {"rules.close", "none", Str::RuleKeepOpen},
    {"rules.close", "fin", Str::RuleCloseFin},
    {"rules.close", "rst", Str::RuleCloseRst},
    {"checksum.order", "conventional", Str::OrderUsual},
    {"checksum.order", "big", Str::OrderBig},
    {"checksum.order", "little", Str::OrderLittle},
    {"line_ending", "none", Str::LeNone},
}};

const Label* findLabel(std::string_view table, std::string_view name) {
    for (const Label& l : kLabels)
        if (l.table == table && l.name == name) return &l;
    return nullptr;
}

}  // namespace

const char* choiceLabel(std::string_view table, const registry::Choice& choice) {
    if (const Label* l = findLabel(table, choice.name)) return tr(l->str);
    return choice.display.data();   // string literals in the table: null-terminated
}

bool hasTranslatedLabel(std::string_view table, std::string_view name) { return findLabel(table, name) != nullptr; }

std::vector<ChoiceItem> choiceItems(std::string_view table, const ChoiceFilter& allowed) {
    std::vector<ChoiceItem> items;
    for (const registry::Choice& c : registry::choices(table).items)
        if (!allowed || allowed(c.value)) items.push_back({&c, choiceLabel(table, c)});
    return items;
}

bool choiceCombo(UiModel& model, const char* id, std::string_view table, int& value, const std::string& probe,
                 const ChoiceFilter& allowed) {
    const registry::Choice* current = registry::findChoice(registry::choices(table), value);
    bool changed = false;
    if (ImGui::BeginCombo(id, current ? choiceLabel(table, *current) : "?")) {
        for (const ChoiceItem& item : choiceItems(table, allowed)) {
            if (ImGui::Selectable(item.label, item.choice->value == value) && item.choice->value != value) {
                value = item.choice->value;
                changed = true;
            }
            if (!probe.empty()) probeItem(model, probe + "." + std::string(item.choice->name));
        }
        ImGui::EndCombo();
    }
    if (!probe.empty()) probeItem(model, probe);
    return changed;
}

}  // namespace sockscope::ui
