#include "app/headless_runner.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "app/command_channel.hpp"
#include "app/headless_output.hpp"
#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "core/engine.hpp"
#include "core/model/event_text.hpp"
#include "core/model/log_recorder.hpp"
#include "core/model/payload_log.hpp"
#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// From the stop (signal, --for, no endpoint left) to exit, even when stdout never drains.
constexpr auto kStopBudget = 5s;
/// Within it, how long a slow reader may take the events held back at the stop (as during the run)...
constexpr auto kCatchUp = 1000ms;
/// ... and the lines already buffered, before they give way to the summary.
constexpr auto kDrainBeforeSummary = 2500ms;

/// RFC 3339, UTC, microseconds: 2026-11-25T08:30:00.123456Z
std::string rfc3339(TimestampUs time_us) {
    const std::time_t seconds = static_cast<std::time_t>(time_us / 1'000'000);
    std::tm utc{};
#if defined(_WIN32)
    gmtime_s(&utc, &seconds);
#else
    gmtime_r(&seconds, &utc);
#endif
    char text[40];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(text + n, sizeof text - n, ".%06lldZ", static_cast<long long>(time_us % 1'000'000));
    return text;
}

std::string stateName(EndpointState state) {
    return state == EndpointState::WaitingRetry ? "reconnecting" : toString(state);
}

Json errorJson(const ErrorInfo& error) { return Json{{"code", error.code}, {"message", error.message}}; }

