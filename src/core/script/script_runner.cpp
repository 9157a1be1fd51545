#include "core/script/script_runner.hpp"

#include <algorithm>
#include <asio/post.hpp>

namespace sockscope {
namespace {

using Clock = std::chrono::steady_clock;

/// Steps run back to back in one handler at most: then the rest is posted, so a long
/// synchronous stretch (sends without expects) cannot starve the I/O thread.
constexpr int kStepsPerTurn = 256;

std::uint32_t microsBetween(Clock::time_point from, Clock::time_point to) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(us, 0, UINT32_MAX));
}

const char* const kPeerFin = "the peer closed its side (FIN) before a matching message came";

Bytes cut(std::span<const std::uint8_t> bytes) {
    return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(std::min(bytes.size(), kScriptFailureBytes)));
}

}  // namespace

ScriptRun::ScriptRun(asio::io_context& io, ScriptHost& host, EndpointId endpoint, std::uint64_t run, Script script,
                     Options options)
    : m_io(io), m_host(host), m_endpoint(endpoint), m_run(run), m_script(std::move(script)), m_options(options),
      m_timer(io) {}

ScriptRun::~ScriptRun() = default;

bool ScriptRun::prepare(std::string& error) {
    m_flat = flattenSteps(m_script);
    for (std::uint32_t id = 0; id < m_flat.size(); ++id) {
        const ScriptStep& step = *m_flat[id];
        m_ids.emplace(&step, id);
        if (step.kind == ScriptStepKind::Send) {
            PayloadCompileResult compiled = compilePayload(step.send);
            if (!compiled.ok()) {
                error = "step " + std::to_string(id + 1) + ": " + describe(*compiled.error, step.send.text);
                return false;
            }
            m_payloads.emplace(id, std::move(*compiled.payload));
        } else if (step.kind == ScriptStepKind::Expect) {
            std::optional<ScriptMatcher> matcher = ScriptMatcher::compile(step.expect, error);
            if (!matcher) {
                error = "step " + std::to_string(id + 1) + ": " + error;
                return false;
            }
            m_matchers.emplace(id, std::move(*matcher));
        }
    }
    m_runs.assign(m_flat.size(), 0);
    m_passed.assign(m_flat.size(), 0);
    m_failed.assign(m_flat.size(), 0);
    m_latencies.assign(m_flat.size(), {});
    return true;
}

void ScriptRun::start(ScriptLink* link) {
    if (m_started) return;
    m_started = true;
    m_link = link;
    m_startedAt = m_lastProgress = Clock::now();
    ScriptEvent started = newEvent(ScriptEventKind::Started);
    // Depth of each step: walk the tree once more alongside the flat list.
    std::vector<std::uint32_t> depths;
    std::function<void(const std::vector<ScriptStep>&, std::uint32_t)> walk =
        [&](const std::vector<ScriptStep>& steps, std::uint32_t depth) {
            for (const ScriptStep& step : steps) {
                depths.push_back(depth);
                if (step.kind == ScriptStepKind::Repeat) walk(step.steps, depth + 1);
            }
        };
    walk(m_script.steps, 0);
    for (const ScriptStep* step : m_flat) {
        started.steps.push_back(describeStep(*step));
        started.expect_steps.push_back(step->kind == ScriptStepKind::Expect);
    }
    started.depths = std::move(depths);
    started.time_us = nowUs();
    m_host.emit(std::move(started));
    m_stack.push_back(Frame{&m_script.steps, 0, 1});
    advance();
}

void ScriptRun::attach(ScriptLink* link, std::span<const ScriptMessage> early, std::uint64_t early_dropped) {
    if (m_finished) return;
    if (m_waitConnect) forgetPending();
    const Clock::time_point now = Clock::now();
    for (const ScriptMessage& message : early)
        if (message.sender.empty() || m_sentTo.empty() || message.sender == m_sentTo) keep(message.bytes, now);
    m_pending.addDropped(early_dropped);
    if (!m_started) {
        start(link);
        return;
    }
    m_link = link;
    if (m_waitConnect) {
        m_waitConnect = false;
        ++m_timerGeneration;
        m_timer.cancel();
        const ScriptStep& step = (*m_stack.back().steps)[m_stack.back().index];
        ++m_stack.back().index;
        record(resultFor(idOf(step), ScriptOutcome::Done, 0), nullptr);
        advance();
    }
}

