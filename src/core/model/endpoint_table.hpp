#pragma once
// The front end's picture of the world, rebuilt from engine Events alone: every endpoint with its
// lifecycle state, counters and port table, and its connections (peer, local, age, kernel TCP
// state, half-closed flags, counters). UI-free, owned by one thread, testable by feeding events.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/events.hpp"
#include "core/model/rate_history.hpp"

namespace sockscope {

struct ConnectionRow {
    ConnectionId id = 0;
    EndpointId endpoint = 0;
    std::string peer;
    std::string local;
    TimestampUs opened_us = 0;
    TimestampUs closed_us = 0;             // 0 while open
    bool open = true;
    bool peer_half_closed = false;         // the peer sent FIN
    bool reading_stopped = false;          // the user stopped reading it (StopReading)
    std::optional<CloseReason> close_reason;
    std::optional<ErrorInfo> close_error;
    std::optional<TcpInfo> tcp;            // last kernel snapshot
    TrafficCounters counters;              // live counts between stats; rates from stats
    TrafficCounters baseline;              // counts at the user's last reset (shown: sinceReset)
    RateHistory rates{60};                 // per second, the last minute (allocated on traffic)
};

/// The connections of one endpoint in arrival order (closed ones stay in place, the newest few
/// kept), found by id in O(1). Views see a dense sequence; rows evicted or cleared by the table
/// leave a hole (id 0) that the first read after the change compacts in one O(n) pass, so a burst
/// of closes costs one pass, not one per close. Owned by one thread, like the table.
class ConnectionList {
public:
    std::size_t size() const { return settled().size(); }
    bool empty() const { return size() == 0; }
    const ConnectionRow& operator[](std::size_t i) const { return settled()[i]; }
    std::vector<ConnectionRow>::const_iterator begin() const { return settled().begin(); }
    std::vector<ConnectionRow>::const_iterator end() const { return settled().end(); }
    /// Rows that are open / closed (O(1)).
    std::size_t openCount() const { return m_open; }
    std::size_t closedCount() const { return m_closed; }

    [[nodiscard]] const ConnectionRow* find(ConnectionId id) const;
    /// Row visits so far (lookups, rows moved by compaction): lets tests bound the work per event.
    std::uint64_t work() const { return m_work; }

private:
    friend class EndpointTable;
    ConnectionRow* findMutable(ConnectionId id);
    ConnectionRow& open(ConnectionId id);      // a new row, or the existing one reset
    void markClosed(ConnectionRow& row);       // open -> closed; remembered for eviction
    void evictClosedBeyond(std::size_t keep);  // oldest closed first
    void clearClosed();
    const std::vector<ConnectionRow>& settled() const;

    mutable std::vector<ConnectionRow> m_rows;
    mutable std::unordered_map<ConnectionId, std::size_t> m_index;   // id -> position in m_rows
    mutable std::size_t m_holes = 0;
    mutable std::uint64_t m_work = 0;
    std::deque<ConnectionId> m_closedOrder;   // closed ids, oldest close first (may hold stale ids)
    std::size_t m_open = 0;
    std::size_t m_closed = 0;
};

struct EndpointRow {
    EndpointId id = 0;
    EndpointStatus status{};               // last lifecycle event (state, addresses, retry, error)
    TimestampUs status_us = 0;             // when `status` arrived (local clock), for countdowns
    TrafficCounters totals;
    std::uint32_t open_connections = 0;
    std::uint64_t accepted_total = 0;
    std::uint64_t rejected_total = 0;
    std::uint64_t dropped_messages = 0;
    std::uint64_t kernel_drops = 0;
    std::uint64_t echo_dropped = 0;
    FaultCounters faults;                  // what fault injection did (StatsEvent)
    std::optional<std::uint16_t> port;     // from the last port table
    std::optional<PortStateCounts> port_counts;
    std::optional<ErrorInfo> last_error;   // the last ErrorEvent or status error
    ConnectionList connections;            // arrival order; closed ones stay until evicted
    std::map<std::string, TimerStatus> timers;   // by name: the last start/stop/finish of each timer
    TrafficCounters baseline;              // totals at the user's last reset (shown: sinceReset)
    RateHistory rates{300};                // per second, the last five minutes
    std::vector<RuleCount> rules;                // auto-reply rules: hits and storm-guard pauses
    std::map<std::uint64_t, FileSendStatus> file_sends;   // by transfer: the latest status (the last few kept)
};

/// Counts since the user's last reset (rates unchanged): what the views show.
TrafficCounters sinceReset(const TrafficCounters& totals, const TrafficCounters& baseline);

struct EndpointTableLimits {
    std::size_t closed_connections_kept = 32;   // per endpoint, the newest closed ones stay visible
};

class EndpointTable {
public:
    explicit EndpointTable(EndpointTableLimits limits = {});

    /// Applies one engine event. `now_us` is the local clock (for countdowns); 0 = nowUs().
    void apply(const Event& event, TimestampUs now_us = 0);

    /// Endpoints in the order they first appeared (or were ensured). Lookups by id are O(1).
    const std::vector<EndpointRow>& endpoints() const { return m_endpoints; }
    const EndpointRow* endpoint(EndpointId id) const;
    const ConnectionRow* connection(EndpointId endpoint, ConnectionId connection) const;

    /// Makes sure a row exists (e.g. the workspace knows an endpoint before the engine reports).
    EndpointRow& ensure(EndpointId id);
    /// Forgets an endpoint (after RemoveEndpoint).
    void remove(EndpointId id);
    /// Drops the closed connections of one endpoint (0 = all).
    void clearClosed(EndpointId id = 0);
    /// Starts an endpoint's counters (and its connections') from zero and clears their rate
    /// history; the engine's own totals (headless summary) are not touched.
    void resetCounters(EndpointId id);

    std::size_t openConnections() const;       ///< O(endpoints)
    TrafficCounters totals() const;            ///< sum over endpoints (rates too)
    std::uint64_t queueDroppedEvents() const { return m_queueDroppedEvents; }
    std::uint64_t queueDroppedBytes() const { return m_queueDroppedBytes; }

    /// Milliseconds left before a WaitingRetry endpoint tries again (0 when not waiting).
    static std::uint32_t retryRemainingMs(const EndpointRow& row, TimestampUs now_us);

private:
    EndpointRow* find(EndpointId id);
    void trimClosed(EndpointRow& row);

    EndpointTableLimits m_limits;
    std::vector<EndpointRow> m_endpoints;
    std::unordered_map<EndpointId, std::size_t> m_endpointIndex;   // id -> position in m_endpoints
    std::uint64_t m_queueDroppedEvents = 0;
    std::uint64_t m_queueDroppedBytes = 0;
};

}  // namespace sockscope
