#include "app/headless_runner.hpp"

#include <chrono>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

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

struct EndpointSummary {
    std::string name;
    EndpointType type;
    EndpointState state = EndpointState::Stopped;
    bool ever_started = false;
    TrafficCounters totals;
    std::uint64_t accepted = 0, dropped = 0, kernel_drops = 0, errors = 0;
};

class HeadlessPrinter {
public:
    HeadlessPrinter(const HeadlessOptions& options, std::ostream& out, std::map<EndpointId, EndpointSummary>& endpoints)
        : m_options(options), m_out(out), m_endpoints(endpoints) {}

    void print(const Event& event) {
        Json line;
        if (!describe(event, line)) return;
        if (m_options.format == HeadlessLogFormat::Jsonl) {
            m_out << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
        } else {
            printText(event, line);
        }
    }

    void summary(TimestampUs now, const PayloadLog& log) {
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
                                     {"errors", e.errors}});
        }
        line["endpoints"] = endpoints;
        line["log"] = Json{{"records", log.size()},
                           {"evicted", log.evictedRecords()},
                           {"memory_bytes", log.memoryUsed()},
                           {"budget_bytes", log.limits().max_bytes}};
        if (m_options.format == HeadlessLogFormat::Jsonl) {
            m_out << line.dump() << '\n';
            return;
        }
        m_out << rfc3339(now) << "  summary\n";
        for (const auto& [id, e] : m_endpoints) {
            m_out << "  " << e.name << " (" << toString(e.type) << ", " << stateName(e.state) << "): rx "
                  << e.totals.rx_bytes << " B in " << e.totals.rx_messages << " msgs, tx " << e.totals.tx_bytes
                  << " B in " << e.totals.tx_messages << " msgs";
            if (e.type == EndpointType::TcpServer) m_out << ", " << e.accepted << " accepted";
            if (e.dropped || e.kernel_drops) m_out << ", dropped " << e.dropped << " (kernel " << e.kernel_drops << ")";
            if (e.errors) m_out << ", " << e.errors << " errors";
            m_out << '\n';
        }
        m_out << "  log: " << log.size() << " records kept, " << log.evictedRecords() << " evicted, "
              << log.memoryUsed() / 1024 << " KiB of " << log.limits().max_bytes / 1024 << " KiB\n";
    }

