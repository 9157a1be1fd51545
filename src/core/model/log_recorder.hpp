#pragma once
// Feeds engine events into the payload log: data as Rx/Tx records, lifecycle events as
// Info/Error rows (text from describeEvent). Shared by the GUI and the headless runner.
#include <optional>
#include <string_view>

#include "core/events.hpp"
#include "core/model/payload_log.hpp"

namespace sockscope {

/// The lifecycle tag of an event's row (Opened / PeerFin / Closed with its reason; None otherwise).
LogLifecycle lifecycleOf(const Event& event);
/// The event a tagged row stands for (ConnectionOpened / PeerHalfClosed / ConnectionClosed), for
/// exports that draw events as packets; nullopt for untagged rows.
std::optional<Event> lifecycleEvent(const LogRecord& row, std::string_view peer);

/// Records one event; returns true when it produced a log row.
bool recordEvent(PayloadLog& log, const Event& event);

}  // namespace sockscope
