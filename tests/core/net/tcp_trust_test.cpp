// Issue 6 ("Trust"): echo never loses a byte, no blocking close on the I/O thread, a RST after
// the peer's FIN is seen, CLOSE_WAIT does not pile up, repeated errors are counted.
#include <gtest/gtest.h>

#include <iostream>

#include <sys/resource.h>
#include <sys/socket.h>

#include "core/net/fd_limits.hpp"
#include "support/engine_harness.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::bytesOf;
using test::EngineHarness;
using test::Process;
using test::SocketPeer;
using namespace std::chrono_literals;

std::uint16_t portOf(const std::string& address) {
    return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

// A python3 peer that sends `total` pseudo-random bytes without reading, waits for SIGUSR1, then
// reads everything back and compares it with what it sent.
constexpr const char* kSlowReader = R"(
import random, signal, socket, sys, threading
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
port, total = int(sys.argv[1]), int(sys.argv[2])
data = random.Random(7).randbytes(total)
s = socket.create_connection(('127.0.0.1', port))
sent = [0]
def sender():
    view = memoryview(data)
    while sent[0] < total:
        sent[0] += s.send(view[sent[0]:sent[0] + 65536])
t = threading.Thread(target=sender, daemon=True)
t.start()
print('connected', flush=True)
signal.sigwait([signal.SIGUSR1])
print('sent before reading', sent[0], flush=True)
got = bytearray()
s.settimeout(60)
while len(got) < total:
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    got += chunk
t.join(60)
print('result', 'same' if bytes(got) == data else 'different', len(got), flush=True)
)";

TEST(TcpTrust, EchoPausesReadingWhenThePeerReadsSlowlyAndLosesNothing) {
    EngineHarness h;
    EndpointConfig config;
    config.echo = true;
    config.write_queue_limit = 1u << 20;
    const auto port = h.startServer(1, config);
    ASSERT_NE(port, 0);
    constexpr std::size_t kTotal = 32u << 20;
    Process peer({"/usr/bin/python3", "-c", kSlowReader, std::to_string(port), std::to_string(kTotal)});
    ASSERT_TRUE(peer.waitForOutput("connected")) << peer.err();
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);

    // Reads paused: our socket's receive queue fills because nothing reads it any more.
    auto full = h.waitFor<TcpStateChanged>(
        [&](const TcpStateChanged& t) { return t.connection == opened->connection && t.info.recv_queue >= (256u << 10); },
        20s);
    ASSERT_TRUE(full) << "the echo kept reading while its write queue was full";
    std::cout << "[ info ] echo paused: our receive queue reached " << full->info.recv_queue << " bytes\n";

    peer.signal(SIGUSR1);
    // Keep draining: the front end's queue is part of the path.
    ASSERT_TRUE(h.pumpUntil([&] { return peer.out().find("result") != std::string::npos; }, 60s))
        << peer.out() << peer.err();
    EXPECT_NE(peer.out().find("result same " + std::to_string(kTotal)), std::string::npos) << peer.out();
    EXPECT_EQ(peer.wait(), 0);
    EXPECT_EQ(h.count<ErrorEvent>(), 0u);
    h.mark();
    h.engine.submit(RefreshState{1});
    const auto stats = h.waitFor<StatsEvent>([](const StatsEvent& s) { return s.endpoint == 1; });
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->echo_dropped, 0u);
    EXPECT_EQ(stats->totals.rx_bytes, kTotal);
    EXPECT_EQ(stats->totals.tx_bytes, kTotal);
}

