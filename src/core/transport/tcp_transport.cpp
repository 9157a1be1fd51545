#include "core/transport/tcp_transport.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"
#include "core/net/error_throttle.hpp"
#include "core/net/socket_options.hpp"
#include "core/session/faults.hpp"

namespace sockscope {
namespace {

// Reads per readiness wake-up before yielding to other connections (fairness under floods).
constexpr int kReadsPerWake = 4;
// The error watch after EOF re-arms at most this often without finding anything (no spinning);
// the ~2 Hz refresh still sees a reset through TCP_INFO after that.
constexpr int kMaxQuietErrorWakes = 8;
constexpr auto kLingerPoll = std::chrono::milliseconds(20);
constexpr auto kResetAckWait = std::chrono::seconds(2);   // a reset after a reply: its acknowledgement
// Bytes one sendmsg may take from a gather write. asio's transfer_all() stops each write_some at
// 64 KiB (default_max_transfer_size): a 1 MiB queue then took 16 syscalls and 16 reactor turns.
constexpr std::size_t kMaxWriteSome = 1u << 20;

/// asio::transfer_all() without its 64 KiB cap per write_some (see kMaxWriteSome).
std::size_t transferAllLarge(const std::error_code& ec, std::size_t) { return ec ? 0 : kMaxWriteSome; }

bool isReset(std::error_code ec) {
    return ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted;
}

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
    return formatEndpoint(endpoint.address(), endpoint.port());
}

/// The socket's pending error (SO_ERROR, which reading clears); 0 when none.
int pendingError(asio::ip::tcp::socket& socket) {
    asio::detail::socket_option::integer<SOL_SOCKET, SO_ERROR> option;
    std::error_code ec;
    socket.get_option(option, ec);
    return ec ? 0 : option.value();
}

ErrorInfo linger0Note() {
    return {"LINGER_0", "linger_s is 0: closing sends RST instead of FIN", "linger_s 为 0：关闭时发送 RST 而不是 FIN"};
}

}  // namespace

TcpTransport::TcpTransport(EngineContext& context, asio::ip::tcp::socket socket, Settings settings,
                           std::optional<asio::ip::tcp::endpoint> known_peer)
    : m_ctx(context), m_socket(std::move(socket)), m_settings(std::move(settings)), m_gapTimer(context.io),
      m_lingerTimer(context.io) {
    std::error_code ec;
    // accept() said who it was: a peer that reset at once has no remote_endpoint() any more.
    if (known_peer) m_peer = describe(*known_peer);
    else if (auto peer = m_socket.remote_endpoint(ec); !ec) m_peer = describe(peer);
    if (auto local = m_socket.local_endpoint(ec); !ec) m_local = describe(local);
    m_socket.non_blocking(true, ec);
}

void TcpTransport::start(std::weak_ptr<TransportHandler> handler) {
    m_handler = std::move(handler);
    readSoon();   // a client may have sent before we accepted
}

// ---- reading ---------------------------------------------------------------------------------

void TcpTransport::armRead() {
    if (m_closed || m_peerFin || m_readArmed) return;
    m_readArmed = true;
    m_socket.async_wait(asio::ip::tcp::socket::wait_read, [self = shared_from_this()](std::error_code ec) {
        self->m_readArmed = false;
        self->onReadable(ec);
    });
}

void TcpTransport::readSoon() {
    if (m_closed || m_peerFin || m_readArmed) return;
    m_readArmed = true;
    asio::post(m_ctx.io, [self = shared_from_this()] {
        self->m_readArmed = false;
        self->onReadable({});
    });
}

