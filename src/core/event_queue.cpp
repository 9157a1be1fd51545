#include "core/event_queue.hpp"

#include <utility>

namespace sockscope {

EventQueue::EventQueue(EventQueueLimits limits) : m_limits(limits) {}

PushResult EventQueue::push(Event event, EventPriority priority) {
    const std::size_t size = approximateSize(event);
    const bool tap_pause = m_tap && m_tap->observe(event, priority);
    std::function<void()> wake;
    bool first_since_drain = false;
    PushResult result = PushResult::Accepted;
    {
        std::lock_guard lock(m_mutex);
        if (m_closed) return PushResult::Dropped;
        const bool over = m_bytes + size > m_limits.pause_bytes;
        if (over && priority == EventPriority::Refresh && m_bytes > 0) {
            m_coalescedEvents.fetch_add(1, std::memory_order_relaxed);
            return PushResult::Dropped;
        }
        if (over && priority == EventPriority::Droppable) {
            // Messages, not events: a UDP batch holds several datagrams ("dropped N messages").
            const auto* data = std::get_if<DataEvent>(&event);
            m_droppedEvents.fetch_add(data ? messageCount(*data) : 1, std::memory_order_relaxed);
            m_droppedBytes.fetch_add(size, std::memory_order_relaxed);
            return PushResult::Dropped;
        }
        m_events.push_back(std::move(event));
        m_bytes += size;
        if (over && priority == EventPriority::Data) {
            m_pauseSignalled = true;
            result = PushResult::AcceptedPause;
        } else if (tap_pause && priority == EventPriority::Data) {
            result = PushResult::AcceptedPause;   // the tap resumes the reader when it catches up
        }
        if (!m_wakePending) {
            m_wakePending = true;
            first_since_drain = true;
            wake = m_wake;
        }
    }
    if (first_since_drain) {
        m_ready.notify_all();
        if (wake) wake();
    }
    return result;
}

std::size_t EventQueue::drain(std::vector<Event>& out) {
    std::vector<Event> taken;
    std::function<void()> resume;
    {
        std::lock_guard lock(m_mutex);
        taken.swap(m_events);
        m_bytes = 0;
        m_wakePending = false;
        if (m_pauseSignalled) {           // everything queued is gone: below any watermark
            m_pauseSignalled = false;
            resume = m_resume;
        }
    }
    if (resume) resume();
    const std::size_t count = taken.size();
    if (out.empty()) {
        out.swap(taken);
    } else {
        out.reserve(out.size() + count);
        for (auto& e : taken) out.push_back(std::move(e));
    }
    return count;
}

bool EventQueue::waitForEvents(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_ready.wait_for(lock, timeout, [this] { return !m_events.empty() || m_closed; }) &&
           !m_events.empty();
}

void EventQueue::setWakeCallback(std::function<void()> wake) {
    std::lock_guard lock(m_mutex);
    m_wake = std::move(wake);
}

void EventQueue::setResumeCallback(std::function<void()> resume) {
    std::lock_guard lock(m_mutex);
    m_resume = std::move(resume);
}

void EventQueue::close() {
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_ready.notify_all();
}

bool EventQueue::pauseIfOverBudget() {
    if (m_tap && m_tap->overBudget()) return true;
    std::lock_guard lock(m_mutex);
    if (m_closed || m_bytes <= m_limits.pause_bytes) return false;
    m_pauseSignalled = true;
    return true;
}

std::size_t EventQueue::queuedBytes() const {
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

bool EventQueue::paused() const {
    std::lock_guard lock(m_mutex);
    return m_pauseSignalled;
}

}  // namespace sockscope
