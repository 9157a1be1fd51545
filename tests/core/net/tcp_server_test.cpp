// Loopback integration tests of the tcp-server endpoint against real peers.
#include <gtest/gtest.h>
#include <set>
#include <thread>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "core/net/tcp_state.hpp"
#include "support/engine_harness.hpp"
#include "support/platform.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::bytesOf;
using test::EngineHarness;
using test::SocketPeer;
using namespace std::chrono_literals;

TEST(TcpServer, EchoesWhatAPeerSends) {
    EngineHarness h;
    EndpointConfig config;
    config.echo = true;
    const auto port = h.startServer(1, config);
    ASSERT_NE(port, 0);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("hello device\r\n"));
    EXPECT_EQ(peer.receive(14), "hello device\r\n");
    ASSERT_TRUE(h.waitFor<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Tx; }));
    EXPECT_EQ(h.received(1), bytesOf("hello device\r\n"));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->peer, "127.0.0.1:" + std::to_string(peer.localPort()));
    EXPECT_EQ(opened->local, "127.0.0.1:" + std::to_string(port));
}

TEST(TcpServer, ManyClientsSendToOneAndToAll) {
    EngineHarness h;
    const auto port = h.startServer(1);
    constexpr int kClients = 20;
    std::vector<SocketPeer> peers(kClients);
    for (auto& peer : peers) ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<ConnectionOpened>() == kClients; }));

    // Map each connection id to its peer by the peer's port.
    std::map<std::uint16_t, ConnectionId> by_port;
    for (const auto& e : h.events)
        if (const auto* o = std::get_if<ConnectionOpened>(&e))
            by_port[static_cast<std::uint16_t>(std::stoi(o->peer.substr(o->peer.rfind(':') + 1)))] = o->connection;
    const ConnectionId target = by_port.at(peers[7].localPort());

    h.engine.submit(Send{1, target, bytesOf("only you"), {}});
    EXPECT_EQ(peers[7].receive(8), "only you");
    EXPECT_EQ(peers[3].receive(1, 100), "") << "a send to one connection reaches only that one";

    h.engine.submit(Send{1, 0, bytesOf("everyone"), {}});
    for (auto& peer : peers) EXPECT_EQ(peer.receive(8), "everyone");
}

TEST(TcpServer, GracefulCloseSendsFinAfterQueuedData) {
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    const auto id = opened->connection;
    h.engine.submit(Send{1, id, Bytes(200000, 'x'), {}});
    h.engine.submit(CloseConnection{1, id, CloseMode::Graceful});
    EXPECT_EQ(peer.receive(200000, 5000).size(), 200000u) << "queued data is written before the FIN";
    EXPECT_EQ(peer.waitForClose(), 0) << "peer reads EOF (FIN), not a reset";
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalGraceful);
}

TEST(TcpServer, HalfCloseSendsFinButKeepsReading) {
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.engine.submit(CloseConnection{1, id, CloseMode::HalfClose});
    EXPECT_EQ(peer.waitForClose(), 0) << "the peer sees our FIN";
    ASSERT_TRUE(h.waitFor<TcpStateChanged>([&](const TcpStateChanged& s) {
        return s.connection == id && s.info.state == TcpState::FinWait2;
    }));
    ASSERT_TRUE(peer.sendAll("still talking"));
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1, id).size() == 13; }));
    EXPECT_EQ(h.received(1, id), bytesOf("still talking"));
    peer.shutdownSend();
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::PeerClosed);
}

TEST(TcpServer, AbortSendsReset) {
    if (test::underWine()) GTEST_SKIP() << "Wine: the peer reads an abortive close (SO_LINGER 0) as a FIN";
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.engine.submit(CloseConnection{1, id, CloseMode::Abort});
    EXPECT_EQ(peer.waitForClose(), ECONNRESET);
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalAbort);
}

