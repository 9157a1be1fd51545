#pragma once
// Rate limit for errors that can repeat without end (EMFILE on every accept retry, EMAXCONN per
// rejected client, UDP read errors, dropped echo): the first one is reported at once, repeats of
// the same (context, code) within a window are counted and reported as one event with the count
// ("... (repeated 57 times in 5.0 s)") when the window ends. A key quiet for a whole window is
// forgotten, so its next occurrence is again reported at once.
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "core/events.hpp"

namespace sockscope {

class ErrorThrottle {
public:
    using Clock = std::chrono::steady_clock;
    using Emit = std::function<void(ErrorEvent)>;

    explicit ErrorThrottle(std::chrono::milliseconds window) : m_window(window) {}

    /// Emits `event` unless the same (context, code) was reported within the window; then counts it.
    void report(ErrorEvent event, Clock::time_point now, const Emit& emit);
    /// Emits the count of every window that has ended; call periodically (each refresh).
    /// `all` (endpoint stopped): emits every pending count now and forgets every key.
    void flush(Clock::time_point now, const Emit& emit, bool all = false);
    /// A connection closes: the counts whose last repeat was on it are emitted now, before its
    /// `closed` event, not after it at the window's end.
    void flushConnection(ConnectionId connection, Clock::time_point now, const Emit& emit);

private:
    struct Entry {
        ErrorEvent last;
        std::uint64_t repeats = 0;
        Clock::time_point window_start;
    };
    void emitCount(Entry& entry, Clock::time_point now, const Emit& emit);
    std::chrono::milliseconds m_window;
    std::map<std::pair<ErrorContext, std::string>, Entry> m_entries;
};

/// "1,048,576": byte counts in messages.
std::string groupDigits(std::uint64_t value);
/// "1 byte", "1,024 bytes".
std::string bytesText(std::uint64_t value);

}  // namespace sockscope
