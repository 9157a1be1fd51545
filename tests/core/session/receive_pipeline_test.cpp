// ReceivePipeline without sockets: frames leave as spans of the read's slice (no copy), a frame
// begun by an earlier read is the only one copied, and every split of a stream gives the same
// messages in the same order; UDP batches give one event with a message per datagram.
#include <gtest/gtest.h>

#include <functional>

#include "core/event_queue.hpp"
#include "core/session/receive_pipeline.hpp"

namespace sockscope {
namespace {

FramingConfig lines(bool keep) {
    FramingConfig f;
    f.type = FramingType::Delimiter;
    f.delimiter = {'\r', '\n'};
    f.keep = keep;
    f.max = 64;
    return f;
}

std::vector<DataEvent> drained(EventQueue& queue) {
    std::vector<Event> events;
    queue.drain(events);
    std::vector<DataEvent> out;
    for (auto& e : events)
        if (auto* d = std::get_if<DataEvent>(&e)) out.push_back(std::move(*d));
    return out;
}

std::vector<std::string> messagesOf(const std::vector<DataEvent>& events) {
    std::vector<std::string> out;
    for (const auto& d : events) {
        EXPECT_TRUE(framesValid(d));
        forEachMessage(d, [&](std::span<const std::uint8_t> m) { out.emplace_back(m.begin(), m.end()); });
    }
    return out;
}

SharedBytes sharedOf(std::string_view text) { return SharedBytes::copyOf(text); }

TEST(ReceivePipeline, EverySplitOfAStreamGivesTheSameFramesAsSpansOfTheReads) {
    const std::string stream = "alpha\r\nbe\r\n\r\ngamma delta\r\nx\r\ntail";
    for (const bool keep : {false, true}) {
        const std::vector<std::string> expected =
            keep ? std::vector<std::string>{"alpha\r\n", "be\r\n", "\r\n", "gamma delta\r\n", "x\r\n"}
                 : std::vector<std::string>{"alpha", "be", "", "gamma delta", "x"};
        for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
            for (std::size_t cut2 = cut; cut2 <= stream.size(); ++cut2) {
                SCOPED_TRACE("keep " + std::to_string(keep) + " cuts " + std::to_string(cut) + "," + std::to_string(cut2));
                EventQueue queue;
                ReceivePipeline rx(queue, 1, 2, lines(keep), EventPriority::Droppable, nullptr);
                std::vector<SharedBytes> reads = {sharedOf(stream.substr(0, cut)), sharedOf(stream.substr(cut, cut2 - cut)),
                                                  sharedOf(stream.substr(cut2))};
                std::vector<DataEvent> events;
                for (const auto& read : reads) {
                    if (read.empty()) continue;
                    EXPECT_EQ(rx.onRead(read), PushResult::Accepted);
                    for (auto& d : drained(queue)) {
                        // A frame lies in this read's block (a span: no copy) unless an earlier read began it.
                        if (d.payload.blockId() != read.blockId()) {
                            EXPECT_EQ(messageCount(d), 1u);
                        }
                        events.push_back(std::move(d));
                    }
                }
                EXPECT_EQ(messagesOf(events), expected);
                rx.finish();   // the unterminated tail: a last frame with an error (not checked here)
            }
        }
    }
}

TEST(ReceivePipeline, FramesWithinOneReadTravelAsOneEventSharingTheRead) {
    EventQueue queue;
    ReceivePipeline rx(queue, 1, 2, lines(false), EventPriority::Droppable, nullptr);
    std::string text;
    for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\r\n";
    const SharedBytes read = sharedOf(text);
    ASSERT_EQ(rx.onRead(read), PushResult::Accepted);
    const auto events = drained(queue);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload.blockId(), read.blockId()) << "no copy of the read";
    EXPECT_EQ(events[0].frames.size(), 1000u);
    EXPECT_EQ(messageBytes(events[0]), text.size() - 2000) << "stripped delimiters are not message bytes";
    Bytes scratch;
    EXPECT_EQ(joinedMessages(events[0], scratch).size(), text.size() - 2000);
    const auto messages = messagesOf(events);
    EXPECT_EQ(messages.front(), "line 0");
    EXPECT_EQ(messages.back(), "line 999");
}

