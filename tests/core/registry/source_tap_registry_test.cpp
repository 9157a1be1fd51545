// Sources of traffic and taps are made through the registry, like responders: every source kind
// (saved commands / on-connect / timers, file sends) is a stage with a `source` factory and a field
// table that the loader (or the command channel) and the editor read; every tap kind (recorder
// format) has a factory, its name and extensions, and the profile's recording reader, the record
// format names and the recording hub all take them from that one table.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/net/file_send.hpp"
#include "core/net/sources.hpp"
#include "core/profile/profile.hpp"
#include "core/record/record_format.hpp"
#include "core/record/recording_hub.hpp"
#include "core/registry/endpoint_registry.hpp"
#include "core/session/source_stage.hpp"
#include "support/engine_harness.hpp"
#include "support/io_rig.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

std::vector<const registry::StageDescriptor*> sourceStages() {
    std::vector<const registry::StageDescriptor*> out;
    for (const registry::StageDescriptor& stage : registry::stages())
        if (stage.source != nullptr) out.push_back(&stage);
    return out;
}

TEST(SourceTapRegistry, EverySourceKindIsAStageWithAFactoryAndAFieldTable) {
    std::vector<std::string_view> names;
    for (const registry::StageDescriptor* stage : sourceStages()) {
        SCOPED_TRACE(std::string(stage->name));
        names.push_back(stage->name);
        EXPECT_EQ(stage->create, nullptr) << "a source is not a responder";
        ASSERT_FALSE(stage->fields.empty()) << "its numeric fields are in the table";
        for (const registry::StageField& f : stage->fields) {
            EXPECT_STRNE(f.help, "") << f.key;
            EXPECT_LE(f.min, f.max) << f.key;
            EXPECT_EQ(&registry::stageField(stage->name, f.key), &f);
        }
        // A source configured in the profile is read and written through its Stage row, the one
        // the editor draws; a source without keys is driven by commands only (file sends).
        std::size_t rows = 0;
        for (const registry::FieldDescriptor& f : registry::endpointFields()) rows += f.stage == stage ? 1 : 0;
        EXPECT_EQ(rows, stage->keys.empty() ? 0u : 1u);
        EXPECT_EQ(stage->read == nullptr, stage->keys.empty());
        EXPECT_EQ(stage->write == nullptr, stage->keys.empty());
    }
    EXPECT_EQ(names, (std::vector<std::string_view>{"sources", "file_send"}));
}

TEST(SourceTapRegistry, TheEndpointsSourcesAreMadeByTheFactoriesInRegistryOrder) {
    test::IoRig rig;
    EndpointConfig config;
    config.name = "s";
    config.timers.push_back(TimerConfig{});
    config.timers.back().name = "t";
    int sends = 0;
    const SourceContext context{rig.ctx, 7, config, [&](Send) { return ++sends > 0; }, [](ConnectionId) { return true; }};
    const SourceStages stages = makeSourceStages(context);
    ASSERT_EQ(stages.size(), sourceStages().size());
    EXPECT_NE(dynamic_cast<Sources*>(stages[0].get()), nullptr);
    EXPECT_NE(dynamic_cast<FileSends*>(stages[1].get()), nullptr);
    EXPECT_EQ(findSource<FileSends>(stages), stages[1].get());

    // The sources stage is made from the config it is given: its timer is known by name.
    auto* sources = findSource<Sources>(stages);
    ASSERT_NE(sources, nullptr);
    sources->runTimer("t", true);
    EXPECT_EQ(sources->runningTimers(), (std::vector<std::pair<std::string, ConnectionId>>{{"t", 0}}));
    sources->stopped();
    EXPECT_TRUE(sources->runningTimers().empty());
    EXPECT_GE(sends, 1) << "its first tick went through the context's send";

    EXPECT_NE(dynamic_cast<Sources*>(makeSourceStage("sources", context).get()), nullptr);
    EXPECT_THROW((void)makeSourceStage("rules", context), std::logic_error) << "a responder, not a source";
}

