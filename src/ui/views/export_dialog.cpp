#include "ui/views/export_dialog.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "ui/format.hpp"
#include "ui/i18n.hpp"
#include "ui/probe.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {
namespace fs = std::filesystem;
namespace {

constexpr std::chrono::microseconds kStepBudget{6000};
constexpr const char* kPopupId = "###exportlog";   // formatting per frame: well under 50 ms

const char* formatLabel(ExportFormat f) {
    switch (f) {
        case ExportFormat::Csv: return tr(Str::ExportCsv);
        case ExportFormat::Jsonl: return tr(Str::ExportJsonl);
        case ExportFormat::Text: return tr(Str::ExportText);
        case ExportFormat::Pcapng: return tr(Str::ExportPcapng);
    }
    return "";
}

std::string defaultPath(ExportFormat format) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
#if defined(_WIN32)
    localtime_s(&local, &now);
#else
    localtime_r(&now, &local);
#endif
    char name[64];
    std::strftime(name, sizeof name, "sockscope-log-%Y%m%d-%H%M%S", &local);
    std::error_code ec;
    const fs::path dir = fs::current_path(ec);
    return ((ec ? fs::path(".") : dir) / (std::string(name) + extensionOf(format))).string();
}

/// The path with the format's extension in place of a known one (a name the user typed stays).
std::string withExtension(const std::string& path, ExportFormat format) {
    fs::path p(path);
    const std::string ext = p.extension().string();
    for (const ExportFormat f : {ExportFormat::Csv, ExportFormat::Jsonl, ExportFormat::Text, ExportFormat::Pcapng})
        if (ext == extensionOf(f)) return p.replace_extension(extensionOf(format)).string();
    return path;
}

}  // namespace

ExportLookup exportLookup(const UiModel& model) {
    return [&model](EndpointId endpoint, ConnectionId connection) {
        ExportNames n;
        n.endpoint = model.endpointName(endpoint);
        if (const WorkspaceEndpoint* w = model.workspace.find(endpoint)) n.type = w->config.type;
        if (const EndpointRow* row = model.table.endpoint(endpoint)) n.local = row->status.local;
        if (connection != 0)
            if (const ConnectionRow* c = model.table.connection(endpoint, connection)) {
                n.local = c->local;
                n.peer = c->peer;
            }
        return n;
    };
}

void ExportDialog::open(ExportScope initial) {
    if (!running()) {
        scope = initial;
        if (path.empty()) path = defaultPath(format);
        m_result.clear();
    }
    m_openRequested = true;
}

void ExportDialog::start(UiModel& model, ExportRows rows) {
    m_result.clear();
    m_resultError = false;
    m_job = std::make_unique<LogExportJob>(ExportRequest{fs::path(path), format, model.settings.encoding, std::move(rows)},
                                           exportLookup(model));
    step(model);
}

void ExportDialog::cancel() {
    if (m_job && !m_job->finished()) m_job->cancel();
}

void ExportDialog::step(UiModel& model) {
    if (!m_job) return;
    if (!m_job->finished()) {
        m_job->step(model.log, kStepBudget);
        model.busy = true;   // the next frame comes soon even without input
        return;
    }
    if (m_result.empty()) finishResult();
}

void ExportDialog::finishResult() {
    char text[1024];
    const LogExportJob& job = *m_job;
    switch (job.state()) {
        case ExportSink::State::Done: {
            std::snprintf(text, sizeof text, tr(Str::ExportDone), formatCount(job.exported()).c_str(),
                          job.request().path.string().c_str(),
                          formatBytes(static_cast<double>(job.bytesWritten())).c_str());
            m_result = text;
            if (job.evicted() + job.omitted() > 0) {
                std::snprintf(text, sizeof text, tr(Str::ExportLeftOut), formatCount(job.evicted() + job.omitted()).c_str(),
                              formatCount(job.evicted()).c_str(), formatCount(job.omitted()).c_str());
                m_result += "\n";
                m_result += text;
            }
            m_resultError = false;
            break;
        }
        case ExportSink::State::Cancelled:
            std::snprintf(text, sizeof text, tr(Str::ExportCancelled), job.request().path.string().c_str());
            m_result = text;
            m_resultError = false;
            break;
        default:
            std::snprintf(text, sizeof text, tr(Str::ExportFailed), errorText(job.errorInfo()).c_str());
            m_result = text;
            m_resultError = true;
            break;
    }
}

