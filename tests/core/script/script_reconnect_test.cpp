// A tcp-client script that closes its connection and connects again: each `connect` step opens a
// new connection, also one right after the `close` (while the old connection is still closing).
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

}  // namespace
}  // namespace sockscope
