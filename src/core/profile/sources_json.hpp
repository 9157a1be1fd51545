#pragma once
// The sources of an endpoint as JSON: "commands", "on_connect" and "timers"
// (docs/profile-format.md, "Sending"). Payloads inside them use payload_json.
#include <string>

#include "core/endpoint_config.hpp"
#include "core/profile/json_reader.hpp"

namespace sockscope {


/// Reads "commands", "on_connect" and "timers" of endpoint object `j` (those present).
void readSources(jsonio::Reader& r, const jsonio::Json& j, const std::string& path, EndpointConfig& out);
/// Writes the ones that are set (an endpoint without sources gains no keys).
void writeSources(const EndpointConfig& config, jsonio::Json& j);

}  // namespace sockscope
