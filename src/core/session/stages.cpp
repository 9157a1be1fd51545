#include "core/session/stages.hpp"

#include <stdexcept>
#include <string>

#include "core/registry/endpoint_registry.hpp"
#include "core/session/source_stage.hpp"

namespace sockscope {

ResponderStages makeResponderStages(const StageContext& context) {
    ResponderStages stages;
    for (const registry::StageDescriptor& stage : registry::stages())
        if (stage.create != nullptr) stage.create(context, stages);
    return stages;
}

SourceStages makeSourceStages(const SourceContext& context) {
    SourceStages sources;
    for (const registry::StageDescriptor& stage : registry::stages())
        if (stage.source != nullptr) sources.push_back(stage.source(context));
    return sources;
}

std::unique_ptr<SourceStage> makeSourceStage(std::string_view name, const SourceContext& context) {
    const registry::StageDescriptor* stage = registry::findStage(name);
    if (stage == nullptr || stage->source == nullptr)
        throw std::logic_error("no source stage " + std::string(name) + " in the registry");
    return stage->source(context);
}

}  // namespace sockscope
