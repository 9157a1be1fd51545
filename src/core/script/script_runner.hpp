#pragma once
// Runs one script (script.hpp) on the I/O thread: steps in order, never blocking — waits and
// expect timeouts are asio steady_timers, received messages arrive through onMessage(). The run
// is owned by the endpoint's script stage and outlives a connection: a `close` step detaches it,
// a `connect` step asks the host for a new one and waits for attach().
//
// Events (ScriptEvent): Started; one Step per result for the first kScriptStepEvents results,
// then failures only; Progress at most every kScriptProgressPeriod; Finished with per-step stats
// and every expect result (bounded). Latency of an expect: from the last send (stamped before the
// send call; or, without one, the expect's start) to the matching message, in µs on the steady clock.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/codec/payload_template.hpp"
#include "core/events.hpp"
#include "core/net/error_text.hpp"
#include "core/script/kept_messages.hpp"
#include "core/script/script.hpp"

namespace sockscope {

/// The connection (or UDP destination) a run talks to.
class ScriptLink {
public:
    virtual ~ScriptLink() = default;
    /// Queues bytes; the error in plain words when refused. `to`: udp, the address to send to
    /// (empty: destination()); a connection ignores it.
    [[nodiscard]] virtual std::optional<ErrorInfo> send(Bytes bytes, const std::string& to) = 0;
    virtual void close(ScriptCloseMode mode) = 0;
    virtual ConnectionId connection() const = 0;
    /// The peer ended its side (TCP FIN): no message can come on this link any more.
    virtual bool peerClosed() const { return false; }
    /// We ended our side (a half-close step's FIN): it still reads, but cannot send.
    virtual bool finSent() const { return false; }
    /// UDP: the address ("127.0.0.1:5000") the next send goes to; empty on a connection.
    virtual std::string destination() const { return {}; }
};

/// What a run needs from its endpoint.
class ScriptHost {
public:
    virtual ~ScriptHost() = default;
    virtual void emit(ScriptEvent event) = 0;
    /// A `connect` step: tcp-client, connect now unless connected or connecting; tcp-server, the
    /// run waits for the next client. Either way the run waits for attach(). Returns true when the
    /// endpoint was asked to connect, false when the run waits for a peer to connect to it.
    virtual bool requestConnect() = 0;
    /// The run ended (Finished emitted): the host may drop it.
    virtual void runEnded(std::uint64_t run) = 0;
};

inline constexpr std::chrono::milliseconds kScriptProgressPeriod{200};

/// A received message held for a run (udp: with its sender).
struct ScriptMessage {
    Bytes bytes;
    std::string sender;
};

class ScriptRun : public std::enable_shared_from_this<ScriptRun> {
public:
    struct Options {
        bool stop_on_failure = true;   // the first failed expect ends the run
    };

    ScriptRun(asio::io_context& io, ScriptHost& host, EndpointId endpoint, std::uint64_t run, Script script,
              Options options);
    ~ScriptRun();
    ScriptRun(const ScriptRun&) = delete;
    ScriptRun& operator=(const ScriptRun&) = delete;

    /// Compiles the payloads and matchers; false with `error` set when one does not compile.
    [[nodiscard]] bool prepare(std::string& error);
    /// Starts running on `link` (may be null for a udp destination-less start: sends then fail).
    void start(ScriptLink* link);
    /// A new connection for a run that waits for one (connect step) or whose link went away.
    /// `early`: what came on it before the run took it (the hand-over is posted), kept for the
    /// run's first expect as if it had come during a wait_ms; `early_dropped` more did not fit.
    /// What an earlier connection left pending is forgotten: it cannot answer on this one.
    void attach(ScriptLink* link, std::span<const ScriptMessage> early = {}, std::uint64_t early_dropped = 0);
    /// The link's session ended; no more sends through it.
    void detach();
    /// The link's peer ended its side (FIN): an expect waiting on it ends at once (closed).
    void peerClosed();
    /// One framed message received on the link; `sender`: udp, the datagram's sender (an expect
    /// after a send takes only datagrams from the address that send went to), else empty.
    void onMessage(std::span<const std::uint8_t> message, const std::string& sender = {});
    /// Ends the run now (a StopScript, the endpoint stopped): Finished with stopped = true.
    void stop(const std::string& why);

