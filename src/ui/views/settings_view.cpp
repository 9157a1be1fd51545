#include "ui/views/settings_view.hpp"

#include <imgui.h>

#include "ui/theme.hpp"

namespace sockscope::ui {

const ShortcutInfo kShortcuts[] = {
    {"Ctrl+Enter", Str::ShortcutSend},    {"Ctrl+Up / Ctrl+Down", Str::ShortcutHistory},
    {"Ctrl+S", Str::ShortcutSave},        {"Ctrl+O", Str::ShortcutOpen},
    {"Ctrl+L", Str::ShortcutClear},       {"Ctrl+C", Str::ShortcutCopy},
    {"Ctrl+N", Str::ShortcutNew},         {"Ctrl+B", Str::ShortcutBookmark},
    {"F3 / Shift+F3", Str::ShortcutFindNext}, {"Ctrl+1 .. Ctrl+9", Str::ShortcutSavedCommand},
    {nullptr, Str::ShortcutDrop},
};
const std::size_t kShortcutCount = sizeof(kShortcuts) / sizeof(kShortcuts[0]);

bool SettingsView::draw(UiModel& model) {
    bool changed = false;
    if (m_openSettings) {
        ImGui::OpenPopup("###settings");
        m_openSettings = false;
        m_settingsVisible = true;
    }
    if (m_openShortcuts) {
        ImGui::OpenPopup("###shortcuts");
        m_openShortcuts = false;
        m_shortcutsVisible = true;
    }
    const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
    ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    std::string title = std::string(tr(Str::Settings)) + "###settings";
    if (ImGui::BeginPopupModal(title.c_str(), &m_settingsVisible, ImGuiWindowFlags_AlwaysAutoResize)) {
        Settings& s = model.settings;
        const float label_x = ImGui::GetFontSize() * 8;
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(Str::Language));
        ImGui::SameLine(label_x);
        int language = static_cast<int>(s.language);
        if (ImGui::RadioButton("English", &language, 0)) changed = true;
        ImGui::SameLine();
        if (ImGui::RadioButton("简体中文", &language, 1)) changed = true;
        s.language = static_cast<Language>(language);
        setLanguage(s.language);

        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(Str::Theme));
        ImGui::SameLine(label_x);
        int theme = static_cast<int>(s.theme);
        bool theme_changed = ImGui::RadioButton(tr(Str::ThemeDark), &theme, 0);
        ImGui::SameLine();
        theme_changed |= ImGui::RadioButton(tr(Str::ThemeLight), &theme, 1);
        if (theme_changed) {
            s.theme = static_cast<ThemeKind>(theme);
            changed = true;
        }

        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(Str::FontScale));
        ImGui::SameLine(label_x);
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
        // Clamped when typed (Ctrl+click) too: the settings loader accepts 0.7-2.0 only.
        if (ImGui::SliderFloat("##fontscale", &s.font_scale, 0.7f, 2.0f, "%.2fx", ImGuiSliderFlags_AlwaysClamp))
            changed = true;

        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(Str::TextEncoding));
        ImGui::SameLine(label_x);
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
        if (ImGui::BeginCombo("##enc", toString(s.encoding))) {
            for (TextEncoding e : kTextEncodings)
                if (ImGui::Selectable(toString(e), e == s.encoding)) {
                    s.encoding = e;
                    changed = true;
                }
            ImGui::EndCombo();
        }

        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(Str::TimeMode));
        ImGui::SameLine(label_x);
        int time_mode = static_cast<int>(s.time_mode);
        const char* times[] = {tr(Str::TimeAbsolute), tr(Str::TimeRelative), tr(Str::TimeDelta)};
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
        if (ImGui::Combo("##time", &time_mode, times, 3)) {
            s.time_mode = static_cast<TimeMode>(time_mode);
            changed = true;
        }
        ImGui::Separator();
        if (ImGui::Button(tr(Str::Close), ImVec2(ImGui::GetFontSize() * 6, 0))) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }

    ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    title = std::string(tr(Str::Shortcuts)) + "###shortcuts";
    if (ImGui::BeginPopupModal(title.c_str(), &m_shortcutsVisible, ImGuiWindowFlags_AlwaysAutoResize)) {
        if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
            for (std::size_t i = 0; i < kShortcutCount; ++i) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                // A null key text is a gesture, named in the UI language.
                const char* keys = kShortcuts[i].keys ? kShortcuts[i].keys : tr(Str::ShortcutDropKeys);
                ImGui::TextColored(palette(model.settings.theme).accent, "%s", keys);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(tr(kShortcuts[i].description));
            }
            ImGui::EndTable();
        }
        if (ImGui::Button(tr(Str::Close), ImVec2(ImGui::GetFontSize() * 6, 0))) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    return changed;
}

}  // namespace sockscope::ui
