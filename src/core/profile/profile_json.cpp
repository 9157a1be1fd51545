// Profile <-> JSON: the field mapping, type checks and validation with messages that name the
// JSON path and say what was expected. File I/O lives in profile.cpp.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <unordered_set>

#include <asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include "core/codec/hex.hpp"
#include "core/codec/utf8.hpp"
#include "core/net/address.hpp"
#include "core/profile/json_reader.hpp"
#include "core/profile/faults_json.hpp"
#include "core/profile/rules_json.hpp"
#include "core/profile/script_json.hpp"
#include "core/profile/recording_json.hpp"
#include "core/profile/sources_json.hpp"
#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

using jsonio::asInteger;
using jsonio::describe;
using jsonio::indexPath;
using jsonio::joinPath;
using jsonio::Json;
using jsonio::jsonQuote;
using jsonio::Reader;

constexpr const char* kTypeChoices = R"(expected "tcp-server", "tcp-client" or "udp")";

constexpr std::int64_t kIntMax = INT_MAX;

/// "host:port" syntax of bind/remote; empty stays empty (checked per type later).
bool readAddress(Reader& reader, const Json& object, const std::string& path, const char* key,
                 std::string& out) {
    std::string text;
    if (!reader.string(object, path, key, text)) return false;
    if (!text.empty() && !parseHostPort(text)) {
        reader.error(joinPath(path, key), "expected \"host:port\", got " + jsonQuote(text));
        return false;
    }
    out = std::move(text);
    return true;
}

void readKeepalive(Reader& r, const Json& j, const std::string& path, KeepaliveOptions& out) {
    r.checkKeys(j, path, {"enabled", "idle_s", "interval_s", "count"});
    r.boolean(j, path, "enabled", out.enabled);
    r.integer(j, path, "idle_s", out.idle_s, 1, kIntMax);
    r.integer(j, path, "interval_s", out.interval_s, 1, kIntMax);
    r.integer(j, path, "count", out.count, 1, kIntMax);
}

void readSocketOptions(Reader& r, const Json& j, const std::string& path, SocketOptions& out) {
    r.checkKeys(j, path, {"reuse_address", "reuse_port", "no_delay", "keepalive", "linger_s",
                          "recv_buffer", "send_buffer", "v6_only", "backlog"});
    r.boolean(j, path, "reuse_address", out.reuse_address);
    r.boolean(j, path, "reuse_port", out.reuse_port);
    r.boolean(j, path, "no_delay", out.no_delay);
    if (const Json* keepalive = r.object(j, path, "keepalive"))
        readKeepalive(r, *keepalive, joinPath(path, "keepalive"), out.keepalive);
    r.optionalInteger(j, path, "linger_s", out.linger_s, 0, kIntMax);
    r.integer(j, path, "recv_buffer", out.recv_buffer, 0, kIntMax);
    r.integer(j, path, "send_buffer", out.send_buffer, 0, kIntMax);
    r.optionalBoolean(j, path, "v6_only", out.v6_only);
    r.integer(j, path, "backlog", out.backlog, 1, kIntMax);
}

void readReconnect(Reader& r, const Json& j, const std::string& path, ReconnectOptions& out) {
    r.checkKeys(j, path, {"enabled", "initial_ms", "max_ms", "jitter", "max_attempts"});
    r.boolean(j, path, "enabled", out.enabled);
    // The ordering rule is checked only when both values are valid (a default counts as valid).
    const bool initial_ok = r.integer(j, path, "initial_ms", out.initial_ms, 1, kIntMax) || !j.contains("initial_ms");
    const bool max_ok = r.integer(j, path, "max_ms", out.max_ms, 1, kIntMax) || !j.contains("max_ms");
    if (initial_ok && max_ok && out.max_ms < out.initial_ms) {
        r.error(joinPath(path, "max_ms"), "expected an integer >= initial_ms (" + std::to_string(out.initial_ms) +
                                              "), got " + std::to_string(out.max_ms));
    }
    r.number(j, path, "jitter", out.jitter, 0.0, 1.0, "from 0 to 1");
    r.integer(j, path, "max_attempts", out.max_attempts, 0, kIntMax);
}

