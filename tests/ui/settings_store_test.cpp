// settings.json (issue 6 item 9): nothing in the file can abort startup; a broken file is set
// aside (renamed, never deleted) and reported; valid values are kept.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/profile/profile.hpp"
#include "ui/file_worker.hpp"
#include "ui/settings_store.hpp"

namespace sockscope::ui {
namespace {
namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        m_path = fs::temp_directory_path() / ("sockscope-settings-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

void writeText(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
}

std::size_t brokenCopies(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir))
        n += entry.path().filename().string().rfind("settings.json.broken-", 0) == 0 ? 1 : 0;
    return n;
}

TEST(SettingsStore, SendPanelMemoryRoundTripsAndBadEntriesAreReported) {
    Settings settings;
    settings.send_memory["device"] = SendMemory{true, TextEncoding::Gbk, LineEnding::CrLf, true};
    settings.send_memory["beacon 中"] = SendMemory{false, std::nullopt, LineEnding::Lf, false};
    const SettingsLoad load = parseSettings(settingsToText(settings, Layout{}, StoredState{}));
    EXPECT_TRUE(load.problems.empty());
    EXPECT_EQ(load.settings.send_memory, settings.send_memory);

    const SettingsLoad bad = parseSettings(R"({"send": {"a": {"mode": "binary", "line_ending": "crlf"},
        "b": 3, "c": {"encoding": "ebcdic", "clear_after_send": "yes"}}})");
    ASSERT_EQ(bad.problems.size(), 4u);
    EXPECT_NE(bad.problems[0].find("send.a.mode"), std::string::npos) << bad.problems[0];
    EXPECT_EQ(bad.settings.send_memory.at("a").ending, LineEnding::CrLf) << "the good fields of an entry stay";
    EXPECT_FALSE(bad.settings.send_memory.count("b"));
    EXPECT_FALSE(bad.settings.send_memory.at("c").encoding.has_value());
    EXPECT_EQ(parseSettings(R"({"send": []})").problems.size(), 1u);
}

TEST(SettingsStore, WrongTypesAreReportedAndTheRestIsKept) {
    const SettingsLoad load = parseSettings(R"({"workspace_dirty": 3, "theme": "light", "font_scale": "big",
        "recent": ["/a.json", 7, "/b.json"], "left_width": null, "language": ["zh"], "time_mode": "delta"})");
    EXPECT_EQ(load.settings.theme, ThemeKind::Light);
    EXPECT_EQ(load.settings.time_mode, TimeMode::Delta);
    EXPECT_FALSE(load.state.workspace_dirty);
    EXPECT_FLOAT_EQ(load.settings.font_scale, 1.0f);
    EXPECT_EQ(load.settings.recent, (std::vector<std::string>{"/a.json", "/b.json"}));
    EXPECT_FALSE(load.state.has_language);
    ASSERT_GE(load.problems.size(), 4u);
    EXPECT_EQ(load.problems[0].rfind("language:", 0), 0u) << load.problems[0];
    bool dirty_named = false;
    for (const auto& p : load.problems) dirty_named = dirty_named || p == "workspace_dirty: expected true or false, got 3";
    EXPECT_TRUE(dirty_named);
}

TEST(SettingsStore, NonFiniteAndOutOfRangeNumbersKeepTheirDefaults) {
    const SettingsLoad load = parseSettings(R"({"font_scale": 1e30, "send_height": -5, "detail_width": 500})");
    EXPECT_FLOAT_EQ(load.settings.font_scale, 1.0f);
    EXPECT_FLOAT_EQ(load.layout.send_height, Layout{}.send_height);
    EXPECT_FLOAT_EQ(load.layout.detail_width, 500.0f);
    EXPECT_EQ(load.problems.size(), 2u);
}

