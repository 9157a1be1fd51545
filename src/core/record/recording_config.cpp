#include "core/record/recording_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/registry/endpoint_registry.hpp"

namespace sockscope {

// The names and extensions are the tap kinds' (registry::tapKinds()).
const char* toString(RecordFormat format) {
    for (const registry::TapDescriptor& kind : registry::tapKinds())
        if (kind.format == format) return kind.name.data();   // a literal: null-terminated
    return "?";
}

std::optional<RecordFormat> recordFormatFromString(std::string_view text) {
    if (const registry::TapDescriptor* kind = registry::findTapKind(text)) return kind->format;
    return std::nullopt;
}

std::optional<RecordFormat> recordFormatFromPath(std::string_view path) {
    const auto dot = path.rfind('.');
    const auto slash = path.find_last_of("/\\");
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return std::nullopt;
    std::string ext(path.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    for (const registry::TapDescriptor& kind : registry::tapKinds())
        for (std::string_view known : kind.extensions)
            if (ext == known) return kind.format;
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
