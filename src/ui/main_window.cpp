#include "ui/main_window.hpp"

#include "core/profile/recording_json.hpp"

#include <imgui.h>
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "ui/theme.hpp"

namespace sockscope::ui {
namespace {

// A draggable bar between two panes; `size` is the pane before (or after, when `invert`) it.
void splitter(const char* id, bool vertical, float length, float* size, float min, float max, bool invert = false) {
    const float thickness = 5.0f;
    ImGui::PushID(id);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##split", vertical ? ImVec2(thickness, length) : ImVec2(length, thickness));
    const bool hovered = ImGui::IsItemHovered();
    const bool active = ImGui::IsItemActive();
    if (hovered || active) ImGui::SetMouseCursor(vertical ? ImGuiMouseCursor_ResizeEW : ImGuiMouseCursor_ResizeNS);
    if (active) {
        const float delta = vertical ? ImGui::GetIO().MouseDelta.x : ImGui::GetIO().MouseDelta.y;
        *size += invert ? -delta : delta;
    }
    if (*size < min) *size = min;
    if (*size > max) *size = std::max(min, max);
    const ImU32 color = ImGui::GetColorU32(active ? ImGuiCol_SeparatorActive
                                                  : hovered ? ImGuiCol_SeparatorHovered : ImGuiCol_Separator);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    if (vertical) draw->AddLine(ImVec2(pos.x + thickness / 2, pos.y), ImVec2(pos.x + thickness / 2, pos.y + length), color);
    else draw->AddLine(ImVec2(pos.x, pos.y + thickness / 2), ImVec2(pos.x + length, pos.y + thickness / 2), color);
    ImGui::PopID();
}

constexpr float kSplit = 5.0f;

/// A submenu of profile paths (by name only when `names_only`); returns the chosen path or "".
/// Probed as `key` and `key`.<shown text>.
std::string profileMenu(UiModel& model, const std::string& key, const char* label,
                        const std::vector<std::string>& paths, bool names_only) {
    std::string chosen;
    const bool open = ImGui::BeginMenu(label);
    probeItem(model, key);
    if (!open) return chosen;
    if (paths.empty()) ImGui::MenuItem(tr(Str::NoRecent), nullptr, false, false);
    for (const auto& path : paths) {
        const std::string shown = names_only ? std::filesystem::path(path).stem().string() : path;
        ImGui::PushID(path.c_str());
        if (ImGui::MenuItem(shown.c_str())) chosen = path;
        probeItem(model, key + "." + shown);
        ImGui::PopID();
    }
    ImGui::EndMenu();
    return chosen;
}

ViewRegistry makeViews(EndpointEditor& editor) {
    ViewRegistry views;
    registerViews(views, editor);
    return views;
}

/// A view the window's menus or shortcuts act on: registerViews() must have added it.
template <class T>
T& required(const ViewRegistry& views) {
    T* view = views.find<T>();
    if (!view) throw std::logic_error("registerViews() left out a view the main window uses");
    return *view;
}

}  // namespace

MainWindow::MainWindow(UiModel& model, CommandSink submit, AppHooks hooks)
    : m_model(model), m_submit(std::move(submit)), m_hooks(std::move(hooks)), m_views(makeViews(m_editor)),
      m_log(required<LogView>(m_views)), m_send(required<SendPanel>(m_views)),
      m_sourcesStrip(required<SourcesStrip>(m_views)), m_recording(required<RecordingView>(m_views)) {}

void MainWindow::loadWorkspace(const std::string& name, const std::vector<EndpointConfig>& endpoints,
                               std::optional<std::string> path) {
    for (const auto& e : m_model.workspace.endpoints()) {
        m_submit(RemoveEndpoint{e.id});
        m_model.table.remove(e.id);
    }
    m_model.workspace.replace(name, endpoints, std::move(path));
    m_model.glyphs.note(name);
    for (const auto& e : m_model.workspace.endpoints()) {
        m_model.glyphs.note(e.config.name);
        m_model.table.ensure(e.id);
        EndpointConfig config = e.config;   // receive_to_file: relative to the profile, as in headless runs
        if (config.receive_to_file && m_model.workspace.path)
            config.receive_to_file->path = resolveProfilePath(config.receive_to_file->path, *m_model.workspace.path);
        m_submit(AddEndpoint{e.id, std::move(config)});
    }
    m_model.selection = Selection{};
    if (!m_model.workspace.endpoints().empty()) m_model.selection.endpoint = m_model.workspace.endpoints().front().id;
}

void MainWindow::startProfileRecording(const std::vector<RecordingConfig>& recording, const std::string& path) {
    // The profile's recorders take ids from kProfileRecordingBase up; File > Recording's from 1.
    constexpr RecordingId kProfileRecordingBase = 0x40000000u;
    for (const RecordingId id : m_model.profile_recording_ids)
        if (id != 0) m_submit(StopRecording{id});
    m_model.profile_recording = recording;
    m_model.profile_recording_ids.clear();
    m_recording.forgetStartedHere();   // their settings were the old profile's
    if (!recording.empty()) m_recording.open();   // a profile that records says so where it can be stopped
    for (std::size_t i = 0; i < recording.size(); ++i) {
        RecordingConfig config = recording[i];
        config.path = resolveProfilePath(config.path, path);
        // Never an id in use: a recorder taken out of the profile goes on under its old one.
        RecordingId id = kProfileRecordingBase + m_profileRecordings++;
        while (m_model.recordings.count(id)) id = kProfileRecordingBase + m_profileRecordings++;
        m_model.profile_recording_ids.push_back(id);
        m_submit(StartRecording{id, std::move(config)});
    }
}

void MainWindow::newWorkspace() {
    startProfileRecording({}, "");   // the old profile's recorders stop with it
    loadWorkspace("workspace", {}, std::nullopt);
}

void MainWindow::runFileJob(std::function<std::function<void()>()> job) {
    ++m_fileJobs;
    auto wrapped = [this, job = std::move(job)]() -> std::function<void()> {
        std::function<void()> done = job();
        return [this, done = std::move(done)] {
            --m_fileJobs;
            if (done) done();
        };
    };
    if (m_hooks.background) m_hooks.background(std::move(wrapped));
    else wrapped()();
}

void MainWindow::openNow(const std::string& path) {
    if (!m_hooks.load) return;
    runFileJob([this, load = m_hooks.load, path]() -> std::function<void()> {
        auto profile = std::make_shared<LoadedProfile>();
        auto error = std::make_shared<std::string>();
        const bool ok = load(path, *profile, *error);   // the worker thread: file I/O and parsing only
        return [this, path, ok, profile, error] { finishOpen(path, ok, *profile, *error); };
    });
}

// A failed open changes nothing: the endpoints, the path and the unsaved mark stay as they were.
void MainWindow::finishOpen(const std::string& path, bool ok, LoadedProfile& profile, const std::string& error) {
    if (!ok) {
        const std::string text = std::string(tr(Str::ProfileError)) + ": " + error;
        m_model.notify(text, true);
        m_model.setProblem("open", text, true);
        return;
    }
    m_model.clearProblem("open");
    startProfileRecording(profile.recording, path);   // first: the recorders see the endpoints start
    loadWorkspace(profile.name, profile.endpoints, path);
    m_model.settings.addRecent(path);
    char text[600];
    std::snprintf(text, sizeof text, tr(Str::Opened), path.c_str());
    m_model.notify(text);
    if (m_hooks.settingsChanged) m_hooks.settingsChanged();
}

void MainWindow::saveTo(const std::string& path, std::function<void()> then) {
    if (!m_hooks.save) return;
    std::vector<EndpointConfig> configs;
    for (const auto& e : m_model.workspace.endpoints()) configs.push_back(e.config);
    std::string name = m_model.workspace.name;
    if (name.empty() || name == "workspace") name = std::filesystem::path(path).stem().string();
    const std::uint64_t revision = m_model.workspace.revision;
    runFileJob([this, save = m_hooks.save, save_all = m_hooks.saveWithRecording, recording = m_model.profile_recording,
                path, name, configs = std::move(configs), revision, then = std::move(then)]() -> std::function<void()> {
        std::string error;
        const bool ok = save_all ? save_all(path, name, configs, recording, error) : save(path, name, configs, error);
        return [this, ok, error, path, name, revision, then] {
            if (!ok) {
                const std::string text = std::string(tr(Str::SaveError)) + ": " + error;
                m_model.notify(text, true);
                m_model.setProblem("save", text);   // stays until a save succeeds
                return;
            }
            m_model.clearProblem("save");
            m_model.workspace.name = name;
            m_model.workspace.path = path;
            // Edits made while the file was written are still unsaved.
            if (m_model.workspace.revision == revision) m_model.workspace.dirty = false;
            m_model.settings.addRecent(path);
            char text[600];
            std::snprintf(text, sizeof text, tr(Str::Saved), path.c_str());
            m_model.notify(text);
            if (m_hooks.settingsChanged) m_hooks.settingsChanged();
            if (then) then();
        };
    });
}

bool MainWindow::save(std::function<void()> then) {
    if (m_model.workspace.path) {
        saveTo(*m_model.workspace.path, std::move(then));
        return true;
    }
    m_fileDialog.open(FileDialogMode::Save, "");
    return false;
}

void MainWindow::requestOpen(const std::string& path) {
    if (m_model.workspace.dirty) {
        m_pending = Pending::Open;
        m_pendingPath = path;
        m_confirmRequested = true;
        return;
    }
    openNow(path);
}

void MainWindow::requestQuit() {
    if (m_model.workspace.dirty) {
        m_pending = Pending::Quit;
        m_confirmRequested = true;
        return;
    }
    if (m_hooks.quit) m_hooks.quit();
}

void MainWindow::runPending() {
    const Pending pending = m_pending;
    m_pending = Pending::None;
    switch (pending) {
        case Pending::Quit:
            if (m_hooks.quit) m_hooks.quit();
            break;
        case Pending::Open: openNow(m_pendingPath); break;
        case Pending::New: newWorkspace(); break;
        case Pending::None: break;
    }
}

void MainWindow::drawConfirm() {
    if (m_confirmRequested) {
        ImGui::OpenPopup("###confirm");
        m_confirmRequested = false;
        m_confirmVisible = true;
    }
    const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
    ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    const std::string title = std::string(tr(Str::DiscardTitle)) + "###confirm";
    if (!ImGui::BeginPopupModal(title.c_str(), &m_confirmVisible, ImGuiWindowFlags_AlwaysAutoResize)) return;
    ImGui::TextUnformatted(tr(Str::DiscardText));
    const float w = ImGui::GetFontSize() * 6;
    if (ImGui::Button(tr(Str::Save), ImVec2(w, 0))) {
        ImGui::CloseCurrentPopup();
        // Then what was asked, once the save succeeded; a failed save stays (and says why).
        if (!save([this] { runPending(); })) m_pending = Pending::None;   // a Save-as dialog opened
    }
    probeItem(m_model, "confirm.save");
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::DontSave), ImVec2(w, 0))) {
        ImGui::CloseCurrentPopup();
        // Only quitting drops the mark here; an open or a new workspace replaces the workspace
        // (and its mark) only when it succeeds, so a failed open leaves the changes marked.
        if (m_pending == Pending::Quit) {
            m_model.workspace.dirty = false;
            m_model.workspace.discarded = true;   // the app restores the saved profile on the way out
        }
        runPending();
    }
    probeItem(m_model, "confirm.discard");
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::Cancel), ImVec2(w, 0))) {
        ImGui::CloseCurrentPopup();
        m_pending = Pending::None;
    }
    probeItem(m_model, "confirm.cancel");
    ImGui::EndPopup();
}

