// Every view walked in headless frames (issue 6 items 18, 21): no two items share an ID in a
// frame (a shared ID makes the second one dead, as the editor's Auto-reconnect checkbox was).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "headless.hpp"
#include "item_recorder.hpp"
#include "ui/fonts.hpp"
#include "ui/main_window.hpp"
#include "ui/settings_store.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {
namespace {

using test::ItemRecorder;
using test::clippedItems;
using test::duplicateIds;

// A workspace with every endpoint kind, connections and log rows, so every view has content.
void populate(UiModel& model) {
    const EndpointId server = model.workspace.add(model.workspace.newConfig(EndpointType::TcpServer));
    const EndpointId client = model.workspace.add(model.workspace.newConfig(EndpointType::TcpClient));
    EndpointConfig udp = model.workspace.newConfig(EndpointType::Udp);
    udp.multicast.groups.push_back({"239.1.2.3", ""});
    udp.multicast.groups.push_back({"239.1.2.4", ""});
    model.workspace.add(udp);
    EndpointStatus listening{};
    listening.endpoint = server;
    listening.state = EndpointState::Listening;
    listening.local = "0.0.0.0:9000";
    model.apply(listening);
    for (ConnectionId c = 1; c <= 3; ++c)
        model.apply(ConnectionOpened{server, c, "[2001:db8::1234:5678:9abc]:6" + std::to_string(c) + "000",
                                     "0.0.0.0:9000", nowUs()});
    EndpointStatus failed{};
    failed.endpoint = client;
    failed.state = EndpointState::Failed;
    failed.error = ErrorInfo{"ECONNREFUSED", "connection refused by 127.0.0.1:9001: nothing is listening on that port", "127.0.0.1:9001 拒绝连接：该端口上没有程序在监听"};
    model.apply(failed);
    model.apply(DataEvent{server, 1, Direction::Rx, nowUs(), {}, Bytes{'h', 'i', 0xe4, 0xbd, 0xa0}});
    model.selection = Selection{server, 0};
}

// Panes whose rows scroll sideways by design (a log row, a long message in the detail pane): what
// the test finds cut there is printed, not failed on. The connections table is checked: at a large
// font scale it scrolls sideways instead of squeezing Peer and Local to nothing.
bool ownedElsewhere(const std::string& text) {
    for (const char* pane : {"/##log_", "/##detail_"})
        if (text.find(pane) != std::string::npos) return true;
    return false;
}

/// Shows each view of the window in turn (the main window, the editor of every endpoint, the
/// settings, the shortcuts, the file dialog) and calls `check(name)` while it is up.
void forEachView(test::Headless& ui, MainWindow& window, UiModel& model, const std::function<void(const std::string&)>& check) {
    ui.frames(3);
    check("main window");
    for (const auto& endpoint : model.workspace.endpoints()) {
        window.editor().openEdit(endpoint, model.workspace);
        ui.frames(3);
        check("editor of " + endpoint.config.name);
        window.editor().requestCancel();
        ui.frames(2);
    }
    const std::pair<const char*, std::function<void()>> popups[] = {
        {"settings", [&] { window.settingsView().openSettings(); }},
        {"shortcuts", [&] { window.settingsView().openShortcuts(); }},
        {"open dialog", [&] { window.fileDialog().open(FileDialogMode::Open, SOCKSCOPE_SOURCE_DIR "/assets/profiles/demo.json"); }},
        {"save dialog", [&] { window.fileDialog().open(FileDialogMode::Save, SOCKSCOPE_SOURCE_DIR "/assets/profiles/demo.json"); }},
    };
    for (const auto& [name, open] : popups) {
        open();
        ui.frames(3);
        check(name);
        ImGui::GetCurrentContext()->OpenPopupStack.resize(0);   // closes it (a test shortcut)
        ui.frames(2);
    }
}

class LayoutTest : public ::testing::Test {
protected:
    void SetUp() override {
#if !SOCKSCOPE_ITEM_HOOK
        GTEST_SKIP() << "ImGui::ItemAdd cannot be wrapped on this platform";
#endif
        setLanguage(Language::English);
        populate(model);
        model.probe = &probe;
    }
    void TearDown() override {
        ItemRecorder::recording = false;
        setLanguage(Language::English);
    }

