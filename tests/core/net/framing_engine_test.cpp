// Receive framing in the engine: frames (not reads) reach the event queue, per connection, with
// framing errors as events in plain words. Real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::bytesOf;
using test::EngineHarness;
using test::SocketPeer;
using namespace std::chrono_literals;

/// Every received message (frame) of an endpoint so far, in order.
std::vector<std::string> messages(const EngineHarness& h, EndpointId id) {
    std::vector<std::string> out;
    for (const auto& e : h.events)
        if (const auto* d = std::get_if<DataEvent>(&e); d && d->endpoint == id && d->direction == Direction::Rx)
            forEachMessage(*d, [&](std::span<const std::uint8_t> m) { out.emplace_back(m.begin(), m.end()); });
    return out;
}

bool waitMessages(EngineHarness& h, EndpointId id, std::size_t count) {
    return h.pumpUntil([&] { return messages(h, id).size() >= count; }, 10s);
}

std::string modbusRequest(std::uint8_t transaction, std::uint8_t registers) {
    return std::string{'\0', static_cast<char>(transaction), '\0', '\0', '\0', '\x06', '\x01', '\x03',
                       '\0', '\0', '\0', static_cast<char>(registers)};
}

EndpointConfig framed(FramingConfig framing) {
    EndpointConfig config;
    config.framing = framing;
    return config;
}

FramingConfig modbusTcp() {
    FramingConfig f;
    f.type = FramingType::Length;
    f.offset = 4;
    f.size = 2;
    f.adjust = 6;
    f.max = 260;
    return f;
}

TEST(FramingEngine, LengthFramesSplitAndGluedAcrossWrites) {
    EngineHarness h;
    const auto port = h.startServer(1, framed(modbusTcp()));
    ASSERT_NE(port, 0);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const std::string a = modbusRequest(1, 1), b = modbusRequest(2, 2), c = modbusRequest(3, 3);
    // a in three pieces, then b and the start of c glued, then the rest of c.
    ASSERT_TRUE(peer.sendAll(a.substr(0, 3)));
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<StatsEvent>([](const StatsEvent& s) { return s.totals.rx_bytes >= 3; }) > 0; }));
    EXPECT_TRUE(messages(h, 1).empty()) << "no frame before it is complete";
    ASSERT_TRUE(peer.sendAll(a.substr(3, 5)));
    ASSERT_TRUE(peer.sendAll(a.substr(8) + b + c.substr(0, 7)));
    ASSERT_TRUE(peer.sendAll(c.substr(7)));
    ASSERT_TRUE(waitMessages(h, 1, 3));
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{a, b, c}));
    // Statistics count raw bytes of the reads.
    ASSERT_TRUE(h.pumpUntil([&] {
        return h.count<StatsEvent>([](const StatsEvent& s) { return s.totals.rx_bytes == 36; }) > 0;
    }));
}

TEST(FramingEngine, ManyFramesOfOneReadTravelInOneEvent) {
    EngineHarness h;
    FramingConfig f;
    f.type = FramingType::Delimiter;
    f.delimiter = bytesOf("\r\n");
    const auto port = h.startServer(1, framed(f));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    std::string burst;
    for (int i = 0; i < 500; ++i) burst += "line " + std::to_string(i) + "\r\n";
    ASSERT_TRUE(peer.sendAll(burst));
    ASSERT_TRUE(waitMessages(h, 1, 500));
    const auto got = messages(h, 1);
    ASSERT_EQ(got.size(), 500u);
    for (int i = 0; i < 500; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], "line " + std::to_string(i));
    EXPECT_LT(h.count<DataEvent>(), 500u) << "frames of one read share an event";
}

