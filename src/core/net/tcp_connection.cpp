#include "core/net/tcp_connection.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <cstdio>

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"
#include "core/net/error_throttle.hpp"
#include "core/net/socket_options.hpp"
#include "core/net/tcp_state.hpp"
#include "core/session/faults.hpp"

namespace sockscope {
namespace {

// Reads per readiness wake-up before yielding to other connections (fairness under floods).
constexpr int kReadsPerWake = 4;
// The error watch after EOF re-arms at most this often without finding anything (no spinning);
// the ~2 Hz refresh still sees a reset through TCP_INFO after that.
constexpr int kMaxQuietErrorWakes = 8;
constexpr auto kLingerPoll = std::chrono::milliseconds(20);

bool isReset(std::error_code ec) {
    return ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted;
}

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
    return formatEndpoint(endpoint.address(), endpoint.port());
}

std::string seconds(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value == static_cast<double>(static_cast<long long>(value)) ? "%.0f" : "%.1f",
                  value);
    return text;
}

/// The socket's pending error (SO_ERROR, which reading clears); 0 when none.
int pendingError(asio::ip::tcp::socket& socket) {
    asio::detail::socket_option::integer<SOL_SOCKET, SO_ERROR> option;
    std::error_code ec;
    socket.get_option(option, ec);
    return ec ? 0 : option.value();
}

constexpr const char* kLinger0Zh = "linger_s 为 0：关闭时发送 RST 而不是 FIN";

}  // namespace

TcpConnection::TcpConnection(EngineContext& context, EndpointId endpoint, ConnectionId id,
                             asio::ip::tcp::socket socket, Settings settings,
                             std::weak_ptr<ConnectionHost> host,
                             std::optional<asio::ip::tcp::endpoint> known_peer)
    : m_ctx(context), m_endpoint(endpoint), m_id(id), m_socket(std::move(socket)),
      m_settings(std::move(settings)), m_host(std::move(host)), m_gapTimer(context.io),
      m_timer(context.io),
      m_rx(context.queue, endpoint, id, m_settings.framing, EventPriority::Data,
           [this](const ErrorInfo& error, bool fatal) { onFramingError(error, fatal); }),
      m_delayed(context.io, kMaxDelayedActions) {
    if (m_rx.idle()) m_frameTimer.emplace(context.io);
    m_rx.setMessageObserver([this](ByteView message) { onMessage(message); });
    std::error_code ec;
    // accept() said who it was: a peer that reset at once has no remote_endpoint() any more.
    if (known_peer) m_peer = describe(*known_peer);
    else if (auto peer = m_socket.remote_endpoint(ec); !ec) m_peer = describe(peer);
    if (auto local = m_socket.local_endpoint(ec); !ec) m_local = describe(local);
    m_socket.non_blocking(true, ec);
}

void TcpConnection::start() {
    m_ctx.emit(ConnectionOpened{m_endpoint, m_id, m_peer, m_local, nowUs()});
    m_responders.attachAll(m_settings.responders, *this);
    refreshTcpState();
    readSoon();   // a client may have sent before we accepted
}

void TcpConnection::armRead() {
    if (m_closed || m_peerFin || m_readArmed || m_readPaused || m_replyPaused || m_framingClose || m_stopReading)
        return;
    m_readArmed = true;
    m_socket.async_wait(asio::ip::tcp::socket::wait_read,
                        [self = shared_from_this()](std::error_code ec) {
                            self->m_readArmed = false;
                            self->onReadable(ec);
                        });
}

std::size_t TcpConnection::echoRoom() const {
    const std::size_t used = m_queuedBytes + m_delayedBytes;
    return m_settings.write_queue_limit > used ? m_settings.write_queue_limit - used : 0;
}

void TcpConnection::readSoon() {
    if (m_closed || m_peerFin || m_readArmed || m_readPaused || m_replyPaused || m_framingClose || m_stopReading)
        return;
    m_readArmed = true;
    asio::post(m_ctx.io, [self = shared_from_this()] {
        self->m_readArmed = false;
        self->onReadable({});
    });
}

