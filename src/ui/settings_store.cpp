#include "ui/settings_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>

#include "core/profile/profile.hpp"

namespace sockscope::ui {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr std::size_t kRecentMax = 10;

std::string describe(const Json& value) {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

// Typed reads: a missing key keeps the default silently; a present key of the wrong type (or
// out of range) keeps the default and is recorded as a problem.
class Reader {
public:
    Reader(const Json& root, std::vector<std::string>& problems) : m_root(root), m_problems(problems) {}
    std::vector<std::string>& problems() { return m_problems; }

    const Json* get(const char* key) const {
        auto it = m_root.find(key);
        return it == m_root.end() ? nullptr : &*it;
    }
    void problem(const char* key, const char* expected, const Json& got) {
        m_problems.push_back(std::string(key) + ": expected " + expected + ", got " + describe(got));
    }
    bool boolean(const char* key, bool& out) {
        const Json* v = get(key);
        if (!v) return false;
        if (!v->is_boolean()) return problem(key, "true or false", *v), false;
        out = v->get<bool>();
        return true;
    }
    bool string(const char* key, std::string& out) {
        const Json* v = get(key);
        if (!v) return false;
        if (!v->is_string()) return problem(key, "a string", *v), false;
        out = v->get<std::string>();
        return true;
    }
    bool number(const char* key, float& out, float lo, float hi) {
        const Json* v = get(key);
        if (!v) return false;
        // Compared as the float it becomes, so what is saved always loads back.
        const float f = v->is_number() ? static_cast<float>(v->get<double>()) : NAN;
        if (!std::isfinite(f) || f < lo || f > hi) {
            const std::string range = "a number from " + trim(lo) + " to " + trim(hi);
            return problem(key, range.c_str(), *v), false;
        }
        out = f;
        return true;
    }

private:
    static std::string trim(float value) {
        std::string text = std::to_string(value);
        while (text.size() > 1 && text.back() == '0') text.pop_back();
        if (!text.empty() && text.back() == '.') text.pop_back();
        return text;
    }
    const Json& m_root;
    std::vector<std::string>& m_problems;
};

void readChoices(Reader& r, SettingsLoad& out) {
    Settings& s = out.settings;
    std::string text;
    if (r.string("language", text)) {
        if (text == "en" || text == "zh") {
            s.language = languageFromCode(text.c_str());
            out.state.has_language = true;
        } else {
            r.problem("language", "\"en\" or \"zh\"", Json(text));
        }
    }
    if (r.string("theme", text)) {
        if (text == "light" || text == "dark") s.theme = text == "light" ? ThemeKind::Light : ThemeKind::Dark;
        else r.problem("theme", "\"dark\" or \"light\"", Json(text));
    }
    if (r.string("time_mode", text)) {
        if (text == "relative") s.time_mode = TimeMode::Relative;
        else if (text == "delta") s.time_mode = TimeMode::Delta;
        else if (text == "absolute") s.time_mode = TimeMode::Absolute;
        else r.problem("time_mode", "\"absolute\", \"relative\" or \"delta\"", Json(text));
    }
    if (r.string("encoding", text)) {
        if (auto encoding = textEncodingFromString(text)) s.encoding = *encoding;
        else r.problem("encoding", "a text encoding such as \"utf-8\" or \"gbk\"", Json(text));
    }
    r.number("font_scale", s.font_scale, 0.7f, 2.0f);
}

void readRecent(Reader& r, Settings& s) {
    const Json* recent = r.get("recent");
    if (!recent) return;
    if (!recent->is_array()) return r.problem("recent", "a list of paths", *recent);
    for (const auto& item : *recent) {
        if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
            r.problem("recent", "a list of paths", item);
            continue;
        }
        const std::string& path = item.get_ref<const std::string&>();
        if (s.recent.size() < kRecentMax && std::find(s.recent.begin(), s.recent.end(), path) == s.recent.end())
            s.recent.push_back(path);
    }
}

std::string readFileBounded(const fs::path& file, bool& too_large, std::string& error) {
    too_large = false;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = "cannot be read";
        return {};
    }
    std::string text(kMaxSettingsFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxSettingsFileBytes) too_large = true;
    return text;
}

std::string localTimeStamp() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
#if defined(_WIN32)
    localtime_s(&tm, &now);
