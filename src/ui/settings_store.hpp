#pragma once
// settings.json: UI preferences, recent profiles, pane sizes, and where the workspace came from.
// No ImGui here (the fuzz target links it alone). Loading never throws and never aborts: every
// value of the wrong type, out of range or not finite is reported and replaced by its default;
// a file that is not a JSON object at all, too large or unreadable is reported as a whole.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ui/ui_model.hpp"

namespace sockscope::ui {

struct Layout {
    float left_width = 330;      // workspace tree
    float connections_height = 190;
    float send_height = 150;
    float detail_width = 440;
    /// Views the user hid (View menu), by id (ui/views/register_views.cpp); an id no view has
    /// is kept (a newer version's view) and does nothing.
    std::vector<std::string> hidden_views;
    static constexpr std::size_t kMaxHiddenViews = 64;
    static constexpr std::size_t kMaxViewIdBytes = 64;
};

/// What settings.json says about the last session's workspace.
struct StoredState {
    bool has_language = false;
    std::optional<std::string> workspace_path;
    bool workspace_dirty = false;
    std::string workspace_name = "workspace";
};

struct SettingsLoad {
    Settings settings;
    Layout layout;
    StoredState state;
    std::vector<std::string> problems;   ///< "workspace_dirty: expected true or false, got 3"
};

/// Settings files above this size are not parsed (a real one is a few KB).
constexpr std::size_t kMaxSettingsFileBytes = 1u << 20;

/// Parses settings text; defaults for whatever is missing or wrong (each wrong one is a problem).
SettingsLoad parseSettings(std::string_view text);

/// The settings as text (what saving writes; parseSettings() reads it back unchanged).
std::string settingsToText(const Settings& settings, const Layout& layout, const StoredState& state);

struct SettingsFileLoad {
    SettingsLoad load;
    /// Empty when the file was fine or absent; otherwise one sentence for the window (what was
    /// wrong, and where the file was set aside).
    std::string report;
};

/// Reads `file`. A file with problems is renamed aside (never deleted) to
/// "<name>.broken-YYYYMMDD-HHMMSS" so the next save cannot overwrite what the user had.
SettingsFileLoad loadSettingsFile(const std::filesystem::path& file);

/// Renames `file` to "<name>.broken-<local time>" (a free name); returns the new path, or empty
/// with `error` set when it could not.
std::filesystem::path setFileAside(const std::filesystem::path& file, std::string* error = nullptr);

/// Quit ▸ Discard: the autosaved workspace (`workspace_file`) goes back to what was saved, so the
/// next start shows the saved profile at `profile_path` (copied in, validated) or, for a workspace
/// never saved, nothing. The discarded autosave is kept as discardedWorkspaceFile() until the next
/// Discard. False with `error` set when that could not be done (the profile is gone or broken,
/// the disk refused): the caller keeps the work marked unsaved.
/// "<workspace_file>.discarded": the work the last Quit ▸ Discard threw away.
std::filesystem::path discardedWorkspaceFile(const std::filesystem::path& workspace_file);
[[nodiscard]] bool restoreSavedWorkspace(const std::filesystem::path& workspace_file,
                                         const std::optional<std::string>& profile_path, std::string* error);

}  // namespace sockscope::ui
