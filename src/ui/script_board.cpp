#include "ui/script_board.hpp"

namespace sockscope::ui {

void ScriptBoard::apply(const ScriptEvent& event) {
    if (event.kind == ScriptEventKind::Started || !m_runs.count(event.endpoint)) {
        ScriptRunView& view = m_runs[event.endpoint];
        if (event.kind == ScriptEventKind::Started || view.run != event.run) {
            view = ScriptRunView{};
            view.endpoint = event.endpoint;
            view.run = event.run;
            view.script = event.script;
        }
    }
    ScriptRunView& view = m_runs[event.endpoint];
    if (view.run != event.run) return;   // an older run's late event
    if (event.connection) view.connection = event.connection;
    switch (event.kind) {
    case ScriptEventKind::Started:
        view.steps = event.steps;
        view.depths = event.depths;
        view.expect_steps = event.expect_steps;
        view.last.assign(event.steps.size(), std::nullopt);
        break;
    case ScriptEventKind::Step:
        if (event.result && event.result->step < view.last.size()) view.last[event.result->step] = event.result->outcome;
        if (event.failure) view.failure = event.failure;
        break;
    case ScriptEventKind::Progress:
        view.stats = event.stats;
        view.elapsed_us = event.elapsed_us;
        break;
    case ScriptEventKind::Finished:
        view.stats = event.stats;
        view.elapsed_us = event.elapsed_us;
        view.finished = true;
        view.passed = event.passed;
        view.stopped = event.stopped;
        view.error = event.error;
        if (!event.failures.empty()) view.failure = event.failures.back();
        for (const ScriptStepResult& r : event.expects)
            if (r.step < view.last.size()) view.last[r.step] = r.outcome;
        break;
    }
}

const ScriptRunView* ScriptBoard::latest(EndpointId endpoint) const {
    auto it = m_runs.find(endpoint);
    return it == m_runs.end() ? nullptr : &it->second;
}

}  // namespace sockscope::ui
