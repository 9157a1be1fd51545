#include "ui/views/rate_plot.hpp"

#include <algorithm>
#include <vector>

#include "ui/format.hpp"
#include "ui/i18n.hpp"

namespace sockscope::ui {
namespace {

void polyline(ImDrawList* draw, const std::vector<float>& values, float peak, ImVec2 min, ImVec2 max, ImU32 color) {
    if (values.size() < 2 || peak <= 0) return;
    const float step = (max.x - min.x) / static_cast<float>(values.size() - 1);
    const float height = max.y - min.y - 2;
    ImVec2 points[600];   // seconds are at most a few hundred (the plot's width bounds them anyway)
    const int n = static_cast<int>(std::min<std::size_t>(values.size(), std::size(points)));
    for (int i = 0; i < n; ++i)
        points[i] = ImVec2(min.x + step * static_cast<float>(i), max.y - 1 - height * values[static_cast<std::size_t>(i)] / peak);
    draw->AddPolyline(points, n, color, ImDrawFlags_None, 1.0f);
}

}  // namespace

void drawRatePlot(const char* id, const RateHistory& rates, TimestampUs now_us, std::size_t seconds, ImVec2 size,
                  const Palette& pal) {
    // Reused buffers: this is drawn for every visible row, every frame.
    static std::vector<float> rx, tx;
    ImGui::InvisibleButton(id, size);
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(min, max, ImGui::GetColorU32(ImVec4(pal.dim.x, pal.dim.y, pal.dim.z, 0.12f)));
    if (!rates.active()) return;
    rates.series(RateSeries::RxBytes, now_us, seconds, rx);
    rates.series(RateSeries::TxBytes, now_us, seconds, tx);
    const float peak = std::max(*std::max_element(rx.begin(), rx.end()), *std::max_element(tx.begin(), tx.end()));
    polyline(draw, rx, peak, min, max, ImGui::GetColorU32(pal.rx));
    polyline(draw, tx, peak, min, max, ImGui::GetColorU32(pal.tx));
    if (!ImGui::IsItemHovered() || seconds < 2) return;
    const float at = (ImGui::GetIO().MousePos.x - min.x) / std::max(1.0f, max.x - min.x);
    const auto i = static_cast<std::size_t>(std::clamp(at, 0.0f, 1.0f) * static_cast<float>(seconds - 1) + 0.5f);
    std::vector<float> rx_msgs, tx_msgs;
    rates.series(RateSeries::RxMessages, now_us, seconds, rx_msgs);
    rates.series(RateSeries::TxMessages, now_us, seconds, tx_msgs);
    ImGui::BeginTooltip();
    ImGui::Text(tr(Str::RateAgo), static_cast<int>(seconds - i));
    ImGui::TextColored(pal.rx, tr(Str::RateLine), tr(Str::ColRx), formatBytes(rx[i]).c_str(), static_cast<double>(rx_msgs[i]));
    ImGui::TextColored(pal.tx, tr(Str::RateLine), tr(Str::ColTx), formatBytes(tx[i]).c_str(), static_cast<double>(tx_msgs[i]));
    ImGui::TextColored(pal.dim, tr(Str::RatePeak), formatBytes(peak).c_str(), static_cast<int>(seconds));
    ImGui::EndTooltip();
}

}  // namespace sockscope::ui
