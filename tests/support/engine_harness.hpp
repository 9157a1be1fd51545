#pragma once
// Test helper: an Engine plus everything it emitted, with bounded waits for conditions.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "core/engine.hpp"

namespace sockscope::test {

class EngineHarness {
public:
    explicit EngineHarness(EngineOptions options = fastOptions()) : engine(options) {}

    static EngineOptions fastOptions() {
        EngineOptions options;
        options.refresh_period = std::chrono::milliseconds(50);
        return options;
    }

    /// Pumps events until `predicate(event)` holds for one of them; returns a copy (pointers into
    /// `events` would dangle at the next pump). Fails the test and returns nullopt after `timeout`.
    template <class T>
    std::optional<T> waitFor(std::function<bool(const T&)> predicate,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::size_t scanned = m_mark;
        for (;;) {
            for (; scanned < events.size(); ++scanned)
                if (const auto* e = std::get_if<T>(&events[scanned]); e && predicate(*e)) return *e;
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) break;
            engine.waitForEvents(std::min<std::chrono::milliseconds>(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), std::chrono::milliseconds(20)));
            pump();
        }
        ADD_FAILURE() << "timed out waiting for " << typeid(T).name();
        return std::nullopt;
    }
    template <class T>
    std::optional<T> waitFor(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        return waitFor<T>([](const T&) { return true; }, timeout);
    }

    std::optional<EndpointStatus> waitForState(EndpointId id, EndpointState state,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        return waitFor<EndpointStatus>([&](const EndpointStatus& s) { return s.endpoint == id && s.state == state; },
                                       timeout);
    }

    /// Starts a tcp-server on 127.0.0.1:0 (or `bind`) and returns its port.
    std::uint16_t startServer(EndpointId id, EndpointConfig config = {}) {
        config.type = EndpointType::TcpServer;
        if (config.bind.empty()) config.bind = "127.0.0.1:0";
        if (config.name.empty()) config.name = "server";
        engine.submit(AddEndpoint{id, config});
        const auto status = waitForState(id, EndpointState::Listening);
        if (!status) return 0;
        return static_cast<std::uint16_t>(std::stoi(status->local.substr(status->local.rfind(':') + 1)));
    }

    void pump() { engine.drainEvents(events); }

    /// Sum of Rx payload bytes seen so far for an endpoint.
    Bytes received(EndpointId id, ConnectionId connection = 0) const {
        Bytes all;
        for (const auto& e : events)
            if (const auto* d = std::get_if<DataEvent>(&e);
                d && d->endpoint == id && d->direction == Direction::Rx && (connection == 0 || d->connection == connection))
                all.insert(all.end(), d->payload.begin(), d->payload.end());
        return all;
    }

    /// From now on, waitFor only looks at events that arrive after this call.
    void mark() {
        pump();
        m_mark = events.size();
    }

    template <class T>
    std::size_t count(std::function<bool(const T&)> predicate = [](const T&) { return true; }) const {
        std::size_t n = 0;
        for (const auto& e : events)
            if (const auto* t = std::get_if<T>(&e); t && predicate(*t)) ++n;
        return n;
    }

    /// Pumps until `done()` holds or the timeout passes; returns done().
    bool pumpUntil(std::function<bool()> done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            engine.waitForEvents(std::chrono::milliseconds(10));
            pump();
        }
        return done();
    }

    /// A round trip through the I/O thread: once it returns, everything the engine did before the
    /// call is in `events` (a forced refresh of `id` is answered with a StatsEvent after it). Tests
    /// assert that something did NOT happen after this, never after a bare sleep.
    bool sync(EndpointId id, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        pump();
        const std::size_t from = events.size();
        engine.submit(RefreshState{id});
        return pumpUntil([&] {
            for (std::size_t i = from; i < events.size(); ++i)
                if (const auto* s = std::get_if<StatsEvent>(&events[i]); s && s->endpoint == id) return true;
            return false;
        }, timeout);
    }

    /// Lets the engine's own timers (refreshes, reconnects, close timeouts) run for `window`, then
    /// sync(id). The window is what "for a while" means in a test of something that must not happen.
    bool settle(std::chrono::milliseconds window, EndpointId id) {
        std::this_thread::sleep_for(window);
        return sync(id);
    }

    Engine engine;
    std::vector<Event> events;

private:
    std::size_t m_mark = 0;
};

inline Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

}  // namespace sockscope::test
