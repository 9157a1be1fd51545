#include "core/model/endpoint_table.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace sockscope {
namespace {

EndpointStatus status(EndpointId id, EndpointState state) {
    EndpointStatus s{};
    s.endpoint = id;
    s.state = state;
    return s;
}

TEST(EndpointTable, StatusCreatesRowAndKeepsLastError) {
    EndpointTable table;
    auto s = status(1, EndpointState::Listening);
    s.local = "127.0.0.1:5000";
    table.apply(s);
    ASSERT_NE(table.endpoint(1), nullptr);
    EXPECT_EQ(table.endpoint(1)->status.state, EndpointState::Listening);
    EXPECT_EQ(table.endpoint(1)->status.local, "127.0.0.1:5000");

    auto failed = status(1, EndpointState::Failed);
    failed.error = ErrorInfo{"EADDRINUSE", "port 5000 is in use", "端口 5000 已被占用"};
    table.apply(failed);
    ASSERT_TRUE(table.endpoint(1)->last_error.has_value());
    EXPECT_EQ(table.endpoint(1)->last_error->code, "EADDRINUSE");
    EXPECT_EQ(table.endpoints().size(), 1u);
}

TEST(EndpointTable, ConnectionLifecycleHalfCloseStateAndCounters) {
    EndpointTable table;
    table.apply(status(1, EndpointState::Listening));
    table.apply(ConnectionOpened{1, 7, "127.0.0.1:40000", "127.0.0.1:5000", 100});
    table.apply(DataEvent{1, 7, Direction::Rx, 110, {}, Bytes{1, 2, 3}});
    table.apply(DataEvent{1, 7, Direction::Tx, 120, {}, Bytes{1, 2}});
    TcpInfo info;
    info.state = TcpState::Established;
    info.rtt_us = 50;
    table.apply(TcpStateChanged{1, 7, info});

    const ConnectionRow* c = table.connection(1, 7);
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->open);
    EXPECT_EQ(c->peer, "127.0.0.1:40000");
    EXPECT_EQ(c->local, "127.0.0.1:5000");
    EXPECT_EQ(c->opened_us, 100);
    EXPECT_EQ(c->counters.rx_bytes, 3u);
    EXPECT_EQ(c->counters.rx_messages, 1u);
    EXPECT_EQ(c->counters.tx_bytes, 2u);
    ASSERT_TRUE(c->tcp.has_value());
    EXPECT_EQ(c->tcp->rtt_us, 50u);
    EXPECT_EQ(table.endpoint(1)->totals.rx_bytes, 3u);
    EXPECT_EQ(table.openConnections(), 1u);

    table.apply(PeerHalfClosed{1, 7, 130});
    info.state = TcpState::CloseWait;
    table.apply(TcpStateChanged{1, 7, info});
    c = table.connection(1, 7);
    EXPECT_TRUE(c->peer_half_closed);
    EXPECT_EQ(c->tcp->state, TcpState::CloseWait);

    table.apply(ConnectionClosed{1, 7, CloseReason::LocalGraceful, std::nullopt, 140});
    c = table.connection(1, 7);
    ASSERT_NE(c, nullptr) << "closed connections stay listed";
    EXPECT_FALSE(c->open);
    EXPECT_EQ(c->closed_us, 140);
    EXPECT_EQ(c->close_reason, CloseReason::LocalGraceful);
    EXPECT_EQ(table.openConnections(), 0u);

    // A late state refresh does not reopen it.
    info.state = TcpState::Established;
    table.apply(TcpStateChanged{1, 7, info});
    EXPECT_EQ(table.connection(1, 7)->tcp->state, TcpState::Close);
}

