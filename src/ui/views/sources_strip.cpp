#include "ui/views/sources_strip.hpp"

#include <imgui.h>

#include <GLFW/glfw3.h>
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/codec/utf8.hpp"
#include "core/profile/profile.hpp"
#include "ui/format.hpp"
#include "ui/i18n.hpp"
#include "ui/probe.hpp"
#include "ui/theme.hpp"
#include "ui/views/endpoint_editor_fields.hpp"
#include "ui/views/rules_view.hpp"
#include "ui/views/send_panel.hpp"

namespace sockscope::ui {
namespace {

/// Where a saved command goes: as Send, the selected connection of a server (a closed one stays
/// the target: the engine says it is closed; it never widens to every connection), else all.
ConnectionId targetConnection(const UiModel& model, const EndpointConfig& config) {
    if (config.type != EndpointType::TcpServer) return 0;
    return model.selection.connection;
}

/// The selected connection of a server if it is open (a timer can be aimed at it), else 0.
ConnectionId openTargetConnection(const UiModel& model, const EndpointConfig& config) {
    if (config.type != EndpointType::TcpServer) return 0;
    const ConnectionRow* c = model.table.connection(model.selection.endpoint, model.selection.connection);
    return c && c->open ? c->id : 0;
}

/// Why `config` (the endpoint `id` with edited sources) cannot be kept, or "": a payload over
/// SourcesStrip::kMaxSavedPayload, what the profile loader would refuse (the same validator), or
/// a workspace that would no longer fit a profile file (`whole_profile`: that check serialises the
/// whole workspace, not for every frame).
std::string sourcesProblem(const UiModel& model, EndpointId id, const EndpointConfig& config, bool whole_profile = true) {
    auto tooLarge = [](const std::string& what, const PayloadSpec& payload) -> std::string {
        if (payload.text.size() <= SourcesStrip::kMaxSavedPayload) return {};
        char text[256];
        std::snprintf(text, sizeof text, tr(Str::SavedPayloadTooLarge), what.c_str(),
                      formatBytes(static_cast<double>(payload.text.size())).c_str(),
                      SourcesStrip::kMaxSavedPayload >> 20);
        return text;
    };
    for (const SavedCommand& command : config.commands)
        if (std::string why = tooLarge(command.name, command.payload); !why.empty()) return why;
    for (const TimerConfig& timer : config.timers)
        if (std::string why = tooLarge(timer.name, timer.send); !why.empty()) return why;
    if (config.on_connect)
        if (std::string why = tooLarge("on_connect", *config.on_connect); !why.empty()) return why;
    const std::vector<ConfigIssue> issues = validateEndpoint(config);
    if (!issues.empty()) return issues.front().path + ": " + issues.front().message;
    if (!whole_profile) return {};
    Profile profile;
    profile.name = model.workspace.name;
    for (const auto& e : model.workspace.endpoints()) profile.endpoints.push_back(e.id == id ? config : e.config);
    profile.recording = model.profile_recording;
    if (const std::size_t size = profileToText(profile).size(); size > kMaxProfileFileBytes) {
        char text[256];
        std::snprintf(text, sizeof text, tr(Str::ProfileWouldBeTooLarge), formatBytes(static_cast<double>(size)).c_str(),
                      static_cast<unsigned>(kMaxProfileFileBytes >> 20));
        return text;
    }
    return {};
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

/// `base`, or `base 2`, `base 3`... : a name no entry of `names` has.
template <class List, class NameOf>
std::string uniqueName(const std::string& base, const List& list, NameOf name_of) {
    std::string name = base;
    for (int n = 2; ; ++n) {
        const bool taken = std::any_of(list.begin(), list.end(), [&](const auto& e) { return name_of(e) == name; });
        if (!taken) return name;
        name = base + " (" + std::to_string(n) + ")";
    }
}

/// A saved command's name made from its input: its first 16 characters, controls as spaces.
std::string nameFromInput(const std::string& input) {
    std::string base(utf8::prefix(input, 16));   // characters, never half of one
    for (char& ch : base)
        if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
    return base;
}

/// The name "+ Save" gave it from its payload ("STATUS?", or "STATUS? (2)"), not one the user chose.
bool namedFromPayload(const SavedCommand& command) {
    const std::string base = nameFromInput(command.payload.text);
    if (command.name == base) return true;
    const std::string numbered = base + " (";
    return command.name.size() > numbered.size() + 1 && command.name.compare(0, numbered.size(), numbered) == 0 &&
           command.name.back() == ')' &&
           command.name.find_first_not_of("0123456789", numbered.size()) == command.name.size() - 1;
}

void loadIntoPanel(SendPanel& panel, const PayloadSpec& payload) {
    panel.setMode(payload.mode == PayloadMode::Hex ? SendMode::Hex : SendMode::Text);
    panel.input() = payload.text;
    panel.setChecksum(payload.checksum);
    panel.setLineEnding(payload.line_ending);
    panel.setEscapes(payload.escapes);
}

void copyTo(char* out, std::size_t size, const std::string& text) {
    std::snprintf(out, size, "%s", text.c_str());
}

}  // namespace

void SourcesStrip::draw(ViewContext& ctx) {
    if (SendPanel* panel = ctx.views.find<SendPanel>()) draw(ctx.model, ctx.submit, *panel);
}

void SourcesStrip::draw(UiModel& model, const CommandSink& submit, SendPanel& panel) {
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    if (!endpoint) return;
    ImGui::PushID("sources");
    drawCommands(model, submit, panel, endpoint->config);   // applies its own edit, last
    // Not a copy (20,000 rules made the copy 46% of a frame): found again, as that edit may have
    // replaced it; the edits below are copies applied after the last use of this reference.
    endpoint = model.workspace.find(model.selection.endpoint);
    if (!endpoint) {
        ImGui::PopID();
        return;
    }
    const EndpointConfig& config = endpoint->config;
    std::optional<EndpointConfig> edited = drawTimers(model, submit, panel, config);
    if (config.type != EndpointType::Udp) {
        ImGui::SameLine(0, ImGui::GetFontSize() * 2);   // apart from the timers: another kind of source
        if (auto changed = drawOnConnect(model, panel, edited ? *edited : config)) edited = std::move(changed);
    }
    drawRuleCounts(model, submit, model.selection.endpoint, config);
    ImGui::PopID();
    if (edited) apply(model, submit, model.selection.endpoint, std::move(*edited));
    if (m_pendingStart) {   // after UpdateSources: the engine knows the timer by then
        submit(RunTimer{model.selection.endpoint, *m_pendingStart, true});
        m_pendingStart.reset();
    }
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
            if (ImGui::MenuItem(tr(Str::CommandLoad))) loadIntoPanel(panel, command.payload);
            // Only what can be sent (and saved: the profile loader refuses "GG").
            const bool replace = ImGui::MenuItem(tr(Str::CommandReplace), nullptr, false,
                                                 panel.parsed(model).ok() && !panel.input().empty());
            probeItem(model, "send.command." + std::to_string(i) + ".replace");
            if (replace) {
                edited = config;
                SavedCommand& replaced = edited->commands[i];
                const bool follow_name = namedFromPayload(replaced);
                replaced.payload = panel.spec(model);
                if (follow_name) {   // a name made from the old payload would now say the wrong thing
                    std::vector<SavedCommand> others = edited->commands;
                    others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
                    replaced.name = uniqueName(nameFromInput(panel.input()), others,
                                               [](const SavedCommand& c) { return c.name; });
                }
            }
            if (ImGui::MenuItem(tr(Str::CommandRename))) {
                m_renameIndex = i;
                copyTo(m_renameName, sizeof m_renameName, command.name);
                m_openRename = true;
            }
            probeItem(model, "send.command." + std::to_string(i) + ".rename");
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
    if (auto renamed = drawRename(model, config)) edited = std::move(renamed);
    if (!config.commands.empty()) ImGui::SameLine();
    const ParseResult& parsed = panel.parsed(model);
    ImGui::BeginDisabled(!parsed.ok() || panel.input().empty());
    if (ImGui::SmallButton(tr(Str::SaveAsCommand))) {
        edited = config;
        // A name from the input itself ("AT+GMR"), unique within the endpoint.
        const std::string name =
            uniqueName(nameFromInput(panel.input()), config.commands, [](const SavedCommand& c) { return c.name; });
        edited->commands.push_back(SavedCommand{name, panel.spec(model)});
    }
    ImGui::EndDisabled();
    probeItem(model, "send.save_command");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipSaveAsCommand));
    if (edited) apply(model, submit, id, std::move(*edited));
}

