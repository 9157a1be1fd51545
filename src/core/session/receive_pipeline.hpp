#pragma once
// The receive side of a session, on the I/O thread: the first stage of the pipeline
//
//   transport read --> [framer] --> frames --> message observer (the session's responders)
//                                          --> tap: the front end's event queue (DataEvent)
//
// One per TCP connection (state carried across reads) and one per UDP endpoint (each datagram
// framed on its own, only when the endpoint asks for framing). Raw framing keeps today's path:
// the read goes out as one DataEvent, no framer, no extra work. Several frames of one read go
// out as one DataEvent (DataEvent::frames: spans of the read's slice, no copy): one queue push
// per read, plus one for a frame that an earlier read began (the only frame copied).
// Statistics stay with the transport: they count reads, not frames. A framed read is also shown
// to the recorders as it arrived (DataLayer::Wire): pcapng and receive-to-file keep the bytes that
// crossed the wire, delimiters and dropped garbage included, at the time they arrived.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_queue.hpp"
#include "core/framing/frame_batch.hpp"
#include "core/framing/framer.hpp"

namespace sockscope {

class ReceivePipeline final : private FrameSink {
public:
    using Clock = Framer::Clock;
    /// A framing problem, already in plain words. `fatal`: on_error "close" was chosen (TCP: the
    /// owner closes the connection; UDP: the rest of that datagram is ignored).
    using ErrorHandler = std::function<void(const ErrorInfo& error, bool fatal)>;

    ReceivePipeline(EventQueue& queue, EndpointId endpoint, ConnectionId connection, const FramingConfig& config,
                    EventPriority priority, ErrorHandler on_error);

    /// Sees every message (a frame; framing raw: the read or the datagram) once the event that
    /// holds it is queued: what a responder queues in answer (a reply, a script's verdict) follows
    /// the message in the log. The session's responders (session/responder.hpp) hook here.
    using MessageObserver = std::function<void(ByteView message)>;
    void setMessageObserver(MessageObserver observer) { m_observer = std::move(observer); }
    [[nodiscard]] bool observing() const { return static_cast<bool>(m_observer); }

    /// This pipeline frames UDP datagrams (framing errors then speak of datagrams, not a connection).
    void framesDatagrams() {
        if (m_framer) m_framer->setDatagrams(true);
    }
    [[nodiscard]] bool framed() const { return m_framer != nullptr; }
    [[nodiscard]] bool idle() const { return m_framer && m_framer->config().type == FramingType::Idle; }

    /// One TCP read. Returns Dropped / AcceptedPause if any push said so (else Accepted).
    /// Raw framing passes the slice on as it is (no copy).
    PushResult onRead(const SharedBytes& bytes);
    /// One UDP datagram from `peer`: framed on its own (its last bytes end the last message).
    PushResult onDatagram(const SharedBytes& datagram, const std::string& peer);
    /// Consecutive datagrams from `peer`, back to back in `bytes` (one span each): one DataEvent
    /// with a message per datagram (framing raw), or each datagram framed on its own.
    /// `local`: the address they were sent to when the socket is bound to a wildcard (else empty).
    PushResult onDatagrams(const SharedBytes& bytes, std::vector<FrameSpan> datagrams, const std::string& peer,
                           const std::string& local = {});
    /// Idle framing: when the pending frame ends unless more bytes arrive.
    [[nodiscard]] std::optional<Clock::time_point> deadline() const {
        return m_framer ? m_framer->deadline() : std::nullopt;
    }
    PushResult onTimer(Clock::time_point now);
    /// The stream ended (peer FIN, close): pending bytes go out as a last frame. Idempotent.
    PushResult finish();
    [[nodiscard]] bool failed() const { return m_framer && m_framer->failed(); }

private:
    void onFrame(ByteView frame) override;
    void onFrames(const std::uint8_t* base, std::span<const FrameCut> frames) override;
    void push(DataEvent&& event);
    /// A framed read as it arrived, to the recorders only (DataLayer::Wire).
    void offerWire(const DataEvent& event);
    void onFramingError(const ErrorInfo& error) override;
    /// Queues the batch, then shows its frames to the observer.
    void flush();
    /// A frame for the observer: at once if its event is queued, else when the batch is.
    void observe(ByteView frame, bool queued);
    /// The framer's finish(); the frame it emits (the rest without a delimiter) strips nothing.
    void finishFramer(bool incomplete_is_error);
    PushResult takeResult();

    EventQueue& m_queue;
    const EndpointId m_endpoint;
    const ConnectionId m_connection;
    const EventPriority m_priority;
    ErrorHandler m_onError;
    MessageObserver m_observer;
    std::unique_ptr<Framer> m_framer;   // null: raw
    FrameBatch m_batch;
    std::vector<ByteView> m_observed;   // frames of m_batch the observer has yet to see
    std::string m_peer;                 // udp: the sender of the datagram being framed
    std::string m_local;                // udp on a wildcard bind: the address it was sent to
    std::string m_delimiter;            // delimiter framing with keep false: what each frame lost
    bool m_finishing = false;           // in the framer's finish(): its frame had no delimiter
    PushResult m_result = PushResult::Accepted;
};

}  // namespace sockscope
