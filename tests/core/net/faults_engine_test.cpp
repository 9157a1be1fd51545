// Fault injection over real loopback sockets (docs/profile-format.md, "Fault injection"): reply
// delays measured at the peer, split sends, drops with p = 0, 1 and a seeded 0.5, UDP duplicates,
// a rule's own faults replacing the endpoint's, and the per-connection "stop reading" switch
// filling the kernel's receive queue until the peer's send blocks, then resuming byte-exact.
#include <gtest/gtest.h>

#include "core/session/faults.hpp"
#include "support/engine_harness.hpp"
#include "support/platform.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::bytesOf;
using test::EngineHarness;
using test::SocketPeer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ReplyRule anyRule(std::string name, std::string reply) {
    ReplyRule r;
    r.name = std::move(name);
    PayloadSpec p;
    p.text = std::move(reply);
    r.reply = p;
    return r;
}

EndpointConfig lineServer(std::vector<ReplyRule> rules, std::optional<FaultConfig> faults) {
    EndpointConfig config;
    config.framing.type = FramingType::Delimiter;
    config.framing.delimiter = bytesOf("\n");
    config.rules = std::move(rules);
    config.faults = std::move(faults);
    return config;
}

std::uint16_t portOf(const std::string& address) {
    return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

std::optional<StatsEvent> waitForFaults(EngineHarness& h, EndpointId id, std::function<bool(const FaultCounters&)> ok) {
    return h.waitFor<StatsEvent>([&](const StatsEvent& s) { return s.endpoint == id && ok(s.faults); });
}

/// A peer whose sends fail instead of blocking (to see when the window is full).
bool setNonBlocking(test::PeerSocket fd) {
#if defined(_WIN32)
    u_long on = 1;
    return ::ioctlsocket(fd, FIONBIO, &on) == 0;
#else
    return ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0;
#endif
}

bool sendWouldBlock() {
#if defined(_WIN32)
    return ::WSAGetLastError() == WSAEWOULDBLOCK;
#else
    return errno == EAGAIN || errno == EWOULDBLOCK;
#endif
}

ConnectionId waitForConnection(EngineHarness& h, EndpointId id) {
    const auto opened = h.waitFor<ConnectionOpened>([id](const ConnectionOpened& o) { return o.endpoint == id; });
    return opened ? opened->connection : 0;
}

TEST(Faults, RandomReplyDelayIsWithinTheRangeAtThePeer) {
    EngineHarness h;
    FaultConfig faults;
    faults.delay_min_ms = 60;
    faults.delay_max_ms = 150;
    faults.seed = 7;
    const auto port = h.startServer(1, lineServer({anyRule("answer", "ok\\n")}, faults));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    for (int i = 0; i < 4; ++i) {
        const auto sent = Clock::now();
        ASSERT_TRUE(peer.sendAll("q\n"));
        ASSERT_EQ(peer.receive(3, 5000), "ok\n");
        const auto took = Clock::now() - sent;
        EXPECT_GE(took, 59ms) << "reply " << i;
        EXPECT_LT(took, 150ms + 2s) << "reply " << i;   // the upper bound with room for a loaded machine
    }
    ASSERT_TRUE(waitForFaults(h, 1, [](const FaultCounters& f) { return f.delayed == 4; }));
}

TEST(Faults, FixedEchoDelayKeepsTheStreamInOrder) {
    EngineHarness h;
    EndpointConfig config;
    config.echo = true;
    FaultConfig faults;
    faults.delay_min_ms = faults.delay_max_ms = 80;
    config.faults = faults;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto sent = Clock::now();
    ASSERT_TRUE(peer.sendAll("hello"));
    EXPECT_EQ(peer.receive(5, 5000), "hello");
    EXPECT_GE(Clock::now() - sent, 79ms);
    // Random delays never reorder a TCP stream: a later reply waits for the earlier one.
    FaultConfig random;
    random.delay_min_ms = 0;
    random.delay_max_ms = 40;
    random.seed = 3;
    config.faults = random;
    config.name = "random";
    const auto random_port = h.startServer(2, config);
    SocketPeer second;
    ASSERT_TRUE(second.connectTcp(random_port));
    std::string expected;
    for (int i = 0; i < 50; ++i) {
        const std::string part = "<" + std::to_string(i) + ">";
        expected += part;
        ASSERT_TRUE(second.sendAll(part));
    }
    EXPECT_EQ(second.receive(expected.size(), 10000), expected);
}

ReplyRule textRule(std::string name, std::string match, std::string reply, int delay_ms, RuleClose close = RuleClose::None) {
    ReplyRule r = anyRule(std::move(name), std::move(reply));
    r.match.body = MatchBody::Text;
    r.match.text = std::move(match);
    r.delay_ms = delay_ms;
    r.close = close;
    return r;
}

// Tester item: an immediate reply overtook a delayed one before it, and answered a message that
// came after a rule's delayed close. A stream answers in the order of the requests, as a device.
TEST(Faults, AnImmediateReplyWaitsForTheDelayedOneBeforeIt) {
    EngineHarness h;
    const auto port = h.startServer(1, lineServer({textRule("slow", "SLOW", "R-SLOW\\n", 150), textRule("fast", "FAST", "R-FAST\\n", 0),
                                                   textRule("bye", "BYE", "R-BYE\\n", 100, RuleClose::Fin),
                                                   textRule("now", "NOW", "R-NOW\\n", 0, RuleClose::Fin)},
                                                  std::nullopt));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("SLOW\nFAST\n"));
    EXPECT_EQ(peer.receive(14, 5000), "R-SLOW\nR-FAST\n");
    ASSERT_TRUE(peer.sendAll("BYE\nFAST\n"));   // the close comes before FAST's turn: not answered
    EXPECT_EQ(peer.receive(100, 5000), "R-BYE\n");
    EXPECT_TRUE(peer.eof()) << "the rule's FIN";

    // Review: a rule that closes at once, behind a delayed reply, closes after both replies (its
    // own reply waits in turn; closing at once would have dropped both).
    h.mark();
    SocketPeer second;
    ASSERT_TRUE(second.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    ASSERT_TRUE(second.sendAll("SLOW\nNOW\n"));
    EXPECT_EQ(second.receive(100, 5000), "R-SLOW\nR-NOW\n");
    EXPECT_TRUE(second.eof()) << "then the FIN";
    for (const auto& e : h.events)   // FAST's reply behind BYE's close above was said dropped; none here
        if (const auto* error = std::get_if<ErrorEvent>(&e); error && error->connection == opened->connection)
            ADD_FAILURE() << error->error.code << ": " << error->error.message;
}

TEST(Faults, SplitSendsLeaveInPiecesWithTheGap) {
    EngineHarness h;
    EndpointConfig config;
    FaultConfig faults;
    faults.split_size = 4;
    faults.split_gap_ms = 30;
    config.faults = faults;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const ConnectionId conn = waitForConnection(h, 1);
    ASSERT_NE(conn, 0u);
    h.mark();
    const auto sent = Clock::now();
    h.engine.submit(Send{1, conn, bytesOf("0123456789"), {}});   // 4 + 4 + 2
    EXPECT_EQ(peer.receive(10, 5000), "0123456789");
    EXPECT_GE(Clock::now() - sent, 2 * 30ms - 1ms);
    ASSERT_TRUE(waitForFaults(h, 1, [](const FaultCounters& f) { return f.split_pieces == 3; }));
    std::vector<std::size_t> pieces;
    const auto tx_pieces = [&] {
        pieces.clear();
        for (const auto& e : h.events)
            if (const auto* d = std::get_if<DataEvent>(&e); d && d->direction == Direction::Tx)
                pieces.push_back(d->payload.size());
        return pieces.size() >= 3;
    };
    EXPECT_TRUE(h.pumpUntil(tx_pieces));
    EXPECT_EQ(pieces, (std::vector<std::size_t>{4, 4, 2})) << "each piece is its own write (and tx event)";
}

TEST(Faults, UdpSplitPiecesAreSeparateDatagrams) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    FaultConfig faults;
    faults.split_size = 3;
    faults.split_gap_ms = 20;
    config.faults = faults;
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    const auto sent = Clock::now();
    h.engine.submit(Send{1, 0, bytesOf("abcdefgh"), "127.0.0.1:" + std::to_string(peer.localPort())});
    EXPECT_EQ(peer.receiveDatagram(5000), "abc");
    EXPECT_EQ(peer.receiveDatagram(5000), "def");
    EXPECT_EQ(peer.receiveDatagram(5000), "gh");
    EXPECT_GE(Clock::now() - sent, 2 * 20ms - 1ms);
    ASSERT_TRUE(waitForFaults(h, 1, [](const FaultCounters& f) { return f.split_pieces == 3; }));
}

