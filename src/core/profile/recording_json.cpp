#include "core/profile/recording_json.hpp"

#include "core/profile/stage_field_json.hpp"
#include "core/registry/choices.hpp"
#include "core/registry/endpoint_registry.hpp"

#include <filesystem>

namespace sockscope {

using namespace jsonio;

namespace {

/// ".pcapng, .jsonl or .txt": each recording format's first extension (registry::tapKinds()).
std::string recordingExtensions() {
    std::vector<std::string> names;
    for (const registry::TapDescriptor& kind : registry::tapKinds())
        if (kind.recording && !kind.extensions.empty()) names.push_back("." + std::string(kind.extensions.front()));
    return registry::joinAlternatives(names);
}

RecordingConfig readRecording(Reader& r, const Json& j, const std::string& path) {
    RecordingConfig c;
    r.checkKeys(j, path, {"path", "format", "rotate_mb", "rotate_s", "keep", "scope", "on_full"});
    if (!j.contains("path")) r.error(joinPath(path, "path"), "missing; where to write, e.g. \"logs/session.pcapng\"");
    else if (r.string(j, path, "path", c.path) && c.path.empty())
        r.error(joinPath(path, "path"), "expected a file path, got \"\"");
    std::string format;
    if (r.string(j, path, "format", format)) {
        const registry::TapDescriptor* kind = registry::findTapKind(format);
        if (kind && kind->recording) c.format = kind->format;   // raw ones are receive_to_file's
        else r.error(joinPath(path, "format"), "expected " + registry::recordingFormatChoices() + ", got " + jsonQuote(format));
    } else if (!j.contains("format") && !c.path.empty()) {
        if (auto from_path = recordFormatFromPath(c.path)) c.format = *from_path;
        else
            r.error(joinPath(path, "format"), "missing, and the file name " + jsonQuote(c.path) +
                                                  " does not end in " + recordingExtensions() + "; say \"format\": " +
                                                  registry::recordingFormatChoices());
    }
    jsonio::stageNumber(r, j, path, "recording", "rotate_mb", c.rotate_mb);
    jsonio::stageNumber(r, j, path, "recording", "rotate_s", c.rotate_s);
    jsonio::stageInteger(r, j, path, "recording", "keep", c.keep);
    std::string scope_error;
    if (r.string(j, path, "scope", c.scope) && !parseRecordScope(c.scope, scope_error))
        r.error(joinPath(path, "scope"), scope_error);
    std::string on_full;
    if (r.string(j, path, "on_full", on_full)) {
        if (on_full == "pause") c.on_full = RecordOnFull::Pause;
        else if (on_full == "drop") c.on_full = RecordOnFull::Drop;
        else r.error(joinPath(path, "on_full"), "expected \"pause\" or \"drop\", got " + jsonQuote(on_full));
    }
    return c;
}

}  // namespace

void readRecordings(Reader& r, const Json& root, std::vector<RecordingConfig>& out) {
    const Json* list = r.array(root, "", "recording");
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const Json& item = (*list)[i];
        const std::string path = indexPath("recording", i);
        if (!item.is_object()) {
            r.error(path, "expected an object (one recorder), got " + describe(item));
            continue;
        }
        out.push_back(readRecording(r, item, path));
    }
}

void readReceiveToFile(Reader& r, const Json& j, const std::string& path, EndpointConfig& out) {
    const Json* object = r.object(j, path, "receive_to_file");
    if (!object) return;
    const std::string here = joinPath(path, "receive_to_file");
    ReceiveToFileConfig c;
    r.checkKeys(*object, here, {"path", "framed"});
    if (!object->contains("path")) r.error(joinPath(here, "path"), "missing; the file the received bytes go to");
    else if (r.string(*object, here, "path", c.path) && c.path.empty())
        r.error(joinPath(here, "path"), "expected a file path, got \"\"");
    r.boolean(*object, here, "framed", c.framed);
    out.receive_to_file = c;
}

Json recordingToJson(const RecordingConfig& c) {
    return Json{{"path", c.path},         {"format", toString(c.format)}, {"rotate_mb", c.rotate_mb},
                {"rotate_s", c.rotate_s}, {"keep", c.keep},               {"scope", c.scope},
                {"on_full", toString(c.on_full)}};
}

void writeReceiveToFile(const EndpointConfig& config, Json& j) {
    if (!config.receive_to_file) return;
    j["receive_to_file"] = Json{{"path", config.receive_to_file->path}, {"framed", config.receive_to_file->framed}};
}

std::string resolveProfilePath(const std::string& path, const std::string& profile_path) {
    const std::filesystem::path p(path);
    if (p.empty() || p.is_absolute() || profile_path.empty()) return path;
    return (std::filesystem::path(profile_path).parent_path() / p).lexically_normal().string();
}

}  // namespace sockscope
