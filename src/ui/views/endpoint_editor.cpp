#include "ui/views/endpoint_editor.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "core/net/address.hpp"
#include "core/profile/profile.hpp"
#include "ui/net_interfaces.hpp"
#include "ui/theme.hpp"
#include "ui/views/choice_combo.hpp"
#include "ui/views/endpoint_editor_fields.hpp"
#include "ui/views/workspace_view.hpp"
#include "ui/window_fit.hpp"

namespace sockscope::ui {
namespace {

void tooltip(const char* text) {
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", text);
}

// A label column then the widget, so the form lines up.
void label(const char* text) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(text);
    ImGui::SameLine(ImGui::GetFontSize() * 11);
    ImGui::SetNextItemWidth(-1);
}

// The peer-FIN combo's entries, in order.
constexpr int kPeerFinTimeout = 0;
constexpr int kPeerFinAtOnce = 1;
constexpr int kPeerFinKeep = 2;

}  // namespace

void EndpointEditor::openNew(EndpointType type, const Workspace& workspace) {
    openEdit(WorkspaceEndpoint{0, workspace.newConfig(type)}, workspace);
}

void EndpointEditor::openEdit(const WorkspaceEndpoint& endpoint, const Workspace& workspace) {
    m_workspace = &workspace;
    m_confirmDiscard = false;
    m_confirmRequested = false;
    m_id = endpoint.id;
    m_config = endpoint.config;
    m_lingerSet = m_config.options.linger_s.has_value();
    m_lingerSeconds = m_config.options.linger_s.value_or(0);
    m_v6Only = !m_config.options.v6_only ? 0 : (*m_config.options.v6_only ? 1 : 2);
    // close_on_peer_fin wins over the timeout (as in the engine); 0 s is "at once" too.
    const double wait = m_config.close_wait_timeout_s;
    m_peerFin = m_config.close_on_peer_fin || wait == 0 ? kPeerFinAtOnce : wait < 0 ? kPeerFinKeep : kPeerFinTimeout;
    m_closeWaitSeconds = wait > 0 ? clampToField("close_wait_timeout_s", wait, 0.0) : EndpointConfig{}.close_wait_timeout_s;
    const FramingConfig& f = m_config.framing;
    m_delimiterHex = !f.delimiter_is_text;
    m_delimiterText = m_delimiterHex ? formatHex(f.delimiter, HexStyle::SpacedLower) : escapeForDisplay(f.delimiter);
    m_delimiterError.clear();
    m_framingOpenRequested = true;
    m_receiveOpenRequested = true;
    m_faultsOpenRequested = true;
    m_original = result();
    m_open = true;
    m_openRequested = true;
    refreshInterfaces();
}

void EndpointEditor::refreshInterfaces() { m_interfaces = listNetworkInterfaces(); }

std::string EndpointEditor::nameError() const {
    if (m_config.name.empty()) return tr(Str::NameRequired);
    if (m_workspace && m_workspace->nameTaken(m_config.name, m_id)) return tr(Str::NameTaken);
    return {};
}

EndpointConfig EndpointEditor::result() const {
    EndpointConfig c = m_config;
    c.options.linger_s = m_lingerSet ? std::optional<int>(m_lingerSeconds) : std::nullopt;
    c.options.v6_only = m_v6Only == 0 ? std::nullopt : std::optional<bool>(m_v6Only == 1);
    // The combo drives both fields, so they never disagree (and older readers of the profile,
    // which know only close_on_peer_fin, still close at once).
    c.close_on_peer_fin = m_peerFin == kPeerFinAtOnce;
    c.close_wait_timeout_s = m_peerFin == kPeerFinAtOnce ? 0.0 : m_peerFin == kPeerFinKeep ? -1.0 : m_closeWaitSeconds;
    // Drop empty multicast rows the user added but never filled.
    auto& groups = c.multicast.groups;
    groups.erase(std::remove_if(groups.begin(), groups.end(), [](const MulticastGroup& g) { return g.group.empty(); }),
                 groups.end());
    return c;
}

