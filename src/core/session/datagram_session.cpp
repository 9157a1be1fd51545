#include "core/session/datagram_session.hpp"

#include "core/net/address.hpp"

namespace sockscope {

DatagramSession::DatagramSession(EngineContext& context, EndpointId endpoint,
                                 std::shared_ptr<DatagramTransport> transport, Settings settings,
                                 std::weak_ptr<ConnectionHost> host)
    : m_ctx(context), m_endpoint(endpoint), m_transport(std::move(transport)), m_settings(std::move(settings)),
      m_host(std::move(host)),
      m_rx(context.queue, endpoint, 0, m_settings.framing, EventPriority::Droppable,
           // No connection to close: with on_error "close" the rest of that datagram is ignored.
           [this](const ErrorInfo& error, bool) { reportError(ErrorContext::Framing, error); }),
      m_delayed(context.io, kMaxDelayedActions) {
    m_rx.framesDatagrams();
    if (m_settings.remote) setReplyTo(*m_settings.remote, formatEndpoint(m_settings.remote->address(), m_settings.remote->port()));
}

void DatagramSession::start() {
    m_responders.attachAll(m_settings.responders, *this);
    watchMessages();
    m_transport->start(weak_from_this());
}

void DatagramSession::stop() {
    if (const auto dropped = m_delayed.cancelAll(); dropped.replies > 0) {
        if (auto host = m_host.lock()) host->onEchoDropped(dropped.replies);
        reportError(ErrorContext::Write, delayedRepliesNotSent(dropped.replies, dropped.bytes,
                                                               "the endpoint stopped first", "端点已先停止"));
    }
    m_responders.onClosed();   // what they report on the way out still reaches the endpoint
    m_transport->close();      // so does what it says of the datagrams still queued
    m_host.reset();
}

bool DatagramSession::attachResponder(std::shared_ptr<Responder> responder) {
    if (closed() || !responder) return false;
    m_responders.add(std::move(responder));
    watchMessages();
    return true;
}

/// Frames reach the responders only once there is one: without, the call per frame is wasted.
void DatagramSession::watchMessages() {
    if (m_responders.empty() || m_rx.observing()) return;
    m_rx.setMessageObserver([this](ByteView message) { m_responders.onMessage(*this, message); });
}

void DatagramSession::setReplyTo(const DatagramAddress& to, const std::string& name) {
    m_replyTo = to;
    m_replyToName = name;
    if (!m_knownPeers.empty() && m_knownPeers.front().first == name) return;   // the usual case: same sender
    std::erase_if(m_knownPeers, [&](const auto& known) { return known.first == name; });
    m_knownPeers.emplace_front(name, to);
    if (m_knownPeers.size() > kKnownPeers) m_knownPeers.pop_back();
}

// ---- receiving -------------------------------------------------------------------------------

void DatagramSession::onDatagrams(const SharedBytes& bytes, std::vector<FrameSpan> datagrams,
                                  const DatagramAddress& sender, const std::string& sender_name,
                                  const std::string& local_name) {
    const auto host = m_host.lock();
    if (host)   // statistics count datagrams, whatever the framing makes of them
        for (const FrameSpan& datagram : datagrams) host->onTraffic(Direction::Rx, datagram.length);
    if (!m_responders.empty()) {   // they answer this datagram's sender
        setReplyTo(sender, sender_name);
        for (const FrameSpan& datagram : datagrams)
            m_responders.onReceived(*this, bytes.slice(datagram.offset, datagram.length));
    }
    const std::size_t count = datagrams.size();
    if (m_rx.onDatagrams(bytes, std::move(datagrams), sender_name, local_name) == PushResult::Dropped && host)
        host->onReceiveDropped(count);
}

// ---- sending ---------------------------------------------------------------------------------

std::optional<ErrorInfo> DatagramSession::sendTo(const DatagramAddress& destination, SharedBytes payload,
                                                 const FaultsRef& faults, std::shared_ptr<SendReceipt> receipt) {
    FaultInjector* shape = faults ? faults.get() : m_settings.faults.get();
    return m_transport->sendTo(destination, std::move(payload), shape, std::move(receipt));
}

void DatagramSession::onSent(const DatagramAddress& destination, SharedBytes sent) {
    if (auto host = m_host.lock()) host->onTraffic(Direction::Tx, sent.size());
    m_ctx.queue.push(DataEvent{m_endpoint, 0, Direction::Tx, nowUs(),
                               formatEndpoint(destination.address(), destination.port()), std::move(sent)},
                     EventPriority::Data);
}

void DatagramSession::onWriteDone() {
    if (auto host = m_host.lock()) host->onWriteDone();
}

std::optional<ErrorInfo> DatagramSession::send(Bytes bytes, const FaultsRef& faults) {
    if (closed()) return ErrorInfo{"ENOTCONN", "udp endpoint is not bound", "UDP 端点尚未绑定"};
    if (!m_replyTo)
        return ErrorInfo{"EDESTADDRREQ", "no datagram to answer yet and no remote address", "尚无可回复的数据报，也没有远端地址"};
    return sendTo(*m_replyTo, SharedBytes(std::move(bytes)), faults);   // adopts the vector: no copy
}

std::optional<ErrorInfo> DatagramSession::sendToPeer(const std::string& peer, Bytes bytes) {
    if (peer == m_replyToName) return send(std::move(bytes));
    if (closed()) return ErrorInfo{"ENOTCONN", "udp endpoint is not bound", "UDP 端点尚未绑定"};
    if (m_settings.remote && peer == formatEndpoint(m_settings.remote->address(), m_settings.remote->port()))
        return sendTo(*m_settings.remote, SharedBytes(std::move(bytes)));
    for (const auto& [name, address] : m_knownPeers)
        if (name == peer) return sendTo(address, SharedBytes(std::move(bytes)));
    return ErrorInfo{"EDESTADDRREQ",
                     peer + " is not among the last " + std::to_string(kKnownPeers) +
                         " senders any more: not sent (it would have gone to another sender)",
                     peer + " 已不在最近的 " + std::to_string(kKnownPeers) + " 个发送方之中：未发送（否则会发给其他发送方）"};
}

bool DatagramSession::sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults) {
    if (!m_replyTo || closed()) return false;
    const std::size_t size = bytes.size();
    // UDP reads never wait for room, so only this keeps delayed replies bounded in bytes.
    if (size > room()) return false;
    // To the sender answered now, whoever sends next (datagrams may be reordered: no ordering).
    return m_delayed.scheduleReplyAt(
        std::chrono::steady_clock::now() + delay, size,
        [weak = weak_from_this(), to = *m_replyTo, bytes = std::move(bytes), faults = std::move(faults)]() mutable {
            auto self = weak.lock();
            if (!self || self->closed()) return;
            if (auto error = self->sendTo(to, SharedBytes(std::move(bytes)), faults)) self->replyDropped(*error);
        });
}

bool DatagramSession::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    if (closed()) return false;
    return m_delayed.schedule(delay, [weak = weak_from_this(), fn = std::move(fn)] {
        auto self = weak.lock();
        if (self && !self->closed()) fn();
    });
}

std::size_t DatagramSession::room() const {
    const std::size_t limit = m_transport->queueLimit();
    const std::size_t used = m_transport->queuedBytes() + m_delayed.replyBytes();
    return limit > used ? limit - used : 0;
}

void DatagramSession::replyDropped(ErrorInfo why) {
    // UDP cannot slow the sender: count, say once.
    if (auto host = m_host.lock()) {
        host->onEchoDropped(1);
        host->onRepeatableError(0, ErrorContext::Write, std::move(why));
    }
}

void DatagramSession::reportError(ErrorContext context, ErrorInfo error) {
    if (auto host = m_host.lock()) host->onRepeatableError(0, context, std::move(error));
    else if (!closed()) m_ctx.emit(ErrorEvent{m_endpoint, 0, context, std::move(error), nowUs()});
}

}  // namespace sockscope
