#pragma once
// "faults" as JSON (docs/profile-format.md, "Fault injection"), for an endpoint and for a rule:
//   { "delay_ms": 50 | [20, 200], "split": { "size": 4, "gap_ms": 10 }, "drop": 0.1,
//     "duplicate": 0.5, "seed": 42 }
#include <string>

#include "core/endpoint_config.hpp"
#include "core/profile/json_reader.hpp"

namespace sockscope {

/// Reads `parent[key]` when present; errors name the path ("endpoints[0].faults.drop: expected a
/// probability from 0 to 1, got 1.5"). `udp`: split pieces are datagrams (size at most 65,507).
void readFaults(jsonio::Reader& r, const jsonio::Json& parent, const std::string& path, bool udp,
                std::optional<FaultConfig>& out);
jsonio::Json faultsToJson(const FaultConfig& faults);

}  // namespace sockscope