TEST(TcpTrust, EchoAfterOurFinIsCountedAndReportedOnce) {
    EngineOptions options = EngineHarness::fastOptions();
    options.error_repeat_window = 100ms;
    EngineHarness h(options);
    EndpointConfig config;
    config.echo = true;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    h.engine.submit(CloseConnection{1, id, CloseMode::HalfClose});
    EXPECT_EQ(peer.waitForClose(), 0);
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(peer.sendAll("x"));
        ASSERT_TRUE(h.waitFor<DataEvent>([&](const DataEvent& d) { return d.direction == Direction::Rx; }));
        h.mark();
    }
    const auto summary = h.waitFor<ErrorEvent>(
        [](const ErrorEvent& e) { return e.error.message.find("repeated") != std::string::npos; });
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->error.code, "ESHUTDOWN");
    EXPECT_EQ(h.count<ErrorEvent>([](const ErrorEvent& e) { return e.error.message.find("repeated") == std::string::npos; }),
              1u) << "one event, then a count";
    h.engine.submit(RefreshState{1});
    const auto stats = h.waitFor<StatsEvent>([](const StatsEvent& s) { return s.echo_dropped == 5; });
    EXPECT_TRUE(stats);
}

/// A peer that cannot take our data: tiny receive buffer, never reads.
int stuckPeer(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int size = 2048;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// A server with SO_LINGER, `n` connections each with unacknowledged data in the kernel (none
/// left in our own queue), and a UDP echo endpoint (id 2) to measure the I/O thread's latency.
struct LingerSetup {
    EngineHarness h;
    std::vector<SocketPeer> peers;
    std::vector<ConnectionId> ids;
    SocketPeer udp;
    std::uint16_t udp_port = 0;

    void start(int linger_s, int n) {
        EndpointConfig config;
        config.options.linger_s = linger_s;
        config.options.send_buffer = 256 << 10;
        const auto port = h.startServer(1, config);
        ASSERT_NE(port, 0);
        EndpointConfig echo;
        echo.type = EndpointType::Udp;
        echo.name = "echo";
        echo.bind = "127.0.0.1:0";
        echo.echo = true;
        h.engine.submit(AddEndpoint{2, echo});
        const auto bound = h.waitForState(2, EndpointState::Bound);
        ASSERT_TRUE(bound);
        udp_port = portOf(bound->local);
        ASSERT_TRUE(udp.bindUdp());
        for (int i = 0; i < n; ++i) {
            const int fd = stuckPeer(port);
            ASSERT_GE(fd, 0);
            peers.emplace_back(fd);
            const auto opened = h.waitFor<ConnectionOpened>();
            ASSERT_TRUE(opened);
            ids.push_back(opened->connection);
            h.mark();
            h.engine.submit(Send{1, opened->connection, Bytes(64 << 10, 'L'), {}});
            // Written to the kernel (our queue is empty), mostly not acknowledged by the peer.
            ASSERT_TRUE(h.waitFor<DataEvent>([&](const DataEvent& d) {
                return d.connection == opened->connection && d.direction == Direction::Tx;
            }));
        }
    }

    /// Round trip of one datagram through the UDP echo endpoint.
    std::chrono::milliseconds echoRoundTrip() {
        const auto start = std::chrono::steady_clock::now();
        EXPECT_TRUE(udp.sendTo("ping", udp_port));
        EXPECT_EQ(udp.receiveDatagram(10000), "ping");
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    }
};

TEST(TcpTrust, LingeringCloseDoesNotBlockOtherEndpoints) {
    LingerSetup s;
    s.start(2, 1);
    if (HasFailure()) return;
    s.h.mark();
    s.h.engine.submit(CloseConnection{1, s.ids[0], CloseMode::Graceful});
    const auto latency = s.echoRoundTrip();
    EXPECT_LT(latency, 1000ms) << "the I/O thread blocked in close() for linger_s";
    std::cout << "[ info ] udp echo round trip during a lingering close: " << latency.count() << " ms\n";
    // The close still honours linger_s: FIN now, closed when linger_s runs out unacknowledged.
    const auto closed = s.h.waitFor<ConnectionClosed>(5s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalGraceful);
    ASSERT_TRUE(closed->error);
    EXPECT_EQ(closed->error->code, "ETIMEDOUT");
    EXPECT_NE(closed->error->message.find("linger_s 2 s"), std::string::npos) << closed->error->message;
    EXPECT_EQ(s.h.count<EndpointStatus>([](const EndpointStatus& e) { return e.state == EndpointState::Failed; }), 0u);
}

TEST(TcpTrust, LingeringCloseEndsAsSoonAsThePeerAcknowledges) {
    LingerSetup s;
    s.start(10, 1);
    if (HasFailure()) return;
    s.h.mark();
    s.h.engine.submit(CloseConnection{1, s.ids[0], CloseMode::Graceful});
    // The peer reads everything: our FIN is acknowledged, the close completes without waiting 10 s.
    EXPECT_EQ(s.peers[0].receive(64 << 10, 5000).size(), std::size_t(64 << 10));
    const auto closed = s.h.waitFor<ConnectionClosed>(5s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalGraceful);
    EXPECT_FALSE(closed->error) << closed->error->message;
    EXPECT_EQ(s.peers[0].waitForClose(), 0) << "FIN, not a reset";
}

TEST(TcpTrust, ShutdownWithLingeringConnectionsIsPrompt) {
    LingerSetup s;
    s.start(3, 3);
    if (HasFailure()) return;
    EXPECT_LT(s.echoRoundTrip(), 1000ms);
    const auto start = std::chrono::steady_clock::now();
    s.h.engine.shutdown();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 1500ms) << "shutdown waited for linger_s per connection";
    std::cout << "[ info ] shutdown with 3 lingering connections: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
}