std::optional<EndpointConfig> SourcesStrip::drawRename(UiModel& model, const EndpointConfig& config) {
    if (m_openRename) {
        ImGui::OpenPopup("command_rename");
        m_openRename = false;
        ++m_renameOpenings;
        m_renameChecked.clear();
        m_renameProblem.clear();
    }
    if (!ImGui::BeginPopup("command_rename")) return std::nullopt;
    std::optional<EndpointConfig> result;
    if (m_renameIndex >= config.commands.size()) {   // deleted meanwhile
        ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
        return std::nullopt;
    }
    ImGui::TextUnformatted(tr(Str::CommandRenameTitle));
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    // A new id per opening: ImGui would otherwise recycle the last edit's text state (its caret
    // mid-text) instead of selecting the whole name so that typing replaces it.
    ImGui::PushID(static_cast<int>(m_renameOpenings));
    const bool enter = ImGui::InputText("##name", m_renameName, sizeof m_renameName,
                                        ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
    ImGui::PopID();
    probeItem(model, "send.command.rename.name");
    const std::string name = m_renameName;
    bool taken = false;
    for (std::size_t j = 0; j < config.commands.size(); ++j) taken = taken || (j != m_renameIndex && config.commands[j].name == name);
    // The rest with the profile loader's own rules, checked when the name changes (not every frame).
    if (!name.empty() && !taken && name != m_renameChecked) {
        EndpointConfig candidate = config;
        candidate.commands[m_renameIndex].name = name;
        m_renameProblem = sourcesProblem(model, model.selection.endpoint, candidate, false);
        m_renameChecked = name;
    }
    const char* problem = name.empty() ? tr(Str::CommandNameEmpty)
                          : taken      ? tr(Str::CommandNameTaken)
                                       : m_renameProblem.c_str();
    const Palette& pal = palette(model.settings.theme);
    if (*problem) {
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
        ImGui::TextColored(pal.bad, "%s", problem);
        ImGui::PopTextWrapPos();
    }
    ImGui::BeginDisabled(*problem != '\0');
    const bool ok = ImGui::Button(tr(Str::Ok)) || (enter && *problem == '\0');
    probeItem(model, "send.command.rename.ok");
    ImGui::EndDisabled();
    if (ok) {
        result = config;
        result->commands[m_renameIndex].name = name;
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::Cancel))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return result;
}

