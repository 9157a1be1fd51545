#include "core/profile/script_json.hpp"

#include <algorithm>
#include <array>

#include "core/profile/match_json.hpp"
#include "core/profile/payload_json.hpp"
#include "core/profile/stage_field_json.hpp"
#include "core/registry/choices.hpp"
#include "core/registry/shapes.hpp"

namespace sockscope {
namespace {

using jsonio::indexPath;
using jsonio::joinPath;
using jsonio::Json;
using jsonio::jsonQuote;
using jsonio::Reader;

constexpr std::array<std::string_view, 6> kStepKinds = {"send", "expect", "wait_ms", "repeat", "connect", "close"};
constexpr const char* kStepExample =
    "expected a step: {\"send\": {...}}, {\"expect\": {...}, \"timeout_ms\": 500}, {\"wait_ms\": 100}, "
    "{\"repeat\": 10, \"steps\": [...]}, {\"connect\": true} or {\"close\": \"fin\"}";

struct Loader {
    Reader& r;
    EndpointType type;
    std::size_t steps = 0;   // of the script being read, repeats not expanded

    void readSteps(const Json& list, const std::string& path, int depth, std::vector<ScriptStep>& out);
    bool readStep(const Json& item, const std::string& path, int depth, ScriptStep& step);
    void readClose(const Json& value, const std::string& path, ScriptStep& step);
};

void Loader::readSteps(const Json& list, const std::string& path, int depth, std::vector<ScriptStep>& out) {
    if (!list.is_array()) {
        r.error(path, "expected an array of steps, got " + jsonio::describe(list));
        return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string item_path = indexPath(path, i);
        if (++steps > kMaxScriptSteps) {
            r.error(item_path, "a script holds at most " + std::to_string(kMaxScriptSteps) +
                                   " steps; use \"repeat\" to run steps many times");
            return;
        }
        ScriptStep step;
        if (readStep(list[i], item_path, depth, step)) out.push_back(std::move(step));
    }
}

bool Loader::readStep(const Json& item, const std::string& path, int depth, ScriptStep& step) {
    if (!item.is_object()) {
        r.error(path, std::string(kStepExample) + ", got " + jsonio::describe(item));
        return false;
    }
    std::string_view kind;
    for (const std::string_view candidate : kStepKinds) {
        if (!item.contains(std::string(candidate))) continue;
        if (!kind.empty()) {
            r.error(path, "a step does one thing; it has both " + jsonQuote(kind) + " and " + jsonQuote(candidate));
            return false;
        }
        kind = candidate;
    }
    if (kind.empty()) {
        r.error(path, kStepExample);
        return false;
    }
    const std::size_t before = r.errorCount();
    r.string(item, path, "name", step.name);
    if (kind == "send") {
        step.kind = ScriptStepKind::Send;
        r.checkKeys(item, path, registry::shapeKeys("step.send"));
        if (const Json* send = r.object(item, path, "send")) {
            r.checkKeys(*send, joinPath(path, "send"), registry::shapeKeys("payload"));
            readPayload(r, *send, joinPath(path, "send"), step.send);
        }
    } else if (kind == "expect") {
        step.kind = ScriptStepKind::Expect;
        r.checkKeys(item, path, registry::shapeKeys("step.expect"));
        readMatch(r, item["expect"], joinPath(path, "expect"), step.expect);
        jsonio::stageInteger(r, item, path, "scripts", "steps.timeout_ms", step.timeout_ms);
    } else if (kind == "wait_ms") {
        step.kind = ScriptStepKind::Wait;
        r.checkKeys(item, path, registry::shapeKeys("step.wait"));
        jsonio::stageInteger(r, item, path, "scripts", "steps.wait_ms", step.wait_ms);
    } else if (kind == "repeat") {
        step.kind = ScriptStepKind::Repeat;
        r.checkKeys(item, path, registry::shapeKeys("step.repeat"));
        jsonio::stageInteger(r, item, path, "scripts", "steps.repeat", step.count);
        if (depth + 1 > kMaxScriptDepth) {
            r.error(joinPath(path, "steps"), "repeats nest at most " + std::to_string(kMaxScriptDepth) + " deep");
        } else if (!item.contains("steps")) {
            r.error(joinPath(path, "steps"), "missing; the steps to repeat, e.g. [{\"send\": {\"text\": \"PING\"}}]");
        } else {
            readSteps(item["steps"], joinPath(path, "steps"), depth + 1, step.steps);
        }
    } else if (kind == "connect") {
        step.kind = ScriptStepKind::Connect;
        r.checkKeys(item, path, registry::shapeKeys("step.connect"));
        if (type == EndpointType::Udp)   // tcp-client: connects; tcp-server: waits for the next client
            r.error(joinPath(path, "connect"), "a udp endpoint has no connection to connect or wait for");
        const Json& value = item["connect"];
        if (!(value.is_boolean() && value.get<bool>()) && !(value.is_object() && value.empty()))
            r.error(joinPath(path, "connect"), "expected true, got " + jsonio::describe(value));
        step.timeout_ms = 5000;
        jsonio::stageInteger(r, item, path, "scripts", "steps.timeout_ms", step.timeout_ms);
    } else {
        step.kind = ScriptStepKind::Close;
        r.checkKeys(item, path, registry::shapeKeys("step.close"));
        if (type == EndpointType::Udp)
            r.error(joinPath(path, "close"), "a udp endpoint has no connection to close");
        readClose(item["close"], joinPath(path, "close"), step);
    }
    return r.errorCount() == before;
}

void Loader::readClose(const Json& value, const std::string& path, ScriptStep& step) {
    const Json* mode = &value;
    if (value.is_boolean() && value.get<bool>()) return;   // true: fin
    if (value.is_object()) {
        r.checkKeys(value, path, registry::shapeKeys("step.close.mode"));
        if (!value.contains("mode")) return;
        mode = &value["mode"];
    }
    const std::string text = mode->is_string() ? mode->get<std::string>() : std::string();
    if (text == "fin" || text == "graceful") step.close_mode = ScriptCloseMode::Fin;
    else if (text == "rst" || text == "abort") step.close_mode = ScriptCloseMode::Rst;
    else if (text == "half-close") step.close_mode = ScriptCloseMode::HalfClose;
    else
        r.error(mode == &value ? path : joinPath(path, "mode"),
                "expected " + registry::quotedChoices(registry::choices("steps.close")) + ", got " +
                    jsonio::describe(*mode));
}

}  // namespace

void readScripts(Reader& r, const Json& list, const std::string& path, EndpointType type, std::vector<Script>& out) {
    if (!list.is_array()) {
        r.error(path, "expected an array of scripts, got " + jsonio::describe(list));
        return;
    }
    if (list.size() > kMaxScriptsPerEndpoint) {
        r.error(path, "at most " + std::to_string(kMaxScriptsPerEndpoint) + " scripts per endpoint, got " +
                          std::to_string(list.size()));
        return;
    }
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string item_path = indexPath(path, i);
        const Json& item = list[i];
        if (!item.is_object()) {
            r.error(item_path, "expected an object like {\"name\": \"smoke\", \"steps\": [...]}, got " +
                                   jsonio::describe(item));
            continue;
        }
        r.checkKeys(item, item_path, registry::shapeKeys("script"));
        const std::size_t before = r.errorCount();
        Script script;
        if (!item.contains("name")) r.error(joinPath(item_path, "name"), "missing; every script needs a name");
        else if (r.string(item, item_path, "name", script.name)) {
            if (script.name.empty()) r.error(joinPath(item_path, "name"), "expected a non-empty name, got \"\"");
            else if (script.name.find('/') != std::string::npos)
                r.error(joinPath(item_path, "name"), "a script name cannot hold '/' (--run ENDPOINT/SCRIPT uses it)");
            else if (std::find(seen.begin(), seen.end(), script.name) != seen.end())
                r.error(joinPath(item_path, "name"), jsonQuote(script.name) + " is used twice; names must be unique");
            else seen.push_back(script.name);
        }
        if (!item.contains("steps")) {
            r.error(joinPath(item_path, "steps"), "missing; the steps of the script");
        } else {
            Loader loader{r, type};
            loader.readSteps(item["steps"], joinPath(item_path, "steps"), 1, script.steps);
        }
        if (r.errorCount() == before) out.push_back(std::move(script));
    }
}

