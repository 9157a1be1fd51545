#include "ui/views/workspace_view.hpp"

#include "ui/views/rate_plot.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {

const char* typeName(EndpointType type) {
    switch (type) {
        case EndpointType::TcpServer: return tr(Str::TypeTcpServer);
        case EndpointType::TcpClient: return tr(Str::TypeTcpClient);
        case EndpointType::Udp: return tr(Str::TypeUdp);
    }
    return "?";
}

std::string stateBadge(const EndpointRow* row, TimestampUs now_us) {
    if (!row) return tr(Str::StStopped);
    switch (row->status.state) {
        case EndpointState::Stopped: return tr(Str::StStopped);
        case EndpointState::Resolving: return tr(Str::StResolving);
        case EndpointState::Connecting: return tr(Str::StConnecting);
        case EndpointState::Listening: return tr(Str::StListening);
        case EndpointState::Bound: return tr(Str::StBound);
        case EndpointState::Connected: return tr(Str::StConnected);
        case EndpointState::WaitingRetry: {
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, tr(Str::StRetryIn),
                          EndpointTable::retryRemainingMs(*row, now_us) / 1000.0);
            return buffer;
        }
        case EndpointState::Failed: return tr(Str::StFailed);
    }
    return "?";
}

void WorkspaceView::start(UiModel& model, const CommandSink& submit, EndpointId id) {
    (void)model;
    submit(StartEndpoint{id});
}

void WorkspaceView::stop(UiModel& model, const CommandSink& submit, EndpointId id) {
    (void)model;
    submit(StopEndpoint{id, CloseMode::Graceful});
}

void WorkspaceView::remove(UiModel& model, const CommandSink& submit, EndpointId id) {
    submit(RemoveEndpoint{id});
    model.workspace.remove(id);
    model.table.remove(id);
    if (model.selection.endpoint == id) model.selection = Selection{};
}

void WorkspaceView::duplicate(UiModel& model, const CommandSink& submit, EndpointId id) {
    const EndpointId copy = model.workspace.duplicate(id);
    if (copy == 0) return;
    submit(AddEndpoint{copy, model.workspace.find(copy)->config});
    model.table.ensure(copy);
    model.selection = Selection{copy, 0};
}

void WorkspaceView::drawToolbar(UiModel& model, const CommandSink& submit) {
    if (ImGui::Button(tr(Str::NewEndpoint))) ImGui::OpenPopup("##new");
    if (ImGui::BeginPopup("##new")) {
        if (ImGui::MenuItem(tr(Str::NewTcpServer))) m_editor.openNew(EndpointType::TcpServer, model.workspace);
        if (ImGui::MenuItem(tr(Str::NewTcpClient))) m_editor.openNew(EndpointType::TcpClient, model.workspace);
        if (ImGui::MenuItem(tr(Str::NewUdp))) m_editor.openNew(EndpointType::Udp, model.workspace);
        ImGui::EndPopup();
    }
    const EndpointId id = model.selection.endpoint;
    const WorkspaceEndpoint* selected = model.workspace.find(id);
    const EndpointRow* row = model.table.endpoint(id);
    const bool running = row && row->status.state != EndpointState::Stopped &&
                         row->status.state != EndpointState::Failed;
    sameLineIfFits(buttonWidth(running ? tr(Str::Stop) : tr(Str::Start)));
    ImGui::BeginDisabled(!selected);
    if (running) {
        if (ImGui::Button(tr(Str::Stop))) stop(model, submit, id);
    } else if (ImGui::Button(tr(Str::Start))) {
        start(model, submit, id);
    }
    sameLineIfFits(buttonWidth(tr(Str::Edit)));
    if (ImGui::Button(tr(Str::Edit)) && selected) m_editor.openEdit(*selected, model.workspace);
    sameLineIfFits(buttonWidth(tr(Str::Duplicate)));
    if (ImGui::Button(tr(Str::Duplicate))) duplicate(model, submit, id);
    sameLineIfFits(buttonWidth(tr(Str::Delete)));
    if (ImGui::Button(tr(Str::Delete))) m_confirmDelete = id;
    probeItem(model, "tree.delete");
    ImGui::EndDisabled();
}

