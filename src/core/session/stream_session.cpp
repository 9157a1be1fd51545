#include "core/session/stream_session.hpp"

#include <algorithm>
#include <cstdio>

namespace sockscope {
namespace {

std::string seconds(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value == static_cast<double>(static_cast<long long>(value)) ? "%.0f" : "%.1f",
                  value);
    return text;
}

}  // namespace

StreamSession::StreamSession(EngineContext& context, EndpointId endpoint, ConnectionId id,
                             std::shared_ptr<Transport> transport, Settings settings,
                             std::weak_ptr<ConnectionHost> host)
    : m_ctx(context), m_endpoint(endpoint), m_id(id), m_transport(std::move(transport)),
      m_settings(std::move(settings)), m_host(std::move(host)), m_closeWaitTimer(context.io),
      m_rx(context.queue, endpoint, id, m_settings.framing, EventPriority::Data,
           [this](const ErrorInfo& error, bool fatal) { onFramingError(error, fatal); }),
      m_delayed(context.io, kMaxDelayedActions) {
    if (m_rx.idle()) m_frameTimer.emplace(context.io);
}

void StreamSession::start() {
    m_ctx.emit(ConnectionOpened{m_endpoint, m_id, peer(), local(), nowUs()});
    m_responders.attachAll(m_settings.responders, *this);
    watchMessages();
    refreshTcpState();
    m_transport->start(weak_from_this());   // reads at once: a client may have sent before we accepted
}

// ---- receiving -------------------------------------------------------------------------------

std::size_t StreamSession::readLimit(std::size_t most) {
    if (readingHeld()) return 0;   // held while a read was already under way: not one byte is read
    // Back-pressure: the front end is behind; the kernel's receive window fills, the peer slows.
    if (m_ctx.queue.pauseIfOverBudget()) {
        pauseReadingForQueue();
        return 0;
    }
    if (m_responders.empty()) return most;
    // A responder that answers every byte (echo) limits the read to what it can queue: what is
    // not read stays in the kernel.
    const std::size_t room = m_responders.readLimit(*this, most);
    if (room == 0) m_replyPaused = true;   // resumed by onSent when the queue drains
    return room;
}

void StreamSession::onReceived(const SharedBytes& bytes) {
    count(Direction::Rx, bytes.size());
    m_inPipeline = true;
    if (!m_responders.empty()) m_responders.onReceived(*this, bytes);
    const PushResult pushed = m_rx.onRead(bytes);
    m_inPipeline = false;
    if (afterPipeline()) return;
    if (m_frameTimer) armFrameTimer();
    if (pushed == PushResult::AcceptedPause) pauseReadingForQueue();
}

bool StreamSession::afterPipeline() {
    if (closeIfAsked()) return true;
    if (!m_framingClose) return false;
    close(CloseMode::Graceful);
    return true;
}

void StreamSession::onFramingError(const ErrorInfo& error, bool fatal) {
    if (auto host = m_host.lock()) host->onRepeatableError(m_id, ErrorContext::Framing, error);
    else m_ctx.emit(ErrorEvent{m_endpoint, m_id, ErrorContext::Framing, error, nowUs()});
    if (fatal && !closed()) {
        m_framingClose = true;          // the read path closes once the framer returns
        m_transport->setCloseNote(error);
    }
}

/// Idle framing: the timer runs only while a frame is pending. It fires at the deadline it was
/// armed for; bytes that came since moved the deadline, so it re-arms instead of ending the frame.
void StreamSession::armFrameTimer() {
    if (m_frameTimerArmed || closed() || m_framingDone) return;
    const auto due = m_rx.deadline();
    if (!due) return;
    m_frameTimerArmed = true;
    m_frameTimer->expires_at(*due);
    m_frameTimer->async_wait([self = shared_from_this()](std::error_code ec) {
        self->m_frameTimerArmed = false;
        if (ec || self->closed() || self->m_framingDone) return;
        // Over the queue's budget the next read pauses (it checks first): nothing to do here.
        self->m_inPipeline = true;
        (void)self->m_rx.onTimer(ReceivePipeline::Clock::now());
        self->m_inPipeline = false;
        if (self->afterPipeline()) return;
        self->armFrameTimer();
    });
}

/// The stream ended: a pending frame goes out before the close/half-close event.
void StreamSession::finishFraming() {
    if (m_framingDone) return;
    m_framingDone = true;
    if (m_frameTimer) m_frameTimer->cancel();
    const bool nested = m_inPipeline;
    m_inPipeline = true;
    (void)m_rx.finish();
    m_inPipeline = nested;
}

void StreamSession::onMessage(ByteView message) {
    // After a responder asked to close, the rest of this read is not answered.
    if (closed() || m_closeAsked || m_responders.empty()) return;
    m_responders.onMessage(*this, message);
}

