#pragma once
// An endpoint <-> JSON through the registry's field table (registry/endpoint_registry.hpp): the
// generic reader and writer, and the few fields and stages that read themselves (the table points
// at the functions below). profile_json.cpp adds the rules between fields and the document.
#include <string>

#include "core/endpoint_config.hpp"
#include "core/profile/json_reader.hpp"

namespace sockscope::endpoint_json {

using jsonio::Json;
using jsonio::Reader;

/// Every field of the table, in its order, with the unknown-key check of each object.
void readEndpointFields(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeEndpointFields(const EndpointConfig& config, Json& j);

// Fields with their own reader (and writer): `j` is the object holding the key, `path` its path.
void readName(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeName(const EndpointConfig& config, Json& j);
void readType(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeType(const EndpointConfig& config, Json& j);
void readCloseWaitTimeout(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeCloseWaitTimeout(const EndpointConfig& config, Json& j);
void readMulticastGroups(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeMulticastGroups(const EndpointConfig& config, Json& j);
/// reconnect: max_ms >= initial_ms, checked only when both values are valid (a default is).
void checkReconnectOrder(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);

// Stages: `j` is the endpoint object.
void readFramingStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeFramingStage(const EndpointConfig& config, Json& j);
void readSourcesStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeSourcesStage(const EndpointConfig& config, Json& j);
void readRulesStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeRulesStage(const EndpointConfig& config, Json& j);
void readScriptsStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeScriptsStage(const EndpointConfig& config, Json& j);
void readReceiveToFileStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeReceiveToFileStage(const EndpointConfig& config, Json& j);
void readFaultsStage(Reader& r, const Json& j, const std::string& path, EndpointConfig& out);
void writeFaultsStage(const EndpointConfig& config, Json& j);

}  // namespace sockscope::endpoint_json