void TcpTransport::onReadable(std::error_code ec) {
    if (m_closed) return;
    if (ec) {
        if (ec != asio::error::operation_aborted) failWith(ec, ErrorContext::Read);
        return;
    }
    // A write whose completion is already queued (asio hands the bytes to the kernel at once and
    // posts the rest) goes first: its tx then comes before the rx of the peer's answer to it, in
    // the log and in recordings. A few posts at most: a write waiting for a peer that does not
    // read must not hold reading back.
    if (m_writing && m_readDeferrals < kWriteFirstDeferrals) {
        ++m_readDeferrals;
        return readSoon();
    }
    m_readDeferrals = 0;
    const auto h = handler();
    if (!h) return;
    auto& arena = m_ctx.read_arena;
    for (int i = 0; i < kReadsPerWake; ++i) {
        // The session holds reading (back-pressure, stop reading) or limits it (echo's room).
        const std::size_t room = h->readLimit(arena.maxRead());
        if (room == 0) return;
        // Straight into a shared block: the log and the recorders keep this slice, not a copy.
        const auto buffer = arena.room(room);
        std::error_code read_error;
        const std::size_t n = m_socket.read_some(asio::buffer(buffer.data(), std::min(room, buffer.size())), read_error);
        if (read_error == asio::error::would_block || read_error == asio::error::try_again) return armRead();
        if (read_error == asio::error::eof) return onPeerFinAfterWrites(kFinDeferrals);
        if (read_error) return failWith(read_error, ErrorContext::Read);
        const std::uint64_t writes_before = m_writesStarted;
        h->onReceived(arena.commit(n));
        if (m_closed) return;
        if (m_writesStarted != writes_before) return readSoon();   // answered: its tx first (above)
    }
    // Data may remain: readiness is edge-triggered, so waiting now could wait for ever. Yield to
    // the other connections and read again.
    readSoon();
}

/// The reactor may hand us the peer's FIN before the completion of a write the peer had already
/// read all of (both were ready in one wake-up, the write's last step was queued behind the read):
/// the log would then say the peer closed before our data left. Let queued write completions run
/// first (a few posts at most: a peer that stopped reading must not hold its FIN back).
void TcpTransport::onPeerFinAfterWrites(int deferrals) {
    if (!m_writing || deferrals <= 0) return onPeerFin();
    asio::post(m_ctx.io, [self = shared_from_this(), deferrals] {
        if (!self->m_closed && !self->m_peerFin) self->onPeerFinAfterWrites(deferrals - 1);
    });
}

void TcpTransport::onPeerFin() {
    m_peerFin = true;
    const bool both_done = m_sentFin;   // our FIN went first: the close is complete
    if (auto h = handler()) h->onPeerFin();
    if (both_done && !m_closed) finish(CloseReason::PeerClosed, m_closeNote);
}

void TcpTransport::watchAfterPeerFin() {
    if (m_closed || m_errorWatch) return;
    m_errorWatch = true;
    m_socket.async_wait(asio::ip::tcp::socket::wait_error, [self = shared_from_this()](std::error_code ec) {
        self->m_errorWatch = false;
        self->onErrorAfterFin(ec);
    });
}

void TcpTransport::onErrorAfterFin(std::error_code ec) {
    if (m_closed || ec == asio::error::operation_aborted) return;
    if (ec) return failWith(ec, ErrorContext::Read);
    if (endIfResetAfterFin(queryTcpInfo(static_cast<std::intptr_t>(m_socket.native_handle())))) return;
    if (++m_quietErrorWakes < kMaxQuietErrorWakes) watchAfterPeerFin();
}

/// After the peer's FIN the connection no longer reads, so a RST shows only as a pending socket
/// error or the kernel's CLOSE state. Ends the connection as reset when so.
bool TcpTransport::endIfResetAfterFin(const std::optional<TcpInfo>& info) {
    if (m_closed || !m_peerFin || m_sentFin) return false;
    const int error = pendingError(m_socket);
    const std::error_code ec(error, asio::error::get_system_category());
    if (error && !isReset(ec)) {
        failWith(ec, ErrorContext::Read);
        return true;
    }
    if (!error && !(info && info->state == TcpState::Close)) return false;
    finish(CloseReason::PeerReset,
           ErrorInfo{"ECONNRESET",
                     "connection " + m_peer + " was reset by the peer (RST) after it had closed its side (FIN)",
                     "连接 " + m_peer + " 在对端关闭其一侧（FIN）之后又被对端重置（RST）"});
    return true;
}

