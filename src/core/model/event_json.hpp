#pragma once
// One JSON object per event: the schema of the headless `--log jsonl` output, shared with the
// JSON-lines recorder so a recorded file and a headless run read the same (docs/headless.md).
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "core/endpoint_config.hpp"
#include "core/events.hpp"

namespace sockscope {

/// RFC 3339, UTC, microseconds: 2026-11-25T08:30:00.123456Z
std::string rfc3339(TimestampUs time_us);

/// The headless name of a state ("reconnecting" for WaitingRetry, otherwise toString()).
std::string stateName(EndpointState state);

/// How the JSON of an event names its endpoint: its name and kind ("accepted" vs "connected").
struct EventJsonEndpoint {
    std::string_view name;
    EndpointType type = EndpointType::TcpClient;
};

/// The fields of a non-data event (empty object for events without a line, e.g. StatsEvent).
nlohmann::ordered_json eventJson(const Event& event, const EventJsonEndpoint& endpoint);

/// One message of a data event (the whole payload, or one frame of it).
nlohmann::ordered_json dataJson(const DataEvent& event, std::span<const std::uint8_t> message, std::string_view name);

/// What fault injection did: {"delayed", "split_pieces", "dropped", "duplicated"}.
nlohmann::ordered_json faultCountersJson(const FaultCounters& faults);

/// One line of text, invalid UTF-8 replaced (never throws).
std::string jsonLine(const nlohmann::ordered_json& json);

}  // namespace sockscope
