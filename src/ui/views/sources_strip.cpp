#include "ui/views/sources_strip.hpp"

#include <imgui.h>

#include <GLFW/glfw3.h>
#include <cstdio>

#include "ui/i18n.hpp"
#include "ui/probe.hpp"
#include "ui/theme.hpp"
#include "ui/views/rules_view.hpp"
#include "ui/views/send_panel.hpp"

namespace sockscope::ui {
namespace {

/// Where a saved command goes: the selected open connection of a server, else as Send would.
ConnectionId targetConnection(const UiModel& model, const EndpointConfig& config) {
    if (config.type != EndpointType::TcpServer) return 0;
    const ConnectionRow* c = model.table.connection(model.selection.endpoint, model.selection.connection);
    return c && c->open ? c->id : 0;
}

std::string previewOf(const PayloadSpec& spec) {
    const ParseResult built = buildPayload(spec);
    if (!built.ok()) return describe(*built.error, spec.text);
    std::string hex;
    for (std::size_t i = 0; i < built.bytes.size() && i < 64; ++i) {
        char byte[4];
        std::snprintf(byte, sizeof byte, "%02X ", built.bytes[i]);
        hex += byte;
    }
    if (built.bytes.size() > 64) hex += "...";
    return hex;
}

}  // namespace

void SourcesStrip::draw(UiModel& model, const CommandSink& submit, SendPanel& panel) {
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    if (!endpoint) return;
    const EndpointConfig config = endpoint->config;   // a copy: an edit below replaces it
    ImGui::PushID("sources");
    drawCommands(model, submit, panel, config);
    if (!config.timers.empty()) drawTimers(model, submit, config);
    drawRuleCounts(model, submit, model.selection.endpoint, config);
    ImGui::PopID();
}

void SourcesStrip::drawCommands(UiModel& model, const CommandSink& submit, SendPanel& panel,
                                const EndpointConfig& config) {
    const EndpointId id = model.selection.endpoint;
    const ImGuiIO& io = ImGui::GetIO();
    std::optional<EndpointConfig> edited;
    for (std::size_t i = 0; i < config.commands.size(); ++i) {
        const SavedCommand& command = config.commands[i];
        ImGui::PushID(static_cast<int>(i));
        char label[160];
        if (i < 9) std::snprintf(label, sizeof label, "%zu %s", i + 1, command.name.c_str());
        else std::snprintf(label, sizeof label, "%s", command.name.c_str());
        if (i > 0) ImGui::SameLine();
        if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2)
            ImGui::NewLine();
        const bool shortcut = i < 9 && io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_1 + static_cast<int>(i), false);
        if (ImGui::Button(label) || shortcut)
            submit(SendSavedCommand{id, command.name, targetConnection(model, config)});
        probeItem(model, "send.command." + std::to_string(i));
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", previewOf(command.payload).c_str());
        if (ImGui::BeginPopupContextItem("menu")) {
            if (ImGui::MenuItem(tr(Str::CommandLoad))) {
                panel.setMode(command.payload.mode == PayloadMode::Hex ? SendMode::Hex : SendMode::Text);
                panel.input() = command.payload.text;
                panel.setChecksum(command.payload.checksum);
                panel.setLineEnding(command.payload.line_ending);
                panel.setEscapes(command.payload.escapes);
            }
            if (ImGui::MenuItem(tr(Str::CommandReplace))) {
                edited = config;
                edited->commands[i].payload = panel.spec(model);
            }
            if (ImGui::MenuItem(tr(Str::MoveLeft), nullptr, false, i > 0)) {
                edited = config;
                std::swap(edited->commands[i], edited->commands[i - 1]);
            }
            if (ImGui::MenuItem(tr(Str::MoveRight), nullptr, false, i + 1 < config.commands.size())) {
                edited = config;
                std::swap(edited->commands[i], edited->commands[i + 1]);
            }
            if (ImGui::MenuItem(tr(Str::Delete))) {
                edited = config;
                edited->commands.erase(edited->commands.begin() + static_cast<std::ptrdiff_t>(i));
            }
            ImGui::EndPopup();
        }
        ImGui::PopID();
    }
    if (!config.commands.empty()) ImGui::SameLine();
    const ParseResult& parsed = panel.parsed(model);
    ImGui::BeginDisabled(!parsed.ok() || panel.input().empty());
    if (ImGui::SmallButton(tr(Str::SaveAsCommand))) {
        edited = config;
        // A name from the input itself ("AT+GMR"), unique within the endpoint.
        std::string base = panel.input().substr(0, 16);
        for (char& ch : base)
            if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
        std::string name = base;
        for (int n = 2; ; ++n) {
            bool taken = false;
            for (const auto& c : config.commands) taken = taken || c.name == name;
            if (!taken) break;
            name = base + " (" + std::to_string(n) + ")";
        }
        edited->commands.push_back(SavedCommand{name, panel.spec(model)});
    }
    ImGui::EndDisabled();
    probeItem(model, "send.save_command");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipSaveAsCommand));
    if (edited) apply(model, submit, id, std::move(*edited));
}

void SourcesStrip::drawTimers(UiModel& model, const CommandSink& submit, const EndpointConfig& config) {
    const EndpointId id = model.selection.endpoint;
    const EndpointRow* row = model.table.endpoint(id);
    const Palette& pal = palette(model.settings.theme);
    ImGui::TextColored(pal.dim, "%s", tr(Str::Timers));
    for (std::size_t i = 0; i < config.timers.size(); ++i) {
        const TimerConfig& timer = config.timers[i];
        const TimerStatus* status = nullptr;
        if (row)
            if (auto it = row->timers.find(timer.name); it != row->timers.end()) status = &it->second;
        const bool running = status && status->running;
        ImGui::SameLine();
        ImGui::PushID(static_cast<int>(i));
        char label[200];
        std::snprintf(label, sizeof label, "%s %s", running ? "[x]" : "[ ]", timer.name.c_str());
        if (ImGui::SmallButton(label)) submit(RunTimer{id, timer.name, !running});
        probeItem(model, "send.timer." + std::to_string(i));
        if (ImGui::IsItemHovered()) {
            char tip[200];
            std::snprintf(tip, sizeof tip, tr(Str::TimerSent), timer.name.c_str(),
                          static_cast<unsigned long long>(status ? status->sent : 0));
            ImGui::SetTooltip("%s (%d ms)", tip, timer.every_ms);
        }
        ImGui::PopID();
    }
}

void SourcesStrip::apply(UiModel& model, const CommandSink& submit, EndpointId id, EndpointConfig config) {
    submit(UpdateSources{id, config.commands, config.on_connect, config.timers});
    model.workspace.update(id, std::move(config));
}

}  // namespace sockscope::ui
