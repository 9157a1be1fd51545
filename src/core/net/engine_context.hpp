#pragma once
// What every endpoint shares on the I/O thread: the io_context, the event queue, one read
// buffer (reads are "wait until readable, then read into the shared buffer", so an idle
// connection holds no buffer of its own), and the connection id counter.
// Used only on the I/O thread.
#include <asio/io_context.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "core/event_queue.hpp"

namespace sockscope {

struct EngineContext {
    asio::io_context& io;
    EventQueue& queue;
    std::vector<std::uint8_t> read_buffer;
    ConnectionId next_connection = 1;
    /// Readers parked by back-pressure; called (and cleared) when the front end drains.
    std::vector<std::function<void()>> paused_readers;

    void emit(Event event) { queue.push(std::move(event), EventPriority::Control); }
    ConnectionId newConnectionId() { return next_connection++; }
};

}  // namespace sockscope
