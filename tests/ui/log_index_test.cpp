#include "ui/log_index.hpp"
#include "ui/ui_model.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sockscope::ui {
namespace {

void add(PayloadLog& log, EndpointId ep, ConnectionId conn, LogKind kind, const std::string& text = "x") {
    log.appendText(1, ep, conn, kind, text);
}

TEST(LogIndex, ScansOnlyNewRecordsAndFilters) {
    PayloadLog log;
    LogIndex index;
    index.setFilter(LogFilter{1, 0, true, true, true, {}});
    add(log, 1, 5, LogKind::Rx);
    add(log, 2, 6, LogKind::Rx);
    add(log, 1, 5, LogKind::Tx);
    EXPECT_EQ(index.update(log), 2u);
    EXPECT_EQ(index.size(), 2u);
    EXPECT_EQ(index.update(log), 0u) << "nothing new";
    add(log, 1, 0, LogKind::Info);
    EXPECT_EQ(index.update(log), 1u);
    EXPECT_EQ(index.seqAt(2), 3u);
    EXPECT_EQ(index.rowOfSeq(2), 1u);
    EXPECT_EQ(index.rowOfSeq(1), LogIndex::npos);

    // Only connection 5, only received: endpoint-level events stay.
    index.setFilter(LogFilter{1, 5, true, false, true, {}});
    index.update(log);
    ASSERT_EQ(index.size(), 2u);
    EXPECT_EQ(index.seqAt(0), 0u);
    EXPECT_EQ(index.seqAt(1), 3u);
}

TEST(LogIndex, StopSeqFreezesAPausedView) {
    PayloadLog log;
    LogIndex index;
    for (int i = 0; i < 10; ++i) add(log, 1, 1, LogKind::Rx);
    index.update(log, 1000, 6);
    EXPECT_EQ(index.size(), 6u);
    for (int i = 0; i < 10; ++i) add(log, 1, 1, LogKind::Rx);
    index.update(log, 1000, 6);
    EXPECT_EQ(index.size(), 6u) << "nothing after the pause point";
    EXPECT_EQ(index.pending(log), 14u);
    index.update(log);
    EXPECT_EQ(index.size(), 20u);
}

TEST(LogIndex, ContainsFilterMatchesBytes) {
    PayloadLog log;
    LogIndex index;
    add(log, 1, 1, LogKind::Rx, "temp=21.5");
    add(log, 1, 1, LogKind::Rx, "hum=40");
    add(log, 1, 1, LogKind::Tx, "GET temp");
    LogFilter filter;
    filter.contains = "temp";
    index.setFilter(filter);
    index.update(log);
    ASSERT_EQ(index.size(), 2u);
    EXPECT_EQ(index.seqAt(1), 2u);
    filter.contains = "nothing";
    index.setFilter(filter);
    index.update(log);
    EXPECT_EQ(index.size(), 0u);
}

TEST(LogIndex, BoundedScanAndEviction) {
    PayloadLogLimits limits;
    limits.max_records = 100;
    PayloadLog log(limits);
    LogIndex index;
    for (int i = 0; i < 250; ++i) add(log, 1, 1, LogKind::Rx);
    EXPECT_EQ(index.update(log, 40), 40u) << "bounded work per update";
    EXPECT_EQ(index.pending(log), 60u);
    index.update(log);
    EXPECT_EQ(index.size(), log.size());
    EXPECT_EQ(index.seqAt(0), log.firstSeq());
    log.clear();
    index.update(log);
    EXPECT_EQ(index.size(), 0u);
    add(log, 1, 1, LogKind::Rx);
    index.update(log);
    EXPECT_EQ(index.size(), 1u);
    EXPECT_EQ(index.seqAt(0), 250u);
}

// Issue 6 item 28: the log leaves a gap in the seqs when it drops a message larger than its budget
// (--log-budget 1 and a 2 MiB message); the index walked seq - first as a record index, past the end.
TEST(LogIndex, GapsInTheSequenceAreSkipped) {
    PayloadLogLimits limits;
    limits.max_bytes = 1u << 20;
    PayloadLog log(limits);
    LogIndex index;
    add(log, 1, 1, LogKind::Rx, "before");                                    // seq 0
    log.append(2, 1, 1, LogKind::Rx, std::vector<std::uint8_t>(2u << 20, 7));  // seq 1: dropped
    add(log, 1, 1, LogKind::Rx, "after");                                     // seq 2
    ASSERT_EQ(log.size(), 2u);
    ASSERT_EQ(log.droppedOversized(), 1u);
    EXPECT_EQ(index.update(log), 2u);
    ASSERT_EQ(index.size(), 2u);
    EXPECT_EQ(index.seqAt(0), 0u);
    EXPECT_EQ(index.seqAt(1), 2u);
    EXPECT_EQ(index.pending(log), 0u);
    // Bounded scans across the gap, and more gaps.
    for (int i = 0; i < 10; ++i) {
        log.append(3, 1, 1, LogKind::Rx, std::vector<std::uint8_t>(2u << 20, 7));
        add(log, 1, 1, LogKind::Rx, "x");
    }
    LogIndex bounded;
    while (bounded.pending(log) > 0) bounded.update(log, 3);
    ASSERT_EQ(bounded.size(), log.size());
    for (std::size_t i = 0; i < log.size(); ++i) EXPECT_EQ(bounded.seqAt(i), log.record(i).seq);
}

TEST(EventPump, AppliesWithABudgetAndDrainsOnlyWhenEmpty) {
    UiModel model;
    EventPump pump;
    int drains = 0;
    auto drain = [&](std::vector<Event>& out) {
        ++drains;
        for (int i = 0; i < 10; ++i) out.push_back(DataEvent{1, 0, Direction::Rx, 1, "p", Bytes{1, 2}});
        return std::size_t{10};
    };
    EXPECT_EQ(pump.pump(model, drain, 4), 4u);
    EXPECT_EQ(pump.backlog(), 6u);
    EXPECT_EQ(pump.pump(model, drain, 4), 4u);
    EXPECT_EQ(drains, 1) << "no drain while a backlog remains";
    EXPECT_EQ(pump.pump(model, drain, 4), 2u);
    EXPECT_EQ(pump.backlog(), 0u);
    EXPECT_EQ(model.log.size(), 10u);
    EXPECT_EQ(model.table.endpoint(1)->totals.rx_messages, 10u);
}

}  // namespace
}  // namespace sockscope::ui
