#include "ui/views/status_bar.hpp"

#include <imgui.h>

#include <algorithm>
#include <vector>

#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {

void StatusBar::draw(const UiModel& model) {
    const Palette& pal = palette(model.settings.theme);
    const TrafficCounters t = model.table.totals();
    auto sep = [&] {
        ImGui::SameLine();
        ImGui::TextColored(pal.dim, "|");
        ImGui::SameLine();
    };
    ImGui::Text(tr(Str::StatusConns), model.table.openConnections());
    sep();
    ImGui::TextColored(pal.rx, "%s %s/s", tr(Str::ColRx), formatBytes(t.rx_bytes_per_s).c_str());
    ImGui::SameLine();
    ImGui::TextColored(pal.tx, "%s %s/s", tr(Str::ColTx), formatBytes(t.tx_bytes_per_s).c_str());
    sep();
    ImGui::Text(tr(Str::StatusTotals), formatBytes(static_cast<double>(t.rx_bytes)).c_str(),
                formatBytes(static_cast<double>(t.tx_bytes)).c_str());
    sep();
    ImGui::Text(tr(Str::StatusLog), formatBytes(static_cast<double>(model.log.memoryUsed())).c_str(),
                formatBytes(static_cast<double>(model.log.limits().max_bytes)).c_str());
    ImGui::SameLine();
    ImGui::TextColored(pal.dim, "(%s)", formatCount(model.log.size()).c_str());
    if (model.log.evictedRecords() > 0) {
        ImGui::SameLine();
        ImGui::TextColored(pal.warn, tr(Str::Evicted), formatCount(model.log.evictedRecords()).c_str());
        if (ImGui::IsItemHovered()) {
            // Whose history went: one endpoint's flood must not silently push out the others'.
            ImGui::BeginTooltip();
            ImGui::TextUnformatted(tr(Str::TipEvicted));
            ImGui::TextUnformatted(tr(Str::TipEvictedBy));
            std::vector<std::pair<EndpointId, EvictedCounts>> by(model.log.evictedByEndpoint().begin(),
                                                                 model.log.evictedByEndpoint().end());
            std::sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.second.records > b.second.records; });
            for (std::size_t k = 0; k < by.size() && k < 20; ++k) {
                const std::string name = by[k].first ? model.endpointName(by[k].first) : std::string("-");
                ImGui::Text(tr(Str::EvictedRowsBytes), name.c_str(), formatCount(by[k].second.records).c_str(),
                            formatBytes(static_cast<double>(by[k].second.bytes)).c_str());
            }
            ImGui::EndTooltip();
        }
    }
    if (model.table.queueDroppedEvents() > 0) {
        sep();
        ImGui::TextColored(pal.warn, tr(Str::StatusDropped),
                           static_cast<unsigned long long>(model.table.queueDroppedEvents()));
    }
    sep();
    ImGui::TextColored(pal.dim, tr(Str::StatusFrame), model.frame_ms);
    if (model.workspace.dirty) {
        sep();
        ImGui::TextColored(pal.warn, "%s", tr(Str::StatusUnsaved));
    }
    if (!model.notice.text.empty() && model.notice.until_us > nowUs()) {
        sep();
        ImGui::TextColored(model.notice.error ? pal.bad : pal.good, "%s", model.notice.text.c_str());
    }
}

}  // namespace sockscope::ui