/// Names, peers and messages as one safe line of text: control bytes (ESC, OSC...) escaped the
/// way payloads are, so nothing in a profile or from a peer reaches the terminal raw.
std::string displayText(std::string_view text) {
    return escapeForDisplay(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string dumpLine(const Json& line) { return line.dump(-1, ' ', false, Json::error_handler_t::replace); }

struct EndpointSummary {
    std::string name;
    EndpointType type;
    EndpointState state = EndpointState::Stopped;
    bool begun = false;     // left the initial "stopped"
    bool running = false;   // was listening, bound or connected at least once
    std::string failure;    // why it failed, for stderr at the end
    TrafficCounters totals;
    std::uint64_t accepted = 0, dropped = 0, kernel_drops = 0, echo_dropped = 0, errors = 0;

    bool ended() const { return state == EndpointState::Failed || (state == EndpointState::Stopped && begun); }
};

using EndpointMap = std::map<EndpointId, EndpointSummary>;

class HeadlessPrinter {
public:
    HeadlessPrinter(const HeadlessOptions& options, LineOutput& out, const EndpointMap& endpoints)
        : m_options(options), m_out(out), m_endpoints(endpoints) {}

    void print(const Event& event) {
        if (!printed(event)) return;
        const TimestampUs time = timeOf(event);
        if (const auto* d = std::get_if<DataEvent>(&event)) {   // one line per message (frame)
            forEachMessage(*d, [&](std::span<const std::uint8_t> message) {
                if (!m_out.hasRoom()) return countUnprinted(time);
                const Json line = describeData(*d, message);
                emit(m_options.format == HeadlessLogFormat::Jsonl ? dumpLine(line) : dataTextLine(*d, line), time);
            });
            return;
        }
        if (!m_out.hasRoom()) return countUnprinted(time);   // not worth formatting
        const Json line = describe(event);
        emit(m_options.format == HeadlessLogFormat::Jsonl ? dumpLine(line) : textLine(event, line), time);
    }

    /// The answer to one command line: `ack` or `error`, with the line's number.
    void answer(TimestampUs time, const ChannelLine& line, const ChannelAction& action) {
        Json json{{"time", rfc3339(time)}, {"event", action.error.empty() ? "ack" : "error"}, {"line", line.number}};
        if (!action.verb.empty()) json["command"] = action.verb;
        if (!action.endpoint.empty()) json["endpoint"] = action.endpoint;
        if (action.error.empty() && action.verb == "send") json["bytes"] = action.bytes;
        if (action.error.empty() && action.verb == "send_file") json["transfer"] = line.number;
        if (!action.error.empty()) json["error"] = Json{{"code", "bad_command"}, {"message", action.error}};
        if (m_options.format == HeadlessLogFormat::Jsonl) return emit(dumpLine(json), time);
        std::string text = rfc3339(time) + "  " + displayText(action.endpoint.empty() ? "-" : action.endpoint) + "  ";
        if (!action.error.empty())
            text += "error: command line " + std::to_string(line.number) + ": " + displayText(action.error);
        else
            text += "ack " + action.verb + " (command line " + std::to_string(line.number) +
                    (action.verb == "send" ? ", " + std::to_string(action.bytes) + " B)" : ")");
        emit(text, time);
    }

    /// The buffered lines not yet begun give way to the summary; they count as unprinted.
    std::uint64_t dropBuffered() {
        const std::uint64_t dropped = m_out.discardUnstarted();
        m_pending += dropped;
        m_total += dropped;
        return dropped;
    }

    /// The unprinted count, if any, then the summary: printed whatever the buffer holds.
    void summary(TimestampUs now, const PayloadLog& log) {
        if (m_pending > 0) m_out.forceWrite(unprintedLine(std::max(m_pendingTime, m_lastTime)));
        m_pending = 0;
        now = std::max(now, m_lastTime);
        if (m_options.format == HeadlessLogFormat::Jsonl) m_out.forceWrite(dumpLine(summaryJson(now, log)));
        else summaryText(now, log);
    }

private:
    /// Queues a line; when the output is full the event is counted, and the count is printed
    /// as an `unprinted` line before the next line that fits.
    void emit(const std::string& text, TimestampUs time) {
        if (m_pending > 0) {
            if (!m_out.tryWrite(unprintedLine(m_pendingTime), 0)) return countUnprinted(time);
            m_pending = 0;
        }
        if (!m_out.tryWrite(text)) return countUnprinted(time);
        m_lastTime = std::max(m_lastTime, time);
    }

    void countUnprinted(TimestampUs time) {
        ++m_pending;
        ++m_total;
        m_pendingTime = std::max(m_pendingTime, time);
    }

    std::string unprintedLine(TimestampUs time) const {
        if (m_options.format == HeadlessLogFormat::Jsonl)
            return dumpLine(Json{{"time", rfc3339(time)}, {"event", "unprinted"}, {"count", m_pending}});
        return rfc3339(time) + "  -  unprinted: " + std::to_string(m_pending) +
               " events not printed (stdout did not keep up)";
    }

    Json summaryJson(TimestampUs now, const PayloadLog& log) const {
        Json line{{"time", rfc3339(now)}, {"event", "summary"}};
        Json endpoints = Json::array();
        for (const auto& [id, e] : m_endpoints) {
            endpoints.push_back(Json{{"endpoint", e.name},
                                     {"type", toString(e.type)},
                                     {"state", stateName(e.state)},
                                     {"rx_bytes", e.totals.rx_bytes},
                                     {"tx_bytes", e.totals.tx_bytes},
                                     {"rx_messages", e.totals.rx_messages},
                                     {"tx_messages", e.totals.tx_messages},
                                     {"accepted", e.accepted},
                                     {"dropped", e.dropped},
                                     {"kernel_drops", e.kernel_drops},
                                     {"echo_dropped", e.echo_dropped},
                                     {"errors", e.errors}});
        }
        line["endpoints"] = endpoints;
        line["log"] = Json{{"records", log.size()},
                           {"evicted", log.evictedRecords()},
                           {"memory_bytes", log.memoryUsed()},
                           {"budget_bytes", log.limits().max_bytes}};
        line["unprinted"] = m_total;
        return line;
    }

    void summaryText(TimestampUs now, const PayloadLog& log) {
        m_out.forceWrite(rfc3339(now) + "  summary");
        for (const auto& [id, e] : m_endpoints) {
            std::string text = "  " + displayText(e.name) + " (" + toString(e.type) + ", " + stateName(e.state) +
                               "): rx " + std::to_string(e.totals.rx_bytes) + " B in " +
                               std::to_string(e.totals.rx_messages) + " msgs, tx " + std::to_string(e.totals.tx_bytes) +
                               " B in " + std::to_string(e.totals.tx_messages) + " msgs";
            if (e.type == EndpointType::TcpServer) text += ", " + std::to_string(e.accepted) + " accepted";
            if (e.dropped || e.kernel_drops)
                text += ", dropped " + std::to_string(e.dropped) + " (kernel " + std::to_string(e.kernel_drops) + ")";
            if (e.echo_dropped) text += ", " + std::to_string(e.echo_dropped) + " not echoed";
            if (e.errors) text += ", " + std::to_string(e.errors) + " errors";
            m_out.forceWrite(text);
        }
        m_out.forceWrite("  log: " + std::to_string(log.size()) + " records kept, " +
                         std::to_string(log.evictedRecords()) + " evicted, " + std::to_string(log.memoryUsed() / 1024) +
                         " KiB of " + std::to_string(log.limits().max_bytes / 1024) + " KiB");
        if (m_total > 0)
            m_out.forceWrite("  output: " + std::to_string(m_total) + " events not printed (stdout did not keep up)");
    }

    /// Whether an event gets a line at all (cheap: decided before any formatting).
    bool printed(const Event& event) {
        if (const auto* s = std::get_if<EndpointStatus>(&event))
            return s->state != EndpointState::Connected;   // "connected" comes with the connection
        if (std::holds_alternative<DataEvent>(event)) return !m_options.quiet;
        if (const auto* t = std::get_if<TcpStateChanged>(&event)) {
            // Only state transitions; RTT and queue changes would flood the output.
            auto& last = m_lastState[t->connection];
            if (last == t->info.state) return false;
            last = t->info.state;
            return true;
        }
        if (const auto* c = std::get_if<ConnectionClosed>(&event)) m_lastState.erase(c->connection);
        return !std::holds_alternative<StatsEvent>(event);   // stats: folded into the summary
    }

    /// The JSON fields of a printed event.
    Json describe(const Event& event) const {
        Json line;
        const EndpointId id = endpointOf(event);
        auto it = m_endpoints.find(id);
        const std::string name = it != m_endpoints.end() ? it->second.name : std::to_string(id);
        const bool server = it != m_endpoints.end() && it->second.type == EndpointType::TcpServer;

        if (const auto* s = std::get_if<EndpointStatus>(&event)) {
            line = Json{{"time", rfc3339(s->time_us)}, {"endpoint", name}, {"event", stateName(s->state)}};
            if (!s->local.empty()) line["local"] = s->local;
            if (!s->remote.empty()) line["remote"] = s->remote;
            if (!s->resolved_from.empty()) line["resolved_from"] = s->resolved_from;
            if (s->attempt) line["attempt"] = s->attempt;
            if (s->retry_in_ms) line["retry_in_ms"] = s->retry_in_ms;
            if (s->error) line["error"] = errorJson(*s->error);
            return line;
        }
        if (const auto* o = std::get_if<ConnectionOpened>(&event)) {
            line = Json{{"time", rfc3339(o->time_us)}, {"endpoint", name}, {"event", server ? "accepted" : "connected"},
                        {"conn", o->connection}, {"peer", o->peer}, {"local", o->local}};
            return line;
        }
        if (const auto* h = std::get_if<PeerHalfClosed>(&event)) {
            line = Json{{"time", rfc3339(h->time_us)}, {"endpoint", name}, {"event", "peer_closed"},
                        {"conn", h->connection}};
            return line;
        }
        if (const auto* c = std::get_if<ConnectionClosed>(&event)) {
            line = Json{{"time", rfc3339(c->time_us)}, {"endpoint", name},
                        {"event", c->reason == CloseReason::PeerReset ? "reset" : "closed"},
                        {"conn", c->connection}, {"reason", toString(c->reason)}};
            if (c->error) line["error"] = errorJson(*c->error);
            return line;
        }
        if (const auto* t = std::get_if<TcpStateChanged>(&event)) {
            line = Json{{"time", rfc3339(t->time_us)}, {"endpoint", name}, {"event", "tcp_state"},
                        {"conn", t->connection}, {"tcp_state", toString(t->info.state)},
                        {"rtt_us", t->info.rtt_us}, {"retransmits", t->info.retransmits},
                        {"send_queue", t->info.send_queue}, {"recv_queue", t->info.recv_queue}};
            return line;
        }
        if (const auto* p = std::get_if<PortTableChanged>(&event)) {
            Json counts = Json::object();
            for (std::size_t i = 0; i < kTcpStateCount; ++i)
                if (p->counts.by_state[i]) counts[toString(static_cast<TcpState>(i))] = p->counts.by_state[i];
            line = Json{{"time", rfc3339(p->time_us)}, {"endpoint", name}, {"event", "port_table"},
                        {"port", p->port}, {"sockets", counts}};
            return line;
        }
        if (const auto* e = std::get_if<ErrorEvent>(&event)) {
            line = Json{{"time", rfc3339(e->time_us)}, {"endpoint", name}, {"event", "error"}};
            if (e->connection) line["conn"] = e->connection;
            line["error"] = errorJson(e->error);
            return line;
        }
        if (const auto* t = std::get_if<TimerStatus>(&event)) {
            line = Json{{"time", rfc3339(t->time_us)}, {"endpoint", name}, {"event", "timer"}, {"name", t->name},
                        {"running", t->running}, {"sent", t->sent}, {"skipped", t->skipped}};
            return line;
        }
        if (const auto* f = std::get_if<FileSendStatus>(&event)) {
            line = Json{{"time", rfc3339(f->time_us)}, {"endpoint", name}, {"event", "send_file"},
                        {"transfer", f->transfer}, {"path", f->path}, {"state", toString(f->state)},
                        {"sent", f->sent}, {"total", f->total}, {"rate_bps", std::llround(f->rate_bps)}};
            if (f->error) line["error"] = errorJson(*f->error);
            return line;
        }
        if (const auto* q = std::get_if<QueueOverflow>(&event)) {
            line = Json{{"time", rfc3339(q->time_us)}, {"event", "overflow"}, {"dropped", q->dropped_events}};
            return line;
        }
        return line;
    }

    /// One message of a data event (the whole payload, or one frame of it).
    Json describeData(const DataEvent& d, std::span<const std::uint8_t> message) const {
        auto it = m_endpoints.find(d.endpoint);
        const std::string name = it != m_endpoints.end() ? it->second.name : std::to_string(d.endpoint);
        Json line{{"time", rfc3339(d.time_us)}, {"endpoint", name}, {"event", d.direction == Direction::Rx ? "rx" : "tx"}};
        if (d.connection) line["conn"] = d.connection;
        if (!d.peer.empty()) line["peer"] = d.peer;
        line["len"] = message.size();
        line["hex"] = formatHex(message, HexStyle::CompactLower);
        line["text"] = escapeForDisplay(message);
        return line;
    }

    static std::string dataTextLine(const DataEvent& d, const Json& line) {
        std::string out = line["time"].get<std::string>() + "  " + displayText(line.value("endpoint", std::string("-"))) +
                          "  " + (d.direction == Direction::Rx ? "rx" : "tx");
        if (d.connection) out += " #" + std::to_string(d.connection);
        if (!d.peer.empty()) out += ' ' + displayText(d.peer);
        return out + ' ' + std::to_string(line["len"].get<std::size_t>()) + " B  \"" + line["text"].get<std::string>() + '"';
    }

    /// One text line; everything that came from a profile or a peer is escaped.
    static std::string textLine(const Event& event, const Json& line) {
        std::string out = line["time"].get<std::string>() + "  " +
                          displayText(line.value("endpoint", std::string("-"))) + "  ";
        if (line.contains("conn")) out += '#' + std::to_string(line["conn"].get<std::uint64_t>()) + ' ';
        if (const auto text = describeEvent(event)) return out + displayText(*text);
        if (const auto* t = std::get_if<TcpStateChanged>(&event))
            return out + "tcp state " + toString(t->info.state) + " (" + explain(t->info.state) + ")";
        if (const auto* p = std::get_if<PortTableChanged>(&event)) {
            out += "port " + std::to_string(p->port) + " sockets:";
            for (auto& [state, count] : line["sockets"].items())
                out += ' ' + state + '=' + std::to_string(count.get<int>());
            return out;
        }
        return out + line["event"].get<std::string>();
    }

    const HeadlessOptions& m_options;
    LineOutput& m_out;
    const EndpointMap& m_endpoints;
    std::map<ConnectionId, TcpState> m_lastState;
    std::uint64_t m_pending = 0;      // unprinted since the last `unprinted` line
    std::uint64_t m_total = 0;        // unprinted over the run
    TimestampUs m_pendingTime = 0;    // of the latest unprinted event
    TimestampUs m_lastTime = 0;       // of the latest printed event
};

/// One run: the engine, the log, the endpoints' summaries and the output.
class HeadlessRun {
public:
    HeadlessRun(const HeadlessOptions& options, std::ostream& err)
        : m_options(options), m_err(err), m_engine(engineOptions()), m_log(logLimits(options)),
          m_output(options.output_fd), m_printer(options, m_output, m_endpoints) {}

    void start(const Profile& profile, std::unique_ptr<CommandReader> commands) {
        m_commands = std::move(commands);
        EndpointId next_id = 1;
        for (EndpointConfig config : profile.endpoints) {
            const EndpointId id = next_id++;
            ChannelEndpoint& named = m_names[config.name];
            named.id = id;
            named.type = config.type;
            for (const auto& command : config.commands) named.commands.push_back(command.name);
            for (const auto& timer : config.timers) named.timers.push_back(timer.name);
            EndpointSummary summary;
            summary.name = config.name;
            summary.type = config.type;
            m_endpoints[id] = summary;
            config.auto_start = true;   // headless runs every endpoint of the profile
            m_engine.submit(AddEndpoint{id, std::move(config)});
        }
    }

    void run(const std::atomic<bool>& stop) {
        const auto deadline = m_options.for_seconds
                                  ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                       std::chrono::duration<double>(*m_options.for_seconds))
                                  : Clock::time_point::max();
        // With a command channel the run outlives its endpoints: a later "start" may need them.
        while (!stop.load() && !m_output.failed() && !m_quit && (m_commands || !allEnded())) {
            const auto now = Clock::now();
            if (now >= deadline) break;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + 1ms;
            const auto wait = m_commands ? 10ms : 100ms;   // a command is answered within ~10 ms
            if (m_output.bufferedBytes() > 0) {
                m_output.waitWritable(std::min<std::chrono::milliseconds>(10ms, left));
            } else if (m_engine.waitForEvents(std::min<std::chrono::milliseconds>(wait, left))) {
                // Let a batch gather: waking for every datagram of a flood preempts the I/O thread
                // (measured: 55,000 wake-ups/s and kernel drops); 1 ms is invisible in a log.
                std::this_thread::sleep_for(1ms);
            }
            process();
            runCommands();
            m_output.flush();
            if (m_output.bufferedBytes() == 0) m_output.checkReader();
        }
    }

    /// Final counters, engine shutdown, the summary; bounded by kStopBudget. Returns the exit code.
    int finish() {
        const auto stopped_at = Clock::now();
        catchUp(stopped_at + kCatchUp);
        processAll();
        if (!m_output.failed()) {
            m_engine.submit(RefreshState{});   // final counters for the summary
            m_engine.waitForEvents(200ms);
            processAll();
        }
        m_shuttingDown = true;   // the summary keeps the states from before our own shutdown
        m_engine.shutdown();
        processAll();
        int code = kExitOk;
        if (!m_output.failed() && !printSummary(stopped_at)) code = kExitOutputFailed;
        if (m_output.failed()) {
            m_err << "sockscope: " << m_output.failure() << "; the run was stopped\n";
            code = kExitOutputFailed;
        }
        return reportFailures(code);
    }

private:
    static EngineOptions engineOptions() {
        EngineOptions options;
        options.queue.pause_bytes = 8u << 20;   // a printer needs no deep buffer; keeps RSS low
        return options;
    }
    static PayloadLogLimits logLimits(const HeadlessOptions& options) {
        PayloadLogLimits limits;
        limits.max_bytes = options.log_budget_bytes;
        return limits;
    }

    /// Interprets and submits the command lines read so far, each answered by a line. The
    /// answers go through the printer like events (so a full stdout counts them as unprinted).
    void runCommands() {
        if (!m_commands) return;
        for (const ChannelLine& line : m_commands->take()) {
            ChannelAction action;
            if (line.too_long)
                action.error = "the line is longer than " + std::to_string(kMaxChannelLine) + " bytes";
            else if (line.text.find_first_not_of(" \t") == std::string::npos)
                continue;   // blank lines separate nothing and ask for nothing
            else
                action = interpretCommand(line.text, m_names, &m_channelCounter);
            const TimestampUs taken = nowUs();   // before the engine acts: the ack line comes first in time too
            for (Command& command : action.commands) {
                if (auto* file = std::get_if<SendFile>(&command)) file->transfer = line.number;   // names its events
                m_engine.submit(std::move(command));
            }
            m_printer.answer(taken, line, action);
            if (action.quit) m_quit = true;
        }
    }

    bool allEnded() const {
        for (const auto& [id, e] : m_endpoints)
            if (!e.ended()) return false;
        return true;
    }

    /// Handles queued events. While the output is full (and the reader has not stalled) the rest
    /// of the batch waits and the engine is not drained: its queue fills and TCP reads pause, so
    /// a slow reader slows the peers instead of losing lines. A stalled reader or a stop lets
    /// everything through, lines that do not fit counted as unprinted.
    void process() {
        if (m_next == m_batch.size()) {
            m_batch.clear();
            m_next = 0;
            m_engine.drainEvents(m_batch);
        }
        for (; m_next < m_batch.size(); ++m_next) {
            if (!m_stopping && !m_output.hasRoom() && !m_output.stalled() && !m_output.failed()) return;
            handle(m_batch[m_next]);
        }
    }

    void handle(const Event& event) {
        recordEvent(m_log, event);
        auto it = m_endpoints.find(endpointOf(event));
        if (it == m_endpoints.end()) {   // engine-wide (overflow): no endpoint of its own
            m_printer.print(event);
            return;
        }
        EndpointSummary& summary = it->second;
        const auto* status = std::get_if<EndpointStatus>(&event);
        // The engine announces each new endpoint as "stopped" before starting it: not news.
        const bool announcement = status && status->state == EndpointState::Stopped && !summary.begun;
        note(summary, event);
        if (!(announcement && !m_shuttingDown)) m_printer.print(event);
    }

    /// Lets a slow reader take what is held back and buffered, as during the run, until `until`.
    void catchUp(Clock::time_point until) {
        while (!m_output.failed() && Clock::now() < until) {
            if (m_next == m_batch.size() && m_output.bufferedBytes() == 0) return;   // nothing waits
            m_output.waitWritable(10ms);
            process();
        }
    }

    /// Everything still queued, whatever the output holds.
    void processAll() {
        m_stopping = true;
        do process();
        while (m_next < m_batch.size());
    }

    void note(EndpointSummary& summary, const Event& event) {
        if (const auto* s = std::get_if<EndpointStatus>(&event)) {
            if (!m_shuttingDown) noteStatus(summary, *s);
        } else if (const auto* stats = std::get_if<StatsEvent>(&event)) {
            summary.totals = stats->totals;
            summary.accepted = stats->accepted_total;
            summary.dropped = stats->dropped_messages;
            summary.kernel_drops = stats->kernel_drops;
            summary.echo_dropped = stats->echo_dropped;
        } else if (std::holds_alternative<ErrorEvent>(event)) {
            ++summary.errors;
        }
    }

    static void noteStatus(EndpointSummary& summary, const EndpointStatus& s) {
        summary.state = s.state;
        if (s.state != EndpointState::Stopped) summary.begun = true;
        if (s.state == EndpointState::Listening || s.state == EndpointState::Bound ||
            s.state == EndpointState::Connected)
            summary.running = true;
        if (s.state != EndpointState::Failed || !summary.failure.empty()) return;
        summary.failure = summary.running ? "failed" : "could not start";
        if (s.attempt > 1) summary.failure += " (after " + std::to_string(s.attempt) + " attempts)";
        summary.failure += ": " + (s.error ? s.error->message : std::string("unknown error"));
    }

    /// False when stdout did not take it all within kStopBudget.
    bool printSummary(Clock::time_point stopped_at) {
        if (!m_output.drain(stopped_at + kDrainBeforeSummary) && !m_output.failed()) {
            const std::uint64_t dropped = m_printer.dropBuffered();
            m_err << "sockscope: stopping: stdout is not being read; " << dropped
                  << " buffered events were dropped to make room for the summary\n";
        }
        m_printer.summary(nowUs(), m_log);
        if (m_output.drain(stopped_at + kStopBudget) || m_output.failed()) return true;
        m_err << "sockscope: gave up " << std::chrono::duration_cast<std::chrono::seconds>(kStopBudget).count()
              << " s after the stop: stdout did not drain (" << m_output.bufferedBytes()
              << " bytes not written, the summary among them)\n";
        return false;
    }

    /// Each endpoint that failed, in plain words; 1 when any did (a worse code stays).
    int reportFailures(int code) {
        for (const auto& [id, e] : m_endpoints) {
            if (e.failure.empty()) continue;
            m_err << "sockscope: " << displayText(e.name) << ": " << displayText(e.failure) << '\n';
            if (code == kExitOk) code = kExitEndpointFailed;
        }
        m_err.flush();
        return code;
    }

    const HeadlessOptions& m_options;
    std::ostream& m_err;
    Engine m_engine;
    PayloadLog m_log;
    EndpointMap m_endpoints;
    LineOutput m_output;
    HeadlessPrinter m_printer;
    std::unique_ptr<CommandReader> m_commands;   // --commands, if given
    ChannelEndpoints m_names;                    // endpoint names for the command channel
    CounterState m_channelCounter;               // {{counter}} in the channel's sends
    bool m_quit = false;                         // {"quit": {}} was read
    std::vector<Event> m_batch;
    std::size_t m_next = 0;        // m_batch[m_next...] wait for room in the output
    bool m_stopping = false;       // no more holding back
    bool m_shuttingDown = false;
};

}  // namespace

