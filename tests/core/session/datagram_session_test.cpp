// A datagram session without a socket: the stages (framer within a datagram, responders answering
// each sender, the event-queue tap) and the drop counting run against a fake transport through
// the DatagramTransport/DatagramHandler seam, the way another datagram transport would drive them.
#include "core/session/datagram_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/io_rig.hpp"

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

DatagramAddress address(std::uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

/// A transport the test drives by hand: it records what the session queues and plays the
/// socket's part (datagrams arriving, the sends leaving) when the test says so.
class FakeDatagramTransport final : public DatagramTransport {
public:
    struct Queued {
        DatagramAddress to;
        Bytes bytes;
    };
    std::vector<Queued> queue;                 // queued, not yet sent
    std::vector<std::string> wire;             // "port:bytes" of everything queued, in order
    std::size_t limit = 16;
    int starts = 0, resumes = 0;
    bool is_closed = false;

    void start(std::weak_ptr<DatagramHandler> handler) override {
        m_handler = std::move(handler);
        ++starts;
    }
    std::optional<ErrorInfo> sendTo(const DatagramAddress& to, SharedBytes shared, FaultInjector*,
                                    std::shared_ptr<SendReceipt> = nullptr) override {
        if (is_closed) return ErrorInfo{"ENOTCONN", "closed", "closed"};
        Bytes bytes = shared.toBytes();
        if (queuedBytes() + bytes.size() > limit) return ErrorInfo{"ENOBUFS", "full", "full"};
        wire.push_back(std::to_string(to.port()) + ":" + std::string(bytes.begin(), bytes.end()));
        queue.push_back({to, std::move(bytes)});
        return std::nullopt;
    }
    void resumeReading() override { ++resumes; }
    void close() override { is_closed = true; }
    void flushQueued() override {}
    std::optional<std::uint64_t> kernelDrops() const override { return std::nullopt; }
    bool closed() const override { return is_closed; }
    std::size_t queuedBytes() const override {
        std::size_t n = 0;
        for (const Queued& q : queue) n += q.bytes.size();
        return n;
    }
    std::size_t queueLimit() const override { return limit; }
    const std::optional<DatagramAddress>& lastSender() const override { return m_lastSender; }
    const std::string& localName() const override { return m_local; }

    /// Datagrams from the sender at `port`, as one read (as many as the session allows);
    /// returns how many were taken.
    std::size_t deliver(std::uint16_t port, const std::vector<std::string>& datagrams) {
        const auto h = m_handler.lock();
        const std::size_t n = std::min(h->readLimit(datagrams.size()), datagrams.size());
        if (n == 0) return 0;
        std::string joined;
        std::vector<FrameSpan> spans;
        for (std::size_t i = 0; i < n; ++i) {
            spans.push_back({static_cast<std::uint32_t>(joined.size()), static_cast<std::uint32_t>(datagrams[i].size())});
            joined += datagrams[i];
        }
        m_lastSender = address(port);
        h->onDatagrams(SharedBytes::copyOf(joined), std::move(spans), *m_lastSender, "127.0.0.1:" + std::to_string(port), "");
        return n;
    }
    /// Every queued datagram leaves.
    void drain() {
        const auto h = m_handler.lock();
        while (!queue.empty()) {
            Queued sent = std::move(queue.front());
            queue.erase(queue.begin());
            h->onSent(sent.to, SharedBytes(std::move(sent.bytes)));
            h->onWriteDone();
        }
    }
    void fail(ErrorContext context) { m_handler.lock()->onError(context, {"ECONNREFUSED", "refused", "refused"}); }

private:
    std::weak_ptr<DatagramHandler> m_handler;
    std::optional<DatagramAddress> m_lastSender;
    std::string m_local = "127.0.0.1:9";
};

/// Counts what the session tells its endpoint.
class CountingHost final : public ConnectionHost {
public:
    std::size_t rx_messages = 0, rx_bytes = 0, tx_messages = 0, echo_dropped = 0, receive_dropped = 0, writes = 0;
    std::vector<std::string> errors;
    void onConnectionClosed(ConnectionId, CloseReason, bool) override {}
    void onTraffic(Direction direction, std::size_t bytes) override {
        if (direction == Direction::Tx) return void(++tx_messages);
        ++rx_messages;
        rx_bytes += bytes;
    }
    void onRepeatableError(ConnectionId, ErrorContext, ErrorInfo error) override { errors.push_back(error.code); }
    void onEchoDropped(std::size_t messages) override { echo_dropped += messages; }
    void onWriteDone() override { ++writes; }
    void onReceiveDropped(std::size_t messages) override { receive_dropped += messages; }
};

/// Answers each message with "ok:<message>" to whoever the session answers.
class OkResponder final : public Responder {
public:
    explicit OkResponder(std::vector<std::string>& seen) : m_seen(seen) {}
    void onMessage(ReplyChannel& channel, ResponderBytes message) override {
        const std::string text(message.begin(), message.end());
        m_seen.push_back(channel.peer() + " " + text);
        if (auto error = channel.send(bytesOf("ok:" + text))) channel.replyDropped(*error);
    }
    void onClosed() override { m_seen.emplace_back("closed"); }

private:
    std::vector<std::string>& m_seen;
};

class OkStage final : public ResponderStage {
public:
    std::shared_ptr<Responder> attach(ReplyChannel&) override { return std::make_shared<OkResponder>(seen); }
    std::vector<std::string> seen;
};

struct SessionRig : test::IoRig {
    std::shared_ptr<FakeDatagramTransport> transport = std::make_shared<FakeDatagramTransport>();
    std::shared_ptr<CountingHost> host = std::make_shared<CountingHost>();
    std::shared_ptr<DatagramSession> session;

    explicit SessionRig(EventQueueLimits limits = {}) : IoRig(limits) {}
    void open(DatagramSession::Settings settings) {
        session = std::make_shared<DatagramSession>(ctx, EndpointId{7}, transport, std::move(settings), host);
        session->start();
    }
    /// The data events so far, one line each: "rx 127.0.0.1:1000 a|b", "tx 127.0.0.1:1000 ok:a".
    std::vector<std::string> events() {
        std::vector<Event> drained;
        queue.drain(drained);
        std::vector<std::string> lines;
        for (const Event& e : drained)
            if (const auto* data = std::get_if<DataEvent>(&e))
                lines.push_back((data->direction == Direction::Rx ? "rx " : "tx ") + data->peer + " " +
                                test::joinedMessages(*data));
        return lines;
    }
};

TEST(DatagramSession, ResponderAnswersEachSenderAndEveryDatagramIsOneMessageAndOneRead) {
    SessionRig rig;
    auto stage = std::make_shared<OkStage>();
    rig.open({{stage}, {}, nullptr, std::nullopt});
    EXPECT_EQ(rig.transport->starts, 1);
    // With responders the session takes one datagram per read: each answer follows its datagram.
    EXPECT_EQ(rig.transport->deliver(1000, {"a", "b"}), 1u);
    EXPECT_EQ(rig.transport->deliver(2000, {"c"}), 1u);
    EXPECT_EQ(rig.transport->wire, (std::vector<std::string>{"1000:ok:a", "2000:ok:c"}));
    rig.transport->drain();
    EXPECT_EQ(stage->seen, (std::vector<std::string>{"127.0.0.1:1000 a", "127.0.0.1:2000 c"}));
    EXPECT_EQ(rig.events(), (std::vector<std::string>{"rx 127.0.0.1:1000 a", "rx 127.0.0.1:2000 c",
                                                      "tx 127.0.0.1:1000 ok:a", "tx 127.0.0.1:2000 ok:c"}));
    EXPECT_EQ(rig.host->rx_messages, 2u);
    EXPECT_EQ(rig.host->tx_messages, 2u);
    EXPECT_EQ(rig.host->writes, 2u);
    // After the datagram, replies (and delayed ones) still go to its sender.
    EXPECT_EQ(rig.session->peer(), "127.0.0.1:2000");
    EXPECT_FALSE(rig.session->send(bytesOf("later")).has_value());
    EXPECT_EQ(rig.transport->wire.back(), "2000:later");
}

TEST(DatagramSession, WithoutRespondersAReadTakesTheWholeBatchAsOneEvent) {
    SessionRig rig;
    rig.open({});
    EXPECT_EQ(rig.transport->deliver(1000, {"a", "bc", ""}), 3u);
    EXPECT_EQ(rig.events(), (std::vector<std::string>{"rx 127.0.0.1:1000 a|bc|"}));
    EXPECT_EQ(rig.host->rx_messages, 3u);   // statistics count datagrams
    EXPECT_EQ(rig.host->rx_bytes, 3u);
    // Nobody sent yet and no remote: a reply has nowhere to go; with a remote, it goes there.
    EXPECT_EQ(rig.session->send(bytesOf("x"))->code, "EDESTADDRREQ");
}

TEST(DatagramSession, RepliesGoToTheRemoteBeforeAnyDatagramCame) {
    SessionRig rig;
    rig.open({{}, {}, nullptr, address(4000)});
    EXPECT_EQ(rig.session->peer(), "127.0.0.1:4000");
    EXPECT_FALSE(rig.session->send(bytesOf("hello")).has_value());
    EXPECT_EQ(rig.transport->wire, (std::vector<std::string>{"4000:hello"}));
}

TEST(DatagramSession, FramingAppliesWithinEachDatagramAndNothingCarriesToTheNext) {
    SessionRig rig;
    auto stage = std::make_shared<OkStage>();
    DatagramSession::Settings settings{{stage}, {}, nullptr, std::nullopt};
    settings.framing.type = FramingType::Delimiter;
    settings.framing.delimiter = bytesOf("\n");
    rig.open(std::move(settings));
    rig.transport->limit = 1000;
    EXPECT_EQ(rig.transport->deliver(1000, {"a\nb"}), 1u);
    EXPECT_EQ(rig.transport->deliver(1000, {"c\n"}), 1u);   // "b" ended with its datagram
    EXPECT_EQ(stage->seen, (std::vector<std::string>{"127.0.0.1:1000 a", "127.0.0.1:1000 b", "127.0.0.1:1000 c"}));
    // The log gets the frames too (however the pipeline groups them into events).
    std::string logged;
    for (const std::string& line : rig.events()) logged += line.substr(line.rfind(' ') + 1) + "|";
    EXPECT_EQ(logged, "a|b|c|");
}

TEST(DatagramSession, EchoThatDoesNotFitIsDroppedAndCountedWithoutSlowingTheSender) {
    SessionRig rig;
    rig.open({{std::make_shared<EchoStage>()}, {}, nullptr, std::nullopt});
    rig.transport->limit = 10;
    for (int i = 0; i < 4; ++i) EXPECT_EQ(rig.transport->deliver(1000, {"1234"}), 1u);   // reading never holds
    EXPECT_EQ(rig.transport->wire.size(), 2u);   // 8 of 10 bytes queued: the third and fourth do not fit
    EXPECT_EQ(rig.host->echo_dropped, 2u);
    EXPECT_EQ(rig.host->errors, (std::vector<std::string>{"ENOBUFS", "ENOBUFS"}));
    EXPECT_EQ(rig.session->room(), 2u);
    rig.transport->drain();
    EXPECT_EQ(rig.session->room(), 10u);
    EXPECT_EQ(rig.host->rx_messages, 4u);
}

TEST(DatagramSession, DatagramsTheEventQueueRefusesAreCountedAsDropped) {
    SessionRig rig(EventQueueLimits{1000});
    rig.open({});
    const std::string big(2000, 'x');
    EXPECT_EQ(rig.transport->deliver(1000, {"small"}), 1u);
    EXPECT_EQ(rig.transport->deliver(1000, {big, big}), 2u);     // over the budget: refused, counted
    EXPECT_EQ(rig.host->receive_dropped, 2u);
    EXPECT_EQ(rig.host->rx_messages, 3u);   // they were received all the same
    EXPECT_EQ(rig.events().size(), 1u);
}

TEST(DatagramSession, TransportErrorsAreReportedAndStopEndsRespondersAndDelayedSends) {
    SessionRig rig;
    auto stage = std::make_shared<OkStage>();
    rig.open({{stage}, {}, nullptr, address(4000)});
    rig.transport->fail(ErrorContext::Read);
    EXPECT_EQ(rig.host->errors, (std::vector<std::string>{"ECONNREFUSED"}));
    EXPECT_TRUE(rig.session->sendLater(std::chrono::milliseconds(1), bytesOf("late")));
    EXPECT_EQ(rig.session->room(), 12u);   // delayed bytes count against the room
    rig.session->stop();
    EXPECT_TRUE(rig.transport->is_closed);
    EXPECT_EQ(stage->seen, (std::vector<std::string>{"closed"}));
    rig.io.run_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(rig.transport->wire.empty());   // the delayed send was cancelled
    EXPECT_FALSE(rig.session->writable());
    EXPECT_FALSE(rig.session->attachResponder(std::make_shared<OkResponder>(stage->seen)));
}

}  // namespace
}  // namespace sockscope

