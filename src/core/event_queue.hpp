#pragma once
// The bounded queue from the I/O thread to the front end. Producers push value events; the
// consumer swaps the whole vector out once per frame and processes it outside the lock.
// Bounded by an approximate byte budget:
//  - Control events (state changes, errors) are always accepted: they are small, and every source
//    of many of them is bounded at the source (errors that repeat are counted by ErrorThrottle, a
//    server stops accepting and a connection stops reading while the queue is over budget).
//  - Refresh events (TcpStateChanged, StatsEvent, PortTableChanged: the ~2 Hz picture of the world)
//    count against the budget and are refused above it (unless the queue is empty); the sender
//    then keeps its "last sent" and its next refresh sends the latest state: coalesced, not lost.
//  - TCP data is accepted, but above the pause watermark push() says "pause": the session stops
//    re-arming reads (TCP back-pressure) until the consumer drains the queue, when the resume
//    callback fires (on the consumer's thread; it must only post).
//  - Droppable data (UDP datagrams) is refused above the budget and counted.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "core/events.hpp"

namespace sockscope {

struct EventQueueLimits {
    std::size_t pause_bytes = 32u << 20;    // above: TCP reads pause; UDP data is dropped
};

enum class EventPriority : std::uint8_t { Control, Refresh, Data, Droppable };
enum class PushResult : std::uint8_t { Accepted, AcceptedPause, Dropped };

/// Sees every pushed event on the producer's thread before the queue takes it (the recorders).
class EventTap {
public:
    virtual ~EventTap() = default;
    /// True when the tap is over its own budget and the event's source should pause (TCP data).
    virtual bool observe(const Event& event, EventPriority priority) = 0;
    /// True when a producer should park itself (the tap then calls the resume callback itself).
    virtual bool overBudget() = 0;
    /// Whether DataLayer::Wire events are wanted now (on the producer's thread): a framed read
    /// is shown as it arrived only then.
    virtual bool wantsWire() const { return false; }
};

class EventQueue {
public:
    explicit EventQueue(EventQueueLimits limits = {});

    PushResult push(Event event, EventPriority priority);

    /// Moves every queued event to the end of `out` (the vector is swapped, not copied).
    /// Returns how many were added.
    std::size_t drain(std::vector<Event>& out);

    /// Blocks until an event is queued, close() is called, or the timeout passes.
    bool waitForEvents(std::chrono::milliseconds timeout);

    /// Called (from the producer's thread) on the first push after a drain: wake the UI.
    void setWakeCallback(std::function<void()> wake);
    /// Called (from the consumer's thread, outside the lock) when a drain ends a pause.
    void setResumeCallback(std::function<void()> resume);

    void close();                                 ///< wakes waiters for good
    /// Set before any producer runs; the tap outlives the producers.
    void setTap(EventTap* tap) { m_tap = tap; }
    /// Shows the event to the tap only (DataLayer::Wire: the recorders), never queues it.
    /// AcceptedPause when the tap asks a TCP reader (priority Data) to pause.
    [[nodiscard]] bool tapWantsWire() const { return m_tap && m_tap->wantsWire(); }
    PushResult offerToTap(const Event& event, EventPriority priority) {
        const bool pause = m_tap && m_tap->observe(event, priority);
        return pause && priority == EventPriority::Data ? PushResult::AcceptedPause : PushResult::Accepted;
    }

    std::size_t queuedBytes() const;
    [[nodiscard]] std::size_t pauseBytes() const { return m_limits.pause_bytes; }   ///< the budget
    bool paused() const;                          ///< above the pause watermark since last drain
    /// True when the queued bytes exceed the budget; the next drain then calls the resume callback.
    /// Producers (TCP reads, accepts) check it before producing and park themselves when true.
    [[nodiscard]] bool pauseIfOverBudget();
    std::uint64_t coalescedEvents() const { return m_coalescedEvents.load(std::memory_order_relaxed); }
    std::uint64_t droppedEvents() const { return m_droppedEvents.load(std::memory_order_relaxed); }
    std::uint64_t droppedBytes() const { return m_droppedBytes.load(std::memory_order_relaxed); }

private:
    EventQueueLimits m_limits;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::vector<Event> m_events;
    std::size_t m_bytes = 0;
    bool m_pauseSignalled = false;      // someone was told to pause; resume when below watermark
    bool m_wakePending = false;         // wake callback fired since the last drain
    bool m_closed = false;
    std::function<void()> m_wake;
    std::function<void()> m_resume;
    EventTap* m_tap = nullptr;
    std::atomic<std::uint64_t> m_droppedEvents{0};
    std::atomic<std::uint64_t> m_droppedBytes{0};
    std::atomic<std::uint64_t> m_coalescedEvents{0};   // refresh events refused over the budget
};

}  // namespace sockscope
