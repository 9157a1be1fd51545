// The script runner's state machine on a real io_context with an in-memory link (the loopback
// tests with real sockets and python3 peers are in tests/app/headless_script_test.cpp).
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <chrono>
#include <thread>

#include "core/profile/script_json.hpp"
#include "core/script/script_runner.hpp"

namespace sockscope {
namespace {

struct Recorder : ScriptHost {
    std::vector<ScriptEvent> events;
    int connects = 0;
    bool ended = false;
    void emit(ScriptEvent event) override { events.push_back(std::move(event)); }
    bool requestConnect() override {
        ++connects;
        return true;
    }
    void runEnded(std::uint64_t) override { ended = true; }
    const ScriptEvent* finished() const {
        for (const auto& e : events)
            if (e.kind == ScriptEventKind::Finished) return &e;
        return nullptr;
    }
};

/// Answers each send through `reply` (posted, as a socket would), or not at all.
struct Link : ScriptLink {
    asio::io_context& io;
    std::function<std::optional<Bytes>(const Bytes&)> reply;
    std::weak_ptr<ScriptRun> run;
    std::vector<Bytes> sent;
    std::optional<ScriptCloseMode> closed;
    explicit Link(asio::io_context& context) : io(context) {}
    std::optional<ErrorInfo> send(Bytes bytes, const std::string&) override {
        sent.push_back(bytes);
        if (reply)
            if (std::optional<Bytes> answer = reply(bytes))
                asio::post(io, [w = run, a = *answer] {
                    if (auto r = w.lock()) r->onMessage(a);
                });
        return std::nullopt;
    }
    void close(ScriptCloseMode mode) override { closed = mode; }
    ConnectionId connection() const override { return 7; }
};

Script scriptFrom(const char* steps) {
    const auto r = scriptsFromJson(jsonio::Json::parse(std::string("[{\"name\": \"s\", \"steps\": ") + steps + "}]"),
                                   EndpointType::TcpClient);
    EXPECT_EQ(r.error, "");
    return r.scripts.at(0);
}

struct Fixture {
    asio::io_context io;
    Recorder host;
    Link link{io};
    std::shared_ptr<ScriptRun> run;
    explicit Fixture(const char* steps, ScriptRun::Options options = {}) {
        run = std::make_shared<ScriptRun>(io, host, 1, 1, scriptFrom(steps), options);
        std::string error;
        EXPECT_TRUE(run->prepare(error)) << error;
        link.run = run;
    }
    const ScriptEvent& runToEnd() {
        run->start(&link);
        io.run_for(std::chrono::seconds(20));
        EXPECT_TRUE(host.ended);
        return *host.finished();
    }
};

TEST(ScriptRunner, RepeatOfPingPongPassesWithLatencies) {
    Fixture f(R"([ { "repeat": 100, "steps": [ { "send": { "text": "PING {{counter}}\r\n" } },
                                               { "expect": { "text": "PONG", "mode": "prefix" }, "timeout_ms": 2000 } ] } ])");
    f.link.reply = [](const Bytes&) { return Bytes{'P', 'O', 'N', 'G', '\r', '\n'}; };
    const ScriptEvent& done = f.runToEnd();
    EXPECT_TRUE(done.passed) << done.error;
    EXPECT_EQ(f.link.sent.size(), 100u);
    EXPECT_EQ(f.link.sent[3], (Bytes{'P', 'I', 'N', 'G', ' ', '3', '\r', '\n'}));
    ASSERT_EQ(done.expects.size(), 100u);
    EXPECT_EQ(done.expects[99].iteration, 100u);
    ASSERT_EQ(done.stats.size(), 3u);
    const ScriptStepStats& expect = done.stats[2];
    EXPECT_EQ(expect.runs, 100u);
    EXPECT_EQ(expect.passed, 100u);
    EXPECT_LE(expect.min_us, expect.median_us);
    EXPECT_LE(expect.median_us, expect.p95_us);
    EXPECT_LE(expect.p95_us, expect.max_us);
    ASSERT_EQ(expect.histogram.size(), kScriptHistogramBins);
    std::uint64_t total = 0;
    for (auto n : expect.histogram) total += n;
    EXPECT_EQ(total, 100u);
}