TEST(TcpTrust, ResetAfterThePeersFinIsSeen) {
    EndpointConfig config;
    config.close_wait_timeout_s = -1;   // stay in CLOSE_WAIT: only the RST may end it
    EngineHarness h;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto id = h.waitFor<ConnectionOpened>()->connection;
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    peer.resetOnClose();
    peer.close();
    const auto closed = h.waitFor<ConnectionClosed>(5s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->connection, id);
    EXPECT_EQ(closed->reason, CloseReason::PeerReset);
    ASSERT_TRUE(closed->error);
    EXPECT_NE(closed->error->message.find("after it had closed its side"), std::string::npos) << closed->error->message;
    h.engine.submit(RefreshState{1});
    const auto stats = h.waitFor<StatsEvent>([](const StatsEvent& s) { return s.endpoint == 1; });
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->open_connections, 0u) << "a reset connection no longer counts against max_connections";
}

TEST(TcpTrust, ResetAfterFinFromAPythonPeer) {
    EndpointConfig config;
    config.close_wait_timeout_s = -1;
    EngineHarness h;
    const auto port = h.startServer(1, config);
    Process peer({"/usr/bin/python3", "-c",
                  "import signal, socket, struct, sys\n"
                  "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])\n"
                  "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n"
                  "s.shutdown(socket.SHUT_WR)\n"
                  "print('fin', flush=True)\n"
                  "signal.sigwait([signal.SIGUSR1])\n"
                  "s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\n"
                  "s.close()\n"
                  "print('reset', flush=True)\n",
                  std::to_string(port)});
    ASSERT_TRUE(peer.waitForOutput("fin")) << peer.err();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    peer.signal(SIGUSR1);
    ASSERT_TRUE(peer.waitForOutput("reset")) << peer.err();
    const auto closed = h.waitFor<ConnectionClosed>(5s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::PeerReset);
    EXPECT_EQ(peer.wait(), 0);
}

TEST(TcpTrust, CloseWaitEndsAfterTheTimeoutAndSaysWhy) {
    EndpointConfig config;
    config.close_wait_timeout_s = 0.3;
    EngineHarness h;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<TcpStateChanged>([](const TcpStateChanged& t) { return t.info.state == TcpState::CloseWait; }));
    const auto closed = h.waitFor<ConnectionClosed>(5s);
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalGraceful);
    ASSERT_TRUE(closed->error);
    EXPECT_EQ(closed->error->code, "CLOSE_WAIT_TIMEOUT");
    EXPECT_EQ(closed->error->message, "closed after 0.3 s in CLOSE_WAIT (close_wait_timeout_s)");
    EXPECT_EQ(peer.waitForClose(), 0) << "closed with FIN";
}

