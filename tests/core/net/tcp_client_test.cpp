// Loopback integration tests of the tcp-client endpoint: connect, resolve, refuse, reconnect.
#include <asio/ip/tcp.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "core/net/tcp_client.hpp"
#include "support/engine_harness.hpp"
#include "support/platform.hpp"
#include "support/socket_peer.hpp"
#ifdef __linux__
#include <unistd.h>

#include "support/process.hpp"   // POSIX only (fork): the mount-namespace test below
#endif

namespace sockscope {
namespace {

using test::bytesOf;
using test::EngineHarness;
using test::SocketPeer;
using namespace std::chrono_literals;
using test::Listener;

/// A port nothing listens on: bind, read the port, close.
std::uint16_t unusedPort() {
    Listener l;
    return l.port;
}

EndpointConfig clientTo(const std::string& remote) {
    EndpointConfig config;
    config.name = "client";
    config.type = EndpointType::TcpClient;
    config.remote = remote;
    config.connect_timeout_ms = 2000;
    return config;
}

TEST(TcpClient, ConnectsSendsAndReceives) {
    Listener device;
    ASSERT_GE(device.fd, 0);
    EngineHarness h;
    h.engine.submit(AddEndpoint{1, clientTo("127.0.0.1:" + std::to_string(device.port))});
    auto peer = device.accept();
    ASSERT_GE(peer.fd(), 0);
    const auto connected = h.waitForState(1, EndpointState::Connected);
    ASSERT_TRUE(connected);
    EXPECT_EQ(connected->remote, "127.0.0.1:" + std::to_string(device.port));
    h.engine.submit(Send{1, 0, bytesOf("PING\r\n"), {}});
    EXPECT_EQ(peer.receive(6), "PING\r\n");
    ASSERT_TRUE(peer.sendAll("PONG\r\n"));
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1) == bytesOf("PONG\r\n"); }));
}

TEST(TcpClient, ReportsWhichAddressANameResolvedTo) {
    Listener device;
    EngineHarness h;
    h.engine.submit(AddEndpoint{1, clientTo("localhost:" + std::to_string(device.port))});
    // localhost may resolve to ::1 first (refused: we listen on IPv4 only) and then 127.0.0.1.
    const auto connecting = h.waitFor<EndpointStatus>([](const EndpointStatus& s) {
        return s.state == EndpointState::Connecting;
    });
    ASSERT_TRUE(connecting);
    EXPECT_EQ(connecting->resolved_from, "localhost:" + std::to_string(device.port));
    EXPECT_TRUE(connecting->remote.rfind("[::1]:", 0) == 0 || connecting->remote.rfind("127.0.0.1:", 0) == 0)
        << connecting->remote;
    auto peer = device.accept();
    const auto connected = h.waitForState(1, EndpointState::Connected);
    ASSERT_TRUE(connected);
    EXPECT_EQ(connected->remote, "127.0.0.1:" + std::to_string(device.port));
}