// Persistent problems (a save that keeps failing, a settings file set aside) above the panes,
// where the user sees them; they stay until resolved or, when dismissible, dismissed.
void MainWindow::drawProblems() {
    const Palette& pal = palette(m_model.settings.theme);
    std::string dismissed;
    for (const Problem& problem : m_model.problems) {
        ImGui::PushID(problem.key.c_str());
        ImGui::TextColored(pal.bad, "(!)");
        ImGui::SameLine();
        if (problem.dismissible) {
            if (ImGui::SmallButton(tr(Str::Dismiss))) dismissed = problem.key;
            probeItem(m_model, "problem.dismiss." + problem.key);
            ImGui::SameLine();
        }
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(pal.bad, "%s", problem.text.c_str());
        ImGui::PopTextWrapPos();
        probeItem(m_model, "problem." + problem.key);
        ImGui::PopID();
    }
    if (!dismissed.empty()) m_model.clearProblem(dismissed);
}

void MainWindow::drawMenu() {
    if (!ImGui::BeginMenuBar()) return;
    const bool file_open = ImGui::BeginMenu(tr(Str::MenuFile));
    probeItem(m_model, "menu.file");
    if (file_open) {
        if (ImGui::MenuItem(tr(Str::NewProfile))) {
            if (m_model.workspace.dirty) {
                m_pending = Pending::New;
                m_confirmRequested = true;
            } else {
                newWorkspace();
            }
        }
        if (ImGui::MenuItem(tr(Str::OpenProfile), "Ctrl+O"))
            m_fileDialog.open(FileDialogMode::Open, m_model.workspace.path.value_or(""));
        if (ImGui::MenuItem(tr(Str::SaveProfile), "Ctrl+S")) save();
        if (ImGui::MenuItem(tr(Str::SaveProfileAs)))
            m_fileDialog.open(FileDialogMode::Save, m_model.workspace.path.value_or(""));
        if (const std::string chosen = profileMenu(m_model, "menu.recent", tr(Str::RecentProfiles),
                                                   m_model.settings.recent, false);
            !chosen.empty())
            requestOpen(chosen);
        if (const std::string chosen = profileMenu(m_model, "menu.examples", tr(Str::ExampleProfiles),
                                                   m_model.example_profiles, true);
            !chosen.empty())
            requestOpen(chosen);
        ImGui::Separator();
        if (ImGui::MenuItem(tr(Str::MenuRecording))) m_recording.open();
        probeItem(m_model, "menu.recording");
        if (ImGui::MenuItem(tr(Str::MenuImportCapture))) m_import.open();
        probeItem(m_model, "menu.import_capture");
        ImGui::Separator();
        if (ImGui::MenuItem(tr(Str::Quit))) requestQuit();
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(tr(Str::MenuEndpoint))) {
        if (ImGui::MenuItem(tr(Str::NewTcpServer), "Ctrl+N")) m_editor.openNew(EndpointType::TcpServer, m_model.workspace);
        if (ImGui::MenuItem(tr(Str::NewTcpClient))) m_editor.openNew(EndpointType::TcpClient, m_model.workspace);
        if (ImGui::MenuItem(tr(Str::NewUdp))) m_editor.openNew(EndpointType::Udp, m_model.workspace);
        ImGui::EndMenu();
    }
    const bool view_open = ImGui::BeginMenu(tr(Str::MenuView));
    probeItem(m_model, "menu.view");
    if (view_open) {
        drawViewMenu();
        ImGui::Separator();
        bool changed = false;
        if (ImGui::MenuItem(tr(Str::ThemeDark), nullptr, m_model.settings.theme == ThemeKind::Dark)) {
            m_model.settings.theme = ThemeKind::Dark;
            changed = true;
        }
        if (ImGui::MenuItem(tr(Str::ThemeLight), nullptr, m_model.settings.theme == ThemeKind::Light)) {
            m_model.settings.theme = ThemeKind::Light;
            changed = true;
        }
        ImGui::Separator();
        if (ImGui::MenuItem("English", nullptr, m_model.settings.language == Language::English)) {
            m_model.settings.language = Language::English;
            changed = true;
        }
        if (ImGui::MenuItem("简体中文", nullptr, m_model.settings.language == Language::Chinese)) {
            m_model.settings.language = Language::Chinese;
            changed = true;
        }
        setLanguage(m_model.settings.language);
        ImGui::Separator();
        if (ImGui::MenuItem(tr(Str::Settings))) m_settings.openSettings();
        ImGui::EndMenu();
        if (changed && m_hooks.settingsChanged) m_hooks.settingsChanged();
    }
    if (ImGui::BeginMenu(tr(Str::MenuHelp))) {
        if (ImGui::MenuItem(tr(Str::Shortcuts))) m_settings.openShortcuts();
        ImGui::EndMenu();
    }
    // The workspace name (and its unsaved mark) on the right of the menu bar.
    // The default name is ours, so it is shown in the UI language.
    std::string title = m_model.workspace.path ? std::filesystem::path(*m_model.workspace.path).filename().string()
                        : m_model.workspace.name == "workspace" ? std::string(tr(Str::Workspace))
                                                                : m_model.workspace.name;
    if (m_model.workspace.dirty) title += " *";
    const float w = ImGui::CalcTextSize(title.c_str()).x;
    ImGui::SameLine(ImGui::GetWindowWidth() - w - ImGui::GetStyle().WindowPadding.x * 2);
    ImGui::TextColored(palette(m_model.settings.theme).dim, "%s", title.c_str());
    ImGui::EndMenuBar();
}

