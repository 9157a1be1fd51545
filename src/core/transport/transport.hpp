#pragma once
// A transport: how the bytes of one connection arrive and leave (TCP now; TLS and serial next).
// It owns the stream: reading into its buffer, writing (one write in flight, a byte-capped queue),
// closing (FIN, half-close, RST, linger without blocking) and the kernel's view of it. What the
// bytes mean is the session's business (session/stream_session.hpp): the transport hands every
// read to its TransportHandler and never frames, answers or logs.
//
//   session --start/send/close/pauseable reads--> Transport --socket/stream
//   session <--readLimit/onReceived/onPeerFin/onSent/onClosed-- Transport
//
// Reading is push-style: the transport decides how to wait (TCP: readiness then read into the
// engine's shared arena; TLS would use async_read_some), asks readLimit() before each read (0:
// the handler holds reading and calls resumeReading() later) and hands the slice to onReceived().
// On the I/O thread only. Every handler call runs with the handler alive (weak, locked per call).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/commands.hpp"
#include "core/events.hpp"
#include "core/net/tcp_state.hpp"
#include "core/shared_bytes.hpp"

namespace sockscope {

class FaultInjector;   // session/faults.hpp

/// What a transport tells the session on top of it.
class TransportHandler {
public:
    virtual ~TransportHandler() = default;
    /// The most bytes the next read may take (`most`: the transport's own limit). 0: do not read
    /// now; the handler calls Transport::resumeReading() when it wants bytes again.
    virtual std::size_t readLimit(std::size_t most) = 0;
    /// One read, as a slice the handler may keep (no copy).
    virtual void onReceived(const SharedBytes& bytes) = 0;
    /// The peer closed its sending side (FIN). Reading has stopped; sending may go on.
    virtual void onPeerFin() = 0;
    /// One queued message (or split piece) left: the bytes as they went.
    virtual void onSent(SharedBytes sent) = 0;
    /// A write completed: the queue has more room.
    virtual void onWriteDone() {}
    /// The kernel's state changed on our side (our FIN left): refresh what the user sees.
    virtual void onKernelStateChanged() {}
    /// A half-close: our FIN left while the connection stays open for the peer's bytes.
    virtual void onFinSent() {}
    /// The transport is closed (by either side or an error); nothing more will come.
    virtual void onClosed(CloseReason reason, std::optional<ErrorInfo> error) = 0;
};

class Transport {
public:
    virtual ~Transport() = default;

    /// Starts reading; `handler` gets every callback from now on.
    virtual void start(std::weak_ptr<TransportHandler> handler) = 0;
    /// Queues bytes (split/duplicated by `shape` when given). The error in plain words when
    /// refused: closed, closing (FIN sent), queue over its limit.
    /// The bytes are held, not copied (a Bytes vector converts by adopting its storage).
    /// `receipt` (optional) is held with the queued bytes and told when they are written.
    [[nodiscard]] virtual std::optional<ErrorInfo> send(SharedBytes bytes, FaultInjector* shape,
                                                        std::shared_ptr<SendReceipt> receipt = {}) = 0;
    /// Graceful: FIN once the queue has left (then linger, if set); HalfClose: FIN, still reading;
    /// Abort: RST now.
    virtual void close(CloseMode mode) = 0;
    /// A stop of the engine: never waits for a peer (queued bytes: RST, saying so).
    virtual void shutdownForStop(CloseMode mode) = 0;
    /// How a later graceful close is reported (PeerClosed when closing for the peer's FIN) and
    /// why we closed on our own (CLOSE_WAIT timeout, a framing error); kept until the close.
    virtual void setGracefulReason(CloseReason reason) = 0;
    virtual void setCloseNote(ErrorInfo note) = 0;
    /// Read again soon (after other handlers ran): data may be waiting since reading was held.
    virtual void resumeReading() = 0;
    /// After the peer's FIN: watch for an error or RST that follows it (no-op where none can).
    virtual void watchAfterPeerFin() = 0;
    /// The kernel's view now (TCP_INFO); may end the transport (a RST seen after the peer's FIN).
    /// Nullopt when closed or not available.
    virtual std::optional<TcpInfo> refreshKernelView() = 0;

    [[nodiscard]] virtual bool closed() const = 0;
    /// Open and not closing: send() can succeed.
    [[nodiscard]] virtual bool writable() const = 0;
    /// This side sent its FIN (half-close, or a close under way).
    [[nodiscard]] virtual bool sentFin() const = 0;
    /// Bytes waiting in the write queue (including the write in flight), and its limit.
    [[nodiscard]] virtual std::size_t queuedBytes() const = 0;
    [[nodiscard]] virtual std::size_t queueLimit() const = 0;
    /// Payload bytes in the write queue (queuedBytes() without its per-message bookkeeping).
    [[nodiscard]] virtual std::size_t unsentBytes() const { return queuedBytes(); }
    /// A close was asked for and waits until the write queue is sent.
    [[nodiscard]] virtual bool closePending() const { return false; }
    /// The most one more message may hold before send() refuses it.
    [[nodiscard]] virtual std::size_t room() const {
        return queueLimit() > queuedBytes() ? queueLimit() - queuedBytes() : 0;
    }
    /// "127.0.0.1:5000": the peer and the local address ("" when unknown).
    [[nodiscard]] virtual const std::string& peerName() const = 0;
    [[nodiscard]] virtual const std::string& localName() const = 0;
};

}  // namespace sockscope