// Issue 7: the views hidden from the View menu, by id; wrong entries are reported, the rest kept.
TEST(SettingsStore, HiddenViewsRoundTripAndBadEntriesAreReported) {
    Layout layout;
    layout.hidden_views = {"connections", "status"};
    const SettingsLoad load = parseSettings(settingsToText(Settings{}, layout, StoredState{}));
    EXPECT_TRUE(load.problems.empty());
    EXPECT_EQ(load.layout.hidden_views, layout.hidden_views);

    const SettingsLoad bad = parseSettings(R"({"hidden_views": ["log", 3, "", "log", null, "detail"]})");
    ASSERT_EQ(bad.problems.size(), 3u);
    EXPECT_EQ(bad.problems[0], "hidden_views: expected a list of view names, got 3");
    EXPECT_EQ(bad.layout.hidden_views, (std::vector<std::string>{"log", "detail"})) << "good entries stay, once";
    const SettingsLoad wrong = parseSettings(R"({"hidden_views": "log"})");
    ASSERT_EQ(wrong.problems.size(), 1u);
    EXPECT_EQ(wrong.problems[0], "hidden_views: expected a list of view names, got \"log\"");
    EXPECT_TRUE(wrong.layout.hidden_views.empty());
    std::string many = R"({"hidden_views": [)";
    for (int i = 0; i < 100; ++i) many += (i ? ",\"v" : "\"v") + std::to_string(i) + "\"";
    const SettingsLoad bounded = parseSettings(many + "]}");
    EXPECT_EQ(bounded.layout.hidden_views.size(), Layout::kMaxHiddenViews);
    EXPECT_EQ(bounded.problems.size(), 1u);
    EXPECT_EQ(parseSettings(R"({"hidden_views": [")" + std::string(65, 'x') + R"("]})").problems.size(), 1u)
        << "an id longer than any view's";
}

TEST(SettingsStore, WhatIsSavedLoadsBackUnchanged) {
    Settings s;
    s.language = Language::Chinese;
    s.theme = ThemeKind::Light;
    s.font_scale = 1.5f;
    s.encoding = TextEncoding::Gbk;
    s.recent = {"/x/\xff\xfe.json", "/y.json"};   // not UTF-8: saved with a replacement, no throw
    Layout layout;
    layout.left_width = 400;
    StoredState state;
    state.workspace_dirty = true;
    state.workspace_path = "/w.json";
    const SettingsLoad load = parseSettings(settingsToText(s, layout, state));
    EXPECT_TRUE(load.problems.empty()) << load.problems.front();
    EXPECT_EQ(load.settings.language, Language::Chinese);
    EXPECT_EQ(load.settings.encoding, TextEncoding::Gbk);
    EXPECT_FLOAT_EQ(load.settings.font_scale, 1.5f);
    EXPECT_FLOAT_EQ(load.layout.left_width, 400.0f);
    EXPECT_TRUE(load.state.workspace_dirty);
    EXPECT_EQ(load.state.workspace_path, "/w.json");
    EXPECT_EQ(load.settings.recent.size(), 2u);
}

TEST(SettingsStore, OutOfRangeValuesInMemoryAreSavedWithinRange) {
    Settings s;
    s.font_scale = 3.0f;   // e.g. typed into the slider
    Layout layout;
    layout.left_width = NAN;
    const SettingsLoad load = parseSettings(settingsToText(s, layout, StoredState{}));
    EXPECT_TRUE(load.problems.empty()) << load.problems.front();
    EXPECT_FLOAT_EQ(load.settings.font_scale, 2.0f);
    EXPECT_FLOAT_EQ(load.layout.left_width, Layout{}.left_width);
}

TEST(SettingsStore, BrokenFilesAreSetAsideAndReported) {
    const std::string huge(kMaxSettingsFileBytes + 10, ' ');
    const std::string cases[] = {
        R"({"workspace_dirty": 3})",                  // wrong type
        R"({"theme": "light", "recent": ["/a.j)",     // truncated
        std::string("\x00\xff\x89PNG\r\n\x1a\n\x00\x01garbage", 20),   // binary
        "[" + std::string(100000, '[') ,              // deep, unterminated
        "{\"recent\": [\"" + huge + "\"]}",           // huge
        "42",                                          // not an object
    };
    int index = 0;
    for (const auto& text : cases) {
        SCOPED_TRACE("case " + std::to_string(index++));
        TempDir dir;
        const fs::path file = dir.path() / "settings.json";
        writeText(file, text);
        const SettingsFileLoad result = loadSettingsFile(file);
        EXPECT_FALSE(result.report.empty());
        EXPECT_NE(result.report.find("settings.json.broken-"), std::string::npos) << result.report;
        EXPECT_FALSE(fs::exists(file)) << "renamed aside, so the next save starts clean";
        EXPECT_EQ(brokenCopies(dir.path()), 1u) << "kept, not deleted";
    }
}

