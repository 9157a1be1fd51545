#include "core/model/endpoint_table.hpp"

#include <algorithm>
#include <type_traits>

namespace sockscope {

EndpointTable::EndpointTable(EndpointTableLimits limits) : m_limits(limits) {}

EndpointRow* EndpointTable::find(EndpointId id) {
    for (auto& row : m_endpoints)
        if (row.id == id) return &row;
    return nullptr;
}

const EndpointRow* EndpointTable::endpoint(EndpointId id) const {
    for (const auto& row : m_endpoints)
        if (row.id == id) return &row;
    return nullptr;
}

const ConnectionRow* EndpointTable::connection(EndpointId endpoint_id, ConnectionId id) const {
    const EndpointRow* row = endpoint(endpoint_id);
    if (!row) return nullptr;
    for (const auto& c : row->connections)
        if (c.id == id) return &c;
    return nullptr;
}

ConnectionRow* EndpointTable::findConnection(EndpointRow& row, ConnectionId id) {
    for (auto& c : row.connections)
        if (c.id == id) return &c;
    return nullptr;
}

EndpointRow& EndpointTable::ensure(EndpointId id) {
    if (EndpointRow* row = find(id)) return *row;
    EndpointRow row;
    row.id = id;
    row.status.endpoint = id;
    row.status.state = EndpointState::Stopped;
    m_endpoints.push_back(std::move(row));
    return m_endpoints.back();
}

void EndpointTable::remove(EndpointId id) {
    m_endpoints.erase(std::remove_if(m_endpoints.begin(), m_endpoints.end(),
                                     [id](const EndpointRow& r) { return r.id == id; }),
                      m_endpoints.end());
}

void EndpointTable::clearClosed(EndpointId id) {
    for (auto& row : m_endpoints) {
        if (id != 0 && row.id != id) continue;
        row.connections.erase(std::remove_if(row.connections.begin(), row.connections.end(),
                                             [](const ConnectionRow& c) { return !c.open; }),
                              row.connections.end());
    }
}

// Closed connections stay listed (so a user sees how a connection ended) but only the newest few.
void EndpointTable::trimClosed(EndpointRow& row) {
    std::size_t closed = 0;
    for (const auto& c : row.connections) closed += c.open ? 0 : 1;
    if (closed <= m_limits.closed_connections_kept) return;
    std::size_t to_drop = closed - m_limits.closed_connections_kept;
    // The oldest closed ones come first in the vector (appended in open order).
    row.connections.erase(std::remove_if(row.connections.begin(), row.connections.end(),
                                         [&to_drop](const ConnectionRow& c) {
                                             if (c.open || to_drop == 0) return false;
                                             --to_drop;
                                             return true;
                                         }),
                          row.connections.end());
}

std::size_t EndpointTable::openConnections() const {
    std::size_t n = 0;
    for (const auto& row : m_endpoints)
        for (const auto& c : row.connections) n += c.open ? 1 : 0;
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
            } else {
                EndpointRow& row = ensure(e.endpoint);
                if constexpr (std::is_same_v<T, EndpointStatus>) {
                    row.status = e;
                    row.status_us = now_us;
                    if (e.error) row.last_error = e.error;
                    // A stopped/failed endpoint has no open connections left.
                    if (e.state == EndpointState::Stopped || e.state == EndpointState::Failed) {
                        for (auto& c : row.connections) {
                            if (!c.open) continue;
                            c.open = false;
                            c.closed_us = now_us;
                            c.close_reason = CloseReason::Shutdown;
                        }
                        trimClosed(row);
                    }
                } else if constexpr (std::is_same_v<T, ConnectionOpened>) {
                    ConnectionRow* c = findConnection(row, e.connection);
                    if (!c) {
                        row.connections.emplace_back();
                        c = &row.connections.back();
                    }
                    *c = ConnectionRow{};
                    c->id = e.connection;
                    c->endpoint = e.endpoint;
                    c->peer = e.peer;
                    c->local = e.local;
                    c->opened_us = e.time_us;
                } else if constexpr (std::is_same_v<T, PeerHalfClosed>) {
                    if (ConnectionRow* c = findConnection(row, e.connection)) c->peer_half_closed = true;
                } else if constexpr (std::is_same_v<T, ConnectionClosed>) {
                    if (ConnectionRow* c = findConnection(row, e.connection)) {
                        c->open = false;
                        c->closed_us = e.time_us;
                        c->close_reason = e.reason;
                        c->close_error = e.error;
                        if (c->tcp) c->tcp->state = TcpState::Close;
                        c->counters.rx_bytes_per_s = c->counters.tx_bytes_per_s = 0;
                        c->counters.rx_messages_per_s = c->counters.tx_messages_per_s = 0;
                    }
                    trimClosed(row);
                } else if constexpr (std::is_same_v<T, DataEvent>) {
                    count(row.totals, e.direction, e.payload.size());
                    if (e.connection != 0)
                        if (ConnectionRow* c = findConnection(row, e.connection))
                            count(c->counters, e.direction, e.payload.size());
                } else if constexpr (std::is_same_v<T, TcpStateChanged>) {
                    if (ConnectionRow* c = findConnection(row, e.connection))
                        if (c->open) c->tcp = e.info;
                } else if constexpr (std::is_same_v<T, PortTableChanged>) {
                    row.port = e.port;
                    row.port_counts = e.counts;
                } else if constexpr (std::is_same_v<T, ErrorEvent>) {
                    row.last_error = e.error;
                } else if constexpr (std::is_same_v<T, StatsEvent>) {
                    row.totals = e.totals;
                    row.open_connections = e.open_connections;
                    row.accepted_total = e.accepted_total;
                    row.rejected_total = e.rejected_total;
                    row.dropped_messages = e.dropped_messages;
                    row.kernel_drops = e.kernel_drops;
                    for (const auto& [id, counters] : e.connections)
                        if (ConnectionRow* c = findConnection(row, id)) c->counters = counters;
                }
            }
        },
        event);
}

}  // namespace sockscope