void ScriptRun::detach() {
    m_link = nullptr;
    if (m_finished || m_expect == nullptr) return;
    endExpectClosed(Clock::now(), "the connection closed before a matching message came");
    advance();
}

void ScriptRun::peerClosed() {
    if (m_finished || m_expect == nullptr) return;
    const auto self = shared_from_this();   // a failed expect ends the run: the host drops it
    endExpectClosed(Clock::now(), kPeerFin);
    advance();
}

void ScriptRun::endExpectClosed(Clock::time_point at, const std::string& why) {
    std::string message = why;
    if (m_mismatches)
        message += " (" + std::to_string(m_mismatches) + (m_mismatches == 1 ? " message" : " messages") +
                   " received, none matched)";
    endExpect(ScriptOutcome::Closed, at, std::move(message));
}

void ScriptRun::onMessage(std::span<const std::uint8_t> message, const std::string& sender) {
    if (m_finished || !m_started) return;
    const Clock::time_point now = Clock::now();
    if (!sender.empty() && !m_sentTo.empty() && sender != m_sentTo) {
        // udp: another host's datagram (a neighbour, a broadcast) cannot answer what we sent.
        if (m_expect != nullptr) ++m_otherSenders;
        return;
    }
    if (m_expect == nullptr) return keep(message, now);   // for the next expect (a wait_ms before it)
    if (m_matchers.at(idOf(*m_expect)).matches(message)) {
        endExpect(ScriptOutcome::Passed, now, {});
        advance();
        return;
    }
    m_lastReceived = cut(message);
    ++m_mismatches;
}

/// Bounded, the oldest go first (counted: a failed expect says how many).
void ScriptRun::keep(std::span<const std::uint8_t> message, Clock::time_point at) {
    m_pending.push(Pending{Bytes(message.begin(), message.end()), at});
}

void ScriptRun::forgetPending() {
    m_pending.clear();
}

void ScriptRun::stop(const std::string& why) {
    if (!m_finished) finish(true, why);
}

void ScriptRun::advance() {
    if (m_inAdvance) return;   // a send inside a step may call back (a reply in the same turn)
    m_inAdvance = true;
    const auto self = shared_from_this();
    for (int budget = kStepsPerTurn; !m_finished; --budget) {
        if (m_stack.empty()) {
            finish(false, {});
            break;
        }
        Frame& frame = m_stack.back();
        if (frame.index >= frame.steps->size()) {
            if (--frame.remaining > 0) frame.index = 0;
            else m_stack.pop_back();
            continue;
        }
        if (budget == 0) {
            asio::post(m_io, [weak = weak_from_this()] {
                if (auto run = weak.lock()) run->advance();
            });
            break;
        }
        if (!runStep((*frame.steps)[frame.index])) break;
    }
    m_inAdvance = false;
}

