#pragma once
// A datagram transport: how the datagrams of one socket arrive and leave (UDP now). The datagram
// twin of transport/transport.hpp: it owns the socket's reading (batched: several datagrams per
// system call), its write queue (one datagram per send, each to its own address; fault shaping
// splits a datagram into smaller ones or sends it twice), its errors and the kernel's view (drops).
// What the datagrams mean is the session's business (session/datagram_session.hpp).
//
//   session --start/sendTo/resumeReading/close--> DatagramTransport --socket
//   session <--readLimit/onDatagrams/onSent/onWriteDone/onError-- DatagramTransport
//
// Unlike a stream, a read carries its sender and a send names its destination; there is no FIN,
// no half-close, and an error (an ICMP port-unreachable, a refused send) does not end the socket:
// it is reported and the transport goes on. On the I/O thread only. Every handler call runs with
// the handler alive (weak, locked per call).
#include <asio/ip/udp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/commands.hpp"
#include "core/events.hpp"
#include "core/shared_bytes.hpp"

namespace sockscope {

class FaultInjector;   // session/faults.hpp

using DatagramAddress = asio::ip::udp::endpoint;

/// What a datagram transport tells the session on top of it.
class DatagramHandler {
public:
    virtual ~DatagramHandler() = default;
    /// The most datagrams the next read may take (`most`: the transport's batch). 0: do not read
    /// now; the handler calls DatagramTransport::resumeReading() when it wants datagrams again.
    virtual std::size_t readLimit(std::size_t most) = 0;
    /// Consecutive datagrams of one sender, back to back in `bytes` (one span each, at least one):
    /// slices the handler may keep (no copy). `sender_name`: "127.0.0.1:5000", formatted once.
    /// `local_name`: the address and port they were sent to, when the socket is bound to a
    /// wildcard address and the OS says (empty otherwise: the bound address is the local one).
    virtual void onDatagrams(const SharedBytes& bytes, std::vector<FrameSpan> datagrams, const DatagramAddress& sender,
                             const std::string& sender_name, const std::string& local_name) = 0;
    /// One queued datagram (or split piece) left for `destination`: the bytes as they went.
    virtual void onSent(const DatagramAddress& destination, SharedBytes sent) = 0;
    /// A send completed (sent or failed): the queue has more room.
    virtual void onWriteDone() {}
    /// A read or a send failed (in plain words); the socket stays open. May repeat without end:
    /// the handler rate-limits it.
    virtual void onError(ErrorContext context, ErrorInfo error) = 0;
};

class DatagramTransport {
public:
    virtual ~DatagramTransport() = default;

    /// Starts reading; `handler` gets every callback from now on.
    virtual void start(std::weak_ptr<DatagramHandler> handler) = 0;
    /// Queues one datagram to `destination` (split/duplicated by `shape` when given). The error in
    /// plain words when refused (closed, larger than a datagram may be, queue over its limit):
    /// nothing was queued. The bytes are held, not copied.
    /// `receipt` (optional): marked queued, then left once a datagram of it went (timers count it).
    [[nodiscard]] virtual std::optional<ErrorInfo> sendTo(const DatagramAddress& destination, SharedBytes bytes,
                                                          FaultInjector* shape,
                                                          std::shared_ptr<SendReceipt> receipt = nullptr) = 0;
    /// Read again soon (after other handlers ran): datagrams may be waiting since reading was held.
    virtual void resumeReading() = 0;
    /// Closes the socket now. Before it returns, the handler hears of every datagram queued: the
    /// one handed to the kernel as sent (or failed), the others as one ECANCELED error ("N datagrams
    /// (B bytes) not sent"). No handler call follows.
    virtual void close() = 0;
    /// Before a graceful close: hands the kernel every queued datagram it takes now (never waits;
    /// a split gap still ahead stops it), each reported as sent. What it does not take, close() says.
    virtual void flushQueued() = 0;
    /// The kernel's drops for this socket since it was created (nullopt: the OS cannot tell).
    [[nodiscard]] virtual std::optional<std::uint64_t> kernelDrops() const = 0;

    [[nodiscard]] virtual bool closed() const = 0;
    /// Bytes waiting in the write queue (including the send in flight), and its limit.
    [[nodiscard]] virtual std::size_t queuedBytes() const = 0;
    [[nodiscard]] virtual std::size_t queueLimit() const = 0;
    /// The sender of the last datagram read (nullopt before any).
    [[nodiscard]] virtual const std::optional<DatagramAddress>& lastSender() const = 0;
    /// "0.0.0.0:5000": the bound address ("" when unknown).
    [[nodiscard]] virtual const std::string& localName() const = 0;
};

}  // namespace sockscope