TEST(TcpClient, RefusedConnectionFailsWithPlainWords) {
    EngineHarness h;
    const auto port = unusedPort();
    h.engine.submit(AddEndpoint{1, clientTo("127.0.0.1:" + std::to_string(port))});
    const auto failed = h.waitForState(1, EndpointState::Failed);
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    EXPECT_EQ(failed->error->code, "ECONNREFUSED");
    EXPECT_NE(failed->error->message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

TEST(TcpClient, UnknownHostNameFailsWithPlainWords) {
    EngineHarness h;
    h.engine.submit(AddEndpoint{1, clientTo("no-such-host.invalid:80")});
    const auto failed = h.waitForState(1, EndpointState::Failed, 20s);
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    EXPECT_EQ(failed->error->code, "ENOTFOUND") << failed->error->message;
    EXPECT_NE(failed->error->message.find("no-such-host.invalid"), std::string::npos);
}

TEST(TcpClient, ReconnectsWithBackoffUntilTheServerComesBack) {
    const auto port = unusedPort();
    EngineHarness h;
    auto config = clientTo("127.0.0.1:" + std::to_string(port));
    config.reconnect.enabled = true;
    config.reconnect.initial_ms = 50;
    config.reconnect.max_ms = 200;
    config.reconnect.jitter = 0;
    h.engine.submit(AddEndpoint{1, config});
    // Three refused attempts, each reported with its delay.
    ASSERT_TRUE(h.pumpUntil([&] {
        return h.count<EndpointStatus>([](const EndpointStatus& s) { return s.state == EndpointState::WaitingRetry; }) >= 3;
    }));
    std::vector<std::uint32_t> delays;
    for (const auto& e : h.events)
        if (const auto* s = std::get_if<EndpointStatus>(&e); s && s->state == EndpointState::WaitingRetry) {
            delays.push_back(s->retry_in_ms);
            ASSERT_TRUE(s->error);
            EXPECT_EQ(s->error->code, "ECONNREFUSED");
        }
    EXPECT_EQ(delays[0], 50u);
    EXPECT_EQ(delays[1], 100u);
    EXPECT_EQ(delays[2], 200u);
    // The server comes back on that port.
    Listener device(port);
    ASSERT_GE(device.fd, 0);
    auto peer = device.accept(3000);
    ASSERT_GE(peer.fd(), 0);
    ASSERT_TRUE(h.waitForState(1, EndpointState::Connected));
    // The server goes away again: the client notices and retries.
    h.mark();
    peer.close();
    ASSERT_TRUE(h.waitFor<ConnectionClosed>());
    ASSERT_TRUE(h.waitForState(1, EndpointState::WaitingRetry));
    auto again = device.accept(3000);
    ASSERT_GE(again.fd(), 0);
    ASSERT_TRUE(h.waitForState(1, EndpointState::Connected));
}

TEST(TcpClient, UserCloseDoesNotTriggerReconnect) {
    Listener device;
    EngineHarness h;
    auto config = clientTo("127.0.0.1:" + std::to_string(device.port));
    config.reconnect.enabled = true;
    config.reconnect.initial_ms = 20;   // a retry would come within the window below
    config.reconnect.jitter = 0;
    h.engine.submit(AddEndpoint{1, config});
    auto peer = device.accept();
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.mark();
    h.engine.submit(CloseConnection{1, id, CloseMode::Graceful});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Stopped));
    ASSERT_TRUE(h.settle(200ms, 1));   // ten retry delays
    EXPECT_EQ(h.count<EndpointStatus>([](const EndpointStatus& s) { return s.state == EndpointState::WaitingRetry; }), 0u);
}

// Tester item: a close for bytes that broke the framing (on_error "close") stopped a reconnecting
// client for good (and ended a headless run with exit 0): it is the peer's doing, as a FIN is.
TEST(TcpClient, AFramingCloseIsALostConnectionAReconnectingClientComesBackFrom) {
    Listener device;
    EngineHarness h;
    auto config = clientTo("127.0.0.1:" + std::to_string(device.port));
    config.reconnect.enabled = true;
    config.reconnect.initial_ms = 20;
    config.reconnect.jitter = 0;
    config.framing.type = FramingType::Delimiter;
    config.framing.delimiter = {';'};
    config.framing.max = 4;
    config.framing.on_error = FramingOnError::Close;
    h.engine.submit(AddEndpoint{1, config});
    auto peer = device.accept();
    ASSERT_GE(peer.fd(), 0);
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    const auto stoppedSoFar = [&] {
        return h.count<EndpointStatus>([](const EndpointStatus& s) { return s.state == EndpointState::Stopped; });
    };
    h.mark();
    const std::size_t stopped_before = stoppedSoFar();
    ASSERT_TRUE(peer.sendAll("toolongforit;"));
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    ASSERT_TRUE(closed->error);
    EXPECT_EQ(closed->error->code, "FRAME_TOO_LONG");
    ASSERT_TRUE(h.waitForState(1, EndpointState::WaitingRetry));
    auto again = device.accept(3000);
    ASSERT_GE(again.fd(), 0) << "the client reconnects";
    EXPECT_EQ(stoppedSoFar(), stopped_before) << "never stopped on the way";
}

