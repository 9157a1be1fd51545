#include "core/profile/endpoint_json.hpp"

#include <algorithm>
#include <climits>
#include <optional>
#include <string_view>
#include <vector>

#include <asio/ip/address.hpp>

#include "core/net/address.hpp"
#include "core/profile/faults_json.hpp"
#include "core/profile/framing_json.hpp"
#include "core/profile/recording_json.hpp"
#include "core/profile/rules_json.hpp"
#include "core/profile/script_json.hpp"
#include "core/profile/sources_json.hpp"
#include "core/registry/endpoint_registry.hpp"

namespace sockscope::endpoint_json {
namespace {

using jsonio::asInteger;
using jsonio::describe;
using jsonio::indexPath;
using jsonio::joinPath;
using jsonio::jsonQuote;
using registry::FieldDescriptor;
using registry::FieldType;
using registry::Ref;

// ---- the table's shape: a key "options.keepalive.idle_s" lives in the object "options.keepalive"

std::string_view parentOf(std::string_view key) {
    const std::size_t dot = key.rfind('.');
    return dot == std::string_view::npos ? std::string_view{} : key.substr(0, dot);
}

std::string_view leafOf(std::string_view key) {
    const std::size_t dot = key.rfind('.');
    return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

/// Where a field sits relative to the object `section`: nullopt when outside it, "" when directly
/// in it, else the full path of the child object of `section` it is nested in.
std::optional<std::string_view> childOf(std::string_view section, const FieldDescriptor& f) {
    const std::string_view parent = parentOf(f.key);
    if (parent == section) return std::string_view{};
    std::size_t start = 0;
    if (!section.empty()) {
        if (parent.size() <= section.size() || parent.substr(0, section.size()) != section ||
            parent[section.size()] != '.')
            return std::nullopt;
        start = section.size() + 1;
    }
    const std::size_t end = parent.find('.', start);
    return f.key.substr(0, end == std::string_view::npos ? parent.size() : end);
}

/// The keys an object of the table may hold, in table order (the unknown-key check's list).
std::vector<std::string_view> knownKeys(std::string_view section) {
    std::vector<std::string_view> keys;
    for (const FieldDescriptor& f : registry::endpointFields()) {
        const auto child = childOf(section, f);
        if (!child) continue;
        if (child->empty()) {
            if (f.type == FieldType::Stage) keys.insert(keys.end(), f.stage->keys.begin(), f.stage->keys.end());
            else if (f.type != FieldType::Custom || f.write != nullptr) keys.push_back(leafOf(f.key));
        } else if (const std::string_view name = leafOf(*child); std::find(keys.begin(), keys.end(), name) == keys.end()) {
            keys.push_back(name);
        }
    }
    return keys;
}

template <typename T>
T& member(const FieldDescriptor& f, EndpointConfig& c) {
    return std::get<Ref<T>>(f.access)(c);
}

/// "host:port" syntax of bind/remote; empty stays empty (the kind says when it is required).
void readAddress(Reader& r, const Json& j, const std::string& path, const char* key, std::string& out) {
    std::string text;
    if (!r.string(j, path, key, text)) return;
    if (!text.empty() && !parseHostPort(text)) {
        r.error(joinPath(path, key), "expected \"host:port\", got " + jsonQuote(text));
        return;
    }
    out = std::move(text);
}

void readField(Reader& r, const Json& j, const std::string& path, const FieldDescriptor& f, EndpointConfig& c) {
    if (f.type == FieldType::Stage) return f.stage->read(r, j, path, c);
    if (f.read != nullptr) return f.read(r, j, path, c);
    const std::string leaf(leafOf(f.key));
    const char* key = leaf.c_str();
    switch (f.type) {
        case FieldType::Bool: r.boolean(j, path, key, member<bool>(f, c)); break;
        case FieldType::Int:
            std::visit(
                [&](auto ref) {
                    if constexpr (std::is_same_v<decltype(ref), Ref<int>> || std::is_same_v<decltype(ref), Ref<std::size_t>> ||
                                  std::is_same_v<decltype(ref), Ref<std::uint32_t>>)
                        r.integer(j, path, key, ref(c), f.min, f.max);
                },
                f.access);
            break;
        case FieldType::Double: r.number(j, path, key, member<double>(f, c), f.min_d, f.max_d, f.range_text); break;
        case FieldType::String: r.string(j, path, key, member<std::string>(f, c)); break;
        case FieldType::Address: readAddress(r, j, path, key, member<std::string>(f, c)); break;
        case FieldType::OptionalInt:
            r.optionalInteger(j, path, key, member<std::optional<int>>(f, c), f.min, f.max);
            break;
        case FieldType::OptionalBool: r.optionalBoolean(j, path, key, member<std::optional<bool>>(f, c)); break;
        case FieldType::Custom:
        case FieldType::Stage: break;
    }
}

void writeField(const EndpointConfig& config, Json& j, const FieldDescriptor& f) {
    if (f.type == FieldType::Stage) return f.stage->write(config, j);
    if (f.write != nullptr) return f.write(config, j);
    if (f.read != nullptr) return;   // a check between fields: nothing of its own to write
    EndpointConfig& c = const_cast<EndpointConfig&>(config);   // the table's accessors only read here
    const std::string leaf(leafOf(f.key));
    switch (f.type) {
        case FieldType::Bool: j[leaf] = member<bool>(f, c); break;
        case FieldType::Int:
            std::visit(
                [&](auto ref) {
                    if constexpr (std::is_same_v<decltype(ref), Ref<int>> || std::is_same_v<decltype(ref), Ref<std::size_t>> ||
                                  std::is_same_v<decltype(ref), Ref<std::uint32_t>>)
                        j[leaf] = ref(c);
                },
                f.access);
            break;
        case FieldType::Double: j[leaf] = member<double>(f, c); break;
        case FieldType::String:
        case FieldType::Address: j[leaf] = member<std::string>(f, c); break;
        case FieldType::OptionalInt: {
            const std::optional<int>& v = member<std::optional<int>>(f, c);
            j[leaf] = v ? Json(*v) : Json(nullptr);
            break;
        }
        case FieldType::OptionalBool: {
            const std::optional<bool>& v = member<std::optional<bool>>(f, c);
            j[leaf] = v ? Json(*v) : Json(nullptr);
            break;
        }
        case FieldType::Custom:
        case FieldType::Stage: break;
    }
}

void readSection(Reader& r, const Json& j, const std::string& path, std::string_view section, EndpointConfig& c) {
    const std::vector<std::string_view> keys = knownKeys(section);
    r.checkKeys(j, path, keys);
    std::vector<std::string_view> visited;
    for (const FieldDescriptor& f : registry::endpointFields()) {
        const auto child = childOf(section, f);
        if (!child) continue;
        if (child->empty()) {
            readField(r, j, path, f, c);
            continue;
        }
        if (std::find(visited.begin(), visited.end(), *child) != visited.end()) continue;
        visited.push_back(*child);
        const std::string key(leafOf(*child));
        if (const Json* object = r.object(j, path, key.c_str())) readSection(r, *object, joinPath(path, key), *child, c);
    }
}

void writeSection(const EndpointConfig& c, Json& j, std::string_view section) {
    std::vector<std::string_view> visited;
    for (const FieldDescriptor& f : registry::endpointFields()) {
        const auto child = childOf(section, f);
        if (!child) continue;
        if (child->empty()) {
            writeField(c, j, f);
            continue;
        }
        if (std::find(visited.begin(), visited.end(), *child) != visited.end()) continue;
        visited.push_back(*child);
        Json& object = j[std::string(leafOf(*child))] = Json::object();
        writeSection(c, object, *child);
    }
}

/// An integer in [1, INT_MAX] or absent (the default then counts): the reconnect order check's
/// precondition, so that a bad value is reported once, by its own field.
bool validOrAbsent(const Json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) return true;
    const std::optional<std::int64_t> v = asInteger(*it);
    return v && *v >= 1 && *v <= INT_MAX;
}

}  // namespace

void readEndpointFields(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    readSection(r, j, path, "", out);
}

void writeEndpointFields(const EndpointConfig& config, Json& j) { writeSection(config, j, ""); }

void readName(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    if (!j.contains("name")) r.error(joinPath(path, "name"), "missing; every endpoint needs a unique name");
    else if (r.string(j, path, "name", out.name) && out.name.empty())
        r.error(joinPath(path, "name"), "expected a non-empty name, got \"\"");
}

void writeName(const EndpointConfig& config, Json& j) { j["name"] = config.name; }

void readType(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    std::string text;
    if (!j.contains("type")) {
        r.error(joinPath(path, "type"), "missing; " + registry::kindChoices());
    } else if (r.string(j, path, "type", text)) {
        if (const registry::KindDescriptor* kind = registry::findKind(text)) out.type = kind->type;
        else r.error(joinPath(path, "type"), registry::kindChoices() + ", got " + jsonQuote(text));
    }
}

void writeType(const EndpointConfig& config, Json& j) { j["type"] = std::string(registry::kind(config.type).name); }

/// Seconds, 0 = close at once, -1 or null = keep CLOSE_WAIT until the user closes.
void readCloseWaitTimeout(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    const auto it = j.find("close_wait_timeout_s");
    if (it != j.end() && it->is_null()) {
        out.close_wait_timeout_s = -1;
        return;
    }
    const FieldDescriptor& f = registry::field("close_wait_timeout_s");
    double value = out.close_wait_timeout_s;
    if (!r.number(j, path, "close_wait_timeout_s", value, f.min_d, f.max_d, f.range_text)) return;
    if (value < 0 && value != -1.0)
        r.error(joinPath(path, "close_wait_timeout_s"),
                std::string("expected a number ") + f.range_text + ", got " + it->dump());
    else
        out.close_wait_timeout_s = value;
}

void writeCloseWaitTimeout(const EndpointConfig& config, Json& j) {
    j["close_wait_timeout_s"] = config.close_wait_timeout_s < 0 ? -1.0 : config.close_wait_timeout_s;
}

void readMulticastGroups(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    const Json* groups = r.array(j, path, "groups");
    if (groups == nullptr) return;
    const std::string groups_path = joinPath(path, "groups");
    out.multicast.groups.clear();
    for (std::size_t i = 0; i < groups->size(); ++i) {
        const Json& item = (*groups)[i];
        const std::string item_path = indexPath(groups_path, i);
        if (!item.is_object()) {
            r.error(item_path, "expected an object {\"group\": ..., \"interface\": ...}, got " + describe(item));
            continue;
        }
        r.checkKeys(item, item_path, {"group", "interface"});
        MulticastGroup group;
        if (!item.contains("group")) {
            r.error(joinPath(item_path, "group"), "missing; expected a multicast address such as \"239.1.2.3\"");
        } else if (r.string(item, item_path, "group", group.group)) {
            asio::error_code ec;
            const auto address = asio::ip::make_address(group.group, ec);
            if (ec || !address.is_multicast())
                r.error(joinPath(item_path, "group"),
                        "expected a multicast address (224.0.0.0-239.255.255.255 or ff00::/8), got " +
                            jsonQuote(group.group));
        }
        r.string(item, item_path, "interface", group.interface);
        out.multicast.groups.push_back(std::move(group));
    }
}

void writeMulticastGroups(const EndpointConfig& config, Json& j) {
    Json& groups = j["groups"] = Json::array();
    for (const MulticastGroup& g : config.multicast.groups) {
        Json group = Json::object();
        group["group"] = g.group;
        group["interface"] = g.interface;
        groups.push_back(std::move(group));
    }
}

void checkReconnectOrder(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    const ReconnectOptions& o = out.reconnect;
    if (validOrAbsent(j, "initial_ms") && validOrAbsent(j, "max_ms") && o.max_ms < o.initial_ms)
        r.error(joinPath(path, "max_ms"), "expected an integer >= initial_ms (" + std::to_string(o.initial_ms) +
                                              "), got " + std::to_string(o.max_ms));
}

void readFramingStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    if (const Json* framing = r.object(j, path, "framing")) readFraming(r, *framing, joinPath(path, "framing"), out.framing);
}
void writeFramingStage(const EndpointConfig& config, Json& j) { j["framing"] = framingToJson(config.framing); }

void readSourcesStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) { readSources(r, j, path, out); }
void writeSourcesStage(const EndpointConfig& config, Json& j) { writeSources(config, j); }

void readRulesStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) { readRules(r, j, path, out); }
void writeRulesStage(const EndpointConfig& config, Json& j) { writeRules(config, j); }

void readScriptsStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    if (const Json* scripts = r.array(j, path, "scripts"))
        readScripts(r, *scripts, joinPath(path, "scripts"), out.type, out.scripts);
}
void writeScriptsStage(const EndpointConfig& config, Json& j) {
    if (!config.scripts.empty()) j["scripts"] = scriptsToJson(config.scripts);
}

void readReceiveToFileStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    readReceiveToFile(r, j, path, out);
}
void writeReceiveToFileStage(const EndpointConfig& config, Json& j) { writeReceiveToFile(config, j); }

void readFaultsStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    readFaults(r, j, path, out.type == EndpointType::Udp, out.faults);
}
void writeFaultsStage(const EndpointConfig& config, Json& j) {
    if (config.faults) j["faults"] = faultsToJson(*config.faults);
}

}  // namespace sockscope::endpoint_json
