#include "ui/log_index.hpp"

#include <algorithm>

#include "core/codec/hex.hpp"

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

void LogIndex::setFilter(const LogFilter& filter) {
    if (filter == m_filter) return;
    m_filter = filter;
    m_dataNeedle.clear();
    m_eventNeedle.clear();
    m_caseless = false;
    m_matchNothing = false;
    m_queryError.clear();
    const std::string_view query = m_filter.contains;
    if (startsWithIgnoreCase(query, kHexPrefix)) {
        const ParseResult parsed = parseHex(query.substr(kHexPrefix.size()));
        if (!parsed.ok()) {
            m_matchNothing = true;
            m_queryError = describe(*parsed.error, query.substr(kHexPrefix.size()));
        } else {
            m_dataNeedle.assign(parsed.bytes.begin(), parsed.bytes.end());
            m_eventNeedle = m_dataNeedle;
        }
    } else if (!query.empty()) {
        m_caseless = true;
        m_eventNeedle.assign(query.begin(), query.end());
        const ParseResult encoded = encodeForSend(query, m_filter.encoding);
        if (encoded.ok()) m_dataNeedle.assign(encoded.bytes.begin(), encoded.bytes.end());
        else m_dataNeedle = m_eventNeedle;   // not representable in the encoding: match it as UTF-8
    }
    reset();
}

void LogIndex::reset() {
    m_seqs.clear();
    m_seqs.shrink_to_fit();
    m_scanned = 0;
}

std::size_t LogIndex::memoryUsed() const { return m_seqs.size() * sizeof(std::uint64_t); }

bool LogIndex::contains(std::span<const std::uint8_t> bytes, const std::vector<std::uint8_t>& needle) const {
    if (needle.empty()) return true;
    if (!m_caseless) return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end();
    return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end(), [](std::uint8_t a, std::uint8_t b) {
               return foldAscii(a) == foldAscii(b);
           }) != bytes.end();
}

bool LogIndex::matches(const PayloadLog& log, const LogRecord& r) const {
    if (m_filter.endpoint != 0 && r.endpoint != m_filter.endpoint && r.endpoint != 0) return false;
    if (m_filter.connection != 0 && r.connection != m_filter.connection) {
        // Endpoint-level events (no connection) stay visible when one connection is selected.
        if (!(r.connection == 0 && (r.kind == LogKind::Info || r.kind == LogKind::Error))) return false;
    }
    bool shown = false;
    bool data = false;
    switch (r.kind) {
        case LogKind::Rx: shown = m_filter.rx; data = true; break;
        case LogKind::Tx: shown = m_filter.tx; data = true; break;
        case LogKind::Info:
        case LogKind::Error: shown = m_filter.events; break;
    }
    if (!shown || m_filter.contains.empty()) return shown;
    if (m_matchNothing) return false;
    const auto bytes = log.bytes(r);
    if (data) return contains(bytes, m_dataNeedle);
    return contains(bytes, m_eventNeedle);
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

std::size_t LogIndex::update(const PayloadLog& log, std::size_t max_scan, std::uint64_t stop_seq) {
    dropEvicted(log);
    const std::uint64_t end = std::min({log.nextSeq(), m_scanned + max_scan, std::max(stop_seq, m_scanned)});
    std::size_t added = 0;
    // Walk records, not seq numbers: a dropped oversized message leaves a gap in the seqs.
    for (std::size_t i = log.lowerBound(m_scanned); i < log.size(); ++i) {
        const LogRecord& r = log.record(i);
        if (r.seq >= end) break;
        if (matches(log, r)) {
            m_seqs.push_back(r.seq);
            ++added;
        }
    }
    m_scanned = std::max(m_scanned, end);
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