TEST(TcpServer, PeerFinLeavesCloseWaitUntilTheUserCloses) {
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    ASSERT_TRUE(h.waitFor<TcpStateChanged>([&](const TcpStateChanged& s) {
        return s.connection == id && s.info.state == TcpState::Established;
    }));
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    ASSERT_TRUE(h.waitFor<TcpStateChanged>([&](const TcpStateChanged& s) {
        return s.connection == id && s.info.state == TcpState::CloseWait;
    })) << "the kernel reports CLOSE_WAIT";
    // It stays there: six refresh periods later it is still open.
    ASSERT_TRUE(h.settle(6 * EngineHarness::fastOptions().refresh_period, 1));
    EXPECT_EQ(h.count<ConnectionClosed>(), 0u);
    // In CLOSE_WAIT this side may still send.
    h.engine.submit(Send{1, id, bytesOf("bye"), {}});
    EXPECT_EQ(peer.receive(3), "bye");
    h.engine.submit(CloseConnection{1, id, CloseMode::Graceful});
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalGraceful);
    EXPECT_EQ(peer.waitForClose(), 0);
}

/// A peer that read the whole echo before sending its FIN must see it logged that way: every tx
/// event before the peer's FIN. Sizes beyond the socket's first send buffer need several write
/// steps, whose last completion the reactor may queue behind the FIN (it did at 25,607 bytes).
TEST(TcpServer, AnEchoThePeerReadBeforeItsFinIsLoggedBeforeTheFin) {
    for (const std::size_t size : {100u, 25'607u, 300'000u}) {
        SCOPED_TRACE(size);
        EngineHarness h;
        EndpointConfig config;
        config.echo = true;
        const auto port = h.startServer(1, config);
        ASSERT_NE(port, 0);
        SocketPeer peer;
        ASSERT_TRUE(peer.connectTcp(port));
        std::string payload(size, '\0');
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
        ASSERT_TRUE(peer.sendAll(payload));
        ASSERT_EQ(peer.receive(size), payload);
        peer.shutdownSend();
        ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
        std::size_t tx_before_fin = 0;
        for (const Event& e : h.events) {
            if (std::holds_alternative<PeerHalfClosed>(e)) break;
            if (const auto* d = std::get_if<DataEvent>(&e); d && d->direction == Direction::Tx)
                tx_before_fin += d->payload.size();
        }
        EXPECT_EQ(tx_before_fin, size);
    }
}

/// Request and answer in strict turns (the peer sends the next only after it read the answer):
/// the log — and every recording made from it — must show each answer before the next request,
/// for echo and for a rule's reply. The answer's write completes later than the kernel took its
/// bytes; the next read waits for that completion.
TEST(TcpServer, AnAnswerIsLoggedBeforeThePeersNextRequest) {
    for (const bool rule : {false, true}) {
        SCOPED_TRACE(rule ? "rule" : "echo");
        EngineHarness h;
        EndpointConfig config;
        if (rule) {
            ReplyRule reply;
            reply.name = "echo";
            reply.reply = PayloadSpec{};
            reply.reply->text = "{{echo}}";
            config.rules = {reply};
        } else {
            config.echo = true;
        }
        const auto port = h.startServer(1, config);
        ASSERT_NE(port, 0);
        SocketPeer peer;
        ASSERT_TRUE(peer.connectTcp(port));
        peer.setNoDelay();
        constexpr int kTurns = 300;
        for (int i = 0; i < kTurns; ++i) {
            char request[8];
            std::snprintf(request, sizeof request, "%04d", i);
            ASSERT_TRUE(peer.sendAll(request));
            ASSERT_EQ(peer.receive(4), request);
        }
        ASSERT_TRUE(h.pumpUntil([&] {
            return h.count<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Tx; }) == kTurns;
        }));
        int answered = -1, out_of_turn = 0;
        for (const Event& e : h.events) {
            const auto* d = std::get_if<DataEvent>(&e);
            if (!d || d->payload.size() != 4) continue;
            const int n = std::stoi(std::string(d->payload.view().begin(), d->payload.view().end()));
            if (d->direction == Direction::Tx) answered = std::max(answered, n);
            else if (n > answered + 1) ++out_of_turn;   // request n logged before answer n-1
        }
        EXPECT_EQ(out_of_turn, 0) << "of " << kTurns;
    }
}

/// A peer that resets while our sends still wait in the queue: the close says how many bytes
/// never left, beside the reset itself.
TEST(TcpServer, APeerResetWithOurBytesStillQueuedSaysHowManyWereNotSent) {
    EngineHarness h;
    EndpointConfig config;
    config.write_queue_limit = 64u << 20;
    const auto port = h.startServer(1, config);
    SocketPeer peer;   // never reads
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.engine.submit(Send{1, id, Bytes(32u << 20, 'q'), {}});   // more than the kernel holds for it
    ASSERT_TRUE(h.sync(1));
    peer.resetOnClose();
    peer.close();
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::PeerReset);
    ASSERT_TRUE(closed->error);
    EXPECT_NE(closed->error->message.find("(up to 33,554,432 bytes queued to it were not sent)"), std::string::npos) << closed->error->message;
}

