#pragma once
// Auto-reply rules (docs/profile-format.md, "Auto-reply rules"): an ordered list per endpoint; the
// first rule whose match fits a framed message replies (unless it says "continue", then the next
// ones are tried too). RuleSet is the pure part (compile, evaluate one message: also what the
// editor's "try it" box runs); RulesStage runs it as a responder stage with the storm guard and
// the hit counts.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/codec/payload_template.hpp"
#include "core/endpoint_config.hpp"
#include "core/events.hpp"
#include "core/match/message_matcher.hpp"
#include "core/net/engine_context.hpp"
#include "core/session/responder.hpp"
#include "core/session/stages.hpp"

namespace sockscope {

struct CompiledRule {
    ReplyRule config;
    MessageMatcher matcher;
    std::optional<CompiledPayload> reply;
};

/// What rules keep per connection (or per udp endpoint run): how often each rule fired, for
/// "times" and for its {{counter}} (the n-th reply shows start + n).
struct RuleSessionState {
    std::vector<std::uint64_t> fired;
};

/// One rule that fired on a message.
struct RuleFiring {
    std::size_t rule = 0;        // index in the set
    bool has_reply = false;
    Bytes reply;                 // the exact bytes (templates rendered, checksum included)
};

struct RuleEvaluation {
    std::vector<RuleFiring> fired;   // in order; more than one only through "continue"
    std::vector<std::string> errors; // regexes that gave up (plain words, naming the rule)
};

class RuleSet {
public:
    /// Compiles every rule; errors (one line each, "rules[1].match.hex: ...") leave that rule out.
    static RuleSet compile(const std::vector<ReplyRule>& rules, std::vector<std::string>* errors = nullptr);

    std::size_t size() const { return m_rules.size(); }
    const CompiledRule& rule(std::size_t i) const { return m_rules[i]; }
    RuleSessionState newSession() const;

    /// Runs the rules on one message. `allow(i)` is asked before rule i fires (the storm guard:
    /// false skips it as if it had not matched). `now_us` 0: the wall clock for {{time}}.
    void evaluate(std::span<const std::uint8_t> message, RuleSessionState& state, RuleEvaluation& out,
                  const std::function<bool(std::size_t)>& allow = {}, TimestampUs now_us = 0);

private:
    std::vector<CompiledRule> m_rules;
    MatchCaptures m_captures;   // reused
};

/// The responder stage of an endpoint's rules. Hits and a rule's paused state are per endpoint
/// (over all its connections); the storm guard counts a rule's firings per connection on TCP (a
/// loop is one conversation: many clients polling together are no storm) and over the socket on
/// UDP; "times" and {{counter}} are per connection.
class RulesStage final : public ResponderStage, public std::enable_shared_from_this<RulesStage> {
public:
    /// `faults`: the endpoint's fault injection (null: none); a rule's own "faults" get their
    /// injector over the same `counters`.
    RulesStage(EngineContext& context, EndpointId endpoint, const std::vector<ReplyRule>& rules,
               std::uint32_t storm_limit, const FaultsRef& faults = nullptr,
               const std::shared_ptr<FaultCounters>& counters = nullptr);

    std::shared_ptr<Responder> attach(ReplyChannel& channel) override;
    void refresh(std::chrono::steady_clock::time_point now, bool force) override;
    void started() override;
    /// Resumes a rule the storm guard paused (by name; empty: all).
    void resume(const std::string& name);

    /// One storm guard window: a rule's firings within the current second.
    struct StormWindow {
        std::chrono::steady_clock::time_point start{};
        std::uint64_t count = 0;
    };

    /// For a session's responder: evaluate and act (send, delay, close) on `channel`. `windows`:
    /// the session's storm guard windows, one per rule (used on a connection; udp counts per socket).
    void handle(ReplyChannel& channel, RuleSessionState& state, std::vector<StormWindow>& windows,
                std::span<const std::uint8_t> message);
    RuleSessionState newSession() const { return m_rules.newSession(); }

private:
    bool allowFire(std::size_t rule, ReplyChannel& channel, std::vector<StormWindow>& windows);
    void emitStatus(bool control);
    RuleStatus status() const;

    struct Guard {
        StormWindow window;   // udp: the socket's (a connection has its own)
        bool paused = false;
    };

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    RuleSet m_rules;
    const std::uint32_t m_stormLimit;
    std::vector<std::uint64_t> m_hits;
    std::vector<Guard> m_guards;
    std::vector<FaultsRef> m_faults;   // per rule: its own, else the endpoint's (null: none)
    std::optional<RuleStatus> m_lastSent;
    bool m_changed = false;
    RuleEvaluation m_eval;   // reused
};

const char* toString(RuleClose close);   // "none", "fin", "rst"

/// The rules stage's factory (registry): a RulesStage when the endpoint has rules.
void addRulesStage(const StageContext& context, ResponderStages& out);

}  // namespace sockscope
