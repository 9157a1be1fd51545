// A udp script's expect after a send takes only datagrams from the address that send went to (its
// device): another host's datagram (a neighbour, a broadcast) is skipped and counted, never a pass.
// Real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include "core/profile/script_json.hpp"
#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::EngineHarness;
using namespace std::chrono_literals;

bool isFinished(const ScriptEvent& e) { return e.kind == ScriptEventKind::Finished; }

struct UdpRig {
    EngineHarness h;
    test::SocketPeer device, stray;
    std::uint16_t port = 0;
    explicit UdpRig(const char* steps) {
        EXPECT_TRUE(device.bindUdp());
        EXPECT_TRUE(stray.bindUdp());
        EndpointConfig udp;
        udp.name = "u";
        udp.type = EndpointType::Udp;
        udp.bind = "127.0.0.1:0";
        udp.remote = "127.0.0.1:" + std::to_string(device.localPort());
        const auto r = scriptsFromJson(jsonio::Json::parse(std::string(R"([{"name": "s", "steps": )") + steps + "}]"),
                                       EndpointType::Udp);
        EXPECT_EQ(r.error, "");
        udp.scripts = r.scripts;
        udp.auto_start = true;
        h.engine.submit(AddEndpoint{1, udp});
        const auto status = h.waitForState(1, EndpointState::Bound);
        if (status) port = static_cast<std::uint16_t>(std::stoi(status->local.substr(status->local.rfind(':') + 1)));
    }
};

TEST(ScriptUdpSender, ADatagramFromAnotherSenderIsNotTheAnswer) {
    UdpRig rig(R"([ { "send": { "text": "READ" } }, { "expect": { "text": "VALUE", "mode": "prefix" }, "timeout_ms": 400 } ])");
    ASSERT_NE(rig.port, 0);
    rig.h.engine.submit(RunScript{1, "s", 0, 1});
    ASSERT_EQ(rig.device.receiveDatagram(5000), "READ");   // the device stays silent
    ASSERT_TRUE(rig.stray.sendTo("VALUE 42", rig.port));
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 5s);
    ASSERT_TRUE(finished);
    EXPECT_FALSE(finished->passed) << "a stranger's datagram passed the expect";
    ASSERT_EQ(finished->failures.size(), 1u);
    EXPECT_EQ(finished->failures[0].result.outcome, ScriptOutcome::TimedOut);
    EXPECT_NE(finished->failures[0].message.find("1 datagram from other senders than 127.0.0.1:" +
                                                 std::to_string(rig.device.localPort()) + " skipped"),
              std::string::npos)
        << finished->failures[0].message;
}

TEST(ScriptUdpSender, TheDevicesAnswerPassesAfterAStrangersDatagram) {
    UdpRig rig(R"([ { "send": { "text": "READ" } }, { "expect": { "text": "VALUE", "mode": "prefix" }, "timeout_ms": 5000 } ])");
    ASSERT_NE(rig.port, 0);
    rig.h.engine.submit(RunScript{1, "s", 0, 1});
    ASSERT_EQ(rig.device.receiveDatagram(5000), "READ");
    ASSERT_TRUE(rig.stray.sendTo("VALUE 1", rig.port));
    ASSERT_TRUE(rig.device.sendTo("VALUE 2", rig.port));
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 5s);
    ASSERT_TRUE(finished);
    EXPECT_TRUE(finished->passed) << finished->error;
}

/// The run talks to one device: a stranger's datagram moves the endpoint's reply-to address (its
/// responders answer whoever sent last), but the run's later sends still go where its first went.
TEST(ScriptUdpSender, LaterSendsStillGoToTheDeviceAfterAStrangersDatagram) {
    UdpRig rig(R"([ { "send": { "text": "READ" } }, { "expect": { "text": "NEVER" }, "timeout_ms": 1000 },
                    { "send": { "text": "SECOND" } } ])");
    ASSERT_NE(rig.port, 0);
    rig.h.engine.submit(RunScript{1, "s", 0, 1, false});   // the failed expect does not end the run
    ASSERT_EQ(rig.device.receiveDatagram(5000), "READ");
    ASSERT_TRUE(rig.stray.sendTo("HELLO", rig.port));   // during the expect
    EXPECT_EQ(rig.device.receiveDatagram(5000), "SECOND") << "the second send did not reach the device";
    EXPECT_EQ(rig.stray.receiveDatagram(300), "") << "the second send went to the stranger";
    const auto finished = rig.h.waitFor<ScriptEvent>(isFinished, 5s);
    ASSERT_TRUE(finished);
    ASSERT_EQ(finished->failures.size(), 1u);
    EXPECT_NE(finished->failures[0].message.find("1 datagram from other senders"), std::string::npos)
        << "the stranger's datagram came before the second send: " << finished->failures[0].message;
}

}  // namespace
}  // namespace sockscope
