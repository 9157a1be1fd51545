#include "core/transport/udp_transport.hpp"

#include <algorithm>
#include <asio/post.hpp>

#if defined(__linux__)
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#endif

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"
#include "core/net/error_throttle.hpp"
#include "core/net/tcp_state.hpp"
#include "core/session/faults.hpp"

namespace sockscope {
namespace {

std::string describe(const DatagramAddress& endpoint) { return formatEndpoint(endpoint.address(), endpoint.port()); }

/// EMSGSIZE when `size` cannot go to `to` in one datagram (its family's limit).
std::optional<ErrorInfo> datagramTooLarge(std::size_t size, const DatagramAddress& to) {
    const bool v4 = to.address().is_v4() || (to.address().is_v6() && to.address().to_v6().is_v4_mapped());
    const std::size_t limit = v4 ? UdpTransport::kMaxDatagramV4 : UdpTransport::kMaxDatagramV6;
    if (size <= limit) return std::nullopt;
    const std::string family = v4 ? "IPv4" : "IPv6";
    return ErrorInfo{"EMSGSIZE",
                     "datagram of " + groupDigits(size) + " bytes to " + describe(to) + " is larger than UDP over " +
                         family + " allows (" + groupDigits(limit) + ")",
                     "发往 " + describe(to) + " 的数据报有 " + groupDigits(size) + " 字节，超过了 " + family +
                         " 上 UDP 的上限（" + groupDigits(limit) + " 字节）"};
}

/// A socket bound to 0.0.0.0 or :: hears on every address of the host: ask the kernel which one
/// each datagram was sent to, so that the log and the recordings show the real address.
bool askForDestinationAddresses(asio::ip::udp::socket& socket, const asio::ip::address& bound) {
#if defined(__linux__)
    if (!bound.is_unspecified()) return false;
    const int on = 1;
    const int level = bound.is_v6() ? IPPROTO_IPV6 : IPPROTO_IP;
    const int option = bound.is_v6() ? IPV6_RECVPKTINFO : IP_PKTINFO;
    return ::setsockopt(socket.native_handle(), level, option, &on, sizeof on) == 0;
#else
    (void)socket;
    (void)bound;
    return false;
#endif
}

#if defined(__linux__)
/// Puts one control message (`info`, of `level` / `type`) into `h`, whose buffer has room for it.
template <class Info>
void putControl(msghdr& h, int level, int type, const Info& info) {
    h.msg_controllen = CMSG_SPACE(sizeof info);
    cmsghdr* c = CMSG_FIRSTHDR(&h);
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
}

/// sendmsg() with IP_PKTINFO / IPV6_PKTINFO naming the source address `from`; `ec` says why not.
bool sendFrom(int fd, bool v6_socket, const DatagramAddress& to, const asio::ip::address& from,
              std::span<const std::uint8_t> payload, std::error_code& ec) {
    ec.clear();
    iovec iov{const_cast<std::uint8_t*>(payload.data()), payload.size()};
    msghdr h{};
    h.msg_name = const_cast<void*>(static_cast<const void*>(to.data()));
    h.msg_namelen = static_cast<socklen_t>(to.size());
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
    h.msg_control = control;
    if (v6_socket) {
        // No interface: the kernel takes it from the destination's scope (a link-local peer's).
        in6_pktinfo info{};
        const asio::ip::address_v6 source =
            from.is_v4() ? asio::ip::make_address_v6(asio::ip::v4_mapped, from.to_v4()) : from.to_v6();
        const auto bytes = source.to_bytes();
        std::memcpy(&info.ipi6_addr, bytes.data(), bytes.size());
        putControl(h, IPPROTO_IPV6, IPV6_PKTINFO, info);
    } else {
        if (!from.is_v4()) return ec = std::make_error_code(std::errc::invalid_argument), false;
        in_pktinfo info{};
        const auto bytes = from.to_v4().to_bytes();
        std::memcpy(&info.ipi_spec_dst, bytes.data(), bytes.size());
        putControl(h, IPPROTO_IP, IP_PKTINFO, info);
    }
    if (::sendmsg(fd, &h, MSG_NOSIGNAL) >= 0) return true;
    ec = std::error_code(errno, std::system_category());
    return false;
}

/// How the kernel refuses a source that is not (or no longer) one of this host's addresses.
bool refusedSource(const std::error_code& ec) {
    return ec == std::errc::invalid_argument || ec == std::errc::network_unreachable ||
           ec == std::errc::address_not_available;
}
#endif

}  // namespace

UdpTransport::UdpTransport(EngineContext& context, asio::ip::udp::socket socket, Settings settings)
    : m_ctx(context), m_socket(std::move(socket)), m_settings(std::move(settings)), m_gapTimer(context.io),
      m_readRetry(context.io) {
    std::error_code ec;
    if (const auto local = m_socket.local_endpoint(ec); !ec) {
        m_local = describe(local);
        m_localEndpoint = local;
        m_localPort = local.port();
        if (askForDestinationAddresses(m_socket, local.address())) m_reader.receiveLocalAddresses();
    }
    m_socket.non_blocking(true, ec);
}

UdpTransport::~UdpTransport() = default;

void UdpTransport::start(std::weak_ptr<DatagramHandler> handler) {
    m_handler = std::move(handler);
    armRead();
}

// ---- reading ---------------------------------------------------------------------------------

void UdpTransport::armRead() {
    if (m_readArmed || m_closed) return;
    m_readArmed = true;
    m_socket.async_wait(asio::ip::udp::socket::wait_read, [self = shared_from_this()](std::error_code ec) {
        self->m_readArmed = false;
        self->onReadable(ec);
    });
}

void UdpTransport::readSoon() {
    if (m_readArmed || m_closed) return;
    m_readArmed = true;
    asio::post(m_ctx.io, [self = shared_from_this()] {
        self->m_readArmed = false;
        self->onReadable({});
    });
}

void UdpTransport::onReadable(std::error_code ec) {
    if (m_closed) return;
    if (ec) {
        if (ec == asio::error::operation_aborted) return;
        if (auto h = handler()) h->onError(ErrorContext::Read, describeError(ec, ErrorContext::Read, m_local));
        // Keep receiving: a socket that failed one wait must not go deaf. Later, not at once, so
        // an error that persists is reported at most every 100 ms instead of spinning.
        m_readArmed = true;
        m_readRetry.expires_after(std::chrono::milliseconds(100));
        m_readRetry.async_wait([self = shared_from_this()](std::error_code wait_error) {
            self->m_readArmed = false;
            if (!wait_error) self->armRead();
        });
        return;
    }
    bool answered = false;
    for (int i = 0; i < kReadsPerWake && !answered; ++i) {
        const auto h = handler();
        if (!h) return;
        // Several datagrams per system call straight into shared blocks (net/datagram_reader.hpp):
        // the log and the recorders keep these slices, not copies.
        const std::size_t limit = std::min(h->readLimit(kDatagramsPerRead), kDatagramsPerRead);
        if (limit == 0) return;   // held: the handler calls resumeReading()
        std::error_code read_error;
        if (m_reader.read(m_socket, m_ctx.read_arena, limit, read_error) == 0) {
            if (read_error == asio::error::would_block || read_error == asio::error::try_again) return armRead();
            // e.g. ECONNREFUSED: an ICMP port-unreachable answered one of our earlier sends.
            h->onError(ErrorContext::Read,
                       describeError(read_error, ErrorContext::Read,
                                     m_lastSender ? m_lastSenderName : m_settings.default_peer));
            if (m_closed) return;
            continue;
        }
        for (DatagramReader::Run& run : m_reader.runs()) {   // consecutive datagrams of one sender
            const DatagramAddress& sender = m_reader.senders()[run.sender];
            if (run.local != DatagramReader::kNoLocal) noteReplyFrom(sender, m_reader.locals()[run.local]);
            if (!m_lastSender || *m_lastSender != sender) {   // formatting an address costs more than the read
                m_lastSender = sender;
                m_lastSenderName = describe(sender);
            }
            const auto sends_before = m_sendsQueued;
            h->onDatagrams(run.bytes, std::move(run.datagrams), sender, m_lastSenderName, localNameOf(run));
            if (m_closed) return;
            // An answer went out (asio sends at once and posts its completion): let that completion
            // publish the tx before the next datagram's rx.
            if (m_sendsQueued != sends_before) answered = true;
        }
    }
    // Datagrams may remain: readiness is edge-triggered, so waiting now could wait for ever.
    // Yield to the other endpoints and read again.
    readSoon();
}

const std::string& UdpTransport::localNameOf(const DatagramReader::Run& run) {
    static const std::string kUnknown;
    if (run.local == DatagramReader::kNoLocal) return kUnknown;
    const asio::ip::address& local = m_reader.locals()[run.local];
    if (!m_lastLocal || *m_lastLocal != local) {
        m_lastLocal = local;
        m_lastLocalName = formatEndpoint(local, m_localPort);
    }
    return m_lastLocalName;
}

// ---- writing ---------------------------------------------------------------------------------

std::optional<ErrorInfo> UdpTransport::sendTo(const DatagramAddress& destination, SharedBytes payload,
                                              FaultInjector* shape, std::shared_ptr<SendReceipt> receipt) {
    if (m_closed) return ErrorInfo{"ENOTCONN", "udp endpoint is not bound", "UDP 端点尚未绑定"};
    if (auto too_large = datagramTooLarge(payload.size(), destination)) return too_large;
    const std::size_t piece = shape && shape->splits() ? shape->splitSize() : 0;
    const std::size_t pieces = piece > 0 && payload.size() > piece ? (payload.size() + piece - 1) / piece : 1;
    // Split pieces are counted with a per-datagram overhead: 1-byte pieces must not make the
    // queue's bookkeeping outgrow its byte limit.
    constexpr std::size_t kPieceOverhead = 64;
    const std::size_t cost = payload.size() + (piece > 0 ? pieces * kPieceOverhead : 0);
    const std::size_t limit = m_settings.write_queue_limit;
    if (m_queuedBytes + cost > limit)
        return ErrorInfo{"ENOBUFS",
                         "udp send queue is full (" + groupDigits(m_queuedBytes) + " bytes waiting): datagram to " +
                             describe(destination) + " dropped",
                         "UDP 发送队列已满（" + groupDigits(m_queuedBytes) + " 字节等待发送）：已丢弃发往 " +
                             describe(destination) + " 的数据报"};
    const std::size_t copies = shape && m_queuedBytes + 2 * cost <= limit && shape->duplicate() ? 2 : 1;
    if (piece > 0) shape->countPieces(copies * pieces);
    const auto gap = piece > 0 ? shape->splitGap() : std::chrono::milliseconds(0);
    for (std::size_t copy = 0; copy < copies; ++copy) {
        if (piece == 0) {
            m_writeQueue.push_back({destination, payload, gap, cost, receipt});
            continue;
        }
        // Pieces are slices of the one payload (no copies); an empty datagram stays one.
        for (std::size_t at = 0; at < payload.size() || at == 0; at += piece) {
            const std::size_t n = std::min(piece, payload.size() - at);
            m_writeQueue.push_back({destination, payload.slice(at, n), gap, n + kPieceOverhead, receipt});
            if (payload.empty()) break;
        }
    }
    m_queuedBytes += copies * cost;
    ++m_sendsQueued;
    if (receipt) receipt->queued = true;
    if (!m_writing) startWrite();
    return std::nullopt;
}

void UdpTransport::startWrite() {
    if (m_writeQueue.empty() || m_closed) {
        m_writing = false;
        return;
    }
    m_writing = true;
    const Datagram& next = m_writeQueue.front();
    // Sent here rather than by async_send_to (which makes the same non-blocking attempt): at a
    // close, whether the datagram in progress left is then known, never lost between the two.
    std::error_code ec;
    sendNow(next, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
        m_socket.async_wait(asio::ip::udp::socket::wait_write, [self = shared_from_this()](std::error_code wait_error) {
            if (self->m_closed) return;
            if (wait_error) return self->onWritten(wait_error);
            self->startWrite();
        });
        return;
    }
    m_handed = true;
    m_handedResult = ec;
    // Completed later, as asio would: a reply's tx is published after the rx it answers.
    asio::post(m_ctx.io, [self = shared_from_this()] {
        if (!self->m_closed) self->onWritten(self->m_handedResult);
    });
}

void UdpTransport::noteReplyFrom(const DatagramAddress& sender, const asio::ip::address& local) {
    // A group or a broadcast it wrote to is no source: the kernel chooses, as before it.
    if (local.is_multicast() || (local.is_v4() && local.to_v4() == asio::ip::address_v4::broadcast()) ||
        m_notASource.count(local) != 0) {
        if (!m_replyFrom.empty()) m_replyFrom.erase(sender);
        return;
    }
    const auto it = m_replyFrom.find(sender);
    if (it != m_replyFrom.end()) {
        it->second = local;
        return;
    }
    if (m_replyFrom.size() >= kReplyFromMax) m_replyFrom.clear();
    m_replyFrom.emplace(sender, local);
}

void UdpTransport::sendNow(const Datagram& datagram, std::error_code& ec) {
    const auto payload = asio::buffer(datagram.payload.data(), datagram.payload.size());
#if defined(__linux__)
    if (const auto from = m_replyFrom.find(datagram.destination); from != m_replyFrom.end()) {
        if (sendFrom(m_socket.native_handle(), m_localEndpoint && m_localEndpoint->address().is_v6(), datagram.destination,
                     from->second, datagram.payload.view(), ec) ||
            !refusedSource(ec))
            return;
        // A subnet broadcast the peer wrote to, or an address gone since? Only if the kernel's own
        // choice goes: then it chooses, for this peer and from now on (else the error is the send's).
        m_socket.send_to(payload, datagram.destination, 0, ec);
        if (ec) return;
        if (m_notASource.size() >= kReplyFromMax) m_notASource.clear();
        m_notASource.insert(from->second);
        m_replyFrom.erase(from);
        return;
    }
#endif
    m_socket.send_to(payload, datagram.destination, 0, ec);
}

void UdpTransport::reportFront(const std::shared_ptr<DatagramHandler>& h, std::error_code ec) {
    Datagram sent = std::move(m_writeQueue.front());
    m_writeQueue.pop_front();
    m_queuedBytes -= sent.cost;
    m_handed = false;
    if (!h) return;
    if (!ec && sent.receipt) sent.receipt->left = true;
    if (ec) h->onError(ErrorContext::Write, describeError(ec, ErrorContext::Write, describe(sent.destination)));
    else h->onSent(sent.destination, std::move(sent.payload));
}

void UdpTransport::onWritten(std::error_code ec) {
    const auto h = handler();
    const std::chrono::milliseconds gap = m_writeQueue.front().gap;
    reportFront(h, ec);
    if (h) h->onWriteDone();
    if (m_closed) return;
    if (gap.count() == 0 || m_writeQueue.empty()) return startWrite();
    m_gapTimer.expires_after(gap);
    m_inGap = true;
    m_gapTimer.async_wait([self = shared_from_this()](std::error_code wait_error) {
        self->m_inGap = false;
        if (!wait_error && !self->m_closed) self->startWrite();
    });
}

// ---- closing and the kernel's view -----------------------------------------------------------

void UdpTransport::close() {
    if (m_closed) return;
    m_closed = true;
    // Nothing queued goes unsaid: the datagram handed to the kernel is reported as it went, the
    // ones still waiting (for room, behind a split gap, behind it) as not sent.
    const auto h = handler();
    if (m_handed) reportFront(h, m_handedResult);
    if (h && !m_writeQueue.empty()) h->onError(ErrorContext::Write, notSentAtClose());
    std::error_code ignored;
    m_socket.close(ignored);
    m_gapTimer.cancel();
    m_readRetry.cancel();
    m_writeQueue.clear();
    m_queuedBytes = 0;
    m_writing = false;
}

void UdpTransport::flushQueued() {
    if (m_closed || m_inGap) return;   // a split's spacing under way: the rest waits for it
    const auto h = handler();
    if (m_handed) {   // already in the kernel: its posted completion will find the transport closed
        const bool gap = m_writeQueue.front().gap.count() > 0;
        reportFront(h, m_handedResult);
        if (gap) return;
    }
    while (!m_writeQueue.empty()) {
        const Datagram& next = m_writeQueue.front();
        const bool gap = next.gap.count() > 0;   // a split's spacing: what follows waits for it
        std::error_code ec;
        sendNow(next, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) return;
        reportFront(h, ec);
        if (gap) return;
    }
}

ErrorInfo UdpTransport::notSentAtClose() const {
    std::uint64_t bytes = 0;
    for (const Datagram& datagram : m_writeQueue) bytes += datagram.payload.size();
    const std::size_t count = m_writeQueue.size();
    const std::string what = groupDigits(count) + (count == 1 ? " datagram (" : " datagrams (") + bytesText(bytes) + ")";
    return {"ECANCELED", what + " not sent: the endpoint stopped",
            groupDigits(count) + " 个数据报（" + groupDigits(bytes) + " 字节）未发送：端点已停止"};
}

std::optional<std::uint64_t> UdpTransport::kernelDrops() const {
    if (m_closed) return std::nullopt;
    // const_cast: native_handle() is not const in asio, reading it changes nothing.
    return socketDrops(static_cast<std::intptr_t>(const_cast<asio::ip::udp::socket&>(m_socket).native_handle()));
}

}  // namespace sockscope