std::optional<EndpointConfig> SourcesStrip::drawTimers(UiModel& model, const CommandSink& submit, SendPanel& panel,
                                                       const EndpointConfig& config) {
    const EndpointId id = model.selection.endpoint;
    const EndpointRow* row = model.table.endpoint(id);
    const Palette& pal = palette(model.settings.theme);
    std::optional<EndpointConfig> edited;
    ImGui::TextColored(pal.dim, "%s", tr(Str::Timers));
    for (std::size_t i = 0; i < config.timers.size(); ++i) {
        const TimerConfig& timer = config.timers[i];
        const TimerStatus* status = nullptr;
        if (row)
            if (auto it = row->timers.find(timer.name); it != row->timers.end()) status = &it->second;
        const bool running = status && status->running;
        ImGui::SameLine();
        ImGui::PushID(static_cast<int>(i));
        char label[240];
        std::snprintf(label, sizeof label, "%s %s", running ? "[x]" : "[ ]", timer.name.c_str());
        const auto append = [&label](const char* format, unsigned long long value) {
            const std::size_t used = std::strlen(label);
            std::snprintf(label + used, sizeof label - used, format, value);
        };
        if (running && status->connection) append(tr(Str::TimerToConnection), status->connection);   // aimed: say where
        // Its counters on the button itself, so a glance tells that it sends (and whether sends fail).
        if (status && (status->sent > 0 || running)) append(tr(Str::TimerSentCount), status->sent);
        if (status && status->failed > 0) append(tr(Str::TimerFailedCount), status->failed);
        std::strncat(label, "###timer", sizeof label - std::strlen(label) - 1);   // the ID stays as the counts move
        if (ImGui::SmallButton(label)) submit(RunTimer{id, timer.name, !running});   // to every connection
        probeItem(model, "send.timer." + std::to_string(i));
        if (ImGui::IsItemHovered()) {
            char tip[200], detail[160];
            std::snprintf(tip, sizeof tip, tr(Str::TimerSent), timer.name.c_str(),
                          static_cast<unsigned long long>(status ? status->sent : 0));
            std::snprintf(detail, sizeof detail, tr(Str::TimerDetail), timer.every_ms,
                          static_cast<unsigned long long>(status ? status->skipped : 0),
                          static_cast<unsigned long long>(status ? status->failed : 0));
            ImGui::SetTooltip("%s\n%s", tip, detail);
        }
        if (ImGui::BeginPopupContextItem("menu")) {
            // A server's timer goes to every connection by default; this aims it at the selected one.
            if (const ConnectionId target = openTargetConnection(model, config); target != 0) {
                char item[120];
                std::snprintf(item, sizeof item, tr(Str::TimerStartOnConnection), static_cast<unsigned long long>(target));
                if (ImGui::MenuItem(item)) submit(RunTimer{id, timer.name, true, target});
                probeItem(model, "send.timer." + std::to_string(i) + ".to_connection");
            }
            if (ImGui::MenuItem(tr(Str::EditEllipsis))) openTimerEditor(timer, i);
            if (ImGui::MenuItem(tr(Str::CommandLoad))) loadIntoPanel(panel, timer.send);
            if (ImGui::MenuItem(tr(Str::CommandReplace), nullptr, false, panel.parsed(model).ok())) {
                edited = config;
                edited->timers[i].send = panel.spec(model);
            }
            if (ImGui::MenuItem(tr(Str::Delete))) {
                if (running) submit(RunTimer{id, timer.name, false});
                edited = config;
                edited->timers.erase(edited->timers.begin() + static_cast<std::ptrdiff_t>(i));
            }
            ImGui::EndPopup();
        }
        ImGui::PopID();
    }
    ImGui::SameLine();
    const ParseResult& parsed = panel.parsed(model);
    ImGui::BeginDisabled(!parsed.ok() || panel.input().empty());
    if (ImGui::SmallButton(tr(Str::AddTimer))) {
        TimerConfig timer;
        timer.name = uniqueName(tr(Str::TimerDefaultName), config.timers, [](const TimerConfig& t) { return t.name; });
        timer.send = panel.spec(model);
        openTimerEditor(std::move(timer), std::string::npos);
    }
    ImGui::EndDisabled();
    probeItem(model, "send.timer.add");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipAddTimer));
    if (auto done = drawTimerEditor(model, edited ? *edited : config, submit, id)) edited = std::move(done);
    return edited;
}