TEST(FramingEngine, OverMaxWithResyncReportsAndGoesOn) {
    EngineHarness h;
    FramingConfig f;
    f.type = FramingType::Delimiter;
    f.delimiter = bytesOf("\n");
    f.max = 16;
    const auto port = h.startServer(1, framed(f));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("ok\n" + std::string(100, 'x') + "\nafter\n"));
    ASSERT_TRUE(waitMessages(h, 1, 2));
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{"ok", "after"}));
    const auto error = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "FRAME_TOO_LONG"; });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->context, ErrorContext::Framing);
    EXPECT_NE(error->connection, 0u);
    EXPECT_NE(error->error.message.find("no delimiter (0A) within max 16 bytes"), std::string::npos);
    const auto resync = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "FRAMING_RESYNC"; });
    ASSERT_TRUE(resync);
    EXPECT_NE(resync->error.message.find("101 bytes were dropped"), std::string::npos) << resync->error.message;
    EXPECT_EQ(h.count<ConnectionClosed>(), 0u);
}

// Tester item: the counts of a connection's repeated framing errors came at the window's end,
// after its `closed` event (a reader that stops at `closed` never saw them); they now come first.
TEST(FramingEngine, RepeatedFramingErrorsAreCountedBeforeTheConnectionSaysItClosed) {
    EngineHarness h;
    FramingConfig f;
    f.type = FramingType::Delimiter;
    f.delimiter = bytesOf("\n");
    f.max = 4;
    const auto port = h.startServer(1, framed(f));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("abcdefgh\nok\n"));
    ASSERT_TRUE(waitMessages(h, 1, 1));
    ASSERT_TRUE(peer.sendAll("abcdefgh\nok\n"));   // a second episode, within the 5 s window
    ASSERT_TRUE(waitMessages(h, 1, 2));
    peer.resetOnClose();   // a FIN would leave the connection half-open
    peer.close();
    ASSERT_TRUE(h.waitFor<ConnectionClosed>());
    std::size_t counted = 0, closed = 0;
    for (std::size_t i = 0; i < h.events.size(); ++i) {
        if (const auto* e = std::get_if<ErrorEvent>(&h.events[i]);
            e && e->error.code == "FRAME_TOO_LONG" && e->error.message.find("(repeated 1 time in") != std::string::npos)
            counted = i;
        if (std::holds_alternative<ConnectionClosed>(h.events[i])) closed = i;
    }
    ASSERT_NE(counted, 0u) << "the second episode is counted";
    EXPECT_LT(counted, closed);
}

TEST(FramingEngine, OverMaxWithCloseClosesTheConnection) {
    EngineHarness h;
    FramingConfig f = modbusTcp();
    f.on_error = FramingOnError::Close;
    const auto port = h.startServer(1, framed(f));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const std::string good = modbusRequest(1, 1);
    ASSERT_TRUE(peer.sendAll(good + std::string("\0\x02\0\0\x7f\xff\x01\x03", 8)));   // 32767 + 6 > 260
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    ASSERT_TRUE(closed->error);
    EXPECT_EQ(closed->error->code, "BAD_FRAME_LENGTH");
    EXPECT_NE(closed->error->message.find("closing the connection (on_error: close)"), std::string::npos);
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{good}));
    EXPECT_EQ(peer.receive(1, 2000), "");
    EXPECT_TRUE(peer.eof()) << "the peer sees our FIN";
}

TEST(FramingEngine, IdleGapEndsAMessageOnTheIoThread) {
    EngineHarness h;
    FramingConfig f;
    f.type = FramingType::Idle;
    f.gap_ms = 1000;   // long: the two writes below are well within it even on a loaded machine
    const auto port = h.startServer(1, framed(f));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(peer.sendAll("ab"));
    ASSERT_TRUE(peer.sendAll("cd"));   // well within the gap: the same message
    ASSERT_TRUE(waitMessages(h, 1, 1));
    EXPECT_GE(std::chrono::steady_clock::now() - sent, 1000ms) << "the message ends only after the gap";
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{"abcd"}));
    ASSERT_TRUE(peer.sendAll("ef"));
    ASSERT_TRUE(waitMessages(h, 1, 2));
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{"abcd", "ef"}));
}

