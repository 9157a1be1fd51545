#pragma once
// Reading typed fields out of JSON with messages that name the JSON path and say what was
// expected ("endpoints[2].bind: expected \"host:port\", got \"9000\""). Shared by the profile
// loader and the payload (de)serialisation (payload_json.hpp), so both report errors one way.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/profile/profile.hpp"

namespace sockscope::jsonio {

using Json = nlohmann::ordered_json;

constexpr std::size_t kMaxReportedErrors = 20;

/// "a.b", or "b" when path is empty.
std::string joinPath(const std::string& path, std::string_view key);
/// "a[3]".
std::string indexPath(const std::string& path, std::size_t index);
/// JSON text of a scalar, shortened for messages (a 10 KB string must not flood the error).
std::string shownScalar(const Json& value);
/// A string as JSON text, shortened: "abc".
std::string jsonQuote(std::string_view text);
/// How a JSON value appears after "got": scalars as JSON text (shortened), containers by kind.
std::string describe(const Json& value);
/// Integral JSON numbers (including 5.0) as int64; huge magnitudes clamp so range checks report
/// them. nullopt for anything that is not an integral number.
std::optional<std::int64_t> asInteger(const Json& value);
/// Levenshtein distance (typo suggestions).
std::size_t editDistance(std::string_view a, std::string_view b);

/// Reads typed fields out of JSON objects, collecting errors and warnings with their paths.
class Reader {
public:
    explicit Reader(std::string_view source) : m_source(source) {}

    void error(const std::string& path, const std::string& message) {
        if (m_errors.size() < kMaxReportedErrors) m_errors.push_back(ConfigIssue{path, message});
        ++m_errorCount;
    }
    void warning(const std::string& path, const std::string& message) {
        if (m_warnings.size() < kMaxReportedErrors) m_warnings.push_back(prefix(path) + message);
    }
    std::size_t errorCount() const { return m_errorCount; }

    std::string errorText() const {
        std::string out;
        for (const ConfigIssue& issue : m_errors) {
            if (!out.empty()) out += '\n';
            out += prefix(issue.path) + issue.message;
        }
        if (m_errorCount > m_errors.size())
            out += "\n" + m_source + ": ... and " + std::to_string(m_errorCount - m_errors.size()) +
                   " more errors";
        return out;
    }
    std::vector<std::string> takeWarnings() { return std::move(m_warnings); }
    std::vector<ConfigIssue> takeErrors() { return std::move(m_errors); }

    /// Warns about keys not in `known`, suggesting the closest known key for likely typos.
    void checkKeys(const Json& object, const std::string& path,
                   std::initializer_list<std::string_view> known) {
        checkKeys(object, path, std::span<const std::string_view>(known.begin(), known.size()));
    }
    void checkKeys(const Json& object, const std::string& path, std::span<const std::string_view> known) {
        for (const auto& item : object.items()) {
            const std::string& key = item.key();
            if (std::find(known.begin(), known.end(), key) != known.end()) continue;
            std::string message = "unknown key " + jsonQuote(key) + " (ignored";
            std::string_view best;
            std::size_t best_distance = 3;   // suggest only close matches
            for (std::string_view candidate : known) {
                const std::size_t d = editDistance(key, candidate);
                if (d < best_distance) {
                    best_distance = d;
                    best = candidate;
                }
            }
            // The key without its unit ("delay" for "delay_ms", "timeout" for "timeout_ms").
            for (std::string_view candidate : known) {
                if (!best.empty() || key.empty()) break;
                if (candidate.starts_with(key) && candidate.size() > key.size() + 1 && candidate[key.size()] == '_')
                    best = candidate;
            }
            if (!best.empty()) message += "; did you mean " + jsonQuote(best) + "?";
            message += ")";
            warning(path, message);
        }
    }

    /// nullptr when absent; records an error (and returns nullptr) when present but not an object.
    const Json* object(const Json& parent, const std::string& path, const char* key) {
        const Json* value = find(parent, key);
        if (value == nullptr) return nullptr;
        if (!value->is_object()) {
            error(joinPath(path, key), "expected an object, got " + describe(*value));
            return nullptr;
        }
        return value;
    }

