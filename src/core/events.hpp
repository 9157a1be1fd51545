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
#include "core/record/recording_config.hpp"
#include "core/shared_bytes.hpp"
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
    // Reported by the engine's shutdown (Engine::shutdown: the front end is ending), not by a
    // command or by the endpoint itself: the headless run's "end of run" stops.
    bool shutdown = false;
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
/// We sent FIN while the peer's direction stays open (close mode "half"): the moment our side
/// ended, for the log and the recorders (pcapng).
struct LocalHalfClosed { EndpointId endpoint; ConnectionId connection; TimestampUs time_us; };

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

/// Where one message lies in a DataEvent's payload.
struct FrameSpan {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool operator==(const FrameSpan&) const = default;
};

/// Messages sent or received. TCP: the bytes of one send, or of one read (framing "raw") or the
/// frames one read completed; UDP: one datagram, several datagrams of one sender read together
/// (a batch), or the frames in one datagram. Several messages travel in one event (one queue push
/// per read): `frames` then holds where each lies in `payload`, in order, not overlapping, not
/// necessarily back to back (a stripped delimiter stays in the payload between two frames);
/// empty means the payload is one message. Use forEachMessage() / messageBytes().
/// `payload` is a reference-counted slice (shared_bytes.hpp): received bytes are not copied on
/// their way to the log and the recorders (frames are spans of the read's slice); a Bytes
/// converts to it without a copy.
/// What a DataEvent's bytes are, for those who keep the bytes as they crossed the wire.
enum class DataLayer : std::uint8_t {
    Both,     // the messages are the bytes as they crossed the wire (framing raw, every send)
    Frames,   // messages cut by a framer: delimiters and dropped bytes lie outside them
    Wire,     // a framed endpoint's read (or datagrams) as it arrived; offered only to the
              // recorders that keep the wire (pcapng, receive to file), never queued for the UI
};

struct DataEvent {
    EndpointId endpoint;
    ConnectionId connection;             // 0 for udp
    Direction direction;
    TimestampUs time_us;
    std::string peer;                    // udp: sender / destination; tcp: empty (see connection)
    SharedBytes payload;
    std::vector<FrameSpan> frames = {};  // several messages: where each lies in payload
    DataLayer layer = DataLayer::Both;
    std::string local = {};              // udp on a wildcard bind: the address it was sent to (rx)
    // Frames of a delimiter framer with keep false: each message was followed on the wire by
    // these bytes, which the framer stripped (empty: the messages are all there was, e.g. the
    // unterminated rest of a stream or datagram). Exports re-append it to show the wire's bytes.
    std::string stripped = {};
};

/// Calls fn(std::span<const std::uint8_t>) once per message of the event, in order.
template <typename Fn>
void forEachMessage(const DataEvent& event, Fn&& fn) {
    if (event.frames.empty()) {
        fn(event.payload.view());
        return;
    }
    for (const FrameSpan& frame : event.frames) fn(event.payload.view().subspan(frame.offset, frame.length));
}
/// How many messages the event holds.
inline std::size_t messageCount(const DataEvent& event) {
    return event.frames.empty() ? 1 : event.frames.size();
}
/// The bytes of its messages (the payload's size unless frames leave gaps between them).
std::size_t messageBytes(const DataEvent& event);
/// The messages back to back: the payload itself when nothing lies between them (no copy),
/// else a copy made in `scratch`.
std::span<const std::uint8_t> joinedMessages(const DataEvent& event, Bytes& scratch);
/// True when `frames` are ordered, within `payload` and not overlapping (what producers promise;
/// consumers that index with them check it once).
bool framesValid(const DataEvent& event);

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
    // Sockscope's own send queue (a connection's; an endpoint's: the sum over its connections):
    // bytes sends handed over that the kernel has not taken yet — the peer is not reading them.
    std::uint64_t queued_bytes = 0;
    bool close_pending = false;   // a close (FIN, or a reply's RST) waits for that queue to be sent
    bool operator==(const TrafficCounters&) const = default;
};

