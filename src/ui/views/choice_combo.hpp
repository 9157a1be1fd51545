#pragma once
// Combos over the registry's choice tables (core/registry/choices.hpp): the items are the table's
// rows in its order, so the editor offers exactly what the profile loader accepts, and a row added
// to a table shows up here with no view changed (labelled by its English display text until
// kLabels in choice_combo.cpp gives it a translation).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/registry/choices.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {

struct ChoiceItem {
    const registry::Choice* choice;
    const char* label;   // in the GUI's language
};

/// Whether a value is offered here (a udp endpoint has no idle framing); empty: every row.
using ChoiceFilter = std::function<bool(int value)>;

/// The GUI's label for a row: its translation when kLabels has one, else the table's display.
const char* choiceLabel(std::string_view table, const registry::Choice& choice);
/// Whether the GUI has its own translation for the row (tests require one for every row).
bool hasTranslatedLabel(std::string_view table, std::string_view name);
/// The rows a combo over `table` lists, in the table's order.
std::vector<ChoiceItem> choiceItems(std::string_view table, const ChoiceFilter& allowed = {});

/// A combo over `table`; `value` is the enum as int. Each row is probed as "<probe>.<name>" and the
/// combo as "<probe>" (no probes when `probe` is empty). True when the user picked another value.
bool choiceCombo(UiModel& model, const char* id, std::string_view table, int& value, const std::string& probe = {},
                 const ChoiceFilter& allowed = {});

/// choiceCombo over an enum.
template <typename E>
bool choiceCombo(UiModel& model, const char* id, std::string_view table, E& value, const std::string& probe = {},
                 const ChoiceFilter& allowed = {}) {
    int v = static_cast<int>(value);
    const bool changed = choiceCombo(model, id, table, v, probe, allowed);
    if (changed) value = static_cast<E>(v);
    return changed;
}

}  // namespace sockscope::ui