std::optional<TcpInfo> TcpTransport::refreshKernelView() {
    if (m_closed) return std::nullopt;
    auto info = queryTcpInfo(static_cast<std::intptr_t>(m_socket.native_handle()));
    if (!info || endIfResetAfterFin(info)) return std::nullopt;
    return info;
}

// ---- writing ---------------------------------------------------------------------------------

std::optional<ErrorInfo> TcpTransport::send(SharedBytes payload, FaultInjector* shape,
                                           std::shared_ptr<SendReceipt> receipt) {
    if (m_closed) return ErrorInfo{"ENOTCONN", "connection " + m_peer + " is closed", "连接 " + m_peer + " 已关闭"};
    if (m_sentFin || m_pendingClose || m_lingering)   // lingering: a FIN sent, or a reset waiting for acks
        return ErrorInfo{"ESHUTDOWN", "connection " + m_peer + " is closing: this side already sent FIN",
                         "连接 " + m_peer + " 正在关闭：本端已发送 FIN"};
    if (payload.empty()) return std::nullopt;
    const std::size_t size = payload.size();
    const std::size_t limit = m_settings.write_queue_limit;
    if (size > limit)
        return ErrorInfo{"EMSGSIZE",
                         "a message of " + bytesText(size) + " is larger than the send queue allows (write_queue_limit " +
                             bytesText(limit) + "): raise write_queue_limit",
                         "消息有 " + groupDigits(size) + " 字节，超过了发送队列的上限（write_queue_limit " + groupDigits(limit) +
                             " 字节）：请调大 write_queue_limit"};
    // An empty queue takes any message up to the limit; after that, each message also pays for
    // its bookkeeping.
    if (!m_writeQueue.empty() && queuedBytes() + size + kQueuedMessageCost > limit)
        return ErrorInfo{"ENOBUFS",
                         "send queue to " + m_peer + " is full (" + std::to_string(m_queuedBytes) + " bytes waiting in " +
                             std::to_string(m_writeQueue.size()) + " messages, limit " + std::to_string(limit) +
                             "): the peer is not reading fast enough",
                         "发往 " + m_peer + " 的发送队列已满（" + std::to_string(m_writeQueue.size()) + " 条消息共 " +
                             std::to_string(m_queuedBytes) + " 字节等待发送，上限 " + std::to_string(limit) +
                             "）：对端读取得不够快"};
    if (receipt) receipt->queued = true;
    QueuedWrite item{std::move(payload), 0, 0, {}, std::move(receipt)};
    std::size_t copies = 1;
    if (shape) {
        if (queuedBytes() + 2 * (size + kQueuedMessageCost) <= limit && shape->duplicate()) copies = 2;
        if (shape->splits()) {
            item.piece = shape->splitSize();
            item.gap = shape->splitGap();
            shape->countPieces(copies * ((size + item.piece - 1) / item.piece));
        }
    }
    m_queuedBytes += copies * size;
    if (copies == 2) m_writeQueue.push_back(item);
    m_writeQueue.push_back(std::move(item));
    if (!m_writing) startWrite();
    return std::nullopt;
}

