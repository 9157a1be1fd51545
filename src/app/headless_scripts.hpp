#pragma once
// `--run SCRIPT` / `--report results.xml` of the headless runner (docs/headless.md, "Scripts"):
// which scripts to run, their `script` lines, the summary, the JUnit XML report and the exit code.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/profile/profile.hpp"

namespace sockscope {

/// One `--run` resolved against the profile.
struct ScriptTarget {
    std::size_t endpoint_index = 0;   // in profile.endpoints (its engine id is index + 1)
    std::string endpoint;
    std::string script;
};

/// `SCRIPT` (unique across the profile) or `ENDPOINT/SCRIPT`. nullopt and `error` (plain words,
/// naming what exists) for an unknown or ambiguous name.
std::optional<ScriptTarget> resolveScript(const Profile& profile, const std::string& name, std::string& error);

/// What one run reported, gathered from its ScriptEvents.
struct ScriptRunReport {
    ScriptTarget target;
    std::uint64_t run = 0;
    std::vector<std::string> steps;       // step lines (Started)
    std::vector<bool> expect_steps;       // which steps are expects (Started)
    [[nodiscard]] bool isExpect(std::size_t step) const { return step < expect_steps.size() && expect_steps[step]; }
    bool started = false;                 // Started seen
    /// Stopped by the run's end (--for, a signal, no endpoint left) before it finished: its
    /// Finished event (stopped) holds what ran up to the stop.
    bool cut_short = false;
    std::optional<ScriptEvent> finished;

    /// It did not run to its end: no Finished at all, or cut short by the run's end.
    bool unfinished() const { return !finished || cut_short; }
};

/// Follows the runs, makes their output lines, the report and the exit code.
class ScriptTracker {
public:
    explicit ScriptTracker(bool jsonl) : m_jsonl(jsonl) {}
    /// Run ids are 1..N in the order added.
    std::uint64_t add(ScriptTarget target);
    bool empty() const { return m_runs.empty(); }
    /// Lines to print for one event (none for progress).
    std::vector<std::string> note(const ScriptEvent& event, const std::string& time_text);
    bool allFinished() const;
    /// The run's end is stopping `run` before it finished: its Finished (stopped) reports it as
    /// unfinished, with what it ran.
    void cutShort(std::uint64_t run);
    /// A run has started and not finished: the run must not end because its endpoint stopped (a
    /// tcp-client's `close` step stops it; a later `connect` step starts it again).
    bool anyRunning() const;
    bool allPassed() const;
    /// Summary lines (text or jsonl), one per run.
    std::vector<std::string> summary(const std::string& time_text) const;
    /// The JUnit XML document.
    std::string junit() const;
    const std::vector<ScriptRunReport>& runs() const { return m_runs; }
    /// `endpoint` failed (`why`: "could not start: connection refused by …"): its runs that did not
    /// finish say that in the summary and the report, not only that the run ended first.
    void endpointFailed(const std::string& endpoint, const std::string& why) { m_endpointFailures[endpoint] = why; }

private:
    /// Why an unfinished run did not finish: its endpoint's failure, when it had one.
    std::string unfinishedWhy(const ScriptRunReport& run) const;
    ScriptRunReport* find(std::uint64_t run);
    std::string stepName(const ScriptRunReport& run, std::uint32_t step) const;

    bool m_jsonl;
    std::vector<ScriptRunReport> m_runs;
    std::map<std::string, std::string> m_endpointFailures;   // endpoint name → why it failed
};

/// "&amp;"-escaped text for XML 1.0: characters XML cannot hold (control bytes) become "?".
std::string xmlEscape(std::string_view text);

}  // namespace sockscope
