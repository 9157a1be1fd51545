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

bool recordEvent(PayloadLog& log, const Event& event) {
    if (const auto* data = std::get_if<DataEvent>(&event)) {
        const LogKind kind = data->direction == Direction::Rx ? LogKind::Rx : LogKind::Tx;
        // One record per frame, written as one batch; the bytes stay where the engine read them.
        log.appendShared(data->time_us, data->endpoint, data->connection, kind, data->payload, data->frame_ends,
                         data->peer);
        return true;
    }
    const auto text = describeEvent(event);
    if (!text) return false;
    std::string_view peer;
    if (const auto* opened = std::get_if<ConnectionOpened>(&event)) peer = opened->peer;
    const TimestampUs time = timeOf(event);
    log.appendText(time != 0 ? time : nowUs(), endpointOf(event), connectionOf(event),
                   isErrorEvent(event) ? LogKind::Error : LogKind::Info, *text, peer);
    return true;
}

}  // namespace sockscope
