// Sources of traffic against real loopback peers: the on-connect payload, saved commands and
// timers of tcp-server, tcp-client and udp endpoints.
#include <gtest/gtest.h>

#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::EngineHarness;
using test::SocketPeer;
using namespace std::chrono_literals;

PayloadSpec hex(std::string text) {
    PayloadSpec spec;
    spec.mode = PayloadMode::Hex;
    spec.text = std::move(text);
    return spec;
}

PayloadSpec text(std::string body) {
    PayloadSpec spec;
    spec.text = std::move(body);
    return spec;
}

TimerConfig timer(std::string name, int every_ms, std::uint64_t count, PayloadSpec send, bool auto_start = false) {
    TimerConfig t;
    t.name = std::move(name);
    t.every_ms = every_ms;
    t.count = count;
    t.auto_start = auto_start;
    t.send = std::move(send);
    return t;
}

TEST(Sources, OnConnectPayloadIsTheFirstThingEveryClientReceives) {
    EngineHarness h;
    EndpointConfig config;
    config.on_connect = hex("AA 55 01");
    const auto port = h.startServer(1, config);
    for (int i = 0; i < 3; ++i) {   // every connection gets it, each once
        SocketPeer peer;
        ASSERT_TRUE(peer.connectTcp(port));
        EXPECT_EQ(peer.receive(3), std::string("\xAA\x55\x01", 3)) << "client " << i;
    }
}

TEST(Sources, OnConnectOfAClientGoesToTheServerItReached) {
    test::Listener listener;
    ASSERT_NE(listener.port, 0);
    EngineHarness h;
    EndpointConfig config;
    config.name = "client";
    config.type = EndpointType::TcpClient;
    config.remote = "127.0.0.1:" + std::to_string(listener.port);
    config.on_connect = text("LOGIN user\\r\\n");
    h.engine.submit(AddEndpoint{1, config});
    auto device = listener.accept();
    ASSERT_GE(device.fd(), 0);
    EXPECT_EQ(device.receive(12), "LOGIN user\r\n");
}

TEST(Sources, ASavedCommandSendsItsBytesWithChecksumAndCountsPerCommand) {
    EngineHarness h;
    EndpointConfig config;
    PayloadSpec read = hex("01 03 00 00 00 01");
    read.checksum = ChecksumSpec{ChecksumKind::Crc16Modbus, ChecksumByteOrder::LittleEndian};
    config.commands = {{"read reg", read}, {"seq", text("N{{counter:02}};")}};
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.engine.submit(SendSavedCommand{1, "read reg", id});
    EXPECT_EQ(peer.receive(8), std::string("\x01\x03\x00\x00\x00\x01\x84\x0A", 8));
    for (int i = 0; i < 3; ++i) h.engine.submit(SendSavedCommand{1, "seq", 0});
    EXPECT_EQ(peer.receive(12), "N00;N01;N02;");
}

TEST(Sources, AnUnknownCommandOrTimerIsAnErrorAndSendsNothing) {
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    h.engine.submit(SendSavedCommand{1, "nope", 0});
    const auto error = h.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_NE(error->error.message.find("no saved command named \"nope\""), std::string::npos);
    h.engine.submit(RunTimer{1, "nope", true});
    ASSERT_TRUE(h.waitFor<ErrorEvent>([](const ErrorEvent& e) {
        return e.error.message.find("no timer named \"nope\"") != std::string::npos;
    }));
    ASSERT_TRUE(h.sync(1));
    EXPECT_EQ(h.count<DataEvent>(), 0u);
}

