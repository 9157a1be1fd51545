// Issue 6 item 15: the GUI log from a real engine run. Rows are in the order things happened and
// carry the time they happened (status rows were stamped when the UI applied them, ~13 ms after
// the data rows around them; delta mode showed negative times); our own half-close is a row; a
// failed connect is told once, not as an error row and again in the status row after it.
#include <gtest/gtest.h>

#include <string>

#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"
#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {
namespace {

using namespace std::chrono_literals;

std::string textOf(const PayloadLog& log, std::size_t i) {
    const auto b = log.bytes(log.record(i));
    return {b.begin(), b.end()};
}

TEST(LogTimeline, TimesAreNonDecreasingHalfCloseIsARowAndAConnectFailureIsToldOnce) {
    setLanguage(Language::English);
    test::EngineHarness h;
    UiModel model;
    std::size_t applied = 0;
    auto apply = [&] {
        h.pump();
        for (; applied < h.events.size(); ++applied) model.apply(h.events[applied]);
    };

    const std::uint16_t port = h.startServer(1);
    ASSERT_NE(port, 0);
    test::SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(peer.sendAll("ping " + std::to_string(i) + "\n"));
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1).size() >= 20 * 7; }));
    h.engine.submit(Send{1, opened->connection, test::bytesOf("pong\n"), {}});
    h.engine.submit(CloseConnection{1, opened->connection, CloseMode::HalfClose});
    ASSERT_EQ(peer.receive(5), "pong\n");
    EXPECT_EQ(peer.waitForClose(), 0) << "the peer reads our FIN";
    ASSERT_TRUE(h.waitFor<TcpStateChanged>([&](const TcpStateChanged& t) {
        return t.connection == opened->connection &&
               (t.info.state == TcpState::FinWait2 || t.info.state == TcpState::FinWait1);
    }));
    peer.close();
    ASSERT_TRUE(h.waitFor<ConnectionClosed>());

    // A client refused by a port nothing listens on (the server's port after it stops).
    h.engine.submit(RemoveEndpoint{1});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Stopped));
    EndpointConfig client;
    client.type = EndpointType::TcpClient;
    client.name = "client";
    client.remote = "127.0.0.1:" + std::to_string(port);
    h.engine.submit(AddEndpoint{2, client});
    ASSERT_TRUE(h.waitForState(2, EndpointState::Failed));
    apply();

    const PayloadLog& log = model.log;
    ASSERT_GT(log.size(), 8u);
    std::size_t half_closed = 0, refused = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        if (i > 0) {
            EXPECT_GE(log.record(i).time_us, log.record(i - 1).time_us)
                << "row " << i << " '" << textOf(log, i) << "' is older than '" << textOf(log, i - 1) << "'";
        }
        const std::string text = textOf(log, i);
        if (text.find("half-closed by us (FIN sent)") != std::string::npos) ++half_closed;
        if (text.find("ECONNREFUSED") != std::string::npos) ++refused;
    }
    EXPECT_EQ(half_closed, 1u) << "our half-close is one row";
    EXPECT_EQ(refused, 1u) << "the refusal is told once";
}

}  // namespace
}  // namespace sockscope::ui
