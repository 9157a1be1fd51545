#include "core/profile/framing_json.hpp"

#include <algorithm>
#include <cstdint>

#include "core/codec/hex.hpp"
#include "core/codec/utf8.hpp"
#include "core/profile/stage_field_json.hpp"
#include "core/registry/choices.hpp"
#include "core/registry/shapes.hpp"

namespace sockscope {

using jsonio::asInteger;
using jsonio::describe;
using jsonio::joinPath;
using jsonio::Json;
using jsonio::jsonQuote;
using jsonio::Reader;

namespace {

constexpr std::size_t kMaxDelimiterBytes = 64;

/// The field's range from the registry (the editor clamps to the same).
bool readRanged(Reader& r, const Json& j, const std::string& path, const char* key, auto& out) {
    return jsonio::stageInteger(r, j, path, "framing", key, out);
}

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
        r.checkKeys(*it, dpath, registry::shapeKeys("framing.delimiter"));
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

}  // namespace

void readFraming(Reader& r, const Json& j, const std::string& path, FramingConfig& out) {
    r.checkKeys(j, path, registry::shapeKeys("framing"));
    std::string type_text;
    const std::string kChoices = "expected " + registry::quotedChoices(registry::choices("framing.type"));
    if (!j.contains("type")) {
        r.error(joinPath(path, "type"), "missing; " + kChoices);
        return;
    }
    if (!r.string(j, path, "type", type_text)) return;
    const auto type = framingTypeFromString(type_text);
    if (!type) {
        r.error(joinPath(path, "type"), kChoices + ", got " + jsonQuote(type_text));
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
    if (reads("delimiter")) readDelimiter(r, j, path, out);
    if (reads("keep")) r.boolean(j, path, "keep", out.keep);
    if (reads("length")) {
        if (!j.contains("length")) r.error(joinPath(path, "length"), "missing; the fixed framing needs the length of every message in bytes");
        readRanged(r, j, path, "length", out.length);
    }
    if (reads("max")) readRanged(r, j, path, "max", out.max);
    bool field_ok = true;
    if (reads("offset")) field_ok &= readRanged(r, j, path, "offset", out.offset) || !j.contains("offset");
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
            else r.error(joinPath(path, "endian"), "expected " + registry::quotedChoices(registry::choices("framing.endian")) +
                                                       ", got " + jsonQuote(endian));
        }
    }
    if (reads("adjust")) readRanged(r, j, path, "adjust", out.adjust);
    if (reads("gap_ms")) readRanged(r, j, path, "gap_ms", out.gap_ms);
    if (reads("on_error")) {
        std::string policy;
        if (r.string(j, path, "on_error", policy)) {
            if (policy == "resync") out.on_error = FramingOnError::Resync;
            else if (policy == "close") out.on_error = FramingOnError::Close;
            else r.error(joinPath(path, "on_error"),
                         "expected " + registry::quotedChoices(registry::choices("framing.on_error")) + ", got " +
                             jsonQuote(policy));
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
}  // namespace sockscope
