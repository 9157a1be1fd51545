#include "ui/views/import_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "ui/format.hpp"
#include "ui/probe.hpp"
#include "ui/window_fit.hpp"

namespace sockscope::ui {
namespace {

using capture::Flow;

enum Column { kIndex, kProto, kClient, kServer, kPackets, kBytes, kFirst, kDuration, kState, kColumns };

std::string stateOf(const Flow& f) {
    if (f.transport == capture::Transport::Udp) return "udp";
    std::string s = f.handshake ? "syn+ack" : (f.dir[0].syn || f.dir[1].syn) ? "syn" : "-";
    if (f.dir[0].rst || f.dir[1].rst) s += ", rst";
    else if (f.dir[0].fin && f.dir[1].fin) s += ", fin";
    else if (f.dir[0].fin || f.dir[1].fin) s += ", half";
    if (f.dir[0].gaps + f.dir[1].gaps != 0) s += ", gaps";
    return s;
}

std::uint64_t packets(const Flow& f) { return f.dir[0].packets + f.dir[1].packets; }
std::uint64_t bytes(const Flow& f) { return f.dir[0].bytes + f.dir[1].bytes; }

/// "12 / 3": client's then server's.
std::string pair(std::uint64_t client, std::uint64_t server) {
    return formatCount(client) + " / " + formatCount(server);
}

}  // namespace

ImportCaptureView::~ImportCaptureView() { stopJob(); }

void ImportCaptureView::stopJob() {
    if (!m_job) return;
    m_job->cancel = true;
    if (m_job->thread.joinable()) m_job->thread.join();
    m_job.reset();
}

void ImportCaptureView::read(const std::string& path) {
    m_path = path;
    start(path, std::nullopt);
}

void ImportCaptureView::start(const std::string& path, std::optional<std::size_t> collect) {
    stopJob();
    m_error.clear();
    m_summary.clear();
    if (!collect) m_readPath = path;
    auto job = std::make_unique<Job>();
    job->collect = collect;
    Job* raw = job.get();
    job->thread = std::thread([raw, path] {
        capture::AnalyzeOptions options;
        options.collect_flow = raw->collect;
        options.progress = [raw](std::uint64_t done, std::uint64_t total) {
            raw->done = done;
            raw->total = total;
            return !raw->cancel.load();
        };
        raw->result = capture::analyzeCaptureFile(path, options);
        raw->finished = true;
    });
    m_job = std::move(job);
}

void ImportCaptureView::poll(UiModel& model, const CommandSink& submit) {
    if (!m_job || !m_job->finished.load()) return;
    m_job->thread.join();
    std::unique_ptr<Job> job = std::move(m_job);
    capture::CaptureAnalysis& result = job->result;
    if (result.cancelled) return;
    if (!job->collect) {
        m_list = std::move(result);
        m_error = m_list.error;
        m_selected.reset();
        if (!m_list.flows.empty()) m_selected = 0;
        m_order.clear();
        for (std::size_t i = 0; i < m_list.flows.size(); ++i) m_order.push_back(i);
        sortFlows();
        return;
    }
    if (!result.error.empty() || result.flows.size() <= *job->collect) {
        m_error = result.error.empty() ? "the file changed since it was read; read it again" : result.error;
        return;
    }
    apply(model, submit, result, *job->collect);
}

void ImportCaptureView::draw(UiModel& model, const CommandSink& submit) {
    poll(model, submit);
    if (!m_visible) return;
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowSize(fitToWindow(ImVec2(em * 60, em * 36)), ImGuiCond_FirstUseEver);
    const std::string title = std::string(tr(Str::ImpTitle)) + "###import_capture";
    if (ImGui::Begin(title.c_str(), &m_visible)) {
        probeItem(model, "import.window");
        drawFile(model);
        if (!m_list.flows.empty() || !m_readPath.empty()) {
            ImGui::Separator();
            drawFlows(model);
            drawPreview(model);
            ImGui::Separator();
            drawOptions(model);
        }
        if (!m_error.empty()) ImGui::TextColored(ImVec4(0.95f, 0.4f, 0.35f, 1), "%s", m_error.c_str());
        if (!m_summary.empty()) ImGui::TextWrapped("%s", m_summary.c_str());
        if (auto chosen = m_dialog.draw(model)) {
            m_path = *chosen;
            start(m_path, std::nullopt);
        }
    }
    ImGui::End();
}

void ImportCaptureView::drawFile(UiModel& model) {
    ImGui::TextUnformatted(tr(Str::ImpFile));
    const float em = ImGui::GetFontSize();
    const float buttons = ImGui::CalcTextSize(tr(Str::ImpBrowse)).x + ImGui::CalcTextSize(tr(Str::ImpRead)).x +
                          ImGui::GetStyle().FramePadding.x * 4 + ImGui::GetStyle().ItemSpacing.x * 2;
    ImGui::SetNextItemWidth(std::max(em * 8, ImGui::GetContentRegionAvail().x - buttons));
    const bool enter = ImGui::InputText("##import_path", &m_path, ImGuiInputTextFlags_EnterReturnsTrue);
    probeItem(model, "import.path");
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::ImpBrowse))) m_dialog.open(FileDialogMode::Open, m_path, FileDialogFilter::AnyFile);
    probeItem(model, "import.browse");
    ImGui::SameLine();
    ImGui::BeginDisabled(m_path.empty() || busy());
    const bool read_clicked = ImGui::Button(tr(Str::ImpRead));
    ImGui::EndDisabled();
    probeItem(model, "import.read");
    if ((read_clicked || enter) && !m_path.empty() && !busy()) start(m_path, std::nullopt);
    if (m_job) {
        const std::uint64_t done = m_job->done, total = m_job->total;
        char overlay[128];
        std::snprintf(overlay, sizeof overlay, tr(Str::ImpReading), formatBytes(static_cast<double>(done)).c_str(),
                      formatBytes(static_cast<double>(total)).c_str());
        const float fraction = total == 0 ? 0.0f : static_cast<float>(static_cast<double>(done) / static_cast<double>(total));
        const float cancel_width = ImGui::CalcTextSize(tr(Str::ImpCancel)).x + ImGui::GetStyle().FramePadding.x * 2;
        ImGui::ProgressBar(fraction, ImVec2(ImGui::GetContentRegionAvail().x - cancel_width - ImGui::GetStyle().ItemSpacing.x, 0),
                           overlay);
        ImGui::SameLine();
        if (ImGui::Button(tr(Str::ImpCancel))) stopJob();
        probeItem(model, "import.cancel");
    }
}

