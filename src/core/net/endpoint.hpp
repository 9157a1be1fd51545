#pragma once
// Base of the three endpoint kinds run by the engine (tcp-server, tcp-client, udp).
// Lives on the I/O thread only. Handlers keep the endpoint alive through shared_from_this and
// check m_generation, so a stop() or restart makes late completions harmless.
#include <chrono>
#include <memory>
#include <optional>

#include "core/commands.hpp"
#include "core/endpoint_config.hpp"
#include "core/events.hpp"
#include "core/net/engine_context.hpp"
#include "core/net/error_throttle.hpp"
#include "core/net/file_send.hpp"
#include "core/net/socket_table_probe.hpp"
#include "core/net/socket_options.hpp"
#include "core/net/sources.hpp"
#include "core/net/traffic.hpp"
#include "core/session/faults.hpp"
#include "core/session/responder.hpp"
#include "core/session/source_stage.hpp"

namespace sockscope {

class Endpoint : public std::enable_shared_from_this<Endpoint> {
public:
    Endpoint(EngineContext& context, EndpointId id, EndpointConfig config);
    virtual ~Endpoint() = default;

    virtual void start() = 0;
    /// Stops listening/connecting/receiving; closes connections with `mode`. State -> Stopped.
    virtual void stop(CloseMode mode) = 0;
    virtual void send(Send command) = 0;
    virtual void closeConnection(ConnectionId connection, CloseMode mode);
    virtual void closeAll(CloseMode mode);
    virtual void setMulticastMembership(const MulticastGroup& group, bool join);
    /// Periodic (~2 Hz) or forced refresh: statistics, kernel TCP state, port table. Unforced, only
    /// what changed is sent.
    virtual void refresh(std::chrono::steady_clock::time_point now, bool force) = 0;
    /// Adds the local ports whose OS socket table this endpoint shows (read off the I/O thread).
    virtual void collectWatchedPorts(SocketTableRequest&) const {}
    /// The table read for those ports (on the I/O thread, some time after the request).
    virtual void applySocketTable(const SocketTableResult&) {}

    /// The on-connect payload, saved commands and timers of this endpoint.
    Sources& sources() { return *m_sources; }
    /// New sources from an UpdateSources: running timers that still exist keep running.
    void replaceSources(UpdateSources update);
    /// Every source stage: the endpoint started (timers with auto_start run) / stopped.
    void startSources();
    void stopSources();
    /// Starts sending a file (SendFile); a command that cannot start is a failed FileSendStatus.
    void sendFile(const SendFile& command);
    void cancelFileSend(std::uint64_t transfer) { m_fileSends->cancel(transfer); }

    /// Whether a send without a destination has somewhere to go now (timers skip ticks if not).
    virtual bool canSend() const = 0;
    /// Whether `connection` is open now (a timer aimed at it stops otherwise).
    virtual bool hasConnection(ConnectionId) const { return false; }

    /// The responder stages (session/responder.hpp) in the registry's order: echo, rules, scripts.
    /// Every session opened from now on attaches to each.
    const ResponderStages& responderStages() const { return m_stages; }
    /// Makes them from the config through the stages' descriptors (session/stages.cpp); called
    /// once by makeEndpoint, after the endpoint is shared.
    void buildStages();
    /// The first stage of type T, or null.
    template <typename T>
    std::shared_ptr<T> findStage() const {
        for (const auto& stage : m_stages)
            if (auto typed = std::dynamic_pointer_cast<T>(stage)) return typed;
        return nullptr;
    }
    /// A responder joins a running session: a TCP connection by id; udp: the socket (0). False
    /// (and an error event) when there is no such session.
    virtual bool attachResponder(ConnectionId connection, std::shared_ptr<Responder> responder);
    /// The endpoint started: stages reset their per-run state (e.g. rules paused by the storm guard).
    void startStages();

    /// Stops or resumes reading a TCP connection (0: every one); others say they cannot.
    virtual void setReadingStopped(ConnectionId connection, bool stop);

    EndpointId id() const { return m_id; }
    const EndpointConfig& config() const { return m_config; }
    EndpointState state() const { return m_status.state; }

protected:
    /// What the source stages' factories get: this endpoint's config and send path.
    SourceContext sourceContext();
    /// Every source stage a new connection concerns (the on-connect payload).
    void openedForSources(ConnectionId connection);
    void closedForSources(ConnectionId connection);
    using FileSinks = std::vector<std::unique_ptr<FileSink>>;
    using FileSinksDone = std::function<void(FileSinks, std::optional<ErrorInfo>)>;
    /// The targets of a file send (tcp: the connection(s); udp: the destination, maybe resolved
    /// first), or why there is none; `done` may run later, on the I/O thread.
    virtual void openFileSinks(const SendFile& command, FileSinksDone done) = 0;
    void setStatus(EndpointStatus status);
    void setState(EndpointState state);                 // keeps the other status fields
    void reportError(ErrorContext context, ErrorInfo error, ConnectionId connection = 0);
    /// For errors that can repeat without end: the first at once, then a count per window.
    void reportRepeatable(ErrorContext context, ErrorInfo error, ConnectionId connection = 0);
    /// Emits the counts of repeated errors whose window ended (called by refresh()); `all`: every
    /// pending count now (called by stop()).
    void flushRepeatedErrors(std::chrono::steady_clock::time_point now, bool all = false);
    void flushRepeatedErrorsOf(ConnectionId connection);
    void reportOptionFailures(const OptionFailures& failures);
    StatsEvent makeStats(std::chrono::steady_clock::time_point now);
    /// Emits `stats` unless it equals the last one sent (and `force` is false).
    void emitStats(StatsEvent stats, bool force);
    /// The stages' own coalesced events (rule hit counts), with the refresh.
    void refreshStages(std::chrono::steady_clock::time_point now, bool force);

    EngineContext& m_ctx;
    const EndpointId m_id;
    EndpointConfig m_config;
    EndpointStatus m_status;
    TrafficMeter m_traffic;
    std::uint64_t m_generation = 0;            // bumped by stop(); handlers from older runs do nothing
    std::optional<StatsEvent> m_lastStats;     // the last stats the queue took
    ErrorThrottle m_repeatedErrors;
    std::uint64_t m_errorsReported = 0;        // by reportError/reportRepeatable: a source's send failed at once
    bool m_repeatingSend = false;              // a timer's send is under way: its errors are rate-limited
    std::shared_ptr<FaultCounters> m_faultCounters = std::make_shared<FaultCounters>();
    FaultsRef m_faults;                        // the endpoint's "faults" (null: none)
    ResponderStages m_stages;                  // built by buildStages (session/stages.cpp)
    // Last: their timers call back into this endpoint. Made through the registry's source
    // factories (session/source_stage.hpp); the two the endpoint drives itself are kept typed.
    SourceStages m_sourceStages;
    Sources* m_sources = nullptr;              // the "sources" stage: commands, on_connect, timers
    FileSends* m_fileSends = nullptr;          // the "file_send" stage; write completions wake it
};

/// Creates the endpoint kind the config asks for.
std::shared_ptr<Endpoint> makeEndpoint(EngineContext& context, EndpointId id, EndpointConfig config);

}  // namespace sockscope
