#include "core/event_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sockscope {
namespace {

DataEvent data(std::size_t bytes) {
    return DataEvent{1, 1, Direction::Rx, nowUs(), {}, Bytes(bytes, 0xab)};
}

TEST(EventQueue, DrainSwapsEverythingOutInOrder) {
    EventQueue queue;
    for (int i = 0; i < 5; ++i)
        queue.push(PeerHalfClosed{1, static_cast<ConnectionId>(i), 0}, EventPriority::Control);
    std::vector<Event> out;
    EXPECT_EQ(queue.drain(out), 5u);
    ASSERT_EQ(out.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(std::get<PeerHalfClosed>(out[i]).connection, ConnectionId(i));
    EXPECT_EQ(queue.queuedBytes(), 0u);
    EXPECT_EQ(queue.drain(out), 0u);
}

TEST(EventQueue, DataAboveBudgetAsksToPauseAndResumesAfterDrain) {
    EventQueue queue(EventQueueLimits{64 * 1024});
    int resumed = 0;
    queue.setResumeCallback([&] { ++resumed; });
    EXPECT_EQ(queue.push(data(40 * 1024), EventPriority::Data), PushResult::Accepted);
    EXPECT_EQ(queue.push(data(40 * 1024), EventPriority::Data), PushResult::AcceptedPause);
    EXPECT_TRUE(queue.paused());
    std::vector<Event> out;
    queue.drain(out);
    EXPECT_EQ(resumed, 1);
    EXPECT_FALSE(queue.paused());
    queue.drain(out);
    EXPECT_EQ(resumed, 1) << "resume fires once per pause";
}

TEST(EventQueue, DroppableDataIsDroppedAndCountedAboveBudget) {
    EventQueue queue(EventQueueLimits{64 * 1024});
    int accepted = 0;
    for (int i = 0; i < 100; ++i)
        if (queue.push(data(1024), EventPriority::Droppable) != PushResult::Dropped) ++accepted;
    EXPECT_LT(accepted, 64);
    EXPECT_EQ(queue.droppedEvents(), std::uint64_t(100 - accepted));
    EXPECT_LE(queue.queuedBytes(), 64u * 1024);
    // control events still get through
    EXPECT_EQ(queue.push(PeerHalfClosed{1, 1, 0}, EventPriority::Control), PushResult::Accepted);
}

TEST(EventQueue, WakeFiresOncePerDrainCycle) {
    EventQueue queue;
    std::atomic<int> wakes{0};
    queue.setWakeCallback([&] { ++wakes; });
    for (int i = 0; i < 10; ++i) queue.push(PeerHalfClosed{1, 1, 0}, EventPriority::Control);
    EXPECT_EQ(wakes.load(), 1);
    std::vector<Event> out;
    queue.drain(out);
    queue.push(PeerHalfClosed{1, 1, 0}, EventPriority::Control);
    EXPECT_EQ(wakes.load(), 2);
}

TEST(EventQueue, WaitReturnsWhenAnotherThreadPushes) {
    EventQueue queue;
    std::thread producer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        queue.push(PeerHalfClosed{1, 1, 0}, EventPriority::Control);
    });
    EXPECT_TRUE(queue.waitForEvents(std::chrono::seconds(5)));
    producer.join();
    EXPECT_FALSE(EventQueue().waitForEvents(std::chrono::milliseconds(1)));
}

TEST(EventQueue, ConcurrentProducersLoseNothing) {
    EventQueue queue;
    constexpr int kPerThread = 5000;
    std::vector<std::thread> producers;
    for (int t = 0; t < 2; ++t)
        producers.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i) queue.push(PeerHalfClosed{1, 1, 0}, EventPriority::Control);
        });
    std::size_t total = 0;
    std::vector<Event> out;
    for (int spins = 0; spins < 100000 && total < 2 * kPerThread; ++spins) {
        out.clear();
        total += queue.drain(out);
    }
    for (auto& p : producers) p.join();
    out.clear();
    total += queue.drain(out);
    EXPECT_EQ(total, std::size_t(2 * kPerThread));
}

TEST(EventQueue, RefreshEventsCountAgainstTheBudgetAndAreRefusedAboveIt) {
    EventQueue queue(EventQueueLimits{4 * 1024});
    StatsEvent stats;
    stats.endpoint = 1;
    stats.connections.resize(40);   // ~2 KiB
    const std::size_t size = approximateSize(Event{stats});
    ASSERT_GT(size, 1024u);
    std::size_t accepted = 0;
    for (int i = 0; i < 100; ++i)
        if (queue.push(stats, EventPriority::Refresh) != PushResult::Dropped) ++accepted;
    EXPECT_LE(queue.queuedBytes(), 4u * 1024) << "refresh events never take the queue over its budget";
    EXPECT_GE(accepted, 1u);
    EXPECT_EQ(queue.coalescedEvents(), 100u - accepted);
    std::vector<Event> out;
    queue.drain(out);
    EXPECT_NE(queue.push(stats, EventPriority::Refresh), PushResult::Dropped) << "accepted again after a drain";
}

TEST(EventQueue, ARefreshEventLargerThanTheBudgetPassesAnEmptyQueue) {
    EventQueue queue(EventQueueLimits{256});
    StatsEvent stats;
    stats.endpoint = 1;
    stats.connections.resize(100);
    EXPECT_NE(queue.push(stats, EventPriority::Refresh), PushResult::Dropped) << "or it would never get through";
    EXPECT_EQ(queue.push(stats, EventPriority::Refresh), PushResult::Dropped);
}

TEST(EventQueue, ProducersAskWhetherToPauseBeforeProducing) {
    EventQueue queue(EventQueueLimits{1024});
    int resumed = 0;
    queue.setResumeCallback([&] { ++resumed; });
    EXPECT_FALSE(queue.pauseIfOverBudget());
    queue.push(PeerHalfClosed{1, 1, 0}, EventPriority::Control);
    EXPECT_FALSE(queue.pauseIfOverBudget());
    queue.push(data(2048), EventPriority::Droppable);   // dropped: over the budget
    queue.push(ErrorEvent{1, 0, ErrorContext::Other, {"E", std::string(2048, 'x'), ""}, 0}, EventPriority::Control);
    EXPECT_TRUE(queue.pauseIfOverBudget());
    std::vector<Event> out;
    queue.drain(out);
    EXPECT_EQ(resumed, 1) << "a producer that paused is resumed by the next drain";
    EXPECT_FALSE(queue.pauseIfOverBudget());
}

}  // namespace
}  // namespace sockscope
