// The log view's filters, search next/previous with highlight, bookmarks and the Export dialog,
// driven through headless ImGui frames (clicks on the probed widgets, keys), including a
// 1,000,000-row log filtered and searched without a long frame and a large export with progress.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "headless.hpp"
#include "support/sanitizers.hpp"
#include "support/temp_files.hpp"
#include "ui/i18n.hpp"
#include "ui/probe.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/log_view.hpp"

#if !defined(_WIN32)
#include <unistd.h>
#endif

namespace sockscope::ui {
namespace {

namespace fs = std::filesystem;
constexpr double kFrameBudgetMs = sockscope::test::kUnderSanitizer ? 2000 : 50;

fs::path testDir(const std::string& name) { return sockscope::test::freshDir("logui", name); }

class LogFindTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
        view.setScope(LogScope::All);
        ui.setDraw([this] {
            probe.rects.clear();
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(1100, 700));
            if (focusLog) ImGui::SetNextWindowFocus();
            ImGui::Begin("log", nullptr, ImGuiWindowFlags_NoDecoration);
            view.draw(model);
            ImGui::End();
            ImGui::SetNextWindowPos(ImVec2(1100, 0));
            ImGui::SetNextWindowSize(ImVec2(500, 700));
            ImGui::Begin("detail", nullptr, ImGuiWindowFlags_NoDecoration);
            view.drawDetail(model);
            ImGui::End();
        });
    }
    void TearDown() override { model.probe = nullptr; }

    void clickProbe(const std::string& name) {
        ASSERT_TRUE(probe.has(name)) << name;
        const ProbeRect r = probe.at(name);
        ui.click((r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2);
    }
    static double cpuMs() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    }
    /// Frames while `busy` (bounded); returns the slowest frame's CPU time.
    template <typename Busy>
    double framesWhile(Busy busy, int* count = nullptr, int max = 20'000) {
        double worst = 0;
        int i = 0;
        for (; i < max && busy(); ++i) {
            const double start = cpuMs();
            ui.frame();
            worst = std::max(worst, cpuMs() - start);
        }
        if (count) *count = i;
        EXPECT_LT(i, max);
        return worst;
    }
    void addRows() {
        for (int i = 0; i < 10; ++i)
            model.log.appendText(i, 1, 1, i % 2 ? LogKind::Tx : LogKind::Rx,
                                 i % 3 == 0 ? "reading temp=" + std::to_string(20 + i) : "status ok " + std::to_string(i));
    }

    test::Headless ui;
    UiModel model;
    LogView view;
    UiProbe probe;
    bool focusLog = true;
};

TEST_F(LogFindTest, SearchNextAndPreviousWithTheFilterOffHighlightTheMatch) {
    addRows();   // matches: rows 0, 3, 6, 9
    view.setFilterRows(false);
    view.setQuery(LogQuery{"TEMP=\\d+", QueryMode::Regex, false});
    ui.frames(2);
    EXPECT_EQ(view.index().size(), 10u) << "every row shown";
    EXPECT_EQ(view.drawnHighlights(), 8u) << "four rows, the hex and the text column each";
    clickProbe("log.findnext");
    EXPECT_EQ(view.selectedSeq(), 0u);
    EXPECT_GT(view.detailDrawnHighlights(), 0u) << "the detail pane marks the match too";
    clickProbe("log.findnext");
    EXPECT_EQ(view.selectedSeq(), 3u);
    ui.key(GLFW_KEY_F3);
    EXPECT_EQ(view.selectedSeq(), 6u);
    clickProbe("log.findprev");
    EXPECT_EQ(view.selectedSeq(), 3u);
    view.findNext(model, true);
    view.findNext(model, true);
    EXPECT_EQ(view.selectedSeq(), 9u);
    view.findNext(model, true);
    EXPECT_EQ(view.selectedSeq(), 9u);
    EXPECT_EQ(model.notice.text, "no further match");
}

TEST_F(LogFindTest, FilterCheckboxDirectionAndCaseThroughTheToolbar) {
    addRows();
    view.setQuery(LogQuery{"temp", QueryMode::Text, false});
    ui.frames(2);
    EXPECT_EQ(view.index().size(), 4u) << "Filter is on by default: only matching rows";
    clickProbe("log.matchcase");
    view.setSearch("TEMP");   // the click's frame drew before the change
    ui.frames(2);
    EXPECT_EQ(view.index().size(), 0u) << "Aa: case matters";
    clickProbe("log.matchcase");
    ui.frames(1);
    EXPECT_EQ(view.index().size(), 4u);
    clickProbe("log.filterrows");
    ui.frames(1);
    EXPECT_EQ(view.index().size(), 10u) << "filter off: every row, matches highlighted";
    view.setFilterRows(true);
    view.setSearch("");
    ui.frames(2);
    EXPECT_EQ(view.index().size(), 10u);
}