namespace {

Json stepToJson(const ScriptStep& step) {
    Json j = Json::object();
    switch (step.kind) {
    case ScriptStepKind::Send: j["send"] = payloadToJson(step.send); break;
    case ScriptStepKind::Expect:
        j["expect"] = matchToJson(step.expect);
        j["timeout_ms"] = step.timeout_ms;
        break;
    case ScriptStepKind::Wait: j["wait_ms"] = step.wait_ms; break;
    case ScriptStepKind::Repeat: {
        j["repeat"] = step.count;
        Json& steps = j["steps"] = Json::array();
        for (const ScriptStep& inner : step.steps) steps.push_back(stepToJson(inner));
        break;
    }
    case ScriptStepKind::Connect:
        j["connect"] = true;
        j["timeout_ms"] = step.timeout_ms;
        break;
    case ScriptStepKind::Close:
        j["close"] = step.close_mode == ScriptCloseMode::Rst ? "rst" : step.close_mode == ScriptCloseMode::HalfClose ? "half-close" : "fin";
        break;
    }
    if (!step.name.empty()) j["name"] = step.name;
    return j;
}

}  // namespace

Json scriptsToJson(const std::vector<Script>& scripts) {
    Json list = Json::array();
    for (const Script& script : scripts) {
        Json item = Json::object();
        item["name"] = script.name;
        Json& steps = item["steps"] = Json::array();
        for (const ScriptStep& step : script.steps) steps.push_back(stepToJson(step));
        list.push_back(std::move(item));
    }
    return list;
}

ScriptsJsonResult scriptsFromJson(const Json& list, EndpointType type, std::string_view source) {
    Reader r(source);
    ScriptsJsonResult result;
    readScripts(r, list, "scripts", type, result.scripts);
    result.error = r.errorText();
    result.warnings = r.takeWarnings();
    return result;
}

}  // namespace sockscope