void MainWindow::handleShortcuts() {
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.KeyCtrl || ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel))
        return;
    if (ImGui::IsKeyPressed(GLFW_KEY_S, false)) save();
    if (ImGui::IsKeyPressed(GLFW_KEY_O, false))
        m_fileDialog.open(FileDialogMode::Open, m_model.workspace.path.value_or(""));
    if (ImGui::IsKeyPressed(GLFW_KEY_L, false)) m_log.clear(m_model);
    if (ImGui::IsKeyPressed(GLFW_KEY_N, false)) m_editor.openNew(EndpointType::TcpServer, m_model.workspace);
}

void MainWindow::setViewShown(View& view, bool shown) {
    auto& hidden = m_layout.hidden_views;
    const auto it = std::find(hidden.begin(), hidden.end(), view.id());
    if (shown && it != hidden.end()) hidden.erase(it);
    if (!shown && it == hidden.end()) hidden.push_back(view.id());
    view.setShown(shown);
    if (m_hooks.settingsChanged) m_hooks.settingsChanged();
}

// Panels: one check item per docked view, in registration order. Floating views open from
// their own menu items.
void MainWindow::drawViewMenu() {
    const bool open = ImGui::BeginMenu(tr(Str::ViewPanels));
    probeItem(m_model, "menu.view.panels");
    if (!open) return;
    for (const auto& view : m_views.all()) {
        if (view->slot() == ViewSlot::Floating) continue;
        bool shown = view->isShown();
        ImGui::PushID(view->id().c_str());
        if (ImGui::MenuItem(tr(view->title()), nullptr, &shown)) setViewShown(*view, shown);
        probeItem(m_model, "menu.view." + view->id());
        ImGui::PopID();
    }
    ImGui::EndMenu();
}

