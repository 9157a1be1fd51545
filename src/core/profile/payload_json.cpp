#include "core/profile/payload_json.hpp"

#include <climits>

#include "core/registry/choices.hpp"

namespace sockscope {
namespace {

using jsonio::Json;
using jsonio::joinPath;

/// A string field whose value must be one of a set of names: nullopt (error reported) otherwise.
template <typename T, typename Parse>
std::optional<T> readName(jsonio::Reader& r, const Json& j, const std::string& path, const char* key,
                          const char* what, std::string_view table, Parse parse) {
    std::string text;
    if (!r.string(j, path, key, text)) return std::nullopt;
    if (std::optional<T> value = parse(text)) return value;
    r.error(joinPath(path, key),
            "unknown " + std::string(what) + " '" + text + "'; expected one of " + registry::choiceList(registry::choices(table)));
    return std::nullopt;
}

void readChecksum(jsonio::Reader& r, const Json& parent, const std::string& parent_path, PayloadSpec& out) {
    const auto it = parent.find("checksum");
    if (it == parent.end() || it->is_null()) return;
    const std::string path = joinPath(parent_path, "checksum");
    ChecksumSpec c;
    if (it->is_string()) {   // shorthand: "checksum": "crc16-modbus"
        if (auto kind = readName<ChecksumKind>(r, parent, parent_path, "checksum", "checksum", "checksum.type",
                                               checksumKindFromString)) {
            c.kind = *kind;
            out.checksum = c;
        }
        return;
    }
    if (!it->is_object()) {   // tester item: "expected an object, got 5" did not say a name is fine too
        r.error(path, "expected a checksum name such as \"crc16-modbus\" or an object such as {\"type\": "
                      "\"crc16-modbus\", \"order\": \"little\"}, got " + jsonio::describe(*it));
        return;
    }
    const Json* j = r.object(parent, parent_path, "checksum");
    if (j == nullptr) return;
    r.checkKeys(*j, path, registry::shapeKeys("checksum"));
    if (!j->contains("type")) {
        r.error(joinPath(path, "type"), "missing; expected one of " + registry::choiceList(registry::choices("checksum.type")));
        return;
    }
    const auto kind = readName<ChecksumKind>(r, *j, path, "type", "checksum", "checksum.type", checksumKindFromString);
    if (kind) c.kind = *kind;
    if (j->contains("order"))
        if (auto order = readName<ChecksumByteOrder>(r, *j, path, "order", "byte order",
                                                     "checksum.order", checksumByteOrderFromString))
            c.order = *order;
    r.integer(*j, path, "start", c.start, 0, INT_MAX);
    r.integer(*j, path, "end", c.end, 0, INT_MAX);
    if (j->contains("at"))
        if (auto at = readName<ChecksumPlacement>(r, *j, path, "at", "checksum placement", "checksum.at",
                                                  checksumPlacementFromString))
            c.at = *at;
    if (kind) out.checksum = c;
}

}  // namespace

bool readPayload(jsonio::Reader& r, const Json& j, const std::string& path, PayloadSpec& out) {
    const std::size_t errors_before = r.errorCount();
    out = PayloadSpec{};
    const bool has_text = j.contains("text"), has_hex = j.contains("hex");
    if (has_text && has_hex) {
        r.error(path, "give either \"text\" or \"hex\", not both");
    } else if (!has_text && !has_hex) {
        r.error(path, "missing \"text\" or \"hex\"; a payload needs one of them, e.g. {\"hex\": \"01 03 00 00 00 01\"}");
    } else {
        out.mode = has_hex ? PayloadMode::Hex : PayloadMode::Text;
        r.string(j, path, has_hex ? "hex" : "text", out.text);
    }
    if (j.contains("encoding"))
        if (auto e = readName<TextEncoding>(r, j, path, "encoding", "encoding", "encoding", textEncodingFromString))
            out.encoding = *e;
    r.boolean(j, path, "escapes", out.escapes);
    r.boolean(j, path, "templates", out.templates);
    readChecksum(r, j, path, out);
    if (j.contains("line_ending"))
        if (auto e = readName<LineEnding>(r, j, path, "line_ending", "line ending", "line_ending",
                                          lineEndingFromString))
            out.line_ending = *e;
    if (r.errorCount() != errors_before) return false;

    const PayloadCompileResult compiled = compilePayload(out);
    if (!compiled.ok()) {
        r.error(joinPath(path, toString(out.mode)), describe(*compiled.error, out.text));
        return false;
    }
    return true;
}

void writePayload(const PayloadSpec& spec, Json& j) {
    j[toString(spec.mode)] = spec.text;
    if (spec.encoding != TextEncoding::Utf8) j["encoding"] = toString(spec.encoding);
    if (!spec.escapes) j["escapes"] = false;
    if (!spec.templates) j["templates"] = false;
    if (spec.checksum) {
        const ChecksumSpec& c = *spec.checksum;
        Json& checksum = j["checksum"] = Json::object();
        checksum["type"] = toString(c.kind);
        if (c.order != ChecksumByteOrder::Conventional) checksum["order"] = toString(c.order);
        if (c.start != 0) checksum["start"] = c.start;
        if (c.end != 0) checksum["end"] = c.end;
        if (c.at != ChecksumPlacement::End) checksum["at"] = toString(c.at);
    }
    if (spec.line_ending != LineEnding::None) j["line_ending"] = toString(spec.line_ending);
}

Json payloadToJson(const PayloadSpec& spec) {
    Json j = Json::object();
    writePayload(spec, j);
    return j;
}

PayloadJsonResult payloadFromJson(const Json& value, const std::string& path,
                                  std::initializer_list<std::string_view> extra_keys, std::string_view source) {
    PayloadJsonResult result;
    jsonio::Reader r(source);
    if (!value.is_object()) {
        r.error(path, "expected a payload object such as {\"text\": \"hello\\r\\n\"}, got " + jsonio::describe(value));
        result.error = r.errorText();
        return result;
    }
    const std::span<const std::string_view> payload_keys = registry::shapeKeys("payload");
    std::vector<std::string_view> keys(payload_keys.begin(), payload_keys.end());
    keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
    r.checkKeys(value, path, keys);
    PayloadSpec spec;
    if (readPayload(r, value, path, spec)) result.payload = std::move(spec);
    else result.error = r.errorText();
    result.warnings = r.takeWarnings();
    return result;
}

}  // namespace sockscope
