#pragma once
// The one place where an endpoint's responder stages are made from its configuration, in order:
// echo, then the auto-reply rules. A new stage adds one line to makeResponderStages.
#include "core/endpoint_config.hpp"
#include "core/net/engine_context.hpp"
#include "core/session/faults.hpp"
#include "core/session/responder.hpp"

namespace sockscope {

struct StageContext {
    EngineContext& engine;
    EndpointId endpoint;
    const EndpointConfig& config;
    FaultsRef faults = nullptr;                        // the endpoint's fault injection (null: none)
    std::shared_ptr<FaultCounters> fault_counters = nullptr;
};

ResponderStages makeResponderStages(const StageContext& context);

}  // namespace sockscope
