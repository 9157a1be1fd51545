#pragma once
// Responders: the stages of a session that answer what arrives (docs/architecture.md, "Sessions
// and stages"). On the I/O thread only.
//
//   transport read --> Responder::onReceived (raw bytes: echo)
//                  --> framer --> Responder::onMessage (each framed message: rules, scripts)
//                             --> tap (event queue)
//
// An endpoint holds an ordered list of ResponderStages (echo first, then rules, then what others
// add). Each new session (a TCP connection; the socket of a UDP endpoint) asks every stage to
// attach(); what they return is the session's chain, and it sees every received byte in order.
// A responder answers through the session's ReplyChannel: send now, send later, close (FIN/RST).
// A responder can also be attached to a running session (Endpoint::attachResponder), e.g. a
// script started on a connection that is already open.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "core/commands.hpp"
#include "core/net/error_text.hpp"
#include "core/types.hpp"

namespace sockscope {

using ResponderBytes = std::span<const std::uint8_t>;

class FaultInjector;   // session/faults.hpp
struct StageContext;   // session/stages.hpp
/// Shapes a send (split, duplicate: docs/profile-format.md "Fault injection"); null: the
/// endpoint's own "faults", if any.
using FaultsRef = std::shared_ptr<FaultInjector>;

/// Where a session's answers go: a TCP connection, or (UDP) the sender of the datagram being
/// answered (after it, the last sender). Valid during the call that received it; a responder that
/// acts later uses sendLater/closeLater/after, which are dropped when the session ends (the session
/// reports delayed replies that could not leave).
class ReplyChannel {
public:
    virtual ~ReplyChannel() = default;

    /// Queues bytes to the peer. The error (plain words) when refused: closed, closing, queue full.
    /// `faults`: a rule's own fault injection (split, duplicate) instead of the endpoint's.
    [[nodiscard]] virtual std::optional<ErrorInfo> send(Bytes bytes, const FaultsRef& faults = nullptr) = 0;
    /// Sends after `delay` (to the same peer). False when too many delayed actions are pending
    /// (kMaxDelayedActions): the caller reports it. Bytes waiting here count against room().
    /// TCP: delayed replies leave in the order they were scheduled (a stream is never reordered).
    /// UDP: sends to `peer` ("127.0.0.1:5000": the remote or a recent sender) instead of the
    /// sender being answered; an error when that address is not known. A connection has one
    /// peer: plain send().
    [[nodiscard]] virtual std::optional<ErrorInfo> sendToPeer(const std::string& peer, Bytes bytes) {
        (void)peer;
        return send(std::move(bytes));
    }
    [[nodiscard]] virtual bool sendLater(std::chrono::milliseconds delay, Bytes bytes,
                                         FaultsRef faults = nullptr) = 0;
    /// A delayed reply or close of this stream is still to come: a reply sent now would overtake
    /// it, so it takes the delayed path too (TCP; datagrams may arrive in any order anyway).
    [[nodiscard]] virtual bool delayedStillToCome() const { return false; }
    /// TCP: closes (Graceful = FIN after the queued bytes, Abort = RST). Within a receive callback
    /// the close happens once the current read is handled. UDP: nothing to close (ignored).
    virtual void close(CloseMode mode) = 0;
    [[nodiscard]] virtual bool closeLater(std::chrono::milliseconds delay, CloseMode mode) = 0;
    /// Runs `fn` on the I/O thread after `delay` unless the session ended by then.
    [[nodiscard]] virtual bool after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
    /// Whether send() can succeed now (open, not closing).
    [[nodiscard]] virtual bool writable() const = 0;
    /// Bytes the write queue takes before send() refuses.
    [[nodiscard]] virtual std::size_t room() const = 0;
    /// What the write queue takes when empty (write_queue_limit).
    [[nodiscard]] virtual std::size_t queueLimit() const = 0;
    /// A reply that was not sent: counted in the endpoint's statistics (echo_dropped) and
    /// reported once, then as a count per window.
    virtual void replyDropped(ErrorInfo why) = 0;
    /// An error of a responder (a rule paused, a regex that gave up): rate-limited like replyDropped.
    virtual void reportError(ErrorContext context, ErrorInfo error) = 0;

