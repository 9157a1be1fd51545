// File > Recording in a headless ImGui frame: starting a recorder sends the command the engine
// needs (path relative to the profile, format from the extension), statuses show with their
// errors, a running recorder can be stopped, receive to file targets the selection.
#include <gtest/gtest.h>

#include <filesystem>

#include "headless.hpp"
#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/recording_view.hpp"

namespace sockscope::ui {
namespace {

class RecordingViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
        sink = [this](Command c) { commands.push_back(std::move(c)); };
        ui.setDraw([this] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(1200, 700));
            view.draw(model, sink);
        });
        view.open();
    }
    void clickProbe(const std::string& name) {
        ASSERT_TRUE(probe.has(name)) << name << " was not drawn";
        const ProbeRect r = probe.at(name);
        ui.click(r.cx(), r.cy());
    }
    template <typename T>
    std::vector<T> posted() const {
        std::vector<T> out;
        for (const auto& c : commands)
            if (const T* t = std::get_if<T>(&c)) out.push_back(*t);
        return out;
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    CommandSink sink;
    std::vector<Command> commands;
    RecordingView view;
};

TEST_F(RecordingViewTest, StartSendsAResolvedPcapngRecorder) {
    model.workspace.path = "/data/plant/plant.json";
    ui.frames(2);
    clickProbe("recording.start");
    ui.frames(1);
    const auto started = posted<StartRecording>();
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0].config.path, "/data/plant/logs/session.pcapng") << "relative to the profile's directory";
    EXPECT_EQ(started[0].config.format, RecordFormat::Pcapng);
    EXPECT_EQ(started[0].config.scope, "all");
    EXPECT_EQ(started[0].config.on_full, RecordOnFull::Pause);
    EXPECT_EQ(started[0].config.keep, 10u);
}

TEST_F(RecordingViewTest, StatusesShowAndARunningRecorderStops) {
    RecordingStatus running;
    running.recording = 3;
    running.path = "/tmp/s.pcapng";
    running.bytes_written = 123456;
    running.state_changed = true;
    model.apply(running);
    RecordingStatus failed;
    failed.recording = 4;
    failed.state = RecordingState::Failed;
    failed.path = "/full/s.jsonl";
    failed.format = RecordFormat::Jsonl;
    failed.error = ErrorInfo{"ENOSPC", "cannot write /full/s.jsonl: the disk is full", "无法写入 /full/s.jsonl：磁盘已满"};
    failed.state_changed = true;
    model.apply(failed);
    ASSERT_EQ(model.recordings.size(), 2u);
    ASSERT_GE(model.log.size(), 2u);
    EXPECT_EQ(model.log.record(model.log.size() - 1).kind, LogKind::Error) << "a failure is an error row in the log";
    ui.frames(2);
    EXPECT_TRUE(probe.has("recording.stop.3"));
    clickProbe("recording.stop.3");
    ui.frames(1);
    const auto stopped = posted<StopRecording>();
    ASSERT_EQ(stopped.size(), 1u);
    EXPECT_EQ(stopped[0].recording, 3u);
}

TEST_F(RecordingViewTest, ReceiveToFileTargetsTheSelectedConnection) {
    EndpointConfig config;
    config.name = "plc";
    config.type = EndpointType::TcpServer;
    config.bind = "127.0.0.1:502";
    const EndpointId id = model.workspace.add(config);
    model.apply(EndpointStatus{id, EndpointState::Listening, "127.0.0.1:502", {}, {}, 0, 0, std::nullopt, nowUs()});
    model.apply(ConnectionOpened{id, 7, "127.0.0.1:40000", "127.0.0.1:502", nowUs()});
    model.selection = Selection{id, 7};
    ui.frames(2);
    clickProbe("recording.receive");
    ui.frames(1);
    const auto started = posted<StartRecording>();
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0].config.scope, "plc/7");
    EXPECT_EQ(started[0].config.format, RecordFormat::Raw);
}

