// Auto-reply rules over real loopback sockets: TCP server and client connections, UDP (replies go
// to the datagram's sender), delays, FIN/RST after a reply, hit counts, and the storm guard
// stopping two answering endpoints pointed at each other with the engine alive.
#include <gtest/gtest.h>

#include <thread>

#include "support/engine_harness.hpp"
#include "support/platform.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::bytesOf;
using test::EngineHarness;
using test::SocketPeer;
using namespace std::chrono_literals;

ReplyRule rule(std::string name, MatchSpec match, std::optional<std::string> reply_text) {
    ReplyRule r;
    r.name = std::move(name);
    r.match = std::move(match);
    if (reply_text) {
        PayloadSpec p;
        p.text = *reply_text;
        r.reply = p;
    }
    return r;
}

MatchSpec text(std::string t, MatchMode mode = MatchMode::Exact) {
    MatchSpec m;
    m.body = MatchBody::Text;
    m.text = std::move(t);
    m.mode = mode;
    return m;
}

MatchSpec any() { return MatchSpec{}; }

EndpointConfig lineServer(std::vector<ReplyRule> rules) {
    EndpointConfig config;
    config.framing.type = FramingType::Delimiter;
    config.framing.delimiter = bytesOf("\n");
    config.rules = std::move(rules);
    return config;
}

std::uint16_t portOf(const std::string& address) {
    return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

TEST(RulesEngine, TcpServerAnswersEachFramedMessage) {
    EngineHarness h;
    const auto port = h.startServer(1, lineServer({rule("ping", text("PING", MatchMode::Prefix), "PONG {{counter}}\\r\\n"),
                                                   rule("set", [] {
                                                       MatchSpec m = text("^SET (\\w+)=(\\d+)$", MatchMode::Regex);
                                                       return m;
                                                   }(), "{{1}} := {{2}}\\n")}));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("PING\nPING 2\nnothing\nSET speed=42\n"));   // one read, four frames
    EXPECT_EQ(peer.receive(28), "PONG 1\r\nPONG 2\r\nspeed := 42\n");
    // Hit counts reach the front end (coalesced with the refresh).
    const auto status = h.waitFor<RuleStatus>([](const RuleStatus& s) {
        return s.rules.size() == 2 && s.rules[0].hits == 2 && s.rules[1].hits == 1;
    });
    ASSERT_TRUE(status);
    EXPECT_FALSE(status->rules[0].paused);
    // A second connection has its own counter.
    SocketPeer second;
    ASSERT_TRUE(second.connectTcp(port));
    ASSERT_TRUE(second.sendAll("PING\n"));
    EXPECT_EQ(second.receive(8), "PONG 1\r\n");
}

TEST(RulesEngine, DelayedReplyComesAfterTheDelay) {
    EngineHarness h;
    ReplyRule slow = rule("slow", any(), "late");
    slow.delay_ms = 200;
    const auto port = h.startServer(1, lineServer({slow}));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(peer.sendAll("x\n"));
    EXPECT_EQ(peer.receive(4, 5000), "late");
    EXPECT_GE(std::chrono::steady_clock::now() - sent, 190ms);
}

TEST(RulesEngine, CloseAfterReplyWithFinOrRst) {
    EngineHarness h;
    ReplyRule bye = rule("bye", text("QUIT"), "BYE\\n");
    bye.close = RuleClose::Fin;
    ReplyRule kill = rule("kill", text("KILL"), std::nullopt);
    kill.close = RuleClose::Rst;
    const auto port = h.startServer(1, lineServer({bye, kill}));
    SocketPeer fin;
    ASSERT_TRUE(fin.connectTcp(port));
    ASSERT_TRUE(fin.sendAll("QUIT\nQUIT\n"));   // the second is never answered: closing after the first
    EXPECT_EQ(fin.receive(100, 3000), "BYE\n");
    EXPECT_TRUE(fin.eof());
    SocketPeer rst;
    ASSERT_TRUE(rst.connectTcp(port));
    ASSERT_TRUE(rst.sendAll("KILL\n"));
    const int closed = rst.waitForClose(3000);
    // Wine reads an abortive close as a FIN (TcpServer.AbortSendsReset skips there too).
    if (!test::underWine()) {
        EXPECT_NE(closed, 0) << "RST, not FIN";
    }
    EXPECT_NE(closed, -1) << "closed in time";
    ASSERT_TRUE(h.waitFor<ConnectionClosed>([](const ConnectionClosed& c) { return c.reason == CloseReason::LocalAbort; }));
}