#else
    localtime_r(&now, &tm);
#endif
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &tm);
    return buffer;
}

/// "send": {"<endpoint name>": {"mode": "hex", "encoding": "gbk", "line_ending": "crlf",
/// "clear_after_send": true}}: what the send panel remembers per endpoint.
void readSendMemory(Reader& r, Settings& s) {
    const Json* send = r.get("send");
    if (!send) return;
    if (!send->is_object()) return r.problem("send", "an object of endpoint names", *send);
    for (const auto& [name, value] : send->items()) {
        if (s.send_memory.size() >= Settings::kMaxSendMemory) break;
        const std::string key = "send." + name;
        if (!value.is_object()) {
            r.problem(key.c_str(), "an object", value);
            continue;
        }
        SendMemory memory;
        Reader item(value, r.problems());
        std::string text;
        if (item.string("mode", text)) {
            if (text == "hex" || text == "text") memory.hex = text == "hex";
            else item.problem((key + ".mode").c_str(), "\"text\" or \"hex\"", Json(text));
        }
        if (item.string("encoding", text)) {
            if (auto encoding = textEncodingFromString(text)) memory.encoding = *encoding;
            else item.problem((key + ".encoding").c_str(), "a text encoding such as \"utf-8\"", Json(text));
        }
        if (item.string("line_ending", text)) {
            if (auto ending = lineEndingFromString(text)) memory.ending = *ending;
            else item.problem((key + ".line_ending").c_str(), "\"none\", \"cr\", \"lf\" or \"crlf\"", Json(text));
        }
        item.boolean("clear_after_send", memory.clear_after_send);
        s.send_memory[name] = memory;
    }
}

/// "hidden_views": ["connections", ...]: the views hidden from the View menu.
void readHiddenViews(Reader& r, Layout& layout) {
    const Json* hidden = r.get("hidden_views");
    if (!hidden) return;
    if (!hidden->is_array()) return r.problem("hidden_views", "a list of view names", *hidden);
    for (const auto& item : *hidden) {
        if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
            item.get_ref<const std::string&>().size() > Layout::kMaxViewIdBytes) {
            r.problem("hidden_views", "a list of view names", item);
            continue;
        }
        const std::string& id = item.get_ref<const std::string&>();
        if (layout.hidden_views.size() >= Layout::kMaxHiddenViews) {
            r.problem("hidden_views", "at most 64 view names", *hidden);
            break;
        }
        if (std::find(layout.hidden_views.begin(), layout.hidden_views.end(), id) == layout.hidden_views.end())
            layout.hidden_views.push_back(id);
    }
}

}  // namespace

SettingsLoad parseSettings(std::string_view text) {
    SettingsLoad out;
    if (text.empty()) return out;
    const Json json = Json::parse(text.begin(), text.end(), nullptr, false);
    if (json.is_discarded()) {
        out.problems.push_back("not valid JSON");
        return out;
    }
    if (!json.is_object()) {
        out.problems.push_back("expected a JSON object, got " + describe(json));
        return out;
    }
    Reader r(json, out.problems);
    readChoices(r, out);
    readRecent(r, out.settings);
    readSendMemory(r, out.settings);
    // Pane sizes: any finite size a screen could have; the window clamps them to what fits.
    r.number("left_width", out.layout.left_width, 0, 100000);
    r.number("connections_height", out.layout.connections_height, 0, 100000);
    r.number("send_height", out.layout.send_height, 0, 100000);
    r.number("detail_width", out.layout.detail_width, 0, 100000);
    readHiddenViews(r, out.layout);
    std::string text_value;
    if (r.string("workspace_path", text_value) && !text_value.empty()) out.state.workspace_path = text_value;
    r.boolean("workspace_dirty", out.state.workspace_dirty);
    if (r.string("workspace_name", text_value) && !text_value.empty()) out.state.workspace_name = text_value;
    return out;
}

