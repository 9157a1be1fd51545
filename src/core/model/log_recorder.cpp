#include "core/model/log_recorder.hpp"

#include "core/model/event_text.hpp"

namespace sockscope {
namespace {

ConnectionId connectionOf(const Event& event) {
    return std::visit(
        [](const auto& e) -> ConnectionId {
            if constexpr (requires { e.connection; }) return e.connection;
            else return 0;
        },
        event);
}

}  // namespace

LogLifecycle lifecycleOf(const Event& event) {
    using What = LogLifecycle::What;
    if (std::holds_alternative<ConnectionOpened>(event)) return {What::Opened, 0};
    if (std::holds_alternative<PeerHalfClosed>(event)) return {What::PeerFin, 0};
    if (const auto* closed = std::get_if<ConnectionClosed>(&event))
        return {What::Closed, static_cast<std::uint8_t>(closed->reason)};
    return {};
}

std::optional<Event> lifecycleEvent(const LogRecord& row, std::string_view peer) {
    switch (row.lifecycle.what) {
        case LogLifecycle::What::Opened:
            return ConnectionOpened{row.endpoint, row.connection, std::string(peer), {}, row.time_us};
        case LogLifecycle::What::PeerFin:
            return PeerHalfClosed{row.endpoint, row.connection, row.time_us};
        case LogLifecycle::What::Closed:
            if (row.lifecycle.close_reason > static_cast<std::uint8_t>(CloseReason::Rejected)) return std::nullopt;
            return ConnectionClosed{row.endpoint, row.connection, static_cast<CloseReason>(row.lifecycle.close_reason),
                                    std::nullopt, row.time_us};
        case LogLifecycle::What::None: break;
    }
    return std::nullopt;
}

bool recordEvent(PayloadLog& log, const Event& event) {
    if (const auto* data = std::get_if<DataEvent>(&event)) {
        const LogKind kind = data->direction == Direction::Rx ? LogKind::Rx : LogKind::Tx;
        // One record per frame, written as one batch; the bytes stay where the engine read them.
        log.appendShared(data->time_us, data->endpoint, data->connection, kind, data->payload, data->frames,
                         data->peer, LogWireTags{data->local, data->stripped});
        return true;
    }
    const auto text = describeEvent(event);
    if (!text) return false;
    std::string_view peer;
    if (const auto* opened = std::get_if<ConnectionOpened>(&event)) peer = opened->peer;
    const TimestampUs time = timeOf(event);
    log.appendText(time != 0 ? time : nowUs(), endpointOf(event), connectionOf(event),
                   isErrorEvent(event) ? LogKind::Error : LogKind::Info, *text, peer, lifecycleOf(event));
    return true;
}

}  // namespace sockscope