void TcpTransport::startWrite() {
    if (m_closed) return;
    if (m_writeQueue.empty()) {
        m_writing = false;
        applyPendingClose();
        return;
    }
    m_writing = true;
    ++m_writesStarted;
    if (m_writeQueue.front().piece > 0) return writePiece();
    // Many small queued messages (rule replies, echo of small reads) leave in one gather write:
    // one syscall instead of one per message. Each still becomes its own tx event.
    m_gather.clear();
    for (const QueuedWrite& item : m_writeQueue) {
        if (m_gather.size() == kMaxGather || item.piece > 0) break;
        m_gather.emplace_back(asio::buffer(item.bytes.data(), item.bytes.size()));
    }
    // The completion condition sees how much of the gather has left so far: unsentBytes() counts
    // a large message down as the peer reads it, not all at once when the last byte leaves.
    const auto progress = [this](const std::error_code& ec, std::size_t transferred) {
        m_inFlightWritten = transferred;
        return transferAllLarge(ec, transferred);
    };
    asio::async_write(m_socket, m_gather, progress,
                      [self = shared_from_this(), count = m_gather.size()](std::error_code ec, std::size_t) {
                          self->m_inFlightWritten = 0;
                          if (self->m_closed) return;
                          if (ec) return self->onWriteError(ec);
                          for (std::size_t i = 0; i < count; ++i) {
                              if (const auto& receipt = self->m_writeQueue.front().receipt) receipt->left = true;
                              SharedBytes sent = std::move(self->m_writeQueue.front().bytes);
                              self->m_writeQueue.pop_front();
                              self->wrote(std::move(sent));
                          }
                          if (auto h = self->handler()) h->onWriteDone();
                          self->startWrite();
                      });
}

/// Fault injection "split": one piece per write, then the gap (each piece its own tx event).
void TcpTransport::writePiece() {
    const QueuedWrite& item = m_writeQueue.front();
    const std::size_t n = std::min<std::size_t>(item.piece, item.bytes.size() - item.offset);
    m_gather.clear();
    m_gather.emplace_back(asio::buffer(item.bytes.data() + item.offset, n));
    asio::async_write(m_socket, m_gather, transferAllLarge, [self = shared_from_this(), n](std::error_code ec, std::size_t) {
        if (self->m_closed) return;
        if (ec) return self->onWriteError(ec);
        QueuedWrite& front = self->m_writeQueue.front();
        if (front.receipt) front.receipt->left = true;   // some of its bytes left
        SharedBytes sent = front.bytes.slice(front.offset, n);
        front.offset += n;
        const auto gap = front.gap;
        if (front.offset == front.bytes.size()) self->m_writeQueue.pop_front();
        self->wrote(std::move(sent));
        if (auto h = self->handler()) h->onWriteDone();
        if (self->m_closed) return;
        if (gap.count() == 0 || self->m_writeQueue.empty()) return self->startWrite();
        self->m_gapTimer.expires_after(gap);
        self->m_gapTimer.async_wait([self](std::error_code wait_error) {
            if (!wait_error && !self->m_closed) self->startWrite();
        });
    });
}

void TcpTransport::onWriteError(std::error_code ec) {
    m_writing = false;
    if (ec != asio::error::operation_aborted) failWith(ec, ErrorContext::Write);
}

void TcpTransport::wrote(SharedBytes sent) {
    m_queuedBytes -= sent.size();
    if (auto h = handler()) h->onSent(std::move(sent));
}

// ---- closing ---------------------------------------------------------------------------------

void TcpTransport::close(CloseMode mode) {
    if (m_closed) return;
    if (mode == CloseMode::Abort) return abort();
    if (m_lingering) return;            // already closing: FIN sent (or a reset coming), waiting for its ACK
    m_pendingClose = mode;
    if (mode == CloseMode::ResetAfterQueued) {
        // Within 2 s whatever happens: a peer that does not read must not hold the reset back.
        m_lingering = true;   // no more sends
        m_resetDeadline = std::chrono::steady_clock::now() + kResetAckWait;
        m_lingerTimer.expires_at(m_resetDeadline);
        m_lingerTimer.async_wait([self = shared_from_this()](std::error_code ec) {
            if (!ec) self->abort();   // what is still queued is said "not sent"
        });
    }
    if (!m_writing) applyPendingClose();
}

