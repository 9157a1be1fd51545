// Loopback integration tests of the udp endpoint: echo, destinations, reply-to-sender, multicast.
#include <gtest/gtest.h>

#if defined(_WIN32)
#include <ws2tcpip.h>
#else
#include <netdb.h>
#include <sys/socket.h>
#endif

#include "core/net/udp_endpoint.hpp"
#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::bytesOf;
using test::EngineHarness;
using test::SocketPeer;

EndpointConfig udpOn(const std::string& bind) {
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = bind;
    return config;
}

std::uint16_t portOf(const std::string& address) {
    return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

TEST(UdpEndpoint, EchoesEachDatagramToItsSender) {
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.echo = true;
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    ASSERT_TRUE(peer.sendTo("one", portOf(bound->local)));
    ASSERT_TRUE(peer.sendTo("two", portOf(bound->local)));
    EXPECT_EQ(peer.receiveDatagram(), "one");
    EXPECT_EQ(peer.receiveDatagram(), "two");
    const auto rx = h.waitFor<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Rx; });
    ASSERT_TRUE(rx);
    EXPECT_EQ(rx->peer, "127.0.0.1:" + std::to_string(peer.localPort()));
    EXPECT_EQ(rx->payload, bytesOf("one")) << "each datagram is one message";
}

/// A burst of datagrams is read several per wake; each echo's tx is still published right after
/// its rx (a log or a recording reads rx, tx, rx, tx), not after the next datagram's rx.
TEST(UdpEndpoint, EchoOfABurstIsPublishedRxTxInPairs) {
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.echo = true;
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    constexpr int kBurst = 50;
    for (int i = 0; i < kBurst; ++i) ASSERT_TRUE(peer.sendTo("d" + std::to_string(i), portOf(bound->local)));
    for (int i = 0; i < kBurst; ++i) EXPECT_EQ(peer.receiveDatagram(), "d" + std::to_string(i));
    std::vector<const DataEvent*> data;
    ASSERT_TRUE(h.pumpUntil([&] {
        data.clear();
        for (const auto& e : h.events)
            if (const auto* d = std::get_if<DataEvent>(&e)) data.push_back(d);
        return data.size() == 2 * kBurst;
    }));
    for (int i = 0; i < kBurst; ++i) {
        EXPECT_EQ(data[2 * i]->direction, Direction::Rx) << i;
        EXPECT_EQ(data[2 * i + 1]->direction, Direction::Tx) << i;
        EXPECT_EQ(data[2 * i]->payload, data[2 * i + 1]->payload) << i;
    }
}

TEST(UdpEndpoint, SendsToTheRemoteTheDestinationOrTheLastSender) {
    SocketPeer a, b;
    ASSERT_TRUE(a.bindUdp());
    ASSERT_TRUE(b.bindUdp());
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.remote = "127.0.0.1:" + std::to_string(a.localPort());
    h.engine.submit(AddEndpoint{1, config});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    h.engine.submit(Send{1, 0, bytesOf("to remote"), {}});
    EXPECT_EQ(a.receiveDatagram(), "to remote");
    h.engine.submit(Send{1, 0, bytesOf("to b"), "127.0.0.1:" + std::to_string(b.localPort())});
    EXPECT_EQ(b.receiveDatagram(), "to b");

    // Without a remote, a send replies to the last sender.
    EngineHarness h2;
    h2.engine.submit(AddEndpoint{2, udpOn("127.0.0.1:0")});
    const auto bound2 = h2.waitForState(2, EndpointState::Bound);
    ASSERT_TRUE(bound2);
    h2.engine.submit(Send{2, 0, bytesOf("nobody"), {}});
    const auto error = h2.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "EDESTADDRREQ");
    ASSERT_TRUE(b.sendTo("hi", portOf(bound2->local)));
    ASSERT_TRUE(h2.waitFor<DataEvent>());
    h2.engine.submit(Send{2, 0, bytesOf("reply"), {}});
    EXPECT_EQ(b.receiveDatagram(), "reply");
}

