// The script checklist in a headless ImGui frame: Run posts RunScript for the selected
// connection, the live checklist shows each step's result, counts and latency statistics from
// the ScriptEvents, a failure shows expected vs received, and the histogram is drawn.
#include <gtest/gtest.h>

#include <algorithm>

#include "headless.hpp"
#include "item_recorder.hpp"
#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/script_view.hpp"

namespace sockscope::ui {
namespace {

class ScriptViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
        EndpointConfig config;
        config.name = "dev";
        config.type = EndpointType::TcpServer;
        config.bind = "127.0.0.1:1502";
        Script script;
        script.name = "ping";
        script.steps.resize(1);
        config.scripts.push_back(script);
        id = model.workspace.add(config);
        model.selection = Selection{id, 7};
        ui.setDraw([this] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(900, 600));
            ImGui::Begin("scripts", nullptr, ImGuiWindowFlags_NoDecoration);
            view.draw(model, [this](Command c) { commands.push_back(std::move(c)); });
            ImGui::End();
        });
    }

    ScriptEvent event(ScriptEventKind kind) {
        ScriptEvent e;
        e.endpoint = id;
        e.connection = 7;
        e.run = 1;
        e.script = "ping";
        e.kind = kind;
        return e;
    }

    bool drawn(const std::string& text) const {
        return std::any_of(test::ItemRecorder::texts.begin(), test::ItemRecorder::texts.end(),
                           [&](const auto& t) { return t.text.find(text) != std::string::npos; });
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    ScriptView view;
    EndpointId id = 0;
    std::vector<Command> commands;
};

TEST_F(ScriptViewTest, RunPostsRunScriptForTheSelectedConnection) {
    ui.frames(2);
    ASSERT_TRUE(probe.has("scripts.run"));
    const ProbeRect r = probe.at("scripts.run");
    ui.click(r.cx(), r.cy());
    ASSERT_EQ(commands.size(), 1u);
    const auto* run = std::get_if<RunScript>(&commands[0]);
    ASSERT_NE(run, nullptr);
    EXPECT_EQ(run->endpoint, id);
    EXPECT_EQ(run->name, "ping");
    EXPECT_EQ(run->connection, 7u);
    EXPECT_NE(run->run, 0u);
}

TEST_F(ScriptViewTest, ChecklistShowsResultsLatenciesFailureAndHistogram) {
#if !SOCKSCOPE_ITEM_HOOK
    GTEST_SKIP() << "no item hook on this platform";
#endif
    ScriptEvent started = event(ScriptEventKind::Started);
    started.steps = {"repeat 100", "send text \"PING\"", "expect prefix \"PONG\" within 200 ms"};
    started.depths = {0, 1, 1};
    started.expect_steps = {false, false, true};
    model.apply(started);
    ScriptEvent step = event(ScriptEventKind::Step);
    step.result = ScriptStepResult{2, 1, ScriptOutcome::Passed, 120};
    model.apply(step);
    ScriptEvent finished = event(ScriptEventKind::Finished);
    ScriptStepStats stats;
    stats.step = 2;
    stats.runs = 100;
    stats.passed = 99;
    stats.failed = 1;
    stats.min_us = 80;
    stats.median_us = 120;
    stats.p95_us = 300;
    stats.max_us = 950;
    stats.histogram.assign(kScriptHistogramBins, 1);
    finished.stats = {ScriptStepStats{0, 1, 0, 0, 0, 0, 0, 0, {}}, ScriptStepStats{1, 100, 0, 0, 0, 0, 0, 0, {}}, stats};
    finished.expects = {ScriptStepResult{2, 100, ScriptOutcome::TimedOut, 200000}};
    ScriptFailure failure;
    failure.result = finished.expects[0];
    failure.message = "timed out after 200 ms: nothing received";
    failure.expected_bytes = {'P', 'O', 'N', 'G'};
    finished.failures = {failure};
    finished.error = "step 3: timed out";
    model.apply(finished);
    test::ItemRecorder::recording = true;
    test::ItemRecorder::clear();
    ui.frames(2);
    test::ItemRecorder::recording = false;
    EXPECT_TRUE(drawn("ping: failed")) << "the run's state";
    EXPECT_TRUE(drawn("expect prefix \"PONG\" within 200 ms"));
    EXPECT_TRUE(drawn("TIMEOUT"));
    EXPECT_TRUE(drawn("100 (99/1)"));
    EXPECT_TRUE(drawn("80 / 120 / 300 / 950"));
    EXPECT_TRUE(drawn("expected: 50 4F 4E 47"));
    EXPECT_TRUE(drawn("received: "));
    EXPECT_TRUE(probe.has("scripts.histogram")) << "the latency histogram is drawn";
    EXPECT_TRUE(drawn("step 3: 80 .. 600 us"));   // bins up to 2 x p95
    // Chinese strings exist for every label.
    setLanguage(Language::Chinese);
    test::ItemRecorder::recording = true;
    test::ItemRecorder::clear();
    ui.frames(1);
    test::ItemRecorder::recording = false;
    EXPECT_TRUE(drawn("延迟直方图"));
    setLanguage(Language::English);
}

// An expect that ended because no message could come any more (the peer's FIN, a closed
// connection) says CLOSED, not TIMEOUT or FAIL, with the reason.
TEST_F(ScriptViewTest, AnExpectEndedByThePeersCloseSaysClosed) {
#if !SOCKSCOPE_ITEM_HOOK
    GTEST_SKIP() << "no item hook on this platform";
#endif
    ScriptEvent started = event(ScriptEventKind::Started);
    started.steps = {"send text \"PING\"", "expect prefix \"PONG\" within 5000 ms"};
    started.depths = {0, 0};
    started.expect_steps = {false, true};
    model.apply(started);
    ScriptEvent finished = event(ScriptEventKind::Finished);
    finished.stats = {ScriptStepStats{0, 1, 0, 0, 0, 0, 0, 0, {}}, ScriptStepStats{1, 1, 0, 1, 0, 0, 0, 0, {}}};
    finished.expects = {ScriptStepResult{1, 1, ScriptOutcome::Closed, 40}};
    ScriptFailure failure;
    failure.result = finished.expects[0];
    failure.message = "the peer closed its side (FIN) before a matching message came";
    failure.expected_bytes = {'P', 'O', 'N', 'G'};
    finished.failures = {failure};
    finished.error = "step 2 (expect prefix \"PONG\"): the peer closed its side (FIN) before a matching message came";
    model.apply(finished);
    test::ItemRecorder::recording = true;
    test::ItemRecorder::clear();
    ui.frames(2);
    test::ItemRecorder::recording = false;
    EXPECT_TRUE(drawn("CLOSED"));
    EXPECT_FALSE(drawn("TIMEOUT"));
    EXPECT_TRUE(drawn("the peer closed its side (FIN)"));
    setLanguage(Language::Chinese);
    test::ItemRecorder::recording = true;
    test::ItemRecorder::clear();
    ui.frames(1);
    test::ItemRecorder::recording = false;
    EXPECT_TRUE(drawn("已关闭"));
    setLanguage(Language::English);
}

}  // namespace
}  // namespace sockscope::ui