TEST(FramingEngine, PeerFinFlushesAnIncompleteFrameFirst) {
    EngineHarness h;
    FramingConfig f;
    f.type = FramingType::Fixed;
    f.length = 4;
    const auto port = h.startServer(1, framed(f));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("1234567"));
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{"1234", "567"}));
    const auto incomplete = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "FRAME_INCOMPLETE"; });
    ASSERT_TRUE(incomplete);
    EXPECT_NE(incomplete->error.message.find("3 bytes into a frame of 4"), std::string::npos);
}

TEST(FramingEngine, EchoStillReturnsTheRawBytes) {
    EngineHarness h;
    FramingConfig f;
    f.type = FramingType::Delimiter;
    f.delimiter = bytesOf(";");
    EndpointConfig config = framed(f);
    config.echo = true;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("a;bc;part"));
    EXPECT_EQ(peer.receive(9), "a;bc;part");
    ASSERT_TRUE(waitMessages(h, 1, 2));
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{"a", "bc"}));
}

TEST(FramingEngine, TcpClientFramesToo) {
    EngineHarness h;
    const auto port = h.startServer(1);   // raw: sends what it is told, as it is told
    EndpointConfig client;
    client.name = "client";
    client.type = EndpointType::TcpClient;
    client.remote = "127.0.0.1:" + std::to_string(port);
    client.framing.type = FramingType::Length;
    client.framing.offset = 0;
    client.framing.size = 1;
    client.framing.adjust = 1;   // one length byte, then that many bytes
    h.engine.submit(AddEndpoint{2, client});
    const auto accepted = h.waitFor<ConnectionOpened>([](const ConnectionOpened& o) { return o.endpoint == 1; });
    ASSERT_TRUE(accepted);
    h.engine.submit(Send{1, accepted->connection, Bytes{3, 'a'}, {}});
    h.engine.submit(Send{1, accepted->connection, Bytes{'b', 'c', 1, 'z', 0}, {}});
    ASSERT_TRUE(waitMessages(h, 2, 3));
    EXPECT_EQ(messages(h, 2), (std::vector<std::string>{"\x03" "abc", "\x01z", std::string(1, '\0')}));
}

TEST(FramingEngine, UdpFramesWithinEachDatagram) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.framing.type = FramingType::Delimiter;
    config.framing.delimiter = bytesOf(";");
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    const auto port = static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)));
    ASSERT_TRUE(peer.sendTo("a;b;tail", port));
    ASSERT_TRUE(peer.sendTo("next;", port));   // no state carries over from "tail"
    ASSERT_TRUE(waitMessages(h, 1, 4));
    EXPECT_EQ(messages(h, 1), (std::vector<std::string>{"a", "b", "tail", "next"}));
    EXPECT_EQ(h.count<ErrorEvent>(), 0u) << "the end of a datagram ends its last message";
    const auto rx = h.waitFor<DataEvent>();
    ASSERT_TRUE(rx);
    EXPECT_EQ(rx->peer, "127.0.0.1:" + std::to_string(peer.localPort()));
}

// UDP has no connection: with on_error "close" the error says the rest of the datagram is
// dropped (it said "closing the connection").
TEST(FramingEngine, AUdpFramingErrorSpeaksOfTheDatagramNotAConnection) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.framing.type = FramingType::Delimiter;
    config.framing.delimiter = bytesOf(";");
    config.framing.max = 4;
    config.framing.on_error = FramingOnError::Close;
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    const auto port = static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)));
    ASSERT_TRUE(peer.sendTo("toolongforit;", port));
    const auto error = h.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "FRAME_TOO_LONG");
    EXPECT_EQ(error->error.message.find("connection"), std::string::npos) << error->error.message;
    EXPECT_NE(error->error.message.find("the rest of this datagram is dropped (on_error: close)"), std::string::npos)
        << error->error.message;
    EXPECT_NE(error->error.message_zh.find("数据报"), std::string::npos) << error->error.message_zh;
}

}  // namespace
}  // namespace sockscope