/// Whether "localhost" has an IPv6 address of its own here (then it is not an IPv4-only name).
bool localhostHasIpv6() {
    addrinfo hints{};
    hints.ai_family = AF_INET6;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    const bool has = ::getaddrinfo("localhost", "9", &hints, &found) == 0 && found;
    if (found) ::freeaddrinfo(found);
    return has;
}

/// "localhost" known only as 127.0.0.1: a dual-stack [::] socket sends to it (v4-mapped), and a
/// v6-only one is told that the name has IPv4 addresses only (not that the name is unknown).
TEST(UdpEndpoint, AnIpv4OnlyNameFromAnIpv6Socket) {
    if (localhostHasIpv6()) GTEST_SKIP() << "localhost has an IPv6 address on this host: nothing to map";
    if (!test::ipv6LoopbackWorks()) GTEST_SKIP() << test::kNoIpv6Loopback;
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    const std::string to = "localhost:" + std::to_string(peer.localPort());
    EngineHarness h;
    h.engine.submit(AddEndpoint{1, udpOn("[::]:0")});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Bound));
    h.engine.submit(Send{1, 0, bytesOf("mapped"), to});
    EXPECT_EQ(peer.receiveDatagram(), "mapped") << "dual-stack: the IPv4 address, v4-mapped";

    auto v6_only = udpOn("[::]:0");
    v6_only.options.v6_only = true;
    h.engine.submit(AddEndpoint{2, v6_only});
    ASSERT_TRUE(h.waitForState(2, EndpointState::Bound));
    h.engine.submit(Send{2, 0, bytesOf("lost"), to});
    const auto error = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.endpoint == 2; });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.message.find("unknown"), std::string::npos) << error->error.message;
    EXPECT_NE(error->error.message.find("resolves only to IPv4 addresses (127.0.0.1)"), std::string::npos)
        << error->error.message;
}

/// An address of the other IP version than the socket's is refused in plain words, naming the
/// fix; the kernel's "network unreachable" sent users to their gateway.
TEST(UdpEndpoint, AnAddressOfTheOtherIpVersionIsRefusedInPlainWords) {
    if (!test::ipv6LoopbackWorks()) GTEST_SKIP() << test::kNoIpv6Loopback;
    EngineHarness h;
    h.engine.submit(AddEndpoint{1, udpOn("[::1]:0")});
    h.engine.submit(AddEndpoint{2, udpOn("127.0.0.1:0")});
    auto v6_only = udpOn("[::]:0");
    v6_only.options.v6_only = true;
    h.engine.submit(AddEndpoint{3, v6_only});
    for (EndpointId id : {1u, 2u, 3u}) ASSERT_TRUE(h.waitForState(id, EndpointState::Bound)) << id;
    h.engine.submit(Send{1, 0, bytesOf("x"), "127.0.0.1:9"});
    h.engine.submit(Send{2, 0, bytesOf("x"), "[::1]:9"});
    h.engine.submit(Send{3, 0, bytesOf("x"), "127.0.0.1:9"});
    for (EndpointId id : {1u, 2u, 3u}) {
        const auto error = h.waitFor<ErrorEvent>([id](const ErrorEvent& e) { return e.endpoint == id; });
        ASSERT_TRUE(error) << id;
        EXPECT_EQ(error->error.code, "EAFNOSUPPORT") << id << ": " << error->error.message;
        EXPECT_NE(error->error.message.find(id == 2 ? "cannot send to the IPv6 address ::1 from a socket bound to 127.0.0.1:"
                                                    : "cannot send to the IPv4 address 127.0.0.1 from a socket bound to ["),
                  std::string::npos) << error->error.message;
        EXPECT_FALSE(error->error.message_zh.empty());
    }
    // Tester item: a name with IPv4 addresses only came back v4-mapped, and the kernel said
    // "network unreachable" for it. Where "localhost" has no IPv6 address, it is said as above.
    asio::io_context io;
    asio::ip::udp::resolver resolver(io);
    std::error_code ec;
    const auto v6 = resolver.resolve(asio::ip::udp::v6(), "localhost", "9", ec);
    if (!ec && !v6.empty()) GTEST_SKIP() << "localhost has an IPv6 address here";
    h.engine.submit(Send{1, 0, bytesOf("x"), "localhost:9"});
    const auto error = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.endpoint == 1 && e.error.message.find("localhost") != std::string::npos; });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "EAFNOSUPPORT") << error->error.message;
    EXPECT_NE(error->error.message.find("cannot send to the IPv4 address 127.0.0.1 (localhost has no IPv6 address) from a socket bound to ["),
              std::string::npos) << error->error.message;
}