    const Json* array(const Json& parent, const std::string& path, const char* key) {
        const Json* value = find(parent, key);
        if (value == nullptr) return nullptr;
        if (!value->is_array()) {
            error(joinPath(path, key), "expected an array, got " + describe(*value));
            return nullptr;
        }
        return value;
    }

    bool boolean(const Json& parent, const std::string& path, const char* key, bool& out) {
        const Json* value = find(parent, key);
        if (value == nullptr) return false;
        if (!value->is_boolean()) {
            error(joinPath(path, key), "expected a boolean, got " + describe(*value));
            return false;
        }
        out = value->get<bool>();
        return true;
    }

    /// null means "unset" (out = nullopt).
    bool optionalBoolean(const Json& parent, const std::string& path, const char* key,
                         std::optional<bool>& out) {
        const Json* value = find(parent, key);
        if (value == nullptr) return false;
        if (value->is_null()) {
            out.reset();
            return true;
        }
        if (!value->is_boolean()) {
            error(joinPath(path, key), "expected a boolean or null, got " + describe(*value));
            return false;
        }
        out = value->get<bool>();
        return true;
    }

    bool string(const Json& parent, const std::string& path, const char* key, std::string& out) {
        const Json* value = find(parent, key);
        if (value == nullptr) return false;
        if (!value->is_string()) {
            error(joinPath(path, key), "expected a string, got " + describe(*value));
            return false;
        }
        out = value->get<std::string>();
        return true;
    }

    template <typename Int>
    bool integer(const Json& parent, const std::string& path, const char* key, Int& out,
                 std::int64_t min, std::int64_t max) {
        const Json* value = find(parent, key);
        if (value == nullptr) return false;
        std::optional<std::int64_t> number = checkedInteger(*value, joinPath(path, key), min, max);
        if (!number) return false;
        out = static_cast<Int>(*number);
        return true;
    }

    /// null means "unset" (out = nullopt).
    bool optionalInteger(const Json& parent, const std::string& path, const char* key,
                         std::optional<int>& out, std::int64_t min, std::int64_t max) {
        const Json* value = find(parent, key);
        if (value == nullptr) return false;
        if (value->is_null()) {
            out.reset();
            return true;
        }
        std::optional<std::int64_t> number = checkedInteger(*value, joinPath(path, key), min, max, " or null");
        if (!number) return false;
        out = static_cast<int>(*number);
        return true;
    }

    bool number(const Json& parent, const std::string& path, const char* key, double& out,
                double min, double max, const char* range_text) {
        const Json* value = find(parent, key);
        if (value == nullptr) return false;
        // Written so that NaN (possible in a config built in memory) fails too.
        if (!value->is_number() || !(value->get<double>() >= min && value->get<double>() <= max)) {
            error(joinPath(path, key), std::string("expected a number ") + range_text + ", got " + describe(*value));
            return false;
        }
        out = value->get<double>();
        return true;
    }

private:
    static const Json* find(const Json& parent, const char* key) {
        auto it = parent.find(key);
        return it == parent.end() ? nullptr : &*it;
    }

    std::optional<std::int64_t> checkedInteger(const Json& value, const std::string& path, std::int64_t min,
                                               std::int64_t max, const char* alternative = "") {
        std::optional<std::int64_t> number = asInteger(value);
        if (!number) {
            error(path, std::string("expected an integer") + alternative + ", got " + describe(value));
            return std::nullopt;
        }
        if (*number < min) {
            std::string want = min == 1 ? "a positive integer" : min == 0 ? "an integer >= 0" : "an integer >= " + std::to_string(min);
            if (max < INT_MAX) want = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
            error(path, "expected " + want + ", got " + describe(value));
            return std::nullopt;
        }
        if (*number > max) {
            std::string want = max < INT_MAX ? "an integer from " + std::to_string(min) + " to " + std::to_string(max)
                                             : "an integer <= " + std::to_string(max);
            error(path, "expected " + want + ", got " + describe(value));
            return std::nullopt;
        }
        return number;
    }

    std::string prefix(const std::string& path) const {
        const std::string source = m_source.empty() ? std::string() : m_source + ": ";
        return path.empty() ? source : source + path + ": ";
    }

    std::string m_source;
    std::vector<ConfigIssue> m_errors;
    std::vector<std::string> m_warnings;
    std::size_t m_errorCount = 0;
};

}  // namespace sockscope::jsonio
