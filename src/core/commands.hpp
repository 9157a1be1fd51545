#pragma once
// Commands: values the front end sends into the engine (Engine::submit). They are applied on the
// I/O thread in the order submitted. Failures come back as events, never as exceptions.
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "core/endpoint_config.hpp"
#include "core/record/recording_config.hpp"
#include "core/types.hpp"

namespace sockscope {

enum class CloseMode : std::uint8_t {
    Graceful,    // FIN after everything queued has been written
    HalfClose,   // shutdown(SHUT_WR): send FIN, keep reading
    Abort,       // RST: SO_LINGER {1, 0} then close; queued data is discarded
    ResetAfterQueued,   // RST once everything queued has left and the peer acknowledged it (≤ 2 s):
                        // a rule's "reply, then RST"
};
const char* toString(CloseMode mode);   // "graceful", "half-close", "abort", "reset-after-queued"

/// Creates (or replaces, when stopped) an endpoint; starts it when config.auto_start.
struct AddEndpoint { EndpointId endpoint; EndpointConfig config; };
/// Replaces the configuration; a running endpoint restarts with it.
struct UpdateEndpoint { EndpointId endpoint; EndpointConfig config; };
struct RemoveEndpoint { EndpointId endpoint; };
struct StartEndpoint { EndpointId endpoint; };
/// Stops listening/connecting; closes connections with `mode`; cancels reconnects.
struct StopEndpoint { EndpointId endpoint; CloseMode mode = CloseMode::Graceful; };

/// Follows one send through the connections' send queues (a timer's tick): a queue that takes a
/// copy marks it `queued`, a copy (or a split piece of it) written to its socket marks it `left`.
/// When the last holder lets go (the sender, the queues), `dropped` runs if it was queued and no
/// copy was written: the connection closed (a RST, an error) with it still queued, so its bytes
/// never left. A send that no queue held (udp: sent at once) never calls it.
struct SendReceipt {
    bool queued = false;
    bool left = false;
    std::function<void()> dropped;
    SendReceipt() = default;
    SendReceipt(const SendReceipt&) = delete;
    SendReceipt& operator=(const SendReceipt&) = delete;
    ~SendReceipt() {
        if (queued && !left && dropped) dropped();
    }
};

/// Sends one message. tcp-server: to `connection`, or to every connection when it is 0.
/// tcp-client: to its connection. udp: to `destination` ("host:port") if set, otherwise to the
/// configured remote, otherwise (reply_to_sender) to the last sender.
struct Send {
    EndpointId endpoint;
    ConnectionId connection = 0;
    Bytes payload;
    std::string destination;
    std::shared_ptr<SendReceipt> receipt = {};   // tcp: told whether the bytes left (timers)
    bool repeating = false;   // a timer's tick: its errors are said once, then counted (not one per tick)
};

struct CloseConnection { EndpointId endpoint; ConnectionId connection; CloseMode mode; };
struct CloseAllConnections { EndpointId endpoint; CloseMode mode; };

/// Runtime multicast membership for a udp endpoint (in addition to the configured groups).
struct JoinMulticast { EndpointId endpoint; MulticastGroup group; };
struct LeaveMulticast { EndpointId endpoint; MulticastGroup group; };

/// Sends a saved command of the endpoint ("commands" in its config) as Send would.
/// udp: `destination` as for Send ("" = the configured remote, else the last sender).
struct SendSavedCommand { EndpointId endpoint; std::string name; ConnectionId connection = 0; std::string destination = {}; };
/// Starts (`run`) or stops a timer of the endpoint ("timers" in its config). A tcp-server's timer
/// sends to `connection` (0: every connection) and stops when that connection closes.
struct RunTimer { EndpointId endpoint; std::string name; bool run = true; ConnectionId connection = 0; };

/// Replaces the endpoint's saved commands, on-connect payload and timers without restarting it
/// (the GUI's quick-send strip edits them while connections stay up). Timers that were running
/// and still exist keep running.
struct UpdateSources {
    EndpointId endpoint;
    std::vector<SavedCommand> commands;
    std::optional<PayloadSpec> on_connect;
    std::vector<TimerConfig> timers;
};

/// Sends a file in chunks through the endpoint's send path (docs/profile-format.md, "Sending a
/// file"): tcp to `connection` (0: every connection open now), udp one datagram per chunk to
/// `destination` (else the remote / last sender, as Send). Progress comes as FileSendStatus.
struct SendFile {
    EndpointId endpoint;
    std::uint64_t transfer = 0;        // chosen by the front end; names it in FileSendStatus / CancelFileSend
    std::string path;
    std::uint32_t chunk = 1024;        // bytes per write / datagram
    std::uint32_t gap_ms = 0;          // pause after each chunk
    ConnectionId connection = 0;
    std::string destination;
};
/// Cancels a file send of the endpoint (`transfer` 0: every one).
struct CancelFileSend { EndpointId endpoint; std::uint64_t transfer = 0; };

/// Asks for a fresh TCP state / port table / stats snapshot now (otherwise ~2 Hz).
struct RefreshState { EndpointId endpoint = 0; };   // 0 = all

/// Resumes auto-reply rules the storm guard paused (`rule` by name; empty: every rule).
struct ResumeRules { EndpointId endpoint; std::string rule; };
/// Runs a script of the endpoint ("scripts" in its config; docs/profile-format.md "Scripts").
/// `connection`: a tcp-server's connection (0: the first open one, else the next accepted one).
/// `run` numbers the run in its ScriptEvents (0: the engine picks one). Ends with a Finished event.
struct RunScript {
    EndpointId endpoint;
    std::string name;
    ConnectionId connection = 0;
    std::uint64_t run = 0;
    bool stop_on_failure = true;   // the first failed expect ends the run
};
/// Stops a script run (0: every run of the endpoint); it ends with Finished, stopped = true.
struct StopScript { EndpointId endpoint; std::uint64_t run = 0; };
/// Starts a recorder (a tap on every event the engine reports; its own writer thread). A running
/// recorder with the same id is stopped first. Progress and failures come as RecordingStatus.
struct StartRecording { RecordingId recording; RecordingConfig config; };
/// Flushes what is queued and stops; the final RecordingStatus says "stopped".
struct StopRecording { RecordingId recording; };

/// Stops (`stop`) or resumes reading a TCP connection (0: every open connection of the endpoint):
/// a slow reader on purpose. Runtime state, not saved; a ReadingStatus says what changed.
struct StopReading { EndpointId endpoint; ConnectionId connection = 0; bool stop = true; };

using Command = std::variant<AddEndpoint, UpdateEndpoint, RemoveEndpoint, StartEndpoint,
                             StopEndpoint, Send, CloseConnection, CloseAllConnections,
                             JoinMulticast, LeaveMulticast, RefreshState, SendSavedCommand, RunTimer,
                             UpdateSources, ResumeRules, RunScript, StopScript, StartRecording,
                             StopRecording, SendFile, CancelFileSend, StopReading>;

}  // namespace sockscope