void readMulticast(Reader& r, const Json& j, const std::string& path, MulticastOptions& out) {
    r.checkKeys(j, path, {"groups", "ttl", "loopback"});
    if (const Json* groups = r.array(j, path, "groups")) {
        const std::string groups_path = joinPath(path, "groups");
        out.groups.clear();
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
            out.groups.push_back(std::move(group));
        }
    }
    r.integer(j, path, "ttl", out.ttl, 0, 255);
    r.boolean(j, path, "loopback", out.loopback);
}

constexpr std::size_t kMaxDelimiterBytes = 64;
constexpr std::int64_t kMaxAdjust = std::int64_t{1} << 30;
constexpr std::int64_t kMaxGapMs = 3'600'000;

/// "delimiter": {"hex": "0d 0a"} | {"text": "\r\n"} | "\r\n" (the same as {"text": ...}).
void readDelimiter(Reader& r, const Json& j, const std::string& path, FramingConfig& out) {
    const auto it = j.find("delimiter");
    if (it == j.end()) return;
    const std::string dpath = joinPath(path, "delimiter");
    Bytes bytes;
    bool is_text = true;
    std::string where = dpath;
    if (it->is_string()) {
        const std::string text = it->get<std::string>();
        bytes.assign(text.begin(), text.end());
    } else if (it->is_object()) {
        r.checkKeys(*it, dpath, {"hex", "text"});
        const bool has_hex = it->contains("hex"), has_text = it->contains("text");
        if (has_hex == has_text) {
            r.error(dpath, "expected exactly one of {\"hex\": \"0d 0a\"} or {\"text\": \"\\r\\n\"}");
            return;
        }
        std::string text;
        if (!r.string(*it, dpath, has_hex ? "hex" : "text", text)) return;
        where = joinPath(dpath, has_hex ? "hex" : "text");
        if (has_hex) {
            ParseResult parsed = parseHex(text);
            if (!parsed.ok()) {
                r.error(where, "invalid hex: " + describe(*parsed.error, text));
                return;
            }
            bytes = std::move(parsed.bytes);
            is_text = false;
        } else {
            bytes.assign(text.begin(), text.end());
        }
    } else {
        r.error(dpath, "expected {\"hex\": \"0d 0a\"}, {\"text\": \"\\r\\n\"} or a string, got " + describe(*it));
        return;
    }
    if (bytes.empty() || bytes.size() > kMaxDelimiterBytes) {
        r.error(where, "expected 1 to " + std::to_string(kMaxDelimiterBytes) + " bytes, got " +
                           std::to_string(bytes.size()));
        return;
    }
    out.delimiter = std::move(bytes);
    out.delimiter_is_text = is_text;
}

