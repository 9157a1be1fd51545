#include "core/endpoint_config.hpp"

#include "core/registry/endpoint_registry.hpp"

namespace sockscope {

// The names live in the registry's kind table (one place).
const char* toString(EndpointType type) {
    for (const registry::KindDescriptor& kind : registry::kinds())
        if (kind.type == type) return kind.name.data();   // literals: NUL-terminated
    return "?";
}

std::optional<EndpointType> endpointTypeFromString(const std::string& text) {
    const registry::KindDescriptor* kind = registry::findKind(text);
    return kind ? std::optional<EndpointType>(kind->type) : std::nullopt;
}

}  // namespace sockscope
