#include "core/record/recording_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sockscope {

const char* toString(RecordFormat format) {
    switch (format) {
        case RecordFormat::Text: return "text";
        case RecordFormat::Jsonl: return "jsonl";
        case RecordFormat::Pcapng: return "pcapng";
        case RecordFormat::Raw: return "raw";
        case RecordFormat::RawFramed: return "raw-framed";
    }
    return "?";
}

std::optional<RecordFormat> recordFormatFromString(std::string_view text) {
    for (auto f : {RecordFormat::Text, RecordFormat::Jsonl, RecordFormat::Pcapng, RecordFormat::Raw,
                   RecordFormat::RawFramed})
        if (text == toString(f)) return f;
    return std::nullopt;
}

std::optional<RecordFormat> recordFormatFromPath(std::string_view path) {
    const auto dot = path.rfind('.');
    const auto slash = path.find_last_of("/\\");
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return std::nullopt;
    std::string ext(path.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == "pcapng") return RecordFormat::Pcapng;
    if (ext == "jsonl" || ext == "json") return RecordFormat::Jsonl;
    if (ext == "txt" || ext == "log") return RecordFormat::Text;
    return std::nullopt;
}

const char* toString(RecordOnFull mode) { return mode == RecordOnFull::Drop ? "drop" : "pause"; }

std::optional<RecordScope> parseRecordScope(std::string_view scope, std::string& error) {
    if (scope.empty()) {
        error = "expected \"all\", an endpoint name or \"endpoint/connection\", got \"\"";
        return std::nullopt;
    }
    if (scope == "all") return RecordScope{};
    const auto slash = scope.rfind('/');
    if (slash == std::string_view::npos) return RecordScope{std::string(scope), 0};
    ConnectionId id = 0;
    const std::string_view digits = scope.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    // A name may hold '/' itself: only a number after the last one names a connection.
    if (slash == 0 || ec != std::errc{} || end != digits.data() + digits.size() || id == 0)
        return RecordScope{std::string(scope), 0};
    return RecordScope{std::string(scope.substr(0, slash)), id};
}

}  // namespace sockscope