/// "Reply, then RST": the reply leaves, is logged as sent, and only then comes the reset (an
/// abort at once discarded the queued reply and said "not sent" though the kernel had taken it).
TEST(RulesEngine, AReplyThenRstSendsAndLogsTheReplyBeforeTheReset) {
    EngineHarness h;
    ReplyRule kill = rule("kill", text("KILL"), "{{random:60000}}");
    kill.close = RuleClose::Rst;
    const auto port = h.startServer(1, lineServer({kill}));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("KILL\n"));
    EXPECT_EQ(peer.receive(60'000, 5000).size(), 60'000u) << "the whole reply arrives";
    const int closed = peer.waitForClose(5000);
    if (!test::underWine()) {
        EXPECT_NE(closed, 0) << "then a RST, not a FIN";
    }
    const auto close = h.waitFor<ConnectionClosed>([](const ConnectionClosed&) { return true; });
    ASSERT_TRUE(close);
    EXPECT_EQ(close->reason, CloseReason::LocalAbort);
    EXPECT_FALSE(close->error) << close->error->message;
    std::size_t sent = 0;
    for (const auto& e : h.events)
        if (const auto* d = std::get_if<DataEvent>(&e); d && d->direction == Direction::Tx) sent += d->payload.size();
    EXPECT_EQ(sent, 60'000u) << "the reply is logged as sent";
}

/// A peer that does not read cannot hold a rule's reset back: it comes within about 2 s, and the
/// bytes it discarded are said.
TEST(RulesEngine, AReplyThenRstToAPeerThatDoesNotReadResetsWithinTwoSeconds) {
    EngineHarness h;
    ReplyRule kill = rule("kill", text("KILL"), std::string(15'000'000, 'r'));   // more than the socket buffers hold
    kill.close = RuleClose::Rst;
    const auto port = h.startServer(1, lineServer({kill}));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));   // never read
    ASSERT_TRUE(peer.sendAll("KILL\n"));
    const auto asked = std::chrono::steady_clock::now();
    const auto close = h.waitFor<ConnectionClosed>([](const ConnectionClosed&) { return true; }, 10'000ms);
    ASSERT_TRUE(close);
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
    EXPECT_EQ(close->reason, CloseReason::LocalAbort);
    ASSERT_TRUE(close->error) << "what was not sent is said";
    EXPECT_NE(close->error->message.find("not sent"), std::string::npos) << close->error->message;
}

/// A peer flooding small requests: the rule answers every one, as a device would, by reading
/// no faster than its answers leave (back-pressure), instead of dropping replies; and the send
/// queue's bound counts each queued reply's bookkeeping, not just its 4 bytes.
TEST(RulesEngine, AFloodOfRequestsIsAnsweredInFullWithinTheQueueBound) {
    EngineHarness h;
    EndpointConfig config = lineServer({rule("ack", any(), "ACK\\n")});
    config.write_queue_limit = 64 * 1024;
    config.storm_limit = 0;   // a flood on purpose
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    constexpr std::size_t kRequests = 200'000;
    std::string requests;
    for (std::size_t i = 0; i < kRequests; ++i) requests += "R\n";
    std::thread sender([&] { EXPECT_TRUE(peer.sendAll(requests)); });
    std::string replies;   // read while the harness drains the engine's events (a front end)
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (replies.size() < kRequests * 4 && std::chrono::steady_clock::now() < deadline) {
        replies += peer.receive(kRequests * 4 - replies.size(), 20);
        h.pump();
    }
    sender.join();
    EXPECT_EQ(replies.size(), kRequests * 4) << "every request answered";
    EXPECT_EQ(replies.find_first_not_of("ACK\n"), std::string::npos);
    h.pump();
    for (const auto& e : h.events)
        if (const auto* error = std::get_if<ErrorEvent>(&e)) ADD_FAILURE() << error->error.message;
}

/// A write_queue_limit smaller than a reply's bookkeeping (128 bytes) still answers: reading
/// never waits on a queue that is empty.
TEST(RulesEngine, ATinySendQueueStillAnswers) {
    EngineHarness h;
    EndpointConfig config = lineServer({rule("ack", any(), "ACK\\n")});
    config.write_queue_limit = 64;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("a\nb\n"));
    EXPECT_EQ(peer.receive(8, 5000), "ACK\nACK\n");
}

TEST(RulesEngine, TimesOncePerConnection) {
    EngineHarness h;
    ReplyRule hello = rule("hello", any(), "hi\\n");
    hello.times = 1;
    ReplyRule rest = rule("rest", any(), "again\\n");
    const auto port = h.startServer(1, lineServer({hello, rest}));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("a\nb\nc\n"));
    EXPECT_EQ(peer.receive(15), "hi\nagain\nagain\n");
}

TEST(RulesEngine, UdpRepliesToTheSender) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.rules = {rule("ask", text("ASK", MatchMode::Prefix), "ANSWER to {{echo}}")};
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer a, b;
    ASSERT_TRUE(a.bindUdp());
    ASSERT_TRUE(b.bindUdp());
    ASSERT_TRUE(a.sendTo("ASK 1", portOf(bound->local)));
    ASSERT_TRUE(b.sendTo("ASK 2", portOf(bound->local)));
    EXPECT_EQ(a.receiveDatagram(), "ANSWER to ASK 1");
    EXPECT_EQ(b.receiveDatagram(), "ANSWER to ASK 2");
}