/// Sends `count` lines and returns how many one-line replies came back (all of them arrive before
/// a final marker that the "marker" rule answers without faults).
std::size_t repliesTo(std::size_t count, double drop, std::optional<std::uint64_t> seed, FaultCounters& counters) {
    EngineHarness h;
    FaultConfig faults;
    faults.drop = drop;
    faults.seed = seed;
    ReplyRule marker = anyRule("marker", "END\\n");
    marker.match.body = MatchBody::Text;
    marker.match.text = "MARK";
    marker.faults = FaultConfig{};   // a rule's own (empty) faults replace the endpoint's
    const auto port = h.startServer(1, lineServer({marker, anyRule("answer", "R\\n")}, faults));
    SocketPeer peer;
    if (!peer.connectTcp(port)) return SIZE_MAX;
    std::string lines;
    for (std::size_t i = 0; i < count; ++i) lines += "q\n";
    if (!peer.sendAll(lines + "MARK\n")) return SIZE_MAX;
    std::string got;
    for (int i = 0; i < 1000 && got.find("END\n") == std::string::npos; ++i) {
        const std::string part = peer.receive(1, 5000);
        if (part.empty()) break;
        got += part;
    }
    EXPECT_NE(got.find("END\n"), std::string::npos);
    const auto stats = waitForFaults(h, 1, [&](const FaultCounters& f) {
        return f.dropped + (got.size() - 4) / 2 == count;
    });
    if (stats) counters = stats->faults;
    return (got.size() - 4) / 2;
}

