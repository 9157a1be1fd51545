#pragma once
// Bytes/s and messages/s each way, one sample per second over the last minutes, built from the
// cumulative counters the ~2 Hz statistics carry: what the rate plots draw. Fixed capacity; the
// ring is allocated on the first traffic, so 10,000 idle connections cost no samples.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/events.hpp"

namespace sockscope {

enum class RateSeries : std::uint8_t { RxBytes, TxBytes, RxMessages, TxMessages };

class RateHistory {
public:
    explicit RateHistory(std::size_t seconds = 300) : m_capacity(seconds) {}

    /// Cumulative counters seen at `now_us` (local clock). What arrived since the last call is
    /// counted in the second of `now_us`: statistics come only while something changes, so a gap
    /// between calls is silence. Counters that went down (a restart) start over.
    void record(TimestampUs now_us, const TrafficCounters& totals);
    /// Forgets the samples (counters reset); the next record() starts a new baseline.
    void clear();

    std::size_t capacity() const { return m_capacity; }
    /// The last `count` whole seconds before `now_us`, oldest first, per second: zeros where
    /// nothing arrived (also for the seconds since the last record).
    void series(RateSeries which, TimestampUs now_us, std::size_t count, std::vector<float>& out) const;
    /// Whether any traffic was ever recorded (the ring exists).
    bool active() const { return !m_ring.empty(); }

private:
    struct Sample {
        float v[4] = {0, 0, 0, 0};   // by RateSeries
    };
    void push(const Sample& s);

    std::size_t m_capacity;
    std::vector<Sample> m_ring;      // m_capacity samples once active; m_next = the oldest
    std::size_t m_next = 0;
    std::int64_t m_second = -1;      // the second being accumulated in m_current
    Sample m_current;
    TrafficCounters m_last;
    bool m_haveLast = false;
};

}  // namespace sockscope
