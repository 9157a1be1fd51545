#include "core/session/delayed_actions.hpp"

namespace sockscope {

bool DelayedActions::add(std::chrono::steady_clock::time_point due, std::function<void()> fn,
                         std::optional<std::size_t> reply_bytes) {
    if (m_state->items.size() >= m_state->limit) return false;
    auto& items = m_state->items;
    items.push_back(Item{asio::steady_timer(m_io), std::move(fn), reply_bytes});
    if (reply_bytes) m_state->reply_bytes += *reply_bytes;
    auto it = std::prev(items.end());
    it->timer.expires_at(due);
    it->timer.async_wait([weak = std::weak_ptr<State>(m_state), it](std::error_code ec) {
        auto state = weak.lock();
        if (!state || ec) return;   // cancelled: the item is already gone
        std::function<void()> action = std::move(it->fn);
        if (it->reply_bytes) state->reply_bytes -= *it->reply_bytes;
        state->items.erase(it);
        action();
    });
    return true;
}

DelayedActions::Dropped DelayedActions::cancelAll() {
    Dropped dropped;
    for (const Item& item : m_state->items)
        if (item.reply_bytes) {
            ++dropped.replies;
            dropped.bytes += *item.reply_bytes;
        }
    // A fresh state: handlers of the old one find it expired. Destroying the timers cancels them.
    const std::size_t limit = m_state->limit;
    m_state = std::make_shared<State>();
    m_state->limit = limit;
    return dropped;
}

}  // namespace sockscope
