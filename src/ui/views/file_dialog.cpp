#include "ui/views/file_dialog.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>

#include "ui/probe.hpp"
#include "ui/theme.hpp"
#include "ui/window_fit.hpp"

namespace sockscope::ui {
namespace fs = std::filesystem;

void FileDialog::open(FileDialogMode mode, const std::string& initial_path, FileDialogFilter filter) {
    m_mode = mode;
    m_filter = filter;
    m_path = initial_path;
    std::error_code ec;
    fs::path folder = fs::path(initial_path).parent_path();
    if (initial_path.empty() || !fs::is_directory(folder, ec)) folder = fs::current_path(ec);
    if (initial_path.empty()) m_path = (folder / (mode == FileDialogMode::Save ? "profile.json" : "")).string();
    list(folder.string());
    m_openRequested = true;
    m_visible = true;
}

void FileDialog::list(const std::string& folder) {
    m_folder = folder;
    m_dirs.clear();
    m_files.clear();
    m_error.clear();
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        std::error_code type_ec;
        if (it->is_directory(type_ec)) m_dirs.push_back(name);
        else if (m_filter == FileDialogFilter::AnyFile || it->path().extension() == ".json") m_files.push_back(name);
        if (m_dirs.size() + m_files.size() > 5000) break;   // a bounded listing
    }
    if (ec) m_error = ec.message();
    std::sort(m_dirs.begin(), m_dirs.end());
    std::sort(m_files.begin(), m_files.end());
}

std::optional<std::string> FileDialog::draw(UiModel& model) {
    if (m_openRequested) {
        ImGui::OpenPopup("###filedialog");
        m_openRequested = false;
    }
    const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
    ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(fitToWindow(ImVec2(ImGui::GetFontSize() * 36, ImGui::GetFontSize() * 26)), ImGuiCond_Appearing);
    const char* name = m_filter == FileDialogFilter::AnyFile ? tr(Str::ChooseFileToSend)
                       : m_mode == FileDialogMode::Open   ? tr(Str::OpenProfile)
                                                          : tr(Str::SaveProfileAs);
    const std::string title = std::string(name) + "###filedialog";
    if (!ImGui::BeginPopupModal(title.c_str(), &m_visible)) return std::nullopt;
    const Palette& pal = palette(model.settings.theme);
    std::optional<std::string> chosen;

    if (ImGui::Button(tr(Str::Up))) {
        const fs::path parent = fs::path(m_folder).parent_path();
        if (!parent.empty()) list(parent.string());
    }
    ImGui::SameLine();
    ImGui::TextColored(pal.dim, "%s", m_folder.c_str());
    ImGui::BeginChild("##entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * 3), true);
    std::string enter;
    for (const auto& dir : m_dirs)
        if (ImGui::Selectable((dir + "/").c_str(), false, ImGuiSelectableFlags_AllowDoubleClick)) enter = dir;
    for (const auto& file : m_files) {
        const std::string full = (fs::path(m_folder) / file).string();
        if (ImGui::Selectable(file.c_str(), full == m_path, ImGuiSelectableFlags_AllowDoubleClick)) {
            m_path = full;
            if (ImGui::IsMouseDoubleClicked(0)) chosen = m_path;
        }
    }
    if (!m_error.empty()) ImGui::TextColored(pal.bad, "%s", m_error.c_str());
    ImGui::EndChild();
    if (!enter.empty()) list((fs::path(m_folder) / enter).string());

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(Str::Path));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    if (ImGui::InputText("##path", &m_path, ImGuiInputTextFlags_EnterReturnsTrue)) chosen = m_path;
    probeItem(model, "filedialog.path");
    std::error_code ec;
    const bool exists = fs::is_regular_file(m_path, ec);
    const bool is_dir = fs::is_directory(m_path, ec);
    if (m_mode == FileDialogMode::Save && exists) ImGui::TextColored(pal.warn, "%s", tr(Str::FileExists));
    else ImGui::NewLine();

    const bool usable = !m_path.empty() && !is_dir && (m_mode == FileDialogMode::Save || exists);
    ImGui::BeginDisabled(!usable);
    if (ImGui::Button(m_mode == FileDialogMode::Open ? tr(Str::Open) : tr(Str::Save),
                      ImVec2(ImGui::GetFontSize() * 6, 0)))
        chosen = m_path;
    ImGui::EndDisabled();
    probeItem(model, "filedialog.ok");
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::Cancel), ImVec2(ImGui::GetFontSize() * 6, 0))) m_visible = false;

    if (chosen && (!usable || is_dir)) {
        if (is_dir) list(*chosen);
        chosen.reset();
    }
    if (chosen) m_visible = false;
    if (!m_visible) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return chosen;
}

}  // namespace sockscope::ui
