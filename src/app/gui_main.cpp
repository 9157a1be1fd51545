// The desktop front end: GLFW window + OpenGL 3.3 core + Dear ImGui over one Engine.
// Phases: config dir and settings -> window and GL -> ImGui and fonts -> engine -> workspace ->
// frame loop -> save and tear down in reverse order.
#include "app/gui_main.hpp"

#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#if defined(__APPLE__)
#define GL_SILENCE_DEPRECATION   // macOS marks OpenGL deprecated; it still ships 4.1 core
#include <OpenGL/gl.h>
#else
#include <GL/gl.h>
#endif
#include <stb_image_write.h>

#include <algorithm>
#include <utility>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>
#if defined(_WIN32)
#include <process.h>
#else
#include <unistd.h>
#endif
#if defined(__linux__)
#include <time.h>
#endif

#include "app/gui_icon.hpp"
#include "app/gui_present.hpp"
#include "core/engine.hpp"
#include "core/profile/profile.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/data_dir.hpp"
#include "ui/file_worker.hpp"
#include "ui/fonts.hpp"
#include "ui/frame_pacer.hpp"
#include "ui/key_latch.hpp"
#include "ui/main_window.hpp"
#include "ui/settings_store.hpp"
#include "ui/theme.hpp"
#include "ui/ui_model.hpp"

namespace sockscope {
namespace fs = std::filesystem;
using namespace ui;

namespace {

// --- per-OS config directory --------------------------------------------------------------
fs::path configDirectory() {
#if defined(_WIN32)
    if (const char* appdata = std::getenv("APPDATA"); appdata && *appdata) return fs::path(appdata) / "Sockscope";
#elif defined(__APPLE__)
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / "Library" / "Application Support" / "Sockscope";
#else
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return fs::path(xdg) / "sockscope";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".config" / "sockscope";
#endif
    return fs::current_path() / ".sockscope";
}

// The workspace as a profile (what the autosave writes), with the open profile's "recording":
// a restart brings back the recorders with the endpoints. Paths stay as the profile wrote them,
// relative to the profile's file, which the settings remember as the workspace path.
Profile workspaceProfile(const UiModel& model) {
    Profile profile;
    profile.name = model.workspace.name;
    for (const auto& e : model.workspace.endpoints()) profile.endpoints.push_back(e.config);
    profile.recording = model.profile_recording;
    return profile;
}

// A save from the menu; false with `error` in the user's language.
bool savedOrSaid(const Profile& profile, const std::string& path, std::string& error) {
    const std::error_code ec = saveProfileAtomic(profile, path, &error);
    if (ec) error = fileWriteErrorText(ec, path, error);
    return !ec;
}

// A failed write is shown until a later one succeeds (the key is the file's role).
FileWorker::Completion reportWrite(UiModel& model, const char* key, Str what, bool failed, std::string error) {
    return [&model, key, what, failed, error = std::move(error)] {
        if (failed) model.setProblem(key, std::string(tr(what)) + ": " + error);
        else model.clearProblem(key);
    };
}

void postAutosave(FileWorker& files, UiModel& model, Profile profile, const fs::path& file) {
    files.post("workspace", [&model, profile = std::move(profile), file]() {
        std::string error;
        const std::error_code ec = saveProfileAtomic(profile, file, &error);
        const bool failed = static_cast<bool>(ec);
        if (failed) std::fprintf(stderr, "sockscope: workspace autosave failed: %s\n", error.c_str());
        if (failed) error = fileWriteErrorText(ec, file.string(), error);
        return reportWrite(model, "autosave", Str::AutosaveFailed, failed, error);
    });
}

/// Quit ▸ Discard: the autosave becomes the saved profile again (or goes, for a workspace never
/// saved); when it cannot, the work stays on disk and marked unsaved, and stderr says why.
void postDiscardRestore(FileWorker& files, UiModel& model, const fs::path& workspace_file) {
    files.post("workspace", [&model, workspace_file, path = model.workspace.path]() -> FileWorker::Completion {
        std::string error;
        if (restoreSavedWorkspace(workspace_file, path, &error)) return {};
        std::fprintf(stderr, "sockscope: the discarded changes stay in %s, marked unsaved: %s\n",
                     workspace_file.string().c_str(), error.c_str());
        return [&model] { model.workspace.dirty = true; };
    });
    files.drain();   // before the settings record the mark
}

void postSettingsSave(FileWorker& files, UiModel& model, const fs::path& file, const Layout& layout) {
    StoredState state;
    state.workspace_path = model.workspace.path;
    state.workspace_dirty = model.workspace.dirty;
    state.workspace_name = model.workspace.name;
    files.post("settings", [&model, text = settingsToText(model.settings, layout, state), file]() {
        std::string error;
        const std::error_code ec = writeFileAtomic(file, text, &error);
        const bool failed = static_cast<bool>(ec);
        if (failed) std::fprintf(stderr, "sockscope: could not save settings: %s\n", error.c_str());
        if (failed) error = fileWriteErrorText(ec, file.string(), error);
        return reportWrite(model, "settings_save", Str::SettingsSaveFailed, failed, error);
    });
}

// --- frame timing ----------------------------------------------------------------------------
double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

/// Glyphs are rasterised at 1x and pixel-snapped (ui/fonts.cpp) and drawn at integer positions:
/// every texel lands on one pixel, so nearest sampling shows the same pixels as the backend's
/// linear one, and a software rasteriser (llvmpipe) spends ~10 % less per frame. Returns `texture`.
ImTextureID useNearestSampling(ImTextureID texture) {
    if (texture == nullptr) return texture;
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<std::intptr_t>(texture)));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    return texture;
}