TEST(ReceivePipeline, ADatagramBatchIsOneEventWithAMessagePerDatagram) {
    EventQueue queue;
    ReceivePipeline rx(queue, 1, 0, FramingConfig{}, EventPriority::Droppable, nullptr);
    std::vector<std::string> seen;
    rx.setMessageObserver([&](ByteView m) { seen.emplace_back(m.begin(), m.end()); });
    const SharedBytes bytes = sharedOf("onetwothree");
    ASSERT_EQ(rx.onDatagrams(bytes, {{0, 3}, {3, 3}, {6, 5}}, "127.0.0.1:9"), PushResult::Accepted);
    const auto events = drained(queue);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].peer, "127.0.0.1:9");
    EXPECT_EQ(messagesOf(events), (std::vector<std::string>{"one", "two", "three"}));
    EXPECT_EQ(seen, (std::vector<std::string>{"one", "two", "three"})) << "responders see each datagram";

    // Framing within each datagram, when asked: a datagram's end ends its last message.
    ReceivePipeline framed(queue, 1, 0, lines(false), EventPriority::Droppable, nullptr);
    const SharedBytes two = sharedOf("a\r\nbc\r\nd");
    ASSERT_EQ(framed.onDatagrams(two, {{0, 4}, {4, 4}}, "127.0.0.1:9"), PushResult::Accepted);
    EXPECT_EQ(messagesOf(drained(queue)), (std::vector<std::string>{"a", "b", "c", "d"}));
}

/// An empty datagram is one (empty) message whatever the framing: a framer makes nothing of no
/// bytes, and the datagram would vanish from the log while the statistics count it.
TEST(ReceivePipeline, AnEmptyDatagramIsAnEmptyMessageWithEveryFraming) {
    FramingConfig fixed;
    fixed.type = FramingType::Fixed;
    fixed.length = 2;
    FramingConfig length;
    length.type = FramingType::Length;
    length.size = 1;
    length.max = 64;
    FramingConfig idle;
    idle.type = FramingType::Idle;
    idle.gap_ms = 20;
    idle.max = 64;
    for (const FramingConfig& framing : {FramingConfig{}, lines(false), lines(true), fixed, length, idle}) {
        EventQueue queue;
        ReceivePipeline rx(queue, 1, 0, framing, EventPriority::Droppable, nullptr);
        std::vector<std::string> seen;
        rx.setMessageObserver([&](ByteView m) { seen.emplace_back(m.begin(), m.end()); });
        const SharedBytes empty = sharedOf("");
        ASSERT_EQ(rx.onDatagrams(empty, {{0, 0}}, "127.0.0.1:9"), PushResult::Accepted);
        EXPECT_EQ(messagesOf(drained(queue)), (std::vector<std::string>{""})) << static_cast<int>(framing.type);
        EXPECT_EQ(seen, (std::vector<std::string>{""})) << "responders see it too";
    }
    // Among others in one batch: in its place.
    EventQueue queue;
    ReceivePipeline rx(queue, 1, 0, lines(false), EventPriority::Droppable, nullptr);
    const SharedBytes bytes = sharedOf("a\r\nb");
    ASSERT_EQ(rx.onDatagrams(bytes, {{0, 3}, {3, 0}, {3, 1}}, "127.0.0.1:9"), PushResult::Accepted);
    const auto events = drained(queue);
    EXPECT_EQ(messagesOf(events), (std::vector<std::string>{"a", "", "b"}));
    for (const DataEvent& e : events) {
        if (e.payload.empty()) {
            EXPECT_EQ(e.stripped, "") << "nothing was stripped from an empty datagram (an export adds nothing)";
        }
    }
}

