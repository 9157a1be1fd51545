#pragma once
// A match spec (match/message_matcher.hpp) as JSON, for rules and script expectations:
//   { "text": "PING", "mode": "prefix" }   { "hex": "01 03 ?? ?? 00 01" }   { "any": true }
// Every field is documented in docs/profile-format.md ("Matching messages").
#include <array>
#include <string>
#include <string_view>

#include "core/match/message_matcher.hpp"
#include "core/profile/json_reader.hpp"

namespace sockscope {

// A match object's keys: the registry's shape "match" (registry/shapes.hpp).

/// Reads the match object at `path` (unknown keys warned about) and compiles it, so that a bad
/// hex digit or regex is reported at load with its path ("rules[0].match.hex: at character 4:
/// ..."). False on any error.
bool readMatch(jsonio::Reader& r, const jsonio::Json& object, const std::string& path, MatchSpec& out);
/// The spec as its JSON object: the body key and the fields that differ from their defaults.
jsonio::Json matchToJson(const MatchSpec& spec);

}  // namespace sockscope
