#pragma once
// Settings (language, theme, font size, text encoding, time format) and the shortcuts list.
// Language and theme apply at once, without a restart.
#include "ui/ui_model.hpp"

namespace sockscope::ui {

class SettingsView {
public:
    void openSettings() { m_openSettings = true; }
    void openShortcuts() { m_openShortcuts = true; }
    /// Returns true when a setting changed this frame (the app saves settings then).
    bool draw(UiModel& model);

private:
    bool m_openSettings = false;
    bool m_openShortcuts = false;
    bool m_settingsVisible = false;
    bool m_shortcutsVisible = false;
};

/// The shortcuts as (keys, description) for the list and the docs.
struct ShortcutInfo {
    const char* keys;
    Str description;
};
extern const ShortcutInfo kShortcuts[];
extern const std::size_t kShortcutCount;

}  // namespace sockscope::ui
