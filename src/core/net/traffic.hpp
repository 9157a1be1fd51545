#pragma once
// Byte/message counters with rates computed over the refresh period (on the I/O thread).
#include <chrono>
#include <cstdint>

#include "core/events.hpp"

namespace sockscope {

class TrafficMeter {
public:
    void count(Direction direction, std::size_t bytes) {
        if (direction == Direction::Rx) {
            m_counters.rx_bytes += bytes;
            ++m_counters.rx_messages;
        } else {
            m_counters.tx_bytes += bytes;
            ++m_counters.tx_messages;
        }
    }

    /// Updates the rates from the counts since the previous call and returns the counters.
    const TrafficCounters& sample(std::chrono::steady_clock::time_point now) {
        const double seconds = std::chrono::duration<double>(now - m_lastSample).count();
        if (m_sampled && seconds > 0) {
            m_counters.rx_bytes_per_s = double(m_counters.rx_bytes - m_last.rx_bytes) / seconds;
            m_counters.tx_bytes_per_s = double(m_counters.tx_bytes - m_last.tx_bytes) / seconds;
            m_counters.rx_messages_per_s = double(m_counters.rx_messages - m_last.rx_messages) / seconds;
            m_counters.tx_messages_per_s = double(m_counters.tx_messages - m_last.tx_messages) / seconds;
        }
        m_last = m_counters;
        m_lastSample = now;
        m_sampled = true;
        return m_counters;
    }

    /// The send queue now (levels, not counts: sample() leaves them as they are).
    void setQueue(std::uint64_t queued_bytes, bool close_pending) {
        m_counters.queued_bytes = queued_bytes;
        m_counters.close_pending = close_pending;
    }

    const TrafficCounters& counters() const { return m_counters; }

private:
    TrafficCounters m_counters;
    TrafficCounters m_last;
    std::chrono::steady_clock::time_point m_lastSample{};
    bool m_sampled = false;
};

}  // namespace sockscope
