#include "core/session/stages.hpp"

#include "core/session/rules.hpp"

namespace sockscope {

ResponderStages makeResponderStages(const StageContext& context) {
    ResponderStages stages;
    if (context.config.echo) stages.push_back(std::make_shared<EchoStage>(context.faults));
    if (!context.config.rules.empty())
        stages.push_back(std::make_shared<RulesStage>(context.engine, context.endpoint, context.config.rules,
                                                      context.config.storm_limit, context.faults,
                                                      context.fault_counters));
    return stages;
}

}  // namespace sockscope