void TcpTransport::applyPendingClose() {
    if (!m_pendingClose || m_closed) return;
    const CloseMode mode = *m_pendingClose;
    m_pendingClose.reset();
    if (mode == CloseMode::ResetAfterQueued) return resetWhenAcknowledged(m_resetDeadline);
    if (mode == CloseMode::HalfClose && !m_peerFin) {
        shutdownSend();
        if (auto h = handler(); h && !m_closed) h->onFinSent();
        return;
    }
    // Graceful, or a half-close after the peer's FIN (which completes the close).
    if (m_settings.linger_s && *m_settings.linger_s > 0) return startLinger();
    if (m_settings.linger_s && *m_settings.linger_s == 0) {   // SO_LINGER {1, 0}: close() resets
        m_abortive = true;
        return finish(CloseReason::LocalAbort, linger0Note());
    }
    finish(m_gracefulReason, m_closeNote);
}

void TcpTransport::shutdownSend() {
    std::error_code ec;
    m_socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) return failWith(ec, ErrorContext::Write);
    m_sentFin = true;
    if (auto h = handler()) h->onKernelStateChanged();   // FIN_WAIT_1 / FIN_WAIT_2
}

/// SO_LINGER > 0 without blocking: send FIN now, then poll until the peer acknowledged it (the
/// kernel's close() would wait for exactly that) or linger_s passes; close() then runs with
/// linger off and returns at once.
void TcpTransport::startLinger() {
    m_lingering = true;
    if (!m_sentFin) {
        shutdownSend();
        if (m_closed) return;
    }
    pollLinger(std::chrono::steady_clock::now() + std::chrono::seconds(*m_settings.linger_s));
}

void TcpTransport::pollLinger(std::chrono::steady_clock::time_point deadline) {
    if (m_closed) return;
    const auto info = queryTcpInfo(static_cast<std::intptr_t>(m_socket.native_handle()));
    const bool fin_unacked = info && (info->state == TcpState::FinWait1 || info->state == TcpState::Closing ||
                                      info->state == TcpState::LastAck);
    if (!fin_unacked) return finish(m_gracefulReason, m_closeNote);
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
        return finish(m_gracefulReason,
                      ErrorInfo{"ETIMEDOUT",
                                "closed after linger_s " + std::to_string(*m_settings.linger_s) + " s with " +
                                    groupDigits(info->send_queue) +
                                    " bytes not acknowledged by the peer; the kernel keeps sending them in the background",
                                "linger_s " + std::to_string(*m_settings.linger_s) + " 秒后关闭，仍有 " +
                                    groupDigits(info->send_queue) + " 字节未被对端确认；内核会在后台继续发送它们"});
    m_lingerTimer.expires_after(std::min<std::chrono::steady_clock::duration>(kLingerPoll, deadline - now));
    m_lingerTimer.async_wait([self = shared_from_this(), deadline](std::error_code ec) {
        if (!ec) self->pollLinger(deadline);
    });
}

void TcpTransport::resetWhenAcknowledged(std::chrono::steady_clock::time_point deadline) {
    if (m_closed) return;
    const auto info = queryTcpInfo(static_cast<std::intptr_t>(m_socket.native_handle()));
    const auto now = std::chrono::steady_clock::now();
    if (!info || info->send_queue == 0) return abort();
    if (now >= deadline)
        return abort(ErrorInfo{"ECONNABORTED",
                               "reset with " + groupDigits(info->send_queue) +
                                   " bytes the peer had not acknowledged within 2 s: the reset discarded them",
                               "重置时仍有 " + groupDigits(info->send_queue) + " 字节在 2 秒内未被对端确认：重置丢弃了它们"});
    m_lingerTimer.expires_after(std::min<std::chrono::steady_clock::duration>(kLingerPoll, deadline - now));
    m_lingerTimer.async_wait([self = shared_from_this(), deadline](std::error_code ec) {
        if (!ec) self->resetWhenAcknowledged(deadline);
    });
}

