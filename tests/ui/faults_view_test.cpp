// Fault injection in the GUI (headless ImGui frames): the editor's Faults section edits the
// endpoint's "faults" and shows their counts, the workspace tree shows a faults badge, the
// connections table's row menu stops and resumes reading (StopReading) with a "not reading" badge;
// and the rule editor's rows fit the editor's width at font scales 1-2 in English and Chinese.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "headless.hpp"
#include "item_recorder.hpp"
#include "core/profile/profile.hpp"
#include "ui/fonts.hpp"
#include "ui/i18n.hpp"
#include "ui/main_window.hpp"
#include "ui/theme.hpp"
#include "ui/views/connections_view.hpp"
#include "ui/views/rules_view.hpp"

namespace sockscope::ui {
namespace {

using test::ItemRecorder;

class FaultsViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
    }
    void TearDown() override { setLanguage(Language::English); }
    void clickProbe(const std::string& name, int button = 0) {
        ASSERT_TRUE(probe.has(name)) << name << " was not drawn";
        ui.click(probe.at(name).cx(), probe.at(name).cy(), button);
    }
    /// Each frame draws the connections table of the selected endpoint in a 1500x400 window.
    void drawConnections(ConnectionsView& connections) {
        ui.setDraw([&] {
            probe.rects.clear();   // what this frame drew (buttons that went away are gone)
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(1500, 400));
            ImGui::Begin("connections", nullptr, ImGuiWindowFlags_NoDecoration);
            connections.draw(model, sink);
            ImGui::End();
        });
    }
    bool drawn(const std::string& part) {
        ItemRecorder::clear();
        ItemRecorder::recording = true;
        ui.frames(1);
        ItemRecorder::recording = false;
        for (const auto& t : ItemRecorder::texts)
            if (t.text.find(part) != std::string::npos) return true;
        return false;
    }
    template <typename T>
    std::vector<T> posted() const {
        std::vector<T> out;
        for (const auto& c : commands)
            if (const T* t = std::get_if<T>(&c)) out.push_back(*t);
        return out;
    }
    EndpointId addServerWithFaults() {
        EndpointConfig config = Workspace::defaultConfig(EndpointType::TcpServer, 0);
        FaultConfig faults;
        faults.delay_min_ms = 20;
        faults.delay_max_ms = 200;
        faults.split_size = 4;
        faults.split_gap_ms = 10;
        faults.drop = 0.1;
        config.faults = faults;
        const EndpointId id = model.workspace.add(config);
        EndpointStatus status{};
        status.endpoint = id;
        status.state = EndpointState::Listening;
        model.apply(status);
        StatsEvent stats;
        stats.endpoint = id;
        stats.faults = FaultCounters{3, 12, 1, 0};
        model.apply(stats);
        model.selection = Selection{id, 0};
        return id;
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    std::vector<Command> commands;
    CommandSink sink = [this](Command c) { commands.push_back(std::move(c)); };
};

TEST_F(FaultsViewTest, EditorFaultsSectionShowsAndEditsTheFaults) {
    const EndpointId id = addServerWithFaults();
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    ui.frames(2);
    // The tree shows that this endpoint misbehaves on purpose.
    EXPECT_TRUE(probe.has("tree.faults." + std::to_string(id)));
    EXPECT_TRUE(drawn("[faults]"));
    window.editor().openEdit(*model.workspace.find(id), model.workspace);
    ui.frames(3);
    clickProbe("editor.options");   // fold the socket options: the sections below come into view
    ui.frames(2);
    ASSERT_TRUE(probe.has("editor.faults")) << "the Faults section";
    ASSERT_TRUE(probe.has("editor.faults.split")) << "open: the endpoint has faults";
    EXPECT_TRUE(drawn("3 delayed, 12 split pieces, 1 dropped, 0 duplicated"));
    // Turning them off and applying posts the endpoint without faults.
    clickProbe("editor.faults.inject");
    ui.frames(1);
    EXPECT_FALSE(probe.has("editor.faults.split"));
    clickProbe("editor.apply");
    ASSERT_EQ(posted<UpdateEndpoint>().size(), 1u);
    EXPECT_FALSE(posted<UpdateEndpoint>()[0].config.faults);
    EXPECT_FALSE(model.workspace.find(id)->config.faults);
    ui.frames(2);
    EXPECT_FALSE(probe.has("tree.faults." + std::to_string(id))) << "no badge without faults";
}