/// A send to a name waits for the resolver; if the endpoint stops meanwhile, the datagram cannot
/// go, and that is said (it was lost without a word before).
TEST(UdpEndpoint, ASendWhoseNameIsStillResolvingWhenTheEndpointStopsIsReportedNotLost) {
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    EngineHarness h;
    h.engine.submit(AddEndpoint{1, udpOn("127.0.0.1:0")});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Bound));
    // The resolver answers one name at a time: a stop right behind 20 sends meets some unresolved.
    constexpr std::size_t kSends = 20;
    for (std::size_t i = 0; i < kSends; ++i)
        h.engine.submit(Send{1, 0, bytesOf("d" + std::to_string(i)), "localhost:" + std::to_string(peer.localPort())});
    h.engine.submit(StopEndpoint{1});
    // Counted at the peer, not by tx events: a datagram the kernel took just before the stop has
    // left, whether or not its completion still reached the session.
    std::size_t arrived = 0, cancelled = 0;
    ASSERT_TRUE(h.pumpUntil([&] {
        while (!peer.receiveDatagram(0).empty()) ++arrived;
        cancelled = 0;
        for (const auto& e : h.events)
            if (const auto* error = std::get_if<ErrorEvent>(&e); error && error->error.code == "ECANCELED") {
                EXPECT_FALSE(error->error.message_zh.empty());
                // Resolved but still queued at the stop: one message for all ("3 datagrams (6 bytes) ...").
                if (error->error.message.find("not sent: the endpoint stopped") != std::string::npos) {
                    cancelled += std::stoul(error->error.message);
                    continue;
                }
                ++cancelled;
                EXPECT_NE(error->error.message.find("stopped while \"localhost:"), std::string::npos) << error->error.message;
            }
        return arrived + cancelled == kSends;
    })) << arrived << " arrived and " << cancelled << " reported of " << kSends;
}

/// Datagrams still queued when the endpoint stops (here: split pieces waiting behind a gap) are
/// said, not dropped in silence; the piece that left is logged as sent.
TEST(UdpEndpoint, DatagramsStillQueuedAtAStopAreReportedNotSent) {
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.faults = FaultConfig{};
    config.faults->split_size = 2;
    config.faults->split_gap_ms = 60'000;
    h.engine.submit(AddEndpoint{1, config});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Bound));
    const std::string to = "127.0.0.1:" + std::to_string(peer.localPort());
    h.engine.submit(Send{1, 0, bytesOf("abcdefg"), to});   // pieces ab | cd ef g
    h.engine.submit(Send{1, 0, bytesOf("xyz"), to});       // xy z
    EXPECT_EQ(peer.receiveDatagram(), "ab");
    ASSERT_TRUE(h.waitFor<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Tx; }));
    h.mark();
    h.engine.submit(StopEndpoint{1});
    const auto error = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "ECANCELED"; });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->context, ErrorContext::Write);
    EXPECT_EQ(error->error.message, "5 datagrams (8 bytes) not sent: the endpoint stopped");
    EXPECT_EQ(error->error.message_zh, "5 个数据报（8 字节）未发送：端点已停止");
    ASSERT_TRUE(h.waitForState(1, EndpointState::Stopped));
    EXPECT_EQ(peer.receiveDatagram(0), "") << "nothing left after the stop";
}

