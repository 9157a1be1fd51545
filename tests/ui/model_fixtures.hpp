#pragma once
// What several UI tests put in the model before drawing: a listening TCP server with open
// connections, as the engine's events would make it.
#include <string>

#include "core/events.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui::test {

/// A listening TCP server named "server" with `n` open connections (ids 101, 102, ...) opened at
/// `opened_at`, selected. `with_stats`: a statistics event lists every connection too.
inline EndpointId addListeningServer(UiModel& model, int n, TimestampUs opened_at, bool with_stats = false) {
    EndpointConfig config;
    config.name = "server";
    config.type = EndpointType::TcpServer;
    config.bind = "127.0.0.1:9000";
    const EndpointId id = model.workspace.add(config);
    EndpointStatus status{};
    status.endpoint = id;
    status.state = EndpointState::Listening;
    model.apply(status);
    StatsEvent stats{};
    stats.endpoint = id;
    stats.open_connections = static_cast<std::size_t>(n);
    for (int i = 0; i < n; ++i) {
        const ConnectionId c = 101 + static_cast<ConnectionId>(i);
        model.apply(ConnectionOpened{id, c, "127.0.0.1:" + std::to_string(40000 + i), "127.0.0.1:9000", opened_at});
        stats.connections.push_back({c, TrafficCounters{}});
    }
    if (with_stats) model.apply(stats);
    model.selection = Selection{id, 0};
    return id;
}

}  // namespace sockscope::ui::test
