// Issue 9 "rates over time": per-second samples from cumulative counters, bounded, zero-filled.
#include <gtest/gtest.h>

#include "core/model/endpoint_table.hpp"
#include "core/model/rate_history.hpp"

namespace sockscope {
namespace {

constexpr TimestampUs kSecond = 1'000'000;
constexpr TimestampUs kT0 = 1'800'000'000 * kSecond;

TrafficCounters counters(std::uint64_t rx, std::uint64_t tx, std::uint64_t rx_msgs = 0, std::uint64_t tx_msgs = 0) {
    TrafficCounters c;
    c.rx_bytes = rx;
    c.tx_bytes = tx;
    c.rx_messages = rx_msgs;
    c.tx_messages = tx_msgs;
    return c;
}

TEST(RateHistory, SamplesPerSecondFromCumulativeCounters) {
    RateHistory h(10);
    h.record(kT0, counters(1000, 0));                       // a baseline, not a burst
    EXPECT_FALSE(h.active()) << "no ring before traffic";
    h.record(kT0 + kSecond / 2, counters(1000, 0));         // nothing new
    EXPECT_FALSE(h.active());
    h.record(kT0 + kSecond, counters(1500, 100, 5, 1));     // second 1: 500 in, 100 out
    h.record(kT0 + kSecond + kSecond / 2, counters(2000, 100, 10, 1));   // still second 1
    h.record(kT0 + 4 * kSecond, counters(2300, 400, 13, 4));             // seconds 2, 3 silent
    std::vector<float> rx, tx, rx_msgs;
    h.series(RateSeries::RxBytes, kT0 + 5 * kSecond, 5, rx);   // seconds 0..4
    h.series(RateSeries::TxBytes, kT0 + 5 * kSecond, 5, tx);
    h.series(RateSeries::RxMessages, kT0 + 5 * kSecond, 5, rx_msgs);
    EXPECT_EQ(rx, (std::vector<float>{0, 1000, 0, 0, 300}));
    EXPECT_EQ(tx, (std::vector<float>{0, 100, 0, 0, 300}));
    EXPECT_EQ(rx_msgs, (std::vector<float>{0, 10, 0, 0, 3}));
    // Later, with nothing new: the plot scrolls on, zeros come in from the right.
    h.series(RateSeries::RxBytes, kT0 + 7 * kSecond, 5, rx);   // seconds 2..6
    EXPECT_EQ(rx, (std::vector<float>{0, 0, 300, 0, 0}));
}

TEST(RateHistory, IsBoundedAndSurvivesLongGapsAndRestarts) {
    RateHistory h(60);
    h.record(kT0, counters(0, 0));
    for (int s = 1; s <= 10'000; ++s) h.record(kT0 + s * kSecond, counters(std::uint64_t(s) * 10, 0));
    std::vector<float> rx;
    h.series(RateSeries::RxBytes, kT0 + 10'001 * kSecond, 60, rx);
    for (float v : rx) EXPECT_EQ(v, 10.0f);
    h.record(kT0 + 1'000'000 * kSecond, counters(5, 0));   // a restart (counters went down), days later
    h.series(RateSeries::RxBytes, kT0 + 1'000'001 * kSecond, 60, rx);
    EXPECT_EQ(rx.back(), 5.0f);
    EXPECT_EQ(rx[rx.size() - 2], 0.0f);
    h.series(RateSeries::RxBytes, kT0, 1000, rx);   // asking for more than kept: zeros, no overrun
    EXPECT_EQ(rx.size(), 1000u);
}

TEST(EndpointTableRates, StatisticsFeedThePlotsAndResetCountsFromZero) {
    EndpointTable table;
    table.ensure(1);
    StatsEvent stats{};
    stats.endpoint = 1;
    stats.totals = counters(100, 50, 1, 1);
    stats.connections = {{7, counters(100, 50, 1, 1)}};
    ConnectionOpened opened{};
    opened.endpoint = 1;
    opened.connection = 7;
    table.apply(opened, kT0);
    table.apply(stats, kT0);
    stats.totals = counters(1100, 50, 2, 1);
    stats.connections = {{7, counters(1100, 50, 2, 1)}};
    table.apply(stats, kT0 + kSecond);
    const EndpointRow* row = table.endpoint(1);
    ASSERT_TRUE(row->rates.active());
    ASSERT_TRUE(row->connections.find(7)->rates.active());
    std::vector<float> rx;
    row->rates.series(RateSeries::RxBytes, kT0 + 2 * kSecond, 2, rx);
    EXPECT_EQ(rx, (std::vector<float>{0, 1000}));

    table.resetCounters(1);
    EXPECT_EQ(sinceReset(row->totals, row->baseline).rx_bytes, 0u);
    EXPECT_EQ(sinceReset(row->connections.find(7)->counters, row->connections.find(7)->baseline).rx_bytes, 0u);
    EXPECT_FALSE(row->rates.active()) << "the plot starts over";
    stats.totals = counters(1300, 50, 3, 1);
    table.apply(stats, kT0 + 3 * kSecond);
    EXPECT_EQ(sinceReset(row->totals, row->baseline).rx_bytes, 200u);
    EXPECT_EQ(row->totals.rx_bytes, 1300u) << "the engine's totals are kept";
}

}  // namespace
}  // namespace sockscope