TEST_F(LogFindTest, BookmarksToggleWithCtrlBSurviveFilterChangesAndJumpBack) {
    addRows();
    ui.frames(2);
    view.select(4, false);
    ui.key(GLFW_KEY_B, true);
    view.select(7, false);
    ui.key(GLFW_KEY_B, true);
    EXPECT_EQ(view.bookmarks(), (std::set<std::uint64_t>{4, 7}));
    ui.key(GLFW_KEY_B, true);
    EXPECT_EQ(view.bookmarks(), (std::set<std::uint64_t>{4})) << "Ctrl+B again removes it";
    view.setSearch("status ok 4");
    ui.frames(2);
    EXPECT_EQ(view.index().size(), 1u);
    EXPECT_EQ(view.bookmarks().size(), 1u) << "kept across a filter change";
    view.setSearch("temp");
    ui.frames(2);
    EXPECT_FALSE(view.jumpTo(model, 4));
    EXPECT_EQ(model.notice.text, "the bookmarked row is hidden by the filter");
    view.setSearch("");
    ui.frames(2);
    EXPECT_TRUE(view.jumpTo(model, 4));
    EXPECT_EQ(view.selectedSeq(), 4u);
    clickProbe("log.bookmarks");   // the list opens
    ui.frames(1);
}

