#pragma once
// Feeds engine events into the payload log: data as Rx/Tx records, lifecycle events as
// Info/Error rows (text from describeEvent). Shared by the GUI and the headless runner.
#include "core/events.hpp"
#include "core/model/payload_log.hpp"

namespace sockscope {

/// Records one event; returns true when it produced a log row.
bool recordEvent(PayloadLog& log, const Event& event);

}  // namespace sockscope
