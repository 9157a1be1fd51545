// SocketOptions reach the kernel: set them on real sockets, read them back with getsockopt.
#include "core/net/socket_options.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <asio/io_context.hpp>

namespace sockscope {
namespace {

int intOption(int fd, int level, int name) {
    int value = -1;
    socklen_t len = sizeof value;
    ::getsockopt(fd, level, name, &value, &len);
    return value;
}

TEST(SocketOptions, ConnectionOptionsReachTheKernel) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.open(asio::ip::tcp::v4());
    SocketOptions options;
    options.no_delay = true;
    options.keepalive = {true, 30, 5, 3};
    options.linger_s = 2;
    options.recv_buffer = 256 * 1024;
    options.send_buffer = 128 * 1024;
    OptionFailures failures;
    applyConnectionOptions(socket, options, failures);
    EXPECT_TRUE(failures.empty());
    const int fd = socket.native_handle();
    EXPECT_EQ(intOption(fd, IPPROTO_TCP, TCP_NODELAY), 1);
    EXPECT_EQ(intOption(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    EXPECT_EQ(intOption(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    EXPECT_EQ(intOption(fd, IPPROTO_TCP, TCP_KEEPINTVL), 5);
    EXPECT_EQ(intOption(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
    linger l{};
    socklen_t len = sizeof l;
    ::getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len);
    EXPECT_EQ(l.l_onoff, 1);
    EXPECT_EQ(l.l_linger, 2);
    EXPECT_GE(intOption(fd, SOL_SOCKET, SO_RCVBUF), 256 * 1024) << "Linux doubles the requested size";
    EXPECT_GE(intOption(fd, SOL_SOCKET, SO_SNDBUF), 128 * 1024);
}

TEST(SocketOptions, BindOptionsReachTheKernel) {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io);
    acceptor.open(asio::ip::tcp::v6());
    SocketOptions options;
    options.reuse_address = true;
    options.reuse_port = true;
    options.v6_only = true;
    OptionFailures failures;
    applyBindOptions(acceptor, options, true, failures);
    EXPECT_TRUE(failures.empty());
    const int fd = acceptor.native_handle();
    EXPECT_EQ(intOption(fd, SOL_SOCKET, SO_REUSEADDR), 1);
    EXPECT_EQ(intOption(fd, SOL_SOCKET, SO_REUSEPORT), 1);
    EXPECT_EQ(intOption(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);

    // Unset v6_only means dual-stack.
    asio::ip::tcp::acceptor dual(io);
    dual.open(asio::ip::tcp::v6());
    applyBindOptions(dual, SocketOptions{}, true, failures);
    EXPECT_EQ(intOption(dual.native_handle(), IPPROTO_IPV6, IPV6_V6ONLY), 0);
}

TEST(SocketOptions, AbortiveCloseSetsZeroLinger) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.open(asio::ip::tcp::v4());
    EXPECT_FALSE(setAbortiveClose(socket));
    linger l{};
    socklen_t len = sizeof l;
    ::getsockopt(socket.native_handle(), SOL_SOCKET, SO_LINGER, &l, &len);
    EXPECT_EQ(l.l_onoff, 1);
    EXPECT_EQ(l.l_linger, 0);
}

TEST(SocketOptions, ARefusedOptionIsReportedNotFatal) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);   // never opened: every option fails
    SocketOptions options;
    options.no_delay = true;
    OptionFailures failures;
    applyConnectionOptions(socket, options, failures);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].option, "TCP_NODELAY");
    EXPECT_TRUE(failures[0].error);
}

}  // namespace
}  // namespace sockscope
