#include "core/model/rate_history.hpp"

#include <algorithm>

namespace sockscope {
namespace {

std::uint64_t deltaOf(std::uint64_t now, std::uint64_t before) { return now >= before ? now - before : now; }

}  // namespace

void RateHistory::record(TimestampUs now_us, const TrafficCounters& totals) {
    const std::int64_t second = now_us / 1'000'000;
    if (!m_haveLast) {   // the first statistics are a baseline, not a burst
        m_last = totals;
        m_haveLast = true;
        m_second = second;
        return;
    }
    Sample delta;
    delta.v[0] = static_cast<float>(deltaOf(totals.rx_bytes, m_last.rx_bytes));
    delta.v[1] = static_cast<float>(deltaOf(totals.tx_bytes, m_last.tx_bytes));
    delta.v[2] = static_cast<float>(deltaOf(totals.rx_messages, m_last.rx_messages));
    delta.v[3] = static_cast<float>(deltaOf(totals.tx_messages, m_last.tx_messages));
    m_last = totals;
    const bool traffic = delta.v[0] + delta.v[1] + delta.v[2] + delta.v[3] > 0;
    if (m_ring.empty() && !traffic) {
        m_second = second;
        return;
    }
    if (m_ring.empty()) m_ring.assign(m_capacity, Sample{});
    if (second > m_second) {
        push(m_current);   // the finished second; silent seconds in between are filled by series()
        const std::int64_t silent = std::min<std::int64_t>(second - m_second - 1, static_cast<std::int64_t>(m_capacity));
        for (std::int64_t i = 0; i < silent; ++i) push(Sample{});
        m_current = Sample{};
        m_second = second;
    }
    for (int k = 0; k < 4; ++k) m_current.v[k] += delta.v[k];
}

void RateHistory::push(const Sample& s) {
    if (m_ring.empty()) return;
    m_ring[m_next] = s;
    m_next = (m_next + 1) % m_ring.size();
}

void RateHistory::clear() {
    m_ring.clear();
    m_next = 0;
    m_current = Sample{};
    m_haveLast = false;
    m_second = -1;
}

void RateHistory::series(RateSeries which, TimestampUs now_us, std::size_t count, std::vector<float>& out) const {
    out.assign(count, 0.0f);
    if (m_ring.empty() || count == 0) return;
    const auto k = static_cast<std::size_t>(which);
    // Whole seconds before now: [now_second - count, now_second - 1]. The ring's newest pushed
    // sample is second m_second - 1; m_current is second m_second.
    const std::int64_t now_second = now_us / 1'000'000;
    for (std::size_t i = 0; i < count; ++i) {
        const std::int64_t second = now_second - static_cast<std::int64_t>(count - i);
        if (second == m_second) {
            out[i] = m_current.v[k];
            continue;
        }
        const std::int64_t back = m_second - 1 - second;   // 0 = the newest pushed sample
        if (back < 0 || back >= static_cast<std::int64_t>(m_ring.size())) continue;
        const std::size_t n = m_ring.size();
        out[i] = m_ring[(m_next + n - 1 - static_cast<std::size_t>(back)) % n].v[k];
    }
}

}  // namespace sockscope
