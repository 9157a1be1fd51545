#include "core/model/event_text.hpp"

#include "core/net/error_throttle.hpp"   // groupDigits, bytesText

namespace sockscope {
namespace {

std::string statusText(const EndpointStatus& s) {
    switch (s.state) {
        case EndpointState::Stopped: return "stopped";
        case EndpointState::Resolving: return s.remote.empty() ? "resolving" : "resolving " + s.remote;
        case EndpointState::Listening: return "listening on " + s.local;
        case EndpointState::Bound: return "bound to " + s.local;
        case EndpointState::Connecting: {
            std::string text = "connecting to " + s.remote;
            if (!s.resolved_from.empty()) text += " (" + s.resolved_from + " resolved to " + s.remote + ")";
            if (s.attempt > 1) text += ", attempt " + std::to_string(s.attempt);
            return text;
        }
        case EndpointState::Connected: return "connected to " + s.remote + " from " + s.local;
        case EndpointState::WaitingRetry:
            return "reconnecting in " + std::to_string(s.retry_in_ms) + " ms" +
                   (s.error ? " after: " + s.error->message : std::string());
        case EndpointState::Failed: return "failed: " + (s.error ? s.error->message : std::string("unknown error"));
    }
    return "?";
}

std::string recordingText(const RecordingStatus& r) {
    const std::string what = std::string(toString(r.format)) + " recording " + r.path;
    if (r.state == RecordingState::Failed)
        return what + " failed: " + (r.error ? r.error->message : std::string("unknown error")) +
               (r.files > 0 ? " (the files written so far are kept)" : " (no file was written)");
    if (r.state == RecordingState::Running)
        return what + " started (when the disk falls behind: " +
               (r.on_full == RecordOnFull::Drop ? "drop and count" : "pause TCP reads") + ")";
    return what + " stopped: " + std::to_string(r.bytes_written) + " bytes, " + std::to_string(r.records) +
           " events written" + (r.dropped ? ", " + std::to_string(r.dropped) + " dropped" : "");
}

std::string closedText(const ConnectionClosed& c) {
    // Our own closes may say why (CLOSE_WAIT timeout, linger_s expired, reset at shutdown).
    if (c.error && c.reason != CloseReason::Error && c.reason != CloseReason::PeerReset) {
        const std::string how = c.reason == CloseReason::LocalAbort ? "reset by this side (RST): "
                                : c.reason == CloseReason::PeerClosed ? "closed: both sides sent FIN; "
                                                                      : "closed by this side (FIN): ";
        return how + c.error->message;
    }
    switch (c.reason) {
        case CloseReason::LocalGraceful: return "closed by this side (FIN)";
        case CloseReason::LocalAbort: return "reset by this side (RST)";
        case CloseReason::PeerClosed: return "closed: both sides sent FIN";
        case CloseReason::PeerReset: return "reset by the peer (RST)";
        case CloseReason::Error: return "closed on error: " + (c.error ? c.error->message : std::string("?"));
        case CloseReason::Shutdown: return "closed: endpoint stopped";
        case CloseReason::Rejected: return "rejected: too many connections";
    }
    return "closed";
}

}  // namespace

std::optional<std::string> describeEvent(const Event& event) {
    const std::string run_end = endsTheRun(event) ? " (end of the run)" : "";
    if (const auto* s = std::get_if<EndpointStatus>(&event)) return statusText(*s) + run_end;
    if (const auto* o = std::get_if<ConnectionOpened>(&event)) return "open: peer " + o->peer + ", local " + o->local;
    if (std::get_if<PeerHalfClosed>(&event))
        return std::string("peer sent FIN: half-closed (CLOSE_WAIT until this side closes)");
    if (std::get_if<LocalHalfClosed>(&event))
        return std::string("sent FIN: half-closed by this side (the peer may still send)");
    if (const auto* c = std::get_if<ConnectionClosed>(&event)) return closedText(*c);
    if (const auto* e = std::get_if<ErrorEvent>(&event)) return e->error.code + ": " + e->error.message;
    if (const auto* q = std::get_if<QueueOverflow>(&event))
        return "display fell behind: dropped " + std::to_string(q->dropped_events) + " messages";
    if (const auto* t = std::get_if<TimerStatus>(&event))
        return "timer \"" + t->name + "\" " + (t->running ? "running" : "stopped") +
               (t->connection ? " (to connection #" + std::to_string(t->connection) + " only)" : "") + ": " +
               std::to_string(t->sent) +
               " sent" + (t->skipped ? ", " + std::to_string(t->skipped) + " ticks skipped (nowhere to send)" : "") +
               (t->failed ? ", " + std::to_string(t->failed) + " failed (the send was refused: see the errors)" : "");
    if (const auto* r = std::get_if<RecordingStatus>(&event); r && r->state_changed) return recordingText(*r) + run_end;
    if (const auto* rs = std::get_if<ReadingStatus>(&event))
        return rs->stopped ? std::string("reading stopped: the receive queue fills and the peer's sends block")
                           : std::string("reading resumed");
    if (const auto* f = std::get_if<FileSendStatus>(&event)) {
        std::string text = "file \"" + f->path + "\" " + toString(f->state) + ": " + groupDigits(f->sent) + " of " +
                           bytesText(f->total);
        if (f->rate_bps > 0) text += ", " + std::to_string(static_cast<std::uint64_t>(f->rate_bps)) + " B/s";
        if (f->waiting > 0) text += ", " + groupDigits(f->waiting) + " still in the send queue (the peer has not read them)";
        if (f->error) text += ": " + f->error->code + ": " + f->error->message;
        return text;
    }
    return std::nullopt;
}

bool isErrorEvent(const Event& event) {
    if (std::holds_alternative<ErrorEvent>(event)) return true;
    if (const auto* r = std::get_if<RecordingStatus>(&event)) return r->state == RecordingState::Failed;
    if (const auto* f = std::get_if<FileSendStatus>(&event)) return f->state == FileSendState::Failed;
    if (const auto* s = std::get_if<EndpointStatus>(&event))
        return s->state == EndpointState::Failed || (s->state == EndpointState::WaitingRetry && s->error);
    if (const auto* c = std::get_if<ConnectionClosed>(&event))
        return c->reason == CloseReason::Error || c->reason == CloseReason::PeerReset;
    return false;
}

}  // namespace sockscope