// Issue 6, item 23: the engine's rarer errors (a missing command, timer, script, connection or
// endpoint; a refused file send) say it in Chinese too, for the GUI in Chinese.
TEST(Sources, TheRarerErrorsAreWordedInChineseToo) {
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    h.engine.submit(SendSavedCommand{1, "nope", 0});
    h.engine.submit(RunTimer{1, "nope", true});
    h.engine.submit(RunScript{1, "nope"});
    h.engine.submit(CloseConnection{1, 999, CloseMode::Graceful});
    h.engine.submit(StopReading{1, 999, true});
    h.engine.submit(StartEndpoint{77});
    SendFile no_path{};
    no_path.endpoint = 1;
    no_path.transfer = 5;
    h.engine.submit(no_path);
    SendFile bad_chunk{};
    bad_chunk.endpoint = 1;
    bad_chunk.transfer = 6;
    bad_chunk.path = "/dev/null";
    bad_chunk.chunk = 0;
    h.engine.submit(bad_chunk);
    ASSERT_TRUE(h.sync(1));
    ASSERT_TRUE(h.pumpUntil([&] {
        return h.count<ErrorEvent>() >= 6 && h.count<FileSendStatus>([](const FileSendStatus& f) { return f.error.has_value(); }) >= 2;
    }));
    std::size_t checked = 0;
    for (const Event& event : h.events) {
        const ErrorInfo* error = nullptr;
        if (const auto* e = std::get_if<ErrorEvent>(&event)) error = &e->error;
        if (const auto* f = std::get_if<FileSendStatus>(&event); f && f->error) error = &*f->error;
        if (!error) continue;
        ++checked;
        EXPECT_FALSE(error->message_zh.empty()) << error->code << ": " << error->message;
        EXPECT_NE(error->message_zh, error->message) << error->code;
    }
    EXPECT_GE(checked, 8u);
    const auto zh = [&](const std::string& part) {
        return h.count<ErrorEvent>([&](const ErrorEvent& e) { return e.error.message_zh.find(part) != std::string::npos; });
    };
    EXPECT_EQ(zh("没有名为“nope”的定时器"), 1u);
    EXPECT_EQ(zh("没有名为“nope”的已保存命令"), 1u);
    EXPECT_EQ(zh("此端点没有连接 #999"), 1u);
}

TEST(Sources, ATimerSendsItsCountThenStopsAndSaysSo) {
    EngineHarness h;
    EndpointConfig config;
    config.timers = {timer("hb", 5, 5, text("HB {{counter:04}}\\n"))};
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    h.engine.submit(RunTimer{1, "hb", true});
    EXPECT_EQ(peer.receive(40), "HB 0000\nHB 0001\nHB 0002\nHB 0003\nHB 0004\n");
    const auto done = h.waitFor<TimerStatus>([](const TimerStatus& s) { return !s.running && s.sent == 5; });
    ASSERT_TRUE(done);
    EXPECT_EQ(done->name, "hb");
    ASSERT_TRUE(h.sync(1));
    EXPECT_EQ(h.count<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Tx; }), 5u);
    // The "stopped" line comes after the last tick's tx (tester item: it came before it).
    std::size_t last_tx = 0, stopped = 0;
    for (std::size_t i = 0; i < h.events.size(); ++i) {
        if (const auto* d = std::get_if<DataEvent>(&h.events[i]); d && d->direction == Direction::Tx) last_tx = i;
        if (const auto* t = std::get_if<TimerStatus>(&h.events[i]); t && !t->running && t->sent == 5) stopped = i;
    }
    EXPECT_GT(stopped, last_tx);
}

TEST(Sources, AnAutoStartTimerSkipsTicksUntilAClientIsThereAndStopsWithTheEndpoint) {
    EngineHarness h;
    EndpointConfig config;
    config.timers = {timer("ping", 10, 0, text("P"), true)};
    const auto port = h.startServer(1, config);
    ASSERT_TRUE(h.waitFor<TimerStatus>([](const TimerStatus& s) { return s.running; }));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    EXPECT_EQ(peer.receive(3), "PPP") << "ticks reach the client once it is there";
    h.engine.submit(StopEndpoint{1, CloseMode::Graceful});
    const auto stopped = h.waitFor<TimerStatus>([](const TimerStatus& s) { return !s.running; });
    ASSERT_TRUE(stopped);
    EXPECT_GT(stopped->skipped, 0u) << "ticks before the client came had nowhere to go";
    EXPECT_GE(stopped->sent, 3u);
}

