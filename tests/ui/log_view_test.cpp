// The log view and its detail pane with messages of any size (issue 6: one 30,000-byte message
// aborted the GUI with "Too many vertices in ImDrawList"), huge row counts with Follow on, Find,
// the selection across scope changes, and bounded copies. Headless ImGui frames; the renderer's
// 16-bit index limit is checked on the draw data of every frame (the headless context, like a
// backend without VtxOffset, has to fit each window in 65,536 vertices).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include "headless.hpp"
#include "item_recorder.hpp"
#include "ui/format.hpp"
#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/log_view.hpp"
#include "ui/views/send_panel.hpp"
#include "support/sanitizers.hpp"

namespace sockscope::ui {
namespace {

// 50 ms in an optimised build: the goal, gated there. Unoptimised sanitizer builds run the same
// code 10-40x slower (parsing a pasted 1 MiB hex payload took 600-650 ms of CPU under ASan at load
// 4): there the budget only catches work that grows without bound.
constexpr double kFrameBudgetMs = sockscope::test::kUnderSanitizer ? 2000 : 50;

class LogViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        ui.setDraw([this] { drawAll(); });
    }
    void TearDown() override { ImGui::GetIO().FontGlobalScale = 1.0f; }

    void drawAll() {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(1100, 700));
        ImGui::Begin("log", nullptr, ImGuiWindowFlags_NoDecoration);
        view.draw(model);
        ImGui::End();
        ImGui::SetNextWindowPos(ImVec2(1100, 0));
        ImGui::SetNextWindowSize(ImVec2(500, 700));
        ImGui::Begin("detail", nullptr, ImGuiWindowFlags_NoDecoration);
        view.drawDetail(model);
        ImGui::End();
        if (withSend) {
            ImGui::SetNextWindowPos(ImVec2(0, 700));
            ImGui::SetNextWindowSize(ImVec2(1600, 300));
            ImGui::Begin("send", nullptr, ImGuiWindowFlags_NoDecoration);
            send.draw(model, [](Command) {});
            ImGui::End();
        }
    }

    /// This thread's CPU time: frame costs measured without the other work on a loaded machine.
    static double cpuMs() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    }
    /// One frame; returns its CPU time in ms, and fails when a window went over 16-bit indices.
    double timedFrame() {
        const double start = cpuMs();
        ui.frame();
        const double ms = cpuMs() - start;
        const ImDrawData* data = ImGui::GetDrawData();
        for (int i = 0; data && i < data->CmdListsCount; ++i)
            EXPECT_LT(data->CmdLists[i]->VtxBuffer.Size, 65536) << "a window needs 32-bit indices";
        return ms;
    }
    /// Frames until the detail pane has split the whole message (bounded); returns the slowest.
    double framesUntilDetailComplete(int* frames = nullptr) {
        double worst = 0;
        int i = 0;
        for (; i < 3 || (!view.detailComplete() && i < 5000); ++i) worst = std::max(worst, timedFrame());
        if (frames) *frames = i;
        EXPECT_TRUE(view.detailComplete());
        return worst;
    }

    test::Headless ui;
    UiModel model;
    LogView view;
    SendPanel send;
    bool withSend = false;
};

Bytes randomBytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    Bytes out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    return out;
}

