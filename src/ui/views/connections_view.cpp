#include "ui/views/connections_view.hpp"

#include "ui/views/rate_plot.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/views/workspace_view.hpp"

namespace sockscope::ui {
namespace {

// The kernel's state names are kept as is in every language; "no state read yet" is words.
const char* stateText(TcpState state) {
    return state == TcpState::Unknown ? tr(Str::TcpStateUnknown) : toString(state);
}

/// Sockscope's own send queue of a connection, after the kernel's queues: what the peer has not
/// taken yet beyond what the kernel holds (it grows while the peer does not read).
void drawOwnQueue(UiModel& model, const ConnectionRow& c, const Palette& pal) {
    const std::string queued = formatBytes(static_cast<double>(c.counters.queued_bytes));
    if (c.tcp) ImGui::SameLine();
    ImGui::TextColored(pal.warn, tr(Str::OwnQueue), queued.c_str());
    probeItem(model, "conn.queued." + std::to_string(c.id));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr(Str::TipOwnQueue), queued.c_str());
}

}  // namespace

void ConnectionsView::drawTraffic(UiModel& model, const EndpointRow& row, TimestampUs now) {
    const Palette& pal = palette(model.settings.theme);
    const TrafficCounters t = sinceReset(row.totals, row.baseline);
    char totals[256];
    std::snprintf(totals, sizeof totals, tr(Str::UdpTotals), tr(Str::ColRx), formatBytes(static_cast<double>(t.rx_bytes)).c_str(),
                  formatCount(t.rx_messages).c_str(), tr(Str::ColTx), formatBytes(static_cast<double>(t.tx_bytes)).c_str(),
                  formatCount(t.tx_messages).c_str());
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(totals);
    const float em = ImGui::GetFontSize();
    sameLineIfFits(em * 14);
    drawRatePlot("##endpoint_rate", row.rates, now, 300, ImVec2(em * 14, ImGui::GetFrameHeight()), pal);
    probeItem(model, "conn.rate_plot");
    sameLineIfFits(buttonWidth(tr(Str::ResetCounters)));
    if (ImGui::SmallButton(tr(Str::ResetCounters))) model.table.resetCounters(row.id);
    probeItem(model, "conn.reset_counters");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipResetCounters));
}

void ConnectionsView::orderRows(const ConnectionList& connections) {
    m_order.clear();
    if (connections.openCount() == 0 || connections.closedCount() == 0) return;   // one kind: as it is
    m_order.reserve(connections.size());
    for (std::size_t i = 0; i < connections.size(); ++i)
        if (connections[i].open) m_order.push_back(static_cast<std::uint32_t>(i));
    for (std::size_t i = 0; i < connections.size(); ++i)
        if (!connections[i].open) m_order.push_back(static_cast<std::uint32_t>(i));
}

void ConnectionsView::drawPortTable(UiModel& model, const EndpointRow& row) {
    if (!row.port_counts || !row.port) return;
    const Palette& pal = palette(model.settings.theme);
    ImGui::SameLine();
    ImGui::TextColored(pal.dim, tr(Str::PortSockets), static_cast<unsigned>(*row.port));
    for (std::size_t i = 0; i < kTcpStateCount; ++i) {
        const std::uint32_t n = row.port_counts->by_state[i];
        if (n == 0) continue;
        const auto state = static_cast<TcpState>(i);
        ImGui::SameLine();
        ImGui::TextColored(colorOf(pal, state), "%s %u", stateText(state), n);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", explain(state));
    }
}