bool ScriptRun::runStep(const ScriptStep& step) {
    const std::uint32_t id = idOf(step);
    Frame& frame = m_stack.back();
    switch (step.kind) {
    case ScriptStepKind::Send: {
        // Stamped before the send: on loopback the send call itself may deliver the request and
        // let the peer answer before it returns (the latency would be shorter than the wire's).
        const Clock::time_point sent_at = Clock::now();
        // What came before this send cannot answer it: the expects after it take only what
        // arrives from now on (what comes during a wait_ms after it is still kept for them).
        forgetPending();
        std::optional<ErrorInfo> error;
        if (m_link == nullptr) {
            error = ErrorInfo{"ENOTCONN", "no connection to send on", "没有可用于发送的连接"};
        } else {
            RenderContext context;
            context.counter = &m_counter;
            // udp: the run talks to one device. After the first send, a stranger's datagram
            // (which moves the endpoint's reply-to address) must not take the next ones.
            const std::string to = m_sentTo.empty() ? m_link->destination() : m_sentTo;
            error = m_link->send(renderPayload(m_payloads.at(id), context), to);
            if (!error) m_sentTo = to;
        }
        ++frame.index;
        if (error) {
            record(resultFor(id, ScriptOutcome::Error, 0), nullptr);
            finish(false, "step " + std::to_string(id + 1) + " (send): " + error->message);
            return false;
        }
        m_lastSend = sent_at;
        m_hasSent = true;
        record(resultFor(id, ScriptOutcome::Done, 0), nullptr);
        return true;
    }
    case ScriptStepKind::Expect:
        beginExpect(step);
        return m_expect == nullptr && !m_finished;
    case ScriptStepKind::Wait:
        if (step.wait_ms == 0) {
            ++frame.index;
            record(resultFor(id, ScriptOutcome::Done, 0), nullptr);
            return true;
        }
        m_timer.expires_after(std::chrono::milliseconds(step.wait_ms));
        break;
    case ScriptStepKind::Repeat:
        ++frame.index;
        record(resultFor(id, ScriptOutcome::Done, 0), nullptr);
        if (step.count > 0 && !step.steps.empty()) m_stack.push_back(Frame{&step.steps, 0, step.count});
        return true;
    case ScriptStepKind::Connect:
        if (m_link != nullptr && !m_link->peerClosed() && !m_link->finSent()) {
            ++frame.index;
            record(resultFor(id, ScriptOutcome::Done, 0), nullptr);
            return true;
        }
        // The peer closed its side (FIN), or we did (half-close): that connection is done with.
        // Close it and wait for a new one (a tcp-server's next client, a tcp-client's new connection).
        if (ScriptLink* half_closed = std::exchange(m_link, nullptr)) half_closed->close(ScriptCloseMode::Fin);
        m_waitConnect = true;
        m_timer.expires_after(std::chrono::milliseconds(step.timeout_ms));
        m_waitForClient = !m_host.requestConnect();
        if (!m_waitConnect || m_finished) return !m_finished;   // attached at once: go on
        break;
    case ScriptStepKind::Close:
        ++frame.index;
        if (step.close_mode == ScriptCloseMode::HalfClose && m_link != nullptr) {
            m_link->close(step.close_mode);   // FIN, keep reading: the next expects take the answer
        } else if (ScriptLink* link = std::exchange(m_link, nullptr)) {
            link->close(step.close_mode);
        }
        record(resultFor(id, ScriptOutcome::Done, 0), nullptr);
        return true;
    }
    m_timer.async_wait([weak = weak_from_this(), generation = ++m_timerGeneration](std::error_code ec) {
        if (ec == asio::error::operation_aborted) return;
        if (auto run = weak.lock()) run->onTimer(generation);
    });
    return false;
}

void ScriptRun::beginExpect(const ScriptStep& step) {
    m_expect = &step;
    m_expectStart = Clock::now();
    m_lastReceived.clear();
    m_mismatches = 0;
    m_otherSenders = 0;
    ScriptMatcher& matcher = m_matchers.at(idOf(step));
    while (!m_pending.empty()) {
        const Pending message = m_pending.popFront();
        if (matcher.matches(message.bytes)) {
            endExpect(ScriptOutcome::Passed, message.at, {});
            return;
        }
        m_lastReceived = cut(message.bytes);
        ++m_mismatches;
    }
    if (m_link == nullptr) {
        endExpectClosed(m_expectStart, "no connection to receive on");
        return;
    }
    if (m_link->peerClosed()) {   // the peer's FIN came before this expect: nothing more will
        endExpectClosed(m_expectStart, kPeerFin);
        return;
    }
    m_timer.expires_after(std::chrono::milliseconds(step.timeout_ms));
    m_timer.async_wait([weak = weak_from_this(), generation = ++m_timerGeneration](std::error_code ec) {
        if (ec == asio::error::operation_aborted) return;
        if (auto run = weak.lock()) run->onTimer(generation);
    });
}