TEST_F(LogViewTest, OneLargeMessageDrawsInEveryEncodingAndFontScale) {
    view.setScope(LogScope::All);
    struct Case {
        const char* what;
        Bytes bytes;
    };
    std::vector<Case> cases;
    cases.push_back({"30,000 bytes of 'A' in one TCP read", Bytes(30'000, 'A')});
    cases.push_back({"a 65,507-byte datagram of random bytes", randomBytes(65'507, 1)});
    Bytes text;   // 16 MiB of mixed text: ASCII, UTF-8 Chinese, GBK, line feeds
    const std::string piece = "temp=21.5 \xe4\xbd\xa0\xe5\xa5\xbd \xc4\xe3\xba\xc3 AT+OK\r\n";
    while (text.size() < (16u << 20) - piece.size()) text.insert(text.end(), piece.begin(), piece.end());
    cases.push_back({"a 16 MiB message", std::move(text)});

    for (const Case& c : cases) {
        model.log.append(nowUs(), 1, 7, LogKind::Rx, c.bytes);
        for (const float scale : {1.0f, 1.5f, 2.0f}) {
            ImGui::GetIO().FontGlobalScale = scale;
            for (const TextEncoding encoding : kTextEncodings) {
                model.settings.encoding = encoding;
                int frames = 0;
                const double worst = framesUntilDetailComplete(&frames);
                if (encoding == TextEncoding::Gbk || encoding == TextEncoding::Utf8)
                    std::printf("%s, %s, x%.1f: slowest frame %.1f ms CPU, %d frames to split it into lines\n",
                                c.what, toString(encoding), scale, worst, frames);
                EXPECT_LT(worst, kFrameBudgetMs) << c.what << " " << toString(encoding) << " x" << scale;
                EXPECT_GT(view.detailDrawnTextLines(), 0u) << c.what;
                EXPECT_GT(view.detailDrawnDumpLines(), 0u) << c.what;
                EXPECT_EQ(view.detailDumpLines(), (c.bytes.size() + 15) / 16);
                EXPECT_EQ(view.drawnRows(), model.log.size());
            }
        }
        // The text lines cover every byte, none longer than the bound.
        EXPECT_GE(view.detailTextLines(), c.bytes.size() / LogView::kLineBytes);
    }
    ImGui::GetIO().FontGlobalScale = 1.0f;
}

TEST_F(LogViewTest, LongEventRowsAndSentPayloadsAreBounded) {
    view.setScope(LogScope::All);
    model.log.appendText(nowUs(), 1, 0, LogKind::Error, std::string(40'000, 'e'));
    model.log.append(nowUs(), 1, 3, LogKind::Tx, Bytes(100'000, 'x'));
    for (int i = 0; i < 5; ++i) EXPECT_LT(timedFrame(), kFrameBudgetMs);
    view.select(0, false);   // the event row in the detail pane
    for (int i = 0; i < 5; ++i) EXPECT_LT(timedFrame(), kFrameBudgetMs);
    EXPECT_EQ(view.detailDumpLines(), 0u) << "event rows have text only";
    // Tester item: an event's words were cut into 64-byte lines, mid-word; they wrap at the pane.
    EXPECT_EQ(view.detailDrawnTextLines(), 1u) << "one wrapped paragraph, not 64-byte lines";
}

TEST_F(LogViewTest, FollowShowsTheNewestRowsAt150kAnd10MRows) {
    view.setScope(LogScope::All);
    for (const std::size_t total : {std::size_t{150'000}, std::size_t{10'000'000}}) {
        PayloadLogLimits limits;
        limits.max_records = total;
        limits.max_bytes = std::size_t{2} << 30;
        model.log = PayloadLog(limits);
        view = LogView{};
        view.setScope(LogScope::All);
        const Bytes payload{1, 2, 3, 4};
        for (std::size_t i = 0; i < total; ++i) model.log.append(static_cast<TimestampUs>(i), 1, 1, LogKind::Rx, payload);
        // The index scans at most 250,000 rows or 8 ms per frame (sanitizer builds: many more frames).
        for (int f = 0; f < 5000 && view.index().size() < model.log.size(); ++f) ui.frame();
        ASSERT_EQ(view.index().size(), total);
        // A flood: rows arrive (and the oldest go) every frame while following.
        for (int f = 0; f < 20; ++f) {
            for (int k = 0; k < 2000; ++k) model.log.append(nowUs(), 1, 1, LogKind::Rx, payload);
            EXPECT_LT(timedFrame(), kFrameBudgetMs * 4);
            ASSERT_TRUE(view.following());
            EXPECT_GE(view.drawnRows(), 20u) << "the visible rows are drawn at " << total << " rows";
            EXPECT_EQ(view.drawnFirstRow() + view.drawnRows(), view.index().size()) << "the newest row is drawn";
        }
    }
    model.log = PayloadLog();
}

TEST_F(LogViewTest, FindIgnoresCaseSearchesHexAndEventRows) {
    view.setScope(LogScope::All);
    model.log.appendText(1, 1, 1, LogKind::Rx, "Temp=21.5");
    model.log.append(2, 1, 1, LogKind::Rx, Bytes{0x01, 0x03, 0x00, 0x10});
    model.log.appendText(3, 1, 0, LogKind::Error, "ECONNREFUSED: connection refused");
    model.log.appendText(4, 1, 1, LogKind::Tx, "GET /TEMP");
    auto found = [&](const std::string& query) {
        view.setSearch(query);
        ui.frames(2);
        return view.index().size();
    };
    EXPECT_EQ(found("temp"), 2u) << "case-insensitive";
    EXPECT_EQ(found("refused"), 1u) << "event rows are searched";
    EXPECT_EQ(found("hex:01 03"), 1u);
    EXPECT_EQ(found("HEX:0x00,0x10"), 1u);
    EXPECT_EQ(found("hex:01 0G"), 0u) << "an invalid hex query matches nothing";
    EXPECT_FALSE(view.index().queryError().empty());
    EXPECT_EQ(found(""), 4u);
    // Text is searched in the display encoding: GBK bytes for 你好.
    model.log.append(5, 1, 1, LogKind::Rx, Bytes{0xC4, 0xE3, 0xBA, 0xC3});
    model.settings.encoding = TextEncoding::Gbk;
    EXPECT_EQ(found("\xe4\xbd\xa0\xe5\xa5\xbd"), 1u);
}

// Issue 6 item 22: ImGui 1.86 draws the BMP only; a character beyond it shows as its code point
// in the rows and in the detail pane, not as "?".
TEST_F(LogViewTest, CharactersBeyondTheBmpShowAsTheirCodePoints) {
    if (!SOCKSCOPE_ITEM_HOOK) GTEST_SKIP() << "texts are recorded by a link-time wrap (Linux only)";
    std::string emoji_line = "ok \xF0\x9F\x98\x80 \xF0\xA0\x80\x80 \xE4\xB8\xAD";   // 😀 𠀀 中
    std::string shown = emoji_line;
    showBeyondBmpAsCodePoints(shown);
    EXPECT_EQ(shown, "ok \\u{1F600} \\u{20000} \xE4\xB8\xAD");
    std::string invalid = "\xF0\x9F";   // cut short: left as it is (decodeForDisplay escapes it first)
    showBeyondBmpAsCodePoints(invalid);
    EXPECT_EQ(invalid, "\xF0\x9F");

    view.setScope(LogScope::All);
    model.log.appendText(1, 1, 1, LogKind::Rx, emoji_line);
    ui.frames(2);
    view.select(0, false);
    ui.frames(2);
    test::ItemRecorder::clear();
    test::ItemRecorder::recording = true;
    ui.frame();
    test::ItemRecorder::recording = false;
    int in_row = 0, in_detail = 0;
    for (const auto& t : test::ItemRecorder::texts) {
        EXPECT_EQ(t.text.find("\xF0"), std::string::npos) << "a 4-byte character reached ImGui in " << t.window;
        if (t.text.find("\\u{1F600}") == std::string::npos) continue;
        (t.window.rfind("detail", 0) == 0 ? in_detail : in_row) += 1;
    }
    EXPECT_GE(in_row, 1) << "the log row shows U+1F600";
    EXPECT_GE(in_detail, 1) << "the detail pane shows U+1F600";
}

TEST_F(LogViewTest, APinnedRowOfAnotherEndpointIsDroppedWhenTheScopeChanges) {
    model.selection = Selection{1, 0};
    view.setScope(LogScope::All);
    model.log.appendText(1, 1, 1, LogKind::Rx, "one");
    model.log.appendText(2, 2, 5, LogKind::Rx, "two");
    ui.frames(2);
    view.select(1, false);   // endpoint 2's row
    ui.frames(2);
    EXPECT_TRUE(view.hasSelection());
    view.setScope(LogScope::Endpoint);   // endpoint 1 only
    ui.frames(2);
    EXPECT_FALSE(view.hasSelection()) << "the detail pane no longer shows endpoint 2's row";
    view.select(0, false);
    model.selection = Selection{1, 1};
    view.setScope(LogScope::Connection);
    ui.frames(2);
    EXPECT_TRUE(view.hasSelection()) << "still in the view";
}

TEST_F(LogViewTest, CopyIsBoundedInBytesAndSaysWhatItTook) {
    view.setScope(LogScope::All);
    const Bytes mib(1u << 20, 'z');
    for (int i = 0; i < 40; ++i) model.log.append(i, 1, 1, LogKind::Rx, mib);
    ui.frames(2);
    view.select(0, false);
    view.select(39, true);
    const LogCopy hex = view.copy(model, true);
    EXPECT_LE(hex.text.size(), LogView::kCopyBytesMax);
    EXPECT_TRUE(hex.truncated);
    EXPECT_EQ(hex.selected, 40u);
    EXPECT_EQ(hex.rows, 5u) << "3 MiB of hex per row";
    const LogCopy text = view.copy(model, false);
    EXPECT_TRUE(text.truncated);
    EXPECT_GE(text.rows, 4u);
    view.select(2, false);
    const LogCopy one = view.copy(model, false);
    EXPECT_FALSE(one.truncated);
    EXPECT_EQ(one.rows, 1u);
    EXPECT_EQ(one.text.size(), mib.size() + 1);
}

TEST_F(LogViewTest, SendPanelSurvivesLargePayloads) {
    withSend = true;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    model.selection = Selection{model.workspace.add(config), 0};
    for (const std::size_t size : {std::size_t{30'000}, std::size_t{100'000}, std::size_t{1u << 20}}) {
        for (const SendMode mode : {SendMode::Text, SendMode::Hex}) {
            send.setMode(mode);
            std::string input;
            if (mode == SendMode::Hex)
                while (input.size() < size) input += "0A ";
            else
                input.assign(size, 'a');
            send.input() = input;   // one long line, as pasted
            double worst = 0;
            for (int i = 0; i < 5; ++i) worst = std::max(worst, timedFrame());
            EXPECT_LT(worst, kFrameBudgetMs) << size << (mode == SendMode::Hex ? " hex" : " text");
            EXPECT_EQ(send.input().size(), input.size()) << "the input is kept";
            EXPECT_NE(send.statusText().find("bytes"), std::string::npos) << send.statusText();
        }
    }
}

TEST_F(LogViewTest, ToolbarFitsAtEveryScaleInBothLanguages) {
    UiProbe probe;
    model.probe = &probe;
    const float width = 700;
    ui.setDraw([&] {
        probe.rects.clear();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(width, 500));
        ImGui::Begin("log", nullptr, ImGuiWindowFlags_NoDecoration);
        view.draw(model);
        ImGui::End();
    });
    view.setPaused(model, true);   // the "paused (N new)" note is the widest state
    for (const Language language : {Language::English, Language::Chinese}) {
        setLanguage(language);
        for (const float scale : {1.0f, 1.4f, 1.5f, 2.0f}) {
            ImGui::GetIO().FontGlobalScale = scale;
            ui.frames(3);
            for (const char* name : {"log.scope", "log.pause", "log.copy", "log.follow", "log.search", "log.paused",
                                     "log.bookmarks", "log.export", "log.querymode", "log.matchcase", "log.filterrows",
                                     "log.findprev", "log.findnext"}) {
                ASSERT_TRUE(probe.has(name)) << name;
                const ProbeRect r = probe.at(name);
                EXPECT_LE(r.x1, width) << name << " is cut off at x" << scale;
                EXPECT_GE(r.x0, 0) << name;
            }
        }
    }
    setLanguage(Language::English);
    model.probe = nullptr;
}

TEST_F(LogViewTest, AnEndpointsEvictedHistoryIsShownInItsView) {
    UiProbe probe;
    model.probe = &probe;
    PayloadLogLimits limits;
    limits.max_bytes = 1u << 20;
    model.log = PayloadLog(limits);
    model.selection = Selection{2, 0};
    view.setScope(LogScope::Endpoint);
    for (int i = 0; i < 10; ++i) model.log.appendText(i, 2, 0, LogKind::Rx, "quiet");
    ui.frames(2);
    EXPECT_FALSE(probe.has("log.evicted"));
    for (int i = 0; i < 20'000; ++i) model.log.append(i, 1, 0, LogKind::Rx, Bytes(100, 'f'));   // another's flood
    ui.frames(2);
    EXPECT_TRUE(probe.has("log.evicted")) << "endpoint 2's view says its rows were evicted";
    model.probe = nullptr;
}

TEST_F(LogViewTest, ALargeInputCanStillBeEditedOnRequest) {
    withSend = true;
    UiProbe probe;
    model.probe = &probe;
    send.input().assign(200'000, 'a');
    ui.frames(2);
    EXPECT_FALSE(send.editingLargeInput());
    ASSERT_TRUE(probe.has("send.edit_anyway"));
    const ProbeRect r = probe.at("send.edit_anyway");
    ui.click(r.cx(), r.cy());
    EXPECT_TRUE(send.editingLargeInput());
    double worst = 0;
    for (int i = 0; i < 5; ++i) worst = std::max(worst, timedFrame());
    EXPECT_LT(worst, kFrameBudgetMs);
    EXPECT_EQ(send.input().size(), 200'000u);
    model.probe = nullptr;
}

}  // namespace
}  // namespace sockscope::ui