void MainWindow::placeViews() {
    for (auto& slot : m_slots) slot.clear();
    const auto& hidden = m_layout.hidden_views;
    for (const auto& view : m_views.all()) {
        view->setShown(std::find(hidden.begin(), hidden.end(), view->id()) == hidden.end());
        if (view->isShown() && view->hasContent(m_model)) m_slots[static_cast<std::size_t>(view->slot())].push_back(view.get());
    }
}

void MainWindow::drawSlot(ViewSlot slot) {
    ViewContext ctx{m_model, m_submit, m_views};
    for (View* view : m_slots[static_cast<std::size_t>(slot)]) view->draw(ctx);
}

void MainWindow::drawPane(const char* id, float width, float height, ViewSlot slot) {
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(m_spacingX, m_spacingY));
    ImGui::BeginChild(id, ImVec2(width, height), true);
    drawSlot(slot);
    ImGui::EndChild();
    ImGui::PopStyleVar();
}

// Left | (Top / (Center | Side) / Bottom), each pane only when it has a shown view. The middle
// row takes the height the top and bottom leave (without a middle row the bottom, then the top
// does); the left column takes the whole width when nothing is on the right.
// A larger font makes each pane larger by the same factor (it shows as many rows), but a pane
// grows only up to a share of the window (kPaneShare), so the log in the middle keeps its room;
// a size above that share (the user's own) is kept as it is.
namespace {
constexpr float kPaneShare = 0.28f;
float grow(float size, float scale, float cap) { return std::min(size * scale, std::max(size, cap)); }
float shrink(float px, float scale, float cap) { return px <= cap || scale <= 1 ? px / scale : px; }   // grow's inverse
}  // namespace

