#pragma once
// Recording in profiles: the top-level "recording" array and an endpoint's "receive_to_file"
// (docs/profile-format.md, "Recording").
#include <string>
#include <vector>

#include "core/endpoint_config.hpp"
#include "core/profile/json_reader.hpp"
#include "core/record/recording_config.hpp"

namespace sockscope {

/// Reads root["recording"] (when present) into `out`.
void readRecordings(jsonio::Reader& r, const jsonio::Json& root, std::vector<RecordingConfig>& out);
/// Reads an endpoint's "receive_to_file" (when present).
void readReceiveToFile(jsonio::Reader& r, const jsonio::Json& j, const std::string& path, EndpointConfig& out);
jsonio::Json recordingToJson(const RecordingConfig& config);
void writeReceiveToFile(const EndpointConfig& config, jsonio::Json& j);

/// A path from a profile: relative ones are relative to the profile's directory.
std::string resolveProfilePath(const std::string& path, const std::string& profile_path);

}  // namespace sockscope
