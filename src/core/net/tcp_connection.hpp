#pragma once
// One TCP connection (accepted by a server or made by a client), on the I/O thread.
//
//   open --peer FIN--> peer_half_closed (CLOSE_WAIT; we may still send) --close()--> closed
//        (close_wait_timeout_s: closed by us after that long; a RST from the peer is still seen)
//   open --half-close--> local_half_closed (FIN_WAIT_2; still reading) --peer FIN--> closed
//   open --graceful--> flush queued writes, close() (FIN) --> closed
//        (linger_s > 0: FIN, then wait up to linger_s for the peer to acknowledge it, without
//         blocking: close() itself always runs with linger off, so the I/O thread never blocks)
//   open --abort--> SO_LINGER{1,0} + close() (RST) --> closed
//
// Reads wait for readability and then read into the engine's shared buffer, so an idle
// connection owns no read buffer. Writes: one in flight, the rest queued up to a byte cap.
// Received bytes go through the receive pipeline (framer -> event queue): the log gets frames,
// the statistics count reads. Idle framing has its own timer here, armed only while a frame is
// pending and never re-armed per read (it fires at the old deadline and re-arms if more came).
// Responders (session/responder.hpp: echo, rules, scripts) see each read and each framed message
// and answer through this connection (it is their ReplyChannel). A responder may limit reads:
// echo never loses a byte because a read is never larger than the room left in the write queue,
// and reading pauses while the queue is full (the peer's sends then block: back-pressure).
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "core/endpoint_config.hpp"
#include "core/events.hpp"
#include "core/net/engine_context.hpp"
#include "core/net/traffic.hpp"
#include "core/session/delayed_actions.hpp"
#include "core/session/receive_pipeline.hpp"
#include "core/session/responder.hpp"

namespace sockscope {

/// What a connection tells the endpoint that owns it.
class ConnectionHost {
public:
    virtual ~ConnectionHost() = default;
    virtual void onConnectionClosed(ConnectionId connection, CloseReason reason) = 0;
    virtual void onTraffic(Direction direction, std::size_t bytes) = 0;
    /// An error that may repeat (e.g. echo refused after our FIN): rate-limited by the host.
    virtual void onRepeatableError(ConnectionId connection, ErrorContext context, ErrorInfo error) = 0;
    /// Replies (echo, rules) that could not be sent (counted in the endpoint's statistics).
    virtual void onEchoDropped(std::size_t messages) = 0;
    /// A write completed: the write queue has more room (file sends wait for it).
    virtual void onWriteDone() {}
};

class TcpConnection : public std::enable_shared_from_this<TcpConnection>, public ReplyChannel {
public:
    struct Settings {
        ResponderStages responders;              // attached in start(), in order (echo first)
        double close_wait_timeout_s = -1;        // after the peer's FIN: < 0 keep, 0 close at once
        std::size_t write_queue_limit = 16u << 20;
        std::optional<int> linger_s;             // SO_LINGER as the user set it
        FramingConfig framing;                   // how received bytes become messages
        FaultsRef faults;                        // the endpoint's fault injection (split, duplicate)
    };

    TcpConnection(EngineContext& context, EndpointId endpoint, ConnectionId id,
                  asio::ip::tcp::socket socket, Settings settings, std::weak_ptr<ConnectionHost> host,
                  std::optional<asio::ip::tcp::endpoint> known_peer = std::nullopt);

    /// Emits ConnectionOpened and the first TCP state, then starts reading.
    void start();
    /// Queues bytes. Fails (with a plain-words error) when closing or over the queue cap.
    [[nodiscard]] std::optional<ErrorInfo> send(Bytes payload, const FaultsRef& faults = nullptr) override;
    /// The same for bytes shared with others (a file send's slice): queued and logged without a copy.
    [[nodiscard]] std::optional<ErrorInfo> sendShared(SharedBytes payload, const FaultsRef& faults = nullptr);
    /// Within a responder's callback the close waits until the current read is handled.
    void close(CloseMode mode) override;
    /// A responder joins the running connection (e.g. a script started on it); it sees what
    /// arrives from now on. False when the connection is closed.
    bool attachResponder(std::shared_ptr<Responder> responder);

    // ReplyChannel (the responders' view of this connection)
    [[nodiscard]] bool sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults = nullptr) override;
    [[nodiscard]] bool closeLater(std::chrono::milliseconds delay, CloseMode mode) override;
    [[nodiscard]] bool after(std::chrono::milliseconds delay, std::function<void()> fn) override;
    [[nodiscard]] bool writable() const override { return !m_closed && !m_sentFin && !m_pendingClose && !m_lingering; }
    [[nodiscard]] std::size_t room() const override { return echoRoom(); }
    void replyDropped(ErrorInfo why) override;
    void reportError(ErrorContext context, ErrorInfo error) override;
    EndpointId endpoint() const override { return m_endpoint; }
    ConnectionId connection() const override { return m_id; }
    asio::io_context& io() override { return m_ctx.io; }
    /// Forgets the host and closes abortively when data is still queued (saying so), gracefully
    /// otherwise; never waits (a linger in progress ends now, the kernel finishes in background).
    void shutdownForStop(CloseMode mode);
    /// Stops reading (nothing is read: the kernel's receive queue fills, the peer's sends block)
    /// or resumes it; independent of the back-pressure pause. Emits ReadingStatus on a change.
    void setReadingStopped(bool stop);
    bool readingStopped() const { return m_stopReading; }
    /// Queries TCP_INFO; emits TcpStateChanged if it differs from the last one sent.
    void refreshTcpState();
    const TrafficCounters& sampleTraffic(std::chrono::steady_clock::time_point now) {
        return m_traffic.sample(now);
    }

