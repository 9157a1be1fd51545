// Profile <-> JSON: the document (duplicate keys, depth, version), the profile level and the rules
// between an endpoint's fields. The fields themselves go through the registry's table
// (profile/endpoint_json.cpp, registry/endpoint_registry.hpp). File I/O lives in profile.cpp.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <unordered_set>

#include <asio/ip/address.hpp>
#include <nlohmann/json.hpp>

#include "core/net/address.hpp"
#include "core/profile/endpoint_json.hpp"
#include "core/profile/json_reader.hpp"
#include "core/registry/endpoint_registry.hpp"
#include "core/profile/recording_json.hpp"
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

bool isIpLiteral(const std::string& host) {
    asio::error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

/// Cross-field rules; run only when the endpoint's fields read cleanly (no cascades).
void checkEndpointRules(Reader& r, const EndpointConfig& c, const std::string& path) {
    auto port_of = [](const std::string& text) { return parseHostPort(text).value_or(HostPort{}).port; };
    const registry::KindDescriptor& kind = registry::kind(c.type);
    if (kind.bind_missing && c.bind.empty()) r.error(joinPath(path, "bind"), kind.bind_missing);
    if (kind.remote_missing && c.remote.empty()) r.error(joinPath(path, "remote"), kind.remote_missing);
    // A tcp-client binds its local address before connecting: a name is not looked up there.
    if (c.type == EndpointType::TcpClient && !c.bind.empty() &&
        !isIpLiteral(parseHostPort(c.bind).value_or(HostPort{}).host))
        r.error(joinPath(path, "bind"), "expected an IP address and port such as \"0.0.0.0:0\" (a tcp-client's "
                                        "local address is not looked up by name), got " + jsonQuote(c.bind));
    if (c.type == EndpointType::Udp && c.framing.type == FramingType::Idle)
        r.error(joinPath(path, "framing.type"), "\"idle\" applies to TCP only: a UDP datagram is already one message");
    if (!c.remote.empty() && c.type != EndpointType::TcpServer && port_of(c.remote) == 0)
        r.error(joinPath(path, "remote"), "expected \"host:port\" with a port from 1 to 65535, got " + jsonQuote(c.remote));
}

EndpointConfig readEndpoint(Reader& r, const Json& j, const std::string& path) {
    EndpointConfig c;
    const std::size_t errors_before = r.errorCount();
    endpoint_json::readEndpointFields(r, j, path, c);
    if (r.errorCount() == errors_before) checkEndpointRules(r, c, path);
    return c;
}

Json endpointToJson(const EndpointConfig& c) {
    Json j = Json::object();
    endpoint_json::writeEndpointFields(c, j);
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

/// A recorder scoped to a name no endpoint has would record nothing: said as a warning (the
/// endpoint may still be added, in the GUI), naming the recorder's scope.
void warnScopesWithoutEndpoint(jsonio::Reader& r, const Profile& profile) {
    for (std::size_t i = 0; i < profile.recording.size(); ++i) {
        std::string ignored;
        const auto scope = parseRecordScope(profile.recording[i].scope, ignored);
        if (!scope || scope->endpoint.empty()) continue;
        bool found = false;
        for (const EndpointConfig& e : profile.endpoints) found = found || e.name == scope->endpoint;
        const std::size_t slash = scope->endpoint.rfind('/');
        bool endpoint_then_junk = false;   // "dev/x": an endpoint, then not a connection number
        for (const EndpointConfig& e : profile.endpoints)
            endpoint_then_junk = endpoint_then_junk || (slash != std::string::npos && e.name == scope->endpoint.substr(0, slash));
        if (!found && endpoint_then_junk)
            r.warning(joinPath(indexPath("recording", i), "scope"),
                      jsonQuote(scope->endpoint.substr(slash + 1)) + " is not a connection number: this recorder records "
                          "nothing (expected " + jsonQuote(scope->endpoint.substr(0, slash) + "/N") + ", N from 1)");
        else if (!found)
            r.warning(joinPath(indexPath("recording", i), "scope"),
                      "no endpoint is named " + jsonQuote(scope->endpoint) +
                          ": this recorder records nothing until one is (expected \"all\", an endpoint's name or "
                          "\"name/connection\")");
    }
}

}  // namespace

std::optional<std::string> firstDuplicateKey(std::string_view json_text) {
    Json root;
    DocumentBuilder builder(root);
    try {
        if (!Json::sax_parse(json_text.begin(), json_text.end(), &builder)) return std::nullopt;
    } catch (const Json::exception&) {
        return std::nullopt;
    }
    if (builder.duplicates().empty()) return std::nullopt;
    const ConfigIssue& first = builder.duplicates().front();
    return first.path + ": " + first.message;
}

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
    warnScopesWithoutEndpoint(r, profile);

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