TEST(Faults, DropWithProbabilityZeroOneAndSeededHalf) {
    FaultCounters counters;
    EXPECT_EQ(repliesTo(20, 0.0, std::nullopt, counters), 20u);
    EXPECT_EQ(counters.dropped, 0u);
    EXPECT_EQ(repliesTo(20, 1.0, std::nullopt, counters), 0u);
    EXPECT_EQ(counters.dropped, 20u);
    // Seeded: exactly the generator's decisions, the same on every run and platform.
    FaultRandom random(42);
    std::size_t expected_dropped = 0;
    for (int i = 0; i < 200; ++i) expected_dropped += random.unit() < 0.5 ? 1 : 0;
    EXPECT_EQ(repliesTo(200, 0.5, 42, counters), 200 - expected_dropped);
    EXPECT_EQ(counters.dropped, expected_dropped);
    EXPECT_GT(expected_dropped, 60u);
    EXPECT_LT(expected_dropped, 140u);
    EXPECT_EQ(repliesTo(200, 0.5, 42, counters), 200 - expected_dropped) << "the same seed repeats exactly";
}

TEST(Faults, UdpDuplicateWithProbabilityOneArrivesTwice) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.echo = true;
    FaultConfig faults;
    faults.duplicate = 1.0;
    config.faults = faults;
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    ASSERT_TRUE(peer.sendTo("twice", portOf(bound->local)));
    EXPECT_EQ(peer.receiveDatagram(5000), "twice");
    EXPECT_EQ(peer.receiveDatagram(5000), "twice");
    // A send of the user's leaves twice too.
    h.engine.submit(Send{1, 0, bytesOf("mine"), "127.0.0.1:" + std::to_string(peer.localPort())});
    EXPECT_EQ(peer.receiveDatagram(5000), "mine");
    EXPECT_EQ(peer.receiveDatagram(5000), "mine");
    ASSERT_TRUE(waitForFaults(h, 1, [](const FaultCounters& f) { return f.duplicated == 2; }));
    ASSERT_TRUE(h.sync(1));
    EXPECT_EQ(peer.receiveDatagram(100), "") << "not a third time";
}

