#include "ui/views/status_bar.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/codec/utf8.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {
namespace {

/// `text` in what is left of the line: cut at a character with "..." when it is longer (large
/// fonts, narrow windows, a long error), the whole text in a tooltip then.
void fittedText(const ImVec4& color, const std::string& text) {
    const float room = ImGui::GetContentRegionAvail().x;
    if (ImGui::CalcTextSize(text.c_str()).x <= room) {
        ImGui::TextColored(color, "%s", text.c_str());
        return;
    }
    // The most characters that fit with the dots (binary search: a text may be long).
    std::size_t low = 0, high = text.size();
    while (low < high) {
        const std::size_t mid = (low + high + 1) / 2;
        const std::string candidate = std::string(utf8::prefix(text, mid)) + "...";
        if (ImGui::CalcTextSize(candidate.c_str()).x <= room) low = mid;
        else high = mid - 1;
    }
    const std::string shown = std::string(utf8::prefix(text, low)) + "...";
    ImGui::TextColored(color, "%s", shown.c_str());
    if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
        ImGui::TextUnformatted(text.c_str());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

}  // namespace

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
    // The totals and the log's size give way (in that order) to what must be read: unsaved work
    // and the notice (up to 25 em of it) keep their room on a narrow line or at a large font.
    const float em = ImGui::GetFontSize();
    const float sep_w = ImGui::CalcTextSize("|").x + ImGui::GetStyle().ItemSpacing.x * 2;
    const bool noticed = !model.notice.text.empty() && model.notice.until_us > nowUs();
    float keep = 0.0f;
    if (model.workspace.dirty) keep += sep_w + ImGui::CalcTextSize(tr(Str::StatusUnsaved)).x;
    if (noticed) keep += sep_w + std::min(ImGui::CalcTextSize(model.notice.text.c_str()).x, 25 * em);
    char totals[128], log[128], count[64];
    std::snprintf(totals, sizeof totals, tr(Str::StatusTotals), formatBytes(static_cast<double>(t.rx_bytes)).c_str(),
                  formatBytes(static_cast<double>(t.tx_bytes)).c_str());
    std::snprintf(log, sizeof log, tr(Str::StatusLog), formatBytes(static_cast<double>(model.log.memoryUsed())).c_str(),
                  formatBytes(static_cast<double>(model.log.limits().max_bytes)).c_str());
    std::snprintf(count, sizeof count, "(%s)", formatCount(model.log.size()).c_str());
    const float log_w = sep_w + ImGui::CalcTextSize(log).x + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(count).x;
    ImGui::SameLine();   // what is left of this line, after the rates (sep() stays on it too)
    const float room = ImGui::GetContentRegionAvail().x;
    const bool show_log = room >= log_w + keep;
    if (room >= sep_w + ImGui::CalcTextSize(totals).x + (show_log ? log_w : 0.0f) + keep) {
        sep();
        ImGui::TextUnformatted(totals);
    }
    if (show_log) {
        sep();
        ImGui::TextUnformatted(log);
        ImGui::SameLine();
        ImGui::TextColored(pal.dim, "%s", count);
    }
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
    // What matters most first: unsaved work and the notice (an error) before the frame time, and
    // the notice cut to the line rather than lost past the window's edge.
    if (model.workspace.dirty) {
        sep();
        ImGui::TextColored(pal.warn, "%s", tr(Str::StatusUnsaved));
    }
    if (noticed) {
        sep();
        fittedText(model.notice.error ? pal.bad : pal.good, model.notice.text);
    }
    char frame[64];
    std::snprintf(frame, sizeof frame, tr(Str::StatusFrame), model.frame_ms);
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x >= sep_w + ImGui::CalcTextSize(frame).x) {
        ImGui::TextColored(pal.dim, "|");
        ImGui::SameLine();
        ImGui::TextColored(pal.dim, "%s", frame);
    }
}

}  // namespace sockscope::ui