void MainWindow::scalePanes(float width, float height) {
    m_paneScale = ImGui::GetFontSize() / kBaseFontPx;
    const float k = m_paneScale;
    m_paneCaps = {kPaneShare * width, kPaneShare * height, kPaneShare * height, kPaneShare * width};
    m_px = {grow(m_layout.left_width, k, m_paneCaps.left), grow(m_layout.connections_height, k, m_paneCaps.top),
            grow(m_layout.send_height, k, m_paneCaps.bottom), grow(m_layout.detail_width, k, m_paneCaps.side)};
}

// Only what changed (a drag, a clamp to a smaller window) is stored: a size the user set is not
// rewritten by a round trip through the scale.
void MainWindow::storePanes(const PaneSizes& before) {
    const float k = m_paneScale;
    if (m_px.left != before.left) m_layout.left_width = shrink(m_px.left, k, m_paneCaps.left);
    if (m_px.top != before.top) m_layout.connections_height = shrink(m_px.top, k, m_paneCaps.top);
    if (m_px.bottom != before.bottom) m_layout.send_height = shrink(m_px.bottom, k, m_paneCaps.bottom);
    if (m_px.side != before.side) m_layout.detail_width = shrink(m_px.side, k, m_paneCaps.side);
}

void MainWindow::drawBody() {
    const ImGuiStyle& style = ImGui::GetStyle();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const bool status = !slotEmpty(ViewSlot::Status);
    const float status_h = status ? ImGui::GetFrameHeight() + style.ItemSpacing.y : 0.0f;
    const float body_h = avail.y - status_h;
    m_spacingX = style.ItemSpacing.x;
    scalePanes(avail.x, avail.y);
    const PaneSizes before = m_px;
    const float k = m_paneScale;
    m_spacingY = style.ItemSpacing.y;
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 0));

    const bool right = !slotEmpty(ViewSlot::Top) || !slotEmpty(ViewSlot::Center) || !slotEmpty(ViewSlot::Side) ||
                       !slotEmpty(ViewSlot::Bottom);
    if (!slotEmpty(ViewSlot::Left)) {
        m_px.left = std::clamp(m_px.left, 180 * k, std::max(180 * k, avail.x * 0.5f));
        drawPane("##left", right ? m_px.left : avail.x, body_h, ViewSlot::Left);
        if (right) {
            ImGui::SameLine();
            splitter("##vleft", true, body_h, &m_px.left, 180 * k, avail.x * 0.5f);
            ImGui::SameLine();
        }
    }
    if (right) drawRight(ImGui::GetContentRegionAvail().x, body_h);
    ImGui::PopStyleVar();
    storePanes(before);

    if (status) {
        ImGui::Dummy(ImVec2(0, style.ItemSpacing.y));
        drawSlot(ViewSlot::Status);
    }
}

