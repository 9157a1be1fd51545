#pragma once
// The engine: one I/O thread that owns every socket, acceptor, timer and resolver.
//   front end --submit(Command)--> asio::post --> I/O thread applies it
//   I/O thread --Event--> EventQueue --drainEvents()--> front end (once per frame / loop turn)
// All methods are thread-safe; none blocks on I/O.
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "core/commands.hpp"
#include "core/event_queue.hpp"
#include "core/events.hpp"

namespace sockscope {

struct EngineOptions {
    EventQueueLimits queue;                                  // back-pressure budget
    std::chrono::milliseconds refresh_period{500};           // TCP state, port table, stats
    std::size_t read_buffer_bytes = 256u << 10;              // the most one read asks for (reads land in
                                                             // shared 1 MiB blocks, kReadBlockBytes)
    std::chrono::milliseconds error_repeat_window{5000};     // repeats of one error: one event, then a count
};

class Engine {
public:
    explicit Engine(EngineOptions options = {});
    ~Engine();                                               ///< shutdown() if still running
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    void submit(Command command);
    std::size_t drainEvents(std::vector<Event>& out);
    bool waitForEvents(std::chrono::milliseconds timeout);
    /// Called from the I/O thread when events arrive after a drain (e.g. glfwPostEmptyEvent).
    void setWakeCallback(std::function<void()> wake);

    /// Closes every endpoint (connections with FIN... then abort after `grace`), joins the thread.
    /// Idempotent. Events emitted during shutdown stay drainable afterwards.
    void shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

    const EventQueue& queue() const;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace sockscope
