// A script that closes its connection and goes on on a new one. tcp-client: each `connect` step
// opens a new connection, also one right after the `close` (while the old one is still closing).
// tcp-server: the `connect` step waits for the next client (a device that reconnects).
#include <gtest/gtest.h>

#include "core/profile/script_json.hpp"
#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::EngineHarness;

TEST(ScriptReconnect, AConnectStepRightAfterACloseOpensANewConnection) {
    for (const char* mode : {"rst", "fin"}) {
        SCOPED_TRACE(mode);
        EngineHarness h;
        test::Listener listener;
        ASSERT_NE(listener.port, 0);
        EndpointConfig client;
        client.name = "client";
        client.type = EndpointType::TcpClient;
        client.remote = "127.0.0.1:" + std::to_string(listener.port);
        client.auto_start = false;
        const auto scripts = scriptsFromJson(jsonio::Json::parse(std::string(R"([{"name": "s", "steps": [
            {"connect": true, "timeout_ms": 5000}, {"send": {"text": "A"}}, {"close": ")") + mode + R"("},
            {"connect": true, "timeout_ms": 3000}, {"send": {"text": "B"}}]}])"),
                                             EndpointType::TcpClient);
        ASSERT_EQ(scripts.error, "");
        client.scripts = scripts.scripts;
        h.engine.submit(AddEndpoint{1, client});
        h.engine.submit(RunScript{1, "s", 0, 3});
        test::SocketPeer first = listener.accept(5000);
        ASSERT_NE(first.fd(), test::kNoPeerSocket);
        EXPECT_EQ(first.receive(1), "A");
        test::SocketPeer second = listener.accept(5000);
        ASSERT_NE(second.fd(), test::kNoPeerSocket) << "the second connect step did not connect";
        EXPECT_EQ(second.receive(1), "B");
        const auto finished =
            h.waitFor<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; });
        ASSERT_TRUE(finished);
        EXPECT_TRUE(finished->passed) << finished->error;
    }
}

/// A run that begins with `connect` while nothing is connected: the step's timeout bounds the first
/// connection too (not the endpoint's 5 s connect timeout, then "stopped while waiting").
TEST(ScriptReconnect, ALeadingConnectStepEndsAtItsOwnTimeoutNotTheEndpoints) {
    EngineHarness h;
    test::Listener listener(0, 0);
    ASSERT_NE(listener.port, 0);
    test::SocketPeer filler;   // fills the accept queue: the client's SYN goes unanswered
    ASSERT_TRUE(filler.connectTcp(listener.port));
    EndpointConfig client;
    client.name = "client";
    client.type = EndpointType::TcpClient;
    client.remote = "127.0.0.1:" + std::to_string(listener.port);
    client.auto_start = false;
    client.connect_timeout_ms = 20000;
    const auto scripts = scriptsFromJson(
        jsonio::Json::parse(R"([{"name": "s", "steps": [{"connect": true, "timeout_ms": 300}, {"send": {"text": "A"}}]}])"),
        EndpointType::TcpClient);
    ASSERT_EQ(scripts.error, "");
    client.scripts = scripts.scripts;
    h.engine.submit(AddEndpoint{1, client});
    const auto asked = std::chrono::steady_clock::now();
    h.engine.submit(RunScript{1, "s", 0, 3});
    const auto finished = h.waitFor<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; },
                                                 std::chrono::seconds(10));
    ASSERT_TRUE(finished);
    const auto took = std::chrono::steady_clock::now() - asked;
    EXPECT_FALSE(finished->passed);
    if (finished->error.find("refused") != std::string::npos)   // Wine: a full queue refuses at once
        GTEST_SKIP() << "the full accept queue refused the connection: " << finished->error;
    EXPECT_NE(finished->error.find("not connected within 300 ms"), std::string::npos) << finished->error;
    EXPECT_LT(took, std::chrono::seconds(5)) << "the run waited for the endpoint's connect timeout";
}

/// A tcp-server on 127.0.0.1:0 whose one script "s" has these steps; its port (0: not started).
std::uint16_t serverWithScript(EngineHarness& h, const std::string& steps) {
    const auto scripts =
        scriptsFromJson(jsonio::Json::parse(R"([{"name": "s", "steps": [)" + steps + "]}]"), EndpointType::TcpServer);
    EXPECT_EQ(scripts.error, "");
    EndpointConfig server;
    server.scripts = scripts.scripts;
    return h.startServer(1, server);
}

/// The device comes back: a new client says AGAIN and gets OK, and the run passes.
void deviceReconnectsAndTheRunPasses(EngineHarness& h, std::uint16_t port) {
    test::SocketPeer second;
    ASSERT_TRUE(second.connectTcp(port));
    ASSERT_TRUE(second.sendAll("AGAIN"));
    EXPECT_EQ(second.receive(2), "OK");
    const auto finished = h.waitFor<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; });
    ASSERT_TRUE(finished);
    EXPECT_TRUE(finished->passed) << finished->error;
}