void readFraming(Reader& r, const Json& j, const std::string& path, FramingConfig& out) {
    r.checkKeys(j, path, {"type", "delimiter", "keep", "length", "offset", "size", "endian", "adjust", "gap_ms",
                          "max", "on_error"});
    std::string type_text;
    constexpr const char* kChoices = R"(expected "raw", "delimiter", "fixed", "length" or "idle")";
    if (!j.contains("type")) {
        r.error(joinPath(path, "type"), std::string("missing; ") + kChoices);
        return;
    }
    if (!r.string(j, path, "type", type_text)) return;
    const auto type = framingTypeFromString(type_text);
    if (!type) {
        r.error(joinPath(path, "type"), std::string(kChoices) + ", got " + jsonQuote(type_text));
        return;
    }
    out.type = *type;
    for (const auto& item : j.items()) {
        const std::string& key = item.key();
        if (key == "type" || framingUses(out.type, key)) continue;
        const auto all = {"delimiter", "keep", "length", "offset", "size", "endian", "adjust", "gap_ms", "max", "on_error"};
        if (std::find(all.begin(), all.end(), key) != all.end())
            r.warning(joinPath(path, key), "does not apply to framing type " + jsonQuote(type_text) + " (ignored)");
    }
    const auto reads = [&](std::string_view key) { return framingUses(out.type, key); };
    const auto limit = static_cast<std::int64_t>(kMaxFrameLimit);
    if (reads("delimiter")) readDelimiter(r, j, path, out);
    if (reads("keep")) r.boolean(j, path, "keep", out.keep);
    if (reads("length")) {
        if (!j.contains("length")) r.error(joinPath(path, "length"), "missing; the fixed framing needs the length of every message in bytes");
        r.integer(j, path, "length", out.length, 1, limit);
    }
    if (reads("max")) r.integer(j, path, "max", out.max, 1, limit);
    bool field_ok = true;
    if (reads("offset")) field_ok &= r.integer(j, path, "offset", out.offset, 0, limit) || !j.contains("offset");
    if (reads("size") && j.contains("size")) {
        const std::optional<std::int64_t> size = asInteger(j["size"]);
        if (size && (*size == 1 || *size == 2 || *size == 4)) out.size = static_cast<std::size_t>(*size);
        else {
            r.error(joinPath(path, "size"), "must be 1, 2 or 4 (bytes of the length field), got " + describe(j["size"]));
            field_ok = false;
        }
    }
    if (reads("endian")) {
        std::string endian;
        if (r.string(j, path, "endian", endian)) {
            if (endian == "big") out.endian = ByteOrder::Big;
            else if (endian == "little") out.endian = ByteOrder::Little;
            else r.error(joinPath(path, "endian"), "expected \"big\" or \"little\", got " + jsonQuote(endian));
        }
    }
    if (reads("adjust")) r.integer(j, path, "adjust", out.adjust, -kMaxAdjust, kMaxAdjust);
    if (reads("gap_ms")) r.integer(j, path, "gap_ms", out.gap_ms, 1, kMaxGapMs);
    if (reads("on_error")) {
        std::string policy;
        if (r.string(j, path, "on_error", policy)) {
            if (policy == "resync") out.on_error = FramingOnError::Resync;
            else if (policy == "close") out.on_error = FramingOnError::Close;
            else r.error(joinPath(path, "on_error"), "expected \"resync\" or \"close\", got " + jsonQuote(policy));
        }
    }
    if (out.type == FramingType::Delimiter && out.delimiter.size() > out.max)
        r.error(joinPath(path, "max"), "expected at least the delimiter's length (" +
                                           std::to_string(out.delimiter.size()) + " bytes), got " + std::to_string(out.max));
    if (out.type == FramingType::Length && field_ok && out.offset + out.size > out.max)
        r.error(joinPath(path, "offset"), "the length field (bytes " + std::to_string(out.offset) + " to " +
                                              std::to_string(out.offset + out.size - 1) +
                                              ") must lie within max (" + std::to_string(out.max) + " bytes)");
}

Json framingToJson(const FramingConfig& f) {
    Json j = Json::object();
    j["type"] = toString(f.type);
    const auto writes = [&](std::string_view key) { return framingUses(f.type, key); };
    if (writes("delimiter")) {
        const std::string_view text(reinterpret_cast<const char*>(f.delimiter.data()), f.delimiter.size());
        if (f.delimiter_is_text && !utf8::firstInvalid(text)) j["delimiter"] = Json{{"text", std::string(text)}};
        else j["delimiter"] = Json{{"hex", formatHex(f.delimiter, HexStyle::SpacedLower)}};
    }
    if (writes("keep")) j["keep"] = f.keep;
    if (writes("length")) j["length"] = f.length;
    if (writes("offset")) {
        j["offset"] = f.offset;
        j["size"] = f.size;
        j["endian"] = toString(f.endian);
        j["adjust"] = f.adjust;
    }
    if (writes("gap_ms")) j["gap_ms"] = f.gap_ms;
    if (writes("max")) {
        j["max"] = f.max;
        j["on_error"] = toString(f.on_error);
    }
    return j;
}