TEST(TcpClient, BindsTheRequestedLocalPort) {
    Listener device;
    const auto local = unusedPort();
    EngineHarness h;
    auto config = clientTo("127.0.0.1:" + std::to_string(device.port));
    config.bind = "127.0.0.1:" + std::to_string(local);
    h.engine.submit(AddEndpoint{1, config});
    auto peer = device.accept();
    const auto connected = h.waitForState(1, EndpointState::Connected);
    ASSERT_TRUE(connected);
    EXPECT_EQ(connected->local, "127.0.0.1:" + std::to_string(local));
}

// Tester item: a bind of one IP version and a remote of the other failed with "cannot bind to
// 127.0.0.1:9: this IP version is not supported" (the remote named as the bind address) after a
// warning about IPV6_V6ONLY. Now the mismatch is said as such; a dual-stack [::] bind connects.
TEST(TcpClient, ABindOfTheOtherIpVersionSaysSoAndADualStackBindConnects) {
    if (!test::ipv6LoopbackWorks()) GTEST_SKIP() << test::kNoIpv6Loopback;
    Listener device;
    const std::string remote = "127.0.0.1:" + std::to_string(device.port);
    struct Case { std::string bind, remote, says; };
    const std::vector<Case> cases = {
        {"[::1]:0", remote, "cannot connect to the IPv4 address " + remote + " from the local address [::1]:0 (IPv6): bind to an IPv4 address"},
        {"127.0.0.1:0", "[::1]:9", "cannot connect to the IPv6 address [::1]:9 from the local address 127.0.0.1:0 (IPv4): bind to an IPv6 address"}};
    for (const Case& c : cases) {
        EngineHarness h;
        auto config = clientTo(c.remote);
        config.bind = c.bind;
        h.engine.submit(AddEndpoint{1, config});
        const auto failed = h.waitForState(1, EndpointState::Failed);
        ASSERT_TRUE(failed && failed->error) << c.bind;
        EXPECT_EQ(failed->error->code, "EAFNOSUPPORT");
        EXPECT_EQ(failed->error->message.rfind(c.says, 0), 0u) << failed->error->message;
        EXPECT_EQ(h.count<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "ENOPROTOOPT"; }), 0u)
            << "no option warning on the way";
    }
    EngineHarness h;
    auto config = clientTo(remote);
    config.bind = "[::]:0";
    h.engine.submit(AddEndpoint{1, config});
    auto peer = device.accept();
    const auto connected = h.waitForState(1, EndpointState::Connected);
    ASSERT_TRUE(connected);
    EXPECT_EQ(connected->remote, remote);
    EXPECT_EQ(connected->local.rfind("127.0.0.1:", 0), 0u) << connected->local;
}

TEST(TcpClient, BackoffDoublesUpToTheCap) {
    ReconnectOptions options;
    options.initial_ms = 500;
    options.max_ms = 8000;
    EXPECT_EQ(TcpClient::backoffMs(options, 1), 500u);
    EXPECT_EQ(TcpClient::backoffMs(options, 2), 1000u);
    EXPECT_EQ(TcpClient::backoffMs(options, 5), 8000u);
    EXPECT_EQ(TcpClient::backoffMs(options, 1000), 8000u);
}

TEST(TcpClient, JitterNeverTakesADelayAboveMaxMs) {
    EngineHarness h;
    auto config = clientTo("127.0.0.1:" + std::to_string(unusedPort()));
    config.reconnect.enabled = true;
    config.reconnect.initial_ms = 40;
    config.reconnect.max_ms = 80;
    config.reconnect.jitter = 1.0;
    h.engine.submit(AddEndpoint{1, config});
    constexpr std::size_t kRetries = 8;
    ASSERT_TRUE(h.pumpUntil([&] {
        return h.count<EndpointStatus>([](const EndpointStatus& s) { return s.state == EndpointState::WaitingRetry; }) >=
               kRetries;
    }, 10s));
    for (const auto& e : h.events)
        if (const auto* s = std::get_if<EndpointStatus>(&e); s && s->state == EndpointState::WaitingRetry) {
            EXPECT_LE(s->retry_in_ms, 80u) << "max_ms is a cap, jitter included";
            EXPECT_GE(s->retry_in_ms, 1u);
        }
}