/// A single datagram left behind is said in the singular, and a restart starts with an empty queue.
TEST(UdpEndpoint, ADatagramQueuedAtAStopIsSaidOnEveryStop) {
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.faults = FaultConfig{};
    config.faults->split_size = 3;
    config.faults->split_gap_ms = 60'000;
    h.engine.submit(AddEndpoint{1, config});
    const std::string to = "127.0.0.1:" + std::to_string(peer.localPort());
    for (int run = 1; run <= 2; ++run) {
        ASSERT_TRUE(h.waitForState(1, EndpointState::Bound)) << run;
        h.engine.submit(Send{1, 0, bytesOf("1234"), to});
        EXPECT_EQ(peer.receiveDatagram(), "123") << run;
        ASSERT_TRUE(h.waitFor<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Tx; })) << run;
        h.mark();
        h.engine.submit(StopEndpoint{1});
        const auto error = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.error.code == "ECANCELED"; });
        ASSERT_TRUE(error) << run;
        EXPECT_EQ(error->error.message, "1 datagram (1 byte) not sent: the endpoint stopped");
        ASSERT_TRUE(h.waitForState(1, EndpointState::Stopped)) << run;
        h.mark();
        h.engine.submit(StartEndpoint{1});
    }
}

/// A delayed echo still waiting when the endpoint stops is said, on every stop: what the session
/// reports on its way out must not count as a repeat of the run before.
TEST(UdpEndpoint, DelayedEchoesStillWaitingAtAStopAreReportedOnEveryStop) {
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.echo = true;
    config.faults = FaultConfig{};
    config.faults->delay_min_ms = config.faults->delay_max_ms = 60'000;
    h.engine.submit(AddEndpoint{1, config});
    auto cancelled = [](const ErrorEvent& e) { return e.endpoint == 1 && e.error.code == "ECANCELED"; };
    for (int run = 1; run <= 2; ++run) {
        const auto bound = h.waitForState(1, EndpointState::Bound);
        ASSERT_TRUE(bound) << run;
        SocketPeer peer;
        ASSERT_TRUE(peer.bindUdp());
        ASSERT_TRUE(peer.sendTo("late", portOf(bound->local)));
        ASSERT_TRUE(h.waitFor<DataEvent>([](const DataEvent& d) { return d.direction == Direction::Rx; })) << run;
        h.mark();
        h.engine.submit(StopEndpoint{1});
        const auto error = h.waitFor<ErrorEvent>(cancelled);
        ASSERT_TRUE(error) << "run " << run;
        EXPECT_EQ(error->error.message, "1 delayed reply (4 bytes) not sent: the endpoint stopped first");
        ASSERT_TRUE(h.waitForState(1, EndpointState::Stopped)) << run;
        h.mark();
        h.engine.submit(StartEndpoint{1});
    }
}

TEST(UdpEndpoint, PortInUseFailsWithPlainWords) {
    SocketPeer squatter;
    ASSERT_TRUE(squatter.bindUdp());
    EngineHarness h;
    auto config = udpOn("127.0.0.1:" + std::to_string(squatter.localPort()));
    config.options.reuse_address = false;
    h.engine.submit(AddEndpoint{1, config});
    const auto failed = h.waitForState(1, EndpointState::Failed);
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    EXPECT_EQ(failed->error->code, "EADDRINUSE");
    EXPECT_NE(failed->error->message.find(std::to_string(squatter.localPort())), std::string::npos);
}

TEST(UdpEndpoint, OversizedDatagramIsRefusedWithAReason) {
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.remote = "127.0.0.1:9";
    h.engine.submit(AddEndpoint{1, config});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Bound));
    h.engine.submit(Send{1, 0, Bytes(70000, 1), {}});
    const auto error = h.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "EMSGSIZE");
}

