// Issue 6, item 24: what the frame loop renders and when (ui/frame_pacer.hpp), on headless ImGui
// frames of the whole window with 10,000 connections.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "headless.hpp"
#include "model_fixtures.hpp"
#include "ui/frame_pacer.hpp"
#include "ui/i18n.hpp"
#include "ui/main_window.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {
namespace {

using namespace std::chrono_literals;
using Clock = FramePacer::Clock;

std::uint64_t fingerprint(std::uint32_t clear = 0xff000000u) { return drawDataFingerprint(*ImGui::GetDrawData(), clear); }

class FramePacerTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
        sink = [this](Command c) { commands.push_back(std::move(c)); };
    }

    /// A listening TCP server with `n` open connections (ids 101, 102, ...) and their statistics.
    // Opened an hour ago: the Age column reads "1h 00m" and changes once a minute. Connections
    // opened now show their age in ms, a new picture every frame on a slow (sanitized) build.
    const TimestampUs openedAt = nowUs() - 3'600'000'000;

    EndpointId addServer(int n) { return test::addListeningServer(model, n, openedAt, /*with_stats=*/true); }

    /// Two frames in a row with nothing changed between them show the same picture. (An age
    /// or a rate-plot second may tick between two frames: a few tries.)
    bool unchangedFramesLookTheSame() {
        for (int attempt = 0; attempt < 5; ++attempt) {
            ui.frame();
            const std::uint64_t a = fingerprint();
            ui.frame();
            if (fingerprint() == a) return true;
        }
        return false;
    }

    /// Tree rows drawn this frame, top to bottom: their connection ids.
    std::vector<ConnectionId> treeRows() const {
        std::vector<std::pair<float, ConnectionId>> rows;
        for (const auto& [name, rect] : probe.rects)
            if (name.rfind("tree.conn.", 0) == 0) rows.emplace_back(rect.y0, std::stoull(name.substr(10)));
        std::sort(rows.begin(), rows.end());
        std::vector<ConnectionId> ids;
        for (const auto& row : rows) ids.push_back(row.second);
        return ids;
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    CommandSink sink;
    std::vector<Command> commands;
};

TEST(FramePacer, InputGetsAFrameAtOnceTrafficAtMostTwentyASecond) {
    FramePacer pacer;
    const Clock::time_point t0{1s};
    EXPECT_EQ(pacer.nextFrame(t0, false), t0) << "the first frame is never held back";
    pacer.frameStarted(t0);
    // Traffic alone: one frame per 50 ms, however often the engine wakes the loop.
    EXPECT_EQ(pacer.nextFrame(t0 + 1ms, false), t0 + FramePacer::kTrafficPeriod);
    // Input waiting: the next frame comes one 60 fps period after the last one, not 50 ms.
    EXPECT_EQ(pacer.nextFrame(t0 + 1ms, true), t0 + FramePacer::kInputPeriod);
    pacer.noteInput(t0 + 2ms);
    EXPECT_TRUE(pacer.interactive(t0 + 100ms));
    EXPECT_EQ(pacer.nextFrame(t0 + 3ms, false), t0 + FramePacer::kInputPeriod) << "60 fps while interacting";
    // Half a second after the last input, traffic alone paces the frames again.
    EXPECT_FALSE(pacer.interactive(t0 + 2ms + FramePacer::kInteractiveFor));
    EXPECT_EQ(pacer.nextFrame(t0 + 600ms, false), t0 + FramePacer::kTrafficPeriod);
    EXPECT_LE(FramePacer::kInputPeriod, 17ms);
    EXPECT_LE(FramePacer::kTrafficPeriod, 50ms);
}

TEST(FramePacer, SlowFramesSpaceTrafficOutButNeverInput) {
    FramePacer pacer;
    const Clock::time_point t0{1s};
    pacer.frameStarted(t0);
    for (int i = 0; i < 20; ++i) pacer.presented(60ms);   // a saturated machine
    EXPECT_EQ(pacer.trafficPeriod(), FramePacer::kSlowTrafficPeriod);
    EXPECT_EQ(pacer.nextFrame(t0 + 1ms, false), t0 + FramePacer::kSlowTrafficPeriod);
    EXPECT_EQ(pacer.nextFrame(t0 + 1ms, true), t0 + FramePacer::kInputPeriod) << "input is never held back";
    for (int i = 0; i < 20; ++i) pacer.presented(25ms);
    EXPECT_GT(pacer.trafficPeriod(), 70ms);   // three times the cost
    EXPECT_LT(pacer.trafficPeriod(), 80ms);
    for (int i = 0; i < 30; ++i) pacer.presented(5ms);
    EXPECT_EQ(pacer.trafficPeriod(), FramePacer::kTrafficPeriod);
}