std::string EndpointEditor::profileError() const {
    Profile profile;
    profile.endpoints.push_back(result());
    std::string error = validateProfile(profile, "");
    // "endpoints[0].bind: expected ..." -> "bind: expected ...": the editor shows one endpoint.
    for (std::size_t at; (at = error.find("endpoints[0].")) != std::string::npos;) error.erase(at, 13);
    for (std::size_t at; (at = error.find("endpoints[0]: ")) != std::string::npos;) error.erase(at, 14);
    while (!error.empty() && (error.front() == ':' || error.front() == ' ')) error.erase(0, 1);
    return error;
}

bool EndpointEditor::edited() const { return result() != m_original; }

void EndpointEditor::requestCancel() {
    if (!m_open) return;
    if (edited()) {
        m_confirmRequested = true;
        return;
    }
    m_open = false;
}

std::string EndpointEditor::bindError() const {
    if (m_config.bind.empty()) {
        if (m_config.type == EndpointType::TcpClient) return {};
        return tr(Str::AddrRequired);
    }
    return parseHostPort(m_config.bind) ? std::string() : tr(Str::AddrInvalid);
}

std::string EndpointEditor::remoteError() const {
    if (m_config.remote.empty())
        return m_config.type == EndpointType::TcpClient ? tr(Str::AddrRequired) : std::string();
    return parseHostPort(m_config.remote) ? std::string() : tr(Str::AddrInvalid);
}

bool EndpointEditor::valid() const {
    return nameError().empty() && bindError().empty() && remoteError().empty() && profileError().empty();
}

EndpointId EndpointEditor::apply(UiModel& model, const CommandSink& submit) {
    m_workspace = &model.workspace;
    if (!valid()) return 0;
    m_config = result();
    model.glyphs.note(m_config.name);
    EndpointId id = m_id;
    if (id == 0) {
        id = model.workspace.add(m_config);
        model.table.ensure(id);
        submit(AddEndpoint{id, m_config});
    } else {
        model.workspace.update(id, m_config);
        submit(UpdateEndpoint{id, m_config});
        // Apply restarts an endpoint that failed: the user changed what made it fail.
        const EndpointRow* row = model.table.endpoint(id);
        if (row && row->status.state == EndpointState::Failed) submit(StartEndpoint{id});
    }
    model.selection = Selection{id, 0};
    m_open = false;
    return id;
}

// One row: the policy, then the CLOSE_WAIT seconds it uses (disabled for the other two).
void EndpointEditor::drawPeerFin(UiModel& model) {
    label(tr(Str::OnPeerFin));
    const float seconds_width = ImGui::GetFontSize() * 5;
    ImGui::SetNextItemWidth(-(seconds_width + ImGui::GetStyle().ItemSpacing.x));
    const char* policies[] = {tr(Str::PeerFinTimeout), tr(Str::PeerFinAtOnce), tr(Str::PeerFinKeep)};
    if (ImGui::BeginCombo("##peer_fin", policies[m_peerFin])) {
        for (int i = 0; i < 3; ++i) {
            if (ImGui::Selectable(policies[i], i == m_peerFin)) m_peerFin = i;
            probeItem(model, "editor.peer_fin." + std::to_string(i));
        }
        ImGui::EndCombo();
    }
    probeItem(model, "editor.peer_fin");
    probeItem(model, "editor.field.close_on_peer_fin");
    tooltip(tr(Str::TipOnPeerFin));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    ImGui::BeginDisabled(m_peerFin != kPeerFinTimeout);
    // 0 and -1 are the other two policies; sscanf reads "nan" too.
    if (ImGui::InputDouble("##close_wait", &m_closeWaitSeconds, 0, 0, "%g"))
        m_closeWaitSeconds = clampToField("close_wait_timeout_s", m_closeWaitSeconds, 0.0);
    probeItem(model, "editor.close_wait");
    probeItem(model, "editor.field.close_wait_timeout_s");
    ImGui::EndDisabled();
    tooltip(tr(Str::TipCloseWaitTimeout));
}

