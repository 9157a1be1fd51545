#pragma once
// An incremental filtered index over the payload log (Tracy's message-list pattern): each frame
// only records appended since the last update are scanned; evicted records fall off the front;
// a filter change resets the index and rescans (bounded work per update). UI-free.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/codec/text_encoding.hpp"
#include "core/model/payload_log.hpp"

namespace sockscope::ui {

struct LogFilter {
    EndpointId endpoint = 0;        // 0 = every endpoint
    ConnectionId connection = 0;    // 0 = every connection of the endpoint
    bool rx = true;
    bool tx = true;
    bool events = true;             // Info and Error rows
    /// Find: rows whose bytes contain this. Text is matched without regard to ASCII case, in the
    /// display encoding for data rows and as typed for event rows; "hex:01 03" matches bytes
    /// exactly (any hex form parseHex accepts). Empty = all rows.
    std::string contains;
    TextEncoding encoding = TextEncoding::Utf8;   // how data rows are shown (Find's text encoding)
    bool operator==(const LogFilter&) const = default;
};

class LogIndex {
public:
    /// Sets the filter; a different one resets the index (rebuilt by the next updates).
    void setFilter(const LogFilter& filter);
    const LogFilter& filter() const { return m_filter; }
    /// Why the Find query matches nothing (an invalid "hex:" query), or empty.
    const std::string& queryError() const { return m_queryError; }

    /// Drops evicted records and scans at most `max_scan` new ones, none at or after `stop_seq`
    /// (a paused view). Returns how many were added. Sequence numbers may have gaps (the log
    /// drops a message larger than its budget but still gives it a number).
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
    /// Whether a record passes the filter (what update() would index).
    bool accepts(const PayloadLog& log, const LogRecord& record) const { return matches(log, record); }
    /// First row whose seq is >= `seq` (size() when none).
    std::size_t lowerBound(std::uint64_t seq) const;
    void reset();
    /// Heap held by the index (counted against the log's budget: see PayloadLog::kIndexBytesPerRecord).
    std::size_t memoryUsed() const;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    bool matches(const PayloadLog& log, const LogRecord& record) const;
    bool contains(std::span<const std::uint8_t> bytes, const std::vector<std::uint8_t>& needle) const;

    LogFilter m_filter;
    std::vector<std::uint8_t> m_dataNeedle;    // Find, as bytes in data rows
    std::vector<std::uint8_t> m_eventNeedle;   // Find, as bytes in event rows
    bool m_caseless = false;
    bool m_matchNothing = false;
    std::string m_queryError;
    std::deque<std::uint64_t> m_seqs;   // ascending seqs of matching records
    std::uint64_t m_scanned = 0;        // every seq below this has been looked at
};

}  // namespace sockscope::ui
