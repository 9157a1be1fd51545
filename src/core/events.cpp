#include "core/events.hpp"

namespace sockscope {

const char* toString(CloseMode mode) {
    switch (mode) {
        case CloseMode::Graceful: return "graceful";
        case CloseMode::HalfClose: return "half-close";
        case CloseMode::Abort: return "abort";
        case CloseMode::ResetAfterQueued: return "reset-after-queued";
    }
    return "?";
}

const char* toString(EndpointState state) {
    switch (state) {
        case EndpointState::Stopped: return "stopped";
        case EndpointState::Resolving: return "resolving";
        case EndpointState::Connecting: return "connecting";
        case EndpointState::Listening: return "listening";
        case EndpointState::Bound: return "bound";
        case EndpointState::Connected: return "connected";
        case EndpointState::WaitingRetry: return "waiting_retry";
        case EndpointState::Failed: return "failed";
    }
    return "?";
}

const char* toString(CloseReason reason) {
    switch (reason) {
        case CloseReason::LocalGraceful: return "local_graceful";
        case CloseReason::LocalAbort: return "local_abort";
        case CloseReason::PeerClosed: return "peer_closed";
        case CloseReason::PeerReset: return "peer_reset";
        case CloseReason::Error: return "error";
        case CloseReason::Shutdown: return "shutdown";
        case CloseReason::Rejected: return "rejected";
    }
    return "?";
}

const char* toString(ScriptOutcome outcome) {
    switch (outcome) {
        case ScriptOutcome::Done: return "done";
        case ScriptOutcome::Passed: return "passed";
        case ScriptOutcome::Failed: return "failed";
        case ScriptOutcome::TimedOut: return "timeout";
        case ScriptOutcome::Error: return "error";
        case ScriptOutcome::Closed: return "closed";
    }
    return "?";
}

const char* toString(RecordingState state) {
    switch (state) {
        case RecordingState::Running: return "running";
        case RecordingState::Stopped: return "stopped";
        case RecordingState::Failed: return "failed";
    }
    return "?";
}

const char* toString(FileSendState state) {
    switch (state) {
        case FileSendState::Running: return "running";
        case FileSendState::Done: return "done";
        case FileSendState::Cancelled: return "cancelled";
        case FileSendState::Failed: return "failed";
    }
    return "?";
}

EndpointId endpointOf(const Event& event) {
    return std::visit(
        [](const auto& e) -> EndpointId {
            if constexpr (requires { e.endpoint; }) return e.endpoint;
            else return 0;
        },
        event);
}

TimestampUs timeOf(const Event& event) {
    return std::visit(
        [](const auto& e) -> TimestampUs {
            if constexpr (requires { e.time_us; }) return e.time_us;
            else return 0;
        },
        event);
}

std::size_t messageBytes(const DataEvent& event) {
    if (event.frames.empty()) return event.payload.size();
    std::size_t even = 0, odd = 0;   // two sums: a framed read brings hundreds of frames
    const std::size_t n = event.frames.size();
    for (std::size_t i = 0; i + 1 < n; i += 2) {
        even += event.frames[i].length;
        odd += event.frames[i + 1].length;
    }
    if (n % 2) even += event.frames[n - 1].length;
    return even + odd;
}

std::span<const std::uint8_t> joinedMessages(const DataEvent& event, Bytes& scratch) {
    if (event.frames.empty()) return event.payload.view();
    bool gaps = event.frames.front().offset != 0 ||
                std::size_t(event.frames.back().offset) + event.frames.back().length != event.payload.size();
    for (std::size_t i = 1; i < event.frames.size() && !gaps; ++i)
        gaps = event.frames[i].offset != event.frames[i - 1].offset + event.frames[i - 1].length;
    if (!gaps) return event.payload.view();
    scratch.clear();
    forEachMessage(event, [&](std::span<const std::uint8_t> m) { scratch.insert(scratch.end(), m.begin(), m.end()); });
    return scratch;
}

bool framesValid(const DataEvent& event) {
    std::size_t at = 0;
    for (const FrameSpan& frame : event.frames) {
        if (frame.offset < at || std::size_t(frame.offset) + frame.length > event.payload.size()) return false;
        at = std::size_t(frame.offset) + frame.length;
    }
    return true;
}

bool endsTheRun(const Event& event) {
    const auto* status = std::get_if<EndpointStatus>(&event);
    const auto* recording = std::get_if<RecordingStatus>(&event);
    return (status && status->state == EndpointState::Stopped && status->shutdown) ||
           (recording && recording->state == RecordingState::Stopped && recording->shutdown);
}

std::size_t approximateSize(const Event& event) {
    std::size_t size = sizeof(Event);
    if (const auto* data = std::get_if<DataEvent>(&event))
        size += data->payload.size() + data->peer.capacity() +
                data->frames.capacity() * sizeof(FrameSpan);
    else if (const auto* stats = std::get_if<StatsEvent>(&event))
        size += stats->connections.capacity() * sizeof(stats->connections[0]);
    else if (const auto* error = std::get_if<ErrorEvent>(&event))
        size += error->error.code.capacity() + error->error.message.capacity();
    else if (const auto* opened = std::get_if<ConnectionOpened>(&event))
        size += opened->peer.capacity() + opened->local.capacity();
    else if (const auto* closed = std::get_if<ConnectionClosed>(&event); closed && closed->error)
        size += closed->error->code.capacity() + closed->error->message.capacity();
    else if (const auto* rules = std::get_if<RuleStatus>(&event))
        size += rules->rules.capacity() * sizeof(RuleCount);
    else if (const auto* status = std::get_if<EndpointStatus>(&event))
        size += status->local.capacity() + status->remote.capacity() + status->resolved_from.capacity() +
                (status->error ? status->error->message.capacity() : 0);
    else if (const auto* script = std::get_if<ScriptEvent>(&event))
        size += script->expects.capacity() * sizeof(ScriptStepResult) +
                script->failures.size() * (sizeof(ScriptFailure) + 2 * kScriptFailureBytes) +
                script->stats.size() * (sizeof(ScriptStepStats) + kScriptHistogramBins * 4) +
                script->steps.size() * 64 + (script->failure ? 2 * kScriptFailureBytes : 0);
    return size;
}

}  // namespace sockscope