/// The typed delimiter into the config; an unparsable one becomes empty, which the profile rules
/// refuse (Apply stays disabled) while the line below the field says why.
void EndpointEditor::parseDelimiter() {
    FramingConfig& f = m_config.framing;
    ParseResult parsed = m_delimiterHex ? parseHex(m_delimiterText) : parseEscapedText(m_delimiterText);
    m_delimiterError = parsed.ok() ? std::string() : describe(*parsed.error, m_delimiterText);
    f.delimiter = parsed.ok() ? std::move(parsed.bytes) : Bytes{};
    f.delimiter_is_text = !m_delimiterHex;
}

/// Framing: the type, then only the fields that type uses (framingUses: the loader's own table).
void EndpointEditor::drawFraming(UiModel& model) {
    FramingConfig& f = m_config.framing;
    // Open when the endpoint frames its data; a raw endpoint's form stays as short as before.
    if (m_framingOpenRequested) ImGui::SetNextItemOpen(f.type != FramingType::Raw, ImGuiCond_Always);
    m_framingOpenRequested = false;
    if (!ImGui::CollapsingHeader(tr(Str::Framing))) return;
    const Palette& pal = palette(model.settings.theme);
    label(tr(Str::FramingType));
    // UDP: a datagram is already one message; the idle gap applies to TCP streams only.
    const bool udp = m_config.type == EndpointType::Udp;
    choiceCombo(model, "##framing_type", "framing.type", f.type, "editor.framing.type",
                [udp](int type) { return !udp || static_cast<FramingType>(type) != FramingType::Idle; });
    tooltip(tr(Str::TipFraming));
    const auto uses = [&](std::string_view field) { return framingUses(f.type, field); };
    if (uses("delimiter")) {
        label(tr(Str::FramingDelimiter));
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
        if (ImGui::InputText("##delimiter", &m_delimiterText)) parseDelimiter();
        probeItem(model, "editor.framing.delimiter");
        tooltip(tr(Str::TipDelimiter));
        ImGui::SameLine();
        if (ImGui::Checkbox(tr(Str::DelimiterHex), &m_delimiterHex)) {
            // Show the same bytes in the other form when they parse; keep the typing otherwise.
            if (m_delimiterError.empty())
                m_delimiterText = m_delimiterHex ? formatHex(f.delimiter, HexStyle::SpacedLower)
                                                 : escapeForDisplay(f.delimiter);
            parseDelimiter();
        }
        if (!m_delimiterError.empty()) {
            ImGui::SetCursorPosX(ImGui::GetFontSize() * 11);
            ImGui::TextColored(pal.bad, "%s", m_delimiterError.c_str());
        }
        ImGui::Checkbox(tr(Str::KeepDelimiter), &f.keep);
    }
    // The numeric fields clamp to the framing stage's ranges in the registry (the loader's).
    if (uses("length")) {
        label(tr(Str::FrameLength));
        stageInputInt(model, "##frame_length", "framing", "length", f.length);
    }
    if (uses("offset")) {
        label(tr(Str::FieldOffset));
        stageInputInt(model, "##field_offset", "framing", "offset", f.offset);
        label(tr(Str::FieldSize));
        const char* sizes[] = {"1", "2", "4"};
        int size_index = f.size == 1 ? 0 : f.size == 4 ? 2 : 1;
        if (ImGui::Combo("##field_size", &size_index, sizes, 3)) f.size = size_index == 0 ? 1 : size_index == 2 ? 4 : 2;
        label(tr(Str::FieldEndian));
        choiceCombo(model, "##field_endian", "framing.endian", f.endian, "editor.framing.endian");
        label(tr(Str::LengthAdjust));
        stageInputInt(model, "##length_adjust", "framing", "adjust", f.adjust);
        tooltip(tr(Str::TipLengthAdjust));
    }
    if (uses("gap_ms")) {
        label(tr(Str::IdleGap));
        stageInputInt(model, "##idle_gap", "framing", "gap_ms", f.gap_ms);
    }
    if (uses("max")) {
        label(tr(Str::MaxFrame));
        stageInputInt(model, "##frame_max", "framing", "max", f.max);
        tooltip(tr(Str::TipMaxFrame));
    }
    if (uses("on_error")) {
        label(tr(Str::OnFramingError));
        choiceCombo(model, "##framing_on_error", "framing.on_error", f.on_error, "editor.framing.on_error");
        tooltip(tr(Str::TipMaxFrame));
    }
}

