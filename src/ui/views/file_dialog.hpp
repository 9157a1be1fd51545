#pragma once
// A small file-path dialog in ImGui (no native dialog dependency): a path field, the current
// folder's sub-folders and .json files, Up, and OK/Cancel. Save mode warns before replacing.
#include <optional>
#include <string>
#include <vector>

#include "ui/ui_model.hpp"

namespace sockscope::ui {

enum class FileDialogMode : std::uint8_t { Open, Save };
/// Which files are listed: profiles (.json) or any file (a file to send).
enum class FileDialogFilter : std::uint8_t { Profiles, AnyFile };

class FileDialog {
public:
    void open(FileDialogMode mode, const std::string& initial_path,
              FileDialogFilter filter = FileDialogFilter::Profiles);
    bool isOpen() const { return m_visible; }
    FileDialogMode mode() const { return m_mode; }
    /// Draws the dialog; returns the chosen path on the frame the user confirms.
    std::optional<std::string> draw(UiModel& model);

private:
    void list(const std::string& folder);

    FileDialogMode m_mode = FileDialogMode::Open;
    FileDialogFilter m_filter = FileDialogFilter::Profiles;
    bool m_openRequested = false;
    bool m_visible = false;
    std::string m_folder;
    std::string m_path;
    std::vector<std::string> m_dirs;
    std::vector<std::string> m_files;
    std::string m_error;
};

}  // namespace sockscope::ui
