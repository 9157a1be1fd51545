// The kernel's view of real loopback connections (127.0.0.1 / ::1, port 0): TCP_INFO states through
// a half-close, the socket table with its TIME_WAIT leftovers, queues, and EADDRINUSE messages.
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "core/net/error_text.hpp"
#include "core/net/tcp_state.hpp"

namespace sockscope {
namespace {

using asio::ip::tcp;

/// Polls `done` every 10 ms for up to 2 s: state changes travel through the kernel asynchronously.
bool waitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 200; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
}

std::intptr_t handle(tcp::socket& s) { return static_cast<std::intptr_t>(s.native_handle()); }
std::intptr_t handle(tcp::acceptor& a) { return static_cast<std::intptr_t>(a.native_handle()); }

/// Windows without SIO_TCP_INFO (Wine) answers from the last table read, which the engine does
/// on its probe thread: the test reads the table first, as that thread would.
std::optional<TcpInfo> query(std::intptr_t native_socket) {
#if defined(_WIN32)
    (void)countTcpSocketsOnPorts({});
#endif
    return queryTcpInfo(native_socket);
}

TcpState stateOf(tcp::socket& s) {
    const auto info = query(handle(s));
    return info ? info->state : TcpState::Unknown;
}

std::uint32_t countOnPort(std::uint16_t port, TcpState state) {
    const auto counts = countTcpSocketsOnPort(port);
    return counts ? counts->count(state) : 0;
}

/// Reads (non-blocking, bounded) until the peer's FIN shows up as EOF; discards data.
bool readUntilEof(tcp::socket& s) {
    s.non_blocking(true);
    char buffer[4096];
    for (int i = 0; i < 200; ++i) {
        asio::error_code ec;
        s.read_some(asio::buffer(buffer), ec);
        if (ec == asio::error::eof) return true;
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if (ec) return false;
    }
    return false;
}

/// A listener on 127.0.0.1 (or ::1) port 0 and one accepted connection to it.
struct LoopbackPair {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    tcp::socket client{io};
    tcp::socket server{io};
    std::uint16_t port = 0;