/// The profile's "receive_to_file": every received byte appended to a file, from the endpoint's
/// start (File ▸ Recording starts one at run time instead).
void EndpointEditor::drawReceiveToFile(UiModel& model) {
    auto& rtf = m_config.receive_to_file;
    if (m_receiveOpenRequested) ImGui::SetNextItemOpen(rtf.has_value(), ImGuiCond_Always);
    m_receiveOpenRequested = false;
    if (!ImGui::CollapsingHeader(tr(Str::RecReceiveToFile))) return;
    bool on = rtf.has_value();
    if (ImGui::Checkbox(tr(Str::ReceiveToFileOn), &on)) {
        if (on) rtf = ReceiveToFileConfig{};
        else rtf.reset();
    }
    probeItem(model, "editor.receive_to_file");
    tooltip(tr(Str::TipReceiveToFile));
    if (!rtf) return;
    label(tr(Str::ReceiveToFilePath));
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##rtf_path", "rx/device.bin", &rtf->path);
    probeItem(model, "editor.receive_to_file.path");
    ImGui::Checkbox(tr(Str::RecFramed), &rtf->framed);
}

/// Fault injection (docs/profile-format.md, "Fault injection"): the endpoint's "faults", and
/// what they did so far on the running endpoint.
void EndpointEditor::drawFaults(UiModel& model) {
    std::optional<FaultConfig>& faults = m_config.faults;
    if (m_faultsOpenRequested) ImGui::SetNextItemOpen(faults.has_value(), ImGuiCond_Always);
    m_faultsOpenRequested = false;
    const bool open = ImGui::CollapsingHeader(tr(Str::Faults));
    probeItem(model, "editor.faults");
    tooltip(tr(Str::TipFaults));
    if (!open) return;
    bool inject = faults.has_value();
    if (ImGui::Checkbox(tr(Str::FaultsInject), &inject)) {
        if (inject) faults.emplace();
        else faults.reset();
    }
    probeItem(model, "editor.faults.inject");
    if (!faults) return;
    FaultConfig& f = *faults;
    const float em = ImGui::GetFontSize();
    label(tr(Str::FaultsDelay));
    ImGui::SetNextItemWidth(em * 5);
    stageInputInt(model, "##fault_delay_min", "faults", "delay_ms", f.delay_min_ms);
    probeItem(model, "editor.faults.delay_min");
    tooltip(tr(Str::TipFaultsDelay));
    ImGui::SameLine();
    ImGui::TextUnformatted(tr(Str::FaultsTo));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 5);
    stageInputInt(model, "##fault_delay_max", "faults", "delay_ms", f.delay_max_ms);
    tooltip(tr(Str::TipFaultsDelay));
    f.delay_max_ms = std::max(f.delay_max_ms, f.delay_min_ms);   // a range is never upside down

    label(tr(Str::FaultsSplit));
    ImGui::SetNextItemWidth(em * 5);
    const bool udp = m_config.type == EndpointType::Udp;
    stageInputInt(model, "##fault_split", "faults", "split.size", f.split_size, udp, /*zero_is_off=*/true);
    probeItem(model, "editor.faults.split");
    tooltip(tr(Str::TipFaultsSplit));
    ImGui::SameLine();
    ImGui::TextUnformatted(tr(Str::FaultsGap));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 5);
    stageInputInt(model, "##fault_gap", "faults", "split.gap_ms", f.split_gap_ms);
    tooltip(tr(Str::TipFaultsSplit));

    const auto probability = [&](const char* text, const char* id, const char* key, double& p, const char* tip) {
        label(text);
        ImGui::SetNextItemWidth(em * 8);
        stageSlider(model, id, "faults", key, p, "%.2f");
        if (tip) tooltip(tip);
    };
    probability(tr(Str::FaultsDrop), "##fault_drop", "drop", f.drop, nullptr);
    probeItem(model, "editor.faults.drop");
    probability(tr(Str::FaultsDuplicate), "##fault_duplicate", "duplicate", f.duplicate, tr(Str::TipFaultsDuplicate));

    label(tr(Str::FaultsSeed));
    bool seeded = f.seed.has_value();
    if (ImGui::Checkbox("##fault_seeded", &seeded)) f.seed = seeded ? std::optional<std::uint64_t>(1) : std::nullopt;
    tooltip(tr(Str::TipFaultsSeed));
    if (f.seed) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(em * 6);
        stageInputInt(model, "##fault_seed", "faults", "seed", *f.seed);
        tooltip(tr(Str::TipFaultsSeed));
    }
    // What they did so far on the running endpoint.
    if (const EndpointRow* row = m_id != 0 ? model.table.endpoint(m_id) : nullptr) {
        char counts[160];
        std::snprintf(counts, sizeof counts, tr(Str::FaultsCounts), static_cast<unsigned long long>(row->faults.delayed),
                      static_cast<unsigned long long>(row->faults.split_pieces),
                      static_cast<unsigned long long>(row->faults.dropped),
                      static_cast<unsigned long long>(row->faults.duplicated));
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(palette(model.settings.theme).dim, "%s", counts);
        ImGui::PopTextWrapPos();
    }
}

