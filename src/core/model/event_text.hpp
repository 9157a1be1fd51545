#pragma once
// One line of plain words for a lifecycle event ("accepted 127.0.0.1:5000", "peer sent FIN:
// half-closed (CLOSE_WAIT until this side closes)"). Used by the log's Info/Error rows and by
// the headless runner's text output, so both say the same thing.
#include <optional>
#include <string>

#include "core/events.hpp"

namespace sockscope {

/// Text for a non-data event; nullopt for events that are not worth a log row (stats, data).
std::optional<std::string> describeEvent(const Event& event);

/// True for events that describe a failure (shown as Error rows).
bool isErrorEvent(const Event& event);

}  // namespace sockscope