void TcpTransport::shutdownForStop(CloseMode mode) {
    if (m_closed) return;
    if (mode != CloseMode::Abort && !m_writeQueue.empty()) {
        // A graceful stop would wait for a peer that may never read: reset, and say why.
        m_unsentSaid = true;
        return abort(ErrorInfo{"ECONNABORTED", "reset at shutdown: " + groupDigits(m_queuedBytes) + " bytes were still queued",
                               "停止时重置了连接：仍有 " + groupDigits(m_queuedBytes) + " 字节在队列中"});
    }
    if (mode == CloseMode::Abort) return abort();
    if (m_settings.linger_s && *m_settings.linger_s == 0) {
        m_abortive = true;
        return finish(CloseReason::LocalAbort, linger0Note());
    }
    finish(CloseReason::Shutdown);
}

void TcpTransport::abort(std::optional<ErrorInfo> why) {
    m_abortive = true;
    setAbortiveClose(m_socket);
    finish(CloseReason::LocalAbort, std::move(why));
}

void TcpTransport::failWith(std::error_code ec, ErrorContext context) {
    finish(isReset(ec) ? CloseReason::PeerReset : CloseReason::Error, describeError(ec, context, m_peer));
}

void TcpTransport::finish(CloseReason reason, std::optional<ErrorInfo> error) {
    if (m_closed) return;
    m_closed = true;
    m_lingerTimer.cancel();
    m_gapTimer.cancel();
    std::error_code ignored;
    // close() with SO_LINGER > 0 would block the I/O thread until the peer acknowledges: never.
    if (!m_abortive && m_settings.linger_s && *m_settings.linger_s > 0)
        m_socket.set_option(asio::socket_base::linger(false, 0), ignored);
    if (reason == CloseReason::LocalGraceful || reason == CloseReason::PeerClosed || reason == CloseReason::Shutdown) {
        // The kernel answers a close() with received bytes nobody read by RST, not FIN (RFC 2525
        // 2.17): say what the peer sees, and that those bytes were discarded.
        const std::size_t unread = m_socket.available(ignored);
        if (!ignored && unread > 0) {
            if (reason == CloseReason::Shutdown && !error)
                error = ErrorInfo{"ECONNABORTED", "the endpoint was stopped", "端点已停止"};
            reason = CloseReason::LocalAbort;
            error = unreadNote(std::move(error), unread);
        }
    }
    m_socket.close(ignored);
    if (m_queuedBytes > 0 && !m_unsentSaid) error = withUnsent(std::move(error), reason);
    m_writeQueue.clear();
    m_queuedBytes = 0;
    if (auto h = handler()) h->onClosed(reason, std::move(error));
}

ErrorInfo TcpTransport::unreadNote(std::optional<ErrorInfo> error, std::size_t unread) const {
    ErrorInfo note{"ECONNABORTED",
                   "reset, not closed with FIN: " + bytesText(unread) +
                       " received had not been read (reading stopped or behind), and a close with unread bytes "
                       "resets the connection; they were discarded",
                   "已重置（不是 FIN 关闭）：收到的 " + groupDigits(unread) + " 字节尚未读取，带未读数据关闭会重置连接；这些字节已丢弃"};
    if (!error) return note;
    note.message = error->message + "; " + note.message;
    if (!error->message_zh.empty()) note.message_zh = error->message_zh + "；" + note.message_zh;
    return note;
}

/// A close with bytes still queued (a reset, a write error) loses them: the close says how many.
ErrorInfo TcpTransport::withUnsent(std::optional<ErrorInfo> error, CloseReason reason) const {
    const std::string bytes = bytesText(m_queuedBytes);
    if (error) {
        // "Up to": the write in flight may have handed part of its bytes to the kernel.
        error->message += " (up to " + bytes + " queued to it were not sent)";
        if (!error->message_zh.empty()) error->message_zh += "（队列中最多 " + groupDigits(m_queuedBytes) + " 字节未发送）";
        return *error;
    }
    const bool reset = reason == CloseReason::LocalAbort;
    return {"ECONNABORTED", std::string(reset ? "reset" : "closed") + " with up to " + bytes + " still queued: they were not sent",
            std::string(reset ? "已重置" : "已关闭") + "，队列中最多 " + groupDigits(m_queuedBytes) + " 字节未发送"};
}

}  // namespace sockscope