void TcpConnection::onReadable(std::error_code ec) {
    if (m_closed) return;
    if (ec) {
        if (ec != asio::error::operation_aborted) failWith(ec, ErrorContext::Read);
        return;
    }
    if (m_stopReading) return;   // stopped while a wait was armed: not one byte is read

    auto& arena = m_ctx.read_arena;
    for (int i = 0; i < kReadsPerWake; ++i) {
        // Back-pressure: the front end is behind; the kernel's receive window fills, the peer slows.
        if (m_ctx.queue.pauseIfOverBudget()) return pauseReadingForQueue();
        std::size_t room = arena.maxRead();
        if (!m_responders.empty()) {
            // A responder that answers every byte (echo) limits the read to what it can queue:
            // what is not read stays in the kernel.
            room = m_responders.readLimit(*this, room);
            if (room == 0) {
                m_replyPaused = true;     // resumed by the write path when the queue drains
                return;
            }
        }
        // Straight into a shared block: the log and the recorders keep this slice, not a copy.
        const auto buffer = arena.room(room);
        std::error_code read_error;
        const std::size_t n = m_socket.read_some(asio::buffer(buffer.data(), std::min(room, buffer.size())), read_error);
        if (read_error == asio::error::would_block || read_error == asio::error::try_again) return armRead();
        if (read_error == asio::error::eof) return onPeerFinAfterWrites(kFinDeferrals);
        if (read_error) return failWith(read_error, ErrorContext::Read);
        count(Direction::Rx, n);
        const SharedBytes bytes = arena.commit(n);
        m_inPipeline = true;
        if (!m_responders.empty()) m_responders.onReceived(*this, bytes);
        const PushResult pushed = m_rx.onRead(bytes);
        m_inPipeline = false;
        if (closeIfAsked()) return;
        if (m_framingClose) return close(CloseMode::Graceful);
        if (m_frameTimer) armFrameTimer();
        if (pushed == PushResult::AcceptedPause) return pauseReadingForQueue();
    }
    // Data may remain: readiness is edge-triggered, so waiting now could wait for ever. Yield to
    // the other connections and read again.
    readSoon();
}

void TcpConnection::onFramingError(const ErrorInfo& error, bool fatal) {
    if (auto host = m_host.lock()) host->onRepeatableError(m_id, ErrorContext::Framing, error);
    else m_ctx.emit(ErrorEvent{m_endpoint, m_id, ErrorContext::Framing, error, nowUs()});
    if (fatal && !m_closed) {
        m_framingClose = true;          // the read path closes once the framer returns
        m_closeNote = error;
    }
}

/// Idle framing: the timer runs only while a frame is pending. It fires at the deadline it was
/// armed for; bytes that came since moved the deadline, so it re-arms instead of ending the frame.
void TcpConnection::armFrameTimer() {
    if (m_frameTimerArmed || m_closed || m_framingDone) return;
    const auto due = m_rx.deadline();
    if (!due) return;
    m_frameTimerArmed = true;
    m_frameTimer->expires_at(*due);
    m_frameTimer->async_wait([self = shared_from_this()](std::error_code ec) {
        self->m_frameTimerArmed = false;
        if (ec || self->m_closed || self->m_framingDone) return;
        // Over the queue's budget the next read pauses (it checks first): nothing to do here.
        self->m_inPipeline = true;
        (void)self->m_rx.onTimer(ReceivePipeline::Clock::now());
        self->m_inPipeline = false;
        if (self->closeIfAsked()) return;
        if (self->m_framingClose) return self->close(CloseMode::Graceful);
        self->armFrameTimer();
    });
}

/// The stream ended: a pending frame goes out before the close/half-close event.
void TcpConnection::finishFraming() {
    if (m_framingDone) return;
    m_framingDone = true;
    if (m_frameTimer) m_frameTimer->cancel();
    const bool nested = m_inPipeline;
    m_inPipeline = true;
    (void)m_rx.finish();
    m_inPipeline = nested;
}

void TcpConnection::onMessage(ByteView message) {
    // After a responder asked to close, the rest of this read is not answered.
    if (m_closed || m_closeAsked || m_responders.empty()) return;
    m_responders.onMessage(*this, message);
}

bool TcpConnection::closeIfAsked() {
    if (m_closeAsked && !m_closed && !m_inPipeline) {
        const CloseMode mode = *m_closeAsked;
        m_closeAsked.reset();
        close(mode);
    }
    return m_closed;
}

