#include "core/record/recording_hub.hpp"

#include "core/registry/endpoint_registry.hpp"

namespace sockscope {

RecordingHub::RecordingHub(std::function<void()> resume, std::function<void(Event)> emit)
    : m_resume(std::move(resume)), m_emit(std::move(emit)) {}

RecordingHub::~RecordingHub() = default;

void RecordingHub::start(RecordingId id, RecordingConfig config) {
    stop(id);
    std::string error;
    auto scope = parseRecordScope(config.scope, error);
    if (!scope || config.path.empty() || config.queue_bytes == 0) {
        RecordingStatus status;
        status.recording = id;
        status.state = RecordingState::Failed;
        status.path = config.path;
        status.format = config.format;
        status.on_full = config.on_full;
        status.error = ErrorInfo{"EINVAL",
                                 config.path.empty() ? "the recording has no path"
                                 : !scope            ? "scope: " + error
                                                     : "the queue budget is 0 bytes",
                                 config.path.empty() ? "录制没有指定路径"
                                 : !scope            ? "录制范围（scope）有误：" + error
                                                     : "队列预算为 0 字节"};
        status.state_changed = true;
        status.time_us = nowUs();
        m_emit(std::move(status));
        return;
    }
    Entry entry;
    entry.scope = std::move(*scope);
    entry.wire = registry::tapKind(config.format).wire;   // the hub makes recorders of the registry's tap kinds
    entry.recorder = std::make_unique<Recorder>(id, std::move(config), m_resume);
    auto& placed = m_recorders[id] = std::move(entry);
    publish(placed, true);
}

void RecordingHub::stop(RecordingId id) {
    auto it = m_recorders.find(id);
    if (it == m_recorders.end()) return;
    it->second.recorder->requestStop();   // the writer finishes on its own thread; refresh() joins it
    it->second.stop_asked = std::chrono::steady_clock::now();
    m_stopping.push_back(std::move(it->second));
    m_recorders.erase(it);
}

void RecordingHub::endpointAdded(EndpointId id, const EndpointConfig& config) {
    EndpointInfo& info = m_endpoints[id];   // an update keeps what the endpoint did so far
    info.name = config.name;
    info.type = config.type;
    const RecordingId rtf = kReceiveToFileBase + id;
    const bool had = m_recorders.count(rtf) > 0;
    if (!config.receive_to_file) {
        if (had) stop(rtf);
        return;
    }
    if (had && m_recorders[rtf].recorder->config().path == config.receive_to_file->path) return;   // keep appending
    RecordingConfig record;
    record.path = config.receive_to_file->path;
    record.format = config.receive_to_file->framed ? RecordFormat::RawFramed : RecordFormat::Raw;
    record.scope = config.name;
    record.keep = 0;
    start(rtf, std::move(record));
}

void RecordingHub::endpointRemoved(EndpointId id) {
    stop(kReceiveToFileBase + id);
    m_endpoints.erase(id);
}

void RecordingHub::publish(Entry& entry, bool force, bool shutdown) {
    RecordingStatus status = entry.recorder->status();
    status.shutdown = shutdown;
    status.time_us = entry.last_sent.time_us;
    status.state_changed = entry.last_sent.state_changed;
    if (entry.sent && !force && status == entry.last_sent) return;
    status.state_changed = !entry.sent || status.state != entry.last_sent.state;
    status.time_us = nowUs();
    entry.last_sent = status;
    entry.sent = true;
    m_emit(std::move(status));
}

void RecordingHub::refresh() {
    for (auto& [id, entry] : m_recorders) publish(entry, false);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = m_stopping.begin(); it != m_stopping.end();) {
        // A writer stuck in a write past the grace (a FIFO nobody reads) is given up: stop() then
        // fails it with the reason and counts what it held, so the recording does not hang "running".
        if (!it->recorder->finished() && now - it->stop_asked < kStopGrace) {
            ++it;
            continue;
        }
        it->recorder->stop(std::chrono::milliseconds(0));   // joins at once, or gives up a stuck writer
        publish(*it, false);
        it = m_stopping.erase(it);
    }
}