/// Frames reach onMessage only once a responder may answer them: without one, that call per
/// frame was ~6 % of a framed ingest.
void StreamSession::watchMessages() {
    if (m_responders.empty() || m_rx.observing()) return;
    m_rx.setMessageObserver([this](ByteView message) { onMessage(message); });
}

bool StreamSession::closeIfAsked() {
    if (m_closeAsked && !closed() && !m_inPipeline) {
        const CloseMode mode = *m_closeAsked;
        m_closeAsked.reset();
        close(mode);
    }
    return closed();
}

bool StreamSession::attachResponder(std::shared_ptr<Responder> responder) {
    if (closed() || !responder) return false;
    m_responders.add(std::move(responder));
    watchMessages();
    return true;
}

void StreamSession::setReadingStopped(bool stop) {
    if (closed() || stop == m_stopReading) return;
    m_stopReading = stop;
    m_ctx.emit(ReadingStatus{m_endpoint, m_id, stop, nowUs()});
    if (!stop) readSoon();   // what the kernel held meanwhile, in order (a back-pressure pause still holds)
}

void StreamSession::readSoon() {
    if (!readingHeld()) m_transport->resumeReading();
}

void StreamSession::pauseReadingForQueue() {
    m_readPaused = true;
    m_ctx.paused_readers.push_back([weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self) return;
        self->m_readPaused = false;
        self->readSoon();   // the kernel may hold data that arrived long ago: read, do not wait for more
    });
}

// ---- the peer's FIN and the kernel's view ----------------------------------------------------

void StreamSession::onPeerFin() {
    finishFraming();
    if (closeIfAsked()) return;
    m_ctx.emit(PeerHalfClosed{m_endpoint, m_id, nowUs()});
    m_responders.onPeerClosed(*this);     // a script's expect can end now: nothing more will come
    if (closed()) return;
    if (m_transport->sentFin()) return;   // both directions are done: the transport ends the connection
    refreshTcpState();                    // CLOSE_WAIT: the user sees it and decides
    if (closed()) return;
    if (m_settings.close_wait_timeout_s == 0) {
        m_transport->setGracefulReason(CloseReason::PeerClosed);
        close(CloseMode::Graceful);
        return;
    }
    m_transport->watchAfterPeerFin();     // a RST may still follow the FIN
    if (m_settings.close_wait_timeout_s > 0) startCloseWaitTimer();
}

void StreamSession::startCloseWaitTimer() {
    const double timeout = m_settings.close_wait_timeout_s;
    m_closeWaitTimer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::min(timeout, 1e9))));
    m_closeWaitTimer.async_wait([self = shared_from_this(), timeout](std::error_code ec) {
        if (ec || !self->m_transport->writable()) return;   // closed or closing meanwhile
        self->m_transport->setCloseNote(
            ErrorInfo{"CLOSE_WAIT_TIMEOUT", "closed after " + seconds(timeout) + " s in CLOSE_WAIT (close_wait_timeout_s)",
                      "在 CLOSE_WAIT 中停留 " + seconds(timeout) + " 秒后关闭（close_wait_timeout_s）"});
        self->close(CloseMode::Graceful);
    });
}

void StreamSession::refreshTcpState() {
    const auto info = m_transport->refreshKernelView();   // may end the session (RST after FIN)
    if (!info || info == m_lastInfo) return;
    // A refresh event: refused over the queue's budget, then the next refresh sends the latest.
    if (m_ctx.emitRefresh(TcpStateChanged{m_endpoint, m_id, *info, nowUs()})) m_lastInfo = info;
}

// ---- sending ---------------------------------------------------------------------------------

std::optional<ErrorInfo> StreamSession::send(Bytes payload, const FaultsRef& faults) {
    return sendShared(SharedBytes(std::move(payload)), faults);   // adopts the vector: no copy
}

std::optional<ErrorInfo> StreamSession::sendShared(SharedBytes payload, const FaultsRef& faults,
                                                   std::shared_ptr<SendReceipt> receipt) {
    FaultInjector* shape = faults ? faults.get() : m_settings.faults.get();
    return m_transport->send(std::move(payload), shape, std::move(receipt));
}

std::size_t StreamSession::room() const {
    const std::size_t room = m_transport->room();
    const std::size_t delayed = m_delayed.replyBytes();   // replies waiting for their delay
    return room > delayed ? room - delayed : 0;
}

