#include "app/headless_scripts.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"

namespace sockscope {
namespace {

using Json = nlohmann::ordered_json;

std::string safe(std::string_view text) {
    return escapeForDisplay(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string seconds(std::uint64_t us) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", static_cast<double>(us) / 1e6);
    return text;
}

std::string hexOrNothing(const Bytes& bytes) { return bytes.empty() ? "(nothing)" : formatHex(bytes); }

constexpr const char* kUnfinished = "the script did not finish before the run ended";

bool failedOutcome(ScriptOutcome o) {
    return o == ScriptOutcome::Failed || o == ScriptOutcome::TimedOut || o == ScriptOutcome::Error ||
           o == ScriptOutcome::Closed;
}

}  // namespace

std::optional<ScriptTarget> resolveScript(const Profile& profile, const std::string& name, std::string& error) {
    const auto slash = name.rfind('/');
    std::vector<ScriptTarget> found;
    std::string known;
    for (std::size_t i = 0; i < profile.endpoints.size(); ++i) {
        const EndpointConfig& e = profile.endpoints[i];
        for (const Script& s : e.scripts) {
            known += (known.empty() ? "" : ", ") + e.name + "/" + s.name;
            // ENDPOINT/SCRIPT: a script name holds no '/', an endpoint name may (split at the last one).
            const bool hit = slash == std::string::npos ? s.name == name : e.name + "/" + s.name == name;
            if (hit) found.push_back(ScriptTarget{i, e.name, s.name});
        }
    }
    if (found.size() == 1) return found.front();
    if (found.empty()) {
        error = "--run: no script named \"" + safe(name) + "\" in the profile" +
                (known.empty() ? std::string(" (it has no scripts)") : " (scripts: " + safe(known) + ")");
    } else {
        std::string where;
        for (const auto& t : found) where += (where.empty() ? "" : ", ") + t.endpoint + "/" + t.script;
        error = "--run: \"" + safe(name) + "\" is ambiguous: " + std::to_string(found.size()) +
                " endpoints have a script of that name; say which: " + safe(where);
    }
    return std::nullopt;
}

std::uint64_t ScriptTracker::add(ScriptTarget target) {
    ScriptRunReport report;
    report.target = std::move(target);
    report.run = m_runs.size() + 1;
    m_runs.push_back(std::move(report));
    return m_runs.back().run;
}

ScriptRunReport* ScriptTracker::find(std::uint64_t run) {
    for (auto& r : m_runs)
        if (r.run == run) return &r;
    return nullptr;
}

std::string ScriptTracker::stepName(const ScriptRunReport& run, std::uint32_t step) const {
    std::string out = "step " + std::to_string(step + 1);
    if (step < run.steps.size()) out += ": " + run.steps[step];
    return out;
}

std::vector<std::string> ScriptTracker::note(const ScriptEvent& event, const std::string& time_text) {
    ScriptRunReport* run = find(event.run);
    if (run == nullptr) return {};
    const std::string who = run->target.endpoint + "/" + run->target.script;
    switch (event.kind) {
    case ScriptEventKind::Started: {
        run->steps = event.steps;
        run->expect_steps = event.expect_steps;
        run->started = true;
        if (m_jsonl)
            return {dump(Json{{"time", time_text}, {"endpoint", run->target.endpoint}, {"event", "script"},
                              {"script", run->target.script}, {"status", "started"}, {"conn", event.connection},
                              {"steps", event.steps.size()}})};
        return {time_text + "  " + safe(run->target.endpoint) + "  script \"" + safe(run->target.script) +
                "\" started" + (event.connection ? " on #" + std::to_string(event.connection) : std::string()) + " (" +
                std::to_string(event.steps.size()) + " steps)"};
    }
    case ScriptEventKind::Step: {
        const ScriptStepResult& r = *event.result;
        if (m_jsonl) {
            Json line{{"time", time_text}, {"endpoint", run->target.endpoint}, {"event", "script"},
                      {"script", run->target.script}, {"step", r.step + 1}, {"iteration", r.iteration},
                      {"what", r.step < run->steps.size() ? run->steps[r.step] : std::string()},
                      {"status", toString(r.outcome)}};
            if (run->isExpect(r.step))
                line["latency_us"] = r.latency_us;
            if (event.failure) {
                line["message"] = event.failure->message;
                line["expected"] = event.failure->expected;
                line["expected_hex"] = formatHex(event.failure->expected_bytes, HexStyle::CompactLower);
                line["received_hex"] = formatHex(event.failure->received, HexStyle::CompactLower);
            }
            return {dump(line)};
        }
        std::string text = time_text + "  " + safe(run->target.endpoint) + "  script \"" + safe(run->target.script) +
                           "\" " + safe(stepName(*run, r.step)) +
                           (r.iteration > 1 ? " #" + std::to_string(r.iteration) : std::string()) + ": " +
                           toString(r.outcome);
        if (r.outcome == ScriptOutcome::Passed) text += " in " + std::to_string(r.latency_us) + " us";
        if (event.failure)
            text += " (" + safe(event.failure->message) + "; expected " + hexOrNothing(event.failure->expected_bytes) +
                    ", received " + hexOrNothing(event.failure->received) + ")";
        return {text};
    }
    case ScriptEventKind::Progress: return {};
    case ScriptEventKind::Finished:
        run->finished = event;
        if (!event.stopped) run->cut_short = false;   // it ended on its own before the stop came
        return {};
    }
    return {};
}

bool ScriptTracker::allFinished() const {
    for (const auto& r : m_runs)
        if (!r.finished) return false;
    return true;
}

void ScriptTracker::cutShort(std::uint64_t run) {
    if (ScriptRunReport* r = find(run); r && !r->finished) r->cut_short = true;
}

bool ScriptTracker::anyRunning() const {
    for (const auto& r : m_runs)
        if (r.started && !r.finished) return true;
    return false;
}

std::string ScriptTracker::unfinishedWhy(const ScriptRunReport& run) const {
    const auto it = m_endpointFailures.find(run.target.endpoint);
    return it == m_endpointFailures.end() ? std::string(kUnfinished) : "endpoint " + run.target.endpoint + " " + it->second;
}

bool ScriptTracker::allPassed() const {
    for (const auto& r : m_runs)
        if (r.unfinished() || !r.finished->passed) return false;
    return true;
}

std::vector<std::string> ScriptTracker::summary(const std::string& time_text) const {
    std::vector<std::string> lines;
    for (const auto& run : m_runs) {
        const ScriptEvent* f = run.finished ? &*run.finished : nullptr;
        std::uint64_t expects = 0, passed = 0, failed = 0;
        Json steps = Json::array();
        if (f)
            for (const auto& s : f->stats) {
                if (!run.isExpect(s.step)) continue;
                expects += s.runs;
                passed += s.passed;
                failed += s.failed;
                steps.push_back(Json{{"step", s.step + 1}, {"runs", s.runs}, {"passed", s.passed}, {"failed", s.failed},
                                     {"min_us", s.min_us}, {"median_us", s.median_us}, {"p95_us", s.p95_us},
                                     {"max_us", s.max_us}});
            }
        const bool unfinished = run.unfinished();
        const std::string status = unfinished ? "unfinished" : f->passed ? "passed" : f->stopped ? "stopped" : "failed";
        // Cut short: its own error is the stop's ("stopped by request"), not the cause.
        const std::string error = unfinished ? unfinishedWhy(run) : f->error;
        if (m_jsonl) {
            Json line{{"time", time_text}, {"endpoint", run.target.endpoint}, {"event", "script_summary"},
                      {"script", run.target.script}, {"status", status}, {"expects", expects}, {"passed", passed},
                      {"failed", failed}, {"elapsed_us", f ? f->elapsed_us : 0}, {"steps", steps}};
            if (!error.empty()) line["error"] = error;
            lines.push_back(dump(line));
            continue;
        }
        std::string text = "  script " + safe(run.target.endpoint) + "/" + safe(run.target.script) + ": " + status + ", " +
                           std::to_string(passed) + "/" + std::to_string(expects) + " expects passed";
        if (f) text += " in " + seconds(f->elapsed_us) + " s";
        if (!error.empty()) text += " (" + safe(error) + ")";
        lines.push_back(text);
        for (const auto& s : steps)
            lines.push_back("    step " + std::to_string(s["step"].get<std::uint64_t>()) + ": " +
                            std::to_string(s["passed"].get<std::uint64_t>()) + "/" +
                            std::to_string(s["runs"].get<std::uint64_t>()) + " passed, latency us min " +
                            std::to_string(s["min_us"].get<std::uint32_t>()) + " median " +
                            std::to_string(s["median_us"].get<std::uint32_t>()) + " p95 " +
                            std::to_string(s["p95_us"].get<std::uint32_t>()) + " max " +
                            std::to_string(s["max_us"].get<std::uint32_t>()));
    }
    return lines;
}

std::string xmlEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') out += '?';
            else out += c;
        }
    }
    return out;
}