    /// Draws `frames` frames and returns the collisions of the last one.
    std::vector<std::string> collisionsAfter(int frames) {
        ui.frames(frames - 1);
        ItemRecorder::clear();
        ItemRecorder::recording = true;
        ui.frame();
        ItemRecorder::recording = false;
        return duplicateIds();
    }

    /// The size of the pane whose window name contains `pane` ("/##log_"), after two frames;
    /// zero when it is not drawn.
    ImVec2 paneSize(const char* pane) {
        ui.frame();
        ItemRecorder::clear();
        ItemRecorder::recording = true;
        ui.frame();
        ItemRecorder::recording = false;
        for (const auto& item : ItemRecorder::items)
            if (std::string(item.window->Name).find(pane) != std::string::npos) return item.window->Size;
        return ImVec2(0, 0);
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    std::vector<Command> commands;
    CommandSink sink = [this](Command c) { commands.push_back(std::move(c)); };
};

TEST_F(LayoutTest, NoTwoItemsShareAnIdInAnyView) {
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    for (Language language : {Language::English, Language::Chinese}) {
        setLanguage(language);
        model.settings.language = language;
        forEachView(ui, window, model, [&](const std::string& view) {
            EXPECT_EQ(collisionsAfter(1), std::vector<std::string>{}) << view;
        });
    }
}

TEST_F(LayoutTest, EveryViewFitsAtFontScalesOneToTwoInBothLanguages) {
    MainWindow window(model, sink, AppHooks{});
    for (const float scale : {1.0f, 1.5f, 2.0f}) {
        model.fonts = loadFonts(std::round(15.0f * scale));
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        applyTheme(ThemeKind::Dark, 1.0f);
        ui.setDraw([&] {
            ImGui::PushFont(model.fonts.ui);
            window.draw();
            ImGui::PopFont();
        });
        for (Language language : {Language::English, Language::Chinese}) {
            setLanguage(language);
            model.settings.language = language;
            const std::string where = "scale " + std::to_string(scale) + (language == Language::Chinese ? " zh" : " en");
            auto check = [&](const std::string& view) {
                ItemRecorder::clear();
                ItemRecorder::recording = true;
                ui.frame();
                ItemRecorder::recording = false;
                std::vector<std::string> mine;
                for (auto& text : clippedItems()) {
                    if (ownedElsewhere(text)) std::printf("note (%s, %s): %s\n", where.c_str(), view.c_str(), text.c_str());
                    else mine.push_back(text);
                }
                EXPECT_EQ(mine, std::vector<std::string>{}) << where << ", " << view;
            };
            forEachView(ui, window, model, check);
        }
    }
    ui.setDraw({});
}

// Issue 7: every registered view alone, in a window the size of its slot's pane in the default
// layout (1600x1000), at font scales 1, 1.5 and 2 in English and Chinese: no ID collision and no
// widget cut off on the right.
ImVec2 defaultPaneSize(ViewSlot slot) {
    const Layout layout;
    const float body = 1000 - 60, right = 1600 - layout.left_width - 5;
    const float middle = body - layout.connections_height - layout.send_height - 10;
    switch (slot) {
        case ViewSlot::Left: return {layout.left_width, body};
        case ViewSlot::Top: return {right, layout.connections_height};
        case ViewSlot::Center: return {right - layout.detail_width - 5, middle};
        case ViewSlot::Side: return {layout.detail_width, middle};
        case ViewSlot::Bottom: return {right, layout.send_height};
        case ViewSlot::Status: return {1600, 60};
        case ViewSlot::Floating: break;
    }
    return {0, 0};
}

// The main window's pane of each slot (ViewSlot order).
constexpr const char* kPaneNames[] = {"##left", "##connections", "##log", "##detail", "##send", "##status", ""};

TEST_F(LayoutTest, EveryRegisteredViewDrawsAloneWithoutIdCollisionsOrClipping) {
    MainWindow window(model, sink, AppHooks{});
    ViewRegistry& views = window.views();
    ASSERT_GE(views.all().size(), 9u);
    window.recordingView().open();   // the floating view draws only when open
    EndpointConfig scripted = model.workspace.find(model.selection.endpoint)->config;   // the script panel's content
    Script script;
    script.name = "ping";
    script.steps.resize(2);
    scripted.scripts.push_back(script);
    model.workspace.update(model.selection.endpoint, scripted);
    std::set<std::string> ids;
    for (const auto& view : views.all()) EXPECT_TRUE(ids.insert(view->id()).second) << view->id();
    for (const float scale : {1.0f, 1.5f, 2.0f}) {
        model.fonts = loadFonts(std::round(15.0f * scale));
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        applyTheme(ThemeKind::Dark, 1.0f);
        for (Language language : {Language::English, Language::Chinese}) {
            setLanguage(language);
            model.settings.language = language;
            for (const auto& view : views.all()) {
                const std::string where = view->id() + " at scale " + std::to_string(scale) +
                                          (language == Language::Chinese ? " zh" : " en");
                ui.setDraw([&] {
                    ImGui::PushFont(model.fonts.ui);
                    ViewContext ctx{model, sink, views};
                    if (view->slot() == ViewSlot::Floating) {
                        view->draw(ctx);
                    } else {   // in a bordered pane named as the main window names it
                        ImGui::SetNextWindowPos(ImVec2(0, 0));
                        ImGui::SetNextWindowSize(ImVec2(1600, 1000));
                        ImGui::Begin("##views", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
                        ImGui::BeginChild(kPaneNames[static_cast<std::size_t>(view->slot())],
                                          defaultPaneSize(view->slot()), true);
                        view->draw(ctx);
                        ImGui::EndChild();
                        ImGui::End();
                    }
                    ImGui::PopFont();
                });
                ui.frames(3);
                ItemRecorder::clear();
                ItemRecorder::recording = true;
                ui.frame();
                ItemRecorder::recording = false;
                EXPECT_FALSE(ItemRecorder::items.empty()) << where << " drew nothing";
                EXPECT_EQ(duplicateIds(), std::vector<std::string>{}) << where;
                std::vector<std::string> mine;
                for (auto& text : clippedItems()) {
                    if (ownedElsewhere(text)) std::printf("note (%s): %s\n", where.c_str(), text.c_str());
                    else mine.push_back(text);
                }
                EXPECT_EQ(mine, std::vector<std::string>{}) << where;
            }
        }
    }
    ui.setDraw({});
}

// Issue 7: View > Panels hides a view (its pane goes, the others take its room); settings.json
// keeps it hidden for the next start, and the menu shows it again.
bool paneDrawn(const char* pane) {
    for (const auto& item : ItemRecorder::items)
        if (std::string(item.window->Name).find(pane) != std::string::npos) return true;
    return false;
}

TEST_F(LayoutTest, AViewHiddenFromTheViewMenuStaysHiddenAfterARestart) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("sockscope-views-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    const fs::path file = dir / "settings.json";
    auto recordFrame = [&] {
        ItemRecorder::clear();
        ItemRecorder::recording = true;
        ui.frame();
        ItemRecorder::recording = false;
    };
    auto menuClick = [&](const std::string& item) {
        ASSERT_TRUE(probe.has(item)) << item;
        ui.click(probe.at(item).cx(), probe.at(item).cy());
    };
    {
        int saves = 0;
        MainWindow* self = nullptr;
        AppHooks hooks;
        hooks.settingsChanged = [&] {   // what the app does: settings.json written from the layout
            ++saves;
            std::ofstream(file, std::ios::binary) << settingsToText(model.settings, self->layout(), StoredState{});
        };
        MainWindow window(model, sink, hooks);
        self = &window;
        ui.setDraw([&] { window.draw(); });
        recordFrame();
        ASSERT_TRUE(paneDrawn("/##connections_"));
        menuClick("menu.view");
        ASSERT_TRUE(probe.has("menu.view.panels"));
        ImGui::GetIO().MousePos = ImVec2(probe.at("menu.view.panels").cx(), probe.at("menu.view.panels").cy());
        ui.frames(3);
        menuClick("menu.view.connections");
        EXPECT_EQ(window.layout().hidden_views, std::vector<std::string>{"connections"});
        EXPECT_EQ(saves, 1);
        ui.frames(2);
        recordFrame();
        EXPECT_FALSE(window.views().find("connections")->isShown());
        EXPECT_FALSE(paneDrawn("/##connections_")) << "the hidden view's pane is gone";
        EXPECT_TRUE(paneDrawn("/##log_")) << "the others stay";
    }
    ui.setDraw({});
    ui.frames(2);

    const SettingsFileLoad loaded = loadSettingsFile(file);   // the next start reads it
    EXPECT_EQ(loaded.report, "");
    MainWindow restarted(model, sink, AppHooks{});
    restarted.layout() = loaded.load.layout;
    ui.setDraw([&] { restarted.draw(); });
    ui.frames(2);
    recordFrame();
    EXPECT_FALSE(restarted.views().find("connections")->isShown());
    EXPECT_FALSE(paneDrawn("/##connections_")) << "hidden after the restart";
    EXPECT_TRUE(paneDrawn("/##left_") && paneDrawn("/##send_"));

    // Shown again from the same menu.
    menuClick("menu.view");
    ImGui::GetIO().MousePos = ImVec2(probe.at("menu.view.panels").cx(), probe.at("menu.view.panels").cy());
    ui.frames(3);
    menuClick("menu.view.connections");
    ui.frames(2);
    recordFrame();
    EXPECT_TRUE(restarted.layout().hidden_views.empty());
    EXPECT_TRUE(paneDrawn("/##connections_"));
    ui.setDraw({});
    fs::remove_all(dir);
}

// Issue 7: the layout places views by slot: a slot without a shown view (or whose views have
// nothing to draw) has no pane, and its neighbours take the room.
// Pane sizes grow with the font: at twice the font size the connections pane is up to twice as tall
// (it shows as many rows), the tree up to twice as wide, each within its share of the window so
// the log keeps its room, and the stored layout is unchanged.
TEST_F(LayoutTest, PaneSizesGrowWithTheFont) {
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    const Layout stored = window.layout();
    const ImVec2 top1 = paneSize("/##connections_"), left1 = paneSize("/##left_");
    ImGui::GetIO().FontGlobalScale = 2.0f;
    const ImVec2 top2 = paneSize("/##connections_"), left2 = paneSize("/##left_");
    ImGui::GetIO().FontGlobalScale = 1.0f;
    ASSERT_GT(top1.y, 0);
    // Twice as large, or as far as its share of the window (28 %) allows, never smaller than before.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    EXPECT_NEAR(top2.y, std::min(2 * top1.y, std::max(top1.y, 0.28f * display.y)), 0.05f * display.y);
    EXPECT_GT(top2.y, top1.y * 1.2f);
    EXPECT_NEAR(left2.x, std::min(2 * left1.x, std::max(left1.x, 0.28f * display.x)), 0.05f * display.x);
    EXPECT_EQ(window.layout().connections_height, stored.connections_height);
    EXPECT_EQ(window.layout().left_width, stored.left_width);
}

TEST_F(LayoutTest, PanesTakeTheRoomOfHiddenViews) {
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    auto paneWidth = [&](const char* pane) { return paneSize(pane).x; };
    const float log_w = paneWidth("/##log_");
    ASSERT_GT(log_w, 0);
    EXPECT_GT(paneWidth("/##detail_"), 0) << "no scripts, but the detail view";
    window.layout().hidden_views = {"detail"};
    EXPECT_EQ(paneWidth("/##detail_"), 0) << "the script panel has nothing to show: no pane";
    const float wide_log = paneWidth("/##log_");
    EXPECT_NEAR(wide_log, log_w + window.layout().detail_width * window.paneScale() + 5, 1.0f);
    window.layout().hidden_views = {"workspace"};
    EXPECT_NEAR(paneWidth("/##send_"), 1600 - 2 * ImGui::GetStyle().WindowPadding.x, 1.0f);
    window.layout().hidden_views = {"connections", "log", "detail", "scripts", "quick_send", "send"};
    EXPECT_NEAR(paneWidth("/##left_"), 1600 - 2 * ImGui::GetStyle().WindowPadding.x, 1.0f) << "alone, the left takes all";
    window.layout().hidden_views = {"log", "detail"};
    const float top = paneWidth("/##connections_");
    EXPECT_GT(top, 0);
    EXPECT_EQ(paneWidth("/##log_"), 0);
    EXPECT_GT(paneWidth("/##send_"), 0);
    ui.setDraw({});
}

// Item 23: with the Chinese UI, every text a view draws is Chinese, data (names, addresses,
// bytes) or a technical term kept as is (TCP states, socket option names, units).
std::vector<std::string> englishWords(const UiModel& model) {
    static const std::set<std::string> kKept = {
        "TCP", "UDP", "RTT", "FIN", "RST", "TTL", "IPv", "SO_REUSEADDR", "SO_REUSEPORT", "TCP_NODELAY",
        "SO_LINGER", "SO_RCVBUF", "SO_SNDBUF", "SO_KEEPALIVE", "SO_BROADCAST", "IPV", "IP_MULTICAST_LOOP",
        "ESTABLISHED", "CLOSE_WAIT", "TIME_WAIT", "LISTEN", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "LAST_ACK",
        "CLOSING", "CLOSE", "KiB", "MiB", "GiB", "Ctrl", "Enter", "Sockscope", "CR", "LF", "CRLF", "utf",
        "gbk", "ascii", "latin", "ms", "xHH", "ECONNREFUSED", "ff", "Interface",
        "Up", "Down", "English", "json",   // key names, the language's own name, the file type
        "Debug"};   // ImGui's own fallback window, not ours
    std::set<std::string> data = {"hi"};   // what the user or the peers typed
    for (const auto& e : model.workspace.endpoints()) data.insert(e.config.name);
    std::vector<std::string> out;
    for (const auto& [window, text] : ItemRecorder::texts) {
        bool is_data = false;
        for (const auto& d : data) is_data = is_data || text.find(d) != std::string::npos;
        // File names and paths (the file dialog) are data too.
        const bool path = text.find('/') != std::string::npos || text.find(".json") != std::string::npos;
        // The UDP editor lists this machine's interfaces (lo, eth0, ...): data too.
        const bool interfaces = text.rfind(tr(Str::Interfaces), 0) == 0;
        const bool engine_error = text.find("nothing is listening") != std::string::npos;
        if (is_data || path || interfaces || engine_error) continue;
        std::string word;
        auto flush = [&] {
            const bool hex = std::all_of(word.begin(), word.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
            if (word.size() >= 2 && !kKept.count(word) && !hex) {
                out.push_back(word + " in \"" + text + "\" (" + window + ")");
            }
            word.clear();
        };
        for (char c : text) {
            if (std::isalpha(static_cast<unsigned char>(c)) || (c == '_' && !word.empty())) word += c;
            else flush();
        }
        flush();
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

TEST_F(LayoutTest, TheChineseUiDrawsNoEnglishWords) {
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    setLanguage(Language::Chinese);
    model.settings.language = Language::Chinese;   // the settings view applies it every frame
    // Log rows keep the language they were written in: write them again in Chinese.
    model.log.clear();
    model.table = EndpointTable{};
    model.workspace = Workspace{};
    populate(model);
    std::vector<std::string> found;
    auto walk = [&] {
        ItemRecorder::clear();
        ItemRecorder::recording = true;
        ui.frame();
        ItemRecorder::recording = false;
        for (auto& w : englishWords(model)) found.push_back(w);
    };
    forEachView(ui, window, model, [&](const std::string&) { walk(); });
    // The UDP endpoint's totals and drops in the connections pane.
    for (const auto& e : model.workspace.endpoints()) {
        if (e.config.type != EndpointType::Udp) continue;
        EndpointRow& udp = model.table.ensure(e.id);
        udp.dropped_messages = 2;
        udp.kernel_drops = 3;
        model.selection = Selection{e.id, 0};
    }
    walk();
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    for (const auto& f : found) std::printf("english: %s\n", f.c_str());
    EXPECT_TRUE(found.empty()) << found.size() << " English words in the Chinese UI (listed above)";
}

// Item 21: in both themes, input frames, unselected radio buttons and checkboxes stand out from
// the background they are drawn on.
TEST(Theme, FramesAreVisibleOnTheBackgroundInBothThemes) {
    auto luminance = [](const ImVec4& c) { return 0.2126f * c.x + 0.7152f * c.y + 0.0722f * c.z; };
    auto contrast = [&](const ImVec4& a, const ImVec4& b) {
        const float la = luminance(a) + 0.05f, lb = luminance(b) + 0.05f;
        return la > lb ? la / lb : lb / la;
    };
    test::Headless ui;
    for (ThemeKind theme : {ThemeKind::Dark, ThemeKind::Light}) {
        applyTheme(theme, 1.0f);
        const ImGuiStyle& style = ImGui::GetStyle();
        const ImVec4 bg = style.Colors[ImGuiCol_WindowBg];
        const float frame = contrast(style.Colors[ImGuiCol_FrameBg], bg);
        const float border = style.FrameBorderSize > 0 ? contrast(style.Colors[ImGuiCol_Border], bg) : 0.0f;
        EXPECT_GT(std::max(frame, border), 1.25f) << (theme == ThemeKind::Light ? "light" : "dark");
        EXPECT_GT(frame, 1.1f) << "the fill itself differs from the background";
    }
}

}  // namespace
}  // namespace sockscope::ui