/// pcapng and receive-to-file keep the bytes as they crossed the wire; the others (text, JSON
/// lines, receive-to-file "framed") keep the messages the framer cut: the tap kind's `wire`.
bool RecordingHub::keepsWire(const Entry& entry) { return entry.wire; }

bool RecordingHub::inScope(const Entry& entry, EndpointId endpoint, ConnectionId connection) const {
    if (entry.scope.endpoint.empty()) return true;
    auto it = m_endpoints.find(endpoint);
    if (it == m_endpoints.end() || it->second.name != entry.scope.endpoint) return false;
    return entry.scope.connection == 0 || entry.scope.connection == connection;
}

bool RecordingHub::observe(const Event& event, EventPriority priority) {
    // The ~2 Hz picture of the world is not a record; nor are our own statuses.
    if (priority == EventPriority::Refresh || std::holds_alternative<RecordingStatus>(event)) return false;
    const EndpointId endpoint = endpointOf(event);
    // Addresses first: a recorder started later still knows a connection's 5-tuple.
    if (const auto* s = std::get_if<EndpointStatus>(&event)) {
        if (auto it = m_endpoints.find(endpoint); it != m_endpoints.end()) {
            if (!s->local.empty()) it->second.local = s->local;
            // The engine announces each new endpoint as "stopped" before starting it: not news
            // (the GUI's log and the headless output leave it out too).
            if (s->state == EndpointState::Stopped && !it->second.begun) return false;
            it->second.begun = true;
        }
    } else if (const auto* o = std::get_if<ConnectionOpened>(&event)) {
        m_connections[{endpoint, o->connection}] = {o->local, o->peer};
    }
    ConnectionId connection = 0;
    std::visit([&](const auto& e) {
        if constexpr (requires { e.connection; }) connection = e.connection;
    }, event);
    const bool closed = std::holds_alternative<ConnectionClosed>(event);
    if (m_recorders.empty()) {
        if (closed) m_connections.erase({endpoint, connection});
        return false;
    }

    std::shared_ptr<TapRecord> record;   // made once, shared by every recorder that takes it
    const bool data = priority == EventPriority::Data || priority == EventPriority::Droppable;
    const bool pausable = priority == EventPriority::Data;
    const std::size_t bytes = approximateSize(event);
    bool pause = false;
    const auto* data_event = std::get_if<DataEvent>(&event);
    const DataLayer layer = data_event ? data_event->layer : DataLayer::Both;
    for (auto& [id, entry] : m_recorders) {
        if (layer != DataLayer::Both && keepsWire(entry) != (layer == DataLayer::Wire)) continue;
        if (!inScope(entry, endpoint, connection)) continue;
        if (!record) {
            record = std::make_shared<TapRecord>();
            record->event = event;
            if (auto it = m_endpoints.find(endpoint); it != m_endpoints.end()) {
                record->endpoint = it->second.name;
                record->type = it->second.type;
                record->local = it->second.local;
            }
            if (connection)
                if (auto it = m_connections.find({endpoint, connection}); it != m_connections.end()) {
                    record->local = it->second.first;
                    record->peer = it->second.second;
                }
        }
        if (entry.recorder->offer({record, 0, 0}, bytes, data, pausable) == OfferResult::QueuedPause) pause = true;
    }
    if (closed) m_connections.erase({endpoint, connection});
    return pause;
}

bool RecordingHub::wantsWire() const {
    for (const auto& [id, entry] : m_recorders)
        if (keepsWire(entry)) return true;
    return false;
}

bool RecordingHub::overBudget() {
    bool over = false;
    for (auto& [id, entry] : m_recorders) over = entry.recorder->pauseIfOverBudget() || over;
    return over;
}

void RecordingHub::stopAll(std::chrono::milliseconds grace) {
    for (auto& [id, entry] : m_recorders) entry.recorder->requestStop();
    const std::size_t stopped_before = m_stopping.size();   // by a command: not the run's end
    for (auto& [id, entry] : m_recorders) m_stopping.push_back(std::move(entry));
    m_recorders.clear();
    for (std::size_t i = 0; i < m_stopping.size(); ++i) {
        m_stopping[i].recorder->stop(grace);
        publish(m_stopping[i], false, i >= stopped_before);
    }
    m_stopping.clear();
}

}  // namespace sockscope
