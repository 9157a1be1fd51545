#pragma once
// One connection's session over a byte-stream transport (TCP now; TLS and serial next), on the
// I/O thread. The transport (transport/transport.hpp) owns the socket; the session runs the stages:
//
//   transport read --> responders.onReceived (echo: the stream as it came)
//                  --> receive pipeline: framer --> responders.onMessage (rules, scripts)
//                                               --> tap: the event queue (DataEvent rx)
//   sources / responders --send--> transport write queue --onSent--> tap (DataEvent tx)
//
// Back-pressure: the session holds the transport's reads while the event queue is over its budget,
// while a responder's write queue is full (echo never loses a byte: a read is never larger than
// the room left), while the user stopped reading, and after a fatal framing error. Idle framing has
// its own timer, armed only while a frame is pending. After the peer's FIN the connection stays
// half-open for close_wait_timeout_s. The session is the responders' ReplyChannel.
#include <asio/steady_timer.hpp>
#include <memory>
#include <optional>

#include "core/endpoint_config.hpp"
#include "core/events.hpp"
#include "core/net/engine_context.hpp"
#include "core/net/traffic.hpp"
#include "core/session/delayed_actions.hpp"
#include "core/session/receive_pipeline.hpp"
#include "core/session/connection_host.hpp"
#include "core/session/responder.hpp"
#include "core/transport/transport.hpp"

namespace sockscope {

class StreamSession final : public std::enable_shared_from_this<StreamSession>,
                            public ReplyChannel,
                            public TransportHandler {
public:
    struct Settings {
        ResponderStages responders;              // attached in start(), in order (echo first)
        double close_wait_timeout_s = -1;        // after the peer's FIN: < 0 keep, 0 close at once
        FramingConfig framing;                   // how received bytes become messages
        FaultsRef faults;                        // the endpoint's fault injection (split, duplicate)
    };

    StreamSession(EngineContext& context, EndpointId endpoint, ConnectionId id,
                  std::shared_ptr<Transport> transport, Settings settings, std::weak_ptr<ConnectionHost> host);

    /// Emits ConnectionOpened and the first kernel state, attaches the responders, starts reading.
    void start();
    /// Queues bytes. Fails (with a plain-words error) when closing or over the queue cap.
    [[nodiscard]] std::optional<ErrorInfo> send(Bytes payload, const FaultsRef& faults = nullptr) override;
    /// The same for bytes shared with others (a file send's slice): queued and logged without a copy.
    [[nodiscard]] std::optional<ErrorInfo> sendShared(SharedBytes payload, const FaultsRef& faults = nullptr,
                                                      std::shared_ptr<SendReceipt> receipt = {});
    /// Within a responder's callback the close waits until the current read is handled.
    void close(CloseMode mode) override;
    /// A responder joins the running session (e.g. a script started on it); it sees what
    /// arrives from now on. False when the session is closed.
    bool attachResponder(std::shared_ptr<Responder> responder);
    /// Forgets the host and closes abortively when data is still queued (saying so), gracefully
    /// otherwise; never waits (a linger in progress ends now, the kernel finishes in background).
    void shutdownForStop(CloseMode mode);
    /// Stops reading (nothing is read: the kernel's receive queue fills, the peer's sends block)
    /// or resumes it; independent of the back-pressure pause. Emits ReadingStatus on a change.
    void setReadingStopped(bool stop);
    bool readingStopped() const { return m_stopReading; }
    /// Asks the transport for the kernel's view; emits TcpStateChanged if it differs from the last.
    void refreshTcpState();
    const TrafficCounters& sampleTraffic(std::chrono::steady_clock::time_point now) {
        m_traffic.setQueue(m_transport->unsentBytes(), m_transport->closePending());
        return m_traffic.sample(now);
    }

    // ReplyChannel (the responders' view of this session)
    [[nodiscard]] bool sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults = nullptr) override;
    [[nodiscard]] bool closeLater(std::chrono::milliseconds delay, CloseMode mode) override;
    [[nodiscard]] bool delayedStillToCome() const override { return m_orderedPending > 0; }
    [[nodiscard]] bool after(std::chrono::milliseconds delay, std::function<void()> fn) override;
    [[nodiscard]] bool writable() const override { return m_transport->writable(); }
    [[nodiscard]] std::size_t room() const override;
    [[nodiscard]] std::size_t queueLimit() const override { return m_transport->queueLimit(); }
    void replyDropped(ErrorInfo why) override;
    void reportError(ErrorContext context, ErrorInfo error) override;
    EndpointId endpoint() const override { return m_endpoint; }
    ConnectionId connection() const override { return m_id; }
    const std::string& peer() const override { return m_transport->peerName(); }
    asio::io_context& io() override { return m_ctx.io; }

    ConnectionId id() const { return m_id; }
    const std::string& local() const { return m_transport->localName(); }
    /// Bytes waiting in the write queue (including the write in flight), and its limit.
    std::size_t queuedBytes() const { return m_transport->queuedBytes(); }
    std::size_t unsentBytes() const { return m_transport->unsentBytes(); }
    /// Bytes the kernel holds that the peer has not acknowledged (SIOCOUTQ; 0 where unknown).
    std::size_t unacknowledgedBytes() {
        const auto info = m_transport->refreshKernelView();
        return info ? info->send_queue : 0;
    }
    std::size_t writeQueueLimit() const { return m_transport->queueLimit(); }
    bool closed() const { return m_transport->closed(); }

    // TransportHandler (what the transport tells this session)
    std::size_t readLimit(std::size_t most) override;
    void onReceived(const SharedBytes& bytes) override;
    void onPeerFin() override;
    void onSent(SharedBytes sent) override;
    void onWriteDone() override;
    void onKernelStateChanged() override { refreshTcpState(); }
    void onFinSent() override;
    void onClosed(CloseReason reason, std::optional<ErrorInfo> error) override;

private:
    bool readingHeld() const { return m_readPaused || m_replyPaused || m_framingClose || m_stopReading; }
    void readSoon();
    void pauseReadingForQueue();
    void startCloseWaitTimer();
    void onMessage(ByteView message);
    void watchMessages();
    /// Applies a close a responder asked for while the pipeline ran; true when now closed.
    bool closeIfAsked();
    /// After the pipeline ran on a read or the idle timer: asked closes, framing errors.
    bool afterPipeline();
    /// When a delayed action scheduled now with `delay` runs: never before an earlier one.
    std::chrono::steady_clock::time_point orderedDue(std::chrono::milliseconds delay);
    void count(Direction direction, std::size_t bytes);
    void onFramingError(const ErrorInfo& error, bool fatal);
    void armFrameTimer();
    void finishFraming();

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    const ConnectionId m_id;
    const std::shared_ptr<Transport> m_transport;
    Settings m_settings;
    std::weak_ptr<ConnectionHost> m_host;
    TrafficMeter m_traffic;

    bool m_readPaused = false;          // back-pressure: the front end is behind
    bool m_replyPaused = false;         // back-pressure: a responder's (echo's) write queue is full
    bool m_stopReading = false;         // the user stopped reading (StopReading): a slow reader
    std::chrono::steady_clock::time_point m_lastDelayedDue{};
    std::size_t m_orderedPending = 0;   // delayed replies and closes scheduled and not yet run
    std::optional<TcpInfo> m_lastInfo;
    asio::steady_timer m_closeWaitTimer;

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