bool TcpConnection::attachResponder(std::shared_ptr<Responder> responder) {
    if (m_closed || !responder) return false;
    m_responders.add(std::move(responder));
    return true;
}

std::chrono::steady_clock::time_point TcpConnection::orderedDue(std::chrono::milliseconds delay) {
    // A stream is never reordered: a reply with a shorter (random) delay waits for the one before
    // (absolute deadlines, strictly increasing: the timers fire in this order).
    auto due = std::chrono::steady_clock::now() + delay;
    if (due <= m_lastDelayedDue) due = m_lastDelayedDue + std::chrono::nanoseconds(1);
    m_lastDelayedDue = due;
    return due;
}

bool TcpConnection::sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults) {
    if (m_closed) return false;
    const std::size_t size = bytes.size();
    const bool scheduled = m_delayed.scheduleAt(
        orderedDue(delay), [weak = weak_from_this(), bytes = std::move(bytes), faults = std::move(faults), size]() mutable {
            auto self = weak.lock();
            if (!self || self->m_closed) return;
            self->m_delayedBytes -= size;
            if (auto error = self->send(std::move(bytes), faults)) self->replyDropped(*error);
        });
    if (scheduled) m_delayedBytes += size;
    return scheduled;
}

bool TcpConnection::closeLater(std::chrono::milliseconds delay, CloseMode mode) {
    if (m_closed) return false;
    return m_delayed.scheduleAt(orderedDue(delay), [weak = weak_from_this(), mode] {
        if (auto self = weak.lock()) self->close(mode);
    });
}

void TcpConnection::setReadingStopped(bool stop) {
    if (m_closed || stop == m_stopReading) return;
    m_stopReading = stop;
    m_ctx.emit(ReadingStatus{m_endpoint, m_id, stop, nowUs()});
    if (!stop) readSoon();   // what the kernel held meanwhile, in order (a back-pressure pause still holds)
}

bool TcpConnection::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    if (m_closed) return false;
    return m_delayed.schedule(delay, [weak = weak_from_this(), fn = std::move(fn)] {
        auto self = weak.lock();
        if (self && !self->m_closed) fn();
    });
}

void TcpConnection::replyDropped(ErrorInfo why) {
    if (auto host = m_host.lock()) {
        host->onEchoDropped(1);
        host->onRepeatableError(m_id, ErrorContext::Write, std::move(why));
    }
}

void TcpConnection::reportError(ErrorContext context, ErrorInfo error) {
    if (auto host = m_host.lock()) host->onRepeatableError(m_id, context, std::move(error));
    else m_ctx.emit(ErrorEvent{m_endpoint, m_id, context, std::move(error), nowUs()});
}

void TcpConnection::pauseReadingForQueue() {
    m_readPaused = true;
    m_ctx.paused_readers.push_back([weak = weak_from_this()] {
        if (auto self = weak.lock()) self->resumeAfterPause();
    });
}

void TcpConnection::resumeAfterPause() {
    m_readPaused = false;
    readSoon();   // the kernel may hold data that arrived long ago: read, do not wait for more
}

/// The reactor may hand us the peer's FIN before the completion of a write the peer had already
/// read all of (both were ready in one wake-up, the write's last step was queued behind the read):
/// the log would then say the peer closed before our data left. Let queued write completions run
/// first (a few posts at most: a peer that stopped reading must not hold its FIN back).
void TcpConnection::onPeerFinAfterWrites(int deferrals) {
    if (!m_writing || deferrals <= 0) return onPeerFin();
    asio::post(m_ctx.io, [self = shared_from_this(), deferrals] {
        if (!self->m_closed && !self->m_peerFin) self->onPeerFinAfterWrites(deferrals - 1);
    });
}

void TcpConnection::onPeerFin() {
    m_peerFin = true;
    finishFraming();
    if (closeIfAsked()) return;
    m_ctx.emit(PeerHalfClosed{m_endpoint, m_id, nowUs()});
    if (m_sentFin) {                    // both directions are done
        finish(CloseReason::PeerClosed, m_closeNote);
        return;
    }
    refreshTcpState();                  // CLOSE_WAIT: the user sees it and decides
    if (m_closed) return;
    if (m_settings.close_wait_timeout_s == 0) {
        m_gracefulReason = CloseReason::PeerClosed;
        close(CloseMode::Graceful);
        return;
    }
    watchAfterFin();                    // a RST may still follow the FIN
    if (m_settings.close_wait_timeout_s > 0) startCloseWaitTimer();
}