TEST_F(LogFindTest, AMillionRowsFilterAndSearchWithoutALongFrame) {
    for (std::size_t i = 0; i < 1'000'000; ++i)
        model.log.appendText(static_cast<TimestampUs>(i), 1, 1, LogKind::Rx,
                             i == 987'654 ? "needle 987654" : "row " + std::to_string(i) + " value=" + std::to_string(i % 1000));
    ui.frames(1);
    framesWhile([&] { return view.index().size() < 1'000'000; });
    // Search only: the one match is near the end.
    view.setFilterRows(false);
    view.setQuery(LogQuery{"^needle \\d+$", QueryMode::Regex, false});
    ui.frames(1);
    view.findNext(model, true);
    int frames = 0;
    double worst = framesWhile([&] { return view.searching(); }, &frames);
    EXPECT_EQ(view.selectedSeq(), 987'654u);
    EXPECT_LT(worst, kFrameBudgetMs);
    // Filter by it: progress shows while the million rows are scanned over frames.
    view.setFilterRows(true);
    ui.frames(1);
    bool progress = probe.has("log.progress");
    worst = framesWhile([&] {
        progress = progress || probe.has("log.progress");
        return view.index().rebuilding(model.log).has_value() || view.index().pending(model.log) > 0;
    }, &frames);
    EXPECT_TRUE(progress) << "\"filtering N / 1,000,000\" was shown";
    EXPECT_EQ(view.index().size(), 1u);
    EXPECT_LT(worst, kFrameBudgetMs);
    EXPECT_GT(frames, 1);
    // New rows arriving while filtered are filtered as they come.
    model.log.appendText(2'000'000, 1, 1, LogKind::Rx, "needle 2");
    model.log.appendText(2'000'001, 1, 1, LogKind::Rx, "hay");
    ui.frames(1);
    EXPECT_EQ(view.index().size(), 2u);
}

TEST_F(LogFindTest, ExportDialogWritesTheChosenRowsAndFormat) {
    focusLog = false;   // a modal is shown: the test must not pull focus to the log window
    addRows();
    ui.frames(2);
    clickProbe("log.export");
    ui.frames(2);
    ASSERT_TRUE(probe.has("export.start"));
    const fs::path dir = testDir("dialog");
    view.exportDialog().path = (dir / "log.csv").string();
    clickProbe("export.format.jsonl");
    EXPECT_EQ(view.exportDialog().path, (dir / "log.jsonl").string()) << "the extension follows the format";
    clickProbe("export.scope.2");
    clickProbe("export.start");
    framesWhile([&] { return view.exportDialog().running(); });
    ui.frames(2);
    EXPECT_EQ(view.exportDialog().result().rfind("Exported 10 rows to " + (dir / "log.jsonl").string(), 0), 0u)
        << view.exportDialog().result();
    ASSERT_TRUE(probe.has("export.result"));
    std::ifstream in(dir / "log.jsonl");
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    EXPECT_EQ(lines, 10u);

    // The filtered view and the selection.
    view.setSearch("temp");
    ui.frames(2);
    view.exportDialog().path = (dir / "view.csv").string();
    view.exportDialog().format = ExportFormat::Csv;
    clickProbe("export.scope.1");
    clickProbe("export.start");
    framesWhile([&] { return view.exportDialog().running(); });
    EXPECT_EQ(view.exportDialog().job()->exported(), 4u);
    ui.frames(1);
    clickProbe("export.close");
    ui.frames(1);
    EXPECT_FALSE(view.exportDialog().isOpen());
}

TEST_F(LogFindTest, ExportErrorsAreInPlainWordsAndLeaveNoFile) {
    focusLog = false;
    addRows();
    ui.frames(2);
    view.exportDialog().open(ExportScope::All);
    ui.frames(3);
    const fs::path target = testDir("err") / "gone" / "log.csv";
    view.exportDialog().path = target.string();
    clickProbe("export.start");
    framesWhile([&] { return view.exportDialog().running(); });
    ui.frames(1);
    EXPECT_TRUE(view.exportDialog().resultIsError());
    EXPECT_NE(view.exportDialog().result().find("does not exist"), std::string::npos) << view.exportDialog().result();
    EXPECT_FALSE(fs::exists(target));
    // In the Chinese UI the same error is in Chinese (tester B9: it stayed English).
    setLanguage(Language::Chinese);
    view.exportDialog().open(ExportScope::All);
    ui.frames(3);
    view.exportDialog().path = target.string();
    clickProbe("export.start");
    framesWhile([&] { return view.exportDialog().running(); });
    ui.frames(1);
    const std::string zh = view.exportDialog().result();
    setLanguage(Language::English);
    EXPECT_TRUE(view.exportDialog().resultIsError());
    EXPECT_EQ(zh.find("does not exist"), std::string::npos) << zh;
    EXPECT_NE(zh.find("不存在"), std::string::npos) << zh;
}

TEST_F(LogFindTest, ALargeExportShowsProgressCanBeCancelledAndNeverStallsAFrame) {
    focusLog = false;
    const std::string payload(200, 'x');
    for (int i = 0; i < 300'000; ++i) model.log.appendText(i, 1, 1 + i % 3, LogKind::Rx, payload + std::to_string(i));
    ui.frames(1);
    framesWhile([&] { return view.index().size() < 300'000; });
    const fs::path dir = testDir("large");
    view.exportDialog().open(ExportScope::All);
    ui.frames(3);
    view.exportDialog().path = (dir / "big.txt").string();
    view.exportDialog().format = ExportFormat::Text;
    clickProbe("export.start");
    bool progress = false;
    int frames = 0;
    const double worst = framesWhile([&] {
        progress = progress || probe.has("export.progress");
        return view.exportDialog().running();
    }, &frames);
    EXPECT_TRUE(progress);
    EXPECT_GT(frames, 2);
    EXPECT_LT(worst, kFrameBudgetMs);
    EXPECT_EQ(view.exportDialog().job()->exported(), 300'000u);
    EXPECT_TRUE(fs::file_size(dir / "big.txt") > 300'000u * 200);

    // Again, cancelled half way: the file that was there stays as it was.
    view.exportDialog().format = ExportFormat::Csv;
    view.exportDialog().path = (dir / "big.txt").string();
    const auto size_before = fs::file_size(dir / "big.txt");
    ui.frames(1);
    clickProbe("export.start");
    ASSERT_TRUE(view.exportDialog().running());
    ui.frames(1);
    clickProbe("export.cancel");
    framesWhile([&] { return view.exportDialog().running(); });
    ui.frames(1);
    EXPECT_EQ(view.exportDialog().job()->state(), ExportSink::State::Cancelled);
    EXPECT_EQ(fs::file_size(dir / "big.txt"), size_before);
    EXPECT_NE(view.exportDialog().result().find("cancelled"), std::string::npos);
}

TEST_F(LogFindTest, NewControlsFitAtEveryScaleInBothLanguages) {
    const float width = 700;
    ui.setDraw([&] {
        probe.rects.clear();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(width, 600));
        ImGui::Begin("log", nullptr, ImGuiWindowFlags_NoDecoration);
        view.draw(model);
        ImGui::End();
    });
    focusLog = false;
    addRows();
    view.exportDialog().open(ExportScope::Filtered);
    for (const Language language : {Language::English, Language::Chinese}) {
        setLanguage(language);
        for (const float scale : {1.0f, 1.5f, 2.0f}) {
            ImGui::GetIO().FontGlobalScale = scale;
            ui.frames(3);
            for (const char* name : {"log.bookmarks", "log.export", "log.querymode", "log.matchcase", "log.filterrows",
                                     "log.findprev", "log.findnext", "export.path", "export.start"}) {
                ASSERT_TRUE(probe.has(name)) << name;
                const ProbeRect r = probe.at(name);
                EXPECT_LE(r.x1, 1600) << name << " is cut off at x" << scale;
                if (std::string(name).rfind("log.", 0) == 0) {
                    EXPECT_LE(r.x1, width) << name << " at x" << scale;
                }
                EXPECT_GE(r.x0, 0) << name;
            }
        }
    }
    ImGui::GetIO().FontGlobalScale = 1.0f;
    setLanguage(Language::English);
}

}  // namespace
}  // namespace sockscope::ui