TEST(FramePacer, OnlyAChangedPictureIsPresented) {
    FramePacer pacer;
    EXPECT_TRUE(pacer.shouldPresent(1));
    EXPECT_FALSE(pacer.shouldPresent(1)) << "the screen already shows it";
    EXPECT_TRUE(pacer.shouldPresent(2));
    EXPECT_TRUE(pacer.shouldPresent(1));
    pacer.invalidate();   // exposed, fonts rebuilt, screenshot
    EXPECT_TRUE(pacer.shouldPresent(1));
}

TEST_F(FramePacerTest, TheFingerprintSeesEveryChangeOfThePicture) {
    std::string text = "hello";
    ImVec4 color(1, 1, 1, 1);
    ui.setDraw([&] {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(400, 200));
        ImGui::Begin("w", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::TextColored(color, "%s", text.c_str());
        ImGui::End();
    });
    ui.frames(2);
    const std::uint64_t same = fingerprint();
    ui.frame();
    EXPECT_EQ(fingerprint(), same) << "nothing changed";
    EXPECT_NE(fingerprint(0xff202020u), same) << "another background (theme)";
    text = "hellp";   // one glyph
    ui.frame();
    EXPECT_NE(fingerprint(), same);
    text = "hello";
    color = ImVec4(1, 0, 0, 1);   // a colour only
    ui.frame();
    EXPECT_NE(fingerprint(), same);
    color = ImVec4(1, 1, 1, 1);
    ui.frame();
    EXPECT_EQ(fingerprint(), same) << "back to the same picture";
    ImGui::GetIO().DisplaySize = ImVec2(1599, 1000);   // the window was resized
    ui.frame();
    EXPECT_NE(fingerprint(), same);
}

// With 10,000 connections the whole window costs what it costs with 100 (clipped table, bounded
// tree), the tree shows the first connections in order, and an idle window presents nothing new
// while input (a click) gets a new picture at once.
TEST_F(FramePacerTest, TenThousandConnectionsDrawABoundedFrameAndInputChangesIt) {
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    const EndpointId id = addServer(100);
    ui.frames(3);
    const int vertices_100 = ImGui::GetDrawData()->TotalVtxCount;

    for (int i = 100; i < 10'000; ++i) {
        const ConnectionId c = 101 + static_cast<ConnectionId>(i);
        model.apply(ConnectionOpened{id, c, "127.0.0.1:" + std::to_string(40000 + i), "127.0.0.1:9000", openedAt});
    }
    ui.frames(3);
    EXPECT_EQ(model.table.openConnections(), 10'000u);
    const int vertices_10k = ImGui::GetDrawData()->TotalVtxCount;
    // Longer numbers ("10,000", "9,936 more") add a few glyphs; rows would add thousands.
    EXPECT_LE(vertices_10k, vertices_100 * 105 / 100) << "the frame must not grow with the connection count ("
                                                      << vertices_100 << " vertices with 100)";

    // The tree lists the first connections in order, then says how many more there are.
    const std::vector<ConnectionId> rows = treeRows();
    ASSERT_FALSE(rows.empty());
    EXPECT_LE(rows.size(), 64u);
    for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i], 101 + i);
    // Its first rows are inside the tree pane, and the table's first rows are the first ids too.
    ASSERT_TRUE(probe.has("tree.conn.101"));
    EXPECT_LT(probe.at("tree.conn.101").y1, 1000.0f);
    EXPECT_TRUE(probe.has("conn.row.101"));

    // Nothing changes: the same picture, frame after frame (the loop does not present it again).
    EXPECT_TRUE(unchangedFramesLookTheSame());

    // A click on a tree row: the very next frame shows a different picture (the selection).
    const std::uint64_t before = fingerprint();
    const ProbeRect r = probe.at("tree.conn.103");
    ui.click(r.cx(), r.cy());
    EXPECT_EQ(model.selection.connection, 103u);
    EXPECT_NE(fingerprint(), before);
}

}  // namespace
}  // namespace sockscope::ui
