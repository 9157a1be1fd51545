// libFuzzer target for the payload log and the view's filtered index: a byte string is read as a
// sequence of operations (append data/text of any size, clear, tiny budgets that drop messages,
// filter changes, bounded and paused updates, lookups) and the invariants the views rely on are
// checked after each one. Would have found issue 6 item 28 (a dropped message leaves a gap in the
// sequence numbers). Built by tests/fuzz/CMakeLists.txt with src/ui/log_index.cpp; corpus in
// tests/fuzz/corpus/log/. Best run with -D_GLIBCXX_DEBUG (checked container access).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/model/payload_log.hpp"
#include "ui/log_index.hpp"

namespace {

void checkAt(bool condition, int line) {
    if (condition) return;
    std::fprintf(stderr, "fuzz_log: invariant at line %d failed\n", line);
    std::abort();
}
#define check(condition) checkAt((condition), __LINE__)

class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}
    bool done() const { return m_pos >= m_size; }
    std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    std::uint32_t u16() { return static_cast<std::uint32_t>(byte()) | static_cast<std::uint32_t>(byte()) << 8; }

private:
    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

using sockscope::LogKind;
using sockscope::PayloadLog;
using sockscope::ui::LogFilter;
using sockscope::ui::LogIndex;
using sockscope::ui::QueryMode;

void checkLog(const PayloadLog& log) {
    if (log.memoryUsed() > log.limits().max_bytes)
        std::fprintf(stderr, "memory %zu > budget %zu: records %zu arena %zu payload %zu, other %zu\n",
                     log.memoryUsed(), log.limits().max_bytes, log.size(), log.arenaBytes(), log.payloadBytes(),
                     log.memoryUsed() - log.arenaBytes() - log.size() * PayloadLog::kRecordBytes);
    check(log.memoryUsed() <= log.limits().max_bytes);
    check(log.size() <= log.limits().max_records);
    check(log.firstSeq() <= log.nextSeq());
    std::uint64_t previous = 0;
    std::size_t payload = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        const auto& r = log.record(i);
        check(i == 0 || r.seq > previous);
        check(r.seq < log.nextSeq());
        check(log.indexOfSeq(r.seq) == i);
        check(log.lowerBound(r.seq) == i);
        check(log.bytes(r).size() == r.length);
        payload += r.length;
        previous = r.seq;
    }
    check(payload == log.payloadBytes());
}

void checkIndex(const LogIndex& index, const PayloadLog& log, std::uint64_t stop_seq) {
    // Every indexed seq is held, ascending, accepted by the filter; none was missed below the
    // scan point (the index equals a fresh rebuild of the same records).
    for (std::size_t row = 0; row < index.size(); ++row) {
        const std::uint64_t seq = index.seqAt(row);
        check(row == 0 || seq > index.seqAt(row - 1));
        const std::size_t i = log.indexOfSeq(seq);
        check(i != PayloadLog::npos);
        check(index.accepts(log, log.record(i)));
        check(index.rowOfSeq(seq) == row);
    }
    if (index.pending(log) == 0 || stop_seq != UINT64_MAX) {
        LogIndex fresh;
        fresh.setFilter(index.filter());
        while (fresh.pending(log) > 0 && fresh.update(log, 1u << 20, stop_seq) > 0) {}
        fresh.update(log, 1u << 20, stop_seq);
        if (index.pending(log) == 0) {
            check(fresh.size() == index.size());
            for (std::size_t row = 0; row < index.size(); ++row) check(fresh.seqAt(row) == index.seqAt(row));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Reader in(data, size);
    sockscope::PayloadLogLimits limits;
    limits.max_bytes = 64 + std::size_t{in.u16()} * 16;   // 64 B .. 1 MiB: drops happen
    limits.max_records = 1 + in.byte() * 4u;
    limits.chunk_bytes = std::size_t{in.u16()};
    PayloadLog log(limits);
    LogIndex index;
    std::uint64_t stop = UINT64_MAX;
    std::vector<std::uint8_t> payload;
    const char* queries[] = {"", "a", "A", "hex:41", "hex:4", "hex:0x00 01", "err", "\xe4\xbd\xa0",
                             "41 ?? 42", "(a|b)+c$", "(", "\\d{2,}"};
    int steps = 0;
    while (!in.done() && steps++ < 2000) {
        const std::uint8_t op = in.byte();
        switch (op % 8) {
            case 0:
            case 1:
            case 2: {   // append data or text, mostly small, sometimes larger than the budget
                std::size_t n = in.byte();
                if (op & 0x10) n *= 64;
                if (op & 0x20) n = n * 1024 + in.u16();
                payload.assign(n, static_cast<std::uint8_t>('a' + op % 3));
                if (n > 0) payload[0] = in.byte();
                const auto kind = static_cast<LogKind>(in.byte() % 4);
                const std::string peer = (op & 0x40) ? "10.0.0." + std::to_string(in.byte()) + ":1" : std::string();
                if (std::getenv("FUZZ_LOG_TRACE"))
                    std::fprintf(stderr, "append %zu peer '%s' -> before %zu\n", n, peer.c_str(), log.memoryUsed());
                log.append(steps, 1 + op % 3, op % 2, kind, payload, peer);
                break;
            }
            case 3:
                if (std::getenv("FUZZ_LOG_TRACE")) std::fprintf(stderr, "clear\n");
                log.clear();
                break;
            case 4: {   // filter change
                LogFilter filter;
                const std::uint8_t f = in.byte();
                filter.endpoint = f % 4;
                filter.connection = (f >> 2) % 2;
                filter.rx = f & 0x10;
                filter.tx = f & 0x20;
                filter.events = f & 0x40;
                filter.contains = queries[in.byte() % (sizeof queries / sizeof queries[0])];
                filter.encoding = sockscope::kTextEncodings[in.byte() % sockscope::kTextEncodings.size()];
                filter.mode = static_cast<QueryMode>(f % 3);   // text, hex, regex: each query in each mode
                filter.match_case = f & 0x80;
                index.setFilter(filter);
                break;
            }
            case 5: index.update(log, 1 + in.byte(), stop); break;
            case 6:   // pause at the current end, or resume
                stop = (op & 0x10) ? log.nextSeq() : UINT64_MAX;
                index.dropEvicted(log);
                break;
            case 7: {   // lookups with any seq
                const std::uint64_t seq = log.firstSeq() + in.byte() - 128;
                const std::size_t i = log.indexOfSeq(seq);
                check(i == PayloadLog::npos || log.record(i).seq == seq);
                const std::size_t lb = log.lowerBound(seq);
                check(lb <= log.size());
                check(lb == log.size() || log.record(lb).seq >= seq);
                check(lb == 0 || log.record(lb - 1).seq < seq);
                const std::size_t row = index.lowerBound(seq);
                check(row <= index.size());
                if (index.size() > 0) (void)index.seqAt(std::min(row, index.size() - 1));
                break;
            }
        }
        checkLog(log);
        index.dropEvicted(log);
        checkIndex(index, log, stop);
    }
    return 0;
}