TEST(TcpTrust, CloseWaitTimeoutDefaultsToThirtySecondsAndZeroClosesAtOnce) {
    EXPECT_EQ(EndpointConfig{}.close_wait_timeout_s, 30.0);
    EndpointConfig config;
    config.close_wait_timeout_s = 0;
    EngineHarness h;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    peer.shutdownSend();
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::PeerClosed);
    EXPECT_EQ(peer.waitForClose(), 0);
}

TEST(TcpTrust, RejectedClientsAreOneEventThenACount) {
    EngineOptions options = EngineHarness::fastOptions();
    options.error_repeat_window = 300ms;
    EngineHarness h(options);
    EndpointConfig config;
    config.max_connections = 1;
    const auto port = h.startServer(1, config);
    SocketPeer first;
    ASSERT_TRUE(first.connectTcp(port));
    ASSERT_TRUE(h.waitFor<ConnectionOpened>());
    constexpr int kRejected = 30;
    for (int i = 0; i < kRejected; ++i) {
        SocketPeer extra;
        ASSERT_TRUE(extra.connectTcp(port));
        extra.waitForClose();   // closed at once by the server
    }
    // One event at once, then counts (one per window): together they account for every client.
    auto reported = [&] {
        std::size_t total = 0;
        for (const auto& e : h.events)
            if (const auto* error = std::get_if<ErrorEvent>(&e)) {
                EXPECT_EQ(error->error.code, "EMAXCONN");
                const auto at = error->error.message.find("(repeated ");
                total += at == std::string::npos ? 1 : std::stoul(error->error.message.substr(at + 10));
            }
        return total;
    };
    ASSERT_TRUE(h.pumpUntil([&] { return reported() == kRejected; }, 10s)) << reported();
    EXPECT_LE(h.count<ErrorEvent>(), 4u) << "one event, then a count per window";
    h.engine.submit(RefreshState{1});
    const auto stats = h.waitFor<StatsEvent>([&](const StatsEvent& s) { return s.rejected_total == kRejected; });
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->accepted_total, 1u) << "accepted counts only clients that became connections";
}