    explicit LoopbackPair(const asio::ip::address& address = asio::ip::address_v4::loopback()) {
        const tcp::endpoint endpoint(address, 0);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
        client.connect(tcp::endpoint(address, port));
        acceptor.accept(server);
    }
};

bool ipv6LoopbackWorks() {
    asio::io_context io;
    tcp::acceptor probe(io);
    asio::error_code ec;
    probe.open(tcp::v6(), ec);
    if (!ec) probe.bind(tcp::endpoint(asio::ip::address_v6::loopback(), 0), ec);
    return !ec;
}

bool haveSocketTable() { return countTcpSocketsOnPort(1).has_value(); }

TEST(TcpStateLive, ConnectedPairIsEstablishedAndListenerListens) {
    LoopbackPair pair;
    const auto client = query(handle(pair.client));
    const auto server = query(handle(pair.server));
    const auto listener = query(handle(pair.acceptor));
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(server.has_value());
    ASSERT_TRUE(listener.has_value());
    EXPECT_EQ(client->state, TcpState::Established);
    EXPECT_EQ(server->state, TcpState::Established);
    EXPECT_EQ(listener->state, TcpState::Listen);
    EXPECT_EQ(listener->unacked, 0u);
    EXPECT_EQ(server->recv_queue, 0u);
    EXPECT_EQ(client->retransmits, 0u);
}

TEST(TcpStateLive, NonTcpAndInvalidHandlesGiveNothing) {
    asio::io_context io;
    asio::ip::udp::socket udp(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
    EXPECT_FALSE(queryTcpInfo(static_cast<std::intptr_t>(udp.native_handle())).has_value());
    EXPECT_FALSE(queryTcpInfo(-1).has_value());
}

TEST(TcpStateLive, HalfCloseShowsCloseWaitAndFinWait2ThenTimeWaitInTheTable) {
    LoopbackPair pair;
    const std::uint16_t client_port = pair.client.local_endpoint().port();

    // The client closes its sending side first: it sends FIN, the server reads EOF.
    pair.client.shutdown(tcp::socket::shutdown_send);
    ASSERT_TRUE(readUntilEof(pair.server));
    EXPECT_TRUE(waitFor([&] { return stateOf(pair.server) == TcpState::CloseWait; }))
        << toString(stateOf(pair.server));
    EXPECT_TRUE(waitFor([&] { return stateOf(pair.client) == TcpState::FinWait2; }))
        << toString(stateOf(pair.client));

    // Now the server closes too; the client, which closed first, goes to TIME_WAIT.
    pair.server.close();
#if defined(__linux__)
    // Linux hands TIME_WAIT to a separate mini-socket: the handle we still hold reads CLOSE.
    EXPECT_TRUE(waitFor([&] { return stateOf(pair.client) == TcpState::Close; }))
        << toString(stateOf(pair.client));
#endif
    if (!haveSocketTable()) GTEST_SKIP() << "no socket table on this OS";
    EXPECT_TRUE(waitFor([&] { return countOnPort(client_port, TcpState::TimeWait) >= 1; }));
    pair.client.close();
    const auto counts = countTcpSocketsOnPort(client_port);
    ASSERT_TRUE(counts.has_value());
    EXPECT_GE(counts->count(TcpState::TimeWait), 1u) << "TIME_WAIT outlives the handle";
    // No "Established == 0" here: the table is the host's, and Linux lets another process's
    // outgoing connection share this local port with a different peer (seen on a busy machine).
}

TEST(TcpStateLive, ReceiveQueueShowsUnreadBytes) {
    LoopbackPair pair;
    const std::vector<char> data(1000, 'x');
    ASSERT_EQ(asio::write(pair.client, asio::buffer(data)), data.size());
    EXPECT_TRUE(waitFor([&] {
        const auto info = query(handle(pair.server));
        return info && info->recv_queue == 1000u;
    }));
    // Loopback acknowledges at once: nothing stays unacknowledged on the sender.
    EXPECT_TRUE(waitFor([&] {
        const auto info = query(handle(pair.client));
        return info && info->send_queue == 0u && info->unacked == 0u;
    }));
}

TEST(TcpStateLive, SendQueueFillsWhenThePeerDoesNotRead) {
    LoopbackPair pair;
    pair.server.set_option(asio::socket_base::receive_buffer_size(4096));
    pair.client.non_blocking(true);
    const std::vector<char> chunk(64 * 1024, 'y');
    bool blocked = false;
    for (int i = 0; i < 2000 && !blocked; ++i) {  // at most 128 MiB; the window closes long before
        asio::error_code ec;
        pair.client.write_some(asio::buffer(chunk), ec);
        blocked = ec == asio::error::would_block || ec == asio::error::try_again;
        ASSERT_TRUE(!ec || blocked) << ec.message();
    }
    ASSERT_TRUE(blocked);
    const auto client = query(handle(pair.client));
    const auto server = query(handle(pair.server));
    ASSERT_TRUE(client.has_value());
    ASSERT_TRUE(server.has_value());
#if defined(_WIN32)
    if (client->send_queue == 0) GTEST_SKIP() << "no SIO_TCP_INFO here (Wine): the send queue is unknown";
#endif
    EXPECT_GT(client->send_queue, 0u);
    EXPECT_GT(server->recv_queue, 0u);
}

TEST(TcpStateLive, SocketTableSeesIpv4AndIpv6Listeners) {
    if (!haveSocketTable()) GTEST_SKIP() << "no socket table on this OS";
    LoopbackPair v4;
    auto counts = countTcpSocketsOnPort(v4.port);
    ASSERT_TRUE(counts.has_value());
    EXPECT_EQ(counts->count(TcpState::Listen), 1u);
    EXPECT_EQ(counts->count(TcpState::Established), 1u) << "the accepted socket shares the port";
    if (!ipv6LoopbackWorks()) GTEST_SKIP() << "no IPv6 loopback";
    LoopbackPair v6(asio::ip::address_v6::loopback());
    counts = countTcpSocketsOnPort(v6.port);
    ASSERT_TRUE(counts.has_value());
    EXPECT_EQ(counts->count(TcpState::Listen), 1u);
    EXPECT_EQ(counts->count(TcpState::Established), 1u);
}

#if defined(__linux__)
std::string readFile(const char* path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(TcpStateLive, NetlinkCountsAgreeWithTheProcTable) {
    // countTcpSocketsOnPort uses sock_diag; the /proc text parser (its fallback) must read the
    // kernel's real table the same way.
    LoopbackPair v4;
    LoopbackPair v6(ipv6LoopbackWorks() ? asio::ip::address(asio::ip::address_v6::loopback())
                                        : asio::ip::address(asio::ip::address_v4::loopback()));
    v4.client.shutdown(tcp::socket::shutdown_send);
    ASSERT_TRUE(readUntilEof(v4.server));
    ASSERT_TRUE(waitFor([&] { return stateOf(v4.server) == TcpState::CloseWait; }));
    for (std::uint16_t port : {v4.port, v6.port, v4.client.local_endpoint().port()}) {
        PortStateCounts from_proc;
        addProcNetTcpCounts(readFile("/proc/net/tcp"), port, from_proc);
        addProcNetTcpCounts(readFile("/proc/net/tcp6"), port, from_proc);
        const auto counts = countTcpSocketsOnPort(port);
        ASSERT_TRUE(counts.has_value());
        EXPECT_EQ(*counts, from_proc) << "port " << port;
        EXPECT_GE(counts->total(), 1u);
    }
    const auto server_port = countTcpSocketsOnPort(v4.port);
    EXPECT_EQ(server_port->count(TcpState::Listen), 1u);
    EXPECT_EQ(server_port->count(TcpState::CloseWait), 1u);
    EXPECT_EQ(countTcpSocketsOnPort(v4.client.local_endpoint().port())->count(TcpState::FinWait2), 1u);
}
#endif

TEST(TcpStateLive, BindOverAListenerExplainsWhoHoldsThePort) {
    LoopbackPair pair;
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), pair.port);
    tcp::acceptor second(pair.io);
    second.open(endpoint.protocol());
    second.set_option(tcp::acceptor::reuse_address(true));  // never allows binding over a listener
    asio::error_code ec;
    second.bind(endpoint, ec);
#if defined(_WIN32)
    // Windows' SO_REUSEADDR lets a second socket bind over a listener that did not take the port
    // with SO_EXCLUSIVEADDRUSE; Wine refuses with WSAEACCES: the text must explain either refusal.
    if (!ec) GTEST_SKIP() << "Windows shares the port between two SO_REUSEADDR sockets";
    if (ec == asio::error::access_denied) {
        const ErrorInfo denied = describeError(ec, ErrorContext::Bind, "127.0.0.1:" + std::to_string(pair.port));
        EXPECT_EQ(denied.code, "EACCES");
        EXPECT_NE(denied.message.find("SO_EXCLUSIVEADDRUSE"), std::string::npos) << denied.message;
        EXPECT_NE(denied.message.find("WSAEACCES"), std::string::npos) << denied.message;
        return;
    }
#endif
    ASSERT_TRUE(ec) << "second bind unexpectedly succeeded";
    const auto counts = countTcpSocketsOnPort(pair.port);
    const std::string target = "127.0.0.1:" + std::to_string(pair.port);
    const ErrorInfo info = describeError(ec, ErrorContext::Bind, target, counts ? &*counts : nullptr);
    EXPECT_EQ(info.code, "EADDRINUSE");
    if (counts) {
        EXPECT_EQ(info.message, "port " + std::to_string(pair.port) + " is already in use: another socket is "
                                "listening on " + target + " (stop it or pick another port)");
    }
}

TEST(TcpStateLive, TimeWaitOnTheServerPortBlocksRebindUnlessReuseAddress) {
    if (!haveSocketTable()) GTEST_SKIP() << "no socket table on this OS";
    LoopbackPair pair;
    const std::uint16_t port = pair.port;
    // The server closes first, so the TIME_WAIT lands on the server's (listening) port.
    pair.server.shutdown(tcp::socket::shutdown_send);
    ASSERT_TRUE(readUntilEof(pair.client));
    pair.client.close();
    pair.server.close();
    pair.acceptor.close();
    ASSERT_TRUE(waitFor([&] { return countOnPort(port, TcpState::TimeWait) >= 1; }));

    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    asio::error_code ec;
    tcp::acceptor plain(pair.io);
    plain.open(endpoint.protocol());
    plain.set_option(tcp::acceptor::reuse_address(false));
    plain.bind(endpoint, ec);
#if defined(_WIN32)
    if (!ec) GTEST_SKIP() << "Windows (and Wine) let a listener bind over TIME_WAIT without SO_REUSEADDR";
#endif
    ASSERT_TRUE(ec) << "bind without SO_REUSEADDR over TIME_WAIT should fail";
    const auto counts = countTcpSocketsOnPort(port);
    ASSERT_TRUE(counts.has_value());
    EXPECT_EQ(counts->count(TcpState::Listen), 0u);
    const ErrorInfo info = describeError(ec, ErrorContext::Bind, "127.0.0.1:" + std::to_string(port), &*counts);
    EXPECT_EQ(info.code, "EADDRINUSE");
    EXPECT_NE(info.message.find("TIME_WAIT socket"), std::string::npos) << info.message;
    EXPECT_NE(info.message.find("SO_REUSEADDR (reuse_address)"), std::string::npos) << info.message;

    // The advice works: with SO_REUSEADDR the listener restarts over the leftovers.
    tcp::acceptor reusing(pair.io);
    reusing.open(endpoint.protocol());
    reusing.set_option(tcp::acceptor::reuse_address(true));
    reusing.bind(endpoint, ec);
    EXPECT_FALSE(ec) << ec.message();
    if (!ec) reusing.listen(asio::socket_base::max_listen_connections, ec);
    EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
}  // namespace sockscope
