#pragma once
// An incremental filtered index over the payload log (Tracy's message-list pattern): each frame
// only records appended since the last update are scanned; evicted records fall off the front;
// a filter change resets the index and rescans (bounded work per update). UI-free.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "core/model/payload_log.hpp"

namespace sockscope::ui {

struct LogFilter {
    EndpointId endpoint = 0;        // 0 = every endpoint
    ConnectionId connection = 0;    // 0 = every connection of the endpoint
    bool rx = true;
    bool tx = true;
    bool events = true;             // Info and Error rows
    std::string contains;           // only rows whose bytes contain this (empty = all)
    bool operator==(const LogFilter&) const = default;
};

class LogIndex {
public:
    /// Sets the filter; a different one resets the index (rebuilt by the next updates).
    void setFilter(const LogFilter& filter);
    const LogFilter& filter() const { return m_filter; }

    /// Drops evicted records and scans at most `max_scan` new ones, none at or after `stop_seq`
    /// (a paused view). Returns how many were added.
    std::size_t update(const PayloadLog& log, std::size_t max_scan = 250'000,
                       std::uint64_t stop_seq = UINT64_MAX);
    /// Drops evicted entries only (used while the display is paused).
    void dropEvicted(const PayloadLog& log);
    /// Records appended to the log that are not scanned yet.
    std::uint64_t pending(const PayloadLog& log) const;

    std::size_t size() const { return m_seqs.size(); }
    std::uint64_t seqAt(std::size_t row) const { return m_seqs[row]; }
    /// Row of a seq, or npos (binary search: seqs are ascending).
    std::size_t rowOfSeq(std::uint64_t seq) const;
    void reset();

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    bool matches(const PayloadLog& log, const LogRecord& record) const;

    LogFilter m_filter;
    std::deque<std::uint64_t> m_seqs;   // ascending seqs of matching records
    std::uint64_t m_scanned = 0;        // every seq below this has been looked at
};

}  // namespace sockscope::ui