void StreamSession::onSent(SharedBytes sent) {
    count(Direction::Tx, sent.size());
    m_ctx.queue.push(DataEvent{m_endpoint, m_id, Direction::Tx, nowUs(), {}, std::move(sent)}, EventPriority::Data);
    // The echo paused reading on a full queue: resume once half of it is gone.
    if (m_replyPaused && m_transport->queuedBytes() + m_delayed.replyBytes() <= m_transport->queueLimit() / 2) {
        m_replyPaused = false;
        readSoon();
    }
}

void StreamSession::onWriteDone() {
    if (auto host = m_host.lock()) host->onWriteDone();
}

std::chrono::steady_clock::time_point StreamSession::orderedDue(std::chrono::milliseconds delay) {
    // A stream is never reordered: a reply with a shorter (random) delay waits for the one before
    // (absolute deadlines, strictly increasing: the timers fire in this order).
    auto due = std::chrono::steady_clock::now() + delay;
    if (due <= m_lastDelayedDue) due = m_lastDelayedDue + std::chrono::nanoseconds(1);
    m_lastDelayedDue = due;
    return due;
}

bool StreamSession::sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults) {
    if (closed()) return false;
    const std::size_t size = bytes.size();
    if (size > room()) return false;   // delayed replies stay within the send queue's bound
    const bool scheduled = m_delayed.scheduleReplyAt(
        orderedDue(delay), size, [weak = weak_from_this(), bytes = std::move(bytes), faults = std::move(faults)]() mutable {
            auto self = weak.lock();
            if (!self) return;
            --self->m_orderedPending;
            if (self->closed()) return;   // a close run in between (its cancelAll usually drops us first)
            if (auto error = self->send(std::move(bytes), faults)) self->replyDropped(*error);
        });
    if (scheduled) ++m_orderedPending;
    return scheduled;
}

bool StreamSession::closeLater(std::chrono::milliseconds delay, CloseMode mode) {
    if (closed()) return false;
    const bool scheduled = m_delayed.scheduleAt(orderedDue(delay), [weak = weak_from_this(), mode] {
        auto self = weak.lock();
        if (!self) return;
        --self->m_orderedPending;
        self->close(mode);
    });
    if (scheduled) ++m_orderedPending;
    return scheduled;
}

bool StreamSession::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    if (closed()) return false;
    return m_delayed.schedule(delay, [weak = weak_from_this(), fn = std::move(fn)] {
        auto self = weak.lock();
        if (self && !self->closed()) fn();
    });
}

void StreamSession::replyDropped(ErrorInfo why) {
    if (auto host = m_host.lock()) {
        host->onEchoDropped(1);
        host->onRepeatableError(m_id, ErrorContext::Write, std::move(why));
    }
}

void StreamSession::reportError(ErrorContext context, ErrorInfo error) {
    if (auto host = m_host.lock()) host->onRepeatableError(m_id, context, std::move(error));
    else m_ctx.emit(ErrorEvent{m_endpoint, m_id, context, std::move(error), nowUs()});
}

void StreamSession::count(Direction direction, std::size_t bytes) {
    m_traffic.count(direction, bytes);
    if (auto host = m_host.lock()) host->onTraffic(direction, bytes);
}

// ---- closing ---------------------------------------------------------------------------------

void StreamSession::onFinSent() {
    m_ctx.emit(LocalHalfClosed{m_endpoint, m_id, nowUs()});
}

void StreamSession::close(CloseMode mode) {
    if (closed()) return;
    if (m_inPipeline) {   // a responder asked: after the current read (an abort wins over a reset, both over a FIN)
        const auto rank = [](CloseMode m) { return m == CloseMode::Abort ? 2 : m == CloseMode::ResetAfterQueued ? 1 : 0; };
        if (!m_closeAsked || rank(mode) > rank(*m_closeAsked)) m_closeAsked = mode;
        return;
    }
    m_transport->close(mode);
}

void StreamSession::shutdownForStop(CloseMode mode) {
    m_host.reset();
    m_transport->shutdownForStop(mode);
}

void StreamSession::onClosed(CloseReason reason, std::optional<ErrorInfo> error) {
    m_closeWaitTimer.cancel();
    m_orderedPending = 0;
    if (const auto dropped = m_delayed.cancelAll(); dropped.replies > 0) {
        if (auto host = m_host.lock()) host->onEchoDropped(dropped.replies);
        reportError(ErrorContext::Write, delayedRepliesNotSent(dropped.replies, dropped.bytes,
                                                               "the connection closed first", "连接已先关闭"));
    }
    finishFraming();
    m_responders.onClosed();
    if (auto host = m_host.lock()) host->beforeClosedEvent(m_id);
    m_ctx.emit(ConnectionClosed{m_endpoint, m_id, reason, std::move(error), nowUs()});
    if (auto host = m_host.lock()) host->onConnectionClosed(m_id, reason, m_framingClose);
}

}  // namespace sockscope
