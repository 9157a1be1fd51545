#include "core/net/error_throttle.hpp"

#include <cstdio>
#include <iterator>

namespace sockscope {

void ErrorThrottle::report(ErrorEvent event, Clock::time_point now, const Emit& emit) {
    auto key = std::make_pair(event.context, event.error.code);
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        m_entries.emplace(std::move(key), Entry{event, 0, now});
        emit(std::move(event));
        return;
    }
    ++it->second.repeats;
    it->second.last = std::move(event);
}

void ErrorThrottle::flushConnection(ConnectionId connection, Clock::time_point now, const Emit& emit) {
    for (auto& [key, entry] : m_entries)
        if (entry.repeats > 0 && entry.last.connection == connection) emitCount(entry, now, emit);
}

void ErrorThrottle::emitCount(Entry& entry, Clock::time_point now, const Emit& emit) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", std::chrono::duration<double>(now - entry.window_start).count());
    ErrorEvent summary = entry.last;
    summary.error.message += " (repeated " + groupDigits(entry.repeats) + (entry.repeats == 1 ? " time in " : " times in ") + seconds + " s)";
    summary.time_us = nowUs();
    entry.repeats = 0;
    entry.window_start = now;
    emit(std::move(summary));
}

void ErrorThrottle::flush(Clock::time_point now, const Emit& emit, bool all) {
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        Entry& entry = it->second;
        const auto age = now - entry.window_start;
        if (age < m_window && !all) {
            ++it;
            continue;
        }
        if (entry.repeats == 0) {   // quiet for a whole window: report the next one at once
            it = m_entries.erase(it);
            continue;
        }
        emitCount(entry, now, emit);
        it = all ? m_entries.erase(it) : std::next(it);
    }
}

std::string groupDigits(std::uint64_t value) {
    std::string digits = std::to_string(value);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

std::string bytesText(std::uint64_t value) { return groupDigits(value) + (value == 1 ? " byte" : " bytes"); }

}  // namespace sockscope