TEST(ReceivePipeline, TheObserverSeesEveryFrameOfABatchInOrder) {
    // Datagrams framed on their own: the frames of the second lie at an offset of the block.
    EventQueue queue;
    ReceivePipeline rx(queue, 1, 0, lines(true), EventPriority::Droppable, nullptr);
    EXPECT_FALSE(rx.observing());
    std::vector<std::string> seen;
    rx.setMessageObserver([&](ByteView m) { seen.emplace_back(m.begin(), m.end()); });
    EXPECT_TRUE(rx.observing());
    std::string first, second;
    for (int i = 0; i < 300; ++i) first += std::to_string(i) + "\r\n";
    for (int i = 0; i < 300; ++i) second += "s" + std::to_string(i) + "\r\n";
    const SharedBytes bytes = sharedOf(first + second);
    ASSERT_EQ(rx.onDatagrams(bytes, {{0, static_cast<std::uint32_t>(first.size())},
                                     {static_cast<std::uint32_t>(first.size()), static_cast<std::uint32_t>(second.size())}},
                             "127.0.0.1:9"),
              PushResult::Accepted);
    const auto events = drained(queue);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload.blockId(), bytes.blockId()) << "spans of the datagrams, no copy";
    const auto messages = messagesOf(events);
    ASSERT_EQ(messages.size(), 600u);
    EXPECT_EQ(messages[299], "299\r\n");
    EXPECT_EQ(messages[300], "s0\r\n");
    EXPECT_EQ(messages[599], "s299\r\n");
    EXPECT_EQ(seen, messages);
}


/// A responder's reply (or a script's verdict) is queued by the observer: the log must show it
/// after the message it answers, never before. The observer here queues a marker for each message;
/// every marker must follow the rx event that holds its message, whatever the path: raw reads,
/// frames of one read (more than the pipeline defers at once), a frame begun by an earlier read,
/// datagrams raw and framed, an idle timeout and the stream's end.
TEST(ReceivePipeline, WhatTheObserverQueuesFollowsTheMessageItSaw) {
    FramingConfig idle;
    idle.type = FramingType::Idle;
    idle.gap_ms = 20;
    idle.max = 64;
    std::string many;
    for (int i = 0; i < 3000; ++i) many += std::to_string(i) + "\r\n";
    struct Case {
        const char* name;
        FramingConfig framing;
        std::function<void(ReceivePipeline&)> feed;
    };
    const std::vector<Case> cases = {
        {"raw read", FramingConfig{}, [](ReceivePipeline& rx) { rx.onRead(sharedOf("abc")); }},
        {"3000 frames in one read", lines(false), [&](ReceivePipeline& rx) { rx.onRead(sharedOf(many)); }},
        {"a frame across reads", lines(false),
         [](ReceivePipeline& rx) {
             rx.onRead(sharedOf("a\r\nhal"));
             rx.onRead(sharedOf("f\r\nb\r\n"));
         }},
        {"raw datagrams", FramingConfig{},
         [](ReceivePipeline& rx) { rx.onDatagrams(sharedOf("onetwo"), {{0, 3}, {3, 3}}, "127.0.0.1:9"); }},
        {"framed datagrams", lines(false),
         [](ReceivePipeline& rx) { rx.onDatagrams(sharedOf("a\r\nbc\r\nd"), {{0, 4}, {4, 0}, {4, 4}}, "127.0.0.1:9"); }},
        {"idle timeout", idle,
         [](ReceivePipeline& rx) {
             rx.onRead(sharedOf("ping"));
             rx.onTimer(ReceivePipeline::Clock::now() + std::chrono::seconds(1));
         }},
        {"the stream's end", lines(false),
         [](ReceivePipeline& rx) {
             rx.onRead(sharedOf("x\r\ntail"));
             rx.finish();
         }},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        EventQueue queue;
        ReceivePipeline rx(queue, 1, 2, c.framing, EventPriority::Droppable, nullptr);
        rx.setMessageObserver([&](ByteView m) {
            (void)queue.push(DataEvent{1, 2, Direction::Tx, 0, {}, SharedBytes::copyOf(m)}, EventPriority::Droppable);
        });
        c.feed(rx);
        std::vector<std::string> received;
        std::size_t markers = 0;
        for (const DataEvent& d : drained(queue)) {
            if (d.direction == Direction::Rx) {
                forEachMessage(d, [&](std::span<const std::uint8_t> m) { received.emplace_back(m.begin(), m.end()); });
                continue;
            }
            ASSERT_LT(markers, received.size()) << "a marker came before the message it answers";
            EXPECT_EQ(std::string(d.payload.view().begin(), d.payload.view().end()), received[markers]);
            ++markers;
        }
        EXPECT_GT(markers, 0u);
        EXPECT_EQ(markers, received.size()) << "one marker per message";
    }
}

}  // namespace
}  // namespace sockscope