TEST_F(FaultsViewTest, RowMenuStopsAndResumesReadingWithABadge) {
    const EndpointId id = addServerWithFaults();
    model.apply(ConnectionOpened{id, 7, "127.0.0.1:40000", "127.0.0.1:9000", nowUs()});
    ConnectionsView connections;
    drawConnections(connections);
    ui.frames(2);
    clickProbe("conn.row.7", 1);   // right click: the row's menu
    ui.frames(2);
    ASSERT_TRUE(probe.has("conn.menu.reading"));
    EXPECT_TRUE(drawn("Stop reading"));
    clickProbe("conn.menu.reading");
    ASSERT_EQ(posted<StopReading>().size(), 1u);
    EXPECT_EQ(posted<StopReading>()[0].connection, 7u);
    EXPECT_TRUE(posted<StopReading>()[0].stop);
    // The engine says so: the row shows it, and the menu offers to resume.
    model.apply(ReadingStatus{id, 7, true, nowUs()});
    ui.frames(2);
    EXPECT_TRUE(probe.has("conn.not_reading.7"));
    EXPECT_TRUE(drawn("[not reading]"));
    clickProbe("conn.row.7", 1);
    ui.frames(2);
    EXPECT_TRUE(drawn("Resume reading"));
    clickProbe("conn.menu.reading");
    ASSERT_EQ(posted<StopReading>().size(), 2u);
    EXPECT_FALSE(posted<StopReading>()[1].stop);
}

// Tester item: at a font scale of 2 the Close buttons were past the right edge of the table.
// The row's menu has them too, and the peer column stays when the table scrolls sideways.
TEST_F(FaultsViewTest, TheRowMenuClosesHalfClosesAndResetsTheConnection) {
    const EndpointId id = addServerWithFaults();
    model.apply(ConnectionOpened{id, 7, "127.0.0.1:40000", "127.0.0.1:9000", nowUs()});
    ConnectionsView connections;
    drawConnections(connections);
    ui.frames(2);
    clickProbe("conn.row.7", 1);
    ui.frames(2);
    EXPECT_TRUE(drawn("Close")) << "FIN";
    EXPECT_TRUE(drawn("Half-close"));
    ASSERT_TRUE(probe.has("conn.menu.reset"));
    clickProbe("conn.menu.reset");
    ASSERT_EQ(posted<CloseConnection>().size(), 1u);
    EXPECT_EQ(posted<CloseConnection>()[0].connection, 7u);
    EXPECT_EQ(posted<CloseConnection>()[0].mode, CloseMode::Abort);
}