/// What fault injection did so far on an endpoint (docs/profile-format.md, "Fault injection").
struct FaultCounters {
    std::uint64_t delayed = 0;        // replies sent late on purpose
    std::uint64_t split_pieces = 0;   // pieces the split sends left in
    std::uint64_t dropped = 0;        // replies not sent on purpose
    std::uint64_t duplicated = 0;     // sends that left twice
    bool operator==(const FaultCounters&) const = default;
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
    FaultCounters faults;                   // fault injection: what it did so far
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
    // Ticks whose payload left: written to the socket (tcp: to at least one of its connections),
    // or still queued to be. A tick a close drops from the send queue unsent (a RST, an error)
    // is moved to `failed`, with a new TimerStatus, so once the queue is empty `sent` is exactly
    // what was written (as the tx rows show).
    std::uint64_t sent = 0;
    std::uint64_t skipped = 0;   // ticks with nowhere to send (not connected, no client yet)
    TimestampUs time_us = 0;
    std::uint64_t failed = 0;    // ticks whose send was refused (an error event says why) or dropped unsent: not in `sent`
    ConnectionId connection = 0; // the one connection it sends to (0: every connection / the udp destination)
    // A running timer's counts, about once a second (the GUI's live counter), not a change of
    // state: not printed headless, not recorded.
    bool progress = false;
    bool operator==(const TimerStatus&) const = default;
};

/// One auto-reply rule's count: how often it fired since the endpoint started, and whether the
/// storm guard paused it.
struct RuleCount {
    std::string name;
    std::uint64_t hits = 0;
    bool paused = false;
    bool operator==(const RuleCount&) const = default;
};

/// The auto-reply rules of an endpoint, in order. A refresh event (~2 Hz, only when a count
/// changed: coalesced, never one per hit), sent at once when the storm guard pauses a rule.
struct RuleStatus {
    EndpointId endpoint;
    std::vector<RuleCount> rules;
    TimestampUs time_us = 0;
    bool operator==(const RuleStatus&) const = default;
};

/// How one step of a script run ended (docs/profile-format.md, "Scripts").
enum class ScriptOutcome : std::uint8_t {
    Done,       // send, wait, connect, close: carried out
    Passed,     // expect: a message matched within timeout_ms
    Failed,     // expect: messages came, none matched within timeout_ms
    TimedOut,   // expect: nothing came within timeout_ms
    Error,      // the step could not be carried out (send refused, no connection): the run stops
    Closed,     // expect: no match can come any more: the peer's FIN or RST, our close, no connection
};
const char* toString(ScriptOutcome outcome);   // "done", "passed", "failed", "timeout", "error", "closed"

/// One executed step. `step` is the step's index in pre-order (flattenSteps), `iteration` counts
/// its executions in this run from 1 (a step inside repeat 100 runs 100 times).
struct ScriptStepResult {
    std::uint32_t step = 0;
    std::uint32_t iteration = 0;
    ScriptOutcome outcome = ScriptOutcome::Done;
    std::uint32_t latency_us = 0;   // expect: from the last send (or the expect's start) to the match or the failure
    bool operator==(const ScriptStepResult&) const = default;
};

/// A failed expect: what was expected and the last message received while waiting (bounded).
struct ScriptFailure {
    ScriptStepResult result;
    std::string expected;            // the match in words: "text \"PONG\" (prefix)"
    Bytes expected_bytes;            // literal bytes of the match (?? as 00); empty for "any"
    Bytes received;                  // the last non-matching message, cut at kScriptFailureBytes
    std::uint32_t received_messages = 0;   // non-matching messages seen while waiting
    std::string message;             // plain words: "timed out after 200 ms: nothing received"
    bool operator==(const ScriptFailure&) const = default;
};
inline constexpr std::size_t kScriptFailureBytes = 1024;

/// Per step of a script, over the run so far: how often it ran, passed and failed, and the
/// latency distribution of its expects (µs).
struct ScriptStepStats {
    std::uint32_t step = 0;
    std::uint64_t runs = 0, passed = 0, failed = 0;
    std::uint32_t min_us = 0, median_us = 0, p95_us = 0, max_us = 0;
    std::vector<std::uint32_t> histogram;   // expects: counts in kScriptHistogramBins equal bins over [min, min(max, 2 x p95)], the rest in the last
    bool operator==(const ScriptStepStats&) const = default;
};
inline constexpr std::size_t kScriptHistogramBins = 24;

enum class ScriptEventKind : std::uint8_t {
    Started,    // the run began (tcp: on a connection; `steps` lists the step lines)
    Step,       // one step result (the first kScriptStepEvents per run, then failures only)
    Progress,   // a few times a second while running: per-step stats
    Finished,   // the run ended: stats, every expect result (bounded), the failures
};

