#include "ui/ui_model.hpp"

#include "core/model/event_text.hpp"
#include "core/model/log_recorder.hpp"

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <type_traits>

#include "core/codec/hex.hpp"

namespace sockscope::ui {

void Settings::addRecent(const std::string& path) {
    for (auto it = recent.begin(); it != recent.end();)
        it = (*it == path) ? recent.erase(it) : it + 1;
    recent.insert(recent.begin(), path);
    if (recent.size() > 10) recent.resize(10);
}

bool UiModel::recorderInProfile(RecordingId id) const {
    return id != 0 && std::find(profile_recording_ids.begin(), profile_recording_ids.end(), id) != profile_recording_ids.end();
}

void UiModel::keepRecorderInProfile(RecordingId id, RecordingConfig config) {
    if (recorderInProfile(id)) return;
    profile_recording.push_back(std::move(config));
    profile_recording_ids.resize(profile_recording.size() - 1);
    profile_recording_ids.push_back(id);
    workspace.markChanged();
}

std::optional<RecordingConfig> UiModel::dropRecorderFromProfile(RecordingId id) {
    const auto it = std::find(profile_recording_ids.begin(), profile_recording_ids.end(), id);
    if (id == 0 || it == profile_recording_ids.end()) return std::nullopt;
    const auto index = static_cast<std::size_t>(it - profile_recording_ids.begin());
    if (index >= profile_recording.size()) return std::nullopt;
    RecordingConfig config = std::move(profile_recording[index]);
    profile_recording.erase(profile_recording.begin() + static_cast<std::ptrdiff_t>(index));
    profile_recording_ids.erase(it);
    workspace.markChanged();
    return config;
}

void UiModel::notify(std::string text, bool error) {
    notice.text = std::move(text);
    notice.error = error;
    notice.until_us = nowUs() + 6'000'000;
}

void UiModel::setProblem(const std::string& key, std::string text, bool dismissible) {
    for (auto& p : problems)
        if (p.key == key) {
            p.text = std::move(text);
            p.dismissible = dismissible;
            return;
        }
    problems.push_back({key, std::move(text), dismissible});
}

void UiModel::clearProblem(const std::string& key) {
    problems.erase(std::remove_if(problems.begin(), problems.end(), [&](const Problem& p) { return p.key == key; }),
                   problems.end());
}

const Problem* UiModel::problem(const std::string& key) const {
    for (const auto& p : problems)
        if (p.key == key) return &p;
    return nullptr;
}

std::string UiModel::endpointName(EndpointId id) const {
    if (const WorkspaceEndpoint* e = workspace.find(id)) return e->config.name;
    return "#" + std::to_string(id);
}

const char* closeReasonText(CloseReason reason) {
    switch (reason) {
        case CloseReason::LocalGraceful: return tr(Str::ReasonLocalGraceful);
        case CloseReason::LocalAbort: return tr(Str::ReasonLocalAbort);
        case CloseReason::PeerClosed: return tr(Str::ReasonPeerClosed);
        case CloseReason::PeerReset: return tr(Str::ReasonPeerReset);
        case CloseReason::Error: return tr(Str::ReasonError);
        case CloseReason::Shutdown: return tr(Str::ReasonShutdown);
        case CloseReason::Rejected: return tr(Str::ReasonRejected);
    }
    return "?";
}

namespace {

const char* stateText(EndpointState state) {
    switch (state) {
        case EndpointState::Stopped: return tr(Str::StStopped);
        case EndpointState::Resolving: return tr(Str::StResolving);
        case EndpointState::Connecting: return tr(Str::StConnecting);
        case EndpointState::Listening: return tr(Str::StListening);
        case EndpointState::Bound: return tr(Str::StBound);
        case EndpointState::Connected: return tr(Str::StConnected);
        case EndpointState::WaitingRetry: return tr(Str::StFailed);
        case EndpointState::Failed: return tr(Str::StFailed);
    }
    return "?";
}

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    char buffer[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buffer, sizeof buffer, fmt, args);
    va_end(args);
    return buffer;
}

// --- log rows (issue 6 item 15) ------------------------------------------------------------------
/// Whether the newest log row is `kind` of `endpoint` (no connection) with exactly `text`.
bool lastRowIs(const PayloadLog& log, EndpointId endpoint, LogKind kind, std::string_view text) {
    if (log.empty()) return false;
    const LogRecord& r = log.record(log.size() - 1);
    if (r.endpoint != endpoint || r.connection != 0 || r.kind != kind) return false;
    const auto bytes = log.bytes(r);
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()) == text;
}

