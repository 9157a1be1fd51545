#pragma once
// Actions a session runs later on the I/O thread (a reply's delay, a close after a delay, a script
// step's timeout): one timer each, all cancelled when the session ends, at most a bounded number
// pending. Delayed replies also carry their byte count, so a session can bound them in bytes and
// say what a close dropped. Handlers hold only a weak reference to the list, so destroying it is
// always safe.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <optional>

namespace sockscope {

class DelayedActions {
public:
    DelayedActions(asio::io_context& io, std::size_t limit) : m_io(io), m_state(std::make_shared<State>()) {
        m_state->limit = limit;
    }
    ~DelayedActions() { cancelAll(); }
    DelayedActions(const DelayedActions&) = delete;
    DelayedActions& operator=(const DelayedActions&) = delete;

    /// False (nothing scheduled) when `limit` actions are already pending.
    [[nodiscard]] bool schedule(std::chrono::steady_clock::duration delay, std::function<void()> fn) {
        return scheduleAt(std::chrono::steady_clock::now() + delay, std::move(fn));
    }
    /// At an absolute time: actions due in increasing order run in that order.
    [[nodiscard]] bool scheduleAt(std::chrono::steady_clock::time_point due, std::function<void()> fn) {
        return add(due, std::move(fn), std::nullopt);
    }
    /// A delayed reply of `bytes` bytes: counted in replyBytes() until it runs or is dropped.
    [[nodiscard]] bool scheduleReplyAt(std::chrono::steady_clock::time_point due, std::size_t bytes,
                                       std::function<void()> fn) {
        return add(due, std::move(fn), bytes);
    }

    /// What cancelAll dropped of the delayed replies.
    struct Dropped {
        std::size_t replies = 0;
        std::size_t bytes = 0;
    };
    /// Drops every pending action (they never run) and says how many replies were among them.
    Dropped cancelAll();
    std::size_t pending() const { return m_state->items.size(); }
    /// Bytes of the delayed replies still waiting.
    std::size_t replyBytes() const { return m_state->reply_bytes; }

private:
    struct Item {
        asio::steady_timer timer;
        std::function<void()> fn;
        std::optional<std::size_t> reply_bytes;   // set: a delayed reply of that size
    };
    struct State {
        std::list<Item> items;
        std::size_t limit = 0;
        std::size_t reply_bytes = 0;
    };
    bool add(std::chrono::steady_clock::time_point due, std::function<void()> fn, std::optional<std::size_t> reply_bytes);

    asio::io_context& m_io;
    std::shared_ptr<State> m_state;
};

}  // namespace sockscope