// Tester B16: a recorder started here is kept in the workspace (saved with the profile, started
// again when it opens) unless the user says otherwise; the row's box takes it out and puts it back.
TEST_F(RecordingViewTest, ANewRecorderIsSavedInTheProfileAndItsRowsBoxTakesItOut) {
    model.workspace.path = "/data/plant/plant.json";
    model.workspace.dirty = false;
    ui.frames(2);
    clickProbe("recording.start");
    ui.frames(1);
    auto started = posted<StartRecording>();
    ASSERT_EQ(started.size(), 1u);
    ASSERT_EQ(model.profile_recording.size(), 1u);
    EXPECT_EQ(model.profile_recording[0].path, "logs/session.pcapng") << "kept as typed: relative to the profile";
    EXPECT_EQ(model.profile_recording[0].format, RecordFormat::Pcapng);
    EXPECT_TRUE(model.workspace.dirty) << "the workspace has unsaved work";
    const RecordingId id = started[0].recording;
    EXPECT_TRUE(model.recorderInProfile(id));

    RecordingStatus running;
    running.recording = id;
    running.path = started[0].config.path;
    running.state_changed = true;
    model.apply(running);
    ui.frames(2);
    const std::string box = "recording.in_profile." + std::to_string(id);
    clickProbe(box);
    ui.frames(1);
    EXPECT_TRUE(model.profile_recording.empty()) << "unticked: no longer saved with the profile";
    EXPECT_FALSE(model.recorderInProfile(id));
    EXPECT_TRUE(posted<StopRecording>().empty()) << "it goes on recording";
    clickProbe(box);
    ui.frames(1);
    ASSERT_EQ(model.profile_recording.size(), 1u) << "ticked again: back in the profile";
    EXPECT_EQ(model.profile_recording[0].path, "logs/session.pcapng");

    // Unticked before starting: recorded now, not saved.
    clickProbe("recording.in_profile");
    ui.frames(1);
    clickProbe("recording.start");
    ui.frames(1);
    started = posted<StartRecording>();
    ASSERT_EQ(started.size(), 2u);
    EXPECT_NE(started[1].recording, id);
    EXPECT_EQ(model.profile_recording.size(), 1u);
    EXPECT_FALSE(model.recorderInProfile(started[1].recording));
}

// Tester item: a recorder saved in the profile that the user stops would start again at the next
// open (and rotate the files away); Stop takes it out, says so, and its box puts it back. The
// message follows the language.
TEST_F(RecordingViewTest, StoppingARecorderTakesItOutOfTheProfile) {
    model.workspace.path = "/data/plant/plant.json";
    ui.frames(2);
    clickProbe("recording.start");
    ui.frames(1);
    const RecordingId id = posted<StartRecording>().back().recording;
    ASSERT_TRUE(model.recorderInProfile(id));
    RecordingStatus running;
    running.recording = id;
    running.state = RecordingState::Running;
    running.files = 1;
    running.state_changed = true;
    model.apply(running);
    ui.frames(2);
    clickProbe("recording.stop." + std::to_string(id));
    ui.frames(1);
    ASSERT_EQ(posted<StopRecording>().size(), 1u);
    EXPECT_FALSE(model.recorderInProfile(id)) << "stopped on purpose: not started again with the profile";
    EXPECT_NE(std::string(view.messageText()).find("no longer saved in the profile"), std::string::npos) << view.messageText();
    setLanguage(Language::Chinese);
    EXPECT_NE(std::string(view.messageText()).find("不再保存到配置"), std::string::npos) << view.messageText();
    setLanguage(Language::English);
    RecordingStatus stopped = running;
    stopped.state = RecordingState::Stopped;
    model.apply(stopped);
    ui.frames(2);
    clickProbe("recording.in_profile." + std::to_string(id));
    ui.frames(1);
    EXPECT_TRUE(model.recorderInProfile(id)) << "its box puts it back";
}