/// Tester B7: Sockscope's own send queue shows beside the kernel's, and a close waiting for it
/// takes the place of the Close buttons (Reset stays: it ends the wait and discards the queue).
TEST_F(FaultsViewTest, OurOwnSendQueueAndAWaitingCloseShowInTheConnectionsRow) {
    const EndpointId id = addServerWithFaults();
    model.apply(ConnectionOpened{id, 7, "127.0.0.1:40000", "127.0.0.1:9000", nowUs()});
    ConnectionsView connections;
    drawConnections(connections);
    ui.frames(2);
    EXPECT_FALSE(probe.has("conn.queued.7")) << "nothing queued: nothing said";
    EXPECT_TRUE(probe.has("conn.close.7"));
    StatsEvent stats;
    stats.endpoint = id;
    TrafficCounters traffic;
    traffic.queued_bytes = 15u << 20;
    stats.connections.emplace_back(7, traffic);
    model.apply(stats);
    ui.frames(2);
    EXPECT_TRUE(probe.has("conn.queued.7"));
    EXPECT_TRUE(drawn("+15.0 MiB"));
    traffic.close_pending = true;
    stats.connections[0].second = traffic;
    model.apply(stats);
    ui.frames(2);
    EXPECT_TRUE(drawn("closing: 15.0 MiB to send"));
    EXPECT_FALSE(probe.has("conn.close.7")) << "already closing";
    clickProbe("conn.reset.7");
    ASSERT_EQ(posted<CloseConnection>().size(), 1u);
    EXPECT_EQ(posted<CloseConnection>()[0].mode, CloseMode::Abort);
    setLanguage(Language::Chinese);
    EXPECT_TRUE(drawn("关闭中：还有 15.0 MiB 待发送"));
}

/// Items cut off on the right by their window: "(x0,y0)-(x1,y1) past x".
std::vector<std::string> clippedItems() {
    const float slack = ImGui::GetStyle().ItemSpacing.x + 1;
    std::vector<std::string> out;
    for (const auto& item : ItemRecorder::items) {
        if (item.clipped || item.window->ScrollbarX) continue;
        const ImRect& r = item.rect;
        if (r.Min.x >= item.clip.Max.x || r.Max.y <= item.clip.Min.y || r.Min.y >= item.clip.Max.y) continue;
        if (r.Max.x <= item.clip.Max.x + slack) continue;
        std::ostringstream text;
        text << "(" << r.Min.x << "," << r.Min.y << ")-(" << r.Max.x << "," << r.Max.y << ") past " << item.clip.Max.x;
        out.push_back(text.str());
    }
    return out;
}

TEST_F(FaultsViewTest, RuleRowsFitTheEditorAtFontScalesOneToTwoInBothLanguages) {
#if !SOCKSCOPE_ITEM_HOOK
    GTEST_SKIP() << "ImGui::ItemAdd cannot be wrapped on this platform";
#endif
    const ProfileLoadResult loaded = loadProfile(SOCKSCOPE_SOURCE_DIR "/assets/profiles/rtu-device.json");
    ASSERT_TRUE(loaded.profile) << loaded.error;
    EndpointConfig config = loaded.profile->endpoints[0];
    ReplyRule regex;
    regex.name = "a rule with a long name";
    regex.match.body = MatchBody::Text;
    regex.match.mode = MatchMode::Regex;
    regex.match.text = "^SET (\\w+)=(\\d+)$";
    regex.close = RuleClose::Fin;
    regex.faults = FaultConfig{};
    config.rules.push_back(regex);
    RulesEditor editor;
    for (const float scale : {1.0f, 1.5f, 2.0f}) {
        model.fonts = loadFonts(std::round(15.0f * scale));
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        applyTheme(ThemeKind::Dark, 1.0f);
        ui.setDraw([&] {
            ImGui::PushFont(model.fonts.ui);
            // The editor modal's form: 36 em wide, less its padding and scrollbar.
            const float em = ImGui::GetFontSize();
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(em * 34, 3000));
            ImGui::Begin("rules", nullptr, ImGuiWindowFlags_NoDecoration);
            editor.draw(model, config, 0);
            ImGui::End();
            ImGui::PopFont();
        });
        for (Language language : {Language::English, Language::Chinese}) {
            setLanguage(language);
            ui.frames(2);
            ItemRecorder::clear();
            ItemRecorder::recording = true;
            ui.frame();
            ItemRecorder::recording = false;
            EXPECT_EQ(clippedItems(), std::vector<std::string>{})
                << "scale " << scale << (language == Language::Chinese ? " zh" : " en");
        }
    }
    ui.setDraw({});
}

}  // namespace
}  // namespace sockscope::ui
