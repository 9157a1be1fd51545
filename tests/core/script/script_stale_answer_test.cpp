// An expect after a send takes only messages that came after that send: a message older than the
// request cannot be its answer (a device that spoke before the request and then stayed silent
// passed with "latency 0 µs"). Messages that come between the send and the expect (a wait_ms
// after the send) still count. Real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <thread>

#include "core/profile/script_json.hpp"
#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::EngineHarness;
using namespace std::chrono_literals;

std::vector<Script> scriptOf(const char* steps) {
    const auto r = scriptsFromJson(jsonio::Json::parse(std::string(R"([{"name": "s", "steps": )") + steps + "}]"),
                                   EndpointType::TcpClient);
    EXPECT_EQ(r.error, "");
    return r.scripts;
}

bool isFinished(const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; }

struct Rig {
    EngineHarness h;
    test::Listener listener;
    test::SocketPeer device;
    explicit Rig(const char* steps) {
        EndpointConfig client;
        client.name = "client";
        client.type = EndpointType::TcpClient;
        client.remote = "127.0.0.1:" + std::to_string(listener.port);
        client.scripts = scriptOf(steps);
        client.auto_start = true;
        client.framing.type = FramingType::Delimiter;   // "\n" ends a message
        h.engine.submit(AddEndpoint{1, client});
        device = listener.accept(5000);
    }
};

TEST(ScriptStaleAnswer, AMessageFromBeforeTheSendIsNotItsAnswer) {
    Rig rig(R"([ { "wait_ms": 300 }, { "send": { "text": "READ\n" } },
                 { "expect": { "text": "VALUE" }, "timeout_ms": 300 } ])");
    ASSERT_NE(rig.device.fd(), test::kNoPeerSocket);
    rig.h.engine.submit(RunScript{1, "s", 0, 1});
    ASSERT_TRUE(rig.device.sendAll("VALUE\n"));   // during the wait, before the request
    ASSERT_EQ(rig.device.receive(5, 5000), "READ\n");
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 5s);
    ASSERT_TRUE(finished);
    EXPECT_FALSE(finished->passed) << "passed on an answer that predates the request";
    ASSERT_EQ(finished->expects.size(), 1u);
    EXPECT_EQ(finished->expects[0].outcome, ScriptOutcome::TimedOut);
}

TEST(ScriptStaleAnswer, AnAnswerAfterTheSendStillPassesWithItsOwnLatency) {
    // The stale VALUE is skipped; the one sent after READ arrived (during the wait) is taken.
    Rig rig(R"([ { "wait_ms": 300 }, { "send": { "text": "READ\n" } }, { "wait_ms": 300 },
                 { "expect": { "text": "VALUE 2" }, "timeout_ms": 2000 } ])");
    ASSERT_NE(rig.device.fd(), test::kNoPeerSocket);
    rig.h.engine.submit(RunScript{1, "s", 0, 1});
    ASSERT_TRUE(rig.device.sendAll("VALUE 2\n"));   // stale: before the request
    ASSERT_EQ(rig.device.receive(5, 5000), "READ\n");
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(rig.device.sendAll("VALUE 2\n"));   // the answer, during the wait after the send
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 5s);
    ASSERT_TRUE(finished);
    EXPECT_TRUE(finished->passed) << finished->error;
    ASSERT_EQ(finished->expects.size(), 1u);
    EXPECT_GE(finished->expects[0].latency_us, 40'000u) << "the stale message was taken";
}

TEST(ScriptStaleAnswer, WithoutASendMessagesFromTheWaitCount) {
    Rig rig(R"([ { "wait_ms": 300 }, { "expect": { "text": "HELLO" }, "timeout_ms": 300 } ])");
    ASSERT_NE(rig.device.fd(), test::kNoPeerSocket);
    rig.h.engine.submit(RunScript{1, "s", 0, 1});
    ASSERT_TRUE(rig.device.sendAll("HELLO\n"));
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 5s);
    ASSERT_TRUE(finished);
    EXPECT_TRUE(finished->passed) << finished->error;
}

TEST(ScriptStaleAnswer, MessagesPushedOutOfTheWaitsKeepAreSaidWhenTheExpectFails) {
    // 300 messages during the wait: the run keeps the newest 256 for the expect; the 44 older ones
    // (where the answer might have been) are named in the failure instead of vanishing.
    Rig rig(R"([ { "wait_ms": 1000 }, { "expect": { "text": "VALUE" }, "timeout_ms": 300 } ])");
    ASSERT_NE(rig.device.fd(), test::kNoPeerSocket);
    rig.h.engine.submit(RunScript{1, "s", 0, 1});
    std::string flood;
    for (int i = 0; i < 300; ++i) flood += "NOISE " + std::to_string(i) + "\n";
    ASSERT_TRUE(rig.device.sendAll(flood));
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 10s);
    ASSERT_TRUE(finished);
    EXPECT_FALSE(finished->passed);
    EXPECT_NE(finished->error.find("256 message(s) received, none matched (44 earlier messages were not kept: "
                                   "more than 256 messages or 1024 KiB arrived before the expect began)"),
              std::string::npos)
        << finished->error;
}

TEST(ScriptStaleAnswer, NothingIsSaidWhenTheKeepHeldEveryMessage) {
    Rig rig(R"([ { "wait_ms": 600 }, { "expect": { "text": "VALUE" }, "timeout_ms": 300 } ])");
    ASSERT_NE(rig.device.fd(), test::kNoPeerSocket);
    rig.h.engine.submit(RunScript{1, "s", 0, 1});
    ASSERT_TRUE(rig.device.sendAll("NOISE 1\nNOISE 2\n"));
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 10s);
    ASSERT_TRUE(finished);
    EXPECT_FALSE(finished->passed);
    EXPECT_EQ(finished->error.find("not kept"), std::string::npos) << finished->error;
}

}  // namespace
}  // namespace sockscope
