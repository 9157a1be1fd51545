// A UDP endpoint without responders reads datagrams in batches: consecutive datagrams of one
// sender travel as one DataEvent with a message per datagram; the log keeps a record per
// datagram; mixed senders, the largest datagram and framing within a datagram stay exact.
#include <gtest/gtest.h>

#include "core/model/log_recorder.hpp"
#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::EngineHarness;
using test::SocketPeer;

struct Message {
    std::string bytes;
    std::string peer;
};

std::vector<Message> received(const EngineHarness& h) {
    std::vector<Message> out;
    for (const auto& e : h.events)
        if (const auto* d = std::get_if<DataEvent>(&e); d && d->direction == Direction::Rx) {
            EXPECT_TRUE(framesValid(*d));
            forEachMessage(*d, [&](std::span<const std::uint8_t> m) { out.push_back({std::string(m.begin(), m.end()), d->peer}); });
        }
    return out;
}

std::uint16_t bindUdp(EngineHarness& h, FramingConfig framing = {}) {
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    config.framing = framing;
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    if (!bound) return 0;
    return static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)));
}

TEST(UdpBatch, DatagramsOfMixedSendersAreLoggedOnePerRecordInOrder) {
    EngineHarness h;
    const auto port = bindUdp(h);
    ASSERT_NE(port, 0);
    SocketPeer a, b;
    ASSERT_TRUE(a.bindUdp());
    ASSERT_TRUE(b.bindUdp());
    const std::string from_a = "127.0.0.1:" + std::to_string(a.localPort());
    const std::string from_b = "127.0.0.1:" + std::to_string(b.localPort());
    std::vector<Message> sent;
    for (int i = 0; i < 300; ++i) {
        SocketPeer& peer = (i / 7) % 3 == 2 ? b : a;   // runs of 7 from one sender
        std::string text = "m" + std::to_string(i);
        if (i == 150) text = std::string(65507, 'L');   // the largest IPv4 datagram, mid-burst
        ASSERT_TRUE(peer.sendTo(text, port));
        sent.push_back({text, &peer == &a ? from_a : from_b});
        // In bursts of 50 that fit any receive buffer, however late the engine reads on a busy machine.
        if (sent.size() % 50 == 0) {
            ASSERT_TRUE(h.pumpUntil([&] { return received(h).size() >= sent.size(); }, std::chrono::seconds(10)));
        }
    }
    ASSERT_TRUE(h.pumpUntil([&] { return received(h).size() >= sent.size(); }, std::chrono::seconds(10)));
    const auto got = received(h);
    ASSERT_EQ(got.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        EXPECT_TRUE(got[i].bytes == sent[i].bytes) << i;
        EXPECT_EQ(got[i].peer, sent[i].peer) << i;
    }
    PayloadLog log;
    for (const auto& e : h.events) recordEvent(log, e);
    std::size_t rx = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        const LogRecord r = log.record(i);
        if (r.kind != LogKind::Rx) continue;
        ASSERT_LT(rx, sent.size());
        EXPECT_TRUE(std::string(log.bytes(r).begin(), log.bytes(r).end()) == sent[rx].bytes) << rx;
        EXPECT_EQ(log.peer(r), sent[rx].peer) << rx;
        ++rx;
    }
    EXPECT_EQ(rx, sent.size()) << "one record per datagram";
    const auto stats = h.waitFor<StatsEvent>([&](const StatsEvent& s) { return s.totals.rx_messages == sent.size(); });
    ASSERT_TRUE(stats) << "statistics count datagrams";
}

TEST(UdpBatch, FramingWithinEachDatagramWhenAsked) {
    EngineHarness h;
    FramingConfig lines;
    lines.type = FramingType::Delimiter;
    lines.delimiter = {'\n'};
    const auto port = bindUdp(h, lines);
    ASSERT_NE(port, 0);
    SocketPeer a;
    ASSERT_TRUE(a.bindUdp());
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(a.sendTo("x" + std::to_string(i) + "\ny" + std::to_string(i), port));
    ASSERT_TRUE(h.pumpUntil([&] { return received(h).size() >= 100; }, std::chrono::seconds(10)));
    const auto got = received(h);
    ASSERT_EQ(got.size(), 100u);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(got[2 * i].bytes, "x" + std::to_string(i));
        EXPECT_EQ(got[2 * i + 1].bytes, "y" + std::to_string(i)) << "a datagram's end ends its last message";
    }
}

}  // namespace
}  // namespace sockscope