std::optional<double> parseRunSeconds(std::string_view text, std::string& error) {
    const std::string copy(text);
    char* end = nullptr;
    const double value = copy.empty() ? std::nan("") : std::strtod(copy.c_str(), &end);
    const bool parsed = !copy.empty() && end == copy.c_str() + copy.size();
    if (parsed && std::isfinite(value) && value > 0 && value <= kMaxRunSeconds) return value;
    error = "--for: expected a number of seconds greater than 0 and at most 1000000000 (leave --for out to run "
            "until SIGINT/SIGTERM), got \"" +
            displayText(text) + "\"";
    return std::nullopt;
}

int runHeadless(const HeadlessOptions& options, const std::atomic<bool>& stop, std::ostream& err) {
    const ProfileLoadResult loaded = loadProfile(options.profile);
    for (const auto& warning : loaded.warnings) err << "sockscope: warning: " << warning << '\n';
    if (!loaded.profile) {
        err << "sockscope: " << loaded.error << '\n';
        return kExitUsage;
    }
    if (loaded.profile->endpoints.empty()) {
        err << "sockscope: " << options.profile.string() << ": the profile has no endpoints\n";
        return kExitUsage;
    }
    std::unique_ptr<CommandReader> commands;
    if (options.commands) {
        std::string error;
        commands = CommandReader::open(*options.commands, error);
        if (!commands) {
            err << "sockscope: " << error << '\n';
            return kExitUsage;
        }
    }
    HeadlessRun run(options, err);
    run.start(*loaded.profile, std::move(commands));
    run.run(stop);
    return run.finish();
}

}  // namespace sockscope