/// CPU time of the calling thread in ms (benchmarks: a slow frame that used little CPU waited for
/// a CPU or for another thread). -1 where the clock is not available.
double threadCpuMs() {
#if defined(__linux__)
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
#endif
    return -1;
}

/// The CPU used since `start` (threadCpuMs), or -1 where the clock is not available.
double threadCpuMsSince(double start) {
    const double now = threadCpuMs();
    return now < 0 || start < 0 ? -1 : now - start;
}

long processId() {
#if defined(_WIN32)
    return static_cast<long>(_getpid());
#else
    return static_cast<long>(getpid());
#endif
}

/// One measured frame, for SOCKSCOPE_BENCH_FRAME_LOG (a CSV line each: which frames are slow and why).
struct FrameTrace {
    double t_ms, frame_ms, events_ms, ui_ms, render_ms, swap_ms, cpu_ms, drawn;
    std::size_t applied, backlog;
};

// --- window callbacks (the ImGui backend chains to these) -------------------------------------
struct WindowState {
    bool activity = false;                  // input since the last frame
    ui::KeyLatch keys;                      // taps released before a frame saw them
    // The first key/char not yet on screen: measures keystroke-to-screen latency.
    std::optional<std::chrono::steady_clock::time_point> key_pending;
    bool close_requested = false;
    bool scale_changed = false;             // moved to a monitor with another content scale
    bool repaint = false;                   // exposed: present the next frame even if unchanged
    std::vector<std::string> dropped;       // paths dropped on the window
};

WindowState* stateOf(GLFWwindow* window) { return static_cast<WindowState*>(glfwGetWindowUserPointer(window)); }

void installCallbacks(GLFWwindow* window) {
    glfwSetCursorPosCallback(window, [](GLFWwindow* w, double, double) { stateOf(w)->activity = true; });
    glfwSetMouseButtonCallback(window, [](GLFWwindow* w, int, int, int) { stateOf(w)->activity = true; });
    glfwSetScrollCallback(window, [](GLFWwindow* w, double, double) { stateOf(w)->activity = true; });
    glfwSetKeyCallback(window, [](GLFWwindow* w, int key, int, int action, int mods) {
        stateOf(w)->activity = true;
        if (action == GLFW_PRESS) stateOf(w)->keys.notePress(key, mods);
    });
    glfwSetCharCallback(window, [](GLFWwindow* w, unsigned int) {
        WindowState* state = stateOf(w);
        state->activity = true;
        if (!state->key_pending) state->key_pending = std::chrono::steady_clock::now();
    });
    glfwSetWindowSizeCallback(window, [](GLFWwindow* w, int, int) { stateOf(w)->activity = true; });
    // Exposed or damaged: the screen no longer shows the last picture, present the next one.
    glfwSetWindowRefreshCallback(window, [](GLFWwindow* w) {
        stateOf(w)->activity = true;
        stateOf(w)->repaint = true;
    });
    glfwSetDropCallback(window, [](GLFWwindow* w, int count, const char** paths) {
        for (int i = 0; i < count; ++i) stateOf(w)->dropped.emplace_back(paths[i]);
        stateOf(w)->activity = true;
    });
    glfwSetWindowContentScaleCallback(window, [](GLFWwindow* w, float, float) {
        stateOf(w)->scale_changed = true;
        stateOf(w)->activity = true;
    });
    glfwSetWindowCloseCallback(window, [](GLFWwindow* w) {
        // The UI decides (it asks about unsaved changes first): frames now, so the question
        // appears at once rather than at the next mouse move.
        glfwSetWindowShouldClose(w, GLFW_FALSE);
        stateOf(w)->close_requested = true;
        stateOf(w)->activity = true;
    });
}