namespace sockscope {
namespace {

/// Reports something as it ends, as a script does when its endpoint stops.
class ReportOnCloseResponder final : public Responder {
public:
    explicit ReportOnCloseResponder(ReplyChannel& channel) : m_channel(channel) {}
    void onMessage(ReplyChannel&, ResponderBytes) override {}
    void onClosed() override { m_channel.reportError(ErrorContext::Write, {"ECANCELED", "ended", "ended"}); }

private:
    ReplyChannel& m_channel;
};

class ReportOnCloseStage final : public ResponderStage {
public:
    std::shared_ptr<Responder> attach(ReplyChannel& channel) override {
        return std::make_shared<ReportOnCloseResponder>(channel);
    }
};

/// UDP reads never wait for room, so a delay fault could pile up delayed replies (up to 10,000 of
/// any size) unless they count against the send queue's bytes.
TEST(DatagramSession, DelayedRepliesNeverHoldMoreBytesThanTheSendQueueTakes) {
    SessionRig rig;
    rig.open({{}, {}, nullptr, address(4000)});
    rig.transport->limit = 16;
    EXPECT_TRUE(rig.session->sendLater(std::chrono::milliseconds(50), bytesOf("0123456789")));
    EXPECT_EQ(rig.session->room(), 6u);
    EXPECT_FALSE(rig.session->sendLater(std::chrono::milliseconds(50), bytesOf("0123456789")));
    EXPECT_TRUE(rig.session->sendLater(std::chrono::milliseconds(50), bytesOf("012345")));
    EXPECT_EQ(rig.session->room(), 0u);
    ASSERT_TRUE(rig.runUntil([&] { return rig.transport->wire.size() == 2; }));
    EXPECT_EQ(rig.session->room(), 0u);   // now queued in the transport instead
    rig.transport->drain();
    EXPECT_EQ(rig.session->room(), 16u);
}

TEST(DatagramSession, DelayedRepliesStillWaitingWhenTheSessionStopsAreReportedAndCounted) {
    SessionRig rig;
    rig.open({{}, {}, nullptr, address(4000)});
    ASSERT_TRUE(rig.session->sendLater(std::chrono::milliseconds(10'000), bytesOf("0123456789")));
    ASSERT_TRUE(rig.session->sendLater(std::chrono::milliseconds(10'000), bytesOf("ab")));
    rig.session->stop();
    EXPECT_EQ(rig.host->errors, (std::vector<std::string>{"ECANCELED"}));
    EXPECT_EQ(rig.host->echo_dropped, 2u);
    EXPECT_TRUE(rig.transport->wire.empty());
}

TEST(DatagramSession, WhatRespondersReportAsTheSessionStopsReachesTheEndpoint) {
    SessionRig rig;
    rig.open({{std::make_shared<ReportOnCloseStage>()}, {}, nullptr, std::nullopt});
    rig.session->stop();
    EXPECT_EQ(rig.host->errors, (std::vector<std::string>{"ECANCELED"}));
}

TEST(DatagramSession, FramesReachRespondersOnlyOnceOneIsAttached) {
    SessionRig rig;
    rig.open({});
    EXPECT_FALSE(rig.session->watchingMessages());
    EXPECT_EQ(rig.transport->deliver(1000, {"a"}), 1u);
    std::vector<std::string> seen;
    ASSERT_TRUE(rig.session->attachResponder(std::make_shared<OkResponder>(seen)));
    EXPECT_TRUE(rig.session->watchingMessages());
    EXPECT_EQ(rig.transport->deliver(1000, {"b"}), 1u);
    EXPECT_EQ(seen, (std::vector<std::string>{"127.0.0.1:1000 b"}));
}

}  // namespace
}  // namespace sockscope
