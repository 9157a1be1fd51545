#include "core/session/stages.hpp"

namespace sockscope {

ResponderStages makeResponderStages(const StageContext& context) {
    ResponderStages stages;
    if (context.config.echo) stages.push_back(std::make_shared<EchoStage>());
    return stages;
}

}  // namespace sockscope