/// UDP carries 65,527 bytes over IPv6 and 65,507 over IPv4 (the IPv4 header counts against the
/// 65,535 of the length field): an IPv6 echo of the largest datagram goes back whole, and the
/// refusal over IPv4 names its family's limit.
struct LargestCase { const char* bind; std::size_t largest; const char* words; };
void largestDatagram(const LargestCase& c) {
    EngineHarness h;
    auto echo = udpOn(c.bind);
    echo.echo = true;
    h.engine.submit(AddEndpoint{1, echo});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    h.engine.submit(AddEndpoint{2, udpOn(c.bind)});
    ASSERT_TRUE(h.waitForState(2, EndpointState::Bound));
    h.engine.submit(Send{2, 0, Bytes(c.largest, 7), bound->local});
    const auto back = h.waitFor<DataEvent>([](const DataEvent& d) { return d.endpoint == 2 && d.direction == Direction::Rx; });
    ASSERT_TRUE(back) << "the echo of " << c.largest << " bytes came back";
    EXPECT_EQ(back->payload.size(), c.largest);
    h.engine.submit(Send{2, 0, Bytes(c.largest + 1, 7), bound->local});
    const auto error = h.waitFor<ErrorEvent>([](const ErrorEvent& e) { return e.endpoint == 2; });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "EMSGSIZE");
    EXPECT_NE(error->error.message.find(c.words), std::string::npos) << error->error.message;
    EXPECT_FALSE(error->error.message_zh.empty());
}
TEST(UdpEndpoint, TheLargestIpv4DatagramIsSentAndOneMoreIsRefused) {
    largestDatagram({"127.0.0.1:0", 65507, "IPv4 allows (65,507)"});
}
TEST(UdpEndpoint, TheLargestIpv6DatagramIsSentAndOneMoreIsRefused) {
    if (!test::ipv6LoopbackWorks()) GTEST_SKIP() << test::kNoIpv6Loopback;
    largestDatagram({"[::1]:0", 65527, "65,527 over IPv6"});
}

TEST(UdpEndpoint, JoinsAMulticastGroupOnLoopback) {
    EngineHarness h;
    auto receiver = udpOn("0.0.0.0:0");
    receiver.multicast.groups.push_back({"239.255.77.1", "127.0.0.1"});
    h.engine.submit(AddEndpoint{1, receiver});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    h.pump();
    for (const auto& e : h.events)
        if (const auto* error = std::get_if<ErrorEvent>(&e))
            GTEST_SKIP() << "this machine cannot join a multicast group on loopback: " << error->error.message;

    // A sender on loopback with multicast loopback on, sending out of 127.0.0.1.
    const auto fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    in_addr iface{};
    iface.s_addr = htonl(INADDR_LOOPBACK);
    ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, reinterpret_cast<const char*>(&iface), sizeof iface);
    sockaddr_in group{};
    group.sin_family = AF_INET;
    group.sin_port = htons(portOf(bound->local));
    ::inet_pton(AF_INET, "239.255.77.1", &group.sin_addr);
    const bool sent = ::sendto(fd, "mc", 2, 0, reinterpret_cast<sockaddr*>(&group), sizeof group) == 2;
    const int send_errno = test::peerError();
    test::peerClose(fd);
    if (!sent) GTEST_SKIP() << "cannot send multicast on loopback here: " << std::strerror(send_errno);
    const auto rx = h.waitFor<DataEvent>();
    ASSERT_TRUE(rx);
    EXPECT_EQ(rx->payload, bytesOf("mc"));

    // Leaving works too; a bad group is refused in plain words.
    h.engine.submit(LeaveMulticast{1, {"239.255.77.1", "127.0.0.1"}});
    h.engine.submit(JoinMulticast{1, {"10.1.2.3", ""}});
    const auto error = h.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_NE(error->error.message.find("not a multicast group"), std::string::npos);
}

TEST(UdpEndpoint, ParsesKernelDropsFromProcNetUdp) {
    const std::string table =
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
        "  123: 0100007F:2328 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1234 2 0000000000000000 17\n"
        "  124: 0100007F:2329 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1235 2 0000000000000000 5\n";
    EXPECT_EQ(parseProcNetUdpDrops(table, 9000), 17u);
    EXPECT_EQ(parseProcNetUdpDrops(table, 9001), 5u);
    EXPECT_EQ(parseProcNetUdpDrops(table, 9002), 0u);
}

}  // namespace
}  // namespace sockscope

namespace sockscope {
namespace {

// Only the refusal is tested: with broadcast on, the datagram would leave this machine.
TEST(UdpEndpoint, BroadcastWithoutTheOptionIsRefusedInPlainWords) {
    EngineHarness h;
    auto config = udpOn("127.0.0.1:0");
    config.broadcast = false;
    h.engine.submit(AddEndpoint{1, config});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Bound));
    h.engine.submit(Send{1, 0, bytesOf("hello all"), "255.255.255.255:9"});
    const auto error = h.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "EACCES");
    EXPECT_NE(error->error.message.find("broadcast"), std::string::npos) << error->error.message;
}

}  // namespace
}  // namespace sockscope
