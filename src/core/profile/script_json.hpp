#pragma once
// An endpoint's "scripts" as JSON (docs/profile-format.md, "Scripts"):
//   "scripts": [ { "name": "read register", "steps": [
//     { "send": { "hex": "01 03 00 00 00 01", "checksum": { "type": "crc16-modbus", "order": "little" } } },
//     { "expect": { "hex": "01 03 02 ?? ?? ?? ??" }, "timeout_ms": 500 },
//     { "repeat": 100, "steps": [ ... ] }, { "wait_ms": 50 }, { "connect": true }, { "close": "rst" } ] } ]
// Errors name the JSON path ("endpoints[0].scripts[1].steps[3].repeat.steps[0].expect.mode: ...").
#include <string>
#include <vector>

#include "core/endpoint_config.hpp"
#include "core/profile/json_reader.hpp"
#include "core/script/script.hpp"

namespace sockscope {

/// Reads the array `list` (the value of "scripts") at `path` into `out` (valid scripts only).
void readScripts(jsonio::Reader& r, const jsonio::Json& list, const std::string& path, EndpointType type,
                 std::vector<Script>& out);
jsonio::Json scriptsToJson(const std::vector<Script>& scripts);

struct ScriptsJsonResult {
    std::vector<Script> scripts;
    std::string error;                    // one line per problem, each naming its path
    std::vector<std::string> warnings;    // unknown keys
};
/// The "scripts" array on its own (the fuzz target, tests).
ScriptsJsonResult scriptsFromJson(const jsonio::Json& list, EndpointType type, std::string_view source = "");

}  // namespace sockscope