void MainWindow::drawRight(float right_w, float body_h) {
    const bool top = !slotEmpty(ViewSlot::Top), bottom = !slotEmpty(ViewSlot::Bottom);
    const bool center = !slotEmpty(ViewSlot::Center), side = !slotEmpty(ViewSlot::Side);
    const bool middle = center || side;
    // The flexible pane takes the rest; the others keep their sizes, leaving it at least 120.
    const float k = m_paneScale;
    const float kFlexMin = 120 * k;
    const int splits = (top ? 1 : 0) + (middle ? 1 : 0) + (bottom ? 1 : 0) - 1;
    const bool top_flex = top && !middle && !bottom, bottom_flex = bottom && !middle;
    float top_h = 0, bottom_h = 0;
    if (top && !top_flex) {
        const float max_top = body_h - (bottom && !bottom_flex ? m_px.bottom : 0) - splits * kSplit - kFlexMin;
        m_px.top = std::clamp(m_px.top, 60 * k, std::max(60 * k, max_top));
        top_h = m_px.top;
    }
    // The send pane shows its rows and a two-line input (a checksum row, a large font, Chinese
    // labels make it taller): never shorter than that while the log keeps its minimum.
    const float send_min = std::max(80 * k, m_send.isShown() ? m_send.fitHeight() : 0.0f);   // hidden: its last size is no one's
    if (bottom && !bottom_flex) {
        const float max_send = body_h - top_h - splits * kSplit - kFlexMin;
        m_px.bottom = std::clamp(m_px.bottom, std::min(send_min, std::max(80 * k, max_send)), std::max(80 * k, max_send));
        bottom_h = m_px.bottom;
    }
    const float flex_h = body_h - top_h - bottom_h - splits * kSplit;

    ImGui::BeginGroup();
    if (top) {
        drawPane("##connections", right_w, top_flex ? flex_h : top_h, ViewSlot::Top);
        if (!top_flex)
            splitter("##hconn", false, right_w, &m_px.top, 60 * k,
                     std::max(60 * k, body_h - bottom_h - splits * kSplit - kFlexMin));
    }
    if (middle) {
        if (center && side) {
            m_px.side = std::clamp(m_px.side, 160 * k, std::max(160 * k, right_w * 0.7f));
            drawPane("##log", right_w - m_px.side - kSplit, flex_h, ViewSlot::Center);
            ImGui::SameLine();
            splitter("##vdetail", true, flex_h, &m_px.side, 160 * k, std::max(160 * k, right_w * 0.7f), true);
            ImGui::SameLine();
            drawPane("##detail", m_px.side, flex_h, ViewSlot::Side);
        } else {
            drawPane(center ? "##log" : "##detail", right_w, flex_h, center ? ViewSlot::Center : ViewSlot::Side);
        }
    }
    if (bottom) {
        if (!bottom_flex)
            splitter("##hsend", false, right_w, &m_px.bottom,
                     std::min(send_min, std::max(80 * k, body_h - top_h - splits * kSplit - kFlexMin)),
                     std::max(80 * k, body_h - top_h - splits * kSplit - kFlexMin), true);
        drawPane("##send", right_w, bottom_flex ? flex_h : bottom_h, ViewSlot::Bottom);
    }
    ImGui::EndGroup();
}

