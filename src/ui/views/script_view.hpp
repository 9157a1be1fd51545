#pragma once
// The script panel: pick a script of the selected endpoint, run it against the selected
// connection (or the endpoint's first / next one), stop it, and watch it as a live checklist —
// per step its latest result, runs, passes and failures, latency min/median/p95/max over
// repeats — with a histogram of the chosen expect's latencies drawn by ImGui.
#include "ui/ui_model.hpp"
#include "ui/view.hpp"

namespace sockscope::ui {

class ScriptView : public View {
public:
    void draw(ViewContext& ctx) override { draw(ctx.model, ctx.submit); }
    bool hasContent(const UiModel& model) const override {
        const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
        return endpoint != nullptr && !endpoint->config.scripts.empty();
    }
    /// Draws inside the current window. Nothing when the endpoint has no scripts.
    void draw(UiModel& model, const CommandSink& submit);

private:
    void drawChecklist(UiModel& model, const ScriptRunView& run);
    int m_script = 0;       // index into the endpoint's scripts
    int m_histStep = -1;    // the expect whose histogram shows (-1: the first with data)
};

}  // namespace sockscope::ui