private:
    /// Fills `line` with the JSON fields of an event; false when the event is not printed.
    bool describe(const Event& event, Json& line) {
        const EndpointId id = endpointOf(event);
        auto it = m_endpoints.find(id);
        const std::string name = it != m_endpoints.end() ? it->second.name : std::to_string(id);
        const bool server = it != m_endpoints.end() && it->second.type == EndpointType::TcpServer;

        if (const auto* s = std::get_if<EndpointStatus>(&event)) {
            if (s->state == EndpointState::Connected) return false;   // "connected" comes with the connection
            line = Json{{"time", rfc3339(s->time_us)}, {"endpoint", name}, {"event", stateName(s->state)}};
            if (!s->local.empty()) line["local"] = s->local;
            if (!s->remote.empty()) line["remote"] = s->remote;
            if (!s->resolved_from.empty()) line["resolved_from"] = s->resolved_from;
            if (s->attempt) line["attempt"] = s->attempt;
            if (s->retry_in_ms) line["retry_in_ms"] = s->retry_in_ms;
            if (s->error) line["error"] = errorJson(*s->error);
            return true;
        }
        if (const auto* o = std::get_if<ConnectionOpened>(&event)) {
            line = Json{{"time", rfc3339(o->time_us)}, {"endpoint", name}, {"event", server ? "accepted" : "connected"},
                        {"conn", o->connection}, {"peer", o->peer}, {"local", o->local}};
            return true;
        }
        if (const auto* h = std::get_if<PeerHalfClosed>(&event)) {
            line = Json{{"time", rfc3339(h->time_us)}, {"endpoint", name}, {"event", "peer_closed"},
                        {"conn", h->connection}};
            return true;
        }
        if (const auto* c = std::get_if<ConnectionClosed>(&event)) {
            m_lastState.erase(c->connection);
            line = Json{{"time", rfc3339(c->time_us)}, {"endpoint", name},
                        {"event", c->reason == CloseReason::PeerReset ? "reset" : "closed"},
                        {"conn", c->connection}, {"reason", toString(c->reason)}};
            if (c->error) line["error"] = errorJson(*c->error);
            return true;
        }
        if (const auto* d = std::get_if<DataEvent>(&event)) {
            if (m_options.quiet) return false;
            line = Json{{"time", rfc3339(d->time_us)}, {"endpoint", name},
                        {"event", d->direction == Direction::Rx ? "rx" : "tx"}};
            if (d->connection) line["conn"] = d->connection;
            if (!d->peer.empty()) line["peer"] = d->peer;
            line["len"] = d->payload.size();
            line["hex"] = formatHex(d->payload, HexStyle::CompactLower);
            line["text"] = escapeForDisplay(d->payload);
            return true;
        }
        if (const auto* t = std::get_if<TcpStateChanged>(&event)) {
            // Only state transitions; RTT and queue changes would flood the output.
            auto& last = m_lastState[t->connection];
            if (last == t->info.state) return false;
            last = t->info.state;
            line = Json{{"time", rfc3339(t->time_us)}, {"endpoint", name}, {"event", "tcp_state"},
                        {"conn", t->connection}, {"tcp_state", toString(t->info.state)},
                        {"rtt_us", t->info.rtt_us}, {"retransmits", t->info.retransmits},
                        {"send_queue", t->info.send_queue}, {"recv_queue", t->info.recv_queue}};
            return true;
        }
        if (const auto* p = std::get_if<PortTableChanged>(&event)) {
            Json counts = Json::object();
            for (std::size_t i = 0; i < kTcpStateCount; ++i)
                if (p->counts.by_state[i]) counts[toString(static_cast<TcpState>(i))] = p->counts.by_state[i];
            line = Json{{"time", rfc3339(p->time_us)}, {"endpoint", name}, {"event", "port_table"},
                        {"port", p->port}, {"sockets", counts}};
            return true;
        }
        if (const auto* e = std::get_if<ErrorEvent>(&event)) {
            line = Json{{"time", rfc3339(e->time_us)}, {"endpoint", name}, {"event", "error"}};
            if (e->connection) line["conn"] = e->connection;
            line["error"] = errorJson(e->error);
            return true;
        }
        if (const auto* q = std::get_if<QueueOverflow>(&event)) {
            line = Json{{"time", rfc3339(q->time_us)}, {"event", "overflow"}, {"dropped", q->dropped_events}};
            return true;
        }
        return false;   // StatsEvent: folded into the summary
    }

    void printText(const Event& event, const Json& line) {
        m_out << line["time"].get<std::string>() << "  " << line.value("endpoint", std::string("-")) << "  ";
        const std::string kind = line["event"].get<std::string>();
        if (const auto* d = std::get_if<DataEvent>(&event)) {
            m_out << (d->direction == Direction::Rx ? "rx" : "tx");
            if (d->connection) m_out << " #" << d->connection;
            if (!d->peer.empty()) m_out << ' ' << d->peer;
            m_out << ' ' << d->payload.size() << " B  \"" << line["text"].get<std::string>() << "\"\n";
            return;
        }
        if (line.contains("conn")) m_out << '#' << line["conn"].get<std::uint64_t>() << ' ';
        if (const auto text = describeEvent(event)) {
            m_out << *text << '\n';
            return;
        }
        if (const auto* t = std::get_if<TcpStateChanged>(&event)) {
            m_out << "tcp state " << toString(t->info.state) << " (" << explain(t->info.state) << ")\n";
            return;
        }
        if (const auto* p = std::get_if<PortTableChanged>(&event)) {
            m_out << "port " << p->port << " sockets:";
            for (auto& [state, count] : line["sockets"].items()) m_out << ' ' << state << '=' << count.get<int>();
            m_out << '\n';
            return;
        }
        m_out << kind << '\n';
    }

    const HeadlessOptions& m_options;
    std::ostream& m_out;
    std::map<EndpointId, EndpointSummary>& m_endpoints;
    std::map<ConnectionId, TcpState> m_lastState;
};

}  // namespace

