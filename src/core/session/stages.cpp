#include "core/session/stages.hpp"

#include "core/registry/endpoint_registry.hpp"

namespace sockscope {

ResponderStages makeResponderStages(const StageContext& context) {
    ResponderStages stages;
    for (const registry::StageDescriptor& stage : registry::stages())
        if (stage.create != nullptr) stage.create(context, stages);
    return stages;
}

}  // namespace sockscope
