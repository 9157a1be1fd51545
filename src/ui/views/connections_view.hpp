#pragma once
// Connections of the selected endpoint: peer, local, kernel TCP state (CLOSE_WAIT stands out,
// tooltip in plain words), RTT, retransmits, queues, bytes and rates each way, age; per-row
// Close (FIN) / Half-close / Reset (RST); close all. Clicking a row selects (targets) it.
#include "ui/ui_model.hpp"

namespace sockscope::ui {

class ConnectionsView {
public:
    void draw(UiModel& model, const CommandSink& submit);

private:
    void drawPortTable(UiModel& model, const EndpointRow& row);
};

}  // namespace sockscope::ui
