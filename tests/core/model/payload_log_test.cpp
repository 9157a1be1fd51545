#include "core/model/payload_log.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include "support/sanitizers.hpp"

namespace sockscope {
namespace {

std::vector<std::uint8_t> pattern(std::size_t length, std::uint64_t seed) {
    std::vector<std::uint8_t> out(length);
    for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
    return out;
}

std::vector<std::uint8_t> copyOf(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

TEST(PayloadLog, StartsEmpty) {
    PayloadLog log;
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(log.firstSeq(), 0u);
    EXPECT_EQ(log.nextSeq(), 0u);
    EXPECT_EQ(log.indexOfSeq(0), PayloadLog::npos);
    EXPECT_EQ(log.payloadBytes(), 0u);
    EXPECT_EQ(log.arenaBytes(), 0u);
}

// A batch of frames gives the records one append per frame would: the same seqs, times, bytes
// and peers. Under a small budget it evicts the oldest records as append() does (the arena may
// be cut at other places, so which old records remain may differ by a chunk's worth).
TEST(PayloadLog, AppendFramesGivesTheRecordsOfOneAppendPerFrame) {
    for (const std::size_t budget : {std::size_t{256u << 20}, std::size_t{64u << 10}, std::size_t{9000}}) {
        SCOPED_TRACE("budget " + std::to_string(budget));
        PayloadLogLimits limits;
        limits.max_bytes = budget;
        limits.chunk_bytes = 4096;
        limits.max_records = 700;
        PayloadLog batched(limits);
        PayloadLog reference;   // everything, one append per frame
        std::mt19937 random(static_cast<std::uint32_t>(budget));
        for (int event = 0; event < 300; ++event) {
            const std::size_t frames = 1 + random() % 20;
            std::vector<std::uint8_t> payload;
            std::vector<std::uint32_t> ends;
            for (std::size_t f = 0; f < frames; ++f) {
                const auto frame = pattern(random() % 150, random());   // empty frames too
                payload.insert(payload.end(), frame.begin(), frame.end());
                ends.push_back(static_cast<std::uint32_t>(payload.size()));
            }
            const std::string peer = event % 3 == 0 ? "" : "127.0.0.1:" + std::to_string(40000 + event % 7);
            EXPECT_EQ(batched.appendFrames(event, 1, 2, LogKind::Rx, payload, ends, peer), reference.nextSeq());
            std::size_t begin = 0;
            for (const auto end : ends) {
                reference.append(event, 1, 2, LogKind::Rx,
                                 std::span<const std::uint8_t>(payload).subspan(begin, end - begin), peer);
                begin = end;
            }
            ASSERT_LE(batched.memoryUsed(), budget);
            ASSERT_LE(batched.size(), limits.max_records);
        }
        EXPECT_EQ(batched.nextSeq(), reference.nextSeq());
        EXPECT_EQ(batched.size() + batched.evictedRecords(), batched.nextSeq());
        EXPECT_GT(batched.size(), 0u);
        if (budget == (256u << 20)) {
            EXPECT_EQ(batched.size(), 700u) << "only the record limit evicts";
        }
        for (std::size_t i = 0; i < batched.size(); ++i) {
            const LogRecord& a = batched.record(i);
            const std::size_t at = reference.indexOfSeq(a.seq);
            ASSERT_NE(at, PayloadLog::npos);
            const LogRecord& b = reference.record(at);
            EXPECT_EQ(a.time_us, b.time_us);
            EXPECT_EQ(copyOf(batched.bytes(a)), copyOf(reference.bytes(b))) << "seq " << a.seq;
            EXPECT_EQ(batched.peer(a), reference.peer(b));
            if (i > 0) {
                EXPECT_EQ(a.seq, batched.record(i - 1).seq + 1) << "the newest records, none missing";
            }
        }
    }
}

TEST(PayloadLog, AppendKeepsFieldsBytesAndPeers) {
    PayloadLog log(PayloadLogLimits{1 << 20, 1000, 4096});
    auto a = pattern(100, 1);
    EXPECT_EQ(log.append(111, 7, 3, LogKind::Rx, a), 0u);
    EXPECT_EQ(log.appendText(222, 8, 0, LogKind::Info, "accepted 127.0.0.1:5000", "127.0.0.1:5000"), 1u);
    EXPECT_EQ(log.append(333, 9, 0, LogKind::Tx, {}, "[::1]:9"), 2u);
    EXPECT_EQ(log.appendText(444, 8, 0, LogKind::Error, "boom", "127.0.0.1:5000"), 3u);
    ASSERT_EQ(log.size(), 4u);

    const LogRecord& r0 = log.record(0);
    EXPECT_EQ(r0.seq, 0u);
    EXPECT_EQ(r0.time_us, 111);
    EXPECT_EQ(r0.endpoint, 7u);
    EXPECT_EQ(r0.connection, 3u);
    EXPECT_EQ(r0.kind, LogKind::Rx);
    EXPECT_EQ(r0.length, 100u);
    EXPECT_EQ(copyOf(log.bytes(r0)), a);
    EXPECT_EQ(log.peer(r0), "");

    auto text = log.bytes(log.record(1));
    EXPECT_EQ(std::string(text.begin(), text.end()), "accepted 127.0.0.1:5000");
    EXPECT_EQ(log.peer(log.record(1)), "127.0.0.1:5000");
    EXPECT_TRUE(log.bytes(log.record(2)).empty());
    EXPECT_EQ(log.peer(log.record(2)), "[::1]:9");
    // The same peer string is interned once.
    EXPECT_EQ(log.record(3).peer, log.record(1).peer);
    EXPECT_EQ(log.payloadBytes(), 100u + 23u + 4u);
}

TEST(PayloadLog, BytesRoundTripAcrossChunksAndOversizedChunks) {
    PayloadLog log(PayloadLogLimits{1 << 20, 100000, 1000});
    std::mt19937 rng(42);
    std::vector<std::vector<std::uint8_t>> sent;
    for (int i = 0; i < 300; ++i) {
        std::size_t n = rng() % 1500;   // some bigger than a chunk: those get their own chunk
        sent.push_back(pattern(n, i));
        log.append(i, 1, 1, LogKind::Rx, sent.back());
    }
    ASSERT_EQ(log.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        ASSERT_EQ(copyOf(log.bytes(log.record(i))), sent[i]) << i;
}

TEST(PayloadLog, FloodStaysWithinByteBudget) {
    const PayloadLogLimits limits{64 * 1024, 1'000'000, 4096};
    PayloadLog log(limits);
    std::mt19937 rng(7);
    std::uint64_t appended = 0, appended_bytes = 0;
    std::uint64_t previous_first = 0;
    std::uint64_t last_seq = 0;
    std::vector<std::uint8_t> last;
    while (appended_bytes < 10 * limits.max_bytes) {
        std::size_t n = rng() % 6000;   // mostly < chunk, some own-chunk messages
        last = pattern(n, appended);
        last_seq = log.append(static_cast<TimestampUs>(appended), 1, 2, LogKind::Rx, last, "10.0.0.1:1");
        ++appended;
        appended_bytes += n;

        ASSERT_LE(log.arenaBytes(), limits.max_bytes);
        ASSERT_LE(log.payloadBytes(), log.arenaBytes());
        ASSERT_EQ(log.evictedRecords() + log.size(), appended);
        ASSERT_EQ(log.evictedBytes() + log.payloadBytes(), appended_bytes);
        ASSERT_GE(log.firstSeq(), previous_first);
        previous_first = log.firstSeq();
        ASSERT_EQ(log.nextSeq(), appended);
    }
    EXPECT_GT(log.evictedRecords(), 0u);
    EXPECT_GT(log.firstSeq(), 0u);
    EXPECT_EQ(log.droppedOversized(), 0u);
    // The newest message always survives and reads back intact.
    ASSERT_EQ(log.record(log.size() - 1).seq, last_seq);
    EXPECT_EQ(copyOf(log.bytes(log.record(log.size() - 1))), last);
    // Every held record is contiguous in seq and still reads back.
    for (std::size_t i = 0; i < log.size(); ++i) {
        ASSERT_EQ(log.record(i).seq, log.firstSeq() + i);
        ASSERT_EQ(copyOf(log.bytes(log.record(i))), pattern(log.record(i).length, log.record(i).seq));
    }
    const std::size_t record_bound = log.size() * sizeof(LogRecord);
    EXPECT_LE(log.memoryUsed(), limits.max_bytes + record_bound + 64 * 1024);
    EXPECT_GE(log.memoryUsed(), log.arenaBytes() + record_bound);
}

TEST(PayloadLog, FloodWithBothLimitsBinding) {
    // 2,000 lone records cost 160 KB (kRecordBytes 80: a group record and its one entry).
    const PayloadLogLimits limits{320 * 1024, 2000, 8192};
    PayloadLog log(limits);
    std::mt19937 rng(11);
    std::uint64_t appended = 0, appended_bytes = 0;
    while (appended_bytes < 10 * limits.max_bytes) {
        std::size_t n = rng() % 120;   // 2000 records average ~120 KB: the record limit binds
        log.append(static_cast<TimestampUs>(appended), 1, 2, LogKind::Rx, pattern(n, appended));
        ++appended;
        appended_bytes += n;
        ASSERT_LE(log.arenaBytes(), limits.max_bytes);
        ASSERT_LE(log.size(), limits.max_records);
        ASSERT_EQ(log.evictedRecords() + log.size(), appended);
        ASSERT_EQ(log.evictedBytes() + log.payloadBytes(), appended_bytes);
    }
    EXPECT_EQ(log.size(), limits.max_records);
    EXPECT_EQ(log.firstSeq(), appended - limits.max_records);
    // Chunks emptied by the record limit were freed: the arena holds the live payload plus a
    // partly evicted front chunk, a partly filled tail and small unused chunk ends.
    EXPECT_LT(log.arenaBytes(), limits.max_bytes / 2);
    EXPECT_LE(log.arenaBytes(), log.payloadBytes() + 3 * limits.chunk_bytes);
    for (std::size_t i = 0; i < log.size(); ++i)
        ASSERT_EQ(copyOf(log.bytes(log.record(i))), pattern(log.record(i).length, log.record(i).seq));
}

TEST(PayloadLog, RecordLimitEvictsOldestAndFreesChunks) {
    PayloadLog log(PayloadLogLimits{1 << 20, 100, 1024});
    for (int i = 0; i < 1000; ++i) {
        log.append(i, 1, 1, LogKind::Tx, pattern(64, i));
        ASSERT_LE(log.size(), 100u);
    }
    EXPECT_EQ(log.size(), 100u);
    EXPECT_EQ(log.firstSeq(), 900u);
    EXPECT_EQ(log.evictedRecords(), 900u);
    EXPECT_EQ(log.evictedBytes(), 900u * 64);
    EXPECT_EQ(log.payloadBytes(), 100u * 64);
    // 100 records * 64 B span at most 8 chunks of 1 KiB (16 per chunk); older chunks were freed.
    EXPECT_LE(log.arenaBytes(), 8u * 1024);
    for (std::size_t i = 0; i < log.size(); ++i)
        ASSERT_EQ(copyOf(log.bytes(log.record(i))), pattern(64, 900 + i));
}

TEST(PayloadLog, IndexOfSeq) {
    PayloadLog log(PayloadLogLimits{1 << 20, 10, 1024});
    for (int i = 0; i < 25; ++i) log.appendText(i, 1, 0, LogKind::Info, "x");
    EXPECT_EQ(log.firstSeq(), 15u);
    EXPECT_EQ(log.indexOfSeq(14), PayloadLog::npos);   // evicted
    EXPECT_EQ(log.indexOfSeq(15), 0u);
    EXPECT_EQ(log.indexOfSeq(20), 5u);
    EXPECT_EQ(log.indexOfSeq(24), 9u);
    EXPECT_EQ(log.indexOfSeq(25), PayloadLog::npos);   // not yet written
    EXPECT_EQ(log.indexOfSeq(~0ull), PayloadLog::npos);
}

TEST(PayloadLog, OversizedMessageIsDroppedAndCountedAndTheRestKept) {
    PayloadLog log(PayloadLogLimits{4096, 1000, 1024});
    log.appendText(1, 1, 0, LogKind::Rx, "before");
    const auto big = pattern(5000, 3);            // bigger than the whole budget
    const std::uint64_t seq = log.append(2, 1, 0, LogKind::Rx, big);
    EXPECT_EQ(seq, 1u);
    log.appendText(3, 1, 0, LogKind::Rx, "after");
    EXPECT_EQ(log.size(), 2u);
    EXPECT_EQ(log.droppedOversized(), 1u);
    EXPECT_EQ(log.evictedRecords(), 1u);
    EXPECT_EQ(log.evictedBytes(), 5000u);
    EXPECT_LE(log.arenaBytes(), 4096u);
    // The dropped message leaves a gap in the sequence, which indexOfSeq handles.
    EXPECT_EQ(log.indexOfSeq(0), 0u);
    EXPECT_EQ(log.indexOfSeq(1), PayloadLog::npos);
    EXPECT_EQ(log.indexOfSeq(2), 1u);
    EXPECT_EQ(log.nextSeq(), 3u);

    // The largest message the budget can hold beside its own record still fits (alone).
    const auto exact = pattern(4096 - PayloadLog::kRecordBytes - 256, 4);
    log.append(4, 1, 0, LogKind::Rx, exact);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(copyOf(log.bytes(log.record(0))), exact);
    EXPECT_LE(log.memoryUsed(), 4096u);
}

TEST(PayloadLog, TinyOrZeroLimitsDoNotCrash) {
    PayloadLog none(PayloadLogLimits{0, 0, 0});
    EXPECT_EQ(none.appendText(1, 1, 0, LogKind::Info, ""), 0u) << "not even an empty row fits in 0 bytes";
    EXPECT_EQ(none.droppedOversized(), 1u);
    none = PayloadLog(PayloadLogLimits{0, 0, 0});
    EXPECT_EQ(none.appendText(1, 1, 0, LogKind::Rx, "abc"), 0u);
    EXPECT_EQ(none.size(), 0u);
    EXPECT_EQ(none.evictedRecords(), 1u);

    PayloadLog no_bytes(PayloadLogLimits{PayloadLog::kRecordBytes + 1024, 10, 1024});
    no_bytes.append(1, 1, 0, LogKind::Info, {});      // empty messages need no arena
    no_bytes.appendText(1, 1, 0, LogKind::Rx, std::string(2000, 'a'));
    EXPECT_EQ(no_bytes.size(), 1u);
    EXPECT_EQ(no_bytes.arenaBytes(), 0u);
    EXPECT_EQ(no_bytes.droppedOversized(), 1u);

    const std::size_t small = 2 * PayloadLog::kRecordBytes + 300;
    PayloadLog chunk_bigger_than_budget(PayloadLogLimits{small, 10, 1 << 20});
    EXPECT_EQ(chunk_bigger_than_budget.limits().chunk_bytes, small / 4);
    for (int i = 0; i < 50; ++i) {
        chunk_bigger_than_budget.append(i, 1, 0, LogKind::Rx, pattern(30, i));
        ASSERT_LE(chunk_bigger_than_budget.memoryUsed(), small);
    }
    EXPECT_LE(chunk_bigger_than_budget.arenaBytes(), small);
    EXPECT_EQ(copyOf(chunk_bigger_than_budget.bytes(chunk_bigger_than_budget.record(
                  chunk_bigger_than_budget.size() - 1))),
              pattern(30, 49));
}

TEST(PayloadLog, EmptyMessagesInterleavedWithEviction) {
    PayloadLog log(PayloadLogLimits{2048, 1000, 512});
    std::uint64_t appended = 0;
    for (int i = 0; i < 500; ++i) {
        if (i % 3 == 0) log.append(i, 1, 0, LogKind::Info, {});
        else log.append(i, 1, 0, LogKind::Rx, pattern(100, i));
        ++appended;
        ASSERT_LE(log.arenaBytes(), 2048u);
        ASSERT_EQ(log.evictedRecords() + log.size(), appended);
    }
    for (std::size_t i = 0; i < log.size(); ++i) {
        const LogRecord& r = log.record(i);
        ASSERT_EQ(copyOf(log.bytes(r)), r.seq % 3 == 0 ? std::vector<std::uint8_t>{} : pattern(100, r.seq));
    }
}

TEST(PayloadLog, ClearKeepsSequenceAndCounters) {
    PayloadLog log(PayloadLogLimits{1 << 20, 5, 1024});
    for (int i = 0; i < 8; ++i) log.appendText(i, 1, 0, LogKind::Rx, "hello", "1.2.3.4:5");
    EXPECT_EQ(log.evictedRecords(), 3u);
    log.clear();
    EXPECT_TRUE(log.empty());
    EXPECT_EQ(log.payloadBytes(), 0u);
    EXPECT_EQ(log.arenaBytes(), 0u);
    EXPECT_EQ(log.firstSeq(), 8u);
    EXPECT_EQ(log.nextSeq(), 8u);
    EXPECT_EQ(log.evictedRecords(), 3u);   // clear() is not eviction
    EXPECT_EQ(log.indexOfSeq(7), PayloadLog::npos);
    EXPECT_EQ(log.appendText(9, 1, 0, LogKind::Rx, "again", "5.6.7.8:9"), 8u);
    EXPECT_EQ(log.indexOfSeq(8), 0u);
    EXPECT_EQ(log.peer(log.record(0)), "5.6.7.8:9");
    auto b = log.bytes(log.record(0));
    EXPECT_EQ(std::string(b.begin(), b.end()), "again");
}

TEST(PayloadLog, PeerTableIsBoundedAndStillNamesRecentPeers) {
    // Every message from a different peer (a UDP scan from ephemeral ports): the table must not
    // grow without bound, and peers of the records still held keep their names.
    PayloadLog log(PayloadLogLimits{1 << 20, 1000, 4096});
    const std::size_t total = 3 * PayloadLog::kMaxPeers;
    for (std::size_t i = 0; i < total; ++i) {
        std::string peer = "10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) +
                           "." + std::to_string(i & 255) + ":1";
        log.appendText(static_cast<TimestampUs>(i), 1, 0, LogKind::Rx, "p", peer);
    }
    ASSERT_EQ(log.size(), 1000u);
    // Generous bound: kMaxPeers entries of ~80 bytes plus buckets, nothing like 3x.
    EXPECT_LT(log.memoryUsed(), log.arenaBytes() + 1000 * sizeof(LogRecord) +
                                    PayloadLog::kMaxPeers * 200);
    std::size_t named = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        const LogRecord& r = log.record(i);
        std::string_view p = log.peer(r);
        if (p == PayloadLog::kManyPeers) continue;
        ++named;
        const std::uint64_t n = r.seq;
        std::string want = "10." + std::to_string(n >> 16) + "." + std::to_string((n >> 8) & 255) +
                           "." + std::to_string(n & 255) + ":1";
        ASSERT_EQ(p, want);
    }
    EXPECT_GT(named, 0u);
}

// Issue 6 item 16: the budget is a memory budget (records and a view's index included), Clear
// gives the memory back, and eviction is told per endpoint.
constexpr bool kSanitizerAllocator = sockscope::test::kUnderSanitizer;

std::size_t residentBytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long pages = 0, resident = 0;
    const int n = std::fscanf(f, "%lu %lu", &pages, &resident);
    std::fclose(f);
    return n == 2 ? resident * 4096 : 0;
}

TEST(PayloadLog, FiveMillionSmallMessagesStayWithinAMemoryBudgetAndClearReturnsIt) {
    const std::size_t budget = 64u << 20;
    PayloadLog log(PayloadLogLimits{budget, 100'000'000, 1u << 20});
    const std::size_t rss_before = residentBytes();
    const std::uint8_t payload[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    std::size_t peak = 0;
    for (std::size_t i = 0; i < 5'000'000; ++i) {
        log.append(static_cast<TimestampUs>(i), 1 + i % 3, 1, LogKind::Rx, payload,
                   i % 1000 == 0 ? "10.0.0." + std::to_string(i % 251) + ":1" : std::string());
        if (i % 1000 == 0) {
            ASSERT_LE(log.memoryUsed(), budget) << "after " << i << " messages";
            peak = std::max(peak, log.memoryUsed());
        }
    }
    EXPECT_LE(log.memoryUsed(), budget);
    EXPECT_GT(peak, budget / 2) << "the budget is used";
    EXPECT_GE(log.memoryUsed(), log.size() * (sizeof(LogRecord) + PayloadLog::kIndexBytesPerRecord) + log.arenaBytes())
        << "records and the view's index are counted";
    EXPECT_GT(log.evictedRecords(), 0u);
    EXPECT_EQ(log.evictedRecords() + log.size(), 5'000'000u);
    const std::size_t rss_full = residentBytes();
    log.clear();
    EXPECT_LT(log.memoryUsed(), 4096u) << "Clear leaves (almost) nothing";
    const std::size_t rss_after = residentBytes();
    std::printf("5M messages, 64 MiB budget: peak memoryUsed %zu KiB; RSS %zu KiB before, %zu KiB full, %zu KiB after Clear\n",
                peak / 1024, rss_before / 1024, rss_full / 1024, rss_after / 1024);
    // (Sanitizer allocators keep freed memory in quarantine: RSS is not measurable there.)
    if (!kSanitizerAllocator && rss_before && rss_full > rss_before + budget / 2) {
        EXPECT_LT(rss_after, rss_full - budget / 2) << "RSS " << rss_full / 1024 << " KiB -> " << rss_after / 1024;
    }
}

TEST(PayloadLog, EvictionIsCountedPerEndpoint) {
    PayloadLog log(PayloadLogLimits{1u << 20, 1000, 64 * 1024});
    for (int i = 0; i < 10; ++i) log.appendText(i, 2, 0, LogKind::Rx, "quiet endpoint");
    for (int i = 0; i < 5000; ++i) log.append(100 + i, 1, 0, LogKind::Rx, pattern(100, i));   // a flood
    EXPECT_EQ(log.evictedFor(2).records, 10u) << "the quiet endpoint's history went, and it is told";
    EXPECT_EQ(log.evictedFor(2).bytes, 140u);
    EXPECT_EQ(log.evictedFor(1).records + log.evictedFor(2).records, log.evictedRecords());
    EXPECT_EQ(log.evictedFor(3).records, 0u);
}

TEST(PayloadLog, LowerBoundSkipsGapsLeftByDroppedMessages) {
    PayloadLog log(PayloadLogLimits{64 * 1024, 1000, 4096});
    log.appendText(1, 1, 0, LogKind::Rx, "a");                 // seq 0
    log.append(2, 1, 0, LogKind::Rx, pattern(100'000, 1));     // seq 1: dropped
    log.appendText(3, 1, 0, LogKind::Rx, "b");                 // seq 2
    EXPECT_EQ(log.lowerBound(0), 0u);
    EXPECT_EQ(log.lowerBound(1), 1u);
    EXPECT_EQ(log.lowerBound(2), 1u);
    EXPECT_EQ(log.lowerBound(3), 2u);
}

TEST(PayloadLog, MoveKeepsContents) {
    PayloadLog a(PayloadLogLimits{1 << 20, 100, 1024});
    a.appendText(1, 1, 0, LogKind::Rx, "moved", "1.1.1.1:1");
    PayloadLog b(std::move(a));
    ASSERT_EQ(b.size(), 1u);
    auto bytes = b.bytes(b.record(0));
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "moved");
    EXPECT_EQ(b.peer(b.record(0)), "1.1.1.1:1");
}

// --- shared slices (appendShared): received bytes kept where the engine read them ----------------

// A block like the engine's read blocks: `reads` slices of `size` bytes, back to back.
std::vector<SharedBytes> readsOf(ReadArena& arena, int reads, std::size_t size, std::uint64_t seed) {
    std::vector<SharedBytes> out;
    for (int i = 0; i < reads; ++i) {
        auto room = arena.room(size);
        const auto bytes = pattern(size, seed + i);
        std::copy(bytes.begin(), bytes.end(), room.begin());
        out.push_back(arena.commit(size));
    }
    return out;
}

TEST(PayloadLog, SharedSlicesAreKeptWithoutACopyAndTheirBlockCountedOnce) {
    PayloadLog log(PayloadLogLimits{64u << 20, 100000, 1u << 20});
    ReadArena arena(1u << 20, 64u << 10);
    const auto reads = readsOf(arena, 10, 1000, 1);
    for (const auto& read : reads) log.appendShared(1, 1, 2, LogKind::Rx, read);
    ASSERT_EQ(log.size(), 10u);
    for (std::size_t i = 0; i < reads.size(); ++i) {
        EXPECT_EQ(log.bytes(log.record(i)).data(), reads[i].data()) << "no copy: the record points into the block";
        EXPECT_EQ(copyOf(log.bytes(log.record(i))), pattern(1000, 1 + i));
    }
    EXPECT_EQ(log.sharedChunks(), 1u);
    EXPECT_EQ(log.arenaBytes(), std::size_t{1u << 20}) << "the whole block, once";
    EXPECT_LE(log.memoryUsed(), (1u << 20) + 10 * PayloadLog::kRecordBytes + 1024);
}

TEST(PayloadLog, SharedFramesAndInterleavedCopiesShareTheirChunks) {
    PayloadLog log(PayloadLogLimits{64u << 20, 100000, 1u << 20});
    ReadArena arena(1u << 20, 64u << 10);
    const auto reads = readsOf(arena, 100, 600, 7);
    for (std::size_t i = 0; i < reads.size(); ++i) {
        const std::vector<FrameSpan> frames{{0, 100}, {100, 0}, {100, 250}, {350, 250}};   // an empty frame too
        log.appendShared(static_cast<TimestampUs>(i), 1, 2, LogKind::Rx, reads[i], frames, "peer");
        log.append(static_cast<TimestampUs>(i), 1, 2, LogKind::Tx, pattern(10, i));   // a short reply: copied
    }
    ASSERT_EQ(log.size(), 500u);
    EXPECT_EQ(log.sharedChunks(), 1u) << "the replies between the reads do not split the block";
    EXPECT_EQ(log.arenaBytes(), std::size_t{2u << 20}) << "one shared block and one own chunk";
    for (std::size_t i = 0; i < reads.size(); ++i) {
        const auto read = pattern(600, 7 + i);
        EXPECT_EQ(copyOf(log.bytes(log.record(5 * i))), Bytes(read.begin(), read.begin() + 100));
        EXPECT_TRUE(log.bytes(log.record(5 * i + 1)).empty());
        EXPECT_EQ(copyOf(log.bytes(log.record(5 * i + 3))), Bytes(read.begin() + 350, read.end()));
        EXPECT_EQ(copyOf(log.bytes(log.record(5 * i + 4))), pattern(10, i));
        EXPECT_EQ(log.peer(log.record(5 * i + 2)), "peer");
    }
}

TEST(PayloadLog, SharedBlocksStayWithinTheBudgetAndAreReleasedWhenEvicted) {
    const std::size_t budget = 8u << 20;
    PayloadLog log(PayloadLogLimits{budget, 1'000'000, 1u << 20});
    ReadArena arena(1u << 20, 256u << 10);
    SharedBytes first;
    std::uint64_t appended = 0;
    for (int i = 0; i < 400; ++i) {   // 100 MiB through an 8 MiB log
        auto read = readsOf(arena, 1, 256u << 10, i).front();
        if (i == 0) first = read;
        log.appendShared(i, 1, 2, LogKind::Rx, read);
        if (i % 7 == 0) log.appendText(i, 1, 2, LogKind::Info, "a row between the reads");
        appended += 1 + (i % 7 == 0);
        ASSERT_LE(log.memoryUsed(), budget) << "after " << i;
        ASSERT_EQ(log.size() + log.evictedRecords(), appended);
    }
    EXPECT_GT(log.memoryUsed(), budget / 2) << "the budget is used";
    EXPECT_EQ(first.useCount(), 1u) << "the evicted block is no longer held by the log";
    const LogRecord& last = log.record(log.size() - 1);
    EXPECT_EQ(copyOf(log.bytes(log.record(log.size() - 2))), pattern(256u << 10, 399));
    EXPECT_EQ(last.kind, LogKind::Info);
    log.clear();
    EXPECT_EQ(log.arenaBytes(), 0u);
    EXPECT_EQ(log.sharedChunks(), 0u);
}

TEST(PayloadLog, BlocksTooBigForTheBudgetOrSmallSendsAreCopied) {
    PayloadLog small(PayloadLogLimits{1u << 20, 1000, 64u << 10});   // chunks of 64 KiB: a 1 MiB block is too big
    ReadArena arena(1u << 20, 64u << 10);
    const auto read = readsOf(arena, 1, 5000, 3).front();
    small.appendShared(1, 1, 2, LogKind::Rx, read);
    EXPECT_EQ(small.sharedChunks(), 0u);
    EXPECT_NE(small.bytes(small.record(0)).data(), read.data());
    EXPECT_EQ(copyOf(small.bytes(small.record(0))), pattern(5000, 3));

    PayloadLog log;
    const SharedBytes reply(Bytes{1, 2, 3});   // a short send's own small block: not worth holding
    log.appendShared(1, 1, 2, LogKind::Tx, reply);
    EXPECT_EQ(log.sharedChunks(), 0u);
    EXPECT_EQ(reply.useCount(), 1u);
    EXPECT_EQ(copyOf(log.bytes(log.record(0))), (Bytes{1, 2, 3}));
}

// --- groups: the messages of one append (frames of a read, a datagram batch) -----------------------

TEST(PayloadLog, FramesWithGapsAreRecordsPointingIntoTheSharedRead) {
    PayloadLog log(PayloadLogLimits{64u << 20, 100000, 1u << 20});
    ReadArena arena(1u << 20, 64u << 10);
    const auto read = readsOf(arena, 1, 1000, 3)[0];
    // Frames with stripped delimiters between them, and the read's tail not (yet) a frame.
    const std::vector<FrameSpan> frames{{0, 98}, {100, 98}, {200, 0}, {202, 500}};
    const std::uint64_t first = log.appendShared(5, 1, 2, LogKind::Rx, read, frames, "p");
    ASSERT_EQ(log.size(), 4u);
    EXPECT_EQ(log.nextSeq(), first + 4);
    EXPECT_EQ(log.payloadBytes(), 98u + 98 + 500);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const LogRecord r = log.record(i);
        EXPECT_EQ(r.seq, first + i);
        EXPECT_EQ(r.time_us, 5);
        EXPECT_EQ(r.connection, 2u);
        EXPECT_EQ(log.peer(r), "p");
        EXPECT_EQ(r.length, frames[i].length);
        if (r.length > 0) {
            EXPECT_EQ(log.bytes(r).data(), read.data() + frames[i].offset) << "no copy";
        }
        EXPECT_EQ(log.indexOfSeq(first + i), i);
        EXPECT_EQ(log.lowerBound(first + i), i);
    }
    // Frames that are not ordered spans within the bytes are refused as frames: one message.
    log.appendShared(6, 1, 2, LogKind::Rx, read, std::vector<FrameSpan>{{0, 10}, {5, 10}});
    EXPECT_EQ(log.size(), 5u);
    EXPECT_EQ(log.record(4).length, 1000u);
    log.appendShared(7, 1, 2, LogKind::Rx, read, std::vector<FrameSpan>{{990, 11}});
    EXPECT_EQ(log.record(5).length, 1000u);
}

/// A data row keeps its wire tags (the local address of a datagram on a wildcard bind, the
/// delimiter a framer stripped) through copies, shared slices and eviction, in two bytes a row
/// (an interned index each); the table counts in the budget and goes with the last row using it.
TEST(PayloadLog, WireTagsAreKeptPerRowAndCountedInTheBudget) {
    PayloadLog log(PayloadLogLimits{64u << 20, 100000, 1u << 20});
    const std::string dgram = "ping";
    log.append(1, 1, 0, LogKind::Tx, std::span(reinterpret_cast<const std::uint8_t*>(dgram.data()), dgram.size()));
    ReadArena arena(1u << 20, 64u << 10);
    const auto read = readsOf(arena, 1, 1000, 3)[0];
    log.appendShared(2, 2, 0, LogKind::Rx, read, std::vector<FrameSpan>{{0, 98}, {100, 98}}, "127.0.0.1:9",
                     LogWireTags{"127.0.0.1:5000", "\r\n"});
    log.appendShared(3, 2, 0, LogKind::Rx, SharedBytes(Bytes{'a'}), {}, "127.0.0.1:9", LogWireTags{"[::1]:5000", {}});
    ASSERT_EQ(log.size(), 4u);
    EXPECT_EQ(log.local(log.record(0)), "");
    EXPECT_EQ(log.stripped(log.record(0)), "");
    for (std::size_t i : {1u, 2u}) {
        EXPECT_EQ(log.local(log.record(i)), "127.0.0.1:5000");
        EXPECT_EQ(log.stripped(log.record(i)), "\r\n");
    }
    EXPECT_EQ(log.local(log.record(3)), "[::1]:5000") << "a copied (small) row too";
    EXPECT_EQ(log.stripped(log.record(3)), "");
    EXPECT_LE(log.memoryUsed(), log.limits().max_bytes);
    // A tiny budget: tags count in it and rows keep theirs while they are held.
    PayloadLog small(PayloadLogLimits{4096, 1000, 1024});
    for (int i = 0; i < 200; ++i) {
        const std::string local = "10.0.0." + std::to_string(i % 50) + ":7";
        small.appendShared(i, 1, 0, LogKind::Rx, SharedBytes(Bytes(16, 'x')), {}, "p", LogWireTags{local, "\n"});
        ASSERT_LE(small.memoryUsed(), small.limits().max_bytes);
        const LogRecord last = small.record(small.size() - 1);
        ASSERT_EQ(small.local(last), local);
        ASSERT_EQ(small.stripped(last), "\n");
    }
}

TEST(PayloadLog, TheRecordLimitTrimsTheFrontGroupExactly) {
    PayloadLog log(PayloadLogLimits{64u << 20, 10, 1u << 20});
    const auto bytes = pattern(400, 9);
    const std::vector<std::uint32_t> ends{100, 200, 300, 400};
    for (int i = 0; i < 3; ++i) log.appendFrames(i, 1 + i, 2, LogKind::Rx, bytes, ends);
    ASSERT_EQ(log.size(), 10u) << "12 appended, the limit is 10";
    EXPECT_EQ(log.firstSeq(), 2u);
    EXPECT_EQ(log.evictedRecords(), 2u);
    EXPECT_EQ(log.evictedBytes(), 200u);
    EXPECT_EQ(log.evictedFor(1).records, 2u);
    EXPECT_EQ(log.payloadBytes(), 1000u);
    EXPECT_EQ(log.record(0).seq, 2u);
    EXPECT_EQ(copyOf(log.bytes(log.record(0))), Bytes(bytes.begin() + 200, bytes.begin() + 300));
    EXPECT_EQ(log.record(2).endpoint, 2u);
    EXPECT_EQ(log.indexOfSeq(1), PayloadLog::npos);
    EXPECT_EQ(log.indexOfSeq(2), 0u);
    EXPECT_EQ(log.indexOfSeq(11), 9u);
    EXPECT_EQ(log.indexOfSeq(12), PayloadLog::npos);
    // Sequential and random access agree (record() caches the group it found last).
    for (std::size_t i : {9u, 0u, 5u, 6u, 1u, 2u, 3u, 8u}) EXPECT_EQ(log.record(i).seq, 2 + i);
}

TEST(PayloadLog, GroupsAreEvictedWholeAndTheBudgetIsNeverExceeded) {
    const std::size_t budget = 6u << 20;
    PayloadLog log(PayloadLogLimits{budget, 1'000'000, 1u << 20});
    ReadArena arena(1u << 20, 256u << 10);
    std::vector<FrameSpan> frames;
    for (std::uint32_t at = 0; at + 100 <= 64000; at += 100) frames.push_back({at, 99});   // 640 lines
    std::uint64_t appended = 0;
    for (int i = 0; i < 400; ++i) {
        const auto read = readsOf(arena, 1, 64000, static_cast<std::uint64_t>(i))[0];
        log.appendShared(i, 1 + i % 2, 3, LogKind::Rx, read, frames, i % 7 == 0 ? "10.0.0.1:1" : "");
        appended += frames.size();
        ASSERT_LE(log.memoryUsed(), budget) << i;
    }
    EXPECT_GT(log.memoryUsed(), budget / 2);
    EXPECT_EQ(log.evictedRecords() + log.size(), appended);
    EXPECT_EQ(log.size() % frames.size(), 0u) << "whole groups go";
    EXPECT_EQ(log.evictedFor(1).records + log.evictedFor(2).records, log.evictedRecords());
    EXPECT_EQ(log.evictedBytes() + log.payloadBytes(), appended * 99);
    for (std::size_t i = 0; i < log.size(); i += 97) {   // every record still reads back
        const LogRecord r = log.record(i);
        const std::uint64_t read_number = r.seq / frames.size(), frame = r.seq % frames.size();
        const auto read = pattern(64000, read_number);
        EXPECT_EQ(copyOf(log.bytes(r)), Bytes(read.begin() + frame * 100, read.begin() + frame * 100 + 99));
    }
    // A budget that holds a single record's cost: a lone message is held or dropped, never more.
    PayloadLog tiny(PayloadLogLimits{PayloadLog::kRecordBytes + 600, 1000, 300});
    for (int i = 0; i < 50; ++i) {
        const auto read = readsOf(arena, 1, 400, static_cast<std::uint64_t>(i))[0];
        tiny.appendShared(i, 1, 2, LogKind::Rx, read, std::vector<FrameSpan>{{0, 100}, {100, 100}, {300, 100}});
        ASSERT_LE(tiny.memoryUsed(), tiny.limits().max_bytes) << i;
    }
    EXPECT_EQ(tiny.evictedRecords() + tiny.size(), 150u);
}

}  // namespace
}  // namespace sockscope