void SourcesStrip::openTimerEditor(TimerConfig timer, std::size_t index) {
    m_timer = std::move(timer);
    m_timerIndex = index;
    copyTo(m_timerName, sizeof m_timerName, m_timer.name);
    copyTo(m_timerTo, sizeof m_timerTo, m_timer.to);
    m_timerStartNow = index == std::string::npos;
    m_openTimerEditor = true;
}

std::optional<EndpointConfig> SourcesStrip::drawTimerEditor(UiModel& model, const EndpointConfig& config,
                                                            const CommandSink& submit, EndpointId id) {
    if (m_openTimerEditor) {
        ImGui::OpenPopup("timer_editor");
        m_openTimerEditor = false;
    }
    if (!ImGui::BeginPopup("timer_editor")) return std::nullopt;
    std::optional<EndpointConfig> result;
    ImGui::TextUnformatted(tr(Str::TimerEditTitle));
    ImGui::Separator();
    // Labels on the left, fields lined up after the widest label (it differs by language).
    const char* labels[] = {tr(Str::TimerName), tr(Str::TimerEvery), tr(Str::TimerCount), tr(Str::TimerTo)};
    float label_w = 0;
    for (const char* l : labels) label_w = std::max(label_w, ImGui::CalcTextSize(l).x);
    const float field_x = label_w + ImGui::GetStyle().ItemSpacing.x * 2;
    const float field_w = ImGui::GetFontSize() * 12;
    auto row = [&](const char* label) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(label);
        ImGui::SameLine(field_x);
        ImGui::SetNextItemWidth(field_w);
    };
    row(tr(Str::TimerName));
    ImGui::InputText("##name", m_timerName, sizeof m_timerName);
    probeItem(model, "send.timer.name");
    row(tr(Str::TimerEvery));
    stageInputInt(model, "##every", "sources", "timers.every_ms", m_timer.every_ms);
    probeItem(model, "send.timer.every");
    row(tr(Str::TimerCount));
    stageInputInt(model, "##count", "sources", "timers.count", m_timer.count);
    probeItem(model, "send.timer.count");
    if (config.type == EndpointType::Udp) {
        row(tr(Str::TimerTo));
        ImGui::InputText("##to", m_timerTo, sizeof m_timerTo);
        probeItem(model, "send.timer.to");
    }
    ImGui::Checkbox(tr(Str::TimerAutoStart), &m_timer.auto_start);
    ImGui::Checkbox(tr(Str::TimerStartNow), &m_timerStartNow);
    ImGui::TextDisabled("%s", previewOf(m_timer.send).c_str());

    const std::string name = m_timerName;
    const bool taken = std::any_of(config.timers.begin(), config.timers.end(), [&](const TimerConfig& t) {
        return t.name == name && (m_timerIndex >= config.timers.size() || &t != &config.timers[m_timerIndex]);
    });
    // The rest with the profile loader's own rules (the UDP "To" must be host:port), as typed.
    m_timerProblem.clear();
    if (!name.empty() && !taken) {
        EndpointConfig candidate = config;
        TimerConfig timer = m_timer;
        timer.name = name;
        timer.to = m_timerTo;
        if (m_timerIndex >= candidate.timers.size()) candidate.timers.push_back(timer);
        else candidate.timers[m_timerIndex] = timer;
        m_timerProblem = sourcesProblem(model, id, candidate, false);
        // "timers[0].to: expected ..." -> "to: expected ...": the dialog shows one timer.
        if (m_timerProblem.rfind("timers[", 0) == 0)
            if (const std::size_t dot = m_timerProblem.find("]."); dot != std::string::npos) m_timerProblem.erase(0, dot + 2);
    }
    if (name.empty()) ImGui::TextColored(ImVec4(0.9f, 0.4f, 0.3f, 1), "%s", tr(Str::TimerNameEmpty));
    else if (taken) ImGui::TextColored(ImVec4(0.9f, 0.4f, 0.3f, 1), "%s", tr(Str::TimerNameTaken));
    else if (!m_timerProblem.empty()) {
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
        ImGui::TextColored(ImVec4(0.9f, 0.4f, 0.3f, 1), "%s", m_timerProblem.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::BeginDisabled(name.empty() || taken || !m_timerProblem.empty());
    const bool ok = ImGui::Button(tr(Str::Ok));
    probeItem(model, "send.timer.ok");
    if (ok) {
        m_timer.name = name;
        m_timer.to = m_timerTo;
        result = config;
        const bool is_new = m_timerIndex >= config.timers.size();
        if (is_new) result->timers.push_back(m_timer);
        else {
            // A renamed or changed timer restarts from its new settings.
            if (config.timers[m_timerIndex].name != name) submit(RunTimer{id, config.timers[m_timerIndex].name, false});
            result->timers[m_timerIndex] = m_timer;
        }
        m_pendingStart = m_timerStartNow ? std::optional<std::string>(name) : std::nullopt;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::Cancel))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return result;
}

