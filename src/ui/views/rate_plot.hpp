#pragma once
// A small plot of received and sent bytes/s over the last seconds (one history of the endpoint
// table), in the Rx and Tx colours, scaled to its own peak: what users would rather glance at than
// read. Hovering shows the second under the mouse in numbers (bytes/s and messages/s each way).
#include <imgui.h>

#include <cstddef>

#include "core/model/rate_history.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {

void drawRatePlot(const char* id, const RateHistory& rates, TimestampUs now_us, std::size_t seconds, ImVec2 size,
                  const Palette& pal);

}  // namespace sockscope::ui
