#pragma once
// "framing" of an endpoint <-> JSON (docs/profile-format.md, "Receive framing"): the framing
// stage's reader and writer, which the registry's stage table points at.
#include <string>

#include "core/framing/framing_config.hpp"
#include "core/profile/json_reader.hpp"

namespace sockscope {

void readFraming(jsonio::Reader& r, const jsonio::Json& j, const std::string& path, FramingConfig& out);
jsonio::Json framingToJson(const FramingConfig& framing);

}  // namespace sockscope
