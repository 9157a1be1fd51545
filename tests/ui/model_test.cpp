// UI-free parts of the front end: the workspace, event application into the log, history.
#include <gtest/gtest.h>

#include "core/net/error_text.hpp"
#include "core/profile/profile.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/send_panel.hpp"
#include "ui/workspace.hpp"

namespace sockscope::ui {
namespace {

TEST(Workspace, AddUpdateDuplicateRemoveTrackDirtyAndRevision) {
    Workspace ws;
    EXPECT_FALSE(ws.dirty);
    const EndpointId a = ws.add(Workspace::defaultConfig(EndpointType::TcpServer, 0));
    EXPECT_TRUE(ws.dirty);
    EXPECT_EQ(ws.find(a)->config.bind, "0.0.0.0:9000");
    const auto rev = ws.revision;
    EndpointConfig changed = ws.find(a)->config;
    changed.name = "renamed";
    EXPECT_TRUE(ws.update(a, changed));
    EXPECT_GT(ws.revision, rev);
    const EndpointId b = ws.duplicate(a);
    ASSERT_NE(b, 0u);
    EXPECT_NE(a, b);
    EXPECT_EQ(ws.find(b)->config.name, "renamed copy");
    EXPECT_FALSE(ws.find(b)->config.auto_start) << "a copy would fight the original for its port";
    EXPECT_TRUE(ws.remove(a));
    EXPECT_FALSE(ws.remove(a));
    EXPECT_EQ(ws.endpoints().size(), 1u);
    EXPECT_EQ(ws.duplicate(999), 0u);

    ws.replace("p", {Workspace::defaultConfig(EndpointType::Udp, 1)}, std::string("/tmp/p.json"));
    EXPECT_FALSE(ws.dirty);
    ASSERT_EQ(ws.endpoints().size(), 1u);
    EXPECT_NE(ws.endpoints()[0].id, b) << "ids are never reused";
    EXPECT_EQ(*ws.path, "/tmp/p.json");
}

// Issue 6 item 8: names are unique by construction (the profile format requires it).
TEST(Workspace, NewAndDuplicateGiveUniqueNames) {
    Workspace ws;
    const EndpointId a = ws.add(ws.newConfig(EndpointType::TcpClient));
    const EndpointId b = ws.add(ws.newConfig(EndpointType::TcpClient));
    const EndpointId c = ws.add(ws.newConfig(EndpointType::TcpClient));
    EXPECT_EQ(ws.find(a)->config.name, "TCP client");
    EXPECT_EQ(ws.find(b)->config.name, "TCP client 2");
    EXPECT_EQ(ws.find(c)->config.name, "TCP client 3");
    EndpointConfig device = ws.find(a)->config;
    device.name = "device";
    ws.update(a, device);
    const EndpointId d1 = ws.duplicate(a);
    const EndpointId d2 = ws.duplicate(a);
    EXPECT_EQ(ws.find(d1)->config.name, "device copy");
    EXPECT_EQ(ws.find(d2)->config.name, "device copy 2");
    EXPECT_TRUE(ws.nameTaken("device"));
    EXPECT_FALSE(ws.nameTaken("device", a)) << "its own name is not a clash";
    // The whole workspace saves: no duplicate name for the validator to refuse.
    Profile profile;
    for (const auto& e : ws.endpoints()) profile.endpoints.push_back(e.config);
    EXPECT_EQ(validateProfile(profile, "ws"), "");
}

TEST(UiModel, DataBecomesRxTxRowsAndLifecycleBecomesEventRows) {
    setLanguage(Language::English);
    UiModel model;
    EndpointStatus listening{};
    listening.endpoint = 1;
    listening.state = EndpointState::Listening;
    listening.local = "127.0.0.1:9000";
    model.apply(listening);
    model.apply(listening);   // a refresh without a change adds no row
    model.apply(ConnectionOpened{1, 5, "127.0.0.1:40000", "127.0.0.1:9000", 10});
    model.apply(DataEvent{1, 5, Direction::Rx, 11, {}, Bytes{'h', 'i'}});
    model.apply(DataEvent{1, 5, Direction::Tx, 12, {}, Bytes{'o', 'k'}});
    model.apply(PeerHalfClosed{1, 5, 13});
    model.apply(ErrorEvent{1, 5, ErrorContext::Write, ErrorInfo{"EPIPE", "broken pipe", "管道已断开"}, 14});
    model.apply(ConnectionClosed{1, 5, CloseReason::LocalGraceful, std::nullopt, 15});

    ASSERT_EQ(model.log.size(), 7u);
    const LogKind kinds[] = {LogKind::Info, LogKind::Info, LogKind::Rx, LogKind::Tx,
                             LogKind::Info, LogKind::Error, LogKind::Info};
    for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(model.log.record(i).kind, kinds[i]) << i;
    auto text = [&](std::size_t i) {
        const auto b = model.log.bytes(model.log.record(i));
        return std::string(b.begin(), b.end());
    };
    EXPECT_EQ(text(0), "listening 127.0.0.1:9000");
    EXPECT_EQ(text(1), "connection #5 from 127.0.0.1:40000");
    EXPECT_EQ(text(2), "hi");
    EXPECT_EQ(text(4), "#5: peer sent FIN (half-closed)");
    EXPECT_EQ(text(5), "EPIPE broken pipe");
    EXPECT_EQ(text(6), "#5 closed: closed here (FIN)");
    // The lifecycle rows say what they stand for, so a pcapng export can draw them as packets.
    using What = LogLifecycle::What;
    const What whats[] = {What::None, What::Opened, What::None, What::None, What::PeerFin, What::None, What::Closed};
    for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(model.log.record(i).lifecycle.what, whats[i]) << i;
    EXPECT_EQ(model.log.record(6).lifecycle.close_reason, static_cast<std::uint8_t>(CloseReason::LocalGraceful));
    EXPECT_EQ(model.table.connection(1, 5)->counters.rx_bytes, 2u);
}

// Engine errors read in the UI's language: the Chinese GUI shows their Chinese words.
TEST(UiModel, EngineErrorsAreShownInTheLanguageOfTheUi) {
    UiModel model;
    const ErrorInfo refused = describeError(std::make_error_code(std::errc::connection_refused), ErrorContext::Connect,
                                            "127.0.0.1:9");
    auto last = [&] {
        const auto b = model.log.bytes(model.log.record(model.log.size() - 1));
        return std::string(b.begin(), b.end());
    };
    setLanguage(Language::Chinese);
    model.apply(ErrorEvent{1, 0, ErrorContext::Connect, refused, 10});
    EXPECT_EQ(last(), "ECONNREFUSED 127.0.0.1:9 拒绝连接：该端口上没有程序在监听（或被防火墙拒绝）");
    model.apply(ErrorEvent{1, 0, ErrorContext::Config, ErrorInfo{"ENOENT", "no timer named \"x\"", "没有名为“x”的定时器"}, 11});
    EXPECT_EQ(last(), "ENOENT 没有名为“x”的定时器");
    model.apply(ErrorEvent{1, 0, ErrorContext::Config, ErrorInfo{"ENOENT", "no timer named \"x\"", ""}, 11});
    EXPECT_EQ(last(), "ENOENT no timer named \"x\"") << "without a Chinese text the English one is shown";
    setLanguage(Language::English);
    model.apply(ErrorEvent{1, 0, ErrorContext::Connect, refused, 12});
    EXPECT_EQ(last(), "ECONNREFUSED " + refused.message);
}

TEST(SendPanel, HistoryIsPerEndpointBoundedAndWalkable) {
    UiModel model;
    EndpointConfig config = Workspace::defaultConfig(EndpointType::Udp, 0);
    const EndpointId id = model.workspace.add(config);
    model.selection.endpoint = id;
    std::vector<Command> sent;
    CommandSink sink = [&](Command c) { sent.push_back(std::move(c)); };
    SendPanel panel;
    for (int i = 0; i < 60; ++i) {
        panel.input() = "msg" + std::to_string(i);
        ASSERT_TRUE(panel.send(model, sink));
    }
    panel.input() = "msg59";
    ASSERT_TRUE(panel.send(model, sink));   // a repeat is not stored twice
    EXPECT_EQ(panel.history(id).size(), 50u);
    EXPECT_EQ(panel.history(id).back().input, "msg59");
    EXPECT_TRUE(panel.history(id + 1).empty());

    panel.input().clear();
    panel.historyStep(model, -1);
    EXPECT_EQ(panel.input(), "msg59");
    panel.historyStep(model, -1);
    EXPECT_EQ(panel.input(), "msg58");
    panel.historyStep(model, +1);
    EXPECT_EQ(panel.input(), "msg59");
    panel.historyStep(model, +1);
    EXPECT_EQ(panel.input(), "") << "past the newest: an empty box";

    // UDP: an invalid destination blocks; a valid one is passed through.
    panel.input() = "x";
    panel.udpDestination() = "nohost";
    EXPECT_FALSE(panel.send(model, sink));
    panel.udpDestination() = "127.0.0.1:7000";
    ASSERT_TRUE(panel.send(model, sink));
    EXPECT_EQ(std::get<Send>(sent.back()).destination, "127.0.0.1:7000");
}

TEST(SendPanel, GbkTextIsEncodedForTheDevice) {
    UiModel model;
    model.settings.encoding = TextEncoding::Gbk;
    SendPanel panel;
    panel.input() = "中\\xFF";
    const ParseResult& r = panel.parsed(model);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.bytes, (Bytes{0xD6, 0xD0, 0xFF}));
    panel.setMode(SendMode::Hex);
    panel.input() = "0x01,0x02";
    EXPECT_EQ(panel.parsed(model).bytes, (Bytes{1, 2}));
}

}  // namespace
}  // namespace sockscope::ui