void EndpointEditor::drawOptions(UiModel& model) {
    EndpointConfig& c = m_config;
    const SocketOptions& o = c.options;
    const bool tcp = c.type != EndpointType::Udp;

    const bool options_open = ImGui::CollapsingHeader(tr(Str::SocketOptions), ImGuiTreeNodeFlags_DefaultOpen);
    probeItem(model, "editor.options");
    if (options_open) {
        fieldCheckbox(model, tr(Str::ReuseAddress), "options.reuse_address", c);
        tooltip(tr(Str::TipReuseAddress));
        sameLineIfFits(checkboxWidth(tr(Str::ReusePort)), ImGui::GetFontSize() * 11);
        fieldCheckbox(model, tr(Str::ReusePort), "options.reuse_port", c);
        tooltip(tr(Str::TipReusePort));
        if (tcp) {
            sameLineIfFits(checkboxWidth(tr(Str::NoDelay)), ImGui::GetFontSize() * 22);
            fieldCheckbox(model, tr(Str::NoDelay), "options.no_delay", c);
            tooltip(tr(Str::TipNoDelay));
            fieldCheckbox(model, tr(Str::Keepalive), "options.keepalive.enabled", c);
            tooltip(tr(Str::TipKeepalive));
            ImGui::BeginDisabled(!o.keepalive.enabled);
            ImGui::SameLine(ImGui::GetFontSize() * 11);
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
            fieldInputInt(model, tr(Str::KeepIdle), "options.keepalive.idle_s", c);
            const float inner = ImGui::GetStyle().ItemInnerSpacing.x;
            sameLineIfFits(ImGui::GetFontSize() * 5 + inner + ImGui::CalcTextSize(tr(Str::KeepInterval)).x);
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
            fieldInputInt(model, tr(Str::KeepInterval), "options.keepalive.interval_s", c);
            sameLineIfFits(ImGui::GetFontSize() * 4 + inner + ImGui::CalcTextSize(tr(Str::KeepCount)).x);
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4);
            fieldInputInt(model, tr(Str::KeepCount), "options.keepalive.count", c);
            ImGui::EndDisabled();
            ImGui::Checkbox(tr(Str::Linger), &m_lingerSet);
            tooltip(tr(Str::TipLinger));
            ImGui::BeginDisabled(!m_lingerSet);
            ImGui::SameLine(ImGui::GetFontSize() * 11);
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
            if (ImGui::InputInt(tr(Str::LingerSeconds), &m_lingerSeconds, 0))
                m_lingerSeconds = clampToField("options.linger_s", m_lingerSeconds);
            probeItem(model, "editor.field.options.linger_s");
            ImGui::EndDisabled();
        }
        label(tr(Str::RecvBuffer));
        fieldInputInt(model, "##rcvbuf", "options.recv_buffer", c);
        tooltip(tr(Str::TipBuffers));
        label(tr(Str::SendBuffer));
        fieldInputInt(model, "##sndbuf", "options.send_buffer", c);
        tooltip(tr(Str::TipBuffers));
        label(tr(Str::V6Only));
        const char* v6[] = {tr(Str::V6Default), tr(Str::V6Yes), tr(Str::V6No)};
        ImGui::Combo("##v6only", &m_v6Only, v6, 3);
        probeItem(model, "editor.field.options.v6_only");
        tooltip(tr(Str::TipV6Only));
        if (c.type == EndpointType::TcpServer) {
            label(tr(Str::Backlog));
            fieldInputInt(model, "##backlog", "options.backlog", c);
            tooltip(tr(Str::TipBacklog));
        }
    }

    if (c.type == EndpointType::TcpClient &&
        ImGui::CollapsingHeader(tr(Str::Reconnect), ImGuiTreeNodeFlags_DefaultOpen)) {
        // Its own ID: the header above has the same label (a shared ID made it untoggleable).
        const std::string enabled_label = std::string(tr(Str::Reconnect)) + "##reconnect_enabled";
        fieldCheckbox(model, enabled_label.c_str(), "reconnect.enabled", c);
        probeItem(model, "editor.reconnect");
        tooltip(tr(Str::TipReconnect));
        ImGui::BeginDisabled(!c.reconnect.enabled);
        label(tr(Str::ReconnectInitial));
        fieldInputInt(model, "##rinit", "reconnect.initial_ms", c);
        label(tr(Str::ReconnectMax));
        fieldInputInt(model, "##rmax", "reconnect.max_ms", c);
        label(tr(Str::ReconnectJitter));
        fieldSlider(model, "##rjit", "reconnect.jitter", c, "%.2f");
        label(tr(Str::ReconnectAttempts));
        fieldInputInt(model, "##ratt", "reconnect.max_attempts", c);
        ImGui::EndDisabled();
    }

    if (c.type == EndpointType::Udp && ImGui::CollapsingHeader(tr(Str::Multicast), ImGuiTreeNodeFlags_DefaultOpen)) {
        auto& groups = c.multicast.groups;
        const Palette& pal = palette(ThemeKind::Dark);
        for (std::size_t i = 0; i < groups.size(); ++i) {
            ImGui::PushID(static_cast<int>(i));
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
            ImGui::InputTextWithHint("##group", tr(Str::MulticastGroup), &groups[i].group);
            tooltip(tr(Str::TipMulticastGroup));
            ImGui::SameLine();
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
            if (ImGui::BeginCombo("##iface", groups[i].interface.empty() ? tr(Str::DefaultInterface)
                                                                            : groups[i].interface.c_str())) {
                if (ImGui::Selectable(tr(Str::DefaultInterface), groups[i].interface.empty())) groups[i].interface.clear();
                for (const auto& name : m_interfaces)
                    if (ImGui::Selectable(name.c_str(), name == groups[i].interface)) groups[i].interface = name;
                ImGui::EndCombo();
            }
            tooltip(tr(Str::TipMulticastInterface));
            ImGui::SameLine();
            if (ImGui::SmallButton(tr(Str::Remove))) {
                groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(i));
                ImGui::PopID();
                break;
            }
            asio::error_code ec;
            const auto address = asio::ip::make_address(groups[i].group, ec);
            if (!groups[i].group.empty() && (ec || !address.is_multicast())) {
                ImGui::SameLine();
                ImGui::TextColored(pal.bad, "!");
                tooltip(tr(Str::TipMulticastGroup));
            }
            ImGui::PopID();
        }
        if (ImGui::SmallButton(tr(Str::AddGroup))) groups.push_back({});
        probeItem(model, "editor.field.multicast.groups");
        label(tr(Str::MulticastTtl));
        fieldInputInt(model, "##ttl", "multicast.ttl", c);
        fieldCheckbox(model, tr(Str::MulticastLoop), "multicast.loopback", c);
        tooltip(tr(Str::TipMulticastLoop));
    }
}

