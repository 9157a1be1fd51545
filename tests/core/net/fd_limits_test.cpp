// openFileLimit / openFileCount, and that the kernel-view functions leak no descriptor.
#include "core/net/fd_limits.hpp"

#include <asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <cstdio>

#include "core/net/tcp_state.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/resource.h>
#endif

namespace sockscope {
namespace {

TEST(FdLimits, LimitIsTheSoftRlimit) {
#if defined(__unix__) || defined(__APPLE__)
    rlimit limit{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_cur == RLIM_INFINITY) EXPECT_EQ(openFileLimit(), SIZE_MAX);
    else EXPECT_EQ(openFileLimit(), static_cast<std::size_t>(limit.rlim_cur));
    EXPECT_GT(openFileLimit(), 0u);
#else
    EXPECT_EQ(openFileLimit(), 0u);
#endif
}

#if defined(__linux__)
TEST(FdLimits, CountFollowsOpenAndClose) {
    const std::size_t before = openFileCount();
    EXPECT_GE(before, 3u) << "stdin, stdout and stderr at least";
    std::FILE* file = std::fopen("/proc/self/status", "r");
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(openFileCount(), before + 1);
    {
        asio::io_context io;  // epoll + eventfd descriptors
        asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        EXPECT_GT(openFileCount(), before + 1);
    }
    std::fclose(file);
    EXPECT_EQ(openFileCount(), before);
}

TEST(FdLimits, KernelViewCallsLeakNoDescriptor) {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    const std::size_t before = openFileCount();
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(countTcpSocketsOnPort(acceptor.local_endpoint().port()).has_value());
        ASSERT_TRUE(queryTcpInfo(static_cast<std::intptr_t>(acceptor.native_handle())).has_value());
        (void)openFileCount();
    }
    EXPECT_EQ(openFileCount(), before);
}
#else
TEST(FdLimits, CountIsZeroWhereItCannotBeCounted) { EXPECT_EQ(openFileCount(), 0u); }
#endif

}  // namespace
}  // namespace sockscope
