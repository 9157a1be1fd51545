#pragma once
// Small value types shared by the whole core: ids, byte buffers, clocks.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sockscope {

using EndpointId = std::uint32_t;     ///< given by the front end; 0 is never a valid id
using ConnectionId = std::uint64_t;   ///< unique per engine run; 0 means "no connection" / "all"
using Bytes = std::vector<std::uint8_t>;

/// Microseconds since the Unix epoch (wall clock), as shown in logs.
using TimestampUs = std::int64_t;

inline TimestampUs nowUs() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

enum class Direction : std::uint8_t { Rx, Tx };

}  // namespace sockscope