TEST(SettingsStore, AGoodOrMissingFileIsLeftAlone) {
    TempDir dir;
    const fs::path file = dir.path() / "settings.json";
    EXPECT_TRUE(loadSettingsFile(file).report.empty());
    writeText(file, R"({"theme": "light"})");
    const SettingsFileLoad result = loadSettingsFile(file);
    EXPECT_TRUE(result.report.empty());
    EXPECT_EQ(result.load.settings.theme, ThemeKind::Light);
    EXPECT_TRUE(fs::exists(file));
    // Two broken files in the same second get different names.
    writeText(file, "{");
    EXPECT_FALSE(loadSettingsFile(file).report.empty());
    writeText(file, "{");
    EXPECT_FALSE(loadSettingsFile(file).report.empty());
    EXPECT_EQ(brokenCopies(dir.path()), 2u);
}

// Item 26: file jobs run off the calling thread; the latest snapshot per key wins.
TEST(FileWorker, RunsJobsOffTheCallerAndCoalescesByKey) {
    std::atomic<int> wakes{0};
    FileWorker worker([&] { ++wakes; });
    std::mutex gate;
    std::unique_lock hold(gate);   // the first job blocks until released: later ones queue up
    const auto caller = std::this_thread::get_id();
    std::vector<int> written;
    bool other_thread = false;
    worker.post("slow", [&]() -> FileWorker::Completion {
        std::lock_guard wait(gate);
        other_thread = std::this_thread::get_id() != caller;
        return {};
    });
    for (int i = 0; i < 100; ++i)
        worker.post("settings", [&written, i]() -> FileWorker::Completion { return [&written, i] { written.push_back(i); }; });
    EXPECT_EQ(worker.pending(), 2u) << "one running, one queued: the queue stays bounded";
    hold.unlock();
    worker.drain();
    EXPECT_TRUE(other_thread);
    EXPECT_EQ(written, (std::vector<int>{99})) << "only the latest snapshot is written";
    EXPECT_GE(wakes.load(), 1);
}

// Quit ▸ Discard (a tester found the discarded change back, marked saved, after a restart).
TEST(SettingsStore, DiscardingAtQuitPutsTheSavedProfileBackAsTheWorkspace) {
    TempDir dir;
    const fs::path workspace = dir.path() / "workspace.json";
    const fs::path saved = dir.path() / "saved.json";
    writeText(saved, R"({"version": 1, "name": "bench", "endpoints": [
        {"name": "saved one", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false}]})");
    writeText(workspace, R"({"version": 1, "name": "bench", "endpoints": [
        {"name": "saved one", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false},
        {"name": "discarded", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false}]})");
    std::string error;
    ASSERT_TRUE(restoreSavedWorkspace(workspace, saved.string(), &error)) << error;
    const ProfileLoadResult back = loadProfile(workspace);
    ASSERT_TRUE(back.profile) << back.error;
    ASSERT_EQ(back.profile->endpoints.size(), 1u);
    EXPECT_EQ(back.profile->endpoints[0].name, "saved one");
    // What was discarded stays beside it until the next Discard (a Discard by mistake).
    const ProfileLoadResult kept = loadProfile(discardedWorkspaceFile(workspace));
    ASSERT_TRUE(kept.profile) << kept.error;
    EXPECT_EQ(kept.profile->endpoints.size(), 2u);

    // A workspace never saved: nothing comes back; the work is kept aside the same way.
    writeText(workspace, R"({"version": 1, "name": "never saved", "endpoints": []})");
    ASSERT_TRUE(restoreSavedWorkspace(workspace, std::nullopt, &error)) << error;
    EXPECT_FALSE(fs::exists(workspace));
    const ProfileLoadResult never = loadProfile(discardedWorkspaceFile(workspace));
    ASSERT_TRUE(never.profile) << never.error;
    EXPECT_EQ(never.profile->name, "never saved");
    EXPECT_TRUE(restoreSavedWorkspace(workspace, std::nullopt, &error)) << "already gone is fine";
}

TEST(SettingsStore, DiscardKeepsTheAutosaveWhenTheSavedProfileIsGoneOrBroken) {
    TempDir dir;
    const fs::path workspace = dir.path() / "workspace.json";
    const std::string work = R"({"version": 1, "name": "w", "endpoints": []})";
    writeText(workspace, work);
    std::string error;
    EXPECT_FALSE(restoreSavedWorkspace(workspace, (dir.path() / "gone.json").string(), &error));
    EXPECT_FALSE(error.empty());
    writeText(dir.path() / "broken.json", "{ not json");
    error.clear();
    EXPECT_FALSE(restoreSavedWorkspace(workspace, (dir.path() / "broken.json").string(), &error));
    EXPECT_FALSE(error.empty());
    std::ifstream in(workspace, std::ios::binary);
    const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(after, work) << "the unsaved work stays on disk";
}

}  // namespace
}  // namespace sockscope::ui