TEST(EndpointTable, StatsOverwriteCountersAndRates) {
    EndpointTable table;
    table.apply(ConnectionOpened{2, 9, "[::1]:1", "[::1]:2", 1});
    table.apply(DataEvent{2, 9, Direction::Rx, 2, {}, Bytes(10, 0)});
    StatsEvent stats{};
    stats.endpoint = 2;
    stats.totals.rx_bytes = 1000;
    stats.totals.rx_bytes_per_s = 500;
    stats.open_connections = 1;
    stats.accepted_total = 4;
    TrafficCounters cc;
    cc.rx_bytes = 900;
    cc.rx_messages_per_s = 12;
    stats.connections.push_back({9, cc});
    stats.connections.push_back({12345, cc});  // unknown connection: ignored
    table.apply(stats);
    const EndpointRow* row = table.endpoint(2);
    EXPECT_EQ(row->totals.rx_bytes, 1000u);
    EXPECT_EQ(row->accepted_total, 4u);
    EXPECT_EQ(table.connection(2, 9)->counters.rx_bytes, 900u);
    EXPECT_DOUBLE_EQ(table.totals().rx_bytes_per_s, 500);
    EXPECT_EQ(row->connections.size(), 1u);
}

TEST(EndpointTable, ClosedConnectionsAreBounded) {
    EndpointTable table(EndpointTableLimits{3});
    for (ConnectionId id = 1; id <= 10; ++id) {
        table.apply(ConnectionOpened{1, id, "p", "l", 0});
        table.apply(ConnectionClosed{1, id, CloseReason::PeerClosed, std::nullopt, 1});
    }
    table.apply(ConnectionOpened{1, 11, "p", "l", 0});
    const EndpointRow* row = table.endpoint(1);
    ASSERT_EQ(row->connections.size(), 4u);
    EXPECT_EQ(row->connections[0].id, 8u) << "the newest closed ones are kept";
    EXPECT_EQ(row->connections[3].id, 11u);
    table.clearClosed();
    EXPECT_EQ(table.endpoint(1)->connections.size(), 1u);
}

TEST(EndpointTable, StopClosesOpenConnectionsAndRetryCountdown) {
    EndpointTable table;
    table.apply(ConnectionOpened{1, 1, "p", "l", 0});
    table.apply(status(1, EndpointState::Stopped), 1000);
    EXPECT_FALSE(table.connection(1, 1)->open);
    EXPECT_EQ(table.connection(1, 1)->close_reason, CloseReason::Shutdown);

    auto retry = status(3, EndpointState::WaitingRetry);
    retry.retry_in_ms = 3000;
    retry.error = ErrorInfo{"ECONNREFUSED", "refused", "被拒绝"};
    table.apply(retry, 1'000'000);
    const EndpointRow* row = table.endpoint(3);
    EXPECT_EQ(EndpointTable::retryRemainingMs(*row, 1'000'000), 3000u);
    EXPECT_EQ(EndpointTable::retryRemainingMs(*row, 2'000'000), 2000u);
    EXPECT_EQ(EndpointTable::retryRemainingMs(*row, 9'000'000), 0u);
}

TEST(EndpointTable, PortTableQueueOverflowAndRemove) {
    EndpointTable table;
    PortStateCounts counts;
    counts.by_state[static_cast<std::size_t>(TcpState::TimeWait)] = 3;
    table.apply(PortTableChanged{1, 5000, counts});
    ASSERT_TRUE(table.endpoint(1)->port_counts.has_value());
    EXPECT_EQ(table.endpoint(1)->port_counts->count(TcpState::TimeWait), 3u);
    EXPECT_EQ(*table.endpoint(1)->port, 5000);
    table.apply(QueueOverflow{10, 640});
    EXPECT_EQ(table.queueDroppedEvents(), 10u);
    EXPECT_EQ(table.queueDroppedBytes(), 640u);
    table.remove(1);
    EXPECT_EQ(table.endpoint(1), nullptr);
}