void TcpConnection::startCloseWaitTimer() {
    const double timeout = m_settings.close_wait_timeout_s;
    m_timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::min(timeout, 1e9))));
    m_timer.async_wait([self = shared_from_this(), timeout](std::error_code ec) {
        if (ec || self->m_closed || self->m_pendingClose || self->m_lingering || self->m_sentFin) return;
        self->m_closeNote = ErrorInfo{"CLOSE_WAIT_TIMEOUT",
                                      "closed after " + seconds(timeout) + " s in CLOSE_WAIT (close_wait_timeout_s)",
                                      "在 CLOSE_WAIT 中停留 " + seconds(timeout) + " 秒后关闭（close_wait_timeout_s）"};
        self->close(CloseMode::Graceful);
    });
}

void TcpConnection::watchAfterFin() {
    if (m_closed || m_errorWatch) return;
    m_errorWatch = true;
    m_socket.async_wait(asio::ip::tcp::socket::wait_error, [self = shared_from_this()](std::error_code ec) {
        self->m_errorWatch = false;
        self->onErrorAfterFin(ec);
    });
}

void TcpConnection::onErrorAfterFin(std::error_code ec) {
    if (m_closed || ec == asio::error::operation_aborted) return;
    if (ec) return failWith(ec, ErrorContext::Read);
    if (endIfResetAfterFin(queryTcpInfo(static_cast<std::intptr_t>(m_socket.native_handle())))) return;
    if (++m_quietErrorWakes < kMaxQuietErrorWakes) watchAfterFin();
}

