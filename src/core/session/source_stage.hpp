#pragma once
// A source of traffic of one endpoint: the on-connect payload, saved commands and timers
// (net/sources.*), file sends (net/file_send.*). Each kind is made by the factory in its
// StageDescriptor (core/registry/endpoint_registry.cpp, kStages: `source`); the endpoint walks
// that list once when it is made (makeSourceStages), tells every source when it starts, stops and
// opens a connection, and sends what they ask through its own send path. A new source kind is one
// descriptor line plus its own files.
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "core/commands.hpp"
#include "core/endpoint_config.hpp"
#include "core/net/engine_context.hpp"

namespace sockscope {

class SourceStage {
public:
    virtual ~SourceStage() = default;
    /// The endpoint started (timers with auto_start run).
    virtual void started() {}
    /// The endpoint stopped, however it stopped (timers stop; their counts stay).
    virtual void stopped() {}
    /// A new TCP connection (the on-connect payload goes to it).
    virtual void connectionOpened(ConnectionId) {}
    /// A TCP connection closed (a timer aimed at it stops).
    virtual void connectionClosed(ConnectionId) {}
    /// The endpoint's periodic refresh (about once a second): live counters for the front end.
    virtual void refresh() {}
};

using SourceStages = std::vector<std::unique_ptr<SourceStage>>;

/// What a source factory may use: the endpoint's configuration and its send path.
struct SourceContext {
    EngineContext& engine;
    EndpointId endpoint;
    const EndpointConfig& config;
    /// The endpoint's send; false: refused and reported at once (bad destination, nowhere to go).
    std::function<bool(Send)> send;
    /// Whether a send has somewhere to go now (connection 0: anywhere; else that one is open).
    std::function<bool(ConnectionId)> can_send;
};

/// Every registered source kind, in registry order (one per descriptor with a `source` factory).
SourceStages makeSourceStages(const SourceContext& context);
/// The one source kind named `stage` ("sources"), e.g. to remake it from an updated config.
std::unique_ptr<SourceStage> makeSourceStage(std::string_view stage, const SourceContext& context);

/// The first source of type T in `stages`, or null.
template <typename T>
T* findSource(const SourceStages& stages) {
    for (const auto& stage : stages)
        if (auto* typed = dynamic_cast<T*>(stage.get())) return typed;
    return nullptr;
}

}  // namespace sockscope