bool ipv6Works() {
    const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

TEST(TcpTrust, DualStackBindAgainstAnIpv4HolderNamesIt) {
    if (!ipv6Works()) GTEST_SKIP() << "no IPv6";
    EngineHarness h;
    const auto port = h.startServer(1);   // 127.0.0.1:port, IPv4
    ASSERT_NE(port, 0);
    for (const auto type : {EndpointType::TcpServer, EndpointType::Udp}) {
        EndpointConfig config;
        config.name = "v6";
        config.type = type;
        config.bind = "[::]:" + std::to_string(port);
        int udp_fd = -1;
        if (type == EndpointType::Udp) {   // an IPv4 UDP socket on the same port
            udp_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(port);
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            ASSERT_EQ(::bind(udp_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        }
        h.mark();
        h.engine.submit(AddEndpoint{2, config});
        const auto failed = h.waitForState(2, EndpointState::Failed);
        if (udp_fd >= 0) ::close(udp_fd);
        ASSERT_TRUE(failed);
        ASSERT_TRUE(failed->error);
        EXPECT_EQ(failed->error->code, "EADDRINUSE");
        EXPECT_NE(failed->error->message.find("held by an IPv4 socket"), std::string::npos) << failed->error->message;
        EXPECT_EQ(failed->error->message.find("listening on [::]"), std::string::npos) << failed->error->message;
    }
}

TEST(TcpTrust, Ipv6GroupOnAnIpv4SocketSaysWhy) {
    EngineHarness h;
    EndpointConfig config;
    config.name = "udp";
    config.type = EndpointType::Udp;
    config.bind = "127.0.0.1:0";
    h.engine.submit(AddEndpoint{1, config});
    ASSERT_TRUE(h.waitForState(1, EndpointState::Bound));
    h.engine.submit(JoinMulticast{1, {"ff02::1:3", ""}});
    const auto error = h.waitFor<ErrorEvent>();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->error.code, "EAFNOSUPPORT");
    EXPECT_NE(error->error.message.find("bound to IPv4"), std::string::npos) << error->error.message;
    const auto& m = error->error.message;
    EXPECT_EQ(m.find("ff02::1:3", m.find("ff02::1:3") + 1), std::string::npos) << "the group is named once: " << m;
}

TEST(TcpTrust, ResetAtShutdownSaysItWasAnAbortAndWhy) {
    EngineHarness h;
    const auto port = h.startServer(1);
    const int fd = stuckPeer(port);
    ASSERT_GE(fd, 0);
    SocketPeer peer(fd);
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    h.engine.submit(Send{1, opened->connection, Bytes(4u << 20, 'q'), {}});
    h.engine.submit(RefreshState{1});
    ASSERT_TRUE(h.waitFor<StatsEvent>([](const StatsEvent& s) { return s.endpoint == 1; }));   // sync point
    h.engine.shutdown();
    h.pump();
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalAbort);
    ASSERT_TRUE(closed->error);
    EXPECT_NE(closed->error->message.find("reset at shutdown: "), std::string::npos) << closed->error->message;
    EXPECT_NE(closed->error->message.find("bytes were still queued"), std::string::npos) << closed->error->message;
    EXPECT_EQ(peer.waitForClose(), ECONNRESET);
}

TEST(TcpTrust, OutOfDescriptorsIsOneEventThenACount) {
    EngineOptions options = EngineHarness::fastOptions();
    options.error_repeat_window = 500ms;
    EngineHarness h(options);
    const auto port = h.startServer(1);
    ASSERT_NE(port, 0);
    {   // One connection first, with descriptors to spare: UBSan checks a type on first use through a
        // pipe, which would fail (a false report) if the first accept happened at the limit.
        SocketPeer warm_up;
        ASSERT_TRUE(warm_up.connectTcp(port));
        ASSERT_TRUE(h.waitFor<ConnectionOpened>());
        warm_up.resetOnClose();
        warm_up.close();
        ASSERT_TRUE(h.waitFor<ConnectionClosed>());
    }
    // The client runs in its own process (its own descriptor limit), started before ours is lowered.
    Process clients({"/usr/bin/python3", "-c",
                     "import signal, socket, sys\n"
                     "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGUSR2])\n"
                     "print('ready', flush=True)\n"
                     "signal.sigwait([signal.SIGUSR1])\n"
                     "s = [socket.create_connection(('127.0.0.1', int(sys.argv[1]))) for _ in range(2)]\n"
                     "print('connected', flush=True)\n"
                     "signal.sigwait([signal.SIGUSR2])\n",
                     std::to_string(port)});
    ASSERT_TRUE(clients.waitForOutput("ready")) << clients.err();
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit low = saved;
    low.rlim_cur = openFileCount() + 1;   // the next accept fails with EMFILE
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    clients.signal(SIGUSR1);
    const auto summary = h.waitFor<ErrorEvent>(
        [](const ErrorEvent& e) { return e.error.message.find("(repeated ") != std::string::npos; }, 10s);
    ::setrlimit(RLIMIT_NOFILE, &saved);
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->error.code, "EMFILE");
    EXPECT_EQ(h.count<ErrorEvent>([](const ErrorEvent& e) {
                  return e.error.code == "EMFILE" && e.error.message.find("(repeated ") == std::string::npos;
              }),
              1u) << "one event, then counts, not one every 200 ms";
    // With descriptors back, the waiting clients are accepted.
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<ConnectionOpened>() >= 2; }, 10s));
    clients.signal(SIGUSR2);
    EXPECT_EQ(clients.wait(), 0);
}

TEST(TcpTrust, LingerZeroCloseIsReportedAsTheResetItIs) {
    EngineHarness h;
    EndpointConfig config;
    config.options.linger_s = 0;
    const auto port = h.startServer(1, config);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    h.engine.submit(CloseConnection{1, opened->connection, CloseMode::Graceful});
    const auto closed = h.waitFor<ConnectionClosed>();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->reason, CloseReason::LocalAbort) << "the kernel sends RST, not FIN";
    ASSERT_TRUE(closed->error);
    EXPECT_EQ(closed->error->code, "LINGER_0");
    EXPECT_EQ(peer.waitForClose(), ECONNRESET);
}

}  // namespace
}  // namespace sockscope