std::optional<EndpointConfig> SourcesStrip::drawOnConnect(UiModel& model, SendPanel& panel,
                                                          const EndpointConfig& config) {
    char label[160];
    if (config.on_connect) {
        std::string preview(utf8::prefix(config.on_connect->text, 24));
        for (char& ch : preview)
            if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
        std::snprintf(label, sizeof label, tr(Str::OnConnectSet), preview.c_str());
    } else {
        std::snprintf(label, sizeof label, "%s", tr(Str::OnConnectAdd));
    }
    if (ImGui::SmallButton(label)) ImGui::OpenPopup("on_connect");
    probeItem(model, "send.on_connect");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", config.on_connect ? previewOf(*config.on_connect).c_str()
                                                                           : tr(Str::TipOnConnect));
    if (!ImGui::BeginPopup("on_connect")) return std::nullopt;
    std::optional<EndpointConfig> edited;
    const bool from_input = ImGui::MenuItem(tr(Str::OnConnectFromInput), nullptr, false,
                                            panel.parsed(model).ok() && !panel.input().empty());
    probeItem(model, "send.on_connect.set");
    if (from_input) {
        edited = config;
        edited->on_connect = panel.spec(model);
    }
    if (ImGui::MenuItem(tr(Str::CommandLoad), nullptr, false, config.on_connect.has_value()))
        loadIntoPanel(panel, *config.on_connect);
    const bool clear = ImGui::MenuItem(tr(Str::OnConnectClear), nullptr, false, config.on_connect.has_value());
    probeItem(model, "send.on_connect.clear");
    if (clear) {
        edited = config;
        edited->on_connect.reset();
    }
    ImGui::EndPopup();
    return edited;
}

bool SourcesStrip::apply(UiModel& model, const CommandSink& submit, EndpointId id, EndpointConfig config) {
    // Refused where it is entered: never a workspace the loader (and so the autosave) refuses.
    if (const std::string why = sourcesProblem(model, id, config); !why.empty()) {
        model.notify(std::string(tr(Str::SourcesNotSaved)) + why, true);
        return false;
    }
    submit(UpdateSources{id, config.commands, config.on_connect, config.timers});
    model.workspace.update(id, std::move(config));
    return true;
}

}  // namespace sockscope::ui