void WorkspaceView::drawDeleteConfirm(UiModel& model, const CommandSink& submit) {
    if (m_confirmDelete != 0 && !ImGui::IsPopupOpen("###confirm_delete")) ImGui::OpenPopup("###confirm_delete");
    const std::string title = std::string(tr(Str::DeleteTitle)) + "###confirm_delete";
    ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (!ImGui::BeginPopupModal(title.c_str(), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    const WorkspaceEndpoint* endpoint = model.workspace.find(m_confirmDelete);
    if (endpoint) {
        char text[400];
        std::snprintf(text, sizeof text, tr(Str::DeleteText), endpoint->config.name.c_str());
        ImGui::TextUnformatted(text);
    }
    const float w = ImGui::GetFontSize() * 6;
    if (ImGui::Button(tr(Str::Delete), ImVec2(w, 0)) && endpoint) {
        remove(model, submit, m_confirmDelete);
        endpoint = nullptr;
    }
    probeItem(model, "confirm_delete.delete");
    ImGui::SameLine();
    const bool cancel = ImGui::Button(tr(Str::Cancel), ImVec2(w, 0)) ||
                        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false);
    probeItem(model, "confirm_delete.cancel");
    if (cancel || !endpoint) {
        m_confirmDelete = 0;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void WorkspaceView::contextMenu(UiModel& model, const CommandSink& submit, EndpointId id) {
    if (!ImGui::BeginPopupContextItem("##ctx")) return;
    const WorkspaceEndpoint* endpoint = model.workspace.find(id);
    if (endpoint) {
        if (ImGui::MenuItem(tr(Str::Start))) start(model, submit, id);
        if (ImGui::MenuItem(tr(Str::Stop))) stop(model, submit, id);
        ImGui::Separator();
        if (ImGui::MenuItem(tr(Str::Edit))) m_editor.openEdit(*endpoint, model.workspace);
        // Deferred: these change the workspace vector the tree is iterating over.
        if (ImGui::MenuItem(tr(Str::Duplicate))) m_pending = {PendingKind::Duplicate, id};
        ImGui::Separator();
        if (ImGui::MenuItem(tr(Str::Delete))) m_confirmDelete = id;
    }
    ImGui::EndPopup();
}

namespace {
/// Fault injection is on (the endpoint's or a rule's "faults"): a badge, its counts on hover.
void drawFaultsBadge(UiModel& model, const WorkspaceEndpoint& endpoint, const EndpointRow& row) {
    const EndpointConfig& c = endpoint.config;
    const bool active = c.faults || std::any_of(c.rules.begin(), c.rules.end(), [](const ReplyRule& r) { return r.faults.has_value(); });
    if (!active) return;
    const char* badge = tr(Str::FaultsBadge);
    sameLineIfFits(ImGui::CalcTextSize(badge).x + ImGui::GetStyle().FramePadding.x * 2);
    ImGui::TextColored(palette(model.settings.theme).warn, "[%s]", badge);
    probeItem(model, "tree.faults." + std::to_string(endpoint.id));
    if (ImGui::IsItemHovered()) {
        char counts[160];
        std::snprintf(counts, sizeof counts, tr(Str::FaultsCounts), static_cast<unsigned long long>(row.faults.delayed),
                      static_cast<unsigned long long>(row.faults.split_pieces),
                      static_cast<unsigned long long>(row.faults.dropped),
                      static_cast<unsigned long long>(row.faults.duplicated));
        ImGui::SetTooltip("%s\n%s", tr(Str::Faults), counts);
    }
}
}  // namespace

void WorkspaceView::drawEndpoint(UiModel& model, const CommandSink& submit, const WorkspaceEndpoint& endpoint) {
    const Palette& pal = palette(model.settings.theme);
    const EndpointRow* row = model.table.endpoint(endpoint.id);
    const TimestampUs now = nowUs();
    ImGui::PushID(static_cast<int>(endpoint.id));

    ImGuiTreeNodeFlags flags = ImGuiTreeNodeFlags_OpenOnArrow | ImGuiTreeNodeFlags_SpanAvailWidth |
                               ImGuiTreeNodeFlags_DefaultOpen | ImGuiTreeNodeFlags_FramePadding;
    if (model.selection.endpoint == endpoint.id && model.selection.connection == 0)
        flags |= ImGuiTreeNodeFlags_Selected;
    const bool has_connections = row && !row->connections.empty();
    if (!has_connections) flags |= ImGuiTreeNodeFlags_Leaf;
    const bool open = ImGui::TreeNodeEx("##ep", flags, "%s", endpoint.config.name.c_str());
    if (ImGui::IsItemClicked() && !ImGui::IsItemToggledOpen()) model.selection = Selection{endpoint.id, 0};
    probeItem(model, "tree.ep." + std::to_string(endpoint.id));
    contextMenu(model, submit, endpoint.id);
    if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(0)) m_editor.openEdit(endpoint, model.workspace);

    // Badge, right-aligned on the node's line.
    const EndpointState state = row ? row->status.state : EndpointState::Stopped;
    const std::string badge = stateBadge(row, now);
    const float badge_w = ImGui::CalcTextSize(badge.c_str()).x;
    ImGui::SameLine();
    // Right-aligned when it fits beside the name; otherwise on a line of its own (never overlapping).
    const float badge_x = ImGui::GetContentRegionMax().x - badge_w - 4;
    if (badge_x >= ImGui::GetCursorPosX() + 8) {
        ImGui::SetCursorPosX(badge_x);
    } else {
        ImGui::NewLine();
        ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), badge_x));
    }
    ImGui::TextColored(colorOf(pal, state), "%s", badge.c_str());
    if (row && row->last_error && ImGui::IsItemHovered())
        ImGui::SetTooltip("%s\n%s", row->last_error->code.c_str(), errorText(*row->last_error).c_str());

    // Second line: type, address, counters.
    ImGui::Indent();
    const std::string& address = endpoint.config.type == EndpointType::TcpClient ? endpoint.config.remote
                                                                                   : endpoint.config.bind;
    const std::string shown = row && !row->status.local.empty() && endpoint.config.type != EndpointType::TcpClient
                                  ? row->status.local
                                  : address;
    // Wrapped, not cut off: a long IPv6 address at a large font takes two lines.
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(pal.dim, "%s  %s", typeName(endpoint.config.type), shown.c_str());
    ImGui::PopTextWrapPos();
    if (row) {
        const std::size_t open_count = row->connections.openCount();
        char rx[64], tx[64], conns[64];
        const TrafficCounters counts = sinceReset(row->totals, row->baseline);
        std::snprintf(rx, sizeof rx, "%s %s", tr(Str::ColRx), formatBytes(static_cast<double>(counts.rx_bytes)).c_str());
        std::snprintf(tx, sizeof tx, "%s %s", tr(Str::ColTx), formatBytes(static_cast<double>(counts.tx_bytes)).c_str());
        std::snprintf(conns, sizeof conns, tr(Str::ConnCount), open_count);
        ImGui::TextColored(pal.dim, "%s", rx);
        sameLineIfFits(ImGui::CalcTextSize(tx).x);
        ImGui::TextColored(pal.dim, "%s", tx);
        if (endpoint.config.type == EndpointType::TcpServer) {
            sameLineIfFits(ImGui::CalcTextSize(conns).x);
            ImGui::TextColored(pal.dim, "%s", conns);
        }
        if (row->rates.active()) {   // the last minute at a glance, once there was traffic
            const float em = ImGui::GetFontSize();
            sameLineIfFits(em * 4);
            drawRatePlot("##tree_rate", row->rates, nowUs(), 60, ImVec2(em * 4, ImGui::GetTextLineHeight()), pal);
        }
        // Sockets the app no longer holds, still on the port (e.g. after connections closed here).
        if (row->port_counts && row->port_counts->count(TcpState::TimeWait) > 0) {
            ImGui::TextColored(pal.idle, "TIME_WAIT %u", row->port_counts->count(TcpState::TimeWait));
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", explain(TcpState::TimeWait));
        }
        drawFaultsBadge(model, endpoint, *row);
        if (row->status.state == EndpointState::Failed && row->last_error) {
            ImGui::PushTextWrapPos(0);
            ImGui::TextColored(pal.bad, "%s", row->last_error->code.c_str());
            ImGui::PopTextWrapPos();
        }
    }
    ImGui::Unindent();

    if (open) {
        ImGui::Indent(ImGui::GetFontSize() * 0.8f);   // under the node's label, not its arrow
        if (row) {
            // The tree lists a bounded number (the Connections table, clipped, has them all).
            constexpr std::size_t kTreeConnectionsMax = 64;
            std::size_t listed = 0;
            for (const auto& c : row->connections) {
                if (listed++ == kTreeConnectionsMax) {
                    ImGui::TextColored(pal.dim, tr(Str::MoreConnections), row->connections.size() - kTreeConnectionsMax);
                    break;
                }
                ImGui::PushID(static_cast<int>(c.id));
                const bool selected = model.selection.endpoint == endpoint.id && model.selection.connection == c.id;
                const TcpState tcp = c.tcp ? c.tcp->state : (c.open ? TcpState::Unknown : TcpState::Close);
                char label[160];
                std::snprintf(label, sizeof label, "#%llu %s", static_cast<unsigned long long>(c.id), c.peer.c_str());
                // Kernel state names stay as the kernel spells them; "not known yet" is ours.
                const char* state_text = !c.open ? tr(Str::Closed)
                                         : tcp == TcpState::Unknown ? tr(Str::TcpStateUnknown)
                                                                    : toString(tcp);
                const float w = ImGui::CalcTextSize(state_text).x;
                // The state goes right of the address when both fit, else under it (large fonts,
                // long IPv6 addresses): they never overlap.
                const float state_x = ImGui::GetContentRegionMax().x - w - 4;
                const bool fits = ImGui::GetCursorPosX() + ImGui::CalcTextSize(label).x + 8 <= state_x;
                // The label wraps inside the pane (an IPv6 peer at a large font) instead of being cut.
                const float wrap = ImGui::GetContentRegionAvail().x;
                const ImVec2 text_pos = ImGui::GetCursorScreenPos();
                const ImVec2 text_size = ImGui::CalcTextSize(label, nullptr, false, wrap);
                if (ImGui::Selectable("##conn", selected, ImGuiSelectableFlags_AllowItemOverlap, ImVec2(0, text_size.y)))
                    model.selection = Selection{endpoint.id, c.id};
                ImGui::GetWindowDrawList()->AddText(
                    ImGui::GetFont(), ImGui::GetFontSize(), text_pos,
                    ImGui::GetColorU32(c.open ? ImGui::GetStyleColorVec4(ImGuiCol_Text) : pal.dim), label, nullptr, wrap);
                probeItem(model, "tree.conn." + std::to_string(c.id));
                if (fits) ImGui::SameLine(state_x);
                else ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX() + ImGui::GetFontSize(), state_x));
                ImGui::TextColored(c.open ? colorOf(pal, tcp) : pal.dim, "%s", state_text);
                if (ImGui::IsItemHovered() && c.open) ImGui::SetTooltip("%s", explain(tcp));
                ImGui::PopID();
            }
        }
        ImGui::Unindent(ImGui::GetFontSize() * 0.8f);
        ImGui::TreePop();
    }
    ImGui::PopID();
}

void WorkspaceView::draw(UiModel& model, const CommandSink& submit) {
    drawToolbar(model, submit);
    ImGui::Separator();
    ImGui::BeginChild("##tree", ImVec2(0, 0), false);
    if (model.workspace.endpoints().empty()) {
        ImGui::TextWrapped("%s", tr(Str::NoEndpoints));
        if (ImGui::Button(tr(Str::NewTcpServer))) m_editor.openNew(EndpointType::TcpServer, model.workspace);
        if (ImGui::Button(tr(Str::NewTcpClient))) m_editor.openNew(EndpointType::TcpClient, model.workspace);
        if (ImGui::Button(tr(Str::NewUdp))) m_editor.openNew(EndpointType::Udp, model.workspace);
    }
    for (const auto& endpoint : model.workspace.endpoints()) drawEndpoint(model, submit, endpoint);
    ImGui::EndChild();
    if (m_pending.kind == PendingKind::Duplicate) duplicate(model, submit, m_pending.id);
    m_pending = {};
    drawDeleteConfirm(model, submit);
}

}  // namespace sockscope::ui
