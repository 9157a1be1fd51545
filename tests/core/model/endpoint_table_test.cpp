#include "core/model/endpoint_table.hpp"

#include <gtest/gtest.h>

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
    failed.error = ErrorInfo{"EADDRINUSE", "port 5000 is in use"};
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
    retry.error = ErrorInfo{"ECONNREFUSED", "refused"};
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

}  // namespace
}  // namespace sockscope
