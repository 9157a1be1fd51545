#include "core/profile/match_json.hpp"

#include "core/registry/choices.hpp"
#include "core/registry/shapes.hpp"

namespace sockscope {

using jsonio::Json;
using jsonio::joinPath;

bool readMatch(jsonio::Reader& r, const Json& j, const std::string& path, MatchSpec& out) {
    const std::size_t errors_before = r.errorCount();
    out = MatchSpec{};
    if (!j.is_object()) {
        r.error(path, "expected a match object such as {\"text\": \"PING\", \"mode\": \"prefix\"}, "
                      "{\"hex\": \"01 03 ?? ??\"} or {\"any\": true}, got " + jsonio::describe(j));
        return false;
    }
    r.checkKeys(j, path, registry::shapeKeys("match"));
    const int bodies = int(j.contains("text")) + int(j.contains("hex")) + int(j.contains("any"));
    if (bodies != 1) {
        r.error(path, bodies == 0 ? "missing \"text\", \"hex\" or \"any\"; e.g. {\"text\": \"PING\", \"mode\": \"prefix\"}"
                                  : "give one of \"text\", \"hex\" or \"any\", not several");
        return false;
    }
    if (j.contains("any")) {
        bool any = false;
        if (r.boolean(j, path, "any", any) && !any)
            r.error(joinPath(path, "any"), "only true is meaningful (matches every message)");
        out.body = MatchBody::Any;
    } else {
        out.body = j.contains("hex") ? MatchBody::Hex : MatchBody::Text;
        r.string(j, path, out.body == MatchBody::Hex ? "hex" : "text", out.text);
    }
    std::string text;
    if (r.string(j, path, "mode", text)) {
        if (auto mode = matchModeFromString(text)) out.mode = *mode;
        else r.error(joinPath(path, "mode"), "unknown mode '" + text + "'; expected one of " +
                                                     registry::choiceList(registry::choices("match.mode")));
    }
    if (r.string(j, path, "encoding", text)) {
        if (auto encoding = textEncodingFromString(text)) out.encoding = *encoding;
        else r.error(joinPath(path, "encoding"),
                     "unknown encoding '" + text + "'; expected one of " +
                         registry::choiceList(registry::choices("encoding")));
    }
    r.boolean(j, path, "escapes", out.escapes);
    r.boolean(j, path, "ignore_case", out.ignore_case);
    if (r.errorCount() != errors_before) return false;
    const MatcherCompileResult compiled = compileMatcher(out);
    if (!compiled.ok()) {
        const char* key = out.body == MatchBody::Hex ? "hex" : "text";
        const std::string where = compiled.error->reason.rfind("regex mode needs", 0) == 0 ? "mode" : key;
        r.error(joinPath(path, where), describe(*compiled.error, out.text));
        return false;
    }
    return true;
}

Json matchToJson(const MatchSpec& spec) {
    Json j = Json::object();
    if (spec.body == MatchBody::Any) {
        j["any"] = true;
        return j;
    }
    j[spec.body == MatchBody::Hex ? "hex" : "text"] = spec.text;
    if (spec.mode != MatchMode::Exact) j["mode"] = toString(spec.mode);
    if (spec.encoding != TextEncoding::Utf8) j["encoding"] = toString(spec.encoding);
    if (!spec.escapes) j["escapes"] = false;
    if (spec.ignore_case) j["ignore_case"] = true;
    return j;
}

}  // namespace sockscope