/// Tester B7: Sockscope's own send queue of a connection (beyond the kernel's) is in its stats, and
/// a close that waits for it says so; once the peer reads, everything arrives, then the FIN.
TEST(TcpServer, OurOwnSendQueueAndACloseWaitingForItAreInTheConnectionsStats) {
    EngineHarness h;
    EndpointConfig config;
    config.write_queue_limit = 64u << 20;
    config.options.send_buffer = 64 << 10;   // the kernel holds little: most of the message stays ours
    const auto port = h.startServer(1, config);
    SocketPeer peer;   // reads only at the end
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    constexpr std::size_t kBytes = 24u << 20;   // more than the kernel holds for one connection
    h.engine.submit(Send{1, id, Bytes(kBytes, 'q'), {}});
    const auto queued = [&](bool closing) {
        return h.waitFor<StatsEvent>([&](const StatsEvent& s) {
            for (const auto& [connection, traffic] : s.connections)
                if (connection == id && traffic.queued_bytes > 0 && traffic.close_pending == closing)
                    // Counted down as the kernel takes bytes (the first sample may precede that).
                    // Windows completes an overlapped send only once all its bytes are buffered:
                    // the count moves in whole writes (1 MiB), not before the peer reads.
                    return s.totals.queued_bytes == traffic.queued_bytes &&
                           (closing || traffic.queued_bytes < kBytes || test::underWine());
            return false;
        });
    };
    ASSERT_TRUE(queued(false)) << "the queue, less what the kernel took";
    h.engine.submit(CloseConnection{1, id, CloseMode::Graceful});
    ASSERT_TRUE(queued(true)) << "the close waits for the queue, and says so";
    EXPECT_EQ(h.count<ConnectionClosed>(), 0u);

    std::string received;
    std::thread reader([&] { received = peer.receive(kBytes + 1, 30000); });   // the engine is drained meanwhile
    const auto closed = h.waitFor<ConnectionClosed>(std::chrono::seconds(30));
    reader.join();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalGraceful);
    EXPECT_FALSE(closed->error) << closed->error->message;
    EXPECT_EQ(received.size(), kBytes);
    EXPECT_TRUE(peer.eof()) << "the FIN followed the queue";
}

TEST(TcpServer, CloseOnPeerFinOptionClosesAutomatically) {
    EngineHarness h;
    EndpointConfig config;
    config.close_on_peer_fin = true;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    peer.shutdownSend();
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(peer.waitForClose(), 0);
}

TEST(TcpServer, PeerResetIsToldApartFromFin) {
    if (test::underWine()) GTEST_SKIP() << "Wine: its own abortive close (SO_LINGER 0) sends no RST to a Wine socket; a Linux peer's RST is seen (tests/conformance)";
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    peer.resetOnClose();
    peer.close();
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::PeerReset);
    ASSERT_TRUE(closed->error);
    EXPECT_EQ(closed->error->code, "ECONNRESET");
    EXPECT_EQ(h.count<PeerHalfClosed>(), 0u);
}

/// A client that connects and resets before the server accepts it still has an address: the one
/// accept() returned (remote_endpoint() fails on such a socket, and the log said "peer ''").
TEST(TcpServer, APeerThatResetsBeforeTheAcceptKeepsItsAddress) {
    if (test::underWine()) GTEST_SKIP() << "Wine: its own abortive close (SO_LINGER 0) sends no RST to a Wine socket";
    EngineHarness h;
    const auto port = h.startServer(1);
    constexpr std::size_t kPeers = 20;
    std::set<std::string> addresses;
    for (std::size_t i = 0; i < kPeers; ++i) {
        SocketPeer peer;
        ASSERT_TRUE(peer.connectTcp(port));
        addresses.insert("127.0.0.1:" + std::to_string(peer.localPort()));
        peer.resetOnClose();
        peer.close();
    }
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<ConnectionOpened>() == kPeers; }));
    for (const Event& e : h.events) {
        if (const auto* opened = std::get_if<ConnectionOpened>(&e)) {
            EXPECT_EQ(addresses.count(opened->peer), 1u) << "conn " << opened->connection << " peer '" << opened->peer << "'";
        }
    }
}

