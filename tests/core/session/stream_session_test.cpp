// A session without a socket: the stages (framer, responders, the event-queue tap) and the
// back-pressure run against a fake transport through the Transport/TransportHandler seam, the
// way a TLS or serial transport will drive them.
#include "core/session/stream_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/io_rig.hpp"

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

/// A transport the test drives by hand: it records what the session asks and plays the socket's
/// part (a read, the writes leaving, the peer's FIN, the close) when the test says so.
class FakeTransport final : public Transport {
public:
    std::vector<Bytes> queue;                  // queued, not yet written
    std::string wire;                          // everything queued, in order
    std::size_t limit = 16;
    std::optional<CloseMode> close_asked;
    std::optional<CloseReason> graceful_reason;
    int resumes = 0;                           // start() and resumeReading()
    bool is_closed = false;

    void start(std::weak_ptr<TransportHandler> handler) override {
        m_handler = std::move(handler);
        ++resumes;
    }
    std::optional<ErrorInfo> send(SharedBytes shared, FaultInjector*, std::shared_ptr<SendReceipt> = {}) override {
        if (is_closed) return ErrorInfo{"ENOTCONN", "closed", "closed"};
        Bytes bytes = shared.toBytes();
        if (queuedBytes() + bytes.size() > limit) return ErrorInfo{"ENOBUFS", "full", "full"};
        wire.append(bytes.begin(), bytes.end());
        queue.push_back(std::move(bytes));
        return std::nullopt;
    }
    void close(CloseMode mode) override { close_asked = mode; }
    void shutdownForStop(CloseMode mode) override { close_asked = mode; }
    void setGracefulReason(CloseReason reason) override { graceful_reason = reason; }
    void setCloseNote(ErrorInfo) override {}
    void resumeReading() override { ++resumes; }
    void watchAfterPeerFin() override {}
    std::optional<TcpInfo> refreshKernelView() override { return std::nullopt; }
    bool closed() const override { return is_closed; }
    bool writable() const override { return !is_closed && !close_asked; }
    bool sentFin() const override { return false; }
    std::size_t queuedBytes() const override {
        std::size_t n = 0;
        for (const Bytes& b : queue) n += b.size();
        return n;
    }
    std::size_t queueLimit() const override { return limit; }
    const std::string& peerName() const override { return m_peer; }
    const std::string& localName() const override { return m_local; }

    /// One read of (a prefix of) `text`, as large as the session allows; returns the bytes taken.
    std::size_t deliver(std::string_view text) {
        const auto h = m_handler.lock();
        const std::size_t n = std::min(h->readLimit(text.size()), text.size());
        if (n > 0) h->onReceived(SharedBytes::copyOf(text.substr(0, n)));
        return n;
    }
    /// Every queued write leaves.
    void drain() {
        const auto h = m_handler.lock();
        while (!queue.empty()) {
            Bytes sent = std::move(queue.front());
            queue.erase(queue.begin());
            h->onSent(SharedBytes(std::move(sent)));
        }
        h->onWriteDone();
    }
    void peerFin() { m_handler.lock()->onPeerFin(); }
    void finish(CloseReason reason) {
        is_closed = true;
        m_handler.lock()->onClosed(reason, std::nullopt);
    }

private:
    std::weak_ptr<TransportHandler> m_handler;
    std::string m_peer = "fake-peer:1", m_local = "fake-local:2";
};

/// Answers each message with "ok:<message>"; "bye" closes the session abortively instead.
class ByeResponder final : public Responder {
public:
    explicit ByeResponder(std::vector<std::string>& seen) : m_seen(seen) {}
    void onMessage(ReplyChannel& channel, ResponderBytes message) override {
        const std::string text(message.begin(), message.end());
        m_seen.push_back(text);
        if (text == "bye") return channel.close(CloseMode::Abort);
        EXPECT_FALSE(channel.send(bytesOf("ok:" + text)).has_value());
    }

private:
    std::vector<std::string>& m_seen;
};

class ByeStage final : public ResponderStage {
public:
    std::shared_ptr<Responder> attach(ReplyChannel&) override { return std::make_shared<ByeResponder>(seen); }
    std::vector<std::string> seen;
};

struct SessionRig : test::IoRig {
    std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
    std::shared_ptr<StreamSession> session;

    void open(StreamSession::Settings settings) {
        session = std::make_shared<StreamSession>(ctx, EndpointId{7}, ConnectionId{3}, transport, std::move(settings),
                                                  std::weak_ptr<ConnectionHost>());
        session->start();
    }
    /// The events so far, one line each: "opened fake-peer:1", "rx ab|cd", "tx ab", "fin", "closed".
    std::vector<std::string> events() {
        std::vector<Event> drained;
        queue.drain(drained);
        std::vector<std::string> lines;
        for (const Event& e : drained) {
            if (const auto* open = std::get_if<ConnectionOpened>(&e)) lines.push_back("opened " + open->peer);
            if (std::get_if<PeerHalfClosed>(&e)) lines.emplace_back("fin");
            if (std::get_if<ConnectionClosed>(&e)) lines.emplace_back("closed");
            if (const auto* error = std::get_if<ErrorEvent>(&e)) lines.push_back("error " + error->error.message);
            if (const auto* data = std::get_if<DataEvent>(&e))
                lines.push_back((data->direction == Direction::Rx ? "rx " : "tx ") + test::joinedMessages(*data));
        }
        return lines;
    }
};

