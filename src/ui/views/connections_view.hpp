#pragma once
// Connections of the selected endpoint: peer, local, kernel TCP state (CLOSE_WAIT stands out,
// tooltip in plain words), RTT, retransmits, queues, bytes and rates each way, a plot of the last
// minute, age; per-row Close (FIN) / Half-close / Reset (RST); close all. Clicking a row selects
// (targets) it. Open connections come first, then closed ones, each in arrival order, so that a
// new one (a CLOSE_WAIT!) is never pushed below the fold by rows that ended. Above: the
// endpoint's totals with a five-minute rate plot and Reset counters.
#include <cstdint>
#include <vector>

#include "ui/ui_model.hpp"
#include "ui/view.hpp"

namespace sockscope::ui {

class ConnectionsView : public View {
public:
    void draw(ViewContext& ctx) override { draw(ctx.model, ctx.submit); }
    void draw(UiModel& model, const CommandSink& submit);

private:
    void drawPortTable(UiModel& model, const EndpointRow& row);
    static void drawTraffic(UiModel& model, const EndpointRow& row, TimestampUs now);
    /// Row positions in display order: open first, then closed (empty: arrival order as it is).
    void orderRows(const ConnectionList& connections);

    std::vector<std::uint32_t> m_order;
};

}  // namespace sockscope::ui
