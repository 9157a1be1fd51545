#include "ui/views/recording_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <filesystem>

#include "core/profile/recording_json.hpp"
#include "core/registry/endpoint_registry.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/views/endpoint_editor_fields.hpp"
#include "ui/window_fit.hpp"

namespace sockscope::ui {
namespace {

const char* stateText(RecordingState state) {
    switch (state) {
        case RecordingState::Running: return tr(Str::RecRunning);
        case RecordingState::Stopped: return tr(Str::RecStopped);
        case RecordingState::Failed: return tr(Str::RecFailed);
    }
    return "?";
}

std::string bytesText(std::uint64_t bytes) {
    char text[32];
    if (bytes >= 10'000'000) std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
    else if (bytes >= 10'000) std::snprintf(text, sizeof text, "%.1f kB", bytes / 1e3);
    else std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
    return text;
}

}  // namespace

std::string RecordingView::resolve(const UiModel& model, const std::string& path) {
    return resolveProfilePath(path, model.workspace.path.value_or(""));
}

void RecordingView::draw(UiModel& model, const CommandSink& submit) {
    takeFailedStartsOutOfProfile(model);
    if (!m_visible) return;
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowSize(fitToWindow(ImVec2(em * 56, em * 31)), ImGuiCond_FirstUseEver);
    const std::string title = std::string(tr(Str::RecTitle)) + "###recording";
    // Sized in ems when first shown: after a larger font is chosen, scroll rather than cut off.
    if (ImGui::Begin(title.c_str(), &m_visible, ImGuiWindowFlags_HorizontalScrollbar)) {
        probeItem(model, "recording.window");
        drawRecorders(model, submit);
        ImGui::Separator();
        drawNewRecorder(model, submit);
        ImGui::Separator();
        drawReceiveToFile(model, submit);
    }
    ImGui::End();
}

/// A recorder started here that failed before its file was open (a bad path, no permission)
/// would fail again each time the profile opens: it leaves the profile, and the window says so.
/// One whose file opened and that failed later (a full disk) stays, as does one the profile
/// itself started.
void RecordingView::takeFailedStartsOutOfProfile(UiModel& model) {
    for (auto it = m_startedHere.begin(); it != m_startedHere.end();) {
        const auto status = model.recordings.find(*it);
        if (status == model.recordings.end()) {
            ++it;
            continue;
        }
        const RecordingStatus& r = status->second;
        if (r.state == RecordingState::Failed && r.files == 0 && model.recorderInProfile(*it)) {
            if (auto config = model.dropRecorderFromProfile(*it)) m_profileConfigs[*it] = std::move(*config);
            m_message = Str::RecFailedLeftProfile;
        }
        if (r.state != RecordingState::Running || r.files > 0) it = m_startedHere.erase(it);
        else ++it;
    }
}

void RecordingView::drawRecorders(UiModel& model, const CommandSink& submit) {
    if (model.recordings.empty()) {
        ImGui::TextDisabled("%s", tr(Str::RecNone));
        return;
    }
    const Palette& pal = palette(model.settings.theme);
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                  ImGuiTableFlags_ScrollY;
    const float height = std::min<float>(ImGui::GetFontSize() * 10, ImGui::GetFrameHeightWithSpacing() * (model.recordings.size() + 2));
    if (!ImGui::BeginTable("##recorders", 9, flags, ImVec2(0, height))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr(Str::RecFile), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn(tr(Str::RecFormat));
    ImGui::TableSetupColumn(tr(Str::RecState));
    ImGui::TableSetupColumn(tr(Str::RecWritten));
    ImGui::TableSetupColumn(tr(Str::RecRecords));
    ImGui::TableSetupColumn(tr(Str::RecDropped));
    ImGui::TableSetupColumn(tr(Str::RecPauses));
    ImGui::TableSetupColumn(tr(Str::RecProfileColumn));
    ImGui::TableSetupColumn("");
    ImGui::TableHeadersRow();
    for (const auto& [id, r] : model.recordings) {
        ImGui::PushID(static_cast<int>(id));
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.path.c_str());
        if (r.error) {
            ImGui::PushTextWrapPos(0);
            ImGui::TextColored(pal.bad, "%s", errorText(*r.error).c_str());
            ImGui::PopTextWrapPos();
        }
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(toString(r.format));
        ImGui::TableNextColumn();
        if (r.state == RecordingState::Failed) ImGui::TextColored(pal.bad, "%s", stateText(r.state));
        else ImGui::TextUnformatted(stateText(r.state));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(bytesText(r.bytes_written).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%llu", static_cast<unsigned long long>(r.records));
        ImGui::TableNextColumn();
        if (r.dropped) ImGui::TextColored(pal.bad, "%llu", static_cast<unsigned long long>(r.dropped));
        else ImGui::TextUnformatted("0");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: %s", tr(Str::RecOnFull),
                                                      tr(r.on_full == RecordOnFull::Drop ? Str::RecDrop : Str::RecPause));
        ImGui::TableNextColumn();
        ImGui::Text("%llu", static_cast<unsigned long long>(r.pauses));
        ImGui::TableNextColumn();
        drawInProfile(model, id);
        ImGui::TableNextColumn();
        if (r.state == RecordingState::Running && ImGui::SmallButton(tr(Str::RecStop))) {
            submit(StopRecording{id});
            // Stopped on purpose: the profile would start it again at the next open. Its box
            // puts it back.
            if (auto config = model.dropRecorderFromProfile(id)) {
                m_profileConfigs[id] = std::move(*config);
                m_message = Str::RecStoppedLeftProfile;
            }
        }
        probeItem(model, "recording.stop." + std::to_string(id));
        ImGui::PopID();
    }
    ImGui::EndTable();
}

void RecordingView::drawInProfile(UiModel& model, RecordingId id) {
    const bool in_profile = model.recorderInProfile(id);
    const auto known = m_profileConfigs.find(id);
    if (!in_profile && known == m_profileConfigs.end()) {   // receive to file: the endpoint's own setting
        ImGui::TextDisabled("-");
        return;
    }
    bool keep = in_profile;
    if (ImGui::Checkbox("##inprofile", &keep)) {
        if (keep) {
            model.keepRecorderInProfile(id, known->second);
        } else if (auto config = model.dropRecorderFromProfile(id)) {
            m_profileConfigs[id] = std::move(*config);
        }
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::RecInProfileTip));
    probeItem(model, "recording.in_profile." + std::to_string(id));
}

void RecordingView::drawNewRecorder(UiModel& model, const CommandSink& submit) {
    const float em = ImGui::GetFontSize();
    const float label_x = em * 13;
    const auto& endpoints = model.workspace.endpoints();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(Str::RecFile));
    ImGui::SameLine(label_x);
    ImGui::SetNextItemWidth(-1);
    ImGui::InputText("##recpath", &m_path);
    probeItem(model, "recording.path");

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(Str::RecFormat));
    ImGui::SameLine(label_x);
    // "auto", then the recording formats of the tap kinds (registry::tapKinds()), in their order.
    std::vector<const char*> formats{tr(Str::RecFormatAuto)};
    for (const registry::TapDescriptor& kind : registry::tapKinds())
        if (kind.recording) formats.push_back(kind.name.data());
    ImGui::SetNextItemWidth(em * 12);
    ImGui::Combo("##recformat", &m_format, formats.data(), static_cast<int>(formats.size()));

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(Str::RecScope));
    ImGui::SameLine(label_x);
    if (m_scope > static_cast<int>(endpoints.size())) m_scope = 0;
    ImGui::SetNextItemWidth(em * 12);
    if (ImGui::BeginCombo("##recscope", m_scope == 0 ? tr(Str::RecScopeAll) : endpoints[m_scope - 1].config.name.c_str())) {
        if (ImGui::Selectable(tr(Str::RecScopeAll), m_scope == 0)) m_scope = 0;
        for (std::size_t i = 0; i < endpoints.size(); ++i) {
            ImGui::PushID(static_cast<int>(i));
            if (ImGui::Selectable(endpoints[i].config.name.c_str(), m_scope == static_cast<int>(i) + 1))
                m_scope = static_cast<int>(i) + 1;
            ImGui::PopID();
        }
        ImGui::EndCombo();
    }

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(Str::RecOnFull));
    ImGui::SameLine(label_x);
    int on_full = m_drop ? 1 : 0;
    const char* modes[] = {tr(Str::RecPause), tr(Str::RecDrop)};
    ImGui::SetNextItemWidth(em * 12);
    if (ImGui::Combo("##reconfull", &on_full, modes, 2)) m_drop = on_full == 1;

    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(Str::RecRotateMb));
    ImGui::SameLine(label_x);
    ImGui::SetNextItemWidth(em * 6);
    stageInputDouble(model, "##recrotate", "recording", "rotate_mb", m_rotateMb, "%.0f");
    ImGui::SameLine();
    ImGui::TextUnformatted(tr(Str::RecKeep));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 5);
    stageInputInt(model, "##reckeep", "recording", "keep", m_keep);

    if (ImGui::Button(tr(Str::RecStart))) {
        RecordingConfig config;
        config.path = resolve(model, m_path);
        const auto format = m_format == 0 ? recordFormatFromPath(m_path) : recordFormatFromString(formats[m_format]);
        if (!format || m_path.empty()) {
            m_message = Str::RecBadExt;
        } else {
            m_message.reset();
            config.format = *format;
            config.scope = m_scope == 0 ? "all" : endpoints[m_scope - 1].config.name;
            config.on_full = m_drop ? RecordOnFull::Drop : RecordOnFull::Pause;
            config.rotate_mb = m_rotateMb;
            config.keep = static_cast<std::uint32_t>(m_keep);
            while (model.recordings.count(m_nextId) || model.recorderInProfile(m_nextId)) ++m_nextId;
            const RecordingId id = m_nextId++;
            // The profile keeps the path as typed (relative to its file, as profiles write paths);
            // a workspace not saved yet keeps the file it writes now.
            RecordingConfig kept = config;
            std::error_code ec;
            if (model.workspace.path) kept.path = m_path;
            else if (const auto full = std::filesystem::absolute(config.path, ec); !ec) kept.path = full.string();
            m_profileConfigs[id] = kept;
            if (m_inProfile) model.keepRecorderInProfile(id, std::move(kept));
            m_startedHere.insert(id);
            submit(StartRecording{id, std::move(config)});
        }
    }
    probeItem(model, "recording.start");
    ImGui::SameLine();
    ImGui::Checkbox(tr(Str::RecInProfile), &m_inProfile);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::RecInProfileTip));
    probeItem(model, "recording.in_profile");
    if (m_message) {   // its own line, wrapped: a sentence fits at every font scale
        ImGui::PushStyleColor(ImGuiCol_Text, palette(model.settings.theme).bad);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(tr(*m_message));
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
    }
}