// A tcp-client that stops by itself (the server went away, no reconnect) or fails stops its
// timers too, and says so: a heartbeat must not go on "running" with nowhere to go.
TEST(Sources, TimersStopWhenAClientStopsByItself) {
    test::Listener listener;
    ASSERT_NE(listener.port, 0);
    EngineHarness h;
    EndpointConfig config;
    config.name = "client";
    config.type = EndpointType::TcpClient;
    config.remote = "127.0.0.1:" + std::to_string(listener.port);
    config.timers = {timer("hb", 20, 0, text("H"), true)};
    h.engine.submit(AddEndpoint{1, config});
    auto device = listener.accept();
    ASSERT_GE(device.fd(), 0);
    EXPECT_EQ(device.receive(2), "HH");
    device.resetOnClose();
    device.close();
    ASSERT_TRUE(h.waitForState(1, EndpointState::Stopped));
    EXPECT_TRUE(h.waitFor<TimerStatus>([](const TimerStatus& s) { return s.name == "hb" && !s.running; }))
        << "the timer stopped with the endpoint";
}

// Issue 7: a timer goes "to a connection, all connections, or a UDP destination". Aimed at one
// connection, the other clients get nothing, and it ends when its connection closes.
TEST(Sources, ATimerAimedAtOneConnectionSendsOnlyThereAndStopsWhenItCloses) {
    EngineHarness h;
    EndpointConfig config;
    config.timers = {timer("hb", 5, 0, text("T"))};
    const auto port = h.startServer(1, config);
    SocketPeer first, second;
    ASSERT_TRUE(first.connectTcp(port));
    const auto one = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(one);
    ASSERT_TRUE(second.connectTcp(port));
    const auto two = h.waitFor<ConnectionOpened>([&](const ConnectionOpened& o) { return o.connection != one->connection; });
    ASSERT_TRUE(two);
    h.engine.submit(RunTimer{1, "hb", true, two->connection});
    EXPECT_EQ(second.receive(3), "TTT");
    EXPECT_EQ(first.receive(1, 100), "") << "the other client gets none of its ticks";
    const auto running = h.waitFor<TimerStatus>([](const TimerStatus& s) { return s.running; });
    ASSERT_TRUE(running);
    EXPECT_EQ(running->connection, two->connection);
    h.engine.submit(CloseConnection{1, two->connection, CloseMode::Graceful});
    const auto stopped = h.waitFor<TimerStatus>([](const TimerStatus& s) { return !s.running; });
    ASSERT_TRUE(stopped) << "its connection closed: the timer ended";
    EXPECT_EQ(stopped->connection, two->connection);
    // A start aimed at a connection that is not open is refused in plain words, and nothing runs.
    h.engine.submit(RunTimer{1, "hb", true, 999});
    const auto refused = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.connection == 999; });
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->error.code, "ENOTCONN");
    EXPECT_NE(refused->error.message.find("not open"), std::string::npos) << refused->error.message;
    ASSERT_TRUE(h.sync(1));
    EXPECT_EQ(h.count<TimerStatus>([](const TimerStatus& s) { return s.running && !s.progress; }), 1u);
}

/// A timer's `sent` counts the ticks whose bytes left (were written to the socket, as the tx rows
/// show): ticks still in the connection's send queue when a RST discards it are taken back out of
/// `sent` and counted in `failed`, and a timer status says so (before, they stayed "sent").
TEST(Sources, TicksAResetDiscardsFromTheSendQueueAreNotCountedSent) {
    EngineHarness h;
    EndpointConfig config;
    constexpr std::size_t kTick = 256u << 10;   // 64 ticks: 16 MiB, more than the kernel holds for a peer that does not read
    constexpr std::uint64_t kTicks = 64;
    config.write_queue_limit = 64u << 20;
    config.timers = {timer("bulk", 1, kTicks, text(std::string(kTick, 'x')))};
    const auto port = h.startServer(1, config);
    SocketPeer peer;   // never reads
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.engine.submit(RunTimer{1, "bulk", true, id});
    const auto finished = h.waitFor<TimerStatus>([](const TimerStatus& t) { return !t.running && t.sent + t.failed > 0; }, 30s);
    ASSERT_TRUE(finished);
    ASSERT_EQ(finished->sent + finished->failed, kTicks) << "every tick tried";
    const auto txBytes = [&] {
        std::uint64_t n = 0;
        for (const auto& e : h.events)
            if (const auto* d = std::get_if<DataEvent>(&e); d && d->direction == Direction::Tx) n += d->payload.size();
        return n;
    };
    ASSERT_TRUE(h.sync(1));
    ASSERT_LT(txBytes(), finished->sent * kTick) << "some ticks are still queued when the RST goes";
    h.mark();
    h.engine.submit(CloseConnection{1, id, CloseMode::Abort});
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    ASSERT_TRUE(closed->error) << "the reset discarded queued bytes: the close says so";
    EXPECT_EQ(closed->error->code, "ECONNABORTED");
    EXPECT_NE(closed->error->message.find("reset with up to "), std::string::npos) << closed->error->message;
    EXPECT_NE(closed->error->message.find(" still queued: they were not sent"), std::string::npos) << closed->error->message;
    // The counts once the queue is gone: what left is sent, the rest failed, every tick counted once.
    const auto settled = h.waitFor<TimerStatus>(
        [&](const TimerStatus& t) { return t.sent * kTick == txBytes(); }, 5s);
    ASSERT_TRUE(settled) << "sent should be the ticks that left: " << txBytes() / kTick;
    EXPECT_EQ(settled->sent + settled->failed, kTicks);
    EXPECT_GT(settled->failed, finished->failed) << "the discarded ticks are counted failed";
    EXPECT_FALSE(settled->running);
    ASSERT_TRUE(h.sync(1));
    std::uint64_t last_sent = settled->sent;
    for (const auto& e : h.events)
        if (const auto* t = std::get_if<TimerStatus>(&e)) last_sent = t->sent;
    EXPECT_EQ(last_sent * kTick, txBytes()) << "no later status counts them again";
}