/// The first window fits the screen it opens on: 1600x1000 on a 1280x800 laptop put the send
/// panel and the status bar below the screen's edge. (Sizes are before GLFW_SCALE_TO_MONITOR.)
std::pair<int, int> fitToScreen(int width, int height) {
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    if (!monitor) return {width, height};
    int x = 0, y = 0, work_w = 0, work_h = 0;
    glfwGetMonitorWorkarea(monitor, &x, &y, &work_w, &work_h);
    float sx = 1, sy = 1;
    glfwGetMonitorContentScale(monitor, &sx, &sy);
    const int max_w = static_cast<int>(static_cast<float>(work_w) / std::max(sx, 1.0f));
    const int max_h = static_cast<int>(static_cast<float>(work_h) / std::max(sy, 1.0f));
    if (max_w <= 0 || max_h <= 0) return {width, height};
    constexpr int kDecorations = 40;   // a title bar and borders the window manager adds
    if (width > max_w) width = std::max(320, max_w - kDecorations / 4);
    if (height > max_h) height = std::max(240, max_h - kDecorations);
    return {width, height};
}

bool writeScreenshot(const std::string& path, int width, int height) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // Opaque: the clear colour's alpha would make a translucent PNG.
    for (std::size_t i = 3; i < pixels.size(); i += 4) pixels[i] = 255;
    stbi_flip_vertically_on_write(1);
    return stbi_write_png(path.c_str(), width, height, 4, pixels.data(), width * 4) != 0;
}

// Synthetic 64-byte records so a benchmark starts with a full log (SOCKSCOPE_BENCH_PREFILL=N).
void prefillLog(UiModel& model, std::size_t count) {
    std::uint8_t payload[64];
    for (std::size_t i = 0; i < sizeof payload; ++i) payload[i] = static_cast<std::uint8_t>('A' + i % 26);
    const TimestampUs t0 = nowUs() - static_cast<TimestampUs>(count) * 10;
    for (std::size_t i = 0; i < count; ++i)
        model.log.append(t0 + static_cast<TimestampUs>(i) * 10, 0, 0, LogKind::Rx, std::span(payload, sizeof payload), "bench");
}

}  // namespace