TEST(Faults, StopReadingFillsTheReceiveQueueThenResumesByteExact) {
    EngineHarness h;
    EndpointConfig config;
    config.options.recv_buffer = 64 * 1024;   // a small window fills fast
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const ConnectionId conn = waitForConnection(h, 1);
    ASSERT_NE(conn, 0u);
    h.engine.submit(StopReading{1, conn, true});
    ASSERT_TRUE(h.waitFor<ReadingStatus>([&](const ReadingStatus& r) { return r.connection == conn && r.stopped; }));
    // The peer writes until its send would block (bounded in size and time).
    ASSERT_TRUE(setNonBlocking(peer.fd()));
    std::string written;
    const auto deadline = Clock::now() + 10s;
    bool blocked = false;
    for (int i = 0; i < 100000 && Clock::now() < deadline && written.size() < (64u << 20); ++i) {
        std::string chunk(4096, '\0');
        for (std::size_t k = 0; k < chunk.size(); ++k) chunk[k] = static_cast<char>((written.size() + k) * 31 % 251);
        const auto n = ::send(peer.fd(), chunk.data(), static_cast<int>(chunk.size()), test::kPeerNoSignal);
        if (n < 0 && sendWouldBlock()) {
            blocked = true;
            break;
        }
        ASSERT_GT(n, 0);
        written.append(chunk.data(), static_cast<std::size_t>(n));
    }
    ASSERT_TRUE(blocked) << "the peer's send never blocked after " << written.size() << " bytes";
    // Our receive queue holds what we did not read; nothing reached the engine.
    if (!test::underWine()) {   // Wine's TCP_INFO has no queues
        ASSERT_TRUE(h.waitFor<TcpStateChanged>([&](const TcpStateChanged& t) {
            return t.connection == conn && t.info.recv_queue > 16 * 1024;
        }));
    }
    ASSERT_TRUE(h.sync(1));
    EXPECT_TRUE(h.received(1, conn).empty()) << "not one byte read while stopped";
    // Resume: everything arrives, in order, byte-exact.
    h.engine.submit(StopReading{1, conn, false});
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1, conn).size() >= written.size(); }, 10s));
    const Bytes got = h.received(1, conn);
    ASSERT_EQ(got.size(), written.size());
    EXPECT_TRUE(std::equal(got.begin(), got.end(), written.begin(),
                           [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }));
    EXPECT_EQ(h.count<ReadingStatus>(), 2u);
}

// Tester item: a Close (FIN) of a connection whose received bytes were not read makes the kernel
// send RST; it was reported as a graceful close (and recorded as a FIN) while the peer got a reset.
// Review: a graceful stop of the endpoint does the same.
TEST(Faults, ClosingWithUnreadBytesIsReportedAsTheResetThePeerSees) {
    for (const bool by_stop : {false, true}) {
        SCOPED_TRACE(by_stop ? "stop" : "close");
        EngineHarness h;
        const auto port = h.startServer(1);
        SocketPeer peer;
        ASSERT_TRUE(peer.connectTcp(port));
        const ConnectionId conn = waitForConnection(h, 1);
        ASSERT_NE(conn, 0u);
        h.engine.submit(StopReading{1, conn, true});
        ASSERT_TRUE(h.waitFor<ReadingStatus>([&](const ReadingStatus& r) { return r.connection == conn && r.stopped; }));
        ASSERT_TRUE(peer.sendAll(std::string(5000, 'u')));
        if (!test::underWine()) {   // Wine's TCP_INFO has no queues
            ASSERT_TRUE(h.waitFor<TcpStateChanged>([&](const TcpStateChanged& t) {
                return t.connection == conn && t.info.recv_queue >= 5000;
            }));
        }
        if (by_stop) h.engine.submit(StopEndpoint{1, CloseMode::Graceful});
        else h.engine.submit(CloseConnection{1, conn, CloseMode::Graceful});
        const auto closed = h.waitFor<ConnectionClosed>([&](const ConnectionClosed& c) { return c.connection == conn; });
        ASSERT_TRUE(closed);
        EXPECT_EQ(closed->reason, CloseReason::LocalAbort) << "the peer gets RST, not FIN";
        ASSERT_TRUE(closed->error);
        EXPECT_NE(closed->error->message.find("5,000 bytes received had not been read"), std::string::npos) << closed->error->message;
        EXPECT_NE(closed->error->message_zh.find("5,000 字节尚未读取"), std::string::npos) << closed->error->message_zh;
        if (by_stop) {
            EXPECT_EQ(closed->error->message.rfind("the endpoint was stopped; ", 0), 0u) << closed->error->message;
        }
        // Wine's own abortive close reaches a Wine peer as a FIN (see TcpServer.AbortSendsReset).
        if (test::underWine()) EXPECT_NE(peer.waitForClose(5000), -1) << "the peer sees the close";
        else EXPECT_EQ(peer.waitForClose(5000), ECONNRESET);
    }
}

TEST(Faults, StopReadingOnUdpOrAMissingConnectionSaysWhy) {
    EngineHarness h;
    h.startServer(1);
    h.engine.submit(StopReading{1, 99, true});
    const auto error = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.endpoint == 1; });
    ASSERT_TRUE(error);
    EXPECT_NE(error->error.message.find("#99"), std::string::npos) << error->error.message;
}

}  // namespace
}  // namespace sockscope