/// A connection entering FIN_WAIT_1/2 while open: this side sent FIN first (a half-close; a full
/// close by this side ends the connection without another state report).
bool finSentByUs(const EndpointTable& table, const Event& event) {
    const auto* changed = std::get_if<TcpStateChanged>(&event);
    if (!changed || (changed->info.state != TcpState::FinWait1 && changed->info.state != TcpState::FinWait2))
        return false;
    const ConnectionRow* row = table.connection(changed->endpoint, changed->connection);
    if (!row || !row->open) return false;
    if (!row->tcp) return true;
    const TcpState was = row->tcp->state;
    return was != TcpState::FinWait1 && was != TcpState::FinWait2 && was != TcpState::Closing &&
           was != TcpState::TimeWait;
}
// --- end log rows --------------------------------------------------------------------------------

}  // namespace

void UiModel::apply(const Event& event) {
    if (const auto* script = std::get_if<ScriptEvent>(&event)) {
        scripts.apply(*script);
        return;
    }
    const EndpointRow* before = nullptr;
    EndpointState previous = EndpointState::Stopped;
    if (const auto* st = std::get_if<EndpointStatus>(&event)) {
        before = table.endpoint(st->endpoint);
        if (before) previous = before->status.state;
    }
    const bool fin_sent_by_us = finSentByUs(table, event);   // before the table takes the new state
    table.apply(event);

    std::visit(
        [&](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            const TimestampUs now = nowUs();
            if constexpr (std::is_same_v<T, DataEvent>) {
                // One row per frame; the log keeps the engine's slice of the bytes (no copy).
                log.appendShared(e.time_us, e.endpoint, e.connection,
                                 e.direction == Direction::Rx ? LogKind::Rx : LogKind::Tx, e.payload, e.frames,
                                 e.peer, LogWireTags{e.local, e.stripped});
                if (trace) forEachMessage(e, [&](std::span<const std::uint8_t> message) {
                        std::printf("trace: %s ep=%u conn=%llu len=%zu hex=%s\n",
                                    e.direction == Direction::Rx ? "rx" : "tx", e.endpoint,
                                    static_cast<unsigned long long>(e.connection), message.size(),
                                    formatHex(message.first(std::min<std::size_t>(message.size(), 64)),
                                              HexStyle::CompactLower)
                                        .c_str());
                });
                glyphs.noteBytes(e.payload, settings.encoding);
            } else if constexpr (std::is_same_v<T, EndpointStatus>) {
                std::string text = e.state == EndpointState::WaitingRetry
                                       ? format(tr(Str::StRetryIn), e.retry_in_ms / 1000.0)
                                       : std::string(stateText(e.state));
                if (!e.local.empty()) text += " " + e.local;
                if (!e.remote.empty()) text += " -> " + e.remote;
                if (!e.resolved_from.empty()) text += " (" + e.resolved_from + ")";
                // The error of a failed attempt was just logged by its ErrorEvent: say it once.
                const bool error_shown = e.error && lastRowIs(log, e.endpoint, LogKind::Error,
                                                              e.error->code + " " + errorText(*e.error));
                if (e.error && !error_shown) text += ": " + e.error->code + " " + errorText(*e.error);
                if (!before || previous != e.state || e.error)
                    log.appendText(e.time_us != 0 ? e.time_us : now, e.endpoint, 0,
                                   e.error && !error_shown ? LogKind::Error : LogKind::Info, text);
                if (trace) std::printf("trace: status ep=%u %s %s\n", e.endpoint, toString(e.state), e.local.c_str());
            } else if constexpr (std::is_same_v<T, ConnectionOpened>) {
                log.appendText(e.time_us, e.endpoint, e.connection, LogKind::Info,
                               format(tr(Str::EvAccepted), static_cast<unsigned long long>(e.connection),
                                      e.peer.c_str()),
                               {}, lifecycleOf(event));
                if (trace)
                    std::printf("trace: opened ep=%u conn=%llu peer=%s local=%s\n", e.endpoint,
                                static_cast<unsigned long long>(e.connection), e.peer.c_str(), e.local.c_str());
            } else if constexpr (std::is_same_v<T, PeerHalfClosed>) {
                log.appendText(e.time_us, e.endpoint, e.connection, LogKind::Info,
                               format(tr(Str::EvPeerFin), static_cast<unsigned long long>(e.connection)), {},
                               lifecycleOf(event));
                if (trace)
                    std::printf("trace: peer_fin ep=%u conn=%llu\n", e.endpoint,
                                static_cast<unsigned long long>(e.connection));
            } else if constexpr (std::is_same_v<T, ConnectionClosed>) {
                std::string text = format(tr(Str::EvClosed), static_cast<unsigned long long>(e.connection),
                                          closeReasonText(e.reason));
                if (e.error) text += " " + e.error->code + " " + errorText(*e.error);
                log.appendText(e.time_us, e.endpoint, e.connection,
                               e.reason == CloseReason::Error ? LogKind::Error : LogKind::Info, text, {},
                               lifecycleOf(event));
                if (trace)
                    std::printf("trace: closed ep=%u conn=%llu reason=%s\n", e.endpoint,
                                static_cast<unsigned long long>(e.connection), toString(e.reason));
            } else if constexpr (std::is_same_v<T, TcpStateChanged>) {
                if (fin_sent_by_us)
                    log.appendText(e.time_us != 0 ? e.time_us : now, e.endpoint, e.connection, LogKind::Info,
                                   format(tr(Str::EvHalfClosedByUs), static_cast<unsigned long long>(e.connection)));
                if (trace)
                    std::printf("trace: tcp_state ep=%u conn=%llu state=%s\n", e.endpoint,
                                static_cast<unsigned long long>(e.connection), toString(e.info.state));
            } else if constexpr (std::is_same_v<T, ErrorEvent>) {
                log.appendText(e.time_us, e.endpoint, e.connection, LogKind::Error,
                               e.error.code + " " + errorText(e.error));
                if (trace)
                    std::printf("trace: error ep=%u conn=%llu %s %s\n", e.endpoint,
                                static_cast<unsigned long long>(e.connection), e.error.code.c_str(),
                                e.error.message.c_str());
            } else if constexpr (std::is_same_v<T, QueueOverflow>) {
                log.appendText(e.time_us != 0 ? e.time_us : now, 0, 0, LogKind::Error,
                               format(tr(Str::EvOverflow), static_cast<unsigned long long>(e.dropped_events)));
            } else if constexpr (std::is_same_v<T, RecordingStatus>) {
                recordings[e.recording] = e;   // File > Recording shows them
                if (recordings.size() > 256) recordings.erase(recordings.begin());   // bounded
                if (const auto text = describeEvent(event))
                    log.appendText(e.time_us != 0 ? e.time_us : now, 0, 0,
                                   e.state == RecordingState::Failed ? LogKind::Error : LogKind::Info, *text);
            }
        },
        event);
    if (trace) std::fflush(stdout);
}

std::size_t EventPump::pump(UiModel& model, const std::function<std::size_t(std::vector<Event>&)>& drain,
                            std::size_t max_events, std::int64_t budget_us) {
    if (m_next >= m_batch.size()) {
        m_batch.clear();
        m_next = 0;
        drain(m_batch);
    }
    const auto start = std::chrono::steady_clock::now();
    std::size_t applied = 0;
    while (m_next < m_batch.size() && applied < max_events) {
        model.apply(m_batch[m_next++]);
        ++applied;
        // Checking the clock every 256 events keeps the check itself cheap.
        if ((applied & 255) == 0 &&
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
                    .count() > budget_us)
            break;
    }
    if (m_next >= m_batch.size()) {
        m_batch.clear();
        m_next = 0;
    }
    return applied;
}

}  // namespace sockscope::ui