int runGui(const GuiOptions& options) {
    // 1. Config directory, settings, language.
    const fs::path config_dir = configDirectory();
    std::error_code ec;
    fs::create_directories(config_dir, ec);
    const fs::path settings_file = config_dir / "settings.json";
    const fs::path workspace_file = config_dir / "workspace.json";
    const std::string ini_file = (config_dir / "imgui.ini").string();

    // SOCKSCOPE_LOG_RECORDS bounds the log by records (benchmarks: a 1,000,000-message log).
    PayloadLogLimits log_limits;
    if (options.log_budget_bytes > 0) log_limits.max_bytes = options.log_budget_bytes;
    if (const char* records = std::getenv("SOCKSCOPE_LOG_RECORDS"))
        log_limits.max_records = std::max<std::size_t>(1000, std::strtoull(records, nullptr, 10));
    UiModel model(log_limits);
    // SOCKSCOPE_TRACE=1: print applied events and widget positions (tests); =layout: positions only.
    const std::string trace = std::getenv("SOCKSCOPE_TRACE") ? std::getenv("SOCKSCOPE_TRACE") : "";
    model.trace = !trace.empty() && trace != "0" && trace != "layout";
    UiProbe probe;
    if (!trace.empty() && trace != "0") {
        model.probe = &probe;
        model.trace_layout = true;
    }
    // A broken settings file is set aside and reported in the window; the app starts anyway.
    setLanguage(languageFromEnvironment());   // until the settings say otherwise (reports below)
    SettingsFileLoad settings_load = loadSettingsFile(settings_file);
    model.settings = settings_load.load.settings;
    const Layout stored_layout = settings_load.load.layout;
    const StoredState stored = settings_load.load.state;
    if (!stored.has_language) model.settings.language = languageFromEnvironment();
    setLanguage(model.settings.language);
    if (!settings_load.report.empty()) {
        std::fprintf(stderr, "sockscope: %s\n", settings_load.report.c_str());
        model.setProblem("settings_file", settings_load.report, true);
    }

    // 2. Window and GL context: 3.3 core, forward-compatible (what macOS requires too).
    glfwSetErrorCallback([](int code, const char* text) { std::fprintf(stderr, "sockscope: GLFW error %d: %s\n", code, text); });
    if (!glfwInit()) {
        std::fprintf(stderr, "sockscope: cannot open a window (no display?). Try: sockscope --headless\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    const auto [window_w, window_h] = fitToScreen(options.width, options.height);
    GLFWwindow* window = glfwCreateWindow(window_w, window_h, "Sockscope", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "sockscope: cannot create an OpenGL 3.3 window\n");
        glfwTerminate();
        return 1;
    }
    WindowState window_state;
    glfwSetWindowUserPointer(window, &window_state);
    installCallbacks(window);
    {
        // The window icon (X11/Windows; macOS takes it from the bundle and ignores this).
        std::vector<std::uint8_t> icon48 = makeAppIcon(48), icon16 = makeAppIcon(16);
        GLFWimage images[2] = {{48, 48, icon48.data()}, {16, 16, icon16.data()}};
        glfwSetWindowIcon(window, 2, images);
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(options.screenshot_path || options.bench_frames > 0 ? 0 : 1);

    // 3. ImGui, fonts at the monitor's content scale, theme.
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = ini_file.c_str();
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 150");
    float content_scale = 1.0f;
    {
        float sx = 1, sy = 1;
        glfwGetWindowContentScale(window, &sx, &sy);
        content_scale = std::clamp(std::max(sx, sy), 1.0f, 4.0f);
    }
    float applied_font_scale = model.settings.font_scale;
    ThemeKind applied_theme = model.settings.theme;
    FontGlyphs font_glyphs;   // characters added to the atlas as device text needs them
    model.fonts = loadFonts(std::round(kBaseFontPx * content_scale * applied_font_scale));
    applyTheme(applied_theme, content_scale);

    // 4. Engine: it wakes the frame loop when events arrive.
    Engine engine;
    engine.setWakeCallback([] { glfwPostEmptyEvent(); });
    CommandSink submit = [&engine](Command command) { engine.submit(std::move(command)); };

    // 5. Main window and the workspace (a profile from the command line, or the last one).
    bool quit = false;
    bool settings_dirty = false;
    std::uint64_t saved_settings_revision = model.settings.revision;
    // File I/O (autosave, settings, open, save) runs here, off the frame loop.
    FileWorker files([] { glfwPostEmptyEvent(); });
    AppHooks hooks;
    hooks.load = [](const std::string& path, LoadedProfile& out, std::string& error) {
        ProfileLoadResult result = loadProfile(path);
        if (!result.profile) {
            error = result.error;
            return false;
        }
        out.name = result.profile->name;
        out.endpoints = std::move(result.profile->endpoints);
        out.recording = std::move(result.profile->recording);
        return true;
    };
    hooks.save = [](const std::string& path, const std::string& name, const std::vector<EndpointConfig>& endpoints,
                    std::string& error) {
        Profile profile;
        profile.name = name;
        profile.endpoints = endpoints;
        return savedOrSaid(profile, path, error);
    };
    hooks.saveWithRecording = [](const std::string& path, const std::string& name,
                                 const std::vector<EndpointConfig>& endpoints,
                                 const std::vector<RecordingConfig>& recording, std::string& error) {
        Profile profile;
        profile.name = name;
        profile.endpoints = endpoints;
        profile.recording = recording;   // as the profile said (relative paths stay relative)
        return savedOrSaid(profile, path, error);
    };
    hooks.quit = [&quit] { quit = true; };
    hooks.background = [&files](FileWorker::Job job) { files.post("", std::move(job)); };
    hooks.settingsChanged = [&settings_dirty] { settings_dirty = true; };
    MainWindow main_window(model, submit, hooks);
    main_window.layout() = stored_layout;

    // The last workspace comes back unless a profile from the command line opens; when that
    // fails, the last workspace still comes back (a failed open changes nothing).
    bool opened = false;
    if (options.profile_path) {
        LoadedProfile profile;
        std::string error;
        if (!hooks.load(*options.profile_path, profile, error)) {
            std::fprintf(stderr, "sockscope: %s\n", error.c_str());
            model.notify(std::string(tr(Str::ProfileError)) + ": " + error, true);
            model.setProblem("open", std::string(tr(Str::ProfileError)) + ": " + error, true);
        } else {
            main_window.startProfileRecording(profile.recording, fs::absolute(*options.profile_path, ec).string());
            main_window.loadWorkspace(profile.name, profile.endpoints, fs::absolute(*options.profile_path, ec).string());
            model.settings.addRecent(fs::absolute(*options.profile_path, ec).string());
            opened = true;
        }
    }
    if (!opened && fs::exists(workspace_file, ec)) {
        ProfileLoadResult result = loadProfile(workspace_file);
        if (result.profile) {
            main_window.startProfileRecording(result.profile->recording, stored.workspace_path.value_or(""));
            main_window.loadWorkspace(stored.workspace_name, result.profile->endpoints, stored.workspace_path);
            model.workspace.dirty = stored.workspace_dirty;
        } else {
            // Set aside, not overwritten by the next autosave: the user's endpoints stay on disk.
            std::string error;
            const fs::path aside = setFileAside(workspace_file, &error);
            char text[1024];
            std::snprintf(text, sizeof text, tr(Str::WorkspaceSetAside), result.error.c_str(),
                          aside.empty() ? ("- (" + error + ")").c_str() : aside.string().c_str());
            std::fprintf(stderr, "sockscope: %s\n", text);
            model.setProblem("workspace_file", text, true);
        }
    }
    // A profile opened from the command line is autosaved like one opened from the menu.
    std::uint64_t saved_revision = model.workspace.revision - (opened ? 1 : 0);
    bool saved_dirty = model.workspace.dirty;

    if (const char* prefill = std::getenv("SOCKSCOPE_BENCH_PREFILL"))
        prefillLog(model, static_cast<std::size_t>(std::strtoull(prefill, nullptr, 10)));

    // The demo and example profiles shipped with the app, found relative to the executable.
    if (const auto data_dir = findDataDirectory(executablePath())) {
        for (const auto& path : listExampleProfiles(*data_dir)) model.example_profiles.push_back(path.string());
        std::printf("sockscope: example profiles in %s\n", (*data_dir / "profiles").string().c_str());
    }
    std::printf("sockscope: ready\n");
    std::fflush(stdout);

    // 6. Frame loop: ~60 fps while there is input or traffic, asleep otherwise (woken by the
    // engine's callback or by input).
    EventPump pump;
    const auto drain = [&engine](std::vector<Event>& out) { return engine.drainEvents(out); };
    std::vector<double> frame_times;   // whole frame: events, UI, render, swap
    std::vector<double> ui_times;      // building the UI only (ImGui, formatting)
    std::vector<double> event_times;   // applying engine events to the model (table, log)
    const int bench_warmup = options.bench_frames > 0 ? 30 : 0;
    // SOCKSCOPE_BENCH_WAIT_CONNECTIONS=N: the warm-up and measured frames start once N connections
    // are open (a server with many clients); after 300 s they start anyway.
    std::size_t bench_wait_connections = 0;
    if (const char* wait = std::getenv("SOCKSCOPE_BENCH_WAIT_CONNECTIONS"))
        bench_wait_connections = std::strtoull(wait, nullptr, 10);
    const auto bench_wait_until = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    int bench_first_frame = options.bench_frames > 0 && bench_wait_connections > 0 ? -1 : 0;
    std::vector<double> key_latencies; // typed character -> frame on screen
    std::vector<double> swap_times;    // rasterising + presenting (llvmpipe does the GL work here)
    const bool fixed_frames = options.screenshot_path || options.bench_frames > 0;
    // SOCKSCOPE_BENCH_FRAME_LOG=PREFIX: every measured frame as a CSV line in PREFIX.PID.csv,
    // written at the end (which frames are slow, and whether they worked or waited).
    const char* frame_log = options.bench_frames > 0 ? std::getenv("SOCKSCOPE_BENCH_FRAME_LOG") : nullptr;
    std::vector<FrameTrace> frame_traces;
    auto bench_start = std::chrono::steady_clock::now();
    const int total_frames = options.screenshot_path ? std::max(1, options.frames) : options.bench_frames;
    if (options.bench_frames > 0) frame_times.reserve(static_cast<std::size_t>(options.bench_frames));
    int frame = 0;
    int busy_frames = 3;   // frames still to render after activity (ImGui settles over 2-3 frames)
    // 60 fps while the user interacts, 20 fps when only traffic drives frames, and a frame that
    // would show what is already on screen is not rendered (ui/frame_pacer.hpp).
    FramePacer pacer;
    ImTextureID nearest_texture = nullptr;   // the font texture whose sampling was set to nearest
    pacer.noteInput(std::chrono::steady_clock::now());
    // Where GLX_MESA_copy_sub_buffer serves (a software rasteriser on X11), only what changed is
    // drawn and presented; the damage is measured against the last presented picture.
    FramePresenter presenter(window);
    // The screen, the kept back buffer or the textures no longer match the last picture.
    const auto invalidatePicture = [&pacer, &presenter] {
        pacer.invalidate();
        presenter.invalidate();
    };
    double presented_share_sum = 0;   // benchmarks: the share of the window presented per frame
    int bench_iterations = 0;          // measured loop iterations, presented or not
    // Benchmarks: SOCKSCOPE_BENCH_PRESENT_ALL=1 renders every frame (what the loop did before it
    // skipped unchanged pictures: the reference of what rendering alone costs).
    const bool present_all = options.bench_frames > 0 && std::getenv("SOCKSCOPE_BENCH_PRESENT_ALL") &&
                             std::string(std::getenv("SOCKSCOPE_BENCH_PRESENT_ALL")) == "1";
    std::clock_t bench_cpu_start = 0;  // process CPU time (all threads) over the measured frames
    // The status bar's ms/frame: the mean of the presented frames of the last half second (one
    // frame's time changing 20-60 times a second can be read by nobody, and would make every
    // picture differ from the last).
    double shown_ms_sum = 0;
    int shown_ms_count = 0;
    auto shown_ms_since = std::chrono::steady_clock::now();
    TextEncoding applied_encoding = model.settings.encoding;
    bool glyphs_wanted = false;
    bool glyphs_building = false;
    auto last_glyph_build = std::chrono::steady_clock::now() - std::chrono::seconds(10);
    std::size_t vertices_max = 0;
    int exit_code = 0;

    while (!quit) {
        // 1. Idle: sleep until input or an engine event; wake for ages (1 s) and reconnect
        //    countdowns (0.5 s).
        if (!fixed_frames && busy_frames == 0 && pump.backlog() == 0) {
            bool countdown = false;
            for (const auto& row : model.table.endpoints())
                countdown = countdown || row.status.state == EndpointState::WaitingRetry;
            if (model.trace_layout) {   // tests: nothing more is drawn until an event or the timeout
                std::printf("trace: idle\n");
                std::fflush(stdout);
            }
            glfwWaitEventsTimeout(countdown ? 0.5 : 1.0);
        }
        // 2. Pace: no frame before its period since the last one has passed, however often the
        //    engine wakes us (input shortens the period to 60 fps at once).
        for (int waits = 0; waits < 100; ++waits) {
            const auto now = std::chrono::steady_clock::now();
            const auto next = pacer.nextFrame(now, window_state.activity);
            if (now >= next) break;
            glfwWaitEventsTimeout(std::chrono::duration<double>(next - now).count());
        }
        glfwPollEvents();
        const auto frame_start = std::chrono::steady_clock::now();
        const double frame_cpu_start = frame_log ? threadCpuMs() : 0.0;
        pacer.frameStarted(frame_start);
        // A stop signal ends the app like a close; the workspace (and its unsaved mark) is
        // already autosaved, so nothing is lost.
        if (options.stop && options.stop->load()) break;

        if (window_state.close_requested) {
            window_state.close_requested = false;
            if (fixed_frames) quit = true;
            else main_window.requestQuit();
        }
        for (const auto& path : window_state.dropped) main_window.requestOpen(path);
        window_state.dropped.clear();
        // Results of file jobs (open, save, autosave): applied here, on the UI thread.
        if (files.poll() > 0) window_state.activity = true;

        model.glyphs.newFrame();
        const std::size_t applied = pump.pump(model, drain);
        const double events_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - frame_start).count();
        if (window_state.activity) pacer.noteInput(frame_start);
        if (window_state.repaint) invalidatePicture();
        window_state.repaint = false;
        // Input: a few frames (ImGui settles over 2-3); engine events alone: one frame is enough.
        if (window_state.activity || pump.backlog() > 0) busy_frames = 3;
        else if (model.busy) busy_frames = std::max(busy_frames, 1);   // the last frame left work for the next
        else if (applied > 0) busy_frames = std::max(busy_frames, 1);
        else if (busy_frames > 0) --busy_frames;
        window_state.activity = false;

        // Settings that need GPU work: content scale, font size and theme.
        if (window_state.scale_changed) {
            window_state.scale_changed = false;
            float sx = 1, sy = 1;
            glfwGetWindowContentScale(window, &sx, &sy);
            content_scale = std::clamp(std::max(sx, sy), 1.0f, 4.0f);
            applied_font_scale = -1;           // rebuild the fonts below
            applyTheme(applied_theme, content_scale);
        }
        // Rows shown in another encoding may need other characters: look at the newest ones.
        if (model.settings.encoding != applied_encoding) {
            applied_encoding = model.settings.encoding;
            const std::size_t n = model.log.size();
            for (std::size_t i = n > 1000 ? n - 1000 : 0; i < n; ++i) {
                const LogRecord& record = model.log.record(i);
                if (record.kind == LogKind::Rx || record.kind == LogKind::Tx)
                    model.glyphs.noteBytes(model.log.bytes(record), applied_encoding);
            }
        }
        if (model.settings.font_scale != applied_font_scale) {
            applied_font_scale = model.settings.font_scale;
            ImGui_ImplOpenGL3_DestroyFontsTexture();
            model.fonts = loadFonts(std::round(kBaseFontPx * content_scale * applied_font_scale), font_glyphs.extra());
            ImGui_ImplOpenGL3_CreateFontsTexture();
            invalidatePicture();   // the same texture name may now hold other glyphs
        }
        // Characters the atlas lacks: a new atlas with them is built on the file worker (a CJK
        // atlas takes ~0.2 s) and swapped in between frames; at most one build at a time, at
        // most one a second, the extras bounded (FontGlyphs::kMaxExtraGlyphs).
        glyphs_wanted = font_glyphs.add(model.fonts, model.glyphs.take()) || glyphs_wanted;
        if (glyphs_wanted && !glyphs_building && frame_start - last_glyph_build >= std::chrono::seconds(1)) {
            glyphs_wanted = false;
            glyphs_building = true;
            last_glyph_build = frame_start;
            const float size = std::round(kBaseFontPx * content_scale * applied_font_scale);
            files.post("fonts", [&, size, extra = font_glyphs.extra()]() -> FileWorker::Completion {
                const auto started = std::chrono::steady_clock::now();
                auto built = std::make_shared<BuiltFonts>(buildFonts(size, extra));
                const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
                return [&, size, built, ms, count = extra.size()] {
                    glyphs_building = false;
                    if (size != std::round(kBaseFontPx * content_scale * applied_font_scale)) {
                        IM_DELETE(built->atlas);   // the font size changed meanwhile: build again
                        glyphs_wanted = true;
                        return;
                    }
                    ImGui_ImplOpenGL3_DestroyFontsTexture();
                    model.fonts = installFonts(*built);
                    ImGui_ImplOpenGL3_CreateFontsTexture();
                    invalidatePicture();
                    if (model.trace) std::printf("trace: glyphs extra=%zu build_ms=%.1f\n", count, ms);
                };
            });
        }
        if (model.settings.theme != applied_theme) {
            applied_theme = model.settings.theme;
            applyTheme(applied_theme, content_scale);
        }

        const auto ui_start = std::chrono::steady_clock::now();
        ImGui_ImplOpenGL3_NewFrame();   // (re)creates the font texture when it is missing
        if (ImGui::GetIO().Fonts->TexID != nearest_texture) nearest_texture = useNearestSampling(ImGui::GetIO().Fonts->TexID);
        ImGui_ImplGlfw_NewFrame();
        const bool tapped = window_state.keys.apply(ImGui::GetIO(), [&](int key) {
            return key >= GLFW_KEY_SPACE && key <= GLFW_KEY_LAST && glfwGetKey(window, key) == GLFW_PRESS;
        });
        if (tapped) busy_frames = std::max(busy_frames, 1);   // a frame to let the held key go
        ImGui::NewFrame();
        ImGui::PushFont(model.fonts.ui);
        model.busy = false;   // views set it again when they left work for the next frame
        main_window.draw();
        ImGui::PopFont();
        ImGui::Render();
        vertices_max = std::max(vertices_max, static_cast<std::size_t>(ImGui::GetDrawData()->TotalVtxCount));
        const double ui_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ui_start).count();

        int width = 0, height = 0;
        glfwGetFramebufferSize(window, &width, &height);
        const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
        ++frame;
        const bool screenshot_now = options.screenshot_path && frame >= total_frames;
        if (screenshot_now || present_all) invalidatePicture();   // glReadPixels reads the back buffer: draw it all
        ImDrawData* draw_data = ImGui::GetDrawData();
        const bool present = pacer.shouldPresent(drawDataFingerprint(*draw_data, ImGui::GetColorU32(bg)));
        const double drawn_share = present ? presenter.render(*draw_data, ImGui::GetColorU32(bg), width, height) : 0.0;

        if (screenshot_now) {
            if (!writeScreenshot(*options.screenshot_path, width, height)) {
                std::fprintf(stderr, "sockscope: cannot write %s\n", options.screenshot_path->c_str());
                exit_code = 1;
            } else {
                std::printf("sockscope: screenshot %s (%dx%d)\n", options.screenshot_path->c_str(), width, height);
            }
            quit = true;
        }
        const auto swap_start = std::chrono::steady_clock::now();
        const double render_ms = std::chrono::duration<double, std::milli>(swap_start - ui_start).count() - ui_ms;
        presenter.present();
        const auto swap_end = std::chrono::steady_clock::now();
        const double swap_ms = std::chrono::duration<double, std::milli>(swap_end - swap_start).count();
        // A typed character was handed to ImGui before this frame was built: it is on screen now
        // (a frame not presented showed nothing new: the character was already there, or hidden).
        if (window_state.key_pending && *window_state.key_pending <= ui_start) {
            key_latencies.push_back(
                std::chrono::duration<double, std::milli>(swap_end - *window_state.key_pending).count());
            window_state.key_pending.reset();
        }

        const double frame_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - frame_start).count();
        if (present) {
            pacer.presented(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - frame_start));
            shown_ms_sum += frame_ms;
            ++shown_ms_count;
        }
        if (swap_end - shown_ms_since >= std::chrono::milliseconds(500) && shown_ms_count > 0) {
            model.frame_ms = static_cast<float>(shown_ms_sum / shown_ms_count);
            shown_ms_sum = 0;
            shown_ms_count = 0;
            shown_ms_since = swap_end;
        }
        if (bench_first_frame < 0 && (model.table.openConnections() >= bench_wait_connections ||
                                      std::chrono::steady_clock::now() > bench_wait_until)) {
            bench_first_frame = frame;
            std::printf("sockscope: bench measuring from frame %d, open connections %zu\n", frame,
                        model.table.openConnections());
            std::fflush(stdout);
        }
        // The first frames upload the font atlas and compile shaders: a warm-up, not measured.
        // A frame is a picture presented: from the loop waking for it (input, events) through
        // applying events, building the UI, rendering, to the end of the swap. Iterations that
        // were not presented (nothing on screen changed) cost only events + UI and are counted
        // apart, never mixed into the percentiles.
        if (options.bench_frames > 0 && bench_first_frame >= 0 && frame > bench_first_frame + bench_warmup) {
            if (bench_iterations++ == 0) {
                bench_cpu_start = std::clock();
                bench_start = frame_start;
            }
            if (present) {
                presented_share_sum += drawn_share;
                frame_times.push_back(frame_ms);
                ui_times.push_back(ui_ms);
                event_times.push_back(events_ms);
                swap_times.push_back(swap_ms);
                if (frame_log)
                    frame_traces.push_back({std::chrono::duration<double, std::milli>(frame_start - bench_start).count(), frame_ms,
                                            events_ms, ui_ms, render_ms, swap_ms, threadCpuMsSince(frame_cpu_start),
                                            drawn_share, applied, pump.backlog()});
            }
        }
        if (options.bench_frames > 0 && bench_first_frame >= 0) {
            if (frame >= bench_first_frame + options.bench_frames + bench_warmup) quit = true;
        }

        // Autosave the workspace and the settings when they changed: snapshots handed to the
        // file worker (atomic writes with fsync, off the frame loop); a failure stays on screen.
        if (!fixed_frames && (model.workspace.revision != saved_revision || model.workspace.dirty != saved_dirty)) {
            postAutosave(files, model, workspaceProfile(model), workspace_file);
            saved_revision = model.workspace.revision;
            saved_dirty = model.workspace.dirty;
            settings_dirty = true;
        }
        if (model.settings.revision != saved_settings_revision) {   // a view changed a setting (send panel memory)
            saved_settings_revision = model.settings.revision;
            settings_dirty = true;
        }
        if (settings_dirty && !fixed_frames) {
            postSettingsSave(files, model, settings_file, main_window.layout());
            settings_dirty = false;
        }
    }

    if (options.bench_frames > 0) {
        std::printf("sockscope: bench frames=%zu (after %d warm-up) p50=%.2f p90=%.2f p99=%.2f max=%.2f ms (ui p50=%.2f p99=%.2f, swap p50=%.2f p99=%.2f, events p50=%.2f p99=%.2f) "
                    "vertices_max=%zu log_records=%zu evicted=%llu open_connections=%zu iterations=%d unchanged=%zu cpu_ms_per_iteration=%.2f "
                    "partial_present=%d presented_share=%.3f\n",
                    frame_times.size(), bench_warmup, percentile(frame_times, 0.50), percentile(frame_times, 0.90),
                    percentile(frame_times, 0.99), percentile(frame_times, 1.0), percentile(ui_times, 0.50),
                    percentile(ui_times, 0.99), percentile(swap_times, 0.50), percentile(swap_times, 0.99), percentile(event_times, 0.50),
                    percentile(event_times, 0.99),
                    vertices_max, model.log.size(),
                    static_cast<unsigned long long>(model.log.evictedRecords()), model.table.openConnections(),
                    bench_iterations, static_cast<std::size_t>(bench_iterations) - frame_times.size(),
                    bench_iterations > 1 ? 1000.0 * static_cast<double>(std::clock() - bench_cpu_start) / CLOCKS_PER_SEC / (bench_iterations - 1) : 0.0,
                    presenter.partial() ? 1 : 0, frame_times.empty() ? 0.0 : presented_share_sum / static_cast<double>(frame_times.size()));
        if (frame_log) {
            const std::string path = std::string(frame_log) + "." + std::to_string(processId()) + ".csv";
            if (std::FILE* out = std::fopen(path.c_str(), "w")) {
                std::fprintf(out, "t_ms,frame_ms,events_ms,applied,backlog,ui_ms,render_ms,swap_ms,cpu_ms,drawn\n");
                for (const FrameTrace& f : frame_traces)
                    std::fprintf(out, "%.1f,%.2f,%.2f,%zu,%zu,%.2f,%.2f,%.2f,%.2f,%.3f\n", f.t_ms, f.frame_ms, f.events_ms,
                                 f.applied, f.backlog, f.ui_ms, f.render_ms, f.swap_ms, f.cpu_ms, f.drawn);
                std::fclose(out);
            }
        }
        if (!key_latencies.empty())
            std::printf("sockscope: bench keystroke_to_screen n=%zu p50=%.2f p90=%.2f max=%.2f ms\n",
                        key_latencies.size(), percentile(key_latencies, 0.5), percentile(key_latencies, 0.9),
                        percentile(key_latencies, 1.0));
        std::fflush(stdout);
    }

    // 7. Tear down in reverse order: the last settings are written before the worker stops.
    if (model.workspace.discarded && !fixed_frames) postDiscardRestore(files, model, workspace_file);
    if (!fixed_frames) postSettingsSave(files, model, settings_file, main_window.layout());
    files.drain();
    engine.shutdown();
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return exit_code;
}

}  // namespace sockscope