std::string ScriptTracker::junit() const {
    std::string suites;
    std::uint64_t total_tests = 0, total_failures = 0, total_errors = 0, total_us = 0;
    for (const auto& run : m_runs) {
        const ScriptEvent* f = run.finished ? &*run.finished : nullptr;
        const std::string suite = safe(run.target.endpoint + "/" + run.target.script);
        const std::string classname = xmlEscape(safe(run.target.endpoint + "." + run.target.script));
        std::string cases;
        std::uint64_t tests = 0, failures = 0, errors = 0;
        std::size_t next_failure = 0;
        if (f) {
            for (const ScriptStepResult& r : f->expects) {
                ++tests;
                std::string name = stepName(run, r.step) + " #" + std::to_string(r.iteration);
                cases += "    <testcase classname=\"" + classname + "\" name=\"" + xmlEscape(safe(name)) +
                         "\" time=\"" + seconds(r.latency_us) + "\"";
                if (!failedOutcome(r.outcome)) {
                    cases += "/>\n";
                    continue;
                }
                ++failures;
                const ScriptFailure* failure = nullptr;
                for (std::size_t i = next_failure; i < f->failures.size(); ++i)
                    if (f->failures[i].result == r) {
                        failure = &f->failures[i];
                        next_failure = i + 1;
                        break;
                    }
                const std::string message = failure ? failure->message : std::string(toString(r.outcome));
                cases += ">\n      <failure type=\"" + std::string(toString(r.outcome)) + "\" message=\"" +
                         xmlEscape(safe(message)) + "\">";
                if (failure)
                    cases += xmlEscape("expected: " + hexOrNothing(failure->expected_bytes) + "  (" +
                                       safe(failure->expected) + ")\nreceived: " + hexOrNothing(failure->received) +
                                       (failure->received_messages > 1
                                            ? "  (the last of " + std::to_string(failure->received_messages) + " messages)"
                                            : std::string()));
                cases += "</failure>\n    </testcase>\n";
            }
        }
        // A run that ended without its expects passing for another reason (no connection, a send
        // refused, stopped, never started) is one more test case, in error.
        // A run cut short (unfinished) has this error whatever its expects did.
        const bool expects_failed = failures > 0;
        const bool unfinished = run.unfinished();
        if (unfinished || (!f->passed && !expects_failed)) {
            ++tests;
            ++errors;
            const std::string why = unfinished ? unfinishedWhy(run) : f->error.empty() ? "stopped" : f->error;
            const bool ended_first = unfinished && why == kUnfinished;   // not its endpoint's failure
            cases += "    <testcase classname=\"" + classname + "\" name=\"run\" time=\"" +
                     seconds(f ? f->elapsed_us : 0) + "\">\n      <error type=\"" + (ended_first ? "unfinished" : "error") +
                     "\" message=\"" + xmlEscape(safe(why)) + "\"/>\n    </testcase>\n";
        }
        const std::uint64_t us = f ? f->elapsed_us : 0;
        suites += "  <testsuite name=\"" + xmlEscape(suite) + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
                  std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" time=\"" + seconds(us) +
                  "\">\n" + cases + "  </testsuite>\n";
        total_tests += tests;
        total_failures += failures;
        total_errors += errors;
        total_us += us;
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sockscope\" tests=\"" +
           std::to_string(total_tests) + "\" failures=\"" + std::to_string(total_failures) + "\" errors=\"" +
           std::to_string(total_errors) + "\" time=\"" + seconds(total_us) + "\">\n" + suites + "</testsuites>\n";
}

}  // namespace sockscope