TEST(RulesEngine, TcpClientConnectionsAnswerToo) {
    EngineHarness h;
    test::Listener listener;
    EndpointConfig client;
    client.name = "client";
    client.type = EndpointType::TcpClient;
    client.remote = "127.0.0.1:" + std::to_string(listener.port);
    client.rules = {rule("hello", text("HELLO"), "HI")};
    h.engine.submit(AddEndpoint{1, client});
    SocketPeer server_side = listener.accept();
    ASSERT_TRUE(server_side.sendAll("HELLO"));
    EXPECT_EQ(server_side.receive(2), "HI");
}

/// Two endpoints that answer everything, pointed at each other: without the guard they would
/// ping-pong for ever. The guard pauses a rule, says so, and the engine keeps working.
void expectStormStopped(EngineHarness& h, EndpointId a, EndpointId b) {
    const auto paused = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "ESTORM"; }, 10s);
    ASSERT_TRUE(paused);
    EXPECT_NE(paused->error.message.find("paused by the storm guard"), std::string::npos) << paused->error.message;
    const auto status = h.waitFor<RuleStatus>([](const RuleStatus& s) { return !s.rules.empty() && s.rules[0].paused; });
    ASSERT_TRUE(status);
    // The loop stopped: the traffic of both endpoints stands still over a while.
    auto rxOf = [&](EndpointId id) {
        std::uint64_t total = 0;
        for (const auto& e : h.events)
            if (const auto* s = std::get_if<StatsEvent>(&e); s && s->endpoint == id) total = s->totals.rx_messages;
        return total;
    };
    ASSERT_TRUE(h.settle(300ms, a));
    ASSERT_TRUE(h.sync(b));
    const auto before_a = rxOf(a), before_b = rxOf(b);
    ASSERT_TRUE(h.settle(500ms, a));
    ASSERT_TRUE(h.sync(b));
    EXPECT_EQ(rxOf(a), before_a);
    EXPECT_EQ(rxOf(b), before_b);
    // Alive: the engine still answers, and a resumed rule answers again.
    h.engine.submit(ResumeRules{status->endpoint, ""});
    ASSERT_TRUE(h.waitFor<RuleStatus>([&](const RuleStatus& s) {
        return s.endpoint == status->endpoint && !s.rules.empty() && !s.rules[0].paused;
    }));
}

TEST(RulesEngine, StormGuardStopsTwoUdpEchoRulesPointedAtEachOther) {
    EngineHarness h;
    EndpointConfig config;
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.storm_limit = 200;
    config.rules = {rule("echo", any(), "{{echo}}")};
    config.name = "a";
    h.engine.submit(AddEndpoint{1, config});
    const auto a = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(a);
    config.name = "b";
    h.engine.submit(AddEndpoint{2, config});
    ASSERT_TRUE(h.waitForState(2, EndpointState::Bound));
    h.engine.submit(Send{2, 0, bytesOf("ping"), a->local});   // b -> a starts the loop
    expectStormStopped(h, 1, 2);
}

TEST(RulesEngine, StormGuardStopsATcpServerAndClientAnsweringEachOther) {
    EngineHarness h;
    EndpointConfig server;
    server.storm_limit = 200;
    server.rules = {rule("echo", any(), "{{echo}}")};
    const auto port = h.startServer(1, server);
    EndpointConfig client = server;
    client.name = "client";
    client.type = EndpointType::TcpClient;
    client.remote = "127.0.0.1:" + std::to_string(port);
    PayloadSpec hello;
    hello.text = "hello";
    client.on_connect = hello;   // starts the loop
    h.engine.submit(AddEndpoint{2, client});
    expectStormStopped(h, 1, 2);
}

TEST(RulesEngine, StormGuardCountsPerConnectionSoManyPollersAreNoStorm) {
    // 4 clients x 15 request/answer pairs, back to back: 60 firings of one rule within well under
    // a second, over a limit of 20. Each connection stays under it: no loop, nothing paused.
    EngineHarness h;
    EndpointConfig config = lineServer({rule("ping", text("PING"), "PONG\\n")});
    config.storm_limit = 20;
    const auto port = h.startServer(1, config);
    std::vector<SocketPeer> clients(4);
    for (auto& c : clients) ASSERT_TRUE(c.connectTcp(port));
    for (int round = 0; round < 15; ++round)
        for (auto& c : clients) {
            ASSERT_TRUE(c.sendAll("PING\n"));
            ASSERT_EQ(c.receive(5), "PONG\n") << "round " << round << ": the rule stopped answering";
        }
    ASSERT_TRUE(h.sync(1));
    for (const auto& e : h.events) {
        if (const auto* error = std::get_if<ErrorEvent>(&e)) {
            EXPECT_NE(error->error.code, "ESTORM") << error->error.message;
        }
    }
}

TEST(RulesEngine, EchoAndRulesTogether) {
    EngineHarness h;
    EndpointConfig config = lineServer({rule("ok", text("X"), "OK\\n")});
    config.echo = true;   // echo first (raw bytes), then the rules (framed messages)
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("X\n"));
    EXPECT_EQ(peer.receive(5), "X\nOK\n");
}

}  // namespace
}  // namespace sockscope
