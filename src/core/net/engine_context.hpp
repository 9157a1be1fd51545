#pragma once
// What every endpoint shares on the I/O thread: the io_context, the event queue, one read
// arena (reads are "wait until readable, then read into the shared arena", so an idle
// connection holds no buffer of its own; each read leaves as a slice of a reference-counted
// block, shared_bytes.hpp), and the connection id counter.
// Used only on the I/O thread.
#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/event_queue.hpp"
#include "core/net/tcp_state.hpp"
#include "core/shared_bytes.hpp"

namespace sockscope {

/// Blocks the I/O thread reads into: several reads each, and several of them fit in the
/// payload log's budget (it holds slices of them, counting whole blocks).
inline constexpr std::size_t kReadBlockBytes = 1u << 20;

struct EngineContext {
    asio::io_context& io;
    EventQueue& queue;
    ReadArena read_arena;
    ConnectionId next_connection = 1;
    /// Readers parked by back-pressure; called (and cleared) when the front end drains.
    std::vector<std::function<void()>> paused_readers;
    /// How long repeats of one error are counted before they are reported (ErrorThrottle).
    std::chrono::milliseconds error_repeat_window{5000};
    /// Reads the OS socket table of one TCP port off the I/O thread; `done` runs on the I/O
    /// thread with the counts (nullopt where the table cannot be read). Set by the engine.
    std::function<void(std::uint16_t port, std::function<void(std::optional<PortStateCounts>)> done)>
        count_tcp_port_async;
    /// The engine's shutdown has begun: the statuses from now on say so (EndpointStatus::shutdown).
    bool shutting_down = false;

    void emit(Event event) { queue.push(std::move(event), EventPriority::Control); }
    /// Per-connection and per-endpoint refresh events (TcpStateChanged, StatsEvent,
    /// PortTableChanged): false when refused over the queue's budget. The sender then keeps its
    /// "last sent" so the next refresh sends the latest state (coalescing by construction).
    [[nodiscard]] bool emitRefresh(Event event) {
        return queue.push(std::move(event), EventPriority::Refresh) != PushResult::Dropped;
    }
    ConnectionId newConnectionId() { return next_connection++; }
};

}  // namespace sockscope
