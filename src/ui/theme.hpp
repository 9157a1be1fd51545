#pragma once
// Dark and light themes, plus the semantic colours the views use (Rx/Tx, states), chosen per
// theme so they read on either background.
#include <imgui.h>

#include "core/events.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {

/// The UI font's size in pixels at font scale 1 and content scale 1; layout sizes are kept at it.
inline constexpr float kBaseFontPx = 15.0f;

struct Palette {
    ImVec4 rx, tx, info, error, dim, good, warn, bad, idle, accent, close_wait_bg;
};

void applyTheme(ThemeKind theme, float scale);
const Palette& palette(ThemeKind theme);

ImVec4 colorOf(const Palette& p, TcpState state);

// Rows that wrap instead of running off the pane (large fonts, longer Chinese labels):
/// Continues the row (at `x` when given, > 0) if an item `width` wide still fits; else a new row.
void sameLineIfFits(float width, float x = 0.0f);
float buttonWidth(const char* label);     ///< a button's width for its label
float checkboxWidth(const char* label);   ///< a checkbox's width with its label
ImVec4 colorOf(const Palette& p, EndpointState state);

}  // namespace sockscope::ui