    virtual EndpointId endpoint() const = 0;
    virtual ConnectionId connection() const = 0;   // 0 for udp
    /// "127.0.0.1:5000": the connection's peer, or the sender being answered (udp).
    virtual const std::string& peer() const = 0;
    virtual asio::io_context& io() = 0;
};

/// "2 delayed replies (20 bytes) were not sent: <why>": what a session says when it ends with
/// delayed replies still waiting (they can no longer leave; never dropped without a word).
ErrorInfo delayedRepliesNotSent(std::size_t replies, std::size_t bytes, const std::string& why, const std::string& why_zh);

/// Pending delayed actions per session at most (a peer cannot make us hold unbounded timers).
inline constexpr std::size_t kMaxDelayedActions = 10000;

/// One session's instance of a stage. Every hook has a default: override what you need.
class Responder {
public:
    virtual ~Responder() = default;
    /// The most bytes the next read may take (back-pressure: a responder that answers every byte
    /// returns the room left in the write queue; 0 pauses reading until the queue drains to half).
    virtual std::size_t readLimit(const ReplyChannel&) const { return std::numeric_limits<std::size_t>::max(); }
    /// The bytes of one read (TCP) or one datagram (UDP), before framing.
    virtual void onReceived(ReplyChannel&, ResponderBytes) {}
    /// One framed message (framing "raw": one read / one datagram).
    virtual void onMessage(ReplyChannel&, ResponderBytes) {}
    /// TCP: the peer ended its side (FIN): nothing more will be received, sends still go (the
    /// connection is half-open until someone closes it). After the last message of the stream.
    virtual void onPeerClosed(ReplyChannel&) {}
    /// The session ended (TCP: closed; UDP: the endpoint stopped). No more sends.
    virtual void onClosed() {}
    /// True once it has nothing more to do: the session drops it.
    virtual bool finished() const { return false; }
};

/// A responder factory held by the endpoint: one per kind of behaviour (echo, rules, ...).
class ResponderStage {
public:
    virtual ~ResponderStage() = default;
    /// A new session: its responder, or null when this stage has nothing to do there.
    virtual std::shared_ptr<Responder> attach(ReplyChannel& channel) = 0;
    /// ~2 Hz with the endpoint's refresh (events such as hit counts, coalesced). `force`: send
    /// even when nothing changed (a front end asked for a snapshot).
    virtual void refresh(std::chrono::steady_clock::time_point, bool /*force*/) {}
    /// The endpoint (re)started or stopped: reset per-run state.
    virtual void started() {}
};

using ResponderStages = std::vector<std::shared_ptr<ResponderStage>>;

/// The responders of one session, in stage order.
class ResponderChain {
public:
    bool empty() const { return m_items.empty(); }
    void add(std::shared_ptr<Responder> responder) {
        if (responder) m_items.push_back(std::move(responder));
    }
    /// Attaches every stage to a new session.
    void attachAll(const ResponderStages& stages, ReplyChannel& channel) {
        for (const auto& stage : stages) add(stage->attach(channel));
    }
    std::size_t readLimit(const ReplyChannel& channel, std::size_t limit) const {
        for (const auto& r : m_items) limit = std::min(limit, r->readLimit(channel));
        return limit;
    }
    void onReceived(ReplyChannel& channel, ResponderBytes bytes) {
        for (std::size_t i = 0; i < m_items.size(); ++i) m_items[i]->onReceived(channel, bytes);
        prune();
    }
    void onMessage(ReplyChannel& channel, ResponderBytes message) {
        // By index: a responder may attach another one while it runs (added at the end).
        for (std::size_t i = 0; i < m_items.size(); ++i) m_items[i]->onMessage(channel, message);
        prune();
    }
    void onPeerClosed(ReplyChannel& channel) {
        for (std::size_t i = 0; i < m_items.size(); ++i) m_items[i]->onPeerClosed(channel);
        prune();
    }
    void onClosed() {
        auto items = std::move(m_items);
        m_items.clear();
        for (const auto& r : items) r->onClosed();
    }

private:
    void prune() {
        std::erase_if(m_items, [](const std::shared_ptr<Responder>& r) { return r->finished(); });
    }
    std::vector<std::shared_ptr<Responder>> m_items;
};

/// Echo: every received byte goes back to its sender, before framing (the stream comes back as it
/// came, whatever the framing). TCP never loses a byte: reads are limited to the write queue's
/// room. UDP cannot slow a sender: a datagram that does not fit is dropped and counted.
/// With fault injection (`faults`: the endpoint's) an echo may be dropped or delayed.
class EchoStage final : public ResponderStage {
public:
    explicit EchoStage(FaultsRef faults = nullptr) : m_faults(std::move(faults)) {}
    std::shared_ptr<Responder> attach(ReplyChannel& channel) override;

private:
    FaultsRef m_faults;
    std::shared_ptr<Responder> m_shared;   // stateless: one for all sessions
};
/// The echo stage's factory (registry): an EchoStage when the endpoint's "echo" is on.
void addEchoStage(const StageContext& context, ResponderStages& out);

/// Sends a responder's reply through `faults` (drop, delay; null: none) and reports a reply that
/// could not be sent as `what` ("echo of 12 bytes", "rule \"ping\": reply of 6 bytes").
/// `extra_delay`: the reply's own delay (a rule's delay_ms), the faults' delay is added.
/// Returns the delay used (a close that follows the reply waits as long).
std::chrono::milliseconds sendReply(ReplyChannel& channel, Bytes bytes, const FaultsRef& faults,
                                    std::chrono::milliseconds extra_delay, const std::string& what);

}  // namespace sockscope