int runHeadless(const HeadlessOptions& options, const std::atomic<bool>& stop, std::ostream& out, std::ostream& err) {
    const ProfileLoadResult loaded = loadProfile(options.profile);
    for (const auto& warning : loaded.warnings) err << "sockscope: warning: " << warning << '\n';
    if (!loaded.profile) {
        err << "sockscope: " << loaded.error << '\n';
        return 2;
    }
    const Profile& profile = *loaded.profile;
    if (profile.endpoints.empty()) {
        err << "sockscope: " << options.profile.string() << ": the profile has no endpoints\n";
        return 2;
    }

    std::map<EndpointId, EndpointSummary> endpoints;
    EngineOptions engine_options;
    engine_options.queue.pause_bytes = 8u << 20;   // a printer needs no deep buffer; keeps RSS low
    Engine engine(engine_options);
    PayloadLogLimits limits;
    limits.max_bytes = options.log_budget_bytes;
    PayloadLog log(limits);
    HeadlessPrinter printer(options, out, endpoints);
    EndpointId next_id = 1;
    for (EndpointConfig config : profile.endpoints) {
        const EndpointId id = next_id++;
        EndpointSummary summary;
        summary.name = config.name;
        summary.type = config.type;
        endpoints[id] = summary;
        config.auto_start = true;   // headless runs every endpoint of the profile
        engine.submit(AddEndpoint{id, std::move(config)});
    }

    const auto started = std::chrono::steady_clock::now();
    const auto deadline = options.for_seconds
                              ? started + std::chrono::microseconds(static_cast<std::int64_t>(*options.for_seconds * 1e6))
                              : std::chrono::steady_clock::time_point::max();
    int exit_code = 0;
    bool shutting_down = false;   // the summary keeps the states from before our own shutdown
    std::vector<Event> batch;
    auto process = [&] {
        batch.clear();
        engine.drainEvents(batch);
        for (const auto& event : batch) {
            recordEvent(log, event);
            const EndpointId id = endpointOf(event);
            auto& summary = endpoints[id];
            if (const auto* s = std::get_if<EndpointStatus>(&event)) {
                if (!shutting_down) summary.state = s->state;
                if (s->state != EndpointState::Stopped && s->state != EndpointState::Failed &&
                    s->state != EndpointState::Resolving)
                    summary.ever_started = true;
                if (s->state == EndpointState::Failed && !summary.ever_started && exit_code == 0) {
                    err << "sockscope: " << summary.name << ": could not start: "
                        << (s->error ? s->error->message : std::string("unknown error")) << '\n';
                    exit_code = 1;
                }
            } else if (const auto* stats = std::get_if<StatsEvent>(&event)) {
                summary.totals = stats->totals;
                summary.accepted = stats->accepted_total;
                summary.dropped = stats->dropped_messages;
                summary.kernel_drops = stats->kernel_drops;
            } else if (std::holds_alternative<ErrorEvent>(event)) {
                ++summary.errors;
            }
            // The engine announces each new endpoint as "stopped" before starting it: not news.
            const auto* status = std::get_if<EndpointStatus>(&event);
            if (status && status->state == EndpointState::Stopped && !summary.ever_started && !shutting_down) continue;
            printer.print(event);
        }
        out.flush();
    };

    while (!stop.load() && exit_code == 0 && std::chrono::steady_clock::now() < deadline) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (engine.waitForEvents(std::min<std::chrono::milliseconds>(
                std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(left) +
                                                    std::chrono::milliseconds(1))))
            // Let a batch gather: waking for every datagram of a flood preempts the I/O thread
            // (measured: 55,000 wake-ups/s and kernel drops); 1 ms is invisible in a log.
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        process();
    }
    engine.submit(RefreshState{});    // final counters for the summary
    engine.waitForEvents(std::chrono::milliseconds(200));
    process();
    shutting_down = true;
    engine.shutdown();
    process();
    printer.summary(nowUs(), log);
    out.flush();
    return exit_code;
}

}  // namespace sockscope