TEST(Sources, ARunningTimerStopsOnRequest) {
    EngineHarness h;
    EndpointConfig config;
    config.timers = {timer("fast", 1, 0, text("x"))};
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    h.engine.submit(RunTimer{1, "fast", true});
    EXPECT_EQ(peer.receive(20), std::string(20, 'x'));
    h.engine.submit(RunTimer{1, "fast", false});
    const auto stopped = h.waitFor<TimerStatus>([](const TimerStatus& s) { return !s.running; });
    ASSERT_TRUE(stopped);
    ASSERT_TRUE(h.sync(1));
    const auto sent = h.count<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Tx; });
    ASSERT_TRUE(h.settle(50ms, 1));
    EXPECT_EQ(h.count<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Tx; }), sent)
        << "nothing is sent after the stop";
    EXPECT_EQ(stopped->sent, sent);
}

TEST(Sources, AUdpTimerSendsToItsDestination) {
    SocketPeer receiver;
    ASSERT_TRUE(receiver.bindUdp());
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    auto beacon = timer("beacon", 5, 3, hex("BE {{counter}}"), true);
    beacon.to = "127.0.0.1:" + std::to_string(receiver.localPort());
    config.timers = {beacon};
    h.engine.submit(AddEndpoint{1, config});
    EXPECT_EQ(receiver.receiveDatagram(), std::string("\xBE\x00", 2));
    EXPECT_EQ(receiver.receiveDatagram(), std::string("\xBE\x01", 2));
    EXPECT_EQ(receiver.receiveDatagram(), std::string("\xBE\x02", 2));
}

/// A timer whose sends fail (here: a udp timer with nowhere to send) says so once, then counts:
/// a 1 ms timer must not make a thousand identical error rows a second. Its `failed` counts all.
TEST(Sources, AFailingTimerSaysItOnceThenCounts) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.timers = {timer("flood", 1, 50, text("x"), true)};
    h.engine.submit(AddEndpoint{1, config});
    const auto done = h.waitFor<TimerStatus>([](const TimerStatus& s) { return !s.running && s.failed > 0; });
    ASSERT_TRUE(done);
    EXPECT_EQ(done->failed, 50u);
    EXPECT_EQ(done->sent, 0u);
    auto refused = [](const ErrorEvent& e) { return e.error.code == "EDESTADDRREQ"; };
    EXPECT_EQ(h.count<ErrorEvent>(refused), 1u) << "said once while it repeats";
    h.engine.submit(StopEndpoint{1});   // the count of the repeats is said at the latest now
    const auto repeats = h.waitFor<ErrorEvent>(
        [&](const ErrorEvent& e) { return refused(e) && e.error.message.find("repeated 49 times") != std::string::npos; });
    EXPECT_TRUE(repeats) << "the repeats are counted and said";
}