std::string settingsToText(const Settings& s, const Layout& layout, const StoredState& state) {
    nlohmann::ordered_json json;
    json["language"] = languageCode(s.language);
    json["theme"] = s.theme == ThemeKind::Light ? "light" : "dark";
    // Written within the ranges parseSettings() accepts, so a saved file always loads back.
    const auto within = [](float v, float lo, float hi, float fallback) {
        return std::isfinite(v) ? std::clamp(v, lo, hi) : fallback;
    };
    json["font_scale"] = within(s.font_scale, 0.7f, 2.0f, 1.0f);
    json["time_mode"] = s.time_mode == TimeMode::Relative ? "relative"
                        : s.time_mode == TimeMode::Delta  ? "delta"
                                                          : "absolute";
    json["encoding"] = toString(s.encoding);
    json["recent"] = s.recent;
    nlohmann::ordered_json send = nlohmann::ordered_json::object();
    for (const auto& [name, memory] : s.send_memory)
    {
        auto& item = send[name];
        item["mode"] = memory.hex ? "hex" : "text";
        if (memory.encoding) item["encoding"] = toString(*memory.encoding);
        item["line_ending"] = toString(memory.ending);
        item["clear_after_send"] = memory.clear_after_send;
    }
    json["send"] = std::move(send);
    json["left_width"] = within(layout.left_width, 0, 100000, Layout{}.left_width);
    json["connections_height"] = within(layout.connections_height, 0, 100000, Layout{}.connections_height);
    json["send_height"] = within(layout.send_height, 0, 100000, Layout{}.send_height);
    json["detail_width"] = within(layout.detail_width, 0, 100000, Layout{}.detail_width);
    json["hidden_views"] = layout.hidden_views;
    json["workspace_path"] = state.workspace_path.value_or("");
    json["workspace_dirty"] = state.workspace_dirty;
    json["workspace_name"] = state.workspace_name;
    // Paths are not always valid UTF-8: replace rather than throw.
    return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

fs::path setFileAside(const fs::path& file, std::string* error) {
    const std::string base = file.string() + ".broken-" + localTimeStamp();
    std::error_code ec;
    for (int n = 0; n < 100; ++n) {
        const fs::path target = n == 0 ? fs::path(base) : fs::path(base + "-" + std::to_string(n));
        if (fs::exists(target, ec)) continue;
        fs::rename(file, target, ec);
        if (!ec) return target;
        break;
    }
    if (error) *error = ec ? ec.message() : "no free name";
    return {};
}

fs::path discardedWorkspaceFile(const fs::path& workspace_file) {
    return fs::path(workspace_file.string() + ".discarded");
}

bool restoreSavedWorkspace(const fs::path& workspace_file, const std::optional<std::string>& profile_path,
                           std::string* error) {
    // The discarded work stays until the next Discard, beside the autosave: a Discard by mistake
    // can be undone by hand (File > Open that file).
    const fs::path kept = discardedWorkspaceFile(workspace_file);
    std::error_code ec;
    if (!profile_path) {
        fs::rename(workspace_file, kept, ec);
        if (ec == std::errc::no_such_file_or_directory) return true;   // nothing was autosaved
        if (ec && error) *error = workspace_file.string() + ": " + ec.message();
        return !ec;
    }
    const ProfileLoadResult saved = loadProfile(*profile_path);
    if (!saved.profile) {
        if (error) *error = saved.error;
        return false;
    }
    fs::copy_file(workspace_file, kept, fs::copy_options::overwrite_existing, ec);   // best effort
    return !saveProfileAtomic(*saved.profile, workspace_file, error);
}

SettingsFileLoad loadSettingsFile(const fs::path& file) {
    SettingsFileLoad result;
    std::error_code ec;
    if (!fs::exists(file, ec)) return result;
    bool too_large = false;
    std::string read_error;
    const std::string text = readFileBounded(file, too_large, read_error);
    if (!read_error.empty()) {
        result.report = file.filename().string() + " " + read_error;
        return result;
    }
    if (too_large) result.load.problems.push_back("larger than 1 MiB");
    else result.load = parseSettings(text);
    if (result.load.problems.empty()) return result;

    std::string what = result.load.problems.front();
    if (result.load.problems.size() > 1) what += " (+" + std::to_string(result.load.problems.size() - 1) + ")";
    std::string error;
    const fs::path aside = setFileAside(file, &error);
    char text_out[1024];
    std::snprintf(text_out, sizeof text_out, tr(Str::SettingsSetAside), what.c_str(),
                  aside.empty() ? ("- (" + error + ")").c_str() : aside.filename().string().c_str());
    result.report = text_out;
    return result;
}

}  // namespace sockscope::ui