TEST(TcpClient, NegativeJitterIsTreatedAsNone) {
    EngineHarness h;
    auto config = clientTo("127.0.0.1:" + std::to_string(unusedPort()));
    config.reconnect.enabled = true;
    config.reconnect.initial_ms = 30;
    config.reconnect.max_ms = 60;
    config.reconnect.jitter = -0.5;   // undefined behaviour in the RNG if it reached it
    h.engine.submit(AddEndpoint{1, config});
    ASSERT_TRUE(h.pumpUntil([&] {
        return h.count<EndpointStatus>([](const EndpointStatus& s) { return s.state == EndpointState::WaitingRetry; }) >= 3;
    }));
    std::vector<std::uint32_t> delays;
    for (const auto& e : h.events)
        if (const auto* s = std::get_if<EndpointStatus>(&e); s && s->state == EndpointState::WaitingRetry)
            delays.push_back(s->retry_in_ms);
    EXPECT_EQ(delays[0], 30u);
    EXPECT_EQ(delays[1], 60u);
    EXPECT_EQ(delays[2], 60u);
}

TEST(TcpClient, EachAttemptStartsCleanAndResolvingSaysWhat) {
    EngineHarness h;
    const auto port = unusedPort();
    auto config = clientTo("localhost:" + std::to_string(port));
    config.reconnect.enabled = true;
    config.reconnect.initial_ms = 20;
    config.reconnect.jitter = 0;
    h.engine.submit(AddEndpoint{1, config});
    ASSERT_TRUE(h.pumpUntil([&] {
        return h.count<EndpointStatus>([](const EndpointStatus& s) { return s.state == EndpointState::WaitingRetry; }) >= 2;
    }));
    std::size_t resolving = 0, connecting = 0;
    for (const auto& e : h.events) {
        const auto* s = std::get_if<EndpointStatus>(&e);
        if (!s) continue;
        if (s->state == EndpointState::Resolving) {
            ++resolving;
            EXPECT_EQ(s->remote, "localhost:" + std::to_string(port)) << "what is being resolved, as typed";
            EXPECT_FALSE(s->error) << "the previous attempt's error does not belong to this one";
            EXPECT_TRUE(s->local.empty());
        }
        if (s->state == EndpointState::Connecting) {
            ++connecting;
            EXPECT_FALSE(s->error);
            EXPECT_TRUE(s->local.empty()) << "no connection yet: no local address";
            EXPECT_EQ(s->resolved_from, "localhost:" + std::to_string(port));
        }
    }
    EXPECT_GE(resolving, 2u);
    EXPECT_GE(connecting, 2u);
}

#ifdef __linux__
/// A name with two IPv4 loopback addresses and ::1 (tried last, by gai.conf), given by the
/// /etc/hosts of a private mount namespace the test runs itself again in (`unshare -m`: nothing
/// leaks to the host). The variable tells the run inside that it is inside.
constexpr const char* kInHostsNamespace = "SOCKSCOPE_TEST_IN_HOSTS_NAMESPACE";
constexpr const char* kDualName = "sockscope-test-dual";