// Issue 6, item 24: every lookup by id is O(1). 10,000 connections refreshed 100 times (a
// statistics event listing all of them plus a TCP state per connection each time) is ~2,000,000
// lookups: a linear scan visits ~10^10 rows (the GUI spent 20 ms per statistics event), the index
// one each.
TEST(EndpointTable, TenThousandConnectionsRefreshWithConstantWorkPerLookup) {
    constexpr ConnectionId kConnections = 10'000;
    constexpr int kRefreshes = 100;
    EndpointTable table;
    table.apply(status(1, EndpointState::Listening));
    const auto start = std::chrono::steady_clock::now();
    for (ConnectionId id = 1; id <= kConnections; ++id)
        table.apply(ConnectionOpened{1, id, "127.0.0.1:" + std::to_string(id), "127.0.0.1:5000",
                                     static_cast<TimestampUs>(id)});
    StatsEvent stats{};
    stats.endpoint = 1;
    stats.open_connections = kConnections;
    stats.connections.reserve(kConnections);
    for (ConnectionId id = 1; id <= kConnections; ++id) stats.connections.push_back({id, TrafficCounters{}});
    Event stats_event = stats;
    TcpInfo info;
    info.state = TcpState::Established;
    for (int refresh = 1; refresh <= kRefreshes; ++refresh) {
        for (auto& [id, counters] : std::get<StatsEvent>(stats_event).connections) counters.rx_bytes = refresh;
        table.apply(stats_event, 1);
        info.rtt_us = static_cast<std::uint32_t>(refresh);
        for (ConnectionId id = 1; id <= kConnections; ++id) table.apply(TcpStateChanged{1, id, info, 0}, 1);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const EndpointRow* row = table.endpoint(1);
    ASSERT_NE(row, nullptr);
    ASSERT_EQ(row->connections.size(), kConnections);
    EXPECT_EQ(row->connections.openCount(), kConnections);
    EXPECT_EQ(table.openConnections(), kConnections);
    const std::uint64_t lookups = kConnections + 2ull * kRefreshes * kConnections;
    EXPECT_LE(row->connections.work(), lookups + kConnections)
        << "row visits per lookup must not grow with the number of connections";
    for (ConnectionId id : {ConnectionId{1}, ConnectionId{5000}, kConnections}) {
        const ConnectionRow* c = table.connection(1, id);
        ASSERT_NE(c, nullptr);
        EXPECT_EQ(c->counters.rx_bytes, static_cast<std::uint64_t>(kRefreshes));
        EXPECT_EQ(c->tcp->rtt_us, static_cast<std::uint32_t>(kRefreshes));
        EXPECT_EQ(c->peer, "127.0.0.1:" + std::to_string(id));
    }
    // A linear scan needs minutes here; the bound is generous for sanitizer builds on a busy machine.
    EXPECT_LT(seconds, 10.0);
}

// Closing 10,000 connections (a "reset all", a server stopped) evicts all but the newest closed
// ones in O(n) in total: evicted rows leave holes that the next read compacts in one pass.
TEST(EndpointTable, ClosingTenThousandConnectionsIsLinearAndKeepsTheNewestClosed) {
    constexpr ConnectionId kConnections = 10'000;
    EndpointTable table;
    for (ConnectionId id = 1; id <= kConnections; ++id) table.apply(ConnectionOpened{1, id, "p", "l", 0});
    EXPECT_EQ(table.endpoint(1)->connections.size(), kConnections);   // a frame reads the table
    for (ConnectionId id = 1; id <= kConnections; ++id) {
        table.apply(ConnectionClosed{1, id, CloseReason::PeerReset, std::nullopt, 1});
        if (id % 1000 == 0) {
            EXPECT_EQ(table.endpoint(1)->connections.size(), kConnections - id + 32);
        }
    }
    const EndpointRow* row = table.endpoint(1);
    ASSERT_EQ(row->connections.size(), 32u);
    EXPECT_EQ(row->connections.openCount(), 0u);
    EXPECT_EQ(row->connections.closedCount(), 32u);
    EXPECT_EQ(row->connections[0].id, kConnections - 31) << "the newest closed ones are kept, in order";
    EXPECT_EQ(row->connections[31].id, kConnections);
    EXPECT_EQ(table.connection(1, 1), nullptr) << "evicted rows are not found";
    ASSERT_NE(table.connection(1, kConnections), nullptr);
    EXPECT_EQ(table.connection(1, kConnections)->close_reason, CloseReason::PeerReset);
    // Lookups + 11 compactions (one per read above), each at most the rows then listed.
    EXPECT_LE(row->connections.work(), 3 * kConnections + 11 * kConnections);

    // A stopped endpoint with 10,000 open connections: one pass.
    EndpointTable stopped;
    for (ConnectionId id = 1; id <= kConnections; ++id) stopped.apply(ConnectionOpened{2, id, "p", "l", 0});
    stopped.apply(status(2, EndpointState::Stopped), 5);
    const EndpointRow* row2 = stopped.endpoint(2);
    ASSERT_EQ(row2->connections.size(), 32u);
    EXPECT_EQ(row2->connections[31].id, kConnections);
    EXPECT_EQ(row2->connections[31].close_reason, CloseReason::Shutdown);
    EXPECT_EQ(stopped.openConnections(), 0u);
    EXPECT_LE(row2->connections.work(), 3 * kConnections);
}

// Open and closed rows interleave: eviction takes the oldest closed ones, open rows keep their
// place, counts follow every path (close, stop, clear, a reused id).
TEST(EndpointTable, EvictionKeepsOpenRowsInPlaceAndCountsFollowEveryPath) {
    EndpointTable table(EndpointTableLimits{2});
    for (ConnectionId id = 1; id <= 6; ++id) table.apply(ConnectionOpened{1, id, "p", "l", 0});
    for (ConnectionId id : {ConnectionId{2}, ConnectionId{4}, ConnectionId{5}, ConnectionId{1}})
        table.apply(ConnectionClosed{1, id, CloseReason::PeerClosed, std::nullopt, 1});
    const EndpointRow* row = table.endpoint(1);
    std::vector<ConnectionId> ids;
    for (const auto& c : row->connections) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<ConnectionId>{1, 3, 5, 6})) << "2 and 4 closed first and were evicted";
    EXPECT_EQ(row->connections.openCount(), 2u);
    EXPECT_EQ(row->connections.closedCount(), 2u);
    table.apply(ConnectionClosed{1, 5, CloseReason::PeerClosed, std::nullopt, 2});   // twice: no change
    EXPECT_EQ(table.endpoint(1)->connections.closedCount(), 2u);
    table.apply(ConnectionOpened{1, 5, "again", "l", 3});                               // a reused id
    EXPECT_EQ(table.endpoint(1)->connections.openCount(), 3u);
    EXPECT_EQ(table.endpoint(1)->connections.closedCount(), 1u);
    EXPECT_EQ(table.connection(1, 5)->peer, "again");
    table.apply(ConnectionClosed{1, 3, CloseReason::PeerClosed, std::nullopt, 4});
    table.apply(ConnectionClosed{1, 6, CloseReason::PeerClosed, std::nullopt, 5});
    ids.clear();
    for (const auto& c : table.endpoint(1)->connections) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<ConnectionId>{3, 5, 6})) << "1 was the oldest closed; 5 is open again";
    table.clearClosed(1);
    ASSERT_EQ(table.endpoint(1)->connections.size(), 1u);
    EXPECT_EQ(table.endpoint(1)->connections[0].id, 5u);
    EXPECT_EQ(table.endpoint(1)->connections.closedCount(), 0u);
    table.apply(ConnectionClosed{1, 5, CloseReason::PeerClosed, std::nullopt, 6});
    EXPECT_EQ(table.endpoint(1)->connections.closedCount(), 1u);
    EXPECT_EQ(table.openConnections(), 0u);
    table.apply(ConnectionOpened{1, 0, "bogus", "l", 7});   // id 0 is the endpoint, not a connection
    EXPECT_EQ(table.endpoint(1)->connections.size(), 1u);
    EXPECT_EQ(table.openConnections(), 0u);

    // Endpoint lookups stay right after a removal re-indexes the rest.
    table.ensure(7);
    table.ensure(9);
    table.remove(1);
    ASSERT_NE(table.endpoint(9), nullptr);
    EXPECT_EQ(table.endpoint(9)->id, 9u);
    EXPECT_EQ(table.endpoint(7)->id, 7u);
    EXPECT_EQ(table.endpoint(1), nullptr);
}

}  // namespace
}  // namespace sockscope