/// A script run's progress. One run = one RunScript on one endpoint (`run` numbers it).
struct ScriptEvent {
    EndpointId endpoint = 0;
    ConnectionId connection = 0;
    std::uint64_t run = 0;
    std::string script;
    ScriptEventKind kind = ScriptEventKind::Started;
    std::vector<std::string> steps;                 // Started: describeStep per step, pre-order
    std::vector<std::uint32_t> depths;              // Started: nesting depth per step (0 = top)
    std::vector<bool> expect_steps;                 // Started: which steps are expects (named or not)
    std::optional<ScriptStepResult> result;         // Step
    std::optional<ScriptFailure> failure;           // Step: when the result failed
    std::vector<ScriptStepStats> stats;             // Progress, Finished
    std::vector<ScriptStepResult> expects;          // Finished: every expect result, in order (bounded)
    std::vector<ScriptFailure> failures;            // Finished: the failures (bounded)
    std::uint64_t expects_not_recorded = 0;         // Finished: beyond the bound, counted only
    bool passed = false;                            // Finished: every expect passed and nothing failed
    bool stopped = false;                           // Finished: stopped before the end (StopScript, endpoint stopped)
    std::string error;                              // Finished: why it ended early, in plain words
    std::uint64_t elapsed_us = 0;                   // Progress, Finished
    TimestampUs time_us = 0;
};
inline constexpr std::size_t kScriptStepEvents = 1000;
inline constexpr std::size_t kScriptRecordedExpects = 100'000;
inline constexpr std::size_t kScriptRecordedFailures = 100;

enum class RecordingState : std::uint8_t { Running, Stopped, Failed };
const char* toString(RecordingState state);   // "running", "stopped", "failed"

/// A recorder's progress (~2 Hz while something changed) and its end. Failed: `error` says why in
/// plain words (disk full, permission, a vanished directory); the rest of the run goes on.
struct RecordingStatus {
    RecordingId recording;
    RecordingState state = RecordingState::Running;
    std::string path;                    // the file being written (the latest, once stopped)
    RecordFormat format = RecordFormat::Pcapng;
    RecordOnFull on_full = RecordOnFull::Pause;
    std::uint64_t bytes_written = 0;     // over every file of this recorder
    std::uint64_t records = 0;           // events written
    std::uint64_t dropped = 0;           // events not written (on_full "drop", or after a failure)
    std::uint64_t pauses = 0;            // times TCP reads were paused for this writer
    std::uint32_t files = 0;             // files begun (rotation)
    std::optional<ErrorInfo> error;
    bool state_changed = false;          // the first status of a recorder, or a new state: news for a log
    bool shutdown = false;               // stopped by the engine's shutdown (the end of a run), not a command
    TimestampUs time_us = 0;
    bool operator==(const RecordingStatus&) const = default;
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
    /// Of `sent`, the bytes still in a target's write queue (the most of any target): handed over
    /// but not yet taken by the kernel, because the peer has not read what came before.
    std::uint64_t waiting = 0;
    bool operator==(const FileSendStatus&) const = default;
};

/// A connection's reading was stopped or resumed by the user (StopReading): while stopped nothing
/// is read, the kernel's receive queue fills and the peer's sends block.
struct ReadingStatus {
    EndpointId endpoint;
    ConnectionId connection;
    bool stopped = false;
    TimestampUs time_us = 0;
    bool operator==(const ReadingStatus&) const = default;
};

using Event = std::variant<EndpointStatus, ConnectionOpened, PeerHalfClosed, ConnectionClosed,
                           DataEvent, TcpStateChanged, PortTableChanged, ErrorEvent, StatsEvent,
                           QueueOverflow, TimerStatus, RuleStatus, ScriptEvent, RecordingStatus,
                           FileSendStatus, ReadingStatus, LocalHalfClosed>;

/// The endpoint an event belongs to (0 for engine-wide events).
EndpointId endpointOf(const Event& event);
/// When the event happened, stamped on the I/O thread (0 for StatsEvent, which has no time).
TimestampUs timeOf(const Event& event);
/// The run's own end (the engine's shutdown stopped an endpoint or a recording), not a stop
/// command: its JSON line says "reason": "end of run", its text "(end of the run)".
bool endsTheRun(const Event& event);
/// Approximate heap + inline size, used by the queue's byte budget.
std::size_t approximateSize(const Event& event);

}  // namespace sockscope
