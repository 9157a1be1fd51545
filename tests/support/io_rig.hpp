#pragma once
// What the session and transport tests share: an I/O context run on the test's own thread, the
// event queue and the engine context around them, a bounded "run until", and one line per data
// event ("a|b": its messages joined) so that expected logs read as text.
#include <chrono>
#include <functional>
#include <span>
#include <string>

#include "core/event_queue.hpp"
#include "core/events.hpp"
#include "core/net/engine_context.hpp"

namespace sockscope::test {

struct IoRig {
    asio::io_context io;
    EventQueue queue;
    EngineContext ctx{io, queue, ReadArena(1u << 16, 1u << 12), 1, {}, std::chrono::milliseconds(5000), {}};

    explicit IoRig(EventQueueLimits limits = {}) : queue(limits) {}

    /// Runs the I/O loop until `done` (at most 10 s).
    bool runUntil(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done() && std::chrono::steady_clock::now() < deadline) runFor(std::chrono::milliseconds(5));
        return done();
    }
    /// A loop out of work stops; the next handler posted must still run.
    void runFor(std::chrono::milliseconds time) {
        if (io.stopped()) io.restart();
        io.run_for(time);
    }
};

/// A data event's messages joined by "|" (an empty message stays visible between two bars).
inline std::string joinedMessages(const DataEvent& data) {
    std::string line;
    bool first = true;
    forEachMessage(data, [&](std::span<const std::uint8_t> m) {
        line += (first ? "" : "|") + std::string(m.begin(), m.end());
        first = false;
    });
    return line;
}

}  // namespace sockscope::test