void ImportCaptureView::sortFlows() {
    const auto& flows = m_list.flows;
    auto key = [&](std::size_t i, std::size_t j) -> int {   // <0, 0, >0
        const Flow& a = flows[i];
        const Flow& b = flows[j];
        auto cmp = [](auto x, auto y) { return x < y ? -1 : y < x ? 1 : 0; };
        switch (m_sortColumn) {
        case kProto: return cmp(a.transport, b.transport);
        case kClient: return cmp(a.endpoint(a.client), b.endpoint(b.client));
        case kServer: return cmp(a.endpoint(a.server()), b.endpoint(b.server()));
        case kPackets: return cmp(packets(a), packets(b));
        case kBytes: return cmp(bytes(a), bytes(b));
        case kFirst: return cmp(a.first_ns, b.first_ns);
        case kDuration: return cmp(a.durationNs(), b.durationNs());
        case kState: return cmp(stateOf(a), stateOf(b));
        default: return 0;
        }
    };
    std::stable_sort(m_order.begin(), m_order.end(), [&](std::size_t i, std::size_t j) {
        const int c = key(i, j);
        if (c != 0) return m_sortAscending ? c < 0 : c > 0;
        return m_sortAscending ? i < j : i > j;
    });
}

void ImportCaptureView::drawFlows(UiModel& model) {
    ImGui::Text(tr(Str::ImpFlowsFound), m_list.flows.size(), static_cast<unsigned long long>(m_list.stats.packets));
    if (m_list.flows.empty()) {
        if (!busy() && m_error.empty()) ImGui::TextDisabled("%s", tr(Str::ImpNoFlows));
        return;
    }
    const float em = ImGui::GetFontSize();
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##flows", kColumns, flags, ImVec2(0, em * 10))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_DefaultSort, 0, kIndex);
    ImGui::TableSetupColumn(tr(Str::ImpProto), 0, 0, kProto);
    ImGui::TableSetupColumn(tr(Str::ImpClient), 0, 0, kClient);
    ImGui::TableSetupColumn(tr(Str::ImpServer), 0, 0, kServer);
    ImGui::TableSetupColumn(tr(Str::ImpPackets), 0, 0, kPackets);
    ImGui::TableSetupColumn(tr(Str::ImpBytes), 0, 0, kBytes);
    ImGui::TableSetupColumn(tr(Str::ImpFirst), 0, 0, kFirst);
    ImGui::TableSetupColumn(tr(Str::ImpDuration), 0, 0, kDuration);
    ImGui::TableSetupColumn(tr(Str::ImpState), 0, 0, kState);
    ImGui::TableHeadersRow();
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
        if (specs->SpecsCount > 0) {
            m_sortColumn = static_cast<int>(specs->Specs[0].ColumnUserID);
            m_sortAscending = specs->Specs[0].SortDirection != ImGuiSortDirection_Descending;
            sortFlows();
        }
        specs->SpecsDirty = false;
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(m_order.size()));
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const std::size_t index = m_order[static_cast<std::size_t>(row)];
            const Flow& f = m_list.flows[index];
            const auto c = static_cast<std::size_t>(f.client), s = static_cast<std::size_t>(f.server());
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const std::string label = std::to_string(index + 1) + "##flow" + std::to_string(index);
            if (ImGui::Selectable(label.c_str(), m_selected == index, ImGuiSelectableFlags_SpanAllColumns))
                m_selected = index;
            probeItem(model, "import.flow." + std::to_string(index + 1));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(f.transport == capture::Transport::Tcp ? "tcp" : "udp");
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(f.endpoint(f.client).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(f.endpoint(f.server()).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(pair(f.dir[c].packets, f.dir[s].packets).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(pair(f.dir[c].bytes, f.dir[s].bytes).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(capture::formatTimeNs(f.first_ns).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(formatDuration(f.durationNs() / 1000).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(stateOf(f).c_str());
        }
    }
    ImGui::EndTable();
}

void ImportCaptureView::drawPreview(UiModel& model) {
    if (!m_selected || *m_selected >= m_list.flows.size()) return;
    const Flow& f = m_list.flows[*m_selected];
    ImGui::TextDisabled("%s", tr(Str::ImpPreview));
    for (const int side : {f.client, f.server()}) {
        const Bytes& preview = f.dir[static_cast<std::size_t>(side)].preview;
        const std::string who = f.endpoint(side) + " -> ";
        std::string text = escapeForDisplay(preview, NonAscii::Escape);
        if (text.size() > 96) text = text.substr(0, 96) + "...";
        ImGui::TextUnformatted(who.c_str());
        ImGui::SameLine();
        ImGui::TextWrapped("%s", preview.empty() ? "-" : (formatHex(std::span<const std::uint8_t>(preview).first(
                                                             std::min<std::size_t>(preview.size(), 16))) +
                                                          "  " + text).c_str());
    }
    probeItem(model, "import.preview");
}

void ImportCaptureView::drawOptions(UiModel& model) {
    if (!m_selected || *m_selected >= m_list.flows.size()) {
        ImGui::TextDisabled("%s", tr(Str::ImpChooseFlow));
        return;
    }
    const Flow& flow = m_list.flows[*m_selected];
    ImGui::TextUnformatted(tr(Str::ImpSide));
    ImGui::SameLine();
    const std::string client = std::string(tr(Str::ImpClient)) + " " + flow.endpoint(flow.client);
    if (ImGui::RadioButton(client.c_str(), !m_playServer)) m_playServer = false;
    probeItem(model, "import.side.client");
    ImGui::SameLine();
    const std::string server = std::string(tr(Str::ImpServer)) + " " + flow.endpoint(flow.server());
    if (ImGui::RadioButton(server.c_str(), m_playServer)) m_playServer = true;
    probeItem(model, "import.side.server");

    const auto& endpoints = model.workspace.endpoints();
    if (m_target >= static_cast<int>(endpoints.size())) m_target = -1;
    const std::string current = m_target < 0 ? tr(Str::ImpNewEndpoint)
                                             : endpoints[static_cast<std::size_t>(m_target)].config.name;
    ImGui::TextUnformatted(tr(Str::ImpTarget));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    if (ImGui::BeginCombo("##import_target", current.c_str())) {
        if (ImGui::Selectable(tr(Str::ImpNewEndpoint), m_target < 0)) m_target = -1;
        probeItem(model, "import.target.new");
        for (std::size_t i = 0; i < endpoints.size(); ++i) {
            const std::string item = endpoints[i].config.name + " (" + toString(endpoints[i].config.type) + ")##t" +
                                     std::to_string(i);
            if (ImGui::Selectable(item.c_str(), m_target == static_cast<int>(i))) m_target = static_cast<int>(i);
            probeItem(model, "import.target." + endpoints[i].config.name);
        }
        ImGui::EndCombo();
    }
    probeItem(model, "import.target");

    if (ImGui::RadioButton(tr(Str::ImpAsScript), !m_asCommands)) m_asCommands = false;
    probeItem(model, "import.as.script");
    ImGui::SameLine();
    if (ImGui::RadioButton(tr(Str::ImpAsCommands), m_asCommands)) m_asCommands = true;
    probeItem(model, "import.as.commands");
    if (!m_asCommands) {
        ImGui::TextUnformatted(tr(Str::ImpScriptName));
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
        ImGui::InputText("##import_name", &m_name);
        probeItem(model, "import.name");
        ImGui::Checkbox(tr(Str::ImpExpects), &m_expects);
        probeItem(model, "import.expects");
        if (m_expects) {
            ImGui::SameLine();
            ImGui::TextUnformatted(tr(Str::ImpMatch));
            ImGui::SameLine();
            const char* matches[] = {tr(Str::ImpExact), tr(Str::ImpPrefix), tr(Str::ImpAny)};
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
            ImGui::Combo("##import_match", &m_match, matches, 3);
            if (m_match == 1) {
                ImGui::SameLine();
                ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
                ImGui::InputInt(tr(Str::ImpPrefixBytes), &m_prefixBytes);
                m_prefixBytes = std::clamp(m_prefixBytes, 1, 65536);
            }
        }
        ImGui::Checkbox(tr(Str::ImpKeepGaps), &m_keepGaps);
        probeItem(model, "import.gaps");
    }
    if (flow.transport == capture::Transport::Tcp) {
        ImGui::Checkbox(tr(Str::ImpPerPacket), &m_perPacket);
        probeItem(model, "import.per_packet");
    }
    ImGui::BeginDisabled(busy());
    const bool clicked = ImGui::Button(tr(Str::ImpImport));
    ImGui::EndDisabled();
    probeItem(model, "import.import");
    if (clicked && !busy()) {
        if (!m_asCommands && (m_name.empty() || m_name.find('/') != std::string::npos)) {
            m_error = tr(Str::ImpBadName);
            return;
        }
        start(m_readPath, *m_selected);
    }
}

EndpointId ImportCaptureView::targetFor(UiModel& model, const CommandSink& submit, const Flow& flow, int side) {
    const auto& endpoints = model.workspace.endpoints();
    if (m_target >= 0 && m_target < static_cast<int>(endpoints.size()))
        return endpoints[static_cast<std::size_t>(m_target)].id;
    // A new endpoint that talks to the other side as captured (a client to its server, a server on
    // its port, udp to its peer); not started, so the user can check the address first.
    const EndpointType type = flow.transport == capture::Transport::Udp ? EndpointType::Udp
                              : side == flow.client                    ? EndpointType::TcpClient
                                                                       : EndpointType::TcpServer;
    EndpointConfig config = model.workspace.newConfig(type);
    const int other = 1 - side;
    if (type == EndpointType::TcpServer) {
        const auto colon = config.bind.rfind(':');
        config.bind = (colon == std::string::npos ? std::string("127.0.0.1") : config.bind.substr(0, colon)) + ":" +
                      std::to_string(flow.port[static_cast<std::size_t>(side)]);
    } else {
        config.remote = flow.endpoint(other);
    }
    config.auto_start = false;
    const EndpointId id = model.workspace.add(config);
    model.table.ensure(id);
    submit(AddEndpoint{id, config});
    return id;
}

void ImportCaptureView::apply(UiModel& model, const CommandSink& submit, const capture::CaptureAnalysis& data,
                              std::size_t index) {
    const Flow& flow = data.flows[index];
    capture::ConvertOptions options;
    options.side = m_playServer ? flow.server() : flow.client;
    options.split = m_perPacket ? capture::MessageSplit::Packets : capture::MessageSplit::Turns;
    options.expect = !m_expects || m_asCommands ? capture::ExpectKind::None
                     : m_match == 1             ? capture::ExpectKind::Prefix
                     : m_match == 2             ? capture::ExpectKind::Any
                                                : capture::ExpectKind::Exact;
    options.prefix_bytes = static_cast<std::size_t>(m_prefixBytes);
    options.keep_gaps = m_keepGaps && !m_asCommands;
    options.name = m_name;
    const auto messages = capture::buildMessages(data.chunks, flow.transport, options.split);
    capture::ConvertResult result =
        m_asCommands ? capture::toCommands(messages, options) : capture::toScript(messages, options);
    const EndpointId id = targetFor(model, submit, flow, options.side);
    const WorkspaceEndpoint* target = model.workspace.find(id);
    if (!target) return;
    EndpointConfig config = target->config;
    char text[512];
    if (m_asCommands) {
        // "msg N" numbering continues past names the endpoint already has.
        std::size_t n = 1;
        for (SavedCommand& command : result.commands) {
            auto taken = [&](const std::string& name) {
                return std::any_of(config.commands.begin(), config.commands.end(),
                                   [&](const SavedCommand& c) { return c.name == name; });
            };
            while (taken("msg " + std::to_string(n))) ++n;
            command.name = "msg " + std::to_string(n++);
            config.commands.push_back(command);
        }
        submit(UpdateSources{id, config.commands, config.on_connect, config.timers});
        std::snprintf(text, sizeof text, tr(Str::ImpCommandsDone), result.commands.size(), config.name.c_str());
    } else {
        auto same = std::find_if(config.scripts.begin(), config.scripts.end(),
                                 [&](const Script& s) { return s.name == result.script.name; });
        if (same != config.scripts.end()) *same = result.script;
        else config.scripts.push_back(result.script);
        submit(UpdateEndpoint{id, config});
        std::snprintf(text, sizeof text, tr(Str::ImpScriptDone), result.script.name.c_str(), config.name.c_str(),
                      result.sends, result.expects, result.waits);
    }
    model.workspace.update(id, config);
    m_summary = text;
    for (const std::string& warning : result.warnings) m_summary += "\n" + warning;
    const auto& sent = flow.dir[static_cast<std::size_t>(options.side)];
    const auto& got = flow.dir[static_cast<std::size_t>(1 - options.side)];
    if (sent.gaps + got.gaps != 0) {
        std::snprintf(text, sizeof text, tr(Str::ImpMissing), formatCount(sent.gap_bytes + got.gap_bytes).c_str());
        m_summary += "\n";
        m_summary += text;
    }
}

}  // namespace sockscope::ui