    ConnectionId id() const { return m_id; }
    const std::string& peer() const override { return m_peer; }
    /// Bytes waiting in the write queue (including the write in flight).
    std::size_t queuedBytes() const { return m_queuedBytes; }
    std::size_t writeQueueLimit() const { return m_settings.write_queue_limit; }
    bool closed() const { return m_closed; }
    const std::string& local() const { return m_local; }

private:
    void armRead();      // wait for readiness: only after a read found the kernel buffer empty
    void readSoon();     // read again after other handlers ran (data may be waiting)
    void onReadable(std::error_code ec);
    void resumeAfterPause();
    void onPeerFin();
    void onPeerFinAfterWrites(int deferrals);
    static constexpr int kFinDeferrals = 4;
    void watchAfterFin();
    void onErrorAfterFin(std::error_code ec);
    bool endIfResetAfterFin(const std::optional<TcpInfo>& info);
    void pauseReadingForQueue();
    void startCloseWaitTimer();
    void onMessage(ByteView message);
    /// Applies a close a responder asked for while the pipeline ran; true when now closed.
    bool closeIfAsked();
    std::size_t echoRoom() const;
    void startLinger();
    void pollLinger(std::chrono::steady_clock::time_point deadline);
    void startWrite();
    void writePiece();
    /// A write completed: `sent` goes to the log; reading resumes when the queue has drained.
    void wrote(SharedBytes sent);
    /// When a delayed action scheduled now with `delay` runs: never before an earlier one.
    std::chrono::steady_clock::time_point orderedDue(std::chrono::milliseconds delay);
    void applyPendingClose();
    void shutdownSend();
    void finish(CloseReason reason, std::optional<ErrorInfo> error = std::nullopt);
    void failWith(std::error_code ec, ErrorContext context);
    void count(Direction direction, std::size_t bytes);
    void onFramingError(const ErrorInfo& error, bool fatal);
    void armFrameTimer();
    void finishFraming();

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    const ConnectionId m_id;
    asio::ip::tcp::socket m_socket;
    Settings m_settings;
    std::weak_ptr<ConnectionHost> m_host;
    std::string m_peer, m_local;
    TrafficMeter m_traffic;

    bool m_closed = false;
    bool m_readArmed = false;
    bool m_readPaused = false;          // back-pressure: the front end is behind
    bool m_replyPaused = false;         // back-pressure: a responder's (echo's) write queue is full
    bool m_stopReading = false;         // the user stopped reading (StopReading): a slow reader
    bool m_errorWatch = false;          // after EOF: waiting for a RST / error
    bool m_lingering = false;           // FIN sent, waiting up to linger_s before close()
    bool m_abortive = false;            // SO_LINGER{1,0} set: close() sends RST
    bool m_peerFin = false;             // we read EOF
    bool m_sentFin = false;             // we shut down our sending side
    std::optional<CloseMode> m_pendingClose;   // graceful/half-close waiting for the queue to flush
    CloseReason m_gracefulReason = CloseReason::LocalGraceful;   // PeerClosed when closed for the peer
    std::optional<ErrorInfo> m_closeNote;      // why we closed on our own (CLOSE_WAIT timeout)
    int m_quietErrorWakes = 0;                 // error watch woke with nothing wrong (bounded)

    /// A queued send. `piece` > 0 (fault injection "split"): it leaves `piece` bytes per write,
    /// `gap` after each, from `offset` on.
    struct QueuedWrite {
        SharedBytes bytes;
        std::size_t offset = 0;
        std::uint32_t piece = 0;
        std::chrono::milliseconds gap{0};
    };
    std::deque<QueuedWrite> m_writeQueue;
    asio::steady_timer m_gapTimer;      // between split pieces
    std::size_t m_delayedBytes = 0;     // replies waiting in delayed actions (count against room)
    std::chrono::steady_clock::time_point m_lastDelayedDue{};
    static constexpr std::size_t kMaxGather = 64;   // queued messages per write
    std::vector<asio::const_buffer> m_gather;       // the write in flight (its buffers stay put)
    std::size_t m_queuedBytes = 0;
    bool m_writing = false;

    std::optional<TcpInfo> m_lastInfo;
    asio::steady_timer m_timer;         // CLOSE_WAIT timeout, then linger polling

    ReceivePipeline m_rx;
    std::optional<asio::steady_timer> m_frameTimer;   // idle framing only
    bool m_frameTimerArmed = false;
    bool m_framingDone = false;         // the pipeline was finished (EOF or close)
    bool m_framingClose = false;        // a framing error with on_error "close": stop reading

    ResponderChain m_responders;
    DelayedActions m_delayed;
    bool m_inPipeline = false;                 // responders are running: closes wait (closeIfAsked)
    std::optional<CloseMode> m_closeAsked;
};

}  // namespace sockscope