bool isIpLiteral(const std::string& host) {
    asio::error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

/// Cross-field rules; run only when the endpoint's fields read cleanly (no cascades).
void checkEndpointRules(Reader& r, const EndpointConfig& c, const std::string& path) {
    auto port_of = [](const std::string& text) { return parseHostPort(text).value_or(HostPort{}).port; };
    switch (c.type) {
        case EndpointType::TcpServer:
            if (c.bind.empty())
                r.error(joinPath(path, "bind"), "missing; a tcp-server needs the \"host:port\" to listen on, e.g. \"127.0.0.1:9000\"");
            break;
        case EndpointType::Udp:
            if (c.bind.empty())
                r.error(joinPath(path, "bind"), "missing; a udp endpoint needs the \"host:port\" to bind, e.g. \"0.0.0.0:9000\"");
            break;
        case EndpointType::TcpClient:
            if (c.remote.empty())
                r.error(joinPath(path, "remote"), "missing; a tcp-client needs the \"host:port\" to connect to, e.g. \"127.0.0.1:9000\"");
            if (!c.bind.empty() && !isIpLiteral(parseHostPort(c.bind).value_or(HostPort{}).host))
                r.error(joinPath(path, "bind"), "expected an IP address and port such as \"0.0.0.0:0\" (a tcp-client's "
                                                "local address is not looked up by name), got " + jsonQuote(c.bind));
            break;
    }
    if (c.type == EndpointType::Udp && c.framing.type == FramingType::Idle)
        r.error(joinPath(path, "framing.type"), "\"idle\" applies to TCP only: a UDP datagram is already one message");
    if (!c.remote.empty() && c.type != EndpointType::TcpServer && port_of(c.remote) == 0)
        r.error(joinPath(path, "remote"), "expected \"host:port\" with a port from 1 to 65535, got " + jsonQuote(c.remote));
}

/// Seconds, 0 = close at once, -1 or null = keep CLOSE_WAIT until the user closes.
void readCloseWaitTimeout(Reader& r, const Json& j, const std::string& path, double& out) {
    const auto it = j.find("close_wait_timeout_s");
    if (it != j.end() && it->is_null()) {
        out = -1;
        return;
    }
    const char* range = "of seconds from 0 to 1e9, or -1 or null to keep CLOSE_WAIT until you close";
    double value = out;
    if (!r.number(j, path, "close_wait_timeout_s", value, -1.0, 1e9, range)) return;
    if (value < 0 && value != -1.0)
        r.error(joinPath(path, "close_wait_timeout_s"), std::string("expected a number ") + range + ", got " +
                                                            it->dump());
    else
        out = value;
}

EndpointConfig readEndpoint(Reader& r, const Json& j, const std::string& path) {
    EndpointConfig c;
    r.checkKeys(j, path, {"name", "type", "bind", "remote", "echo", "auto_start", "framing", "max_connections",
                          "close_on_peer_fin", "close_wait_timeout_s", "write_queue_limit", "connect_timeout_ms",
                          "reconnect",
                          "broadcast", "reply_to_sender", "multicast", "options", "commands", "on_connect", "timers",
                          "rules", "storm_limit", "scripts", "receive_to_file", "faults"});
    const std::size_t errors_before = r.errorCount();

    if (!j.contains("name")) {
        r.error(joinPath(path, "name"), "missing; every endpoint needs a unique name");
    } else if (r.string(j, path, "name", c.name) && c.name.empty()) {
        r.error(joinPath(path, "name"), "expected a non-empty name, got \"\"");
    }
    std::string type_text;
    if (!j.contains("type")) {
        r.error(joinPath(path, "type"), std::string("missing; ") + kTypeChoices);
    } else if (r.string(j, path, "type", type_text)) {
        if (auto type = endpointTypeFromString(type_text)) c.type = *type;
        else r.error(joinPath(path, "type"), std::string(kTypeChoices) + ", got " + jsonQuote(type_text));
    }
    readAddress(r, j, path, "bind", c.bind);
    readAddress(r, j, path, "remote", c.remote);
    r.boolean(j, path, "echo", c.echo);
    r.boolean(j, path, "auto_start", c.auto_start);
    if (const Json* framing = r.object(j, path, "framing")) readFraming(r, *framing, joinPath(path, "framing"), c.framing);
    r.integer(j, path, "max_connections", c.max_connections, 1, kIntMax);
    r.boolean(j, path, "close_on_peer_fin", c.close_on_peer_fin);
    readCloseWaitTimeout(r, j, path, c.close_wait_timeout_s);
    r.integer(j, path, "write_queue_limit", c.write_queue_limit, 1,
              static_cast<std::int64_t>(std::min<std::uint64_t>(std::numeric_limits<std::size_t>::max(),
                                                                std::numeric_limits<std::int64_t>::max())));
    r.integer(j, path, "connect_timeout_ms", c.connect_timeout_ms, 1, kIntMax);
    if (const Json* reconnect = r.object(j, path, "reconnect"))
        readReconnect(r, *reconnect, joinPath(path, "reconnect"), c.reconnect);
    r.boolean(j, path, "broadcast", c.broadcast);
    r.boolean(j, path, "reply_to_sender", c.reply_to_sender);
    if (const Json* multicast = r.object(j, path, "multicast"))
        readMulticast(r, *multicast, joinPath(path, "multicast"), c.multicast);
    if (const Json* options = r.object(j, path, "options"))
        readSocketOptions(r, *options, joinPath(path, "options"), c.options);
    readSources(r, j, path, c);
    readRules(r, j, path, c);
    if (const Json* scripts = r.array(j, path, "scripts"))
        readScripts(r, *scripts, joinPath(path, "scripts"), c.type, c.scripts);
    readReceiveToFile(r, j, path, c);
    readFaults(r, j, path, c.type == EndpointType::Udp, c.faults);

    if (r.errorCount() == errors_before) checkEndpointRules(r, c, path);
    return c;
}

Json endpointToJson(const EndpointConfig& c) {
    Json j = Json::object();
    j["name"] = c.name;
    j["type"] = toString(c.type);
    j["bind"] = c.bind;
    j["remote"] = c.remote;
    j["echo"] = c.echo;
    j["auto_start"] = c.auto_start;
    j["framing"] = framingToJson(c.framing);
    j["max_connections"] = c.max_connections;
    j["close_on_peer_fin"] = c.close_on_peer_fin;
    j["close_wait_timeout_s"] = c.close_wait_timeout_s < 0 ? -1.0 : c.close_wait_timeout_s;
    j["write_queue_limit"] = c.write_queue_limit;
    j["connect_timeout_ms"] = c.connect_timeout_ms;
    Json& reconnect = j["reconnect"] = Json::object();
    reconnect["enabled"] = c.reconnect.enabled;
    reconnect["initial_ms"] = c.reconnect.initial_ms;
    reconnect["max_ms"] = c.reconnect.max_ms;
    reconnect["jitter"] = c.reconnect.jitter;
    reconnect["max_attempts"] = c.reconnect.max_attempts;
    j["broadcast"] = c.broadcast;
    j["reply_to_sender"] = c.reply_to_sender;
    Json& multicast = j["multicast"] = Json::object();
    Json& groups = multicast["groups"] = Json::array();
    for (const MulticastGroup& g : c.multicast.groups) {
        Json group = Json::object();
        group["group"] = g.group;
        group["interface"] = g.interface;
        groups.push_back(std::move(group));
    }
    multicast["ttl"] = c.multicast.ttl;
    multicast["loopback"] = c.multicast.loopback;
    Json& options = j["options"] = Json::object();
    const SocketOptions& o = c.options;
    options["reuse_address"] = o.reuse_address;
    options["reuse_port"] = o.reuse_port;
    options["no_delay"] = o.no_delay;
    Json& keepalive = options["keepalive"] = Json::object();
    keepalive["enabled"] = o.keepalive.enabled;
    keepalive["idle_s"] = o.keepalive.idle_s;
    keepalive["interval_s"] = o.keepalive.interval_s;
    keepalive["count"] = o.keepalive.count;
    options["linger_s"] = o.linger_s ? Json(*o.linger_s) : Json(nullptr);
    options["recv_buffer"] = o.recv_buffer;
    options["send_buffer"] = o.send_buffer;
    options["v6_only"] = o.v6_only ? Json(*o.v6_only) : Json(nullptr);
    options["backlog"] = o.backlog;
    writeSources(c, j);
    writeRules(c, j);
    if (!c.scripts.empty()) j["scripts"] = scriptsToJson(c.scripts);
    writeReceiveToFile(c, j);
    if (c.faults) j["faults"] = faultsToJson(*c.faults);
    return j;
}

/// Nesting deeper than a profile ever needs is refused (bounds recursion in what follows).
constexpr std::size_t kMaxDepth = 64;

/// Builds the document as nlohmann's own parser does, and also catches what that parser lets
/// through or reports without a place: a key that appears twice in one object (the last would
/// silently win) and the JSON path of a value it cannot read (a number out of range, too deep).
class DocumentBuilder {
public:
    using string_t = Json::string_t;

    explicit DocumentBuilder(Json& root) : m_root(root) {}

    bool null() { return value(nullptr); }
    bool boolean(bool v) { return value(v); }
    bool number_integer(Json::number_integer_t v) { return value(v); }
    bool number_unsigned(Json::number_unsigned_t v) { return value(v); }
    bool number_float(Json::number_float_t v, const string_t&) { return value(v); }
    bool string(string_t& v) { return value(std::move(v)); }
    bool binary(Json::binary_t& v) { return value(std::move(v)); }
    bool start_object(std::size_t) { return open(Json::object()); }
    bool start_array(std::size_t) { return open(Json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(string_t& key) {
        if (!m_open.back().keys.insert(key).second)
            m_duplicates.push_back({joinPath(m_open.back().path, key),
                                    "the key " + jsonQuote(key) + " appears more than once in this object; "
                                    "only one value can count, so remove the others"});
        m_key = std::move(key);
        return true;
    }

    bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& e) {
        m_error = Failure{position, token, e.id, e.what(), nextPath()};
        return false;
    }

    struct Failure {
        std::size_t position;   // characters read when it failed
        std::string token;      // the token being read
        int id;                 // nlohmann's exception id: 101 syntax, 406 number out of range, ...
        std::string what;
        std::string path;       // of the value being read
    };
    const std::optional<Failure>& failure() const { return m_error; }
    const std::vector<ConfigIssue>& duplicates() const { return m_duplicates; }

private:
    struct Open {
        Json* value;
        std::string path;
        std::unordered_set<std::string> keys;   // objects: the keys seen so far
    };

    /// The path of the value about to be read.
    std::string nextPath() const {
        if (m_open.empty()) return "";
        const Open& top = m_open.back();
        return top.value->is_array() ? indexPath(top.path, top.value->size()) : joinPath(top.path, m_key);
    }

    /// Where the next value goes: the root, the end of the open array, or the pending key.
    Json& slot() {
        if (m_open.empty()) return m_root;
        Json& top = *m_open.back().value;
        if (top.is_array()) {
            top.push_back(nullptr);
            return top.back();
        }
        return top[m_key];
    }

    template <typename T>
    bool value(T&& v) {
        slot() = Json(std::forward<T>(v));
        return true;
    }

    bool open(Json container) {
        std::string path = nextPath();
        if (m_open.size() >= kMaxDepth) {
            m_error = Failure{0, "", -1, "nesting deeper than " + std::to_string(kMaxDepth) + " levels", path};
            return false;
        }
        Json& placed = slot();
        placed = std::move(container);
        m_open.push_back(Open{&placed, std::move(path), {}});
        return true;
    }

    bool close() {
        m_open.pop_back();
        return true;
    }

    Json& m_root;
    std::vector<Open> m_open;
    string_t m_key;
    std::vector<ConfigIssue> m_duplicates;
    std::optional<Failure> m_error;
};

/// "line L, column C" of a byte offset, counted the way editors do (1-based).
std::pair<std::size_t, std::size_t> lineColumn(std::string_view text, std::size_t byte) {
    byte = std::min(byte, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < byte; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

/// nlohmann's message without its "[json.exception...] parse error at line 1, column 2: " prefix.
std::string plainParseMessage(const std::string& what) {
    const std::size_t at = what.find("parse error");
    if (at == std::string::npos) return what;
    const std::size_t colon = what.find(": ", at);
    if (colon == std::string::npos) return what;
    return what.substr(colon + 2);
}

/// "file:L:C: " for a byte offset.
std::string place(std::string_view text, std::string_view source, std::size_t byte) {
    const auto [line, column] = lineColumn(text, byte);
    return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

/// Parses `text` into `root`; on failure, the error text naming the file and the place.
std::optional<std::string> parseDocument(std::string_view text, std::string_view source, Json& root) {
    DocumentBuilder builder(root);
    bool parsed = false;
    try {
        parsed = Json::sax_parse(text.begin(), text.end(), &builder);
    } catch (const Json::exception& e) {   // not expected: the builder reports, never throws
        return std::string(source) + ": invalid JSON: " + e.what();
    }
    if (!parsed && !builder.failure()) return std::string(source) + ": invalid JSON";
    if (builder.failure()) {
        const auto& f = *builder.failure();
        const std::string at_path = f.path.empty() ? std::string() : f.path + ": ";
        if (f.id == 406) {   // a number the parser cannot hold
            const std::size_t start = f.position >= f.token.size() ? f.position - f.token.size() : 0;
            return place(text, source, start) + at_path + "invalid JSON: the number " + f.token +
                   " is out of range (a double holds at most about 1.8e308)";
        }
        if (f.id < 0) return std::string(source) + ": " + at_path + f.what;
        // The position is 1-based: the character that broke the parse.
        return place(text, source, f.position == 0 ? 0 : f.position - 1) + "invalid JSON: " + plainParseMessage(f.what);
    }
    // nlohmann ends the document at a NUL byte (C strings); anything after it is not JSON.
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
        return place(text, source, nul) + "invalid JSON: a NUL byte after the document; only whitespace may follow it";
    if (!builder.duplicates().empty()) {
        Reader r(source);
        for (const ConfigIssue& issue : builder.duplicates()) r.error(issue.path, issue.message);
        return r.errorText();
    }
    return std::nullopt;
}

}  // namespace

ProfileLoadResult parseProfile(std::string_view json_text, std::string_view source_name) {
    ProfileLoadResult result;
    const std::string source(source_name);

    Json root;
    if (std::optional<std::string> error = parseDocument(json_text, source, root)) {
        result.error = std::move(*error);
        return result;
    }

    Reader r(source);
    if (!root.is_object()) {
        r.error("", "expected a JSON object {\"version\": 1, ...} at the top level, got " + describe(root));
        result.error = r.errorText();
        return result;
    }
    auto version_it = root.find("version");
    if (version_it == root.end()) {
        r.error("version", "missing; expected \"version\": " + std::to_string(kProfileVersion) +
                               " (this build reads version " + std::to_string(kProfileVersion) + ")");
        result.error = r.errorText();
        return result;
    }
    const std::optional<std::int64_t> version = asInteger(*version_it);
    if (!version) {
        r.error("version", "expected an integer, got " + describe(*version_it));
        result.error = r.errorText();
        return result;
    }
    if (*version != kProfileVersion) {
        r.error("", "unsupported profile version " + describe(*version_it) + " (this build reads version " +
                        std::to_string(kProfileVersion) + ")");
        result.error = r.errorText();
        return result;
    }

    Profile profile;
    r.checkKeys(root, "", {"version", "name", "endpoints", "recording"});
    readRecordings(r, root, profile.recording);
    r.string(root, "", "name", profile.name);
    if (const Json* endpoints = r.array(root, "", "endpoints")) {
        std::map<std::string, std::size_t> first_use;
        for (std::size_t i = 0; i < endpoints->size(); ++i) {
            const Json& item = (*endpoints)[i];
            const std::string path = indexPath("endpoints", i);
            if (!item.is_object()) {
                r.error(path, "expected an object (one endpoint), got " + describe(item));
                continue;
            }
            EndpointConfig config = readEndpoint(r, item, path);
            if (!config.name.empty()) {
                auto [it, inserted] = first_use.emplace(config.name, i);
                if (!inserted)
                    r.error(joinPath(path, "name"), "expected a unique name, got " + jsonQuote(config.name) +
                                                        " (already used by endpoints[" + std::to_string(it->second) + "])");
            }
            profile.endpoints.push_back(std::move(config));
        }
    }

    result.warnings = r.takeWarnings();
    if (r.errorCount() > 0) {
        result.error = r.errorText();
        return result;
    }
    result.profile = std::move(profile);
    return result;
}

nlohmann::ordered_json profileToJson(const Profile& profile) {
    Json j = Json::object();
    j["version"] = profile.version;
    j["name"] = profile.name;
    Json& endpoints = j["endpoints"] = Json::array();
    for (const EndpointConfig& c : profile.endpoints) endpoints.push_back(endpointToJson(c));
    if (!profile.recording.empty()) {   // a profile without recorders gains no key
        Json& recording = j["recording"] = Json::array();
        for (const RecordingConfig& c : profile.recording) recording.push_back(recordingToJson(c));
    }
    return j;
}

std::string profileToText(const Profile& profile) {
    std::string text = profileToJson(profile).dump(2, ' ', false, Json::error_handler_t::replace);
    text += '\n';
    return text;
}

std::vector<ConfigIssue> validateEndpoint(const EndpointConfig& config) {
    // The loader's own reading of the endpoint as it would be saved: one set of rules.
    Reader r("");
    readEndpoint(r, endpointToJson(config), "");
    return r.takeErrors();
}

std::string validateProfile(const Profile& profile, std::string_view source_name) {
    ProfileLoadResult check = parseProfile(profileToText(profile), source_name);
    return check.profile ? std::string() : check.error;
}

}  // namespace sockscope
