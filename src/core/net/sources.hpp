#pragma once
// The sources of traffic of one endpoint (docs/profile-format.md, "Sending"): the on-connect
// payload, saved commands and timers. On the I/O thread; every send goes through the endpoint's
// own send path, so write queues, back-pressure, errors and tx events are those of a typed send.
// Made by the "sources" stage's factory (registry/endpoint_registry.cpp).
#include <asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/commands.hpp"
#include "core/endpoint_config.hpp"
#include "core/net/engine_context.hpp"
#include "core/session/source_stage.hpp"

namespace sockscope {

class Sources final : public SourceStage {
public:
    /// `send` is the endpoint's send (false: it was refused and reported at once); `canSend(0)` says whether a send has somewhere to go now
    /// (a timer skips its tick quietly otherwise and counts it), `canSend(id)` whether connection `id` is open.
    Sources(EngineContext& context, EndpointId endpoint, const EndpointConfig& config,
            std::function<bool(Send)> send, std::function<bool(ConnectionId)> canSend);
    explicit Sources(const SourceContext& c) : Sources(c.engine, c.endpoint, c.config, c.send, c.can_send) {}
    ~Sources() override;
    Sources(const Sources&) = delete;
    Sources& operator=(const Sources&) = delete;

    /// The endpoint started: timers with auto_start run.
    void started() override;
    /// The endpoint stopped: every timer stops (its counts stay).
    void stopped() override;
    /// A new TCP connection: the on-connect payload, if any, goes to it.
    void connectionOpened(ConnectionId connection) override;
    /// Running timers whose counts moved since their last status: a `progress` status each.
    void refresh() override;
    /// A saved command, to one connection (0: every one / the udp destination; `destination`:
    /// udp "host:port", "" = the default).
    void sendCommand(const std::string& name, ConnectionId connection, const std::string& destination = {});
    /// A TCP connection closed: timers aimed at it stop.
    void connectionClosed(ConnectionId connection) override;
    /// Starts (`run`) or stops a timer by name; an unknown name is an error event when `report`.
    /// A started timer sends to `connection` (0: every connection / the udp destination).
    void runTimer(const std::string& name, bool run, bool report = true, ConnectionId connection = 0);
    /// The timers running now: name and target connection.
    std::vector<std::pair<std::string, ConnectionId>> runningTimers() const;

private:
    struct Timer;
    struct Compiled;
    void tick(Timer& timer);
    void schedule(Timer& timer);
    void setRunning(Timer& timer, bool run, ConnectionId connection = 0);
    void report(Timer& timer);
    /// A status with the counts a close corrected (ticks it dropped unsent), posted once.
    void reportLater(Timer& timer);
    bool render(Compiled& payload, Bytes& out);

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    std::function<bool(Send)> m_send;
    std::function<bool(ConnectionId)> m_canSend;
    std::vector<std::unique_ptr<Compiled>> m_commands;
    std::unique_ptr<Compiled> m_onConnect;
    std::vector<std::unique_ptr<Timer>> m_timers;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);   // timer handlers check it
};

}  // namespace sockscope
