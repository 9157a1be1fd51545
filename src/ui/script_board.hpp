#pragma once
// The front end's picture of script runs, rebuilt from ScriptEvents alone (no ImGui): the latest
// run per endpoint with its checklist (a row per step: last outcome, counts, latency statistics
// and histogram). Bounded: one run per endpoint.
#include <map>
#include <string>
#include <vector>

#include "core/events.hpp"

namespace sockscope::ui {

struct ScriptRunView {
    EndpointId endpoint = 0;
    ConnectionId connection = 0;
    std::uint64_t run = 0;
    std::string script;
    std::vector<std::string> steps;
    std::vector<bool> expect_steps;   // which steps are expects (named or not)
    std::vector<std::uint32_t> depths;
    std::vector<ScriptStepStats> stats;                 // per step (Progress / Finished)
    std::vector<std::optional<ScriptOutcome>> last;     // per step: the latest result
    std::optional<ScriptFailure> failure;               // the latest failure
    bool finished = false, passed = false, stopped = false;
    std::string error;
    std::uint64_t elapsed_us = 0;
};

class ScriptBoard {
public:
    void apply(const ScriptEvent& event);
    const ScriptRunView* latest(EndpointId endpoint) const;
    /// A run id for the next RunScript from this front end.
    std::uint64_t nextRun() { return ++m_lastRun; }

private:
    std::map<EndpointId, ScriptRunView> m_runs;
    std::uint64_t m_lastRun = 0;
};

}  // namespace sockscope::ui
