#include "ui/log_index.hpp"

#include <algorithm>

#include "core/codec/parse_result.hpp"

namespace sockscope::ui {
namespace {

constexpr std::string_view kHexPrefix = "hex:";

std::uint8_t foldAscii(std::uint8_t b) { return (b >= 'A' && b <= 'Z') ? static_cast<std::uint8_t>(b + 32) : b; }

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (foldAscii(static_cast<std::uint8_t>(text[i])) != static_cast<std::uint8_t>(prefix[i])) return false;
    return true;
}

}  // namespace

void QueryMatcher::compile(const LogQuery& query, TextEncoding encoding) {
    m_data.reset();
    m_events.reset();
    m_error.clear();
    m_empty = query.text.empty();
    if (m_empty) return;
    MatchSpec spec;
    spec.mode = MatchMode::Contains;
    spec.ignore_case = !query.match_case;
    spec.escapes = false;
    std::string_view text = query.text;
    QueryMode mode = query.mode;
    if (mode == QueryMode::Text && startsWithIgnoreCase(text, kHexPrefix)) {   // "hex:01 03" as before
        mode = QueryMode::Hex;
        text.remove_prefix(kHexPrefix.size());
    }
    spec.text = std::string(text);
    switch (mode) {
        case QueryMode::Text: spec.body = MatchBody::Text; break;
        case QueryMode::Hex: spec.body = MatchBody::Hex; spec.ignore_case = false; break;
        case QueryMode::Regex: spec.body = MatchBody::Text; spec.mode = MatchMode::Regex; break;
    }
    spec.encoding = TextEncoding::Utf8;
    MatcherCompileResult events = compileMatcher(spec);
    if (!events.ok()) {
        m_error = describe(*events.error, text);
        return;
    }
    m_events = std::move(events.matcher);
    spec.encoding = encoding;
    MatcherCompileResult data = mode == QueryMode::Hex ? MatcherCompileResult{} : compileMatcher(spec);
    if (data.ok()) m_data = std::move(data.matcher);
    else m_data = m_events;   // hex, or not representable in the encoding: the UTF-8 bytes
}

std::optional<std::pair<std::size_t, std::size_t>> QueryMatcher::find(LogKind kind,
                                                                      std::span<const std::uint8_t> bytes) const {
    if (m_empty) return std::make_pair(std::size_t{0}, std::size_t{0});
    std::optional<MessageMatcher>& matcher = (kind == LogKind::Rx || kind == LogKind::Tx) ? m_data : m_events;
    if (!matcher) return std::nullopt;
    if (matcher->match(bytes, &m_captures) != MatchOutcome::Match || m_captures.empty())
        return std::nullopt;
    const std::size_t begin = static_cast<std::size_t>(m_captures[0].data() - bytes.data());
    return std::make_pair(begin, begin + m_captures[0].size());
}

void LogIndex::setFilter(const LogFilter& filter) {
    if (filter == m_filter) return;
    m_filter = filter;
    m_matcher.compile(m_filter.query(), m_filter.encoding);
    reset();
}

void LogIndex::reset() {
    m_seqs.clear();
    m_seqs.shrink_to_fit();
    m_scanned = 0;
    m_rebuilding = true;
}

std::size_t LogIndex::memoryUsed() const { return m_seqs.size() * sizeof(std::uint64_t); }

bool LogIndex::matches(const PayloadLog& log, const LogRecord& r) const {
    if (m_filter.endpoint != 0 && r.endpoint != m_filter.endpoint && r.endpoint != 0) return false;
    if (m_filter.connection != 0 && r.connection != m_filter.connection) {
        // Endpoint-level events (no connection) stay visible when one connection is selected.
        if (!(r.connection == 0 && (r.kind == LogKind::Info || r.kind == LogKind::Error))) return false;
    }
    bool shown = false;
    switch (r.kind) {
        case LogKind::Rx: shown = m_filter.rx; break;
        case LogKind::Tx: shown = m_filter.tx; break;
        case LogKind::Info:
        case LogKind::Error: shown = m_filter.events; break;
    }
    if (!shown || m_matcher.empty()) return shown;
    return m_matcher.matches(r.kind, log.bytes(r));
}

std::optional<std::pair<std::size_t, std::size_t>> LogIndex::rebuilding(const PayloadLog& log) const {
    if (!m_rebuilding) return std::nullopt;
    return std::make_pair(log.lowerBound(m_scanned), log.size());
}

void LogIndex::dropEvicted(const PayloadLog& log) {
    const std::uint64_t first = log.firstSeq();
    while (!m_seqs.empty() && m_seqs.front() < first) m_seqs.pop_front();
    if (m_scanned < first) m_scanned = first;
}

std::uint64_t LogIndex::pending(const PayloadLog& log) const {
    const std::uint64_t from = std::max(m_scanned, log.firstSeq());
    return log.nextSeq() > from ? log.nextSeq() - from : 0;
}

std::size_t LogIndex::update(const PayloadLog& log, std::size_t max_scan, std::uint64_t stop_seq,
                             std::chrono::microseconds budget) {
    dropEvicted(log);
    std::uint64_t end = std::min({log.nextSeq(), m_scanned + max_scan, std::max(stop_seq, m_scanned)});
    std::size_t added = 0;
    const auto start = std::chrono::steady_clock::now();
    // Walk records, not seq numbers: a dropped oversized message leaves a gap in the seqs.
    std::size_t n = 0;
    for (std::size_t i = log.lowerBound(m_scanned); i < log.size(); ++i) {
        const LogRecord& r = log.record(i);
        if (r.seq >= end) break;
        if (matches(log, r)) {
            m_seqs.push_back(r.seq);
            ++added;
        }
        if ((++n & 1023) == 0 && std::chrono::steady_clock::now() - start >= budget) {
            end = r.seq + 1;   // the rest next time
            break;
        }
    }
    m_scanned = std::max(m_scanned, end);
    if (m_scanned >= std::min(log.nextSeq(), std::max(stop_seq, m_scanned))) m_rebuilding = false;
    return added;
}

std::size_t LogIndex::rowOfSeq(std::uint64_t seq) const {
    const std::size_t row = lowerBound(seq);
    return row < m_seqs.size() && m_seqs[row] == seq ? row : npos;
}

std::size_t LogIndex::lowerBound(std::uint64_t seq) const {
    return static_cast<std::size_t>(std::lower_bound(m_seqs.begin(), m_seqs.end(), seq) - m_seqs.begin());
}

}  // namespace sockscope::ui