    bool finished() const { return m_finished; }
    bool started() const { return m_started; }
    bool waitingForConnection() const { return m_waitConnect; }
    /// Its first step is `connect`: it starts before any connection (the step's timeout bounds it).
    bool startsWithConnect() const {
        return !m_script.steps.empty() && m_script.steps.front().kind == ScriptStepKind::Connect;
    }
    ScriptLink* link() const { return m_link; }
    std::uint64_t id() const { return m_run; }
    const std::string& name() const { return m_script.name; }

private:
    struct Frame {
        const std::vector<ScriptStep>* steps;
        std::size_t index = 0;
        std::uint32_t remaining = 1;   // iterations left, this one included
    };
    struct Pending {
        Bytes bytes;
        std::chrono::steady_clock::time_point at;
    };

    void advance();
    bool runStep(const ScriptStep& step);   // true: done at once, continue
    void beginExpect(const ScriptStep& step);
    void endExpect(ScriptOutcome outcome, std::chrono::steady_clock::time_point at, std::string message);
    /// The expect ends as `closed`: `why` no match can come, and what came that did not match.
    void endExpectClosed(std::chrono::steady_clock::time_point at, const std::string& why);
    void keep(std::span<const std::uint8_t> message, std::chrono::steady_clock::time_point at);
    void forgetPending();
    void onTimer(std::uint64_t generation);
    void next();
    void record(ScriptStepResult result, const ScriptFailure* failure);
    void finish(bool stopped, std::string error);
    void emitProgress(bool force);
    /// An event of this run (endpoint, connection, run number, script name filled in).
    ScriptEvent newEvent(ScriptEventKind kind) const;
    std::vector<ScriptStepStats> computeStats() const;
    ScriptStepResult resultFor(std::uint32_t step, ScriptOutcome outcome, std::uint32_t latency_us);
    std::uint32_t idOf(const ScriptStep& step) const { return m_ids.at(&step); }

    asio::io_context& m_io;
    ScriptHost& m_host;
    const EndpointId m_endpoint;
    const std::uint64_t m_run;
    const Script m_script;
    const Options m_options;
    std::vector<const ScriptStep*> m_flat;
    std::unordered_map<const ScriptStep*, std::uint32_t> m_ids;
    std::unordered_map<std::uint32_t, CompiledPayload> m_payloads;
    std::unordered_map<std::uint32_t, ScriptMatcher> m_matchers;
    CounterState m_counter;

    ScriptLink* m_link = nullptr;
    std::vector<Frame> m_stack;
    asio::steady_timer m_timer;
    std::uint64_t m_timerGeneration = 0;
    bool m_started = false, m_finished = false, m_inAdvance = false;
    bool m_waitConnect = false;
    bool m_waitForClient = false;   // the connect step waits for a peer (tcp-server), not for a connect
    std::chrono::steady_clock::time_point m_startedAt, m_lastSend, m_expectStart, m_lastProgress;
    bool m_hasSent = false;
    std::string m_sentTo;                 // udp: where the sends go, from the first (empty: any sender)
    std::uint64_t m_otherSenders = 0;     // udp: datagrams skipped by the waiting expect (not from m_sentTo)

    // The expect being waited for (m_expecting), and what came meanwhile.
    const ScriptStep* m_expect = nullptr;
    Bytes m_lastReceived;
    std::uint32_t m_mismatches = 0;
    KeptMessages<Pending> m_pending;   // while no expect waits (a wait_ms before an expect)

    // Results.
    std::vector<std::uint64_t> m_runs, m_passed, m_failed;   // per step id
    std::vector<std::vector<std::uint32_t>> m_latencies;      // per step id (expects), bounded in total
    std::size_t m_latencyCount = 0;
    std::vector<ScriptStepResult> m_expects;
    std::vector<ScriptFailure> m_failures;
    std::uint64_t m_expectsNotRecorded = 0;
    std::size_t m_stepEvents = 0;
    bool m_anyFailed = false;
};

}  // namespace sockscope
