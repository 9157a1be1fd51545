#include "core/session/receive_pipeline.hpp"

namespace sockscope {

ReceivePipeline::ReceivePipeline(EventQueue& queue, EndpointId endpoint, ConnectionId connection,
                                 const FramingConfig& config, EventPriority priority, ErrorHandler on_error)
    : m_queue(queue), m_endpoint(endpoint), m_connection(connection), m_priority(priority),
      m_onError(std::move(on_error)) {
    if (config.type != FramingType::Raw) m_framer = std::make_unique<Framer>(config);
}

PushResult ReceivePipeline::onRead(const SharedBytes& bytes) {
    if (!m_framer) {
        if (m_observer) m_observer(bytes);
        return m_queue.push(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), {}, bytes}, m_priority);
    }
    // Frames of this read hold at most the pending bytes and the read: one allocation.
    m_batch.reserve(m_framer->pending() + bytes.size());
    m_framer->feed(bytes, idle() ? Clock::now() : Clock::time_point{}, *this);
    flush();
    return takeResult();
}

PushResult ReceivePipeline::onDatagram(const SharedBytes& datagram, const std::string& peer) {
    if (!m_framer) {
        if (m_observer) m_observer(datagram);
        return m_queue.push(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), peer, datagram}, m_priority);
    }
    m_peer = peer;
    m_batch.reserve(datagram.size());
    m_framer->feed(datagram, Clock::time_point{}, *this);
    m_framer->finish(*this, false);
    flush();
    return takeResult();
}

PushResult ReceivePipeline::onTimer(Clock::time_point now) {
    if (!m_framer) return PushResult::Accepted;
    m_framer->expire(now, *this);
    flush();
    return takeResult();
}

PushResult ReceivePipeline::finish() {
    if (!m_framer) return PushResult::Accepted;
    m_framer->finish(*this);
    flush();
    return takeResult();
}

void ReceivePipeline::onFramingError(const ErrorInfo& error) {
    flush();   // the frames before the error go first: the log shows them in stream order
    if (m_onError) m_onError(error, m_framer->failed());
}

void ReceivePipeline::flush() {
    if (m_batch.empty()) return;
    DataEvent event{m_endpoint, m_connection, Direction::Rx, nowUs(), m_peer, {}};
    m_batch.moveInto(event);
    const PushResult pushed = m_queue.push(std::move(event), m_priority);
    if (pushed != PushResult::Accepted) m_result = pushed;
}

PushResult ReceivePipeline::takeResult() {
    const PushResult result = m_result;
    m_result = PushResult::Accepted;
    return result;
}

}  // namespace sockscope
