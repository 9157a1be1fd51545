#pragma once
// Building an endpoint's responder stages from its configuration. Each stage that answers traffic
// has a factory in its StageDescriptor (core/registry/endpoint_registry.cpp, kStages); the endpoint
// walks that list once (makeResponderStages), so the order of kStages is the order of the chain:
// echo, then the auto-reply rules, then scripts. A new responder stage is one descriptor line plus
// its own files; nothing here changes. Sources of traffic are made the same way, from the
// descriptors' `source` factories (session/source_stage.hpp: makeSourceStages).
#include <memory>

#include "core/endpoint_config.hpp"
#include "core/net/engine_context.hpp"
#include "core/session/faults.hpp"
#include "core/session/responder.hpp"

namespace sockscope {

class Endpoint;

/// What a stage factory may use: the endpoint's configuration and its shared parts.
struct StageContext {
    EngineContext& engine;
    EndpointId endpoint;
    const EndpointConfig& config;
    FaultsRef faults = nullptr;                        // the endpoint's fault injection (null: none)
    std::shared_ptr<FaultCounters> fault_counters = nullptr;
    std::weak_ptr<Endpoint> owner = {};                // for a stage that drives the endpoint (scripts)
};

/// Every registered stage's factory in registry order; a factory adds nothing when its
/// configuration is empty (no rules, echo off).
ResponderStages makeResponderStages(const StageContext& context);

}  // namespace sockscope