void ExportDialog::draw(UiModel& model, const std::array<std::size_t, 3>& counts, const RowsFor& rows) {
    step(model);
    if (m_openRequested) {
        ImGui::OpenPopup(kPopupId);
        m_openRequested = false;
    }
    const float font = ImGui::GetFontSize();
    // A fixed width (wrapped result text and the path field fill it), the height of what is shown.
    const float width = std::min(font * 34, ImGui::GetIO().DisplaySize.x * 0.9f);
    ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0), ImVec2(width, FLT_MAX));
    const std::string title = std::string(tr(Str::ExportTitle)) + kPopupId;   // the id outlives a language switch
    m_visible = ImGui::BeginPopupModal(title.c_str(), nullptr,
                                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize);
    if (!m_visible) return;
    const Palette& pal = palette(model.settings.theme);
    const bool busy = running();
    ImGui::BeginDisabled(busy);
    ImGui::TextUnformatted(tr(Str::ExportRows));
    const Str labels[3] = {Str::ExportSelection, Str::ExportFiltered, Str::ExportEverything};
    for (int i = 0; i < 3; ++i) {
        char label[128];
        std::snprintf(label, sizeof label, tr(labels[i]), formatCount(counts[static_cast<std::size_t>(i)]).c_str());
        ImGui::BeginDisabled(i == 0 && counts[0] == 0);
        if (ImGui::RadioButton(label, scope == static_cast<ExportScope>(i))) scope = static_cast<ExportScope>(i);
        ImGui::EndDisabled();
        probeItem(model, std::string("export.scope.") + std::to_string(i));
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(tr(Str::ExportFormatLabel));
    for (const ExportFormat f : {ExportFormat::Csv, ExportFormat::Jsonl, ExportFormat::Text, ExportFormat::Pcapng}) {
        if (ImGui::RadioButton(formatLabel(f), format == f)) {
            format = f;
            path = withExtension(path, f);
        }
        probeItem(model, std::string("export.format.") + toString(f));
    }
    ImGui::Spacing();
    ImGui::TextUnformatted(tr(Str::ExportFile));
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputText("##exportpath", &path);
    probeItem(model, "export.path");
    std::error_code ec;
    if (!path.empty() && fs::is_regular_file(path, ec)) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(pal.warn, "%s", tr(Str::ExportReplace));
        ImGui::PopTextWrapPos();
    }
    ImGui::EndDisabled();

    ImGui::Separator();
    if (m_job && !m_job->finished()) {
        const LogExportJob& job = *m_job;
        const float fraction = job.total() ? static_cast<float>(job.done()) / static_cast<float>(job.total()) : 1.0f;
        char overlay[160];
        if (job.done() >= job.total()) std::snprintf(overlay, sizeof overlay, "%s", tr(Str::ExportFinishing));
        else
            std::snprintf(overlay, sizeof overlay, tr(Str::ExportProgress), formatCount(job.done()).c_str(),
                          formatCount(job.total()).c_str(), formatBytes(static_cast<double>(job.bytesWritten())).c_str());
        ImGui::ProgressBar(fraction, ImVec2(-FLT_MIN, 0), overlay);
        probeItem(model, "export.progress");
        if (ImGui::Button(tr(Str::Cancel))) cancel();
        probeItem(model, "export.cancel");
    } else {
        if (!m_result.empty()) {
            ImGui::PushTextWrapPos(0);
            ImGui::TextColored(m_resultError ? pal.bad : pal.good, "%s", m_result.c_str());
            ImGui::PopTextWrapPos();
            probeItem(model, "export.result");
        }
        const std::size_t count = counts[static_cast<std::size_t>(scope)];
        ImGui::BeginDisabled(path.empty() || (scope == ExportScope::Selection && count == 0));
        if (ImGui::Button(tr(Str::ExportStart))) start(model, rows(scope));
        ImGui::EndDisabled();
        probeItem(model, "export.start");
        if (path.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
            ImGui::SetTooltip("%s", tr(Str::ExportNoPath));
        ImGui::SameLine();
        if (ImGui::Button(tr(Str::Close)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))
            ImGui::CloseCurrentPopup();
        probeItem(model, "export.close");
    }
    ImGui::EndPopup();
}

}  // namespace sockscope::ui