void ConnectionsView::draw(UiModel& model, const CommandSink& submit) {
    const Palette& pal = palette(model.settings.theme);
    const EndpointId id = model.selection.endpoint;
    const WorkspaceEndpoint* endpoint = model.workspace.find(id);
    if (!endpoint) {
        ImGui::TextColored(pal.dim, "%s", tr(Str::NoSelection));
        return;
    }
    const EndpointRow* row = model.table.endpoint(id);
    const TimestampUs now = nowUs();

    // Header: name, state, addresses, totals, port table.
    ImGui::TextUnformatted(endpoint->config.name.c_str());
    ImGui::SameLine();
    const EndpointState state = row ? row->status.state : EndpointState::Stopped;
    ImGui::TextColored(colorOf(pal, state), "%s", stateBadge(row, now).c_str());
    if (row && !row->status.local.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(pal.dim, "%s", row->status.local.c_str());
    }
    if (row && !row->status.remote.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(pal.dim, "-> %s", row->status.remote.c_str());
        if (!row->status.resolved_from.empty()) {
            ImGui::SameLine();
            ImGui::TextColored(pal.dim, "(%s)", row->status.resolved_from.c_str());
        }
    }
    if (row && row->last_error && (state == EndpointState::Failed || state == EndpointState::WaitingRetry)) {
        ImGui::SameLine();
        ImGui::TextColored(pal.bad, "%s: %s", row->last_error->code.c_str(), errorText(*row->last_error).c_str());
    }
    if (row) drawPortTable(model, *row);

    if (row) drawTraffic(model, *row, now);
    if (endpoint->config.type == EndpointType::Udp) {
        if (row) {
            if (row->dropped_messages || row->kernel_drops)
                ImGui::TextColored(pal.warn, tr(Str::UdpDropped),
                                   static_cast<unsigned long long>(row->dropped_messages),
                                   static_cast<unsigned long long>(row->kernel_drops));
        }
        return;
    }

    const std::size_t open_count = row ? row->connections.openCount() : 0;
    ImGui::BeginDisabled(open_count == 0);
    if (ImGui::SmallButton(tr(Str::CloseAll))) submit(CloseAllConnections{id, CloseMode::Graceful});
    probeItem(model, "conn.close_all");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipCloseFin));
    ImGui::SameLine();
    if (ImGui::SmallButton(tr(Str::ResetAll))) submit(CloseAllConnections{id, CloseMode::Abort});
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipResetRst));
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!row || row->connections.closedCount() == 0);
    if (ImGui::SmallButton(tr(Str::ClearClosed))) model.table.clearClosed(id);
    ImGui::EndDisabled();
    if (row && row->rejected_total) {
        ImGui::SameLine();
        ImGui::TextColored(pal.warn, "rejected %llu", static_cast<unsigned long long>(row->rejected_total));
    }

    if (!row || row->connections.empty()) {
        ImGui::TextColored(pal.dim, "%s", tr(Str::NoConnections));
        return;
    }

    // Fixed widths sized for their widest usual content, so numbers that grow do not clip.
    const float em = ImGui::GetFontSize();
    // SendQ/RecvQ holds the kernel's two queues and Sockscope's own ("+15.0 MiB") when it has one.
    const float queues_w = ImGui::CalcTextSize("4194304 / 0 +1023.9 MiB").x + ImGui::GetStyle().ItemSpacing.x;
    const float fixed[] = {em * 7.5f, em * 4, em * 2.5f, queues_w, em * 7.5f, em * 7.5f, em * 6, em * 4};
    // The three buttons, measured (their labels differ by language).
    const ImGuiStyle& style = ImGui::GetStyle();
    char closing[96];   // or, while a close waits for the send queue, that and Reset
    std::snprintf(closing, sizeof closing, tr(Str::ClosingQueued), "1023.9 MiB");
    const float actions_w = std::max(
        ImGui::CalcTextSize(tr(Str::CloseFin)).x + ImGui::CalcTextSize(tr(Str::HalfClose)).x +
            ImGui::CalcTextSize(tr(Str::ResetRst)).x + style.FramePadding.x * 6 + style.ItemSpacing.x * 2 + 2,
        ImGui::CalcTextSize(closing).x + ImGui::CalcTextSize(tr(Str::ResetRst)).x + style.FramePadding.x * 2 +
            style.ItemSpacing.x + 2);
    // Peer and Local share what is left, but never less than an IPv4 address with its port: at a
    // large font scale the table scrolls sideways instead of squeezing them to nothing.
    const float peer_min = ImGui::CalcTextSize("#0000 255.255.255.255:65535").x;
    const float local_min = ImGui::CalcTextSize("255.255.255.255:65535").x;
    float needed = peer_min + local_min + actions_w + style.CellPadding.x * 2 * 11;
    for (const float w : fixed) needed += w;
    const float inner_width = std::max(ImGui::GetContentRegionAvail().x, needed);

    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##connections", 11, flags, ImVec2(0, 0), inner_width)) return;
    // The peer column stays when the table scrolls sideways (a large font): each row stays named.
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn(tr(Str::ColPeer), ImGuiTableColumnFlags_WidthStretch, 1.3f);
    ImGui::TableSetupColumn(tr(Str::ColLocal), ImGuiTableColumnFlags_WidthStretch, 1.0f);
    const Str fixed_columns[] = {Str::ColState, Str::ColRtt, Str::ColRetrans, Str::ColQueues,
                                 Str::ColRx,    Str::ColTx,  Str::ColActivity, Str::ColAge};
    for (std::size_t i = 0; i < std::size(fixed); ++i)
        ImGui::TableSetupColumn(tr(fixed_columns[i]), ImGuiTableColumnFlags_WidthFixed, fixed[i]);
    ImGui::TableSetupColumn(tr(Str::ColActions), ImGuiTableColumnFlags_WidthFixed, actions_w);
    ImGui::TableHeadersRow();

    orderRows(row->connections);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(row->connections.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const auto at = static_cast<std::size_t>(i);
            const ConnectionRow& c = row->connections[m_order.empty() ? at : m_order[at]];
            ImGui::PushID(static_cast<int>(c.id));
            ImGui::TableNextRow();
            const TcpState tcp = c.tcp ? c.tcp->state : (c.open ? TcpState::Unknown : TcpState::Close);
            // Our FIN already went (FIN_WAIT_*, CLOSING, LAST_ACK): nothing left to half-close.
            const bool fin_sent = tcp == TcpState::FinWait1 || tcp == TcpState::FinWait2 ||
                                  tcp == TcpState::Closing || tcp == TcpState::LastAck;
            if (c.open && tcp == TcpState::CloseWait)
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ImGui::GetColorU32(pal.close_wait_bg));

            ImGui::TableNextColumn();
            const bool selected = model.selection.connection == c.id;
            char label[160];
            std::snprintf(label, sizeof label, "#%llu %s", static_cast<unsigned long long>(c.id), c.peer.c_str());
            if (!c.open) ImGui::PushStyleColor(ImGuiCol_Text, pal.dim);
            if (ImGui::Selectable(label, selected, ImGuiSelectableFlags_SpanAllColumns |
                                                       ImGuiSelectableFlags_AllowItemOverlap))
                model.selection.connection = selected ? 0 : c.id;
            if (!c.open) ImGui::PopStyleColor();
            probeItem(model, "conn.row." + std::to_string(c.id));
            if (c.open && ImGui::BeginPopupContextItem("##conn_menu")) {   // the row's menu (right click)
                if (ImGui::MenuItem(tr(c.reading_stopped ? Str::ResumeReading : Str::StopReading)))
                    submit(StopReading{id, c.id, !c.reading_stopped});
                probeItem(model, "conn.menu.reading");
                // The row's buttons too: at a large font they are past the right edge.
                ImGui::Separator();
                if (ImGui::MenuItem(tr(Str::CloseFin), nullptr, false, !c.counters.close_pending))
                    submit(CloseConnection{id, c.id, CloseMode::Graceful});
                if (ImGui::MenuItem(tr(Str::HalfClose), nullptr, false, !fin_sent && !c.counters.close_pending))
                    submit(CloseConnection{id, c.id, CloseMode::HalfClose});
                if (ImGui::MenuItem(tr(Str::ResetRst))) submit(CloseConnection{id, c.id, CloseMode::Abort});
                probeItem(model, "conn.menu.reset");
                ImGui::EndPopup();
            }
            if (c.open && c.reading_stopped) {   // a slow reader on purpose: the Recv-Q grows
                ImGui::SameLine();
                ImGui::TextColored(pal.warn, "[%s]", tr(Str::NotReading));
                probeItem(model, "conn.not_reading." + std::to_string(c.id));
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipNotReading));
            }

            ImGui::TableNextColumn();
            ImGui::TextColored(pal.dim, "%s", c.local.c_str());

            ImGui::TableNextColumn();
            if (c.open) {
                ImGui::TextColored(colorOf(pal, tcp), "%s", stateText(tcp));
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", explain(tcp));
                if (c.peer_half_closed && tcp != TcpState::CloseWait) {
                    ImGui::SameLine();
                    ImGui::TextColored(pal.warn, "(%s)", tr(Str::PeerFin));
                }
            } else {
                const char* reason = c.close_reason ? closeReasonText(*c.close_reason) : "";
                ImGui::TextColored(pal.dim, "%s %s", tr(Str::Closed), reason);
                if (c.close_error && ImGui::IsItemHovered())
                    ImGui::SetTooltip("%s %s", c.close_error->code.c_str(), errorText(*c.close_error).c_str());
            }

            ImGui::TableNextColumn();
            if (c.tcp && c.open) ImGui::Text("%.2f ms", c.tcp->rtt_us / 1000.0);
            ImGui::TableNextColumn();
            if (c.tcp && c.open) {
                if (c.tcp->retransmits) ImGui::TextColored(pal.warn, "%u", c.tcp->retransmits);
                else ImGui::Text("0");
            }
            ImGui::TableNextColumn();
            if (c.tcp && c.open) {
                ImGui::Text("%u / %u", c.tcp->send_queue, c.tcp->recv_queue);
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipQueues));
            }
            if (c.open && c.counters.queued_bytes > 0) drawOwnQueue(model, c, pal);

            const TrafficCounters counts = sinceReset(c.counters, c.baseline);
            ImGui::TableNextColumn();
            ImGui::TextColored(pal.rx, "%s", formatBytes(static_cast<double>(counts.rx_bytes)).c_str());
            if (c.counters.rx_bytes_per_s > 0) {
                ImGui::SameLine();
                ImGui::TextColored(pal.dim, "%s/s", formatBytes(c.counters.rx_bytes_per_s).c_str());
            }
            ImGui::TableNextColumn();
            ImGui::TextColored(pal.tx, "%s", formatBytes(static_cast<double>(counts.tx_bytes)).c_str());
            if (c.counters.tx_bytes_per_s > 0) {
                ImGui::SameLine();
                ImGui::TextColored(pal.dim, "%s/s", formatBytes(c.counters.tx_bytes_per_s).c_str());
            }
            ImGui::TableNextColumn();
            drawRatePlot("##rate", c.rates, now, 60, ImVec2(-FLT_MIN, ImGui::GetTextLineHeight()), pal);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(formatDuration((c.open ? now : c.closed_us) - c.opened_us).c_str());

            ImGui::TableNextColumn();
            // One button of the row: the close it asks for, its probe name and its tooltip.
            const auto closeButton = [&](Str text, CloseMode mode, const char* probe, Str tip) {
                if (ImGui::SmallButton(tr(text))) submit(CloseConnection{id, c.id, mode});
                probeItem(model, std::string("conn.") + probe + "." + std::to_string(c.id));
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(tip));
            };
            if (c.open && c.counters.close_pending) {   // closing: say what it waits for; Reset ends it now
                const std::string queued = formatBytes(static_cast<double>(c.counters.queued_bytes));
                ImGui::AlignTextToFramePadding();
                ImGui::TextColored(pal.warn, tr(Str::ClosingQueued), queued.c_str());
                probeItem(model, "conn.closing." + std::to_string(c.id));
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipClosingQueued));
                ImGui::SameLine();
                closeButton(Str::ResetRst, CloseMode::Abort, "reset", Str::TipResetRst);
            } else if (c.open) {
                closeButton(Str::CloseFin, CloseMode::Graceful, "close", Str::TipCloseFin);
                ImGui::SameLine();
                ImGui::BeginDisabled(fin_sent);
                closeButton(Str::HalfClose, CloseMode::HalfClose, "half", Str::TipHalfClose);
                ImGui::EndDisabled();
                ImGui::SameLine();
                closeButton(Str::ResetRst, CloseMode::Abort, "reset", Str::TipResetRst);
            }
            ImGui::PopID();
        }
    }
    ImGui::EndTable();
}

}  // namespace sockscope::ui
