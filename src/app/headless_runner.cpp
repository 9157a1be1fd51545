#include "app/headless_runner.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <thread>

#include "app/command_channel.hpp"
#include "app/headless_scripts.hpp"
#include "app/headless_output.hpp"
#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "core/engine.hpp"
#include "core/model/event_json.hpp"
#include "core/model/event_text.hpp"
#include "core/model/log_recorder.hpp"
#include "core/model/payload_log.hpp"
#include "core/profile/profile.hpp"
#include "core/util/atomic_file.hpp"
#include "core/profile/recording_json.hpp"
#include "core/record/rotating_file.hpp"

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
/// Within it, how long the scripts still running at the stop may take to hand in what they ran.
constexpr auto kScriptStopWait = 500ms;
/// Command lines carried out per turn of the run's loop (the events get their turn between).
constexpr std::size_t kCommandsPerTurn = 256;

/// Names, peers and messages as one safe line of text: control bytes (ESC, OSC...) escaped the
/// way payloads are, so nothing in a profile or from a peer reaches the terminal raw.
std::string displayText(std::string_view text) {
    return escapeForDisplay(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string dumpLine(const Json& line) { return jsonLine(line); }

struct EndpointSummary {
    std::string name;
    EndpointType type;
    EndpointState state = EndpointState::Stopped;
    bool begun = false;     // left the initial "stopped"
    bool running = false;   // was listening, bound or connected at least once
    std::string failure;    // why it failed, for stderr at the end
    TrafficCounters totals;
    std::uint64_t accepted = 0, dropped = 0, kernel_drops = 0, echo_dropped = 0, errors = 0;
    FaultCounters faults;

    bool ended() const { return state == EndpointState::Failed || (state == EndpointState::Stopped && begun); }
};

using EndpointMap = std::map<EndpointId, EndpointSummary>;

class HeadlessPrinter {
public:
    HeadlessPrinter(const HeadlessOptions& options, LineOutput& out, const EndpointMap& endpoints)
        : m_options(options), m_out(out), m_endpoints(endpoints) {}

    void print(const Event& event) {
        if (const auto* stats = std::get_if<StatsEvent>(&event)) return printFaults(*stats);
        if (!printed(event)) return;
        // An event stamped before a command's answer that is already out is printed at that
        // answer's time: the lines' times never go backwards (docs/headless.md).
        const TimestampUs time = std::max(timeOf(event), m_lastTime);
        if (const auto* d = std::get_if<DataEvent>(&event)) {   // one line per message (frame)
            // An event begun is printed whole: the run holds back between events, not within one,
            // so the thousands of frames of one read must not overflow into "unprinted" while the
            // reader keeps up. The buffer goes over its limit by one event at most (a read's
            // frames), and by LineOutput::kEventOverrun at most.
            const bool whole = m_out.beginEvent();
            forEachMessage(*d, [&](std::span<const std::uint8_t> message) {
                if (!whole) return countUnprinted(time);
                Json line = describeData(*d, message);
                if (time != timeOf(event)) line["time"] = rfc3339(time);
                emit(m_options.format == HeadlessLogFormat::Jsonl ? dumpLine(line) : dataTextLine(*d, line), time, true);
            });
            if (whole) m_out.endEvent();
            return;
        }
        if (!m_out.hasRoom()) return countUnprinted(time);   // not worth formatting
        Json line = describe(event);
        if (time != timeOf(event) && line.contains("time")) line["time"] = rfc3339(time);
        // The run's own stop says so ("reason", "(end of the run)": core/model), as the summary
        // keeps the state the run ended in; a stop command's status never does.
        if (m_options.format == HeadlessLogFormat::Jsonl) return emit(dumpLine(line), time);
        emit(textLine(event, line), time);
    }

    /// Fault injection's counts, when they changed (with the ~2 Hz statistics: coalesced).
    void printFaults(const StatsEvent& stats) {
        FaultCounters& last = m_lastFaults[stats.endpoint];
        if (stats.faults == last) return;
        last = stats.faults;
        const TimestampUs time = std::max(nowUs(), m_lastTime);
        if (!m_out.hasRoom()) return countUnprinted(time);
        const auto it = m_endpoints.find(stats.endpoint);
        const std::string name = it != m_endpoints.end() ? it->second.name : std::to_string(stats.endpoint);
        Json line{{"time", rfc3339(time)}, {"endpoint", name}, {"event", "faults"}};
        line.update(faultCountersJson(stats.faults));
        if (m_options.format == HeadlessLogFormat::Jsonl) return emit(dumpLine(line), time);
        const FaultCounters& f = stats.faults;
        emit(rfc3339(time) + "  " + displayText(name) + "  faults: " + std::to_string(f.delayed) + " delayed, " +
                 std::to_string(f.split_pieces) + " split pieces, " + std::to_string(f.dropped) + " dropped, " +
                 std::to_string(f.duplicated) + " duplicated",
             time);
    }

    /// The answer to one command line: `ack` or `error`, with the line's number.
    void answer(TimestampUs time, const ChannelLine& line, const ChannelAction& action) {
        time = std::max(time, m_lastTime);
        Json json{{"time", rfc3339(time)}, {"event", action.error.empty() ? "ack" : "error"}, {"line", line.number}};
        if (!action.verb.empty()) json["command"] = action.verb;
        if (!action.endpoint.empty()) json["endpoint"] = action.endpoint;
        if (action.error.empty() && action.verb == "send") json["bytes"] = action.bytes;
        if (action.error.empty() && action.verb == "send_file") json["transfer"] = line.number;
        if (!action.error.empty()) json["error"] = Json{{"code", "bad_command"}, {"message", action.error}};
        if (m_options.format == HeadlessLogFormat::Jsonl) return emitAnswer(dumpLine(json), time);
        std::string text = rfc3339(time) + "  " + displayText(action.endpoint.empty() ? "-" : action.endpoint) + "  ";
        if (!action.error.empty())
            text += "error: command line " + std::to_string(line.number) + ": " + displayText(action.error);
        else
            text += "ack " + action.verb + " (command line " + std::to_string(line.number) +
                    (action.verb == "send" ? ", " + std::to_string(action.bytes) + " B)" : ")");
        emitAnswer(text, time);
    }

    /// A line made elsewhere (script events), printed like any event line.
    void printLine(const std::string& text, TimestampUs time) {
        if (!m_out.hasRoom()) return countUnprinted(time);
        emit(text, time);
    }
    /// Lines after the summary (the scripts' results): always written.
    void summaryLine(const std::string& text) { m_out.forceWrite(text); }

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
    /// `whole`: a line of an event begun while there was room, written over the limit if need be.
    void emit(const std::string& text, TimestampUs time, bool whole = false) {
        const auto write = [&](const std::string& line, std::uint64_t weight) {
            return whole ? m_out.tryWriteOfEvent(line, weight) : m_out.tryWrite(line, weight);
        };
        if (m_pending > 0) {
            if (!write(unprintedLine(m_pendingTime), 0)) return countUnprinted(time);
            m_pending = 0;
        }
        if (!write(text, 1)) return countUnprinted(time);
        m_lastTime = std::max(m_lastTime, time);
    }

    /// An answer is never counted unprinted: it goes into the room kept for answers, which the
    /// run checks before it takes a command line (HeadlessRun::runCommands).
    void emitAnswer(const std::string& text, TimestampUs time) {
        if (m_pending > 0 && m_out.tryWriteAnswer(unprintedLine(m_pendingTime))) m_pending = 0;
        m_lastTime = std::max(m_lastTime, time);
        if (m_out.tryWriteAnswer(text)) return;
        // The unprinted line took the last room: the answer still goes (one line over, bounded by
        // the check before each command line), unless the reader has stalled for good.
        if (m_out.stalled()) countUnprinted(time);
        else m_out.forceWrite(text);
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
            if (e.faults != FaultCounters{}) endpoints.back()["faults"] = faultCountersJson(e.faults);
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
            if (e.faults != FaultCounters{})
                text += ", faults: " + std::to_string(e.faults.delayed) + " delayed, " +
                        std::to_string(e.faults.split_pieces) + " split pieces, " + std::to_string(e.faults.dropped) +
                        " dropped, " + std::to_string(e.faults.duplicated) + " duplicated";
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
        if (const auto* r = std::get_if<RecordingStatus>(&event)) return r->state_changed;   // not each byte count
        if (const auto* t = std::get_if<TimerStatus>(&event)) return !t->progress;   // the GUI's live counter
        if (const auto* r = std::get_if<RuleStatus>(&event)) return pausesChanged(*r) || !m_options.quiet;
        return !std::holds_alternative<StatsEvent>(event);   // stats: folded into the summary
    }

    /// The JSON fields of a printed event (the schema lives in core/model/event_json: recorders share it).
    Json describe(const Event& event) const {
        const EndpointId id = endpointOf(event);
        auto it = m_endpoints.find(id);
        const std::string name = it != m_endpoints.end() ? it->second.name : std::to_string(id);
        return eventJson(event, {name, it != m_endpoints.end() ? it->second.type : EndpointType::TcpClient});
    }

    /// One message of a data event (the whole payload, or one frame of it).
    Json describeData(const DataEvent& d, std::span<const std::uint8_t> message) const {
        auto it = m_endpoints.find(d.endpoint);
        return dataJson(d, message, it != m_endpoints.end() ? it->second.name : std::to_string(d.endpoint));
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
        if (const auto* rules = std::get_if<RuleStatus>(&event)) {
            out += "rules:";
            for (const RuleCount& rule : rules->rules)
                out += " \"" + displayText(rule.name) + "\" " + std::to_string(rule.hits) +
                       (rule.hits == 1 ? " hit" : " hits") + (rule.paused ? " (paused by the storm guard)" : "") + ";";
            if (out.back() == ';') out.pop_back();
            return out;
        }
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
    std::map<EndpointId, std::vector<bool>> m_lastRulePauses;   // --quiet prints a rules line only when these change

    /// Whether the storm guard paused or resumed one of the endpoint's rules since its last line.
    bool pausesChanged(const RuleStatus& status) {
        std::vector<bool> paused;
        for (const RuleCount& rule : status.rules) paused.push_back(rule.paused);
        auto& last = m_lastRulePauses[status.endpoint];
        if (last.empty()) last.assign(paused.size(), false);   // rules begin unpaused
        if (paused == last) return false;
        last = std::move(paused);
        return true;
    }
    std::map<EndpointId, FaultCounters> m_lastFaults;
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
          m_output(options.output_fd), m_printer(options, m_output, m_endpoints),
          m_scripts(options.format == HeadlessLogFormat::Jsonl) {}

    /// --run: resolved before start (an unknown or ambiguous name is a usage error).
    void addScript(ScriptTarget target) { m_scripts.add(std::move(target)); }

    void start(const Profile& profile, std::unique_ptr<CommandReader> commands) {
        m_commands = std::move(commands);
        // Recorders first: they see the endpoints start. Profile paths are relative to the profile.
        const std::string profile_path = m_options.profile.string();
        RecordingId next_recording = 1;
        std::set<std::string> noted;
        for (RecordingConfig config : profile.recording) {
            config.path = resolveProfilePath(config.path, profile_path);
            noteEarlierRecording(config.path, noted);
            m_engine.submit(StartRecording{next_recording++, std::move(config)});
        }
        for (const RecordingConfig& config : m_options.record) {
            noteEarlierRecording(config.path, noted);
            m_engine.submit(StartRecording{next_recording++, config});
        }
        EndpointId next_id = 1;
        for (EndpointConfig config : profile.endpoints) {
            const EndpointId id = next_id++;
            ChannelEndpoint& named = m_names[config.name];
            named.id = id;
            named.type = config.type;
            if (config.type != EndpointType::Udp) named.connections.emplace();   // tracked by trackChannel
            named.transfers.emplace();
            for (const auto& command : config.commands) named.commands.push_back(command.name);
            for (const auto& timer : config.timers) named.timers.push_back(timer.name);
            EndpointSummary summary;
            summary.name = config.name;
            summary.type = config.type;
            m_endpoints[id] = summary;
            config.auto_start = true;   // headless runs every endpoint of the profile
            if (config.receive_to_file)
                config.receive_to_file->path = resolveProfilePath(config.receive_to_file->path, profile_path);
            m_engine.submit(AddEndpoint{id, std::move(config)});
        }
        // A tcp-client's run starts when it connects, a server's on its first client (ScriptStage).
        for (const ScriptRunReport& run : m_scripts.runs())
            m_engine.submit(RunScript{static_cast<EndpointId>(run.target.endpoint_index + 1), run.target.script, 0, run.run});
    }

    void run(const std::atomic<bool>& stop) {
        const auto deadline = m_options.for_seconds
                                  ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                       std::chrono::duration<double>(*m_options.for_seconds))
                                  : Clock::time_point::max();
        // With a command channel the run outlives its endpoints: a later "start" may need them. So
        // does a script that still runs: a tcp-client's `close` step stops the endpoint, its next
        // `connect` step starts it again (a run that never started ends with its endpoint).
        while (!stop.load() && !m_output.failed() && !m_quit && (m_commands || !allEnded() || m_scripts.anyRunning()) &&
               (m_scripts.empty() || !m_scripts.allFinished())) {
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
        stopScripts();
        if (!m_output.failed()) {
            cancelFileSends();
            m_engine.submit(RefreshState{});   // final counters for the summary
            m_engine.waitForEvents(200ms);
            processAll();
        }
        m_shuttingDown = true;   // the summary keeps the states from before our own shutdown
        m_engine.shutdown();
        processAll();
        int code = kExitOk;
        if (!m_output.failed() && !printSummary(stopped_at)) code = kExitOutputFailed;
        if (!m_scripts.empty()) code = finishScripts(code);
        if (m_output.failed()) {
            m_err << "sockscope: " << m_output.failure() << "; the run was stopped\n";
            code = kExitOutputFailed;
        }
        return reportFailures(code);
    }

private:
    /// A recording path that holds an earlier run's data: the recorder moves it to .1 (keeps it
    /// whatever keep says); say so, so that nobody wonders where it went.
    void noteEarlierRecording(const std::string& path, std::set<std::string>& noted) {
        std::error_code ec;
        if (!noted.insert(path).second || !std::filesystem::is_regular_file(path, ec)) return;
        if (std::filesystem::file_size(path, ec) == 0 || ec) return;
        m_err << "sockscope: note: " << displayText(path) << " holds an earlier recording: it is kept as "
              << displayText(RotatingFile::numbered(path, 1).string())
              << " (older numbered files move up by one; those past --record-keep, the previous run's file excepted, are deleted)\n";
    }

    // The engine's default queue budget (32 MiB): the front end drains every ~1 ms (run()), and an
    // 8 MiB budget paused a 5 GB/s stream's reads within that millisecond (bulk 0.92x iperf3
    // against 1.04x with 32 MiB, same machine, alternating rounds).
    static EngineOptions engineOptions() { return EngineOptions{}; }
    static PayloadLogLimits logLimits(const HeadlessOptions& options) {
        PayloadLogLimits limits;
        limits.max_bytes = options.log_budget_bytes;
        return limits;
    }

    /// Interprets and submits the command lines read so far, each answered by a line. Answers
    /// are never dropped: a line is taken only while the output has room for its answer, so a
    /// reader that does not keep up holds the channel back (its writer waits), never the run.
    /// A reader that has stalled for good no longer holds it back (a `quit` must get through):
    /// its answers are then counted as unprinted, like every other line.
    void runCommands() {
        if (!m_commands) return;
        // `quit` is the last line taken: what follows it is not carried out (nor answered).
        for (std::size_t taken = 0;
             taken < kCommandsPerTurn && !m_quit && (m_output.hasAnswerRoom() || m_output.stalled()); ++taken) {
            std::vector<ChannelLine> lines = m_commands->take(1);
            if (lines.empty()) return;
            runCommand(lines.front());
        }
    }

    void runCommand(const ChannelLine& line) {
        ChannelAction action;
        if (line.too_long)
            action.error = "the line is longer than " + std::to_string(kMaxChannelLine) + " bytes";
        else if (line.text.find_first_not_of(" \t") == std::string::npos)
            return;   // blank lines separate nothing and ask for nothing
        else
            action = interpretCommand(line.text, m_names, &m_channelCounter);
        const TimestampUs taken = nowUs();   // before the engine acts: the ack line comes first in time too
        for (Command& command : action.commands) {
            if (auto* file = std::get_if<SendFile>(&command)) file->transfer = line.number;   // names its events
            m_engine.submit(std::move(command));
        }
        if (action.error.empty() && action.verb == "send_file")
            if (auto named = m_names.find(action.endpoint); named != m_names.end() && named->second.transfers)
                rememberTransfer(*named->second.transfers, line.number);
        m_printer.answer(taken, line, action);
        if (action.quit) m_quit = true;
    }

    /// A new file send of the channel; the oldest ended ones are forgotten beyond a bound (a
    /// cancel_file naming one then says it is unknown instead of ended).
    template <typename Transfers>
    static void rememberTransfer(Transfers& transfers, std::uint64_t number) {
        constexpr std::size_t kRemembered = 1024;
        transfers.emplace(number, std::string());
        for (auto it = transfers.begin(); transfers.size() > kRemembered && it != transfers.end();)
            it = it->second.empty() ? std::next(it) : transfers.erase(it);
    }

    /// The channel's file sends still running at the stop end as "cancelled" (with their `sent`)
    /// before the engine shuts down, so each one's end is printed.
    void cancelFileSends() {
        for (const auto& [name, e] : m_names) {
            if (!e.transfers) continue;
            bool running = false;
            for (const auto& [transfer, ended] : *e.transfers) running = running || ended.empty();
            // 0: every send of the endpoint; one that just ended is no error then.
            if (running) m_engine.submit(CancelFileSend{e.id, 0});
        }
    }

    /// The channel's view of connections and file sends, kept as events are drained (before they
    /// are printed): a command naming one that is gone is refused instead of acked.
    void trackChannel(const Event& event) {
        const auto it = m_endpoints.find(endpointOf(event));
        if (it == m_endpoints.end()) return;
        const auto named = m_names.find(it->second.name);
        if (named == m_names.end()) return;
        ChannelEndpoint& e = named->second;
        if (const auto* opened = std::get_if<ConnectionOpened>(&event); opened && e.connections)
            e.connections->insert(opened->connection);
        else if (const auto* closed = std::get_if<ConnectionClosed>(&event); closed && e.connections)
            e.connections->erase(closed->connection);
        else if (const auto* file = std::get_if<FileSendStatus>(&event);
                 file && e.transfers && file->state != FileSendState::Running && e.transfers->count(file->transfer))
            (*e.transfers)[file->transfer] = toString(file->state);
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
            if (m_commands)
                for (const Event& event : m_batch) trackChannel(event);
        }
        for (; m_next < m_batch.size(); ++m_next) {
            if (!m_stopping && !m_output.hasRoom() && !m_output.stalled() && !m_output.failed()) return;
            handle(m_batch[m_next]);
        }
    }

    void handle(const Event& event) {
        if (const auto* script = std::get_if<ScriptEvent>(&event)) {
            for (const std::string& line : m_scripts.note(*script, rfc3339(script->time_us)))
                m_printer.printLine(line, script->time_us);
            return;
        }
        recordEvent(m_log, event);
        if (const auto* r = std::get_if<RecordingStatus>(&event)) m_recordings[r->recording] = *r;
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
            if (!s->shutdown) noteStatus(summary, *s);   // our own shutdown's stops do not count
            if (!summary.failure.empty()) m_scripts.endpointFailed(summary.name, summary.failure);
        } else if (const auto* stats = std::get_if<StatsEvent>(&event)) {
            summary.totals = stats->totals;
            summary.accepted = stats->accepted_total;
            summary.dropped = stats->dropped_messages;
            summary.kernel_drops = stats->kernel_drops;
            summary.echo_dropped = stats->echo_dropped;
            summary.faults = stats->faults;
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

    /// The --run scripts still going at the stop (--for, a signal, no endpoint left) are stopped,
    /// so that their Finished events carry what they ran (per-step statistics, every executed
    /// expect, the time up to the stop) into the summary and the report; they count as unfinished.
    void stopScripts() {
        if (m_scripts.empty() || m_scripts.allFinished()) return;
        for (const ScriptRunReport& run : m_scripts.runs()) {
            if (run.finished) continue;
            m_scripts.cutShort(run.run);
            m_engine.submit(StopScript{static_cast<EndpointId>(run.target.endpoint_index + 1), run.run});
        }
        const auto deadline = Clock::now() + kScriptStopWait;
        while (!m_scripts.allFinished() && Clock::now() < deadline) {
            m_engine.waitForEvents(20ms);
            processAll();
        }
    }

    /// False when stdout did not take it all within kStopBudget.
    bool printSummary(Clock::time_point stopped_at) {
        if (!m_output.drain(stopped_at + kDrainBeforeSummary) && !m_output.failed()) {
            const std::uint64_t dropped = m_printer.dropBuffered();
            m_err << "sockscope: stopping: stdout is not being read; " << dropped
                  << " buffered events were dropped to make room for the summary\n";
        }
        m_printer.summary(nowUs(), m_log);
        for (const std::string& line : m_scripts.summary(rfc3339(nowUs()))) m_printer.summaryLine(line);
        if (m_output.drain(stopped_at + kStopBudget) || m_output.failed()) return true;
        m_err << "sockscope: gave up " << std::chrono::duration_cast<std::chrono::seconds>(kStopBudget).count()
              << " s after the stop: stdout did not drain (" << m_output.bufferedBytes()
              << " bytes not written, the summary among them)\n";
        return false;
    }

    /// --report, and 3 when a script did not pass (docs/headless.md). A run that never finished
    /// because its endpoint failed leaves the code to reportFailures (1).
    int finishScripts(int code) {
        if (m_options.report) {
            std::string error;
            if (writeFileAtomic(*m_options.report, m_scripts.junit(), &error)) {
                m_err << "sockscope: --report: " << displayText(error) << '\n';
                if (code == kExitOk) code = kExitScriptFailed;
            }
        }
        bool endpoint_failed = false;
        for (const auto& [id, e] : m_endpoints) endpoint_failed = endpoint_failed || !e.failure.empty();
        for (const ScriptRunReport& run : m_scripts.runs()) {
            if (!run.unfinished() && run.finished->passed) continue;
            if (run.unfinished() && endpoint_failed) continue;
            const std::string why = run.unfinished() ? "did not finish before the run ended"
                                    : run.finished->error.empty() ? "an expectation failed" : run.finished->error;
            m_err << "sockscope: script " << displayText(run.target.endpoint + "/" + run.target.script) << ": "
                  << displayText(why) << '\n';
            if (code == kExitOk) code = kExitScriptFailed;
        }
        return code;
    }

    /// Each endpoint that failed, in plain words; 1 when any did (a worse code stays). A recorder
    /// that failed is said too, but the run itself went on: it does not change the code.
    int reportFailures(int code) {
        for (const auto& [id, r] : m_recordings)
            if (r.state == RecordingState::Failed && r.error)
                m_err << "sockscope: recording " << displayText(r.path) << " failed: " << displayText(r.error->message)
                      << '\n';
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
    std::map<RecordingId, RecordingStatus> m_recordings;   // the latest status of each recorder
    std::vector<Event> m_batch;
    std::size_t m_next = 0;        // m_batch[m_next...] wait for room in the output
    bool m_stopping = false;       // no more holding back
    bool m_shuttingDown = false;
    ScriptTracker m_scripts;       // --run
};

}  // namespace

std::optional<RecordingConfig> recordOption(const std::string& file, double rotate_mb, std::uint32_t keep,
                                            std::string& error) {
    const auto format = recordFormatFromPath(file);
    if (!format) {
        error = "--record " + displayText(file) + ": the file name must end in .pcapng, .jsonl or .txt (it says the format; .json and .log are taken as .jsonl and .txt)";
        return std::nullopt;
    }
    RecordingConfig config;
    config.path = file;
    config.format = *format;
    config.rotate_mb = rotate_mb;
    config.keep = keep;
    return config;
}

std::optional<double> parseRunSeconds(std::string_view text, std::string& error) {
    // from_chars, not strtod: no hex ("0x10"), no leading blanks or '+', the same '.' in every locale.
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    const bool parsed = !text.empty() && ec == std::errc() && end == text.data() + text.size();
    if (parsed && std::isfinite(value) && value > 0 && value <= kMaxRunSeconds) return value;
    error = "--for: expected a number of seconds greater than 0 and at most 1000000000 (leave --for out to run "
            "until SIGINT/SIGTERM), got \"" +
            displayText(text) + "\"";
    return std::nullopt;
}

namespace {
/// Two recorders on one file would each move the other's file aside: say which, before starting.
std::optional<std::string> recordedTwice(const Profile& profile, const HeadlessOptions& options) {
    std::map<std::filesystem::path, std::string> seen;   // the file -> where it was named
    const auto check = [&](const std::string& path, const std::string& where) -> std::optional<std::string> {
        std::error_code ec;
        std::filesystem::path file = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
        if (ec) file = std::filesystem::absolute(path, ec).lexically_normal();
        const auto [it, fresh] = seen.emplace(file, where);
        if (fresh) return std::nullopt;
        return displayText(path) + ": recorded twice (" + it->second + " and " + where +
               " name the same file): each recorder would move the other's file aside";
    };
    for (std::size_t i = 0; i < profile.recording.size(); ++i)
        if (auto twice = check(resolveProfilePath(profile.recording[i].path, options.profile.string()),
                               "recording[" + std::to_string(i) + "] of the profile"))
            return twice;
    for (const RecordingConfig& config : options.record)
        if (auto twice = check(config.path, "--record " + displayText(config.path))) return twice;
    return std::nullopt;
}
}  // namespace

int runHeadless(const HeadlessOptions& options, const std::atomic<bool>& stop, std::ostream& err) {
    const ProfileLoadResult loaded = loadProfile(options.profile);
    for (const auto& warning : loaded.warnings) err << "sockscope: warning: " << warning << '\n';
    if (!loaded.profile) {
        err << "sockscope: " << loaded.error << '\n';
        return kExitUsage;
    }
    if (loaded.profile->endpoints.empty()) {
        err << "sockscope: " << options.profile.string() << ": the profile has no endpoints; a run needs one, such as "
            << minimalProfileExample() << "\n";
        return kExitUsage;
    }
    if (const auto twice = recordedTwice(*loaded.profile, options)) {
        err << "sockscope: " << *twice << '\n';
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
    for (const std::string& name : options.run_scripts) {
        std::string error;
        std::optional<ScriptTarget> target = resolveScript(*loaded.profile, name, error);
        if (!target) {
            err << "sockscope: " << error << '\n';
            return kExitUsage;
        }
        run.addScript(std::move(*target));
    }
    if (options.report && options.run_scripts.empty()) {
        err << "sockscope: --report needs --run (it reports the scripts' expectations)\n";
        return kExitUsage;
    }
    run.start(*loaded.profile, std::move(commands));
    run.run(stop);
    return run.finish();
}

}  // namespace sockscope
