#pragma once
// An incremental filtered index over the payload log (Tracy's message-list pattern): each frame
// only records appended since the last update are scanned; evicted records fall off the front;
// a filter change resets the index and rescans (bounded work per update: a record count and a
// time budget, so a regex over a million rows is spread over frames). UI-free.
//
// LogQuery is the one search model of the log: the Find box's query (text, hex bytes or a PCRE2
// regex) compiled once; the index filters with it, search next/previous and the highlight of the
// match in the rows and the detail pane use the same matcher.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/codec/text_encoding.hpp"
#include "core/match/message_matcher.hpp"
#include "core/model/payload_log.hpp"

namespace sockscope::ui {

enum class QueryMode : std::uint8_t { Text, Hex, Regex };

/// The query of the Find box.
struct LogQuery {
    std::string text;                  // empty = no query
    QueryMode mode = QueryMode::Text;
    bool match_case = false;           // text and regex: case-insensitive by default
    bool operator==(const LogQuery&) const = default;
};

/// A compiled query: data rows are matched in the display encoding, event rows as UTF-8 text.
class QueryMatcher {
public:
    /// Compiles; an invalid query (bad hex, a regex PCRE2 refuses) matches nothing and says why.
    void compile(const LogQuery& query, TextEncoding encoding);
    bool empty() const { return m_empty; }
    const std::string& error() const { return m_error; }
    /// The first match in a record's bytes: [begin, end) byte offsets, or nullopt.
    std::optional<std::pair<std::size_t, std::size_t>> find(LogKind kind, std::span<const std::uint8_t> bytes) const;
    bool matches(LogKind kind, std::span<const std::uint8_t> bytes) const { return find(kind, bytes).has_value(); }

private:
    bool m_empty = true;
    std::string m_error;
    mutable std::optional<MessageMatcher> m_data, m_events;   // match() reuses its match data
    mutable MatchCaptures m_captures;
};

struct LogFilter {
    EndpointId endpoint = 0;        // 0 = every endpoint
    ConnectionId connection = 0;    // 0 = every connection of the endpoint
    bool rx = true;
    bool tx = true;
    bool events = true;             // Info and Error rows
    /// Find: rows whose bytes contain this. Text is matched without regard to ASCII case, in the
    /// display encoding for data rows and as typed for event rows; "hex:01 03" matches bytes
    /// exactly (any hex form parseHex accepts). Empty = all rows. See `query` for the modes.
    std::string contains;
    TextEncoding encoding = TextEncoding::Utf8;   // how data rows are shown (Find's text encoding)
    QueryMode mode = QueryMode::Text;             // what `contains` is: text, hex bytes (?? = any), regex
    bool match_case = false;                      // text and regex
    bool operator==(const LogFilter&) const = default;
    LogQuery query() const { return LogQuery{contains, mode, match_case}; }
};

class LogIndex {
public:
    /// Sets the filter; a different one resets the index (rebuilt by the next updates).
    void setFilter(const LogFilter& filter);
    const LogFilter& filter() const { return m_filter; }
    /// Why the Find query matches nothing (an invalid "hex:" query), or empty.
    const std::string& queryError() const { return m_matcher.error(); }

    /// Drops evicted records and scans at most `max_scan` new ones, none at or after `stop_seq`
    /// (a paused view). Returns how many were added. Sequence numbers may have gaps (the log
    /// drops a message larger than its budget but still gives it a number).
    /// Also stops once `budget` has passed (checked every 1,024 records).
    std::size_t update(const PayloadLog& log, std::size_t max_scan = 250'000,
                       std::uint64_t stop_seq = UINT64_MAX,
                       std::chrono::microseconds budget = std::chrono::microseconds(8000));
    /// Drops evicted entries only (used while the display is paused).
    void dropEvicted(const PayloadLog& log);
    /// Records appended to the log that are not scanned yet.
    std::uint64_t pending(const PayloadLog& log) const;
    /// Progress of a rebuild after a filter change: records scanned and held (for "filtering
    /// 430,000 / 1,000,000"); nullopt once the index has caught up with the log.
    std::optional<std::pair<std::size_t, std::size_t>> rebuilding(const PayloadLog& log) const;
    /// The compiled query (search next/previous and the highlight use it too).
    const QueryMatcher& matcher() const { return m_matcher; }

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

    LogFilter m_filter;
    QueryMatcher m_matcher;
    bool m_rebuilding = false;
    std::deque<std::uint64_t> m_seqs;   // ascending seqs of matching records
    std::uint64_t m_scanned = 0;        // every seq below this has been looked at
};

}  // namespace sockscope::ui
