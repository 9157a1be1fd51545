#pragma once
// An endpoint's auto-reply rules as JSON: "rules" and "storm_limit" (docs/profile-format.md,
// "Auto-reply rules"). Matches use match_json, replies payload_json.
#include <string>

#include "core/endpoint_config.hpp"
#include "core/profile/json_reader.hpp"

namespace sockscope {

/// Reads "rules" and "storm_limit" of endpoint object `j` (those present); errors name the path
/// ("endpoints[0].rules[1].times: expected \"once\", \"always\" or a count from 1, got 0").
void readRules(jsonio::Reader& r, const jsonio::Json& j, const std::string& path, EndpointConfig& out);
/// Writes them when there are rules or the storm limit is not the default.
void writeRules(const EndpointConfig& config, jsonio::Json& j);
/// One rule as its JSON object (the editor shows it; writeRules uses it).
jsonio::Json ruleToJson(const ReplyRule& rule);

}  // namespace sockscope
