#include "core/profile/sources_json.hpp"

#include <limits>

#include "core/net/address.hpp"
#include "core/profile/payload_json.hpp"
#include "core/profile/stage_field_json.hpp"
#include "core/registry/shapes.hpp"

namespace sockscope {
namespace {

using jsonio::indexPath;
using jsonio::joinPath;
using jsonio::Json;
using jsonio::jsonQuote;
using jsonio::Reader;

/// Names identify commands and timers in the GUI and the command channel: present, unique.
bool readName(Reader& r, const Json& item, const std::string& path, std::string& out,
              std::vector<std::string>& seen) {
    if (!item.contains("name")) {
        r.error(joinPath(path, "name"), "missing; every command and timer needs a name");
        return false;
    }
    if (!r.string(item, path, "name", out)) return false;
    if (out.empty()) {
        r.error(joinPath(path, "name"), "expected a non-empty name, got \"\"");
        return false;
    }
    for (const auto& name : seen)
        if (name == out) {
            r.error(joinPath(path, "name"), jsonQuote(out) + " is used twice; names must be unique");
            return false;
        }
    seen.push_back(out);
    return true;
}

void readCommands(Reader& r, const Json& list, const std::string& path, std::vector<SavedCommand>& out) {
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string item_path = indexPath(path, i);
        const Json& item = list[i];
        if (!item.is_object()) {
            r.error(item_path, "expected an object like {\"name\": \"read reg\", \"hex\": \"01 03 00 00 00 01\"}");
            continue;
        }
        r.checkKeys(item, item_path, registry::shapeKeys("command"));
        SavedCommand command;
        const bool named = readName(r, item, item_path, command.name, seen);
        if (readPayload(r, item, item_path, command.payload) && named) out.push_back(std::move(command));
    }
}

void readTimers(Reader& r, const Json& list, const std::string& path, bool udp, std::vector<TimerConfig>& out) {
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string item_path = indexPath(path, i);
        const Json& item = list[i];
        if (!item.is_object()) {
            r.error(item_path, "expected an object like {\"name\": \"heartbeat\", \"every_ms\": 1000, \"send\": {...}}");
            continue;
        }
        r.checkKeys(item, item_path, registry::shapeKeys("timer"));
        TimerConfig timer;
        // The readers return false for an absent key too (the default stays): count errors.
        const std::size_t errors_before = r.errorCount();
        readName(r, item, item_path, timer.name, seen);
        jsonio::stageInteger(r, item, item_path, "sources", "timers.every_ms", timer.every_ms);
        jsonio::stageInteger(r, item, item_path, "sources", "timers.count", timer.count);
        r.boolean(item, item_path, "auto_start", timer.auto_start);
        // A destination means something on udp only (TCP sends to the connections): checked there.
        if (r.string(item, item_path, "to", timer.to) && udp && !timer.to.empty() &&
            parseHostPort(timer.to).value_or(HostPort{}).port == 0)   // as remote is checked
            r.error(joinPath(item_path, "to"),
                    "expected \"host:port\" with a port from 1 to 65535, got " + jsonQuote(timer.to));
        bool ok = r.errorCount() == errors_before;
        if (!item.contains("send")) {
            r.error(joinPath(item_path, "send"), "missing; the payload the timer sends, e.g. {\"text\": \"PING\\r\\n\"}");
            continue;
        }
        if (const Json* send = r.object(item, item_path, "send")) {
            r.checkKeys(*send, joinPath(item_path, "send"), registry::shapeKeys("payload"));
            ok = readPayload(r, *send, joinPath(item_path, "send"), timer.send) && ok;
        } else {
            ok = false;
        }
        if (ok) out.push_back(std::move(timer));
    }
}

}  // namespace

void readSources(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    if (const Json* commands = r.array(j, path, "commands")) readCommands(r, *commands, joinPath(path, "commands"), out.commands);
    if (const Json* on_connect = r.object(j, path, "on_connect")) {
        const std::string on_path = joinPath(path, "on_connect");
        r.checkKeys(*on_connect, on_path, registry::shapeKeys("payload"));
        PayloadSpec spec;
        if (readPayload(r, *on_connect, on_path, spec)) out.on_connect = std::move(spec);
    }
    if (const Json* timers = r.array(j, path, "timers"))
        readTimers(r, *timers, joinPath(path, "timers"), out.type == EndpointType::Udp, out.timers);
}

void writeSources(const EndpointConfig& c, Json& j) {
    if (!c.commands.empty()) {
        Json& commands = j["commands"] = Json::array();
        for (const SavedCommand& command : c.commands) {
            Json item = Json::object();
            item["name"] = command.name;
            writePayload(command.payload, item);
            commands.push_back(std::move(item));
        }
    }
    if (c.on_connect) j["on_connect"] = payloadToJson(*c.on_connect);
    if (!c.timers.empty()) {
        Json& timers = j["timers"] = Json::array();
        for (const TimerConfig& timer : c.timers) {
            Json item = Json::object();
            item["name"] = timer.name;
            item["every_ms"] = timer.every_ms;
            item["count"] = timer.count;
            item["auto_start"] = timer.auto_start;
            if (!timer.to.empty()) item["to"] = timer.to;
            item["send"] = payloadToJson(timer.send);
            timers.push_back(std::move(item));
        }
    }
}

}  // namespace sockscope