constexpr const char* kAfterReconnect =
    R"({"connect": true, "timeout_ms": 5000}, {"expect": {"text": "AGAIN"}, "timeout_ms": 5000}, {"send": {"text": "OK"}})";

/// A tcp-server script that closes its client and talks to the device again when it reconnects;
/// a client that connects while the run is between its close and its connect step counts too.
TEST(ScriptReconnect, ATcpServerConnectStepWaitsForTheNextClient) {
    for (const char* between : {"", R"({"wait_ms": 300},)"}) {
        SCOPED_TRACE(*between ? "the client reconnects during a wait before the connect step" : "connect right after close");
        EngineHarness h;
        const std::uint16_t port = serverWithScript(
            h, std::string(R"({"expect": {"text": "HELLO"}, "timeout_ms": 5000}, {"send": {"text": "BYE"}}, {"close": "fin"},)") +
                   between + kAfterReconnect);
        ASSERT_NE(port, 0);
        h.engine.submit(RunScript{1, "s", 0, 3});   // no client yet: the run waits for the first
        test::SocketPeer first;
        ASSERT_TRUE(first.connectTcp(port));
        ASSERT_TRUE(first.sendAll("HELLO"));
        EXPECT_EQ(first.receive(3), "BYE");
        EXPECT_EQ(first.receive(1), "");
        EXPECT_TRUE(first.eof()) << "the close step did not close the first client";
        deviceReconnectsAndTheRunPasses(h, port);
    }
}

/// The device closes (FIN) instead of the script: the connect step closes our side of that
/// connection (nothing more can come on it) and waits for the device to come back.
TEST(ScriptReconnect, ATcpServerConnectStepAfterThePeersFinWaitsForTheNextClient) {
    EngineHarness h;
    const std::uint16_t port = serverWithScript(
        h, std::string(R"({"expect": {"text": "HELLO"}, "timeout_ms": 5000}, {"send": {"text": "BYE"}}, {"wait_ms": 300},)") +
               kAfterReconnect);
    ASSERT_NE(port, 0);
    h.engine.submit(RunScript{1, "s", 0, 3});
    test::SocketPeer first;
    ASSERT_TRUE(first.connectTcp(port));
    ASSERT_TRUE(first.sendAll("HELLO"));
    EXPECT_EQ(first.receive(3), "BYE");
    first.shutdownSend();   // the device closes its side
    EXPECT_EQ(first.receive(1, 5000), "");
    EXPECT_TRUE(first.eof()) << "the connect step closed our side of the half-closed connection";
    deviceReconnectsAndTheRunPasses(h, port);
}

/// Two runs waiting in a connect step talk to a device each: the first client takes one run, the
/// next client the other (not both runs on the first client).
TEST(ScriptReconnect, RunsWaitingInAConnectStepTakeAClientEach) {
    EngineHarness h;
    const std::uint16_t port = serverWithScript(h, R"({"connect": true, "timeout_ms": 5000}, {"send": {"text": "HI"}})");
    ASSERT_NE(port, 0);
    h.engine.submit(RunScript{1, "s", 0, 3});
    h.engine.submit(RunScript{1, "s", 0, 4});
    ASSERT_TRUE(h.sync(1));
    test::SocketPeer first, second;
    ASSERT_TRUE(first.connectTcp(port));
    EXPECT_EQ(first.receive(2), "HI");
    ASSERT_TRUE(second.connectTcp(port));
    EXPECT_EQ(second.receive(2), "HI") << "the second run waited for a client of its own";
    EXPECT_EQ(first.receive(1, 300), "") << "the first client got one run only";
    const auto finished = [](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; };
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<ScriptEvent>(finished) == 2; }));
    EXPECT_EQ(h.count<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished && e.passed; }), 2u);
}

/// Nobody reconnects: the server's connect step ends at its timeout and says what it waited for.
TEST(ScriptReconnect, ATcpServerConnectStepThatNoClientAnswersEndsAtItsTimeout) {
    EngineHarness h;
    ASSERT_NE(serverWithScript(h, R"({"connect": true, "timeout_ms": 200}, {"send": {"text": "A"}})"), 0);
    h.engine.submit(RunScript{1, "s", 0, 3});
    const auto finished = h.waitFor<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; });
    ASSERT_TRUE(finished);
    EXPECT_FALSE(finished->passed);
    EXPECT_NE(finished->error.find("step 1 (connect): no client connected within 200 ms"), std::string::npos)
        << finished->error;
}

}  // namespace
}  // namespace sockscope