// The latency runs from before the send: on loopback the send call itself may deliver the request
// and let the peer answer before it returns (here: a send that takes 30 ms, its answer ready when
// it returns; taken once by a waiting expect, once kept during a wait_ms for the next expect).
TEST(ScriptRunner, LatencyCountsFromBeforeTheSendCall) {
    Fixture f(R"([ { "send": { "text": "a" } }, { "expect": { "any": true }, "timeout_ms": 2000 },
                  { "send": { "text": "b" } }, { "wait_ms": 1 }, { "expect": { "any": true }, "timeout_ms": 2000 } ])");
    f.link.reply = [](const Bytes&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));   // the answer came during the send
        return Bytes{'o', 'k'};
    };
    const ScriptEvent& done = f.runToEnd();
    EXPECT_TRUE(done.passed) << done.error;
    ASSERT_EQ(done.expects.size(), 2u);
    EXPECT_GE(done.expects[0].latency_us, 30'000u);
    EXPECT_GE(done.expects[1].latency_us, 30'000u);
}

TEST(ScriptRunner, WrongAnswerFailsAtTheTimeoutWithBothSides) {
    Fixture f(R"([ { "send": { "text": "PING" } }, { "expect": { "hex": "50 4F ?? 47" }, "timeout_ms": 50 },
                  { "send": { "text": "never" } } ])");
    f.link.reply = [](const Bytes&) { return Bytes{'N', 'O', 'P', 'E'}; };
    const ScriptEvent& done = f.runToEnd();
    EXPECT_FALSE(done.passed);
    EXPECT_EQ(f.link.sent.size(), 1u);   // stop_on_failure
    ASSERT_EQ(done.failures.size(), 1u);
    EXPECT_EQ(done.failures[0].result.outcome, ScriptOutcome::Failed);
    EXPECT_EQ(done.failures[0].received, (Bytes{'N', 'O', 'P', 'E'}));
    EXPECT_EQ(done.failures[0].expected_bytes, (Bytes{0x50, 0x4F, 0x00, 0x47}));
    EXPECT_GE(done.failures[0].result.latency_us, 50'000u);
    EXPECT_NE(done.error.find("step 2"), std::string::npos) << done.error;
}

TEST(ScriptRunner, SilenceTimesOutAndContinuesWhenAsked) {
    Fixture f(R"([ { "send": { "text": "a" } }, { "expect": { "any": true }, "timeout_ms": 20 },
                  { "send": { "text": "b" } }, { "expect": { "any": true }, "timeout_ms": 20 } ])",
              ScriptRun::Options{false});
    const ScriptEvent& done = f.runToEnd();
    EXPECT_FALSE(done.passed);
    EXPECT_EQ(f.link.sent.size(), 2u);
    ASSERT_EQ(done.expects.size(), 2u);
    EXPECT_EQ(done.expects[0].outcome, ScriptOutcome::TimedOut);
    EXPECT_EQ(done.failures.at(0).message, "timed out after 20 ms: nothing received");
}

TEST(ScriptRunner, MessagesDuringAWaitAreKeptForTheNextExpect) {
    Fixture f(R"([ { "send": { "text": "go" } }, { "wait_ms": 30 }, { "expect": { "text": "late" }, "timeout_ms": 1 },
                  { "close": "rst" } ])");
    f.link.reply = [](const Bytes&) { return Bytes{'l', 'a', 't', 'e'}; };
    const ScriptEvent& done = f.runToEnd();
    EXPECT_TRUE(done.passed) << done.error;
    EXPECT_EQ(f.link.closed, ScriptCloseMode::Rst);
}

TEST(ScriptRunner, ConnectWaitsForAttachAndDetachFailsTheExpect) {
    Fixture f(R"([ { "close": "fin" }, { "connect": true, "timeout_ms": 5000 }, { "send": { "text": "x" } },
                  { "expect": { "any": true }, "timeout_ms": 5000 } ])");
    f.run->start(&f.link);
    EXPECT_EQ(f.host.connects, 1);
    EXPECT_TRUE(f.run->waitingForConnection());
    Link second(f.io);
    second.run = f.run;
    f.run->attach(&second);
    EXPECT_EQ(second.sent.size(), 1u);
    f.run->detach();   // the session ended while the expect waits
    ASSERT_TRUE(f.host.finished());
    EXPECT_FALSE(f.host.finished()->passed);
    EXPECT_EQ(f.host.finished()->failures.at(0).message, "the connection closed before a matching message came");
}

TEST(ScriptRunner, StepEventsAreBoundedForLongRepeats) {
    Fixture f(R"([ { "repeat": 3000, "steps": [ { "send": { "text": "x" } }, { "expect": { "any": true } } ] } ])");
    f.link.reply = [](const Bytes& b) { return b; };
    const ScriptEvent& done = f.runToEnd();
    EXPECT_TRUE(done.passed);
    std::size_t steps = 0;
    for (const auto& e : f.host.events) steps += e.kind == ScriptEventKind::Step;
    EXPECT_EQ(steps, kScriptStepEvents);
    EXPECT_EQ(done.expects.size(), 3000u);
}

TEST(ScriptRunner, StopEndsTheRunAtOnce) {
    Fixture f(R"([ { "wait_ms": 100000 } ])");
    f.run->start(&f.link);
    f.run->stop("stopped by the user");
    ASSERT_TRUE(f.host.finished());
    EXPECT_TRUE(f.host.finished()->stopped);
    EXPECT_FALSE(f.host.finished()->passed);
    const auto before = std::chrono::steady_clock::now();
    f.io.run_for(std::chrono::seconds(30));   // returns when no work is left: the wait timer was cancelled
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
}

}  // namespace
}  // namespace sockscope
