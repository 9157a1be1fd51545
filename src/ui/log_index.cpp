#include "ui/log_index.hpp"

#include <algorithm>

namespace sockscope::ui {

void LogIndex::setFilter(const LogFilter& filter) {
    if (filter == m_filter) return;
    m_filter = filter;
    reset();
}

void LogIndex::reset() {
    m_seqs.clear();
    m_scanned = 0;
}

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
    if (!shown || m_filter.contains.empty()) return shown;
    const auto bytes = log.bytes(r);
    const auto* needle = reinterpret_cast<const std::uint8_t*>(m_filter.contains.data());
    return std::search(bytes.begin(), bytes.end(), needle, needle + m_filter.contains.size()) != bytes.end();
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
    const std::uint64_t first = log.firstSeq();
    const std::uint64_t end = std::min({log.nextSeq(), m_scanned + max_scan, std::max(stop_seq, m_scanned)});
    std::size_t added = 0;
    // Records are contiguous in seq: record(i) has seq first + i.
    for (std::uint64_t seq = m_scanned; seq < end; ++seq) {
        const LogRecord& r = log.record(static_cast<std::size_t>(seq - first));
        if (matches(log, r)) {
            m_seqs.push_back(r.seq);
            ++added;
        }
    }
    m_scanned = std::max(m_scanned, end);
    return added;
}

std::size_t LogIndex::rowOfSeq(std::uint64_t seq) const {
    auto it = std::lower_bound(m_seqs.begin(), m_seqs.end(), seq);
    if (it == m_seqs.end() || *it != seq) return npos;
    return static_cast<std::size_t>(it - m_seqs.begin());
}

}  // namespace sockscope::ui