TEST(TcpServer, TimeWaitIsCountedOnThePortAfterTheAppClosedFirst) {
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.engine.submit(CloseConnection{1, id, CloseMode::Graceful});
    EXPECT_EQ(peer.waitForClose(), 0);
    peer.close();   // the peer answers with its FIN: our side goes FIN_WAIT_2 -> TIME_WAIT
    const auto table = h.waitFor<PortTableChanged>(
        [&](const PortTableChanged& t) { return t.port == port && t.counts.count(TcpState::TimeWait) >= 1; });
    ASSERT_TRUE(table) << "TIME_WAIT socket the app no longer holds shows in the port table";
    EXPECT_GE(table->counts.count(TcpState::Listen), 1u);
}

TEST(TcpServer, AddressInUseIsExplainedInPlainWords) {
    EngineHarness h;
    const auto port = h.startServer(1);
    EndpointConfig second;
    second.type = EndpointType::TcpServer;
    second.name = "second";
    second.bind = "127.0.0.1:" + std::to_string(port);
    h.engine.submit(AddEndpoint{2, second});
    const auto failed = h.waitForState(2, EndpointState::Failed);
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    EXPECT_NE(failed->error->message.find(std::to_string(port)), std::string::npos) << failed->error->message;
    if (test::underWine() && failed->error->code == "EACCES") {   // Wine refuses a second listener so
        EXPECT_NE(failed->error->message.find("SO_EXCLUSIVEADDRUSE"), std::string::npos) << failed->error->message;
        return;
    }
    EXPECT_EQ(failed->error->code, "EADDRINUSE");
    EXPECT_NE(failed->error->message.find("listening"), std::string::npos) << failed->error->message;
}

// Windows' SO_REUSEADDR would let another program bind a port we listen on (docs/windows.md):
// our listener takes it exclusively there, so on every platform the other bind fails.
TEST(TcpServer, AnotherSocketWithReuseAddressCannotBindOurListeningPort) {
    EngineHarness h;
    const auto port = h.startServer(1);
    asio::io_context io;
    asio::ip::tcp::acceptor other(io);
    std::error_code ec;
    other.open(asio::ip::tcp::v4(), ec);
    ASSERT_FALSE(ec) << ec.message();
    other.set_option(asio::socket_base::reuse_address(true), ec);
    ASSERT_FALSE(ec) << ec.message();
    other.bind({asio::ip::make_address("127.0.0.1"), port}, ec);
    EXPECT_TRUE(ec) << "a second socket bound port " << port << " while our server listens on it";
}

TEST(TcpServer, RestartOverTimeWaitNeedsReuseAddressOnBothListeners) {
#if defined(_WIN32)
    GTEST_SKIP() << "Windows lets a listener bind over TIME_WAIT without SO_REUSEADDR (docs/windows.md)";
#endif
    for (const bool reuse : {false, true}) {
        SCOPED_TRACE(reuse ? "with SO_REUSEADDR" : "without SO_REUSEADDR");
        EngineHarness h;
        EndpointConfig config;
        config.options.reuse_address = reuse;
        const auto port = h.startServer(1, config);
        SocketPeer peer;
        ASSERT_TRUE(peer.connectTcp(port));
        const auto id = h.waitFor<ConnectionOpened>()->connection;
        h.engine.submit(CloseConnection{1, id, CloseMode::Graceful});   // the app closes first...
        EXPECT_EQ(peer.waitForClose(), 0);
        peer.close();                                                     // ...so its side ends in TIME_WAIT
        ASSERT_TRUE(h.waitFor<PortTableChanged>(
            [&](const PortTableChanged& t) { return t.counts.count(TcpState::TimeWait) >= 1; }));
        h.engine.submit(StopEndpoint{1});
        ASSERT_TRUE(h.waitForState(1, EndpointState::Stopped));

        // Restart on the same port (the first run asked for port 0).
        config.type = EndpointType::TcpServer;
        config.name = "server";
        config.bind = "127.0.0.1:" + std::to_string(port);
        h.mark();
        h.engine.submit(UpdateEndpoint{1, config});
        h.engine.submit(StartEndpoint{1});
        if (reuse) {
            ASSERT_TRUE(h.waitForState(1, EndpointState::Listening));
            continue;
        }
        const auto failed = h.waitForState(1, EndpointState::Failed);
        ASSERT_TRUE(failed);
        ASSERT_TRUE(failed->error);
        EXPECT_EQ(failed->error->code, "EADDRINUSE");
        EXPECT_NE(failed->error->message.find("TIME_WAIT"), std::string::npos) << failed->error->message;
        EXPECT_NE(failed->error->message.find("SO_REUSEADDR"), std::string::npos) << failed->error->message;
    }
}