// Tester item: a recorder started here that fails before writing anything (a bad path) would
// fail again every time the profile opens; it leaves the profile, the window says so, and its box
// puts it back. One that recorded, then failed (a full disk), stays.
TEST_F(RecordingViewTest, ARecorderThatFailsAtStartLeavesTheProfileOneThatFailsLaterStays) {
    model.workspace.path = "/data/plant/plant.json";
    ui.frames(2);
    const auto startOne = [&] {
        clickProbe("recording.start");
        ui.frames(1);
        return posted<StartRecording>().back();
    };
    const auto report = [&](RecordingId id, RecordingState state, std::uint32_t files_opened) {
        RecordingStatus status;
        status.recording = id;
        status.state = state;
        status.files = files_opened;
        status.state_changed = true;
        if (state == RecordingState::Failed) status.error = ErrorInfo{"EACCES", "permission denied", "权限不足"};
        model.apply(status);
        ui.frames(2);
    };
    const StartRecording bad = startOne();
    report(bad.recording, RecordingState::Running, 0);
    EXPECT_TRUE(model.recorderInProfile(bad.recording)) << "running, its file not open yet: still saved";
    report(bad.recording, RecordingState::Failed, 0);
    EXPECT_FALSE(model.recorderInProfile(bad.recording)) << "failed at start: no longer saved";
    EXPECT_TRUE(model.profile_recording.empty());
    EXPECT_TRUE(probe.has("recording.in_profile." + std::to_string(bad.recording))) << "its box can put it back";
    clickProbe("recording.in_profile." + std::to_string(bad.recording));
    ui.frames(1);
    EXPECT_TRUE(model.recorderInProfile(bad.recording)) << "the user's choice wins";
    ui.frames(2);
    EXPECT_TRUE(model.recorderInProfile(bad.recording)) << "and is not undone the next frame";

    // Its file opened (a text recorder has written nothing yet), then the disk filled: it stays.
    const StartRecording later = startOne();
    report(later.recording, RecordingState::Running, 1);
    report(later.recording, RecordingState::Failed, 1);
    EXPECT_TRUE(model.recorderInProfile(later.recording)) << "its file opened before it failed: kept";
    const StartRecording opened_then_failed = startOne();
    report(opened_then_failed.recording, RecordingState::Failed, 1);
    EXPECT_TRUE(model.recorderInProfile(opened_then_failed.recording)) << "failed at its first write, not at start: kept";

    // One the profile started (not from this window) that fails at start stays: the profile is the user's.
    RecordingConfig from_profile;
    from_profile.path = "/nowhere/p.pcapng";
    model.keepRecorderInProfile(0x40000001, from_profile);
    report(0x40000001, RecordingState::Failed, 0);
    EXPECT_TRUE(model.recorderInProfile(0x40000001));
}

// Before the workspace has a file, the profile keeps the file the recorder writes now.
TEST_F(RecordingViewTest, AnUnsavedWorkspaceKeepsTheRecordersFullPath) {
    ui.frames(2);
    clickProbe("recording.start");
    ui.frames(1);
    const auto started = posted<StartRecording>();
    ASSERT_EQ(started.size(), 1u);
    ASSERT_EQ(model.profile_recording.size(), 1u);
    EXPECT_TRUE(std::filesystem::path(model.profile_recording[0].path).is_absolute()) << model.profile_recording[0].path;
    EXPECT_EQ(std::filesystem::path(model.profile_recording[0].path).filename(), "session.pcapng");
}

TEST(RecordingStrings, EveryRecordingStringHasBothLanguages) {
    for (Str id : {Str::MenuRecording, Str::RecTitle, Str::RecStart, Str::RecReceiveToFile, Str::RecFramed,
                   Str::RecBadExt, Str::RecOnFull, Str::RecDrop, Str::RecPause, Str::RecInProfile,
                   Str::RecProfileColumn, Str::RecInProfileTip, Str::RecFailedLeftProfile}) {
        EXPECT_STRNE(tr(id, Language::English), "");
        EXPECT_STRNE(tr(id, Language::Chinese), "");
        EXPECT_STRNE(tr(id, Language::English), tr(id, Language::Chinese));
    }
}

}  // namespace
}  // namespace sockscope::ui