void ScriptRun::endExpect(ScriptOutcome outcome, Clock::time_point at, std::string message) {
    const ScriptStep& step = *std::exchange(m_expect, nullptr);
    const std::uint64_t dropped = m_pending.takeDropped();   // before this expect began
    ++m_timerGeneration;
    m_timer.cancel();
    const std::uint32_t id = idOf(step);
    const Clock::time_point from = m_hasSent ? m_lastSend : m_expectStart;
    ++m_stack.back().index;
    const ScriptStepResult result = resultFor(id, outcome, microsBetween(from, at));
    if (outcome == ScriptOutcome::Passed) {
        record(result, nullptr);
        return;
    }
    ScriptFailure failure;
    failure.result = result;
    failure.expected = describeMatch(step.expect);
    failure.expected_bytes = m_matchers.at(id).exampleBytes();
    failure.received = std::move(m_lastReceived);
    failure.received_messages = m_mismatches;
    if (message.empty())
        message = outcome == ScriptOutcome::TimedOut
                      ? "timed out after " + std::to_string(step.timeout_ms) + " ms: nothing received"
                      : "timed out after " + std::to_string(step.timeout_ms) + " ms: " +
                            std::to_string(m_mismatches) + " message(s) received, none matched";
    if (m_otherSenders)
        message += " (" + std::to_string(m_otherSenders) + (m_otherSenders == 1 ? " datagram" : " datagrams") +
                   " from other senders than " + m_sentTo + " skipped)";
    if (dropped)   // the answer may have been among them: say so, never fail in silence
        message += " (" + std::to_string(dropped) + (dropped == 1 ? " earlier message was" : " earlier messages were") +
                   " not kept: more than " + std::to_string(kScriptPendingMessages) + " messages or " +
                   std::to_string(kScriptPendingBytes / 1024) + " KiB arrived before the expect began)";
    failure.message = std::move(message);
    record(result, &failure);
    if (m_options.stop_on_failure)
        finish(false, "step " + std::to_string(id + 1) + " (expect " + failure.expected + "): " + failure.message);
}

void ScriptRun::onTimer(std::uint64_t generation) {
    if (generation != m_timerGeneration || m_finished || m_stack.empty()) return;
    if (m_expect != nullptr) {
        endExpect(m_mismatches ? ScriptOutcome::Failed : ScriptOutcome::TimedOut, Clock::now(), {});
    } else {
        Frame& frame = m_stack.back();
        const ScriptStep& step = (*frame.steps)[frame.index];
        ++frame.index;
        if (step.kind == ScriptStepKind::Connect) {
            m_waitConnect = false;
            record(resultFor(idOf(step), ScriptOutcome::Error, 0), nullptr);
            finish(false, "step " + std::to_string(idOf(step) + 1) +
                              (m_waitForClient ? " (connect): no client connected within " : " (connect): not connected within ") +
                              std::to_string(step.timeout_ms) + " ms");
            return;
        }
        record(resultFor(idOf(step), ScriptOutcome::Done, 0), nullptr);
    }
    advance();
}

ScriptStepResult ScriptRun::resultFor(std::uint32_t step, ScriptOutcome outcome, std::uint32_t latency_us) {
    ScriptStepResult result;
    result.step = step;
    result.iteration = static_cast<std::uint32_t>(std::min<std::uint64_t>(m_runs[step] + 1, UINT32_MAX));
    result.outcome = outcome;
    result.latency_us = latency_us;
    return result;
}