/// A udp timer's `sent` counts datagrams that left: ticks still queued when the endpoint stops
/// (here behind a split gap) move to `failed`, as the stop's "not sent" error says.
TEST(Sources, AUdpTimersTicksThatNeverLeftAreNotCountedSent) {
    SocketPeer receiver;
    ASSERT_TRUE(receiver.bindUdp());
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.faults = FaultConfig{};
    config.faults->split_size = 1;
    config.faults->split_gap_ms = 60'000;
    auto beacon = timer("beacon", 1, 3, text("ab"), true);
    beacon.to = "127.0.0.1:" + std::to_string(receiver.localPort());
    config.timers = {beacon};
    h.engine.submit(AddEndpoint{1, config});
    EXPECT_EQ(receiver.receiveDatagram(), "a") << "the first piece of the first tick";
    ASSERT_TRUE(h.waitFor<TimerStatus>([](const TimerStatus& t) { return !t.running && t.sent + t.failed == 3; }));
    h.engine.submit(StopEndpoint{1});
    const auto settled = h.waitFor<TimerStatus>([](const TimerStatus& t) { return t.sent == 1 && t.failed == 2; });
    EXPECT_TRUE(settled) << "one tick began to leave; two never did";
}

/// A udp timer to a host name: the name is looked up once, not per tick (a 1 ms timer would
/// otherwise queue a lookup a millisecond), and every tick arrives.
TEST(Sources, AUdpTimerToANameLooksItUpOnceAndSendsEveryTick) {
    SocketPeer receiver;
    ASSERT_TRUE(receiver.bindUdp());
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    auto beacon = timer("beacon", 1, 40, text("b"), true);
    beacon.to = "localhost:" + std::to_string(receiver.localPort());   // /etc/hosts: 127.0.0.1
    config.timers = {beacon};
    h.engine.submit(AddEndpoint{1, config});
    for (int i = 0; i < 40; ++i) ASSERT_EQ(receiver.receiveDatagram(), "b") << "datagram " << i;
    const auto done = h.waitFor<TimerStatus>([](const TimerStatus& t) { return !t.running && t.sent == 40; });
    ASSERT_TRUE(done);
    EXPECT_EQ(done->failed, 0u);
}

/// A udp timer to a name whose datagrams the socket refuses (too large for IPv4): none left, so
/// none is counted sent — the first tick, which waited for the name, as the later ones from the
/// looked-up answer — and the error is said once, then counted.
TEST(Sources, AUdpTimerToANameCountsRefusedTicksFailed) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    auto big = timer("big", 2, 20, text(std::string(65'510, 'x')), true);   // > 65,507: IPv4's limit
    big.to = "localhost:9";
    config.timers = {big};
    h.engine.submit(AddEndpoint{1, config});
    const auto done = h.waitFor<TimerStatus>([](const TimerStatus& t) { return !t.running && t.failed == 20; });
    ASSERT_TRUE(done) << "every tick is counted failed";
    EXPECT_EQ(done->sent, 0u);
    auto too_big = [](const ErrorEvent& e) { return e.error.code == "EMSGSIZE"; };
    EXPECT_EQ(h.count<ErrorEvent>(too_big), 1u) << "said once while it repeats";
}

/// A running timer's counts reach the front end while it runs (about once a refresh), not only
/// when it starts and stops: the GUI's counter moves.
TEST(Sources, ARunningTimersCountsAreRefreshedWhileItRuns) {
    SocketPeer receiver;
    ASSERT_TRUE(receiver.bindUdp());
    EngineHarness h;   // refreshes every 50 ms
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    auto beacon = timer("beacon", 5, 0, text("b"), true);
    beacon.to = "127.0.0.1:" + std::to_string(receiver.localPort());
    config.timers = {beacon};
    h.engine.submit(AddEndpoint{1, config});
    const auto first = h.waitFor<TimerStatus>([](const TimerStatus& t) { return t.progress && t.running && t.sent > 0; });
    ASSERT_TRUE(first);
    const auto later = h.waitFor<TimerStatus>(
        [&](const TimerStatus& t) { return t.progress && t.running && t.sent > first->sent; });
    ASSERT_TRUE(later) << "the count keeps moving";
    h.engine.submit(StopEndpoint{1});
    const auto stopped = h.waitFor<TimerStatus>([](const TimerStatus& t) { return !t.running; });
    ASSERT_TRUE(stopped);
    EXPECT_FALSE(stopped->progress) << "a change of state is not a progress status";
}

}  // namespace
}  // namespace sockscope
