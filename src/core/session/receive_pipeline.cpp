#include "core/session/receive_pipeline.hpp"

namespace sockscope {

namespace {
/// Frames held back for the observer until their batch is queued; past this many, the batch goes
/// early (bounds the list; a read of tiny frames then leaves as several events).
constexpr std::size_t kObservedBatch = 1024;
}  // namespace

ReceivePipeline::ReceivePipeline(EventQueue& queue, EndpointId endpoint, ConnectionId connection,
                                 const FramingConfig& config, EventPriority priority, ErrorHandler on_error)
    : m_queue(queue), m_endpoint(endpoint), m_connection(connection), m_priority(priority),
      m_onError(std::move(on_error)) {
    if (config.type != FramingType::Raw) m_framer = std::make_unique<Framer>(config);
    if (config.type == FramingType::Delimiter && !config.keep)
        m_delimiter.assign(config.delimiter.begin(), config.delimiter.end());
}

PushResult ReceivePipeline::onRead(const SharedBytes& bytes) {
    if (!m_framer) {
        const PushResult pushed =
            m_queue.push(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), {}, bytes}, m_priority);
        if (m_observer) m_observer(bytes);
        return pushed;
    }
    // The read as it arrived, for the recorders that keep the wire, before its frames.
    if (m_queue.tapWantsWire())
        offerWire(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), {}, bytes, {}, DataLayer::Wire});
    // Frames within this read leave as spans of its slice; only a frame begun by an earlier read
    // is copied (onFrame).
    m_batch.begin(&bytes);
    m_framer->feed(bytes, idle() ? Clock::now() : Clock::time_point{}, *this);
    flush();
    m_batch.begin(nullptr);
    return takeResult();
}

PushResult ReceivePipeline::onDatagram(const SharedBytes& datagram, const std::string& peer) {
    return onDatagrams(datagram, {}, peer);
}

PushResult ReceivePipeline::onDatagrams(const SharedBytes& bytes, std::vector<FrameSpan> datagrams,
                                        const std::string& peer, const std::string& local) {
    if (datagrams.size() == 1) datagrams.clear();
    if (!m_framer) {
        std::optional<DataEvent> seen;   // what the observer sees once the event is queued
        if (m_observer) seen.emplace(DataEvent{m_endpoint, m_connection, Direction::Rx, 0, {}, bytes, datagrams});
        const PushResult pushed = m_queue.push(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), peer, bytes,
                                                         std::move(datagrams), DataLayer::Both, local},
                                               m_priority);
        if (seen) forEachMessage(*seen, m_observer);
        return pushed;
    }
    if (m_queue.tapWantsWire())
        offerWire(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), peer, bytes, datagrams, DataLayer::Wire, local});
    // Each datagram is framed on its own; frames within `bytes` leave as spans of it.
    m_peer = peer;
    m_local = local;
    m_batch.begin(&bytes);
    const auto frame = [&](ByteView datagram) {
        // An empty datagram is still one message (a framer would make nothing of no bytes), with
        // nothing stripped from it: an event of its own, not tagged like the batch's frames.
        if (datagram.empty()) {
            flush();
            push(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), m_peer, SharedBytes{}, {},
                           DataLayer::Frames, m_local, std::string()});
            if (m_observer) m_observer(datagram);
            return;
        }
        m_framer->feed(datagram, Clock::time_point{}, *this);
        finishFramer(false);
    };
    if (datagrams.empty()) frame(bytes.view());
    for (const FrameSpan& d : datagrams) frame(bytes.view().subspan(d.offset, d.length));
    flush();
    m_batch.begin(nullptr);
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
    finishFramer(true);
    flush();
    return takeResult();
}

void ReceivePipeline::finishFramer(bool incomplete_is_error) {
    // The frame finish() emits is what was left without a delimiter: nothing was stripped from it.
    m_finishing = true;
    m_framer->finish(*this, incomplete_is_error);
    m_finishing = false;
}

void ReceivePipeline::onFrame(ByteView frame) {
    if (m_batch.add(frame)) return observe(frame, false);
    // Not in the read's slice (kept by the framer across reads): the frames before it go
    // first, then a copy of it. The observer sees it now: the framer's buffer moves on.
    flush();
    push(DataEvent{m_endpoint, m_connection, Direction::Rx, nowUs(), m_peer, SharedBytes::copyOf(frame), {},
                   DataLayer::Frames, m_local, m_finishing ? std::string() : m_delimiter});
    observe(frame, true);
}

void ReceivePipeline::onFrames(const std::uint8_t* base, std::span<const FrameCut> frames) {
    if (!m_batch.add(base, frames)) return FrameSink::onFrames(base, frames);   // one at a time
    if (!m_observer) return;
    const bool queued = m_observed.size() + frames.size() > kObservedBatch;
    if (queued) flush();
    for (const FrameCut& frame : frames) observe(ByteView(base + frame.offset, frame.length), queued);
}

void ReceivePipeline::observe(ByteView frame, bool queued) {
    if (!m_observer) return;
    if (queued) return m_observer(frame);
    // Frames in the batch lie in the read's slice: valid until onRead/onDatagrams returns.
    m_observed.push_back(frame);
    if (m_observed.size() >= kObservedBatch) flush();
}

void ReceivePipeline::push(DataEvent&& event) {
    const PushResult pushed = m_queue.push(std::move(event), m_priority);
    if (pushed != PushResult::Accepted) m_result = pushed;
}

void ReceivePipeline::offerWire(const DataEvent& event) {
    const PushResult offered = m_queue.offerToTap(event, m_priority);
    if (offered != PushResult::Accepted) m_result = offered;
}

void ReceivePipeline::onFramingError(const ErrorInfo& error) {
    flush();   // the frames before the error go first: the log shows them in stream order
    if (m_onError) m_onError(error, m_framer->failed());
}

void ReceivePipeline::flush() {
    if (!m_batch.empty()) {
        // Batched frames are cut at a delimiter (finish()'s frame is never in a read: it is copied).
        DataEvent event{m_endpoint, m_connection, Direction::Rx, nowUs(), m_peer, {}, {}, DataLayer::Frames, m_local,
                        m_delimiter};
        m_batch.moveInto(event);
        push(std::move(event));
    }
    std::vector<ByteView> observed;
    observed.swap(m_observed);
    for (const ByteView frame : observed) m_observer(frame);
    observed.clear();
    if (m_observed.empty()) m_observed.swap(observed);   // keep the capacity
}

PushResult ReceivePipeline::takeResult() {
    const PushResult result = m_result;
    m_result = PushResult::Accepted;
    return result;
}

}  // namespace sockscope
