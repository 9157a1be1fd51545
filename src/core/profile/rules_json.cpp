#include "core/profile/rules_json.hpp"

#include <limits>

#include "core/profile/faults_json.hpp"
#include "core/profile/match_json.hpp"
#include "core/profile/payload_json.hpp"
#include "core/profile/stage_field_json.hpp"
#include "core/registry/choices.hpp"
#include "core/registry/shapes.hpp"
#include "core/session/rules.hpp"

namespace sockscope {
namespace {

using jsonio::indexPath;
using jsonio::joinPath;
using jsonio::Json;
using jsonio::jsonQuote;
using jsonio::Reader;

void readTimes(Reader& r, const Json& item, const std::string& path, std::uint64_t& out) {
    const auto it = item.find("times");
    if (it == item.end()) return;
    const std::string at = joinPath(path, "times");
    if (it->is_string()) {
        const std::string text = it->get<std::string>();
        if (text == "once") out = 1;
        else if (text == "always") out = 0;
        else r.error(at, "expected \"once\", \"always\" or a count from 1, got " + jsonQuote(text));
        return;
    }
    const registry::StageField& f = registry::stageField("rules", "rules.times");
    const auto count = jsonio::asInteger(*it);
    if (!count || *count < f.min || *count > f.max) {
        r.error(at, "expected \"once\", \"always\" or a count from 1, got " + jsonio::describe(*it));
        return;
    }
    out = static_cast<std::uint64_t>(*count);
}

void readClose(Reader& r, const Json& item, const std::string& path, RuleClose& out) {
    std::string text;
    if (!r.string(item, path, "close", text)) return;
    if (text == "fin") out = RuleClose::Fin;
    else if (text == "rst") out = RuleClose::Rst;
    else if (text == "none") out = RuleClose::None;
    else r.error(joinPath(path, "close"),
                 "expected " + registry::quotedChoices(registry::choices("rules.close"), true) + ", got " + jsonQuote(text));
}

bool readRule(Reader& r, const Json& item, const std::string& path, std::size_t index, bool udp,
              std::vector<std::string>& seen, ReplyRule& rule) {
    const std::size_t errors_before = r.errorCount();
    r.checkKeys(item, path, registry::shapeKeys("rule"));
    rule.name = "rule " + std::to_string(index + 1);
    if (item.contains("name") && r.string(item, path, "name", rule.name) && rule.name.empty())
        r.error(joinPath(path, "name"), "expected a non-empty name, got \"\"");
    for (const auto& name : seen)
        if (name == rule.name) r.error(joinPath(path, "name"), jsonQuote(rule.name) + " is used twice; rule names must be unique");
    seen.push_back(rule.name);
    if (!item.contains("match"))
        r.error(joinPath(path, "match"), "missing; what the rule answers, e.g. {\"text\": \"PING\", \"mode\": \"prefix\"}");
    else
        readMatch(r, item["match"], joinPath(path, "match"), rule.match);
    if (item.contains("reply")) {
        if (const Json* reply = r.object(item, path, "reply")) {
            const std::string reply_path = joinPath(path, "reply");
            r.checkKeys(*reply, reply_path, registry::shapeKeys("payload"));
            PayloadSpec spec;
            if (readPayload(r, *reply, reply_path, spec)) rule.reply = std::move(spec);
        }
    }
    jsonio::stageInteger(r, item, path, "rules", "rules.delay_ms", rule.delay_ms);
    readTimes(r, item, path, rule.times);
    readClose(r, item, path, rule.close);
    r.boolean(item, path, "continue", rule.continue_matching);
    r.boolean(item, path, "enabled", rule.enabled);
    readFaults(r, item, path, udp, rule.faults);
    if (udp && rule.close != RuleClose::None) {
        r.warning(joinPath(path, "close"), "does not apply to a udp endpoint: there is no connection to close (ignored)");
        rule.close = RuleClose::None;
    }
    return r.errorCount() == errors_before;
}

}  // namespace

void readRules(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    jsonio::stageInteger(r, j, path, "rules", "storm_limit", out.storm_limit);
    const Json* list = r.array(j, path, "rules");
    if (!list) return;
    const std::string rules_path = joinPath(path, "rules");
    // The type decides whether "close" applies; an unknown type was reported already.
    std::string type_text;
    const bool udp = j.contains("type") && j["type"].is_string() && j["type"].get<std::string>() == "udp";
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string item_path = indexPath(rules_path, i);
        const Json& item = (*list)[i];
        if (!item.is_object()) {
            r.error(item_path, "expected an object like {\"name\": \"ping\", \"match\": {\"text\": \"PING\"}, "
                               "\"reply\": {\"text\": \"PONG\\r\\n\"}}, got " + jsonio::describe(item));
            continue;
        }
        ReplyRule rule;
        if (readRule(r, item, item_path, i, udp, seen, rule)) out.rules.push_back(std::move(rule));
    }
}

Json ruleToJson(const ReplyRule& rule) {
    Json item = Json::object();
    item["name"] = rule.name;
    item["match"] = matchToJson(rule.match);
    if (rule.reply) item["reply"] = payloadToJson(*rule.reply);
    if (rule.delay_ms != 0) item["delay_ms"] = rule.delay_ms;
    if (rule.times == 1) item["times"] = "once";
    else if (rule.times > 1) item["times"] = rule.times;
    if (rule.close != RuleClose::None) item["close"] = toString(rule.close);
    if (rule.continue_matching) item["continue"] = true;
    if (!rule.enabled) item["enabled"] = false;
    if (rule.faults) item["faults"] = faultsToJson(*rule.faults);
    return item;
}

void writeRules(const EndpointConfig& c, Json& j) {
    if (c.storm_limit != kDefaultStormLimit) j["storm_limit"] = c.storm_limit;
    if (c.rules.empty()) return;
    Json& rules = j["rules"] = Json::array();
    for (const ReplyRule& rule : c.rules) rules.push_back(ruleToJson(rule));
}

}  // namespace sockscope