// UpdateSources remakes the "sources" stage through its factory and nothing else: the new saved
// command is known and the old one is gone, a running timer keeps running, and a file send in
// progress (the "file_send" stage) goes on to its end.
TEST(SourceTapRegistry, UpdateSourcesRemakesOnlyTheSourcesStage) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("sockscope_update_sources_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::ofstream(path, std::ios::binary) << std::string(40, 'f');
    TimerConfig timer;
    timer.name = "t";
    timer.every_ms = 60'000;   // one send when it starts (and when it is restarted), then none in the test
    timer.send.text = "T";
    test::EngineHarness h;
    EndpointConfig config;
    config.commands = {{"a", PayloadSpec{}}};
    config.commands[0].payload.text = "A";
    config.timers = {timer};
    const auto port = h.startServer(1, config);
    test::SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    h.engine.submit(RunTimer{1, "t", true});
    SendFile file{};
    file.endpoint = 1;
    file.transfer = 9;
    file.path = path.string();
    file.chunk = 4;
    file.gap_ms = 30;   // ten chunks: the update lands while it runs
    file.connection = opened->connection;
    h.engine.submit(file);
    ASSERT_TRUE(h.waitFor<FileSendStatus>([](const FileSendStatus& f) { return f.transfer == 9 && f.total == 40; }));

    UpdateSources update{1, {{"b", PayloadSpec{}}}, std::nullopt, {timer}};
    update.commands[0].payload.text = "B";
    h.engine.submit(update);
    h.engine.submit(SendSavedCommand{1, "b", opened->connection});
    h.engine.submit(SendSavedCommand{1, "a", opened->connection});
    const auto done = h.waitFor<FileSendStatus>([](const FileSendStatus& f) { return f.transfer == 9 && f.state != FileSendState::Running; });
    ASSERT_TRUE(done);
    EXPECT_EQ(done->state, FileSendState::Done) << (done->error ? done->error->message : "");
    EXPECT_EQ(done->sent, 40u);
    ASSERT_TRUE(h.sync(1));
    EXPECT_EQ(h.count<ErrorEvent>([](const ErrorEvent& e) {
                  return e.error.message.find("no saved command named \"a\"") != std::string::npos;
              }), 1u);
    std::optional<TimerStatus> last;
    for (const Event& e : h.events)
        if (const auto* t = std::get_if<TimerStatus>(&e); t && t->name == "t") last = *t;
    ASSERT_TRUE(last);
    EXPECT_TRUE(last->running) << "the timer that ran before the update still runs";

    std::string received;
    for (int i = 0; i < 100 && (std::count(received.begin(), received.end(), 'f') < 40 || received.find('B') == std::string::npos); ++i)
        received += peer.receive(1, 2000);
    EXPECT_EQ(std::count(received.begin(), received.end(), 'f'), 40) << received;
    EXPECT_NE(received.find('B'), std::string::npos) << received;
    EXPECT_EQ(received.find('A'), std::string::npos) << received;
    EXPECT_NE(received.find('T'), std::string::npos) << received;
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

TEST(SourceTapRegistry, TheFileSendRangesAreTheEnginesLimits) {
    const registry::StageField& chunk = registry::stageField("file_send", "chunk");
    EXPECT_EQ(chunk.min, 1);
    EXPECT_EQ(chunk.maxFor(false), kMaxTcpFileChunk);
    EXPECT_EQ(chunk.maxFor(true), kMaxUdpFileChunk) << "one datagram per chunk";
    EXPECT_EQ(registry::stageField("file_send", "gap_ms").max, kMaxFileGapMs);
}

TEST(SourceTapRegistry, EveryTapKindHasAFactoryANameAndItsExtensions) {
    std::set<RecordFormat> formats;
    for (const registry::TapDescriptor& kind : registry::tapKinds()) {
        SCOPED_TRACE(std::string(kind.name));
        formats.insert(kind.format);
        ASSERT_NE(kind.create, nullptr);
        EXPECT_NE(kind.create(), nullptr);
        EXPECT_NE(makeFormatter(kind.format), nullptr);
        EXPECT_STRNE(kind.help, "");
        EXPECT_EQ(&registry::tapKind(kind.format), &kind);
        EXPECT_EQ(registry::findTapKind(kind.name), &kind);
        EXPECT_EQ(toString(kind.format), kind.name);
        EXPECT_EQ(recordFormatFromString(kind.name), kind.format);
        for (std::string_view ext : kind.extensions) {
            EXPECT_EQ(recordFormatFromPath("logs/a." + std::string(ext)), kind.format) << ext;
            EXPECT_TRUE(kind.recording) << "an extension only picks a recording format";
        }
        EXPECT_EQ(kind.append, !kind.recording) << "receive_to_file appends; recordings rotate";
    }
    // Every RecordFormat has its kind.
    for (const RecordFormat f : {RecordFormat::Text, RecordFormat::Jsonl, RecordFormat::Pcapng, RecordFormat::Raw,
                                 RecordFormat::RawFramed})
        EXPECT_TRUE(formats.count(f)) << static_cast<int>(f);
    EXPECT_EQ(formats.size(), registry::tapKinds().size());
    EXPECT_EQ(registry::recordingFormatChoices(), R"("pcapng", "jsonl" or "text")");
    EXPECT_FALSE(recordFormatFromPath("a.bin"));
}

// The profile's recording reader takes exactly the recording kinds of the table, by name and by
// extension, and names them (from the table) when it refuses one.
TEST(SourceTapRegistry, TheRecordingReaderReadsTheTapTable) {
    const auto load = [](const std::string& recorder) {
        return parseProfile(R"({"version":1,"recording":[)" + recorder + R"(],"endpoints":[]})", "r.json");
    };
    for (const registry::TapDescriptor& kind : registry::tapKinds()) {
        SCOPED_TRACE(std::string(kind.name));
        const ProfileLoadResult named = load(R"({"path":"r.bin","format":")" + std::string(kind.name) + "\"}");
        if (kind.recording) {
            ASSERT_TRUE(named.profile) << named.error;
            ASSERT_EQ(named.profile->recording.size(), 1u);
            EXPECT_EQ(named.profile->recording[0].format, kind.format);
        } else {
            EXPECT_EQ(named.error, "r.json: recording[0].format: expected " + registry::recordingFormatChoices() +
                                       ", got \"" + std::string(kind.name) + "\"");
        }
        for (std::string_view ext : kind.extensions) {
            const ProfileLoadResult by_path = load(R"({"path":"r.)" + std::string(ext) + "\"}");
            ASSERT_TRUE(by_path.profile) << by_path.error;
            EXPECT_EQ(by_path.profile->recording[0].format, kind.format);
        }
    }
    EXPECT_EQ(load(R"({"path":"r.bin"})").error,
              "r.json: recording[0].format: missing, and the file name \"r.bin\" does not end in .pcapng, .jsonl or "
              ".txt; say \"format\": \"pcapng\", \"jsonl\" or \"text\"");
}

// The hub makes each recorder through its kind: whether the engine must show it the wire bytes of
// a framed read is the kind's `wire`.
TEST(SourceTapRegistry, TheHubTakesWireBytesForTheKindsThatSaySo) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sockscope_tap_kinds_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(dir);
    std::vector<Event> statuses;
    RecordingHub hub([] {}, [&](Event e) { statuses.push_back(std::move(e)); });
    RecordingId id = 1;
    for (const registry::TapDescriptor& kind : registry::tapKinds()) {
        SCOPED_TRACE(std::string(kind.name));
        RecordingConfig config;
        config.path = (dir / ("r." + std::string(kind.name))).string();
        config.format = kind.format;
        hub.start(id, config);
        EXPECT_EQ(hub.wantsWire(), kind.wire);
        hub.stop(id++);
    }
    hub.stopAll(std::chrono::milliseconds(2000));
    for (const Event& e : statuses) {
        const auto* s = std::get_if<RecordingStatus>(&e);
        ASSERT_NE(s, nullptr);
        EXPECT_NE(s->state, RecordingState::Failed) << s->path << (s->error ? ": " + s->error->message : "");
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace sockscope
