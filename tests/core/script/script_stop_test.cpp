// A script run ends with its endpoint: one waiting for a tcp-client's connection that never
// comes is cancelled by a stop, with a plain reason, instead of waiting for ever.
#include <gtest/gtest.h>

#include "core/profile/script_json.hpp"
#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::EngineHarness;

std::uint16_t closedPort() {
    test::Listener listener;   // bound, then closed: nothing listens there any more
    return listener.port;
}

TEST(ScriptStop, ARunWaitingForAConnectionEndsWhenTheEndpointStops) {
    EngineHarness h;
    EndpointConfig client;
    client.name = "client";
    client.type = EndpointType::TcpClient;
    client.remote = "127.0.0.1:" + std::to_string(closedPort());
    client.reconnect.enabled = true;          // refused: it keeps retrying, the run keeps waiting
    client.reconnect.initial_ms = 60'000;
    client.reconnect.max_ms = 60'000;
    const auto scripts = scriptsFromJson(
        jsonio::Json::parse(R"([{"name": "s", "steps": [{"send": {"text": "hi"}}, {"expect": {"any": true}, "timeout_ms": 100}]}])"),
        EndpointType::TcpClient);
    ASSERT_EQ(scripts.error, "");
    client.scripts = scripts.scripts;
    client.auto_start = true;
    h.engine.submit(AddEndpoint{1, client});
    ASSERT_TRUE(h.waitForState(1, EndpointState::WaitingRetry));
    h.engine.submit(RunScript{1, "s", 0, 5});
    ASSERT_TRUE(h.sync(1));
    EXPECT_EQ(h.count<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; }), 0u)
        << "still waiting for its connection";
    h.engine.submit(StopEndpoint{1});
    const auto finished = h.waitFor<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; });
    ASSERT_TRUE(finished);
    EXPECT_EQ(finished->run, 5u);
    EXPECT_TRUE(finished->stopped);
    EXPECT_FALSE(finished->passed);
    EXPECT_EQ(finished->error, "the endpoint was stopped while the script waited for a connection");
}

TEST(ScriptStop, ARunningScriptEndsWhenTheEndpointStops) {
    EngineHarness h;
    test::Listener listener;
    EndpointConfig client;
    client.name = "client";
    client.type = EndpointType::TcpClient;
    client.remote = "127.0.0.1:" + std::to_string(listener.port);
    const auto scripts = scriptsFromJson(
        jsonio::Json::parse(R"([{"name": "s", "steps": [{"expect": {"any": true}, "timeout_ms": 60000}]}])"),
        EndpointType::TcpClient);
    client.scripts = scripts.scripts;
    h.engine.submit(AddEndpoint{1, client});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Connected));
    test::SocketPeer peer = listener.accept();
    h.engine.submit(RunScript{1, "s", 0, 9});
    ASSERT_TRUE(h.waitFor<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Started; }));
    h.engine.submit(StopEndpoint{1});
    const auto finished = h.waitFor<ScriptEvent>([](const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; });
    ASSERT_TRUE(finished);
    EXPECT_TRUE(finished->stopped);
    EXPECT_EQ(finished->error, "the endpoint was stopped");
}

}  // namespace
}  // namespace sockscope
