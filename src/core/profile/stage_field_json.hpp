#pragma once
// Reading a stage's numeric field with the range the registry gives it
// (registry::stageField): the editor clamps to the same range, so the two cannot disagree.
#include <string>
#include <string_view>

#include "core/profile/json_reader.hpp"
#include "core/registry/endpoint_registry.hpp"

namespace sockscope::jsonio {

/// Reads `parent[field's JSON key]` within the field's range (udp: its udp maximum). False when
/// absent or refused (the error names `path` and the key).
template <typename Int>
bool stageInteger(Reader& r, const Json& parent, const std::string& path, std::string_view stage,
                  std::string_view field, Int& out, bool udp = false) {
    const registry::StageField& f = registry::stageField(stage, field);
    return r.integer(parent, path, f.jsonKey(), out, f.min, f.maxFor(udp));
}

inline bool stageNumber(Reader& r, const Json& parent, const std::string& path, std::string_view stage,
                        std::string_view field, double& out) {
    const registry::StageField& f = registry::stageField(stage, field);
    return r.number(parent, path, f.jsonKey(), out, f.min_d, f.max_d, f.range_text);
}

}  // namespace sockscope::jsonio