void MainWindow::draw() {
    if (m_model.probe) m_model.probe->rects.clear();
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(viewport->WorkSize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_MenuBar | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                   ImGuiWindowFlags_NoBackground;   // glClear paints it: one full-screen fill less
    ImGui::Begin("##main", nullptr, flags);
    drawMenu();
    handleShortcuts();
    drawProblems();
    placeViews();
    drawBody();

    m_editor.draw(m_model, m_submit);
    drawSlot(ViewSlot::Floating);
    m_import.draw(m_model, m_submit);
    if (m_settings.draw(m_model) && m_hooks.settingsChanged) m_hooks.settingsChanged();
    if (auto chosen = m_fileDialog.draw(m_model)) {
        if (m_fileDialog.mode() == FileDialogMode::Open) requestOpen(*chosen);
        else saveTo(*chosen);
    }
    drawConfirm();
    ImGui::End();

    // Trace mode: where the widgets are, so xdotool tests can click them.
    if (m_model.probe && m_model.trace_layout) {
        for (const auto& [name, rect] : m_model.probe->rects) {
            auto it = m_lastProbe.find(name);
            if (it != m_lastProbe.end() && it->second == rect) continue;
            std::printf("trace: layout %s %d %d\n", name.c_str(), static_cast<int>(rect.cx()), static_cast<int>(rect.cy()));
        }
        std::fflush(stdout);
        m_lastProbe = m_model.probe->rects;
    }
}

}  // namespace sockscope::ui