TEST(TcpServer, MaxConnectionsRejectsFurtherClients) {
    EngineHarness h;
    EndpointConfig config;
    config.max_connections = 2;
    const auto port = h.startServer(1, config);
    SocketPeer a, b, c;
    ASSERT_TRUE(a.connectTcp(port));
    ASSERT_TRUE(b.connectTcp(port));
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<ConnectionOpened>() == 2; }));
    ASSERT_TRUE(c.connectTcp(port));
    EXPECT_GE(c.waitForClose(), 0) << "the third client is closed at once";
    ASSERT_TRUE(h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "EMAXCONN"; }));
}

TEST(TcpServer, DualStackServerAcceptsIpv4AndIpv6) {
    EngineHarness h;
    EndpointConfig config;
    config.bind = "[::]:0";
    const auto port = h.startServer(1, config);
    ASSERT_NE(port, 0);
    SocketPeer v4, v6;
    ASSERT_TRUE(v4.connectTcp(port));
    if (!v6.connectTcp(port, true)) GTEST_SKIP() << "IPv6 loopback is not available here";
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<ConnectionOpened>() == 2; }));
    std::vector<std::string> peers;
    for (const auto& e : h.events)
        if (const auto* o = std::get_if<ConnectionOpened>(&e)) peers.push_back(o->peer);
    EXPECT_EQ(peers[0].rfind("127.0.0.1:", 0), 0u) << peers[0] << " (v4-mapped shows as IPv4)";
    EXPECT_EQ(peers[1].rfind("[::1]:", 0), 0u) << peers[1];
}

TEST(TcpServer, StatsCountBytesAndMessages) {
    EngineHarness h;
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("12345"));
    const auto stats = h.waitFor<StatsEvent>([](const StatsEvent& s) { return s.totals.rx_bytes == 5; });
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->open_connections, 1u);
    ASSERT_EQ(stats->connections.size(), 1u);
    EXPECT_EQ(stats->connections[0].second.rx_bytes, 5u);
}

TEST(TcpServer, SendToAGoneConnectionIsAnErrorNotACrash) {
    EngineHarness h;
    h.startServer(1);
    h.engine.submit(Send{1, 999, bytesOf("x"), {}});
    const auto error = h.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "ENOTCONN");
    h.engine.submit(Send{42, 0, bytesOf("x"), {}});
    ASSERT_TRUE(h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.endpoint == 42; }));
}

}  // namespace
}  // namespace sockscope

namespace sockscope {
namespace {

TEST(TcpServerIdle, AnIdleEndpointSendsNoPeriodicEvents) {
    test::EngineHarness h;
    const auto port = h.startServer(1);
    test::SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("once"));
    ASSERT_TRUE(h.waitFor<StatsEvent>([](const StatsEvent& s) { return s.totals.rx_bytes == 4; }));
#if defined(_WIN32)
    // Without SIO_TCP_INFO (Wine) the state is known from the probe's first table read: a change.
    ASSERT_TRUE(h.waitFor<TcpStateChanged>(
        [](const TcpStateChanged& c) { return c.info.state == TcpState::Established; }));
#endif
    // The rates fall to zero (the unforced refreshes report that once); after that nothing
    // changes and the front end is not woken.
    ASSERT_TRUE(h.waitFor<StatsEvent>([](const StatsEvent& s) {
        return s.totals.rx_bytes == 4 && s.totals.rx_bytes_per_s == 0 && s.totals.tx_bytes_per_s == 0;
    }));
    ASSERT_TRUE(h.settle(std::chrono::milliseconds(150), 1));   // a refresh may already be under way
    const std::size_t before = h.events.size();
    ASSERT_TRUE(h.settle(std::chrono::milliseconds(500), 1));   // ten refresh periods, then a forced one
    ASSERT_EQ(h.events.size(), before + 1) << "no events while nothing changes";
    EXPECT_TRUE(std::holds_alternative<StatsEvent>(h.events.back())) << "only the forced refresh answered";
}

}  // namespace
}  // namespace sockscope
