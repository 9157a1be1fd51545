#include "ui/views/script_view.hpp"

#include <imgui.h>

#include <cstdio>

#include "core/codec/hex.hpp"
#include "ui/probe.hpp"

namespace sockscope::ui {

void ScriptView::draw(UiModel& model, const CommandSink& submit) {
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    if (endpoint == nullptr || endpoint->config.scripts.empty()) return;
    const auto& scripts = endpoint->config.scripts;
    m_script = std::clamp(m_script, 0, static_cast<int>(scripts.size()) - 1);
    ImGui::PushID("scripts");
    ImGui::TextUnformatted(tr(Str::ScriptsTitle));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo("##script", scripts[static_cast<std::size_t>(m_script)].name.c_str())) {
        for (int i = 0; i < static_cast<int>(scripts.size()); ++i)
            if (ImGui::Selectable(scripts[static_cast<std::size_t>(i)].name.c_str(), i == m_script)) m_script = i;
        ImGui::EndCombo();
    }
    const ScriptRunView* run = model.scripts.latest(model.selection.endpoint);
    const bool running = run && !run->finished;
    ImGui::SameLine();
    const bool run_clicked = ImGui::Button(tr(Str::ScriptRun));
    probeItem(model, "scripts.run");
    if (run_clicked && !running) {
        m_histStep = -1;
        submit(RunScript{model.selection.endpoint, scripts[static_cast<std::size_t>(m_script)].name,
                         model.selection.connection, model.scripts.nextRun()});
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!running);
    const bool stop_clicked = ImGui::Button(tr(Str::ScriptStop));
    probeItem(model, "scripts.stop");
    if (stop_clicked && running) submit(StopScript{model.selection.endpoint, run->run});
    ImGui::EndDisabled();
    if (run) {
        ImGui::SameLine();
        const char* state = !run->finished ? tr(Str::ScriptRunning) : run->passed ? tr(Str::ScriptPassed) : tr(Str::ScriptFailedRun);
        const ImVec4 color = !run->finished ? ImVec4(0.9f, 0.8f, 0.3f, 1) : run->passed ? ImVec4(0.3f, 0.85f, 0.4f, 1) : ImVec4(1, 0.35f, 0.35f, 1);
        ImGui::TextColored(color, "%s: %s  %.3f s", run->script.c_str(), state, static_cast<double>(run->elapsed_us) / 1e6);
        if (!run->error.empty()) ImGui::TextWrapped("%s", run->error.c_str());
        drawChecklist(model, *run);
    }
    ImGui::PopID();
}

void ScriptView::drawChecklist(UiModel& model, const ScriptRunView& run) {
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp;
    if (ImGui::BeginTable("##checklist", 4, flags)) {
        ImGui::TableSetupColumn(tr(Str::ScriptStep), ImGuiTableColumnFlags_WidthStretch, 3.0f);
        ImGui::TableSetupColumn(tr(Str::ScriptResult), ImGuiTableColumnFlags_WidthStretch, 0.8f);
        ImGui::TableSetupColumn(tr(Str::ScriptRuns), ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn(tr(Str::ScriptLatency), ImGuiTableColumnFlags_WidthStretch, 2.2f);
        ImGui::TableHeadersRow();
        for (std::size_t i = 0; i < run.steps.size(); ++i) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const float indent = 14.0f * static_cast<float>(i < run.depths.size() ? run.depths[i] : 0);
            if (indent > 0) ImGui::Indent(indent);
            const bool expect = i < run.expect_steps.size() && run.expect_steps[i];
            char label[48];
            std::snprintf(label, sizeof label, "%zu##step%zu", i + 1, i);
            if (ImGui::Selectable(label, expect && static_cast<int>(i) == m_histStep, ImGuiSelectableFlags_SpanAllColumns) && expect)
                m_histStep = static_cast<int>(i);
            ImGui::SameLine();
            ImGui::TextUnformatted(run.steps[i].c_str());
            if (indent > 0) ImGui::Unindent(indent);
            ImGui::TableNextColumn();
            if (i < run.last.size() && run.last[i]) {
                const ScriptOutcome o = *run.last[i];
                if (o == ScriptOutcome::Passed || o == ScriptOutcome::Done) ImGui::TextColored(ImVec4(0.3f, 0.85f, 0.4f, 1), "%s", tr(Str::ScriptPass));
                else ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "%s", tr(o == ScriptOutcome::TimedOut ? Str::ScriptTimeout
                                                                            : o == ScriptOutcome::Closed ? Str::ScriptClosed
                                                                                                         : Str::ScriptFail));
            }
            const ScriptStepStats* s = i < run.stats.size() ? &run.stats[i] : nullptr;
            ImGui::TableNextColumn();
            if (s && s->runs) ImGui::Text("%llu (%llu/%llu)", static_cast<unsigned long long>(s->runs),
                                          static_cast<unsigned long long>(s->passed), static_cast<unsigned long long>(s->failed));
            ImGui::TableNextColumn();
            if (s && s->passed && expect) ImGui::Text("%u / %u / %u / %u", s->min_us, s->median_us, s->p95_us, s->max_us);
        }
        ImGui::EndTable();
    }
    if (run.failure) {
        ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "%s", run.failure->message.c_str());
        ImGui::Text("%s: %s", tr(Str::ScriptExpected), formatHex(run.failure->expected_bytes).c_str());
        ImGui::Text("%s: %s", tr(Str::ScriptReceived), formatHex(run.failure->received).c_str());
    }
    // The histogram of one expect step's latencies.
    const ScriptStepStats* hist = nullptr;
    for (const ScriptStepStats& s : run.stats) {   // the chosen expect, else the one with most samples
        if (s.histogram.empty()) continue;
        if (m_histStep >= 0 ? static_cast<int>(s.step) == m_histStep : (!hist || s.passed > hist->passed)) hist = &s;
    }
    if (hist == nullptr) return;
    float bins[kScriptHistogramBins] = {};
    float top = 1;
    for (std::size_t b = 0; b < hist->histogram.size() && b < kScriptHistogramBins; ++b) {
        bins[b] = static_cast<float>(hist->histogram[b]);
        top = std::max(top, bins[b]);
    }
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "step %u: %u .. %u us", hist->step + 1, hist->min_us,
                  std::min(hist->max_us, 2 * hist->p95_us));
    ImGui::TextUnformatted(tr(Str::ScriptHistogram));
    ImGui::PlotHistogram("##latency", bins, static_cast<int>(kScriptHistogramBins), 0, overlay, 0.0f, top,
                         ImVec2(ImGui::GetContentRegionAvail().x, 90));
    probeItem(model, "scripts.histogram");
}

}  // namespace sockscope::ui
