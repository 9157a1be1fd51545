#include "core/model/event_json.hpp"

#include <cmath>

#include <cstdio>
#include <ctime>

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"

namespace sockscope {
namespace {

using Json = nlohmann::ordered_json;

Json errorJson(const ErrorInfo& error) { return Json{{"code", error.code}, {"message", error.message}}; }

}  // namespace

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

Json eventJson(const Event& event, const EventJsonEndpoint& endpoint) {
    Json line;
    const std::string name(endpoint.name);
    const bool server = endpoint.type == EndpointType::TcpServer;
    if (const auto* s = std::get_if<EndpointStatus>(&event)) {
        line = Json{{"time", rfc3339(s->time_us)}, {"endpoint", name}, {"event", stateName(s->state)}};
        if (!s->local.empty()) line["local"] = s->local;
        if (!s->remote.empty()) line["remote"] = s->remote;
        if (!s->resolved_from.empty()) line["resolved_from"] = s->resolved_from;
        if (s->attempt) line["attempt"] = s->attempt;
        if (s->retry_in_ms) line["retry_in_ms"] = s->retry_in_ms;
        if (s->error) line["error"] = errorJson(*s->error);
        if (endsTheRun(event)) line["reason"] = "end of run";
        return line;
    }
    if (const auto* o = std::get_if<ConnectionOpened>(&event)) {
        return Json{{"time", rfc3339(o->time_us)}, {"endpoint", name}, {"event", server ? "accepted" : "connected"},
                    {"conn", o->connection}, {"peer", o->peer}, {"local", o->local}};
    }
    if (const auto* h = std::get_if<PeerHalfClosed>(&event)) {
        return Json{{"time", rfc3339(h->time_us)}, {"endpoint", name}, {"event", "peer_closed"}, {"conn", h->connection}};
    }
    if (const auto* h = std::get_if<LocalHalfClosed>(&event)) {
        return Json{{"time", rfc3339(h->time_us)}, {"endpoint", name}, {"event", "half_closed"}, {"conn", h->connection}};
    }
    if (const auto* c = std::get_if<ConnectionClosed>(&event)) {
        line = Json{{"time", rfc3339(c->time_us)}, {"endpoint", name},
                    {"event", c->reason == CloseReason::PeerReset ? "reset" : "closed"},
                    {"conn", c->connection}, {"reason", toString(c->reason)}};
        if (c->error) line["error"] = errorJson(*c->error);
        return line;
    }
    if (const auto* t = std::get_if<TcpStateChanged>(&event)) {
        return Json{{"time", rfc3339(t->time_us)}, {"endpoint", name}, {"event", "tcp_state"},
                    {"conn", t->connection}, {"tcp_state", toString(t->info.state)},
                    {"rtt_us", t->info.rtt_us}, {"retransmits", t->info.retransmits},
                    {"send_queue", t->info.send_queue}, {"recv_queue", t->info.recv_queue}};
    }
    if (const auto* p = std::get_if<PortTableChanged>(&event)) {
        Json counts = Json::object();
        for (std::size_t i = 0; i < kTcpStateCount; ++i)
            if (p->counts.by_state[i]) counts[toString(static_cast<TcpState>(i))] = p->counts.by_state[i];
        return Json{{"time", rfc3339(p->time_us)}, {"endpoint", name}, {"event", "port_table"},
                    {"port", p->port}, {"sockets", counts}};
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
        if (t->failed > 0) line["failed"] = t->failed;   // only when a send was refused
        if (t->connection) line["conn"] = t->connection;  // only for a timer aimed at one connection
        return line;
    }
    if (const auto* rs = std::get_if<ReadingStatus>(&event)) {
        return Json{{"time", rfc3339(rs->time_us)}, {"endpoint", name}, {"event", "reading"},
                    {"conn", rs->connection}, {"stopped", rs->stopped}};
    }
    if (const auto* f = std::get_if<FileSendStatus>(&event)) {
        line = Json{{"time", rfc3339(f->time_us)}, {"endpoint", name}, {"event", "send_file"},
                    {"transfer", f->transfer}, {"path", f->path}, {"state", toString(f->state)},
                    {"sent", f->sent}, {"total", f->total}, {"waiting", f->waiting},
                    {"rate_bps", std::llround(f->rate_bps)}};
        if (f->error) line["error"] = errorJson(*f->error);
        return line;
    }
    if (const auto* rules = std::get_if<RuleStatus>(&event)) {
        line = Json{{"time", rfc3339(rules->time_us)}, {"endpoint", name}, {"event", "rules"}};
        Json& list = line["rules"] = Json::array();
        for (const RuleCount& rule : rules->rules)
            list.push_back(Json{{"name", rule.name}, {"hits", rule.hits}, {"paused", rule.paused}});
        return line;
    }
    if (const auto* q = std::get_if<QueueOverflow>(&event)) {
        return Json{{"time", rfc3339(q->time_us)}, {"event", "overflow"}, {"dropped", q->dropped_events}};
    }
    if (const auto* r = std::get_if<RecordingStatus>(&event)) {
        line = Json{{"time", rfc3339(r->time_us)}, {"event", "recording"}, {"recording", r->recording},
                    {"state", toString(r->state)}, {"path", r->path}, {"format", toString(r->format)},
                    {"on_full", toString(r->on_full)}, {"bytes", r->bytes_written}, {"records", r->records},
                    {"dropped", r->dropped}, {"paused", r->pauses}, {"files", r->files}};
        if (r->error) line["error"] = errorJson(*r->error);
        if (endsTheRun(event)) line["reason"] = "end of run";
        return line;
    }
    return line;
}

Json dataJson(const DataEvent& d, std::span<const std::uint8_t> message, std::string_view name) {
    Json line{{"time", rfc3339(d.time_us)}, {"endpoint", std::string(name)},
              {"event", d.direction == Direction::Rx ? "rx" : "tx"}};
    if (d.connection) line["conn"] = d.connection;
    if (!d.peer.empty()) line["peer"] = d.peer;
    if (!d.local.empty()) line["local"] = d.local;   // udp on a wildcard bind: the address written to
    line["len"] = message.size();
    line["hex"] = formatHex(message, HexStyle::CompactLower);
    line["text"] = escapeForDisplay(message);
    return line;
}

Json faultCountersJson(const FaultCounters& f) {
    return Json{{"delayed", f.delayed}, {"split_pieces", f.split_pieces}, {"dropped", f.dropped},
                {"duplicated", f.duplicated}};
}

std::string jsonLine(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace sockscope