void RecordingView::drawReceiveToFile(UiModel& model, const CommandSink& submit) {
    ImGui::TextUnformatted(tr(Str::RecReceiveToFile));
    const EndpointId endpoint = model.selection.endpoint;
    const std::string name = endpoint ? model.endpointName(endpoint) : std::string();
    ImGui::SameLine();
    if (endpoint == 0) {
        ImGui::TextDisabled("-");
        return;
    }
    const ConnectionId connection = model.selection.connection;
    if (connection)
        ImGui::Text(tr(Str::RecForConnection), name.c_str(), static_cast<unsigned long long>(connection));
    else
        ImGui::Text(tr(Str::RecForAllConnections), name.c_str());
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 20);
    ImGui::InputText("##rxpath", &m_rxPath);
    ImGui::SameLine();
    ImGui::Checkbox(tr(Str::RecFramed), &m_rxFramed);
    // One receive-to-file per endpoint or connection: its id says which, so a second click restarts it.
    const RecordingId id = kReceiveToFileBase - 1 - static_cast<RecordingId>((endpoint * 4096u + connection) % 0x40000000u);
    const auto running = model.recordings.find(id);
    const bool on = running != model.recordings.end() && running->second.state == RecordingState::Running;
    if (on) {
        if (ImGui::Button(tr(Str::RecStop))) submit(StopRecording{id});
    } else if (ImGui::Button(tr(Str::RecStartReceive)) && !m_rxPath.empty()) {
        RecordingConfig config;
        config.path = resolve(model, m_rxPath);
        config.format = m_rxFramed ? RecordFormat::RawFramed : RecordFormat::Raw;
        config.scope = connection ? name + "/" + std::to_string(connection) : name;
        config.keep = 0;
        submit(StartRecording{id, std::move(config)});
    }
    probeItem(model, "recording.receive");
}

}  // namespace sockscope::ui