StreamSession::Settings delimited(ResponderStages stages, double close_wait_timeout_s = -1) {
    StreamSession::Settings settings;
    settings.responders = std::move(stages);
    settings.close_wait_timeout_s = close_wait_timeout_s;
    settings.framing.type = FramingType::Delimiter;
    settings.framing.delimiter = bytesOf("\n");
    return settings;
}

TEST(StreamSession, FramerAndResponderRunOnAFakeTransportAndTheFinFlushesTheLastFrame) {
    SessionRig rig;
    auto stage = std::make_shared<ByeStage>();
    rig.open(delimited({stage}, /*close_wait_timeout_s=*/0));
    EXPECT_EQ(rig.transport->resumes, 1);   // start() begins reading

    EXPECT_EQ(rig.transport->deliver("ab\nc"), 4u);
    EXPECT_EQ(rig.transport->deliver("d\ne"), 3u);
    EXPECT_EQ(rig.transport->wire, "ok:abok:cd");
    rig.transport->drain();
    rig.transport->peerFin();   // "e" is a frame of its own before the FIN is told
    EXPECT_EQ(stage->seen, (std::vector<std::string>{"ab", "cd", "e"}));
    // close_wait_timeout_s 0: the session closes gracefully for the peer.
    EXPECT_EQ(rig.transport->close_asked, CloseMode::Graceful);
    EXPECT_EQ(rig.transport->graceful_reason, CloseReason::PeerClosed);
    rig.transport->finish(CloseReason::PeerClosed);
    EXPECT_EQ(rig.events(),
              (std::vector<std::string>{"opened fake-peer:1", "rx ab", "rx cd", "tx ok:ab", "tx ok:cd",
                                        "error the stream ended 1 byte into a frame; they follow as a message of their own",
                                        "rx e", "fin", "closed"}));
    EXPECT_TRUE(rig.session->closed());
}

TEST(StreamSession, AResponderCloseWaitsForTheReadToBeHandledAndLaterMessagesAreNotAnswered) {
    SessionRig rig;
    auto stage = std::make_shared<ByeStage>();
    rig.open(delimited({stage}));
    EXPECT_EQ(rig.transport->deliver("hi\nbye\nlate\n"), 12u);
    EXPECT_EQ(stage->seen, (std::vector<std::string>{"hi", "bye"}));
    EXPECT_EQ(rig.transport->close_asked, CloseMode::Abort);   // asked once the read was framed
    rig.transport->finish(CloseReason::LocalAbort);
    // The whole read still reaches the log, as one event of three frames.
    EXPECT_EQ(rig.events(), (std::vector<std::string>{"opened fake-peer:1", "rx hi|bye|late", "closed"}));
}

TEST(StreamSession, EchoLimitsReadsToTheQueuesRoomAndResumesWhenHalfHasLeftWithoutLosingAByte) {
    SessionRig rig;
    StreamSession::Settings settings;
    settings.responders = {std::make_shared<EchoStage>()};
    rig.open(std::move(settings));
    const std::string stream = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";   // 44 bytes, queue of 16
    std::size_t taken = 0;
    int held = 0;
    for (int round = 0; round < 20 && taken < stream.size(); ++round) {
        const int resumes = rig.transport->resumes;
        const std::size_t n = rig.transport->deliver(std::string_view(stream).substr(taken));
        EXPECT_LE(rig.transport->queuedBytes(), rig.transport->limit);
        taken += n;
        if (n == 0) {   // the queue is full: reading holds until the writes leave, then resumes
            ++held;
            rig.transport->drain();
            EXPECT_EQ(rig.transport->resumes, resumes + 1);
        }
    }
    rig.transport->drain();
    EXPECT_EQ(taken, stream.size());
    EXPECT_EQ(rig.transport->wire, stream);
    EXPECT_GE(held, 2);
}

}  // namespace
}  // namespace sockscope

namespace sockscope {
namespace {

/// A rule's delayed replies are not echo: reading does not wait for their room, so only this
/// keeps them (up to 10,000 of any size) within the send queue's bytes.
TEST(StreamSession, DelayedRepliesNeverHoldMoreBytesThanTheSendQueueTakes) {
    SessionRig rig;
    rig.open({});
    EXPECT_TRUE(rig.session->sendLater(std::chrono::milliseconds(50), bytesOf("0123456789")));
    EXPECT_EQ(rig.session->room(), 6u);
    EXPECT_FALSE(rig.session->sendLater(std::chrono::milliseconds(50), bytesOf("0123456789")));
    EXPECT_TRUE(rig.session->sendLater(std::chrono::milliseconds(50), bytesOf("012345")));
    ASSERT_TRUE(rig.runUntil([&] { return rig.transport->wire == "0123456789012345"; })) << rig.transport->wire;
    rig.transport->drain();
    EXPECT_EQ(rig.session->room(), 16u);
}

TEST(StreamSession, DelayedRepliesStillWaitingWhenTheConnectionClosesAreReported) {
    SessionRig rig;
    rig.open({});
    ASSERT_TRUE(rig.session->sendLater(std::chrono::milliseconds(10'000), bytesOf("0123456789")));
    ASSERT_TRUE(rig.session->closeLater(std::chrono::milliseconds(10'000), CloseMode::Graceful));   // not a reply
    rig.transport->finish(CloseReason::PeerReset);
    EXPECT_EQ(rig.events(), (std::vector<std::string>{"opened fake-peer:1",
                                                      "error 1 delayed reply (10 bytes) not sent: the connection closed first",
                                                      "closed"}));
    EXPECT_TRUE(rig.transport->wire.empty());
}

}  // namespace
}  // namespace sockscope