void ScriptRun::record(ScriptStepResult result, const ScriptFailure* failure) {
    const std::uint32_t id = result.step;
    ++m_runs[id];
    const bool failed = result.outcome == ScriptOutcome::Failed || result.outcome == ScriptOutcome::TimedOut ||
                        result.outcome == ScriptOutcome::Error || result.outcome == ScriptOutcome::Closed;
    if (failed) {
        ++m_failed[id];
        m_anyFailed = true;
    }
    if (result.outcome == ScriptOutcome::Passed) {
        ++m_passed[id];
        if (m_latencyCount < kScriptRecordedExpects) {
            m_latencies[id].push_back(result.latency_us);
            ++m_latencyCount;
        }
    }
    if (m_flat[id]->kind == ScriptStepKind::Expect) {
        if (m_expects.size() < kScriptRecordedExpects) m_expects.push_back(result);
        else ++m_expectsNotRecorded;
        if (failure && m_failures.size() < kScriptRecordedFailures) m_failures.push_back(*failure);
    }
    // One Step event per result while they are few; then failures only (also bounded).
    if (m_stepEvents < kScriptStepEvents || (failed && m_stepEvents < 2 * kScriptStepEvents)) {
        ++m_stepEvents;
        ScriptEvent event = newEvent(ScriptEventKind::Step);
        event.result = result;
        if (failure) event.failure = *failure;
        event.time_us = nowUs();
        m_host.emit(std::move(event));
    }
    emitProgress(false);
}

ScriptEvent ScriptRun::newEvent(ScriptEventKind kind) const {
    ScriptEvent event;
    event.endpoint = m_endpoint;
    event.connection = m_link ? m_link->connection() : 0;
    event.run = m_run;
    event.script = m_script.name;
    event.kind = kind;
    return event;
}

void ScriptRun::emitProgress(bool force) {
    const Clock::time_point now = Clock::now();
    if (!force && now - m_lastProgress < kScriptProgressPeriod) return;
    m_lastProgress = now;
    ScriptEvent event = newEvent(ScriptEventKind::Progress);
    event.stats = computeStats();
    event.elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(now - m_startedAt).count();
    event.time_us = nowUs();
    m_host.emit(std::move(event));
}

std::vector<ScriptStepStats> ScriptRun::computeStats() const {
    std::vector<ScriptStepStats> out(m_flat.size());
    std::vector<std::uint32_t> sorted;
    for (std::uint32_t id = 0; id < m_flat.size(); ++id) {
        ScriptStepStats& s = out[id];
        s.step = id;
        s.runs = m_runs[id];
        s.passed = m_passed[id];
        s.failed = m_failed[id];
        if (m_latencies[id].empty()) continue;
        sorted = m_latencies[id];
        std::sort(sorted.begin(), sorted.end());
        const std::size_t n = sorted.size();
        s.min_us = sorted.front();
        s.max_us = sorted.back();
        s.median_us = sorted[(n - 1) / 2];
        s.p95_us = sorted[std::min(n - 1, (n * 95 + 99) / 100 - 1)];
        s.histogram.assign(kScriptHistogramBins, 0);
        // Bins over [min, 2 x p95]: one slow outlier must not squash the picture into one bar
        // (beyond it: the last bin).
        const std::uint32_t top = std::min<std::uint64_t>(s.max_us, 2ull * s.p95_us);
        const double span = static_cast<double>(top - s.min_us) + 1.0;
        for (const std::uint32_t v : sorted) {
            const auto bin = static_cast<std::size_t>(static_cast<double>(v - s.min_us) / span * kScriptHistogramBins);
            ++s.histogram[std::min(bin, kScriptHistogramBins - 1)];
        }
    }
    return out;
}

void ScriptRun::finish(bool stopped, std::string error) {
    if (m_finished) return;
    const auto self = shared_from_this();   // the host may drop its reference in runEnded
    m_finished = true;
    m_expect = nullptr;
    m_waitConnect = false;
    ++m_timerGeneration;
    m_timer.cancel();
    ScriptEvent event = newEvent(ScriptEventKind::Finished);
    event.stats = computeStats();
    event.expects = std::move(m_expects);
    event.failures = std::move(m_failures);
    event.expects_not_recorded = m_expectsNotRecorded;
    event.stopped = stopped;
    event.passed = !stopped && !m_anyFailed && error.empty();
    event.error = std::move(error);
    // A run stopped before it started (waiting for its connection) ran for no time at all.
    event.elapsed_us =
        m_started ? std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - m_startedAt).count() : 0;
    event.time_us = nowUs();
    m_link = nullptr;
    m_host.emit(std::move(event));
    m_host.runEnded(m_run);
}

}  // namespace sockscope
