#include "core/session/rules.hpp"

#include <algorithm>

#include "core/net/error_throttle.hpp"
#include "core/session/faults.hpp"

namespace sockscope {

const char* toString(RuleClose close) {
    switch (close) {
        case RuleClose::None: return "none";
        case RuleClose::Fin: return "fin";
        case RuleClose::Rst: return "rst";
    }
    return "none";
}

RuleSet RuleSet::compile(const std::vector<ReplyRule>& rules, std::vector<std::string>* errors) {
    RuleSet set;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const ReplyRule& rule = rules[i];
        const std::string path = "rules[" + std::to_string(i) + "]";
        MatcherCompileResult matcher = compileMatcher(rule.match);
        if (!matcher.ok()) {
            if (errors) errors->push_back(path + ".match: " + describe(*matcher.error, rule.match.text));
            continue;
        }
        CompiledRule compiled{rule, std::move(*matcher.matcher), std::nullopt};
        if (rule.reply) {
            PayloadCompileResult reply = compilePayload(*rule.reply);
            if (!reply.ok()) {
                if (errors) errors->push_back(path + ".reply: " + describe(*reply.error, rule.reply->text));
                continue;
            }
            compiled.reply = std::move(*reply.payload);
        }
        set.m_rules.push_back(std::move(compiled));
    }
    return set;
}

RuleSessionState RuleSet::newSession() const {
    RuleSessionState state;
    state.fired.assign(m_rules.size(), 0);
    return state;
}

void RuleSet::evaluate(std::span<const std::uint8_t> message, RuleSessionState& state, RuleEvaluation& out,
                       const std::function<bool(std::size_t)>& allow, TimestampUs now_us) {
    out.fired.clear();
    out.errors.clear();
    if (state.fired.size() != m_rules.size()) state = newSession();
    for (std::size_t i = 0; i < m_rules.size(); ++i) {
        CompiledRule& rule = m_rules[i];
        if (!rule.config.enabled) continue;
        if (rule.config.times != 0 && state.fired[i] >= rule.config.times) continue;
        const MatchOutcome outcome = rule.matcher.match(message, &m_captures);
        if (outcome == MatchOutcome::Failed)
            out.errors.push_back("rule \"" + rule.config.name + "\": " + rule.matcher.error());
        if (outcome != MatchOutcome::Match) continue;
        if (allow && !allow(i)) continue;
        ++state.fired[i];
        RuleFiring firing;
        firing.rule = i;
        if (rule.reply) {
            // A rule's {{counter}} counts its replies on this connection, this one included:
            // the first reply says 1 ("PONG 1"), as a device numbering its answers does.
            CounterState counter{state.fired[i]};
            RenderContext context;
            context.counter = &counter;
            context.now_us = now_us;
            context.rx = message;
            context.captures = m_captures;
            renderPayloadInto(*rule.reply, context, firing.reply);
            firing.has_reply = true;
        }
        out.fired.push_back(std::move(firing));
        if (!rule.config.continue_matching) break;
    }
}

namespace {

class RulesResponder final : public Responder {
public:
    explicit RulesResponder(std::shared_ptr<RulesStage> stage, std::size_t rules)
        : m_stage(std::move(stage)), m_state(m_stage->newSession()), m_windows(rules) {}
    void onMessage(ReplyChannel& channel, ResponderBytes message) override {
        m_stage->handle(channel, m_state, m_windows, message);
    }
    /// As a device answering in turn: a read takes no more requests than the send queue can
    /// answer (a reply costs its bytes and ~128 of bookkeeping; a request is at least a byte), and
    /// with the queue full reading waits until half of it drained — the peer's sends block, no
    /// reply is dropped. (A reply far larger than its request can still overflow: it is said.)
    /// Some room always reads at least a byte: a write_queue_limit below 128 must not stop reading.
    std::size_t readLimit(const ReplyChannel& channel) const override {
        if (!channel.writable()) return std::numeric_limits<std::size_t>::max();
        const std::size_t room = channel.room();
        return room == 0 ? 0 : std::max<std::size_t>(1, room / kReplyCostPerByteRead);
    }
    static constexpr std::size_t kReplyCostPerByteRead = 128;

private:
    std::shared_ptr<RulesStage> m_stage;
    RuleSessionState m_state;
    std::vector<RulesStage::StormWindow> m_windows;   // this connection's storm guard counts
};

}  // namespace

RulesStage::RulesStage(EngineContext& context, EndpointId endpoint, const std::vector<ReplyRule>& rules,
                       std::uint32_t storm_limit, const FaultsRef& faults,
                       const std::shared_ptr<FaultCounters>& counters)
    : m_ctx(context), m_endpoint(endpoint), m_rules(RuleSet::compile(rules)), m_stormLimit(storm_limit),
      m_hits(m_rules.size(), 0), m_guards(m_rules.size()) {
    // A rule's own "faults" replace the endpoint's for its replies.
    for (std::size_t i = 0; i < m_rules.size(); ++i) {
        const auto& own = m_rules.rule(i).config.faults;
        m_faults.push_back(own && counters ? makeFaults(own, counters) : faults);
    }
}

