// The log's filter model (LogIndex + LogQuery): every criterion (text with and without case,
// hex bytes with wildcards, PCRE2 regex, direction, endpoint, connection, event rows), their
// combinations, incremental updates while new rows arrive, and a million rows filtered by a regex
// in bounded slices with progress.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <string>

#include "support/sanitizers.hpp"
#include "ui/log_index.hpp"

namespace sockscope::ui {
namespace {

using namespace std::literals;

std::span<const std::uint8_t> bytesOf(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// Runs updates until the index caught up; returns how many it took.
std::size_t settle(LogIndex& index, const PayloadLog& log) {
    std::size_t updates = 0;
    while (updates < 100'000) {
        index.update(log);
        ++updates;
        if (index.pending(log) == 0) break;
    }
    return updates;
}

std::vector<std::uint64_t> seqs(const LogIndex& index) {
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < index.size(); ++i) out.push_back(index.seqAt(i));
    return out;
}

class LogFilterTest : public ::testing::Test {
protected:
    void SetUp() override {
        log.append(1, 1, 1, LogKind::Rx, bytesOf("Temperature=21.5C"));          // 0
        log.append(2, 1, 1, LogKind::Tx, bytesOf("ACK temperature"));            // 1
        log.append(3, 1, 2, LogKind::Rx, bytesOf("\x01\x03\x00\x10\x00\x01"sv));   // 2
        log.appendText(4, 1, 2, LogKind::Info, "peer sent FIN");                  // 3
        log.append(5, 2, 0, LogKind::Rx, bytesOf("id=42;temp=19"), "127.0.0.1:9001");   // 4
        log.appendText(6, 2, 0, LogKind::Error, "Temperature sensor failed");     // 5
        log.append(7, 1, 3, LogKind::Tx, bytesOf("\x01\x04\x00\x10"sv));           // 6
    }
    std::vector<std::uint64_t> run(const LogFilter& filter) {
        index.setFilter(filter);
        settle(index, log);
        return seqs(index);
    }
    PayloadLog log;
    LogIndex index;
};

using Seqs = std::vector<std::uint64_t>;

TEST_F(LogFilterTest, TextIsCaseInsensitiveByDefaultAndCaseSensitiveOnRequest) {
    LogFilter f;
    f.contains = "temp";
    EXPECT_EQ(run(f), (Seqs{0, 1, 4, 5}));
    f.match_case = true;
    EXPECT_EQ(run(f), (Seqs{1, 4}));
    f.contains = "Temp";
    EXPECT_EQ(run(f), (Seqs{0, 5}));
}

TEST_F(LogFilterTest, HexBytesWithWildcardsAndTheOldPrefix) {
    LogFilter f;
    f.mode = QueryMode::Hex;
    f.contains = "01 ?? 00 10";
    EXPECT_EQ(run(f), (Seqs{2, 6}));
    f.contains = "0103";
    EXPECT_EQ(run(f), (Seqs{2}));
    f.mode = QueryMode::Text;
    f.contains = "hex:01 04";
    EXPECT_EQ(run(f), (Seqs{6})) << "hex: in text mode, as Find had it";
    f.mode = QueryMode::Hex;
    f.contains = "01 0G";
    EXPECT_EQ(run(f), Seqs{});
    EXPECT_NE(index.queryError().find("'G'"), std::string::npos) << index.queryError();
}

TEST_F(LogFilterTest, RegexOnPcre2WithCaseAndErrors) {
    LogFilter f;
    f.mode = QueryMode::Regex;
    f.contains = "temp[a-z]*=\\d+";
    EXPECT_EQ(run(f), (Seqs{0, 4}));
    f.match_case = true;
    EXPECT_EQ(run(f), (Seqs{4}));
    f.contains = "^(peer|Temperature) ";
    EXPECT_EQ(run(f), (Seqs{3, 5})) << "event rows are matched as text too";
    f.contains = "(unclosed";
    EXPECT_EQ(run(f), Seqs{});
    EXPECT_FALSE(index.queryError().empty());
}

TEST_F(LogFilterTest, DirectionEndpointConnectionAndEventRows) {
    LogFilter f;
    f.tx = false;
    EXPECT_EQ(run(f), (Seqs{0, 2, 3, 4, 5}));
    f = LogFilter{};
    f.rx = false;
    f.tx = false;
    EXPECT_EQ(run(f), (Seqs{3, 5})) << "event rows only";
    f = LogFilter{};
    f.events = false;
    EXPECT_EQ(run(f), (Seqs{0, 1, 2, 4, 6}));
    f = LogFilter{};
    f.endpoint = 2;
    EXPECT_EQ(run(f), (Seqs{4, 5}));
    f.endpoint = 1;
    f.connection = 2;
    EXPECT_EQ(run(f), (Seqs{2, 3}));
}

TEST_F(LogFilterTest, CombinationsOfCriteria) {
    LogFilter f;
    f.endpoint = 1;
    f.rx = false;
    f.mode = QueryMode::Regex;
    f.contains = "temp|\\x01\\x04";
    EXPECT_EQ(run(f), (Seqs{1, 6}));
    f.events = false;
    f.endpoint = 0;
    f.tx = false;
    f.rx = true;
    f.mode = QueryMode::Text;
    f.contains = "TEMP";
    EXPECT_EQ(run(f), (Seqs{0, 4}));
}

TEST_F(LogFilterTest, QueryMatcherGivesTheMatchRange) {
    QueryMatcher m;
    m.compile(LogQuery{"=\\d+", QueryMode::Regex, false}, TextEncoding::Utf8);
    const auto range = m.find(LogKind::Rx, bytesOf("id=42;x"));
    ASSERT_TRUE(range);
    EXPECT_EQ(*range, std::make_pair(std::size_t{2}, std::size_t{5}));
    m.compile(LogQuery{"TEMP", QueryMode::Text, false}, TextEncoding::Gbk);
    EXPECT_EQ(m.find(LogKind::Rx, bytesOf("a temp")), std::make_pair(std::size_t{2}, std::size_t{6}));
    EXPECT_FALSE(m.find(LogKind::Rx, bytesOf("nothing")));
}

TEST_F(LogFilterTest, NewRowsWhileFilteredAreFilteredIncrementally) {
    LogFilter f;
    f.mode = QueryMode::Regex;
    f.contains = "temp";
    run(f);
    const Seqs before = seqs(index);
    log.append(8, 1, 1, LogKind::Rx, bytesOf("no match"));
    log.append(9, 1, 1, LogKind::Rx, bytesOf("temp again"));
    EXPECT_EQ(index.pending(log), 2u);
    EXPECT_EQ(index.update(log), 1u) << "only the new rows are looked at";
    Seqs after = before;
    after.push_back(8);
    EXPECT_EQ(seqs(index), after);
    EXPECT_FALSE(index.rebuilding(log));
}

TEST(LogFilterMillion, RegexOverAMillionRowsInBoundedSlicesWithProgress) {
    PayloadLog log;
    std::size_t expected = 0;
    for (std::size_t i = 0; i < 1'000'000; ++i) {
        const std::string text = "sensor " + std::to_string(i % 977) + " value=" + std::to_string(i * 7919 % 100'000);
        if (i % 977 == 13) ++expected;
        log.append(static_cast<TimestampUs>(i), 1, 1 + i % 5, LogKind::Rx, bytesOf(text));
    }
    LogIndex index;
    LogFilter f;
    f.mode = QueryMode::Regex;
    f.contains = "^sensor 13 value=\\d+$";
    index.setFilter(f);
    const auto budget = std::chrono::microseconds(8000);
    // The slice's own CPU time (a loaded machine may preempt the thread); sanitizers slow it 10-40x.
    const double slack_ms = test::kUnderSanitizer ? 2000 : 50;
    double worst_ms = 0;
    std::size_t updates = 0;
    bool saw_progress = false;
    const auto start = std::chrono::steady_clock::now();
    while (index.pending(log) > 0 && updates < 100'000) {
        const double t0 = threadCpuMs();
        index.update(log, 250'000, UINT64_MAX, budget);
        worst_ms = std::max(worst_ms, threadCpuMs() - t0);
        if (const auto progress = index.rebuilding(log)) {
            saw_progress = true;
            EXPECT_LE(progress->first, progress->second);
            EXPECT_EQ(progress->second, 1'000'000u);
        }
        ++updates;
    }
    const double total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(index.size(), expected);
    EXPECT_GT(updates, 1u) << "spread over frames";
    EXPECT_TRUE(saw_progress);
    EXPECT_LT(worst_ms, slack_ms) << "no slice anywhere near a 50 ms frame";
    EXPECT_FALSE(index.rebuilding(log));
    std::printf("1,000,000 rows by regex: %.0f ms (wall) in %zu slices, worst slice %.1f ms CPU\n", total_ms, updates, worst_ms);
}

}  // namespace
}  // namespace sockscope::ui