void EndpointEditor::draw(UiModel& model, const CommandSink& submit) {
    if (m_openRequested) {
        ImGui::OpenPopup("###endpoint_editor");
        m_openRequested = false;
    }
    const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
    ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(fitToWindow(ImVec2(ImGui::GetFontSize() * 36, ImGui::GetFontSize() * 36)), ImGuiCond_Appearing);
    std::string title = std::string(tr(Str::EditEndpoint)) + "###endpoint_editor";
    bool visible = true;   // the title bar's close button: same as Cancel
    if (!ImGui::BeginPopupModal(title.c_str(), m_open ? &visible : nullptr)) {
        if (m_open && !visible) {
            if (edited()) {
                m_openRequested = true;   // ImGui closed it already: reopen, then ask
                m_confirmRequested = true;
            } else {
                m_open = false;
            }
        }
        return;
    }
    const Palette& pal = palette(model.settings.theme);
    EndpointConfig& c = m_config;

    auto error_line = [&](const std::string& error) {
        if (error.empty()) return;
        ImGui::SetCursorPosX(ImGui::GetFontSize() * 11);
        ImGui::TextColored(pal.bad, "%s", error.c_str());
    };

    ImGui::BeginChild("##form", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() - 4));
    label(tr(Str::Name));
    ImGui::InputText("##name", &c.name);
    probeItem(model, "editor.name");
    probeItem(model, "editor.field.name");
    error_line(nameError());

    label(tr(Str::Type));
    int type = static_cast<int>(c.type);
    // One label per registered kind, in registry order (a new kind adds its label here).
    const char* types[] = {tr(Str::TypeTcpServer), tr(Str::TypeTcpClient), tr(Str::TypeUdp)};
    const auto kinds = registry::kinds();
    IM_ASSERT(kinds.size() == IM_ARRAYSIZE(types));
    ImGui::BeginDisabled(m_id != 0);   // changing an endpoint's kind is a new endpoint
    if (ImGui::Combo("##type", &type, types, static_cast<int>(std::min<std::size_t>(kinds.size(), IM_ARRAYSIZE(types)))))
        c.type = kinds[static_cast<std::size_t>(type)].type;
    probeItem(model, "editor.field.type");
    ImGui::EndDisabled();

    if (c.type == EndpointType::TcpClient) {
        label(tr(Str::RemoteAddress));
        ImGui::InputTextWithHint("##remote", "127.0.0.1:9000", &c.remote);
        probeItem(model, "editor.field.remote");
        tooltip(tr(Str::TipRemoteClient));
        error_line(remoteError());
    }
    label(tr(Str::BindAddress));
    ImGui::InputTextWithHint("##bind", c.type == EndpointType::TcpClient ? tr(Str::HintAny) : "0.0.0.0:9000", &c.bind);
    probeItem(model, "editor.field.bind");
    tooltip(c.type == EndpointType::TcpServer   ? tr(Str::TipBindServer)
            : c.type == EndpointType::TcpClient ? tr(Str::TipBindClient)
                                                : tr(Str::TipBindUdp));
    error_line(bindError());
    if (c.type == EndpointType::Udp) {
        label(tr(Str::RemoteAddress));
        ImGui::InputTextWithHint("##remote", tr(Str::HintLastSender), &c.remote);
        probeItem(model, "editor.field.remote");
        tooltip(tr(Str::TipRemoteUdp));
        error_line(remoteError());
    }

    fieldCheckbox(model, tr(Str::AutoStart), "auto_start", c);
    probeItem(model, "editor.auto_start");
    tooltip(tr(Str::TipAutoStart));
    sameLineIfFits(checkboxWidth(tr(Str::Echo)), ImGui::GetFontSize() * 11);
    fieldCheckbox(model, tr(Str::Echo), "echo", c);
    tooltip(tr(Str::TipEcho));
    if (c.type != EndpointType::Udp) {
        drawPeerFin(model);
        label(tr(Str::WriteQueueLimit));
        fieldInputInt(model, "##wql", "write_queue_limit", c, 1024);   // shown in KiB
        tooltip(tr(Str::TipWriteQueueLimit));
    }
    if (c.type == EndpointType::TcpServer) {
        label(tr(Str::MaxConnections));
        fieldInputInt(model, "##maxconn", "max_connections", c);
        tooltip(tr(Str::TipMaxConnections));
    }
    if (c.type == EndpointType::TcpClient) {
        label(tr(Str::ConnectTimeout));
        fieldInputInt(model, "##ctimeout", "connect_timeout_ms", c);
        tooltip(tr(Str::TipConnectTimeout));
    }
    if (c.type == EndpointType::Udp) {
        fieldCheckbox(model, tr(Str::Broadcast), "broadcast", c);
        tooltip(tr(Str::TipBroadcast));
        sameLineIfFits(checkboxWidth(tr(Str::ReplyToSender)), ImGui::GetFontSize() * 11);
        fieldCheckbox(model, tr(Str::ReplyToSender), "reply_to_sender", c);
        tooltip(tr(Str::TipReplyToSender));
    }
    drawOptions(model);
    drawFraming(model);   // last: the sections above keep their place in the form
    drawReceiveToFile(model);
    drawFaults(model);
    m_rules.draw(model, c, m_id);
    if (c.type == EndpointType::Udp && !m_interfaces.empty()) {
        std::string list;
        for (const auto& name : m_interfaces) list += (list.empty() ? "" : ", ") + name;
        ImGui::TextColored(pal.dim, "%s %s", tr(Str::Interfaces), list.c_str());
    }
    ImGui::EndChild();

    // Only what the field checks above do not already say (the validator's other rules).
    const std::string problem = nameError().empty() && bindError().empty() && remoteError().empty() ? profileError()
                                                                                                   : std::string();
    ImGui::BeginDisabled(!valid());
    if (ImGui::Button(tr(Str::Apply), ImVec2(ImGui::GetFontSize() * 6, 0))) apply(model, submit);
    ImGui::EndDisabled();
    probeItem(model, "editor.apply");
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::Cancel), ImVec2(ImGui::GetFontSize() * 6, 0))) requestCancel();
    probeItem(model, "editor.cancel");
    if (!m_confirmDiscard && ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) &&
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
        requestCancel();
    if (!problem.empty()) {
        ImGui::SameLine();
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(pal.bad, "%s", problem.c_str());
        ImGui::PopTextWrapPos();
    }
    drawDiscardConfirm(model);
    if (!m_open) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void EndpointEditor::drawDiscardConfirm(UiModel& model) {
    const bool opening = m_confirmRequested;   // the Escape that asked must not also answer
    if (m_confirmRequested) {
        ImGui::OpenPopup("###discard_edits");
        m_confirmRequested = false;
        m_confirmDiscard = true;
    }
    const std::string title = std::string(tr(Str::DiscardEditsTitle)) + "###discard_edits";
    bool visible = m_confirmDiscard;
    if (!ImGui::BeginPopupModal(title.c_str(), &visible, ImGuiWindowFlags_AlwaysAutoResize)) {
        m_confirmDiscard = false;
        return;
    }
    ImGui::TextUnformatted(tr(Str::DiscardEditsText));
    const float w = ImGui::GetFontSize() * 7;
    if (ImGui::Button(tr(Str::DontSave), ImVec2(w, 0))) {
        m_confirmDiscard = false;
        m_open = false;
        ImGui::CloseCurrentPopup();
    }
    probeItem(model, "editor.discard");
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::KeepEditing), ImVec2(w, 0)) ||
        (!opening && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))) {
        m_confirmDiscard = false;
        ImGui::CloseCurrentPopup();
    }
    probeItem(model, "editor.keep");
    if (!visible) m_confirmDiscard = false;
    ImGui::EndPopup();
}

}  // namespace sockscope::ui
