#pragma once
// Events: values the engine sends to the front end through the bounded EventQueue. The front end
// rebuilds its whole picture of the world (endpoint table, payload log) from these alone.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/commands.hpp"
#include "core/net/error_text.hpp"
#include "core/net/tcp_state.hpp"
#include "core/types.hpp"

namespace sockscope {

enum class EndpointState : std::uint8_t {
    Stopped,
    Resolving,
    Connecting,     // tcp-client: a connect attempt is in flight
    Listening,      // tcp-server
    Bound,          // udp
    Connected,      // tcp-client
    WaitingRetry,   // tcp-client: auto-reconnect timer running (see retry_in_ms)
    Failed,         // could not start / gave up; `error` says why
};
const char* toString(EndpointState state);  // "stopped", "resolving", ... "failed"

/// The endpoint's lifecycle. Sent on every change.
struct EndpointStatus {
    EndpointId endpoint;
    EndpointState state;
    std::string local;                   // bound/listening address once known, "127.0.0.1:60000"
    std::string remote;                  // tcp-client: the resolved address being used
    std::string resolved_from;           // tcp-client: what the user typed when it differs, e.g. "localhost:80"
    std::uint32_t attempt = 0;           // tcp-client: connect attempt number (1-based)
    std::uint32_t retry_in_ms = 0;       // WaitingRetry: delay before the next attempt
    std::optional<ErrorInfo> error;      // Failed / WaitingRetry: the last error
    TimestampUs time_us = 0;             // when the state changed (set on the I/O thread)
};

/// A TCP connection appeared: accepted by a server or connected by a client.
struct ConnectionOpened {
    EndpointId endpoint;
    ConnectionId connection;
    std::string peer;                    // "127.0.0.1:53412", "[::1]:53412"
    std::string local;
    TimestampUs time_us;
};

/// The peer sent FIN (we read EOF). The connection stays half-open unless close_on_peer_fin.
struct PeerHalfClosed { EndpointId endpoint; ConnectionId connection; TimestampUs time_us; };

enum class CloseReason : std::uint8_t {
    LocalGraceful,   // we closed with FIN (after the peer did or not)
    LocalAbort,      // we reset (RST)
    PeerClosed,      // both sides are done after the peer's FIN (auto close or peer FIN after ours)
    PeerReset,       // the peer sent RST (ECONNRESET / EPIPE)
    Error,           // another I/O error; `error` says which
    Shutdown,        // the endpoint was stopped/removed
    Rejected,        // tcp-server at max_connections: accepted and closed at once
};
const char* toString(CloseReason reason);  // "local_graceful", "local_abort", "peer_closed", ...

struct ConnectionClosed {
    EndpointId endpoint;
    ConnectionId connection;
    CloseReason reason;
    std::optional<ErrorInfo> error;
    TimestampUs time_us;
};

/// Messages sent or received. TCP: the bytes of one send, or of one read (framing "raw") or the
/// frames one read completed; UDP: one datagram, or the frames in it. Several frames travel in
/// one event (one queue push per read): `frame_ends` then holds the end offset of each in
/// `payload`, back to back; empty means the payload is one message. Use forEachMessage().
struct DataEvent {
    EndpointId endpoint;
    ConnectionId connection;             // 0 for udp
    Direction direction;
    TimestampUs time_us;
    std::string peer;                    // udp: sender / destination; tcp: empty (see connection)
    Bytes payload;
    std::vector<std::uint32_t> frame_ends = {};   // several messages: where each ends in payload
};

/// Calls fn(std::span<const std::uint8_t>) once per message of the event, in order.
template <typename Fn>
void forEachMessage(const DataEvent& event, Fn&& fn) {
    if (event.frame_ends.empty()) {
        fn(std::span<const std::uint8_t>(event.payload));
        return;
    }
    std::size_t begin = 0;
    for (const std::uint32_t end : event.frame_ends) {
        fn(std::span<const std::uint8_t>(event.payload.data() + begin, end - begin));
        begin = end;
    }
}
/// How many messages the event holds.
inline std::size_t messageCount(const DataEvent& event) {
    return event.frame_ends.empty() ? 1 : event.frame_ends.size();
}

/// The kernel's TCP state of a connection; sent when it changes and with each ~2 Hz refresh
/// if anything in it changed.
struct TcpStateChanged {
    EndpointId endpoint;
    ConnectionId connection;
    TcpInfo info;
    TimestampUs time_us = 0;             // when TCP_INFO was read
};

/// The system's sockets on an endpoint's local port, by state (incl. ones the app no longer holds).
struct PortTableChanged {
    EndpointId endpoint;
    std::uint16_t port;
    PortStateCounts counts;
    TimestampUs time_us = 0;             // when the table was read
};

/// An error that is not a state change (a failed send, a failed option, a refused connection...).
struct ErrorEvent {
    EndpointId endpoint;
    ConnectionId connection = 0;
    ErrorContext context;
    ErrorInfo error;
    TimestampUs time_us;
};

struct TrafficCounters {
    std::uint64_t rx_bytes = 0, tx_bytes = 0;
    std::uint64_t rx_messages = 0, tx_messages = 0;
    double rx_bytes_per_s = 0, tx_bytes_per_s = 0;     // over the last stats period
    double rx_messages_per_s = 0, tx_messages_per_s = 0;
    bool operator==(const TrafficCounters&) const = default;
};

/// ~2 Hz statistics of one endpoint and each of its open connections; sent only when something in
/// it changed (an idle endpoint sends nothing, so an idle front end is not woken).
struct StatsEvent {
    EndpointId endpoint;
    TrafficCounters totals;
    std::uint32_t open_connections = 0;
    std::uint64_t accepted_total = 0;
    std::uint64_t rejected_total = 0;       // over max_connections
    std::uint64_t dropped_messages = 0;     // udp datagrams dropped because the event queue was full
    std::uint64_t kernel_drops = 0;         // udp: SO_RXQ_OVFL / /proc counts where available
    std::uint64_t echo_dropped = 0;         // received messages not echoed (udp send queue full,
                                            // tcp: this side had already sent FIN); each says why once
    std::vector<std::pair<ConnectionId, TrafficCounters>> connections;
    bool operator==(const StatsEvent&) const = default;
};

/// The events dropped (UDP data over the queue budget) since the previous QueueOverflow; sent at
/// most once per refresh period, only when something was dropped.
struct QueueOverflow {
    std::uint64_t dropped_events;
    std::uint64_t dropped_bytes;
    TimestampUs time_us = 0;
};

/// A timer of an endpoint started, stopped or finished its count (sent and skipped so far).
struct TimerStatus {
    EndpointId endpoint;
    std::string name;
    bool running = false;
    std::uint64_t sent = 0;      // payloads handed to the endpoint's send
    std::uint64_t skipped = 0;   // ticks with nowhere to send (not connected, no client yet)
    TimestampUs time_us = 0;
    bool operator==(const TimerStatus&) const = default;
};

enum class FileSendState : std::uint8_t { Running, Done, Cancelled, Failed };
const char* toString(FileSendState state);   // "running", "done", "cancelled", "failed"

/// Progress of a SendFile: at the start, at most ~4 times a second while it runs (coalesced, not
/// one per chunk), and once at the end (Done / Cancelled / Failed with `error`).
struct FileSendStatus {
    EndpointId endpoint;
    std::uint64_t transfer = 0;
    std::string path;
    FileSendState state = FileSendState::Running;
    std::uint64_t sent = 0;       // bytes of the file handed to the send path (each target got them)
    std::uint64_t total = 0;      // the file's size (0 until it is open)
    double rate_bps = 0;          // bytes/s: over the last period while running, the average at the end
    std::optional<ErrorInfo> error;
    TimestampUs time_us = 0;
    bool operator==(const FileSendStatus&) const = default;
};

using Event = std::variant<EndpointStatus, ConnectionOpened, PeerHalfClosed, ConnectionClosed,
                           DataEvent, TcpStateChanged, PortTableChanged, ErrorEvent, StatsEvent,
                           QueueOverflow, TimerStatus, FileSendStatus>;

/// The endpoint an event belongs to (0 for engine-wide events).
EndpointId endpointOf(const Event& event);
/// When the event happened, stamped on the I/O thread (0 for StatsEvent, which has no time).
TimestampUs timeOf(const Event& event);
/// Approximate heap + inline size, used by the queue's byte budget.
std::size_t approximateSize(const Event& event);

}  // namespace sockscope
