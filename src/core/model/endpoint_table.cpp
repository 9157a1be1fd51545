#include "core/model/endpoint_table.hpp"

#include <algorithm>
#include <type_traits>

namespace sockscope {

// --- ConnectionList ---------------------------------------------------------------------------

const std::vector<ConnectionRow>& ConnectionList::settled() const {
    if (m_holes == 0) return m_rows;
    m_work += m_rows.size();
    m_rows.erase(std::remove_if(m_rows.begin(), m_rows.end(), [](const ConnectionRow& c) { return c.id == 0; }),
                 m_rows.end());
    m_index.clear();
    for (std::size_t i = 0; i < m_rows.size(); ++i) m_index.emplace(m_rows[i].id, i);
    m_holes = 0;
    return m_rows;
}

const ConnectionRow* ConnectionList::find(ConnectionId id) const {
    settled();   // a pointer handed out stays valid until the table changes again
    ++m_work;
    const auto it = m_index.find(id);
    return it == m_index.end() ? nullptr : &m_rows[it->second];
}

ConnectionRow* ConnectionList::findMutable(ConnectionId id) {
    ++m_work;
    const auto it = m_index.find(id);
    return it == m_index.end() ? nullptr : &m_rows[it->second];
}

ConnectionRow& ConnectionList::open(ConnectionId id) {
    ConnectionRow* row = findMutable(id);
    if (row) {
        (row->open ? m_open : m_closed) -= 1;   // reused id: the row starts over
    } else {
        m_index.emplace(id, m_rows.size());
        row = &m_rows.emplace_back();
    }
    *row = ConnectionRow{};
    row->id = id;
    ++m_open;
    return *row;
}

void ConnectionList::markClosed(ConnectionRow& row) {
    if (!row.open) return;
    row.open = false;
    --m_open;
    ++m_closed;
    m_closedOrder.push_back(row.id);
}

void ConnectionList::evictClosedBeyond(std::size_t keep) {
    while (m_closed > keep && !m_closedOrder.empty()) {
        const ConnectionId id = m_closedOrder.front();
        m_closedOrder.pop_front();
        ConnectionRow* row = findMutable(id);
        if (!row || row->open) continue;   // stale: reopened or already gone
        m_index.erase(id);
        *row = ConnectionRow{};            // id 0: a hole until the next read compacts
        row->id = 0;
        ++m_holes;
        --m_closed;
    }
}

void ConnectionList::clearClosed() {
    evictClosedBeyond(0);
    m_closedOrder.clear();
}

// --- EndpointTable ------------------------------------------------------------------------------

EndpointTable::EndpointTable(EndpointTableLimits limits) : m_limits(limits) {}

EndpointRow* EndpointTable::find(EndpointId id) {
    const auto it = m_endpointIndex.find(id);
    return it == m_endpointIndex.end() ? nullptr : &m_endpoints[it->second];
}

const EndpointRow* EndpointTable::endpoint(EndpointId id) const {
    const auto it = m_endpointIndex.find(id);
    return it == m_endpointIndex.end() ? nullptr : &m_endpoints[it->second];
}

const ConnectionRow* EndpointTable::connection(EndpointId endpoint_id, ConnectionId id) const {
    const EndpointRow* row = endpoint(endpoint_id);
    return row ? row->connections.find(id) : nullptr;
}

EndpointRow& EndpointTable::ensure(EndpointId id) {
    if (EndpointRow* row = find(id)) return *row;
    EndpointRow row;
    row.id = id;
    row.status.endpoint = id;
    row.status.state = EndpointState::Stopped;
    m_endpointIndex.emplace(id, m_endpoints.size());
    m_endpoints.push_back(std::move(row));
    return m_endpoints.back();
}

void EndpointTable::remove(EndpointId id) {
    m_endpoints.erase(std::remove_if(m_endpoints.begin(), m_endpoints.end(),
                                     [id](const EndpointRow& r) { return r.id == id; }),
                      m_endpoints.end());
    m_endpointIndex.clear();   // rare (a user's Delete): rebuild
    for (std::size_t i = 0; i < m_endpoints.size(); ++i) m_endpointIndex.emplace(m_endpoints[i].id, i);
}

void EndpointTable::clearClosed(EndpointId id) {
    for (auto& row : m_endpoints)
        if (id == 0 || row.id == id) row.connections.clearClosed();
}

// Closed connections stay listed (so a user sees how a connection ended) but only the newest few.
void EndpointTable::trimClosed(EndpointRow& row) { row.connections.evictClosedBeyond(m_limits.closed_connections_kept); }

std::size_t EndpointTable::openConnections() const {
    std::size_t n = 0;
    for (const auto& row : m_endpoints) n += row.connections.openCount();
    return n;
}

TrafficCounters EndpointTable::totals() const {
    TrafficCounters t;
    for (const auto& row : m_endpoints) {
        t.rx_bytes += row.totals.rx_bytes;
        t.tx_bytes += row.totals.tx_bytes;
        t.rx_messages += row.totals.rx_messages;
        t.tx_messages += row.totals.tx_messages;
        t.rx_bytes_per_s += row.totals.rx_bytes_per_s;
        t.tx_bytes_per_s += row.totals.tx_bytes_per_s;
        t.rx_messages_per_s += row.totals.rx_messages_per_s;
        t.tx_messages_per_s += row.totals.tx_messages_per_s;
    }
    return t;
}

std::uint32_t EndpointTable::retryRemainingMs(const EndpointRow& row, TimestampUs now_us) {
    if (row.status.state != EndpointState::WaitingRetry) return 0;
    const TimestampUs due = row.status_us + static_cast<TimestampUs>(row.status.retry_in_ms) * 1000;
    if (now_us >= due) return 0;
    return static_cast<std::uint32_t>((due - now_us + 999) / 1000);
}

namespace {
void count(TrafficCounters& c, Direction dir, std::size_t bytes) {
    if (dir == Direction::Rx) {
        c.rx_bytes += bytes;
        ++c.rx_messages;
    } else {
        c.tx_bytes += bytes;
        ++c.tx_messages;
    }
}
}  // namespace

void EndpointTable::apply(const Event& event, TimestampUs now_us) {
    if (now_us == 0) now_us = nowUs();
    std::visit(
        [&](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, QueueOverflow>) {
                m_queueDroppedEvents += e.dropped_events;
                m_queueDroppedBytes += e.dropped_bytes;
            } else if constexpr (std::is_same_v<T, RecordingStatus>) {
                // recorders are not endpoints: the front end keeps their rows itself
            } else {
                EndpointRow& row = ensure(e.endpoint);
                if constexpr (std::is_same_v<T, EndpointStatus>) {
                    row.status = e;
                    row.status_us = now_us;
                    if (e.error) row.last_error = e.error;
                    // A stopped/failed endpoint has no open connections left.
                    if (e.state == EndpointState::Stopped || e.state == EndpointState::Failed) {
                        if (row.connections.openCount() > 0) {
                            for (auto& c : row.connections.m_rows) {
                                if (!c.open || c.id == 0) continue;
                                row.connections.markClosed(c);
                                c.closed_us = now_us;
                                c.close_reason = CloseReason::Shutdown;
                            }
                            trimClosed(row);
                        }
                    }
                } else if constexpr (std::is_same_v<T, ConnectionOpened>) {
                    if (e.connection == 0) return;   // 0 means "the endpoint itself", never a connection
                    ConnectionRow* c = &row.connections.open(e.connection);
                    c->endpoint = e.endpoint;
                    c->peer = e.peer;
                    c->local = e.local;
                    c->opened_us = e.time_us;
                } else if constexpr (std::is_same_v<T, PeerHalfClosed>) {
                    if (ConnectionRow* c = row.connections.findMutable(e.connection)) c->peer_half_closed = true;
                } else if constexpr (std::is_same_v<T, ConnectionClosed>) {
                    if (ConnectionRow* c = row.connections.findMutable(e.connection)) {
                        row.connections.markClosed(*c);
                        c->closed_us = e.time_us;
                        c->close_reason = e.reason;
                        c->close_error = e.error;
                        if (c->tcp) c->tcp->state = TcpState::Close;
                        c->counters.rx_bytes_per_s = c->counters.tx_bytes_per_s = 0;
                        c->counters.rx_messages_per_s = c->counters.tx_messages_per_s = 0;
                    }
                    trimClosed(row);
                } else if constexpr (std::is_same_v<T, DataEvent>) {
                    const std::size_t bytes = messageBytes(e);   // a pass over the frames: once
                    count(row.totals, e.direction, bytes);
                    if (e.connection != 0)
                        if (ConnectionRow* c = row.connections.findMutable(e.connection))
                            count(c->counters, e.direction, bytes);
                } else if constexpr (std::is_same_v<T, TcpStateChanged>) {
                    if (ConnectionRow* c = row.connections.findMutable(e.connection))
                        if (c->open) c->tcp = e.info;
                } else if constexpr (std::is_same_v<T, PortTableChanged>) {
                    row.port = e.port;
                    row.port_counts = e.counts;
                } else if constexpr (std::is_same_v<T, ErrorEvent>) {
                    row.last_error = e.error;
                } else if constexpr (std::is_same_v<T, TimerStatus>) {
                    row.timers[e.name] = e;
                } else if constexpr (std::is_same_v<T, RuleStatus>) {
                    row.rules = e.rules;
                } else if constexpr (std::is_same_v<T, ReadingStatus>) {
                    if (ConnectionRow* c = row.connections.findMutable(e.connection))
                        if (c->open) c->reading_stopped = e.stopped;
                } else if constexpr (std::is_same_v<T, FileSendStatus>) {
                    row.file_sends[e.transfer] = e;
                    // Bounded: the oldest finished transfers go (a running one is never dropped).
                    for (auto it = row.file_sends.begin(); row.file_sends.size() > 8 && it != row.file_sends.end();)
                        it = it->second.state != FileSendState::Running ? row.file_sends.erase(it) : std::next(it);
                } else if constexpr (std::is_same_v<T, StatsEvent>) {
                    row.totals = e.totals;
                    row.open_connections = e.open_connections;
                    row.accepted_total = e.accepted_total;
                    row.rejected_total = e.rejected_total;
                    row.dropped_messages = e.dropped_messages;
                    row.kernel_drops = e.kernel_drops;
                    row.echo_dropped = e.echo_dropped;
                    row.faults = e.faults;
                    row.rates.record(now_us, e.totals);
                    for (const auto& [id, counters] : e.connections)
                        if (ConnectionRow* c = row.connections.findMutable(id)) {
                            c->counters = counters;
                            c->rates.record(now_us, counters);
                        }
                }
            }
        },
        event);
}

TrafficCounters sinceReset(const TrafficCounters& totals, const TrafficCounters& baseline) {
    auto minus = [](std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : a; };   // a restart: a < b
    TrafficCounters out = totals;
    out.rx_bytes = minus(totals.rx_bytes, baseline.rx_bytes);
    out.tx_bytes = minus(totals.tx_bytes, baseline.tx_bytes);
    out.rx_messages = minus(totals.rx_messages, baseline.rx_messages);
    out.tx_messages = minus(totals.tx_messages, baseline.tx_messages);
    return out;
}

void EndpointTable::resetCounters(EndpointId id) {
    EndpointRow* row = find(id);
    if (!row) return;
    row->baseline = row->totals;
    row->rates.clear();
    for (std::size_t i = 0; i < row->connections.size(); ++i) {
        ConnectionRow* c = row->connections.findMutable(row->connections[i].id);
        c->baseline = c->counters;
        c->rates.clear();
    }
}

}  // namespace sockscope