std::shared_ptr<Responder> RulesStage::attach(ReplyChannel&) {
    if (m_rules.size() == 0) return nullptr;
    return std::make_shared<RulesResponder>(shared_from_this(), m_rules.size());
}

void RulesStage::started() {
    for (const FaultsRef& faults : m_faults)
        if (faults) faults->reset();
    std::fill(m_hits.begin(), m_hits.end(), 0);
    std::fill(m_guards.begin(), m_guards.end(), Guard{});
    m_changed = true;
}

bool RulesStage::allowFire(std::size_t rule, ReplyChannel& channel, std::vector<StormWindow>& windows) {
    Guard& guard = m_guards[rule];
    if (guard.paused) return false;
    if (m_stormLimit != 0) {
        // A connection counts its own firings (a loop is one conversation); udp has one socket.
        const bool connection = channel.connection() != 0 && rule < windows.size();
        StormWindow& window = connection ? windows[rule] : guard.window;
        const auto now = std::chrono::steady_clock::now();
        if (now - window.start >= std::chrono::seconds(1)) {
            window.start = now;
            window.count = 0;
        }
        if (++window.count > m_stormLimit) {
            guard.paused = true;
            const std::string& name = m_rules.rule(rule).config.name;
            const std::string where = connection ? " on connection #" + std::to_string(channel.connection()) : "";
            channel.reportError(ErrorContext::Other,
                                {"ESTORM",
                                 "rule \"" + name + "\" fired more than " + groupDigits(m_stormLimit) +
                                     " times within one second" + where + ": paused by the storm guard (storm_limit " +
                                     std::to_string(m_stormLimit) +
                                     "), so that two answering peers cannot loop for ever; resume it in "
                                     "the rules list or restart the endpoint",
                                 "规则“" + name + "”在一秒内触发超过 " + groupDigits(m_stormLimit) +
                                     " 次：已被风暴保护暂停（storm_limit " + std::to_string(m_stormLimit) +
                                     "），以免两个互相应答的对端无限循环；请在规则列表中恢复它或重启端点"});
            emitStatus(true);
            return false;
        }
    }
    ++m_hits[rule];
    m_changed = true;
    return true;
}

void RulesStage::handle(ReplyChannel& channel, RuleSessionState& state, std::vector<StormWindow>& windows,
                        std::span<const std::uint8_t> message) {
    m_rules.evaluate(message, state, m_eval,
                     [this, &channel, &windows](std::size_t i) { return allowFire(i, channel, windows); });
    for (const std::string& error : m_eval.errors) channel.reportError(ErrorContext::Other, {"EREGEX", error, "正则表达式出错：" + error});
    for (RuleFiring& firing : m_eval.fired) {
        const ReplyRule& rule = m_rules.rule(firing.rule).config;
        auto delay = std::chrono::milliseconds(rule.delay_ms);
        if (firing.has_reply) {
            const std::size_t size = firing.reply.size();
            delay = sendReply(channel, std::move(firing.reply), m_faults[firing.rule], delay,
                              "rule \"" + rule.name + "\": reply of " + bytesText(size));
        }
        if (rule.close != RuleClose::None) {
            // "Reply, then RST": the reset waits for the reply to leave (an abort would discard it).
            const CloseMode mode = rule.close == RuleClose::Rst ? CloseMode::ResetAfterQueued : CloseMode::Graceful;
            // Behind a delayed reply or close (this rule's own reply then waits too): in turn.
            if (delay.count() > 0 || channel.delayedStillToCome()) (void)channel.closeLater(delay, mode);
            else channel.close(mode);
        }
    }
}

void RulesStage::resume(const std::string& name) {
    for (std::size_t i = 0; i < m_guards.size(); ++i)
        if (name.empty() || m_rules.rule(i).config.name == name) {
            if (m_guards[i].paused) m_changed = true;
            m_guards[i] = Guard{};
        }
    emitStatus(true);
}

RuleStatus RulesStage::status() const {
    RuleStatus status{m_endpoint, {}, nowUs()};
    status.rules.reserve(m_rules.size());
    for (std::size_t i = 0; i < m_rules.size(); ++i)
        status.rules.push_back({m_rules.rule(i).config.name, m_hits[i], m_guards[i].paused});
    return status;
}

void RulesStage::emitStatus(bool control) {
    RuleStatus current = status();
    if (control) {
        m_ctx.emit(current);
    } else if (!m_ctx.emitRefresh(current)) {
        return;   // over the budget: the next refresh sends the latest
    }
    m_lastSent = std::move(current);
    m_changed = false;
}

void RulesStage::refresh(std::chrono::steady_clock::time_point, bool force) {
    if (m_rules.size() == 0) return;
    if (!force && !m_changed && m_lastSent) return;
    if (!force && m_lastSent) {
        RuleStatus current = status();
        current.time_us = m_lastSent->time_us;
        if (current == *m_lastSent) {
            m_changed = false;
            return;
        }
    }
    emitStatus(false);
}

void addRulesStage(const StageContext& context, ResponderStages& out) {
    if (context.config.rules.empty()) return;
    out.push_back(std::make_shared<RulesStage>(context.engine, context.endpoint, context.config.rules,
                                               context.config.storm_limit, context.faults, context.fault_counters));
}

}  // namespace sockscope
