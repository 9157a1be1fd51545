#pragma once
// The one window: menu bar, then the registered views placed by slot (ui/view.hpp): Left |
// Top / (Center | Side) / Bottom, the status line under all; resizable splitters between the
// panes; the View menu shows and hides views (Layout::hidden_views). Owns the views (through
// registerViews()), the shortcuts and the modal dialogs. File I/O goes through AppHooks.
#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ui/settings_store.hpp"
#include "ui/ui_model.hpp"
#include "ui/view.hpp"
#include "ui/views/connections_view.hpp"
#include "ui/views/endpoint_editor.hpp"
#include "ui/views/file_dialog.hpp"
#include "ui/views/import_view.hpp"
#include "ui/views/log_view.hpp"
#include "ui/views/send_panel.hpp"
#include "ui/views/recording_view.hpp"
#include "ui/views/settings_view.hpp"
#include "ui/views/script_view.hpp"
#include "ui/views/sources_strip.hpp"
#include "ui/views/status_bar.hpp"
#include "ui/views/workspace_view.hpp"

namespace sockscope::ui {

struct LoadedProfile {
    std::string name;
    std::vector<EndpointConfig> endpoints;
    std::vector<RecordingConfig> recording;   // the profile's recorders (started when it opens)
};

struct AppHooks {
    /// Reads a profile; false + a plain-words error when it cannot.
    std::function<bool(const std::string& path, LoadedProfile& out, std::string& error)> load;
    /// Writes the workspace as a profile (atomically); false + error when it cannot.
    std::function<bool(const std::string& path, const std::string& name,
                       const std::vector<EndpointConfig>& endpoints, std::string& error)>
        save;
    std::function<void()> quit;              ///< close the app (after unsaved changes were handled)
    std::function<void()> settingsChanged;   ///< language/theme/font... changed: persist, re-style
    /// Runs a file job off the frame loop; the completion it returns runs later on the UI thread.
    /// Unset (tests): the job and its completion run at once.
    std::function<void(std::function<std::function<void()>()>)> background;
    /// When set, used instead of `save`: also writes the profile's "recording" (a copy taken on
    /// the UI thread).
    std::function<bool(const std::string& path, const std::string& name, const std::vector<EndpointConfig>& endpoints,
                       const std::vector<RecordingConfig>& recording, std::string& error)>
        saveWithRecording;
};

class MainWindow {
public:
    MainWindow(UiModel& model, CommandSink submit, AppHooks hooks);

    /// Draws one frame of the UI (between ImGui::NewFrame and ImGui::Render).
    void draw();

    /// Replaces the workspace with these endpoints: removes the old ones from the engine, adds
    /// the new ones (they start when auto_start).
    void loadWorkspace(const std::string& name, const std::vector<EndpointConfig>& endpoints,
                       std::optional<std::string> path);
    /// Stops the previous profile's recorders and starts `recording` (paths relative to `path`).
    void startProfileRecording(const std::vector<RecordingConfig>& recording, const std::string& path);
    /// File ▸ New: an empty workspace; the previous profile's recorders stop.
    void newWorkspace();
    /// Opens a profile file (menu, drop, command line); asks first when there are unsaved changes.
    void requestOpen(const std::string& path);
    /// The window's close button: asks first when there are unsaved changes.
    void requestQuit();
    /// Saves to the current path (then runs `then`), or asks for a path. False when it asked.
    bool save(std::function<void()> then = {});
    /// Whether an open or save is still running in the background.
    bool fileBusy() const { return m_fileJobs > 0; }
    Layout& layout() { return m_layout; }
    /// Layout sizes times this are pixels on screen (the font size over kBaseFontPx).
    float paneScale() const { return m_paneScale; }
    /// Every registered view (tests iterate them); shown/hidden follows layout().hidden_views.
    ViewRegistry& views() { return m_views; }
    /// Shows or hides a view (what the View menu does): updates the layout and asks to save settings.
    void setViewShown(View& view, bool shown);

    SendPanel& sendPanel() { return m_send; }
    SourcesStrip& sourcesStrip() { return m_sourcesStrip; }
    LogView& logView() { return m_log; }
    EndpointEditor& editor() { return m_editor; }
    SettingsView& settingsView() { return m_settings; }
    RecordingView& recordingView() { return m_recording; }
    ImportCaptureView& importView() { return m_import; }
    FileDialog& fileDialog() { return m_fileDialog; }

private:
    enum class Pending { None, Quit, Open, New };

    void drawMenu();
    void drawBody();
    void drawViewMenu();
    /// Gathers the shown views of each slot (hidden_views applied) for this frame.
    void placeViews();
    /// A bordered pane of width x height holding the shown views of `slot`.
    void drawPane(const char* id, float width, float height, ViewSlot slot);
    void drawSlot(ViewSlot slot);
    /// Top / (Center | Side) / Bottom in a column right_w wide.
    void drawRight(float right_w, float body_h);
    /// This frame's pane sizes in pixels at the current font size (m_layout's, scaled): a pane
    /// shows as many rows at every font scale. Splitters move these; a change goes back to m_layout.
    struct PaneSizes {
        float left = 0, top = 0, bottom = 0, side = 0;
    };
    /// m_layout's sizes at this frame's font size into m_px, and (after drawing) changed ones back.
    void scalePanes(float width, float height);
    void storePanes(const PaneSizes& before);
    bool slotEmpty(ViewSlot slot) const { return m_slots[static_cast<std::size_t>(slot)].empty(); }
    void handleShortcuts();
    void drawConfirm();
    void drawProblems();
    void openNow(const std::string& path);
    void finishOpen(const std::string& path, bool ok, LoadedProfile& profile, const std::string& error);
    void saveTo(const std::string& path, std::function<void()> then = {});
    void runPending();
    void runFileJob(std::function<std::function<void()>()> job);

    UiModel& m_model;
    CommandSink m_submit;
    AppHooks m_hooks;
    Layout m_layout;          // pane sizes in pixels at the base font size (kBaseFontPx)
    PaneSizes m_px;
    PaneSizes m_paneCaps;   // how far each pane grows with the font (a share of the window)
    float m_paneScale = 1;

    EndpointEditor m_editor;
    ViewRegistry m_views;
    std::array<std::vector<View*>, kViewSlotCount> m_slots;   // this frame's shown views per slot
    // Views the menus and shortcuts act on (Ctrl+L, File > Recording); found in the registry.
    LogView& m_log;
    SendPanel& m_send;
    SourcesStrip& m_sourcesStrip;
    RecordingView& m_recording;
    RecordingId m_profileRecordings = 0;   // profile recorders started so far: the next one's id
    SettingsView m_settings;
    ImportCaptureView m_import;
    FileDialog m_fileDialog;

    Pending m_pending = Pending::None;
    std::string m_pendingPath;
    bool m_confirmRequested = false;
    bool m_confirmVisible = false;
    std::map<std::string, ProbeRect> m_lastProbe;   // trace mode: print only what moved
    int m_fileJobs = 0;                             // opens/saves still running
    float m_spacingX = 0, m_spacingY = 0;           // the style's item spacing, restored inside panes
};

}  // namespace sockscope::ui