/// Runs `test` (a gtest filter) again in that namespace; "" when it passed there, else why not.
std::string runInHostsNamespace(const std::string& test, bool& unavailable) {
    unavailable = true;
    if (!std::filesystem::exists("/usr/bin/unshare")) return "no /usr/bin/unshare (util-linux)";
    const auto dir = std::filesystem::temp_directory_path() / ("sockscope-hosts-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "hosts") << "127.0.0.2 " << kDualName << "\n127.0.0.3 " << kDualName << "\n::1 " << kDualName << "\n";
    std::ofstream(dir / "gai.conf") << "precedence ::ffff:0:0/96 100\nprecedence ::1/128 10\n";
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    const std::string script = std::string("mount --bind \"$0/hosts\" /etc/hosts || exit 90; ") +
                               "[ -e /etc/gai.conf ] && mount --bind \"$0/gai.conf\" /etc/gai.conf; " + kInHostsNamespace +
                               "=1 exec \"$1\" --gtest_filter=\"$2\"";
    test::Process run({"/usr/bin/unshare", "-m", "/bin/sh", "-c", script, dir.string(), self, test});
    const int code = run.wait(std::chrono::seconds(60));
    std::filesystem::remove_all(dir);
    if (code == 90 || run.err().find("unshare failed") != std::string::npos)
        return "cannot bind-mount /etc/hosts in a private mount namespace here (needs root and unshare -m)";
    unavailable = false;
    if (code == 0 && run.out().find("[  PASSED  ] 1 test") != std::string::npos) return "";
    return "inside the namespace (exit " + std::to_string(code) + "):\n" + run.out() + run.err();
}

TEST(TcpClient, EveryFailedAddressOfANameIsReported) {
    if (!std::getenv(kInHostsNamespace)) {
        if (!std::filesystem::exists("/etc/gai.conf")) GTEST_SKIP() << "no /etc/gai.conf to put ::1 last";
        bool unavailable = false;
        const std::string why = runInHostsNamespace("TcpClient.EveryFailedAddressOfANameIsReported", unavailable);
        if (unavailable) GTEST_SKIP() << why;
        EXPECT_EQ(why, "");
        return;
    }
    EngineHarness h;
    const auto port = unusedPort();
    const std::string target = std::string(kDualName) + ":" + std::to_string(port);
    {   // the namespace's files are in force: three addresses, ::1 last (nscd would bypass them)
        asio::io_context io;
        asio::ip::tcp::resolver resolver(io);
        std::error_code ec;
        const auto results = resolver.resolve(kDualName, std::to_string(port), ec);
        ASSERT_FALSE(ec) << ec.message();
        ASSERT_EQ(results.size(), 3u);
        auto last = results.begin();
        std::advance(last, 2);
        ASSERT_TRUE(last->endpoint().address().is_v6()) << "::1 must come last for the test to mean anything";
    }
    EndpointConfig config = clientTo(target);
    config.bind = "127.0.0.1:0";   // an IPv4 bind: ::1 is not one of its addresses
    h.engine.submit(AddEndpoint{1, config});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Failed));
    std::vector<ErrorInfo> tried;
    for (const auto& e : h.events)
        if (const auto* error = std::get_if<ErrorEvent>(&e)) {
            EXPECT_EQ(error->error.message.find("[::1]"), std::string::npos) << error->error.message;
            if (error->error.message.find("trying the next address") != std::string::npos) tried.push_back(error->error);
        }
    ASSERT_EQ(tried.size(), 1u) << "the first refusal is reported before the next IPv4 address; none after the last";
    EXPECT_EQ(tried[0].code, "ECONNREFUSED");
    EXPECT_NE(tried[0].message.find("; trying the next address of " + target + ": 127.0.0."), std::string::npos)
        << tried[0].message;
    EXPECT_NE(tried[0].message_zh.find("正在尝试 " + target + " 的下一个地址：127.0.0."), std::string::npos)
        << tried[0].message_zh;
}
#endif   // __linux__

TEST(TcpClient, LinkLocalAddressWithoutZoneSaysSo) {
    EngineHarness h;
    h.engine.submit(AddEndpoint{1, clientTo("[fe80::1]:9")});
    const auto failed = h.waitForState(1, EndpointState::Failed);
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    if (failed->error->code != "EINVAL") GTEST_SKIP() << "this OS answered " << failed->error->code;
    EXPECT_NE(failed->error->message.find("link-local IPv6 address needs a zone"), std::string::npos)
        << failed->error->message;
    EXPECT_NE(failed->error->message.find("[fe80::1%eth0]:9"), std::string::npos) << failed->error->message;
}

}  // namespace
}  // namespace sockscope