/// After the peer's FIN the connection no longer reads, so a RST shows only as a pending socket
/// error or the kernel's CLOSE state. Ends the connection as reset when so.
bool TcpConnection::endIfResetAfterFin(const std::optional<TcpInfo>& info) {
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

std::optional<ErrorInfo> TcpConnection::send(Bytes payload, const FaultsRef& faults) {
    return sendShared(SharedBytes(std::move(payload)), faults);   // adopts the vector: no copy
}

std::optional<ErrorInfo> TcpConnection::sendShared(SharedBytes payload, const FaultsRef& faults) {
    if (m_closed) return ErrorInfo{"ENOTCONN", "connection " + m_peer + " is closed", "连接 " + m_peer + " 已关闭"};
    if (m_sentFin || m_pendingClose)
        return ErrorInfo{"ESHUTDOWN", "connection " + m_peer + " is closing: this side already sent FIN",
                         "连接 " + m_peer + " 正在关闭：本端已发送 FIN"};
    if (payload.empty()) return std::nullopt;
    const std::size_t size = payload.size();
    if (m_queuedBytes + size > m_settings.write_queue_limit)
        return ErrorInfo{"ENOBUFS",
                         "send queue to " + m_peer + " is full (" + std::to_string(m_queuedBytes) +
                             " bytes waiting, limit " + std::to_string(m_settings.write_queue_limit) +
                             "): the peer is not reading fast enough",
                         "发往 " + m_peer + " 的发送队列已满（" + std::to_string(m_queuedBytes) + " 字节等待发送，上限 " +
                             std::to_string(m_settings.write_queue_limit) + "）：对端读取得不够快"};
    FaultInjector* shape = faults ? faults.get() : m_settings.faults.get();
    QueuedWrite item{std::move(payload), 0, 0, {}};
    std::size_t copies = 1;
    if (shape) {
        if (m_queuedBytes + 2 * size <= m_settings.write_queue_limit && shape->duplicate()) copies = 2;
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

void TcpConnection::startWrite() {
    if (m_closed) return;
    if (m_writeQueue.empty()) {
        m_writing = false;
        applyPendingClose();
        return;
    }
    m_writing = true;
    if (m_writeQueue.front().piece > 0) return writePiece();
    // Many small queued messages (rule replies, echo of small reads) leave in one gather write:
    // one syscall instead of one per message. Each still becomes its own tx event.
    m_gather.clear();
    for (const QueuedWrite& item : m_writeQueue) {
        if (m_gather.size() == kMaxGather || item.piece > 0) break;
        m_gather.emplace_back(asio::buffer(item.bytes.data(), item.bytes.size()));
    }
    asio::async_write(m_socket, m_gather,
                      [self = shared_from_this(), count = m_gather.size()](std::error_code ec, std::size_t) {
                          if (self->m_closed) return;
                          if (ec) {
                              self->m_writing = false;
                              if (ec != asio::error::operation_aborted) self->failWith(ec, ErrorContext::Write);
                              return;
                          }
                          for (std::size_t i = 0; i < count; ++i) {
                              SharedBytes sent = std::move(self->m_writeQueue.front().bytes);
                              self->m_writeQueue.pop_front();
                              self->wrote(std::move(sent));
                          }
                          if (auto host = self->m_host.lock()) host->onWriteDone();
                          self->startWrite();
                      });
}

/// Fault injection "split": one piece per write, then the gap (each piece its own tx event).
void TcpConnection::writePiece() {
    const QueuedWrite& item = m_writeQueue.front();
    const std::size_t n = std::min<std::size_t>(item.piece, item.bytes.size() - item.offset);
    m_gather.clear();
    m_gather.emplace_back(asio::buffer(item.bytes.data() + item.offset, n));
    asio::async_write(m_socket, m_gather, [self = shared_from_this(), n](std::error_code ec, std::size_t) {
        if (self->m_closed) return;
        if (ec) {
            self->m_writing = false;
            if (ec != asio::error::operation_aborted) self->failWith(ec, ErrorContext::Write);
            return;
        }
        QueuedWrite& front = self->m_writeQueue.front();
        SharedBytes sent = front.bytes.slice(front.offset, n);
        front.offset += n;
        const auto gap = front.gap;
        if (front.offset == front.bytes.size()) self->m_writeQueue.pop_front();
        self->wrote(std::move(sent));
        if (auto host = self->m_host.lock()) host->onWriteDone();
        if (self->m_closed) return;
        if (gap.count() == 0 || self->m_writeQueue.empty()) return self->startWrite();
        self->m_gapTimer.expires_after(gap);
        self->m_gapTimer.async_wait([self](std::error_code wait_error) {
            if (!wait_error && !self->m_closed) self->startWrite();
        });
    });
}

void TcpConnection::wrote(SharedBytes sent) {
    m_queuedBytes -= sent.size();
    count(Direction::Tx, sent.size());
    m_ctx.queue.push(DataEvent{m_endpoint, m_id, Direction::Tx, nowUs(), {}, std::move(sent)}, EventPriority::Data);
    // The echo paused reading on a full queue: resume once half of it is gone.
    if (m_replyPaused && m_queuedBytes + m_delayedBytes <= m_settings.write_queue_limit / 2) {
        m_replyPaused = false;
        readSoon();
    }
}

void TcpConnection::close(CloseMode mode) {
    if (m_closed) return;
    if (m_inPipeline) {   // a responder asked: after the current read (an abort wins over a FIN)
        if (!m_closeAsked || mode == CloseMode::Abort) m_closeAsked = mode;
        return;
    }
    if (mode == CloseMode::Abort) {
        m_abortive = true;
        setAbortiveClose(m_socket);
        finish(CloseReason::LocalAbort);
        return;
    }
    if (m_lingering) return;            // already closing: FIN sent, waiting for its ACK
    m_pendingClose = mode;
    if (!m_writing) applyPendingClose();
}

void TcpConnection::applyPendingClose() {
    if (!m_pendingClose || m_closed) return;
    const CloseMode mode = *m_pendingClose;
    m_pendingClose.reset();
    if (mode == CloseMode::HalfClose && !m_peerFin) {
        shutdownSend();
        return;
    }
    // Graceful, or a half-close after the peer's FIN (which completes the close).
    if (m_settings.linger_s && *m_settings.linger_s > 0) return startLinger();
    if (m_settings.linger_s && *m_settings.linger_s == 0) {   // SO_LINGER {1, 0}: close() resets
        m_abortive = true;
        return finish(CloseReason::LocalAbort,
                      ErrorInfo{"LINGER_0", "linger_s is 0: closing sends RST instead of FIN", kLinger0Zh});
    }
    finish(m_gracefulReason, m_closeNote);
}

void TcpConnection::shutdownSend() {
    std::error_code ec;
    m_socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) {
        failWith(ec, ErrorContext::Write);
        return;
    }
    m_sentFin = true;
    refreshTcpState();                  // FIN_WAIT_1 / FIN_WAIT_2
}

/// SO_LINGER > 0 without blocking: send FIN now, then poll until the peer acknowledged it (the
/// kernel's close() would wait for exactly that) or linger_s passes; close() then runs with
/// linger off and returns at once.
void TcpConnection::startLinger() {
    m_lingering = true;
    if (!m_sentFin) {
        shutdownSend();
        if (m_closed) return;
    }
    pollLinger(std::chrono::steady_clock::now() + std::chrono::seconds(*m_settings.linger_s));
}

void TcpConnection::pollLinger(std::chrono::steady_clock::time_point deadline) {
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
    m_timer.expires_after(std::min<std::chrono::steady_clock::duration>(kLingerPoll, deadline - now));
    m_timer.async_wait([self = shared_from_this(), deadline](std::error_code ec) {
        if (!ec) self->pollLinger(deadline);
    });
}

void TcpConnection::shutdownForStop(CloseMode mode) {
    m_host.reset();
    if (m_closed) return;
    if (mode != CloseMode::Abort && !m_writeQueue.empty()) {
        // A graceful stop would wait for a peer that may never read: reset, and say why.
        const std::size_t queued = m_queuedBytes;
        m_abortive = true;
        setAbortiveClose(m_socket);
        finish(CloseReason::LocalAbort,
               ErrorInfo{"ECONNABORTED", "reset at shutdown: " + groupDigits(queued) + " bytes were still queued",
                         "停止时重置了连接：仍有 " + groupDigits(queued) + " 字节在队列中"});
        return;
    }
    if (mode == CloseMode::Abort) {
        m_abortive = true;
        setAbortiveClose(m_socket);
        finish(CloseReason::LocalAbort);
    } else if (m_settings.linger_s && *m_settings.linger_s == 0) {
        m_abortive = true;
        finish(CloseReason::LocalAbort, ErrorInfo{"LINGER_0", "linger_s is 0: closing sends RST instead of FIN", kLinger0Zh});
    } else {
        finish(CloseReason::Shutdown);
    }
}

void TcpConnection::refreshTcpState() {
    if (m_closed) return;
    auto info = queryTcpInfo(static_cast<std::intptr_t>(m_socket.native_handle()));
    if (!info) return;
    if (endIfResetAfterFin(info)) return;
    if (info == m_lastInfo) return;
    // A refresh event: refused over the queue's budget, then the next refresh sends the latest.
    if (m_ctx.emitRefresh(TcpStateChanged{m_endpoint, m_id, *info, nowUs()})) m_lastInfo = info;
}

void TcpConnection::failWith(std::error_code ec, ErrorContext context) {
    if (isReset(ec)) {
        finish(CloseReason::PeerReset, describeError(ec, context, m_peer));
        return;
    }
    finish(CloseReason::Error, describeError(ec, context, m_peer));
}

void TcpConnection::finish(CloseReason reason, std::optional<ErrorInfo> error) {
    if (m_closed) return;
    m_closed = true;
    m_timer.cancel();
    m_gapTimer.cancel();
    m_delayed.cancelAll();
    finishFraming();
    m_responders.onClosed();
    std::error_code ignored;
    // close() with SO_LINGER > 0 would block the I/O thread until the peer acknowledges: never.
    if (!m_abortive && m_settings.linger_s && *m_settings.linger_s > 0)
        m_socket.set_option(asio::socket_base::linger(false, 0), ignored);
    m_socket.close(ignored);
    m_writeQueue.clear();
    m_queuedBytes = 0;
    m_ctx.emit(ConnectionClosed{m_endpoint, m_id, reason, std::move(error), nowUs()});
    if (auto host = m_host.lock()) host->onConnectionClosed(m_id, reason);
}

void TcpConnection::count(Direction direction, std::size_t bytes) {
    m_traffic.count(direction, bytes);
    if (auto host = m_host.lock()) host->onTraffic(direction, bytes);
}

}  // namespace sockscope
