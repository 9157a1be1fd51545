// errorCodeName / describeError on constructed codes: std::errc (generic category), the system
// category (as the OS returns them) and asio's own enums.
#include "core/net/error_text.hpp"

#include <asio/error.hpp>
#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "core/net/fd_limits.hpp"
#include "core/net/tcp_state.hpp"

namespace sockscope {
namespace {

// Issue 6, item 23: an ErrorInfo cannot be built without its Chinese text (the GUI in Chinese
// would show English); ErrorInfo() stays for the describe* functions, which fill both.
static_assert(!std::is_constructible_v<ErrorInfo, std::string, std::string>);
static_assert(!std::is_constructible_v<ErrorInfo, const char*, const char*>);
static_assert(std::is_constructible_v<ErrorInfo, std::string, std::string, std::string>);

std::error_code errc(std::errc e) { return std::make_error_code(e); }
std::error_code asioCode(asio::error::basic_errors e) { return asio::error::make_error_code(e); }

/// The message without the Winsock name Windows appends ("... [WSAECONNREFUSED 10061]").
std::string plain(std::string message) {
    const std::size_t at = message.rfind(" [WSA");
    if (at != std::string::npos && message.back() == ']') message.erase(at);
    return message;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// The style every message keeps: not empty, lowercase first letter, no trailing period.
void expectStyle(const ErrorInfo& info) {
    ASSERT_FALSE(info.message.empty()) << info.code;
    EXPECT_FALSE(info.message[0] >= 'A' && info.message[0] <= 'Z') << info.message;
    EXPECT_NE(info.message.back(), '.') << info.message;
    EXPECT_FALSE(info.code.empty());
}

PortStateCounts countsWith(TcpState state, std::uint32_t n) {
    PortStateCounts counts;
    counts.by_state[static_cast<std::size_t>(state)] = n;
    return counts;
}

TEST(ErrorCodeName, ErrnoStyleCodesFromTheGenericCategory) {
    EXPECT_EQ(errorCodeName(errc(std::errc::address_in_use)), "EADDRINUSE");
    EXPECT_EQ(errorCodeName(errc(std::errc::address_not_available)), "EADDRNOTAVAIL");
    EXPECT_EQ(errorCodeName(errc(std::errc::connection_refused)), "ECONNREFUSED");
    EXPECT_EQ(errorCodeName(errc(std::errc::timed_out)), "ETIMEDOUT");
    EXPECT_EQ(errorCodeName(errc(std::errc::host_unreachable)), "EHOSTUNREACH");
    EXPECT_EQ(errorCodeName(errc(std::errc::network_unreachable)), "ENETUNREACH");
    EXPECT_EQ(errorCodeName(errc(std::errc::connection_reset)), "ECONNRESET");
    EXPECT_EQ(errorCodeName(errc(std::errc::connection_aborted)), "ECONNABORTED");
    EXPECT_EQ(errorCodeName(errc(std::errc::broken_pipe)), "EPIPE");
    EXPECT_EQ(errorCodeName(errc(std::errc::permission_denied)), "EACCES");
    EXPECT_EQ(errorCodeName(errc(std::errc::operation_not_permitted)), "EPERM");
    EXPECT_EQ(errorCodeName(errc(std::errc::too_many_files_open)), "EMFILE");
    EXPECT_EQ(errorCodeName(errc(std::errc::too_many_files_open_in_system)), "ENFILE");
    EXPECT_EQ(errorCodeName(errc(std::errc::no_buffer_space)), "ENOBUFS");
    EXPECT_EQ(errorCodeName(errc(std::errc::invalid_argument)), "EINVAL");
    EXPECT_EQ(errorCodeName(errc(std::errc::operation_canceled)), "ECANCELED");
    EXPECT_EQ(errorCodeName(errc(std::errc::not_connected)), "ENOTCONN");
    EXPECT_EQ(errorCodeName(errc(std::errc::message_size)), "EMSGSIZE");
}

TEST(ErrorCodeName, SystemCategoryAndAsioEnumsGiveTheSameNames) {
    EXPECT_EQ(errorCodeName(asioCode(asio::error::address_in_use)), "EADDRINUSE");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::connection_refused)), "ECONNREFUSED");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::timed_out)), "ETIMEDOUT");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::host_unreachable)), "EHOSTUNREACH");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::network_unreachable)), "ENETUNREACH");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::connection_reset)), "ECONNRESET");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::connection_aborted)), "ECONNABORTED");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::broken_pipe)), "EPIPE");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::access_denied)), "EACCES");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::no_permission)), "EPERM");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::no_descriptors)), "EMFILE");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::no_buffer_space)), "ENOBUFS");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::invalid_argument)), "EINVAL");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::shut_down)), "ESHUTDOWN");
    EXPECT_EQ(errorCodeName(asioCode(asio::error::would_block)), "EAGAIN");
    EXPECT_EQ(errorCodeName(std::error_code(asio::error::operation_aborted, std::system_category())), "ECANCELED");
    EXPECT_EQ(errorCodeName(asio::error::operation_aborted), "ECANCELED");
}

TEST(ErrorCodeName, ResolverAndStreamCodes) {
    EXPECT_EQ(errorCodeName(asio::error::host_not_found), "ENOTFOUND");
    EXPECT_EQ(errorCodeName(asio::error::no_data), "ENOTFOUND");
    EXPECT_EQ(errorCodeName(asio::error::host_not_found_try_again), "EAI_AGAIN");
    EXPECT_EQ(errorCodeName(asio::error::no_recovery), "EAI_FAIL");
    EXPECT_EQ(errorCodeName(asio::error::service_not_found), "EAI_SERVICE");
    EXPECT_EQ(errorCodeName(asio::error::eof), "EOF");
}

TEST(ErrorCodeName, AsioCategoriesAreNotMisreadAsErrno) {
#if !defined(_WIN32)
    // misc error 2 is not_found, netdb 1 is host_not_found: values that collide with ENOENT/EPERM.
    EXPECT_NE(errorCodeName(std::error_code(1, asio::error::get_netdb_category())), "EPERM");
    EXPECT_EQ(errorCodeName(std::error_code(99, asio::error::get_misc_category())), "E99");
#endif
}

TEST(ErrorCodeName, NoErrorAndUnknownCodes) {
    EXPECT_EQ(errorCodeName(std::error_code()), "OK");
    EXPECT_EQ(errorCodeName(std::error_code(98765, std::generic_category())), "E98765");
    EXPECT_EQ(describeError(std::error_code(), ErrorContext::Other, "x").message, "no error");
}

TEST(DescribeError, AddressInUseWithAListenerSaysSomeoneListens) {
    const auto counts = countsWith(TcpState::Listen, 1);
    const ErrorInfo info =
        describeError(errc(std::errc::address_in_use), ErrorContext::Bind, "127.0.0.1:60000", &counts);
    EXPECT_EQ(info.code, "EADDRINUSE");
    EXPECT_EQ(plain(info.message),
              "port 60000 is already in use: another socket is listening on 127.0.0.1:60000 (stop it or "
              "pick another port)");
    expectStyle(info);
}

TEST(DescribeError, AddressInUseByTimeWaitSuggestsReuseAddress) {
    const auto counts = countsWith(TcpState::TimeWait, 3);
    const ErrorInfo info =
        describeError(errc(std::errc::address_in_use), ErrorContext::Bind, "127.0.0.1:60000", &counts);
#if defined(_WIN32)
    // Windows binds over TIME_WAIT differently; its note says where SO_REUSEADDR goes further.
    EXPECT_TRUE(contains(info.message, "SO_EXCLUSIVEADDRUSE")) << info.message;
    EXPECT_EQ(info.message.rfind("port 60000 is still held by 3 TIME_WAIT sockets", 0), 0u) << info.message;
#else
    EXPECT_EQ(plain(info.message),
              "port 60000 is still held by 3 TIME_WAIT sockets from earlier connections (this side "
              "closed first); wait up to 60 s, or keep SO_REUSEADDR (reuse_address) on: a restart can "
              "bind over TIME_WAIT only when the earlier listener had it on too");
#endif
    const auto one = countsWith(TcpState::TimeWait, 1);
    EXPECT_TRUE(contains(describeError(errc(std::errc::address_in_use), ErrorContext::Listen, "[::1]:60000", &one).message,
                         "held by 1 TIME_WAIT socket from"));
    expectStyle(info);
}

TEST(DescribeError, AddressInUseByOtherLeftoversListsTheirStates) {
    auto counts = countsWith(TcpState::Established, 2);
    counts.by_state[static_cast<std::size_t>(TcpState::CloseWait)] = 1;
    counts.by_state[static_cast<std::size_t>(TcpState::TimeWait)] = 4;
    const ErrorInfo info =
        describeError(errc(std::errc::address_in_use), ErrorContext::Bind, "0.0.0.0:1502", &counts);
    EXPECT_TRUE(contains(info.message, "port 1502 is still used by sockets of earlier connections")) << info.message;
    EXPECT_TRUE(contains(info.message, "2 ESTABLISHED, 4 TIME_WAIT, 1 CLOSE_WAIT")) << info.message;
    EXPECT_TRUE(contains(info.message, "SO_REUSEADDR")) << info.message;
    expectStyle(info);
}

TEST(DescribeError, AddressInUseWithoutCountsStillNamesThePort) {
    const PortStateCounts empty;  // the table was read but shows nothing (e.g. another namespace)
    for (const PortStateCounts* counts : {static_cast<const PortStateCounts*>(nullptr), &empty}) {
        const ErrorInfo info =
            describeError(asioCode(asio::error::address_in_use), ErrorContext::Bind, "[::1]:60000", counts);
        EXPECT_EQ(info.code, "EADDRINUSE");
        EXPECT_TRUE(contains(info.message, "port 60000 is already in use")) << info.message;
        EXPECT_TRUE(contains(info.message, "[::1]:60000")) << info.message;
        expectStyle(info);
    }
    EXPECT_TRUE(contains(describeError(errc(std::errc::address_in_use), ErrorContext::Bind, "myhost").message,
                         "address myhost is already in use"));
    EXPECT_TRUE(contains(describeError(errc(std::errc::address_in_use), ErrorContext::Connect, "127.0.0.1:80").message,
                         "cannot connect to 127.0.0.1:80"));
}

TEST(DescribeError, ConnectionRefusedSaysNothingListens) {
    const ErrorInfo info = describeError(asioCode(asio::error::connection_refused), ErrorContext::Connect, "127.0.0.1:60000");
    EXPECT_EQ(info.code, "ECONNREFUSED");
    EXPECT_EQ(plain(info.message),
              "connection refused by 127.0.0.1:60000: nothing is listening on that port (or a firewall "
              "rejected it)");
    const ErrorInfo udp = describeError(errc(std::errc::connection_refused), ErrorContext::Read, "127.0.0.1:5000");
    EXPECT_TRUE(contains(udp.message, "port unreachable")) << udp.message;
    expectStyle(info);
    expectStyle(udp);
}

TEST(DescribeError, ConnectTimeoutNamesTheDeadline) {
    const ErrorInfo info =
        describeError(errc(std::errc::timed_out), ErrorContext::Connect, "10.0.0.5:502", nullptr, 5000);
    EXPECT_EQ(info.code, "ETIMEDOUT");
    EXPECT_EQ(plain(info.message),
              "no answer from 10.0.0.5:502 within 5 s: the host is down, unreachable, or a firewall drops "
              "the packets");
    EXPECT_TRUE(contains(describeError(errc(std::errc::timed_out), ErrorContext::Connect, "h:1", nullptr, 1500).message,
                         "within 1.5 s"));
    EXPECT_TRUE(contains(describeError(errc(std::errc::timed_out), ErrorContext::Connect, "h:1", nullptr, 250).message,
                         "within 250 ms"));
    EXPECT_TRUE(contains(describeError(errc(std::errc::timed_out), ErrorContext::Connect, "h:1", nullptr, 2050).message,
                         "within 2.05 s"));
    const ErrorInfo untimed = describeError(errc(std::errc::timed_out), ErrorContext::Connect, "10.0.0.5:502");
    EXPECT_TRUE(contains(untimed.message, "no answer from 10.0.0.5:502: ")) << untimed.message;
    const ErrorInfo read = describeError(errc(std::errc::timed_out), ErrorContext::Read, "10.0.0.5:502");
    EXPECT_TRUE(contains(read.message, "stopped acknowledging")) << read.message;
    expectStyle(info);
    expectStyle(read);
}

TEST(DescribeError, UnreachableHostAndNetwork) {
    const ErrorInfo host = describeError(errc(std::errc::host_unreachable), ErrorContext::Connect, "10.0.0.5:502");
    EXPECT_EQ(host.code, "EHOSTUNREACH");
    EXPECT_TRUE(contains(host.message, "host 10.0.0.5 is unreachable")) << host.message;
    const ErrorInfo net = describeError(asioCode(asio::error::network_unreachable), ErrorContext::Connect, "[2001:db8::1]:80");
    EXPECT_EQ(net.code, "ENETUNREACH");
    EXPECT_TRUE(contains(net.message, "no route to 2001:db8::1")) << net.message;
    expectStyle(host);
    expectStyle(net);
}

TEST(DescribeError, UnknownNameSaysDns) {
    const ErrorInfo info = describeError(asio::error::host_not_found, ErrorContext::Resolve, "nosuchhost:80");
    EXPECT_EQ(info.code, "ENOTFOUND");
    EXPECT_EQ(plain(info.message), "cannot resolve 'nosuchhost': the name is unknown to DNS / hosts file");
    const ErrorInfo again = describeError(asio::error::host_not_found_try_again, ErrorContext::Resolve, "example.test");
    EXPECT_EQ(again.code, "EAI_AGAIN");
    EXPECT_TRUE(contains(again.message, "cannot resolve 'example.test' right now")) << again.message;
    const ErrorInfo service = describeError(asio::error::service_not_found, ErrorContext::Resolve, "host:http2x");
    EXPECT_EQ(service.code, "EAI_SERVICE");
    EXPECT_TRUE(contains(service.message, "host:http2x")) << service.message;
    expectStyle(info);
    expectStyle(again);
    expectStyle(service);
}

TEST(DescribeError, PrivilegedPortExplainsRootOrCapability) {
    const ErrorInfo info = describeError(errc(std::errc::permission_denied), ErrorContext::Bind, "0.0.0.0:80");
    EXPECT_EQ(info.code, "EACCES");
#if !defined(_WIN32)
    EXPECT_EQ(plain(info.message),
              "port 80 is privileged: binding below 1024 needs root or CAP_NET_BIND_SERVICE (or use a "
              "port ≥ 1024)");
#endif
    const ErrorInfo high = describeError(errc(std::errc::permission_denied), ErrorContext::Bind, "0.0.0.0:5000");
    EXPECT_FALSE(contains(high.message, "privileged")) << high.message;
    EXPECT_TRUE(contains(high.message, "0.0.0.0:5000")) << high.message;
    const ErrorInfo broadcast = describeError(errc(std::errc::permission_denied), ErrorContext::Write, "255.255.255.255:9");
    EXPECT_TRUE(contains(broadcast.message, "SO_BROADCAST")) << broadcast.message;
    expectStyle(info);
    expectStyle(high);
    expectStyle(broadcast);
}

TEST(DescribeError, TooManyOpenFilesGivesTheLimit) {
    const ErrorInfo info = describeError(errc(std::errc::too_many_files_open), ErrorContext::Accept, "0.0.0.0:60000");
    EXPECT_EQ(info.code, "EMFILE");
    const std::size_t limit = openFileLimit();
    if (limit > 0 && limit != SIZE_MAX) {
        EXPECT_EQ(plain(info.message), "too many open files: the process hit its limit of " + std::to_string(limit) +
                                    " file descriptors (ulimit -n); close connections or raise the limit");
    } else {
        EXPECT_TRUE(contains(info.message, "too many open files")) << info.message;
    }
    const ErrorInfo system = describeError(errc(std::errc::too_many_files_open_in_system), ErrorContext::Accept, "x");
    EXPECT_EQ(system.code, "ENFILE");
    expectStyle(info);
    expectStyle(system);
}

TEST(DescribeError, AddressNotAvailableOnBindSaysNotOurs) {
    const ErrorInfo info = describeError(errc(std::errc::address_not_available), ErrorContext::Bind, "10.9.9.9:60000");
    EXPECT_EQ(info.code, "EADDRNOTAVAIL");
    EXPECT_TRUE(contains(info.message, "address 10.9.9.9 is not an address of this machine")) << info.message;
    const ErrorInfo bare = describeError(errc(std::errc::address_not_available), ErrorContext::Bind, "10.9.9.9");
    EXPECT_TRUE(contains(bare.message, "address 10.9.9.9 is not an address of this machine")) << bare.message;
    expectStyle(info);
}

TEST(DescribeError, ResetPipeAbortCancelEof) {
    const ErrorInfo reset = describeError(asioCode(asio::error::connection_reset), ErrorContext::Read, "127.0.0.1:5000");
    EXPECT_EQ(reset.code, "ECONNRESET");
    EXPECT_TRUE(contains(reset.message, "the peer 127.0.0.1:5000 reset the connection (RST)")) << reset.message;
    const ErrorInfo pipe = describeError(errc(std::errc::broken_pipe), ErrorContext::Write, "127.0.0.1:5000");
    EXPECT_EQ(pipe.code, "EPIPE");
    EXPECT_TRUE(contains(pipe.message, "cannot send to 127.0.0.1:5000")) << pipe.message;
    const ErrorInfo aborted = describeError(errc(std::errc::connection_aborted), ErrorContext::Accept, "0.0.0.0:5000");
    EXPECT_EQ(aborted.code, "ECONNABORTED");
    EXPECT_TRUE(contains(aborted.message, "before it was accepted")) << aborted.message;
    const ErrorInfo cancel = describeError(asio::error::operation_aborted, ErrorContext::Connect, "127.0.0.1:5000");
    EXPECT_EQ(cancel.code, "ECANCELED");
    EXPECT_TRUE(contains(cancel.message, "cancelled")) << cancel.message;
    const ErrorInfo eof = describeError(asio::error::eof, ErrorContext::Read, "127.0.0.1:5000");
    EXPECT_EQ(eof.code, "EOF");
    EXPECT_TRUE(contains(eof.message, "the peer 127.0.0.1:5000 closed the connection")) << eof.message;
    for (const ErrorInfo* info : {&reset, &pipe, &aborted, &cancel, &eof}) expectStyle(*info);
}

TEST(DescribeError, NoBuffersAndInvalidArgumentDependOnContext) {
    const ErrorInfo bufs = describeError(errc(std::errc::no_buffer_space), ErrorContext::Write, "127.0.0.1:5000");
    EXPECT_EQ(bufs.code, "ENOBUFS");
    EXPECT_TRUE(contains(bufs.message, "socket buffer space")) << bufs.message;
    const ErrorInfo groups = describeError(errc(std::errc::no_buffer_space), ErrorContext::MulticastJoin, "239.1.2.3");
    EXPECT_TRUE(contains(groups.message, "memberships")) << groups.message;

    const ErrorContext contexts[] = {ErrorContext::Bind, ErrorContext::Listen, ErrorContext::Connect,
                                     ErrorContext::SetOption, ErrorContext::MulticastJoin, ErrorContext::Read,
                                     ErrorContext::Write, ErrorContext::Other, ErrorContext::Accept};
    std::string previous;
    for (ErrorContext context : contexts) {
        const ErrorInfo info = describeError(errc(std::errc::invalid_argument), context, "239.1.2.3:5000");
        EXPECT_EQ(info.code, "EINVAL");
        EXPECT_TRUE(contains(info.message, "239.1.2.3")) << toString(context) << ": " << info.message;
        EXPECT_NE(info.message, previous) << "each context gets its own advice";
        previous = info.message;
        expectStyle(info);
    }
    EXPECT_TRUE(contains(describeError(errc(std::errc::invalid_argument), ErrorContext::MulticastJoin, "10.0.0.1").message,
                         "not a multicast address"));
}

TEST(DescribeError, UnknownCodesFallBackToTheOsTextWithTheTarget) {
    const ErrorInfo info = describeError(errc(std::errc::no_lock_available), ErrorContext::Connect, "127.0.0.1:9");
    EXPECT_TRUE(info.code.rfind("E", 0) == 0) << info.code;
    EXPECT_TRUE(contains(info.message, "cannot connect to 127.0.0.1:9: ")) << info.message;
    expectStyle(info);
}

TEST(DescribeError, EveryKnownCodeInEveryContextKeepsTheStyle) {
    const std::error_code codes[] = {
        errc(std::errc::address_in_use), errc(std::errc::address_not_available),
        errc(std::errc::connection_refused), errc(std::errc::timed_out), errc(std::errc::host_unreachable),
        errc(std::errc::network_unreachable), errc(std::errc::connection_reset),
        errc(std::errc::connection_aborted), errc(std::errc::broken_pipe), errc(std::errc::permission_denied),
        errc(std::errc::operation_not_permitted), errc(std::errc::too_many_files_open),
        errc(std::errc::too_many_files_open_in_system), errc(std::errc::no_buffer_space),
        errc(std::errc::invalid_argument), errc(std::errc::not_connected), errc(std::errc::message_size),
        errc(std::errc::address_family_not_supported), errc(std::errc::network_down),
        errc(std::errc::no_such_device), asio::error::host_not_found, asio::error::host_not_found_try_again,
        asio::error::no_data, asio::error::no_recovery, asio::error::service_not_found, asio::error::eof,
        asio::error::operation_aborted, asioCode(asio::error::shut_down)};
    for (int c = 0; c <= static_cast<int>(ErrorContext::Other); ++c) {
        for (const std::error_code& ec : codes) {
            for (const char* target : {"127.0.0.1:60000", "[::1]:80", "host", ""}) {
                const ErrorInfo info = describeError(ec, static_cast<ErrorContext>(c), target);
                EXPECT_FALSE(contains(info.code, "E-")) << info.code;
                EXPECT_NE(info.code.rfind('E', 0), std::string::npos) << info.code;
                expectStyle(info);
                // The GUI in Chinese says the same in Chinese (only the OS's own text, in the
                // generic fallback, may stay as the OS wrote it).
                EXPECT_FALSE(info.message_zh.empty()) << info.message;
                EXPECT_NE(info.message_zh, info.message) << info.message;
                for (const char* named : {"127.0.0.1", "::1"}) {
                    if (contains(info.message, named)) {
                        EXPECT_TRUE(contains(info.message_zh, named)) << "the same target: " << info.message_zh;
                    }
                }
            }
        }
    }
}

TEST(DescribeError, ChineseWordsForTheCommonFailures) {
    const auto refused = describeError(errc(std::errc::connection_refused), ErrorContext::Connect, "127.0.0.1:9");
    EXPECT_EQ(refused.message_zh, "127.0.0.1:9 拒绝连接：该端口上没有程序在监听（或被防火墙拒绝）");
    const auto reset = describeError(errc(std::errc::connection_reset), ErrorContext::Read, "127.0.0.1:502");
    EXPECT_EQ(reset.message_zh.rfind("对端 127.0.0.1:502 重置了连接（RST）", 0), 0u) << reset.message_zh;
    PortStateCounts counts;
    counts.by_state[static_cast<std::size_t>(TcpState::Listen)] = 1;
    const auto in_use = describeError(errc(std::errc::address_in_use), ErrorContext::Bind, "0.0.0.0:502", &counts);
    EXPECT_EQ(in_use.message_zh, "端口 502 已被占用：另一个套接字正在 0.0.0.0:502 上监听（停止它或换一个端口）");
    const auto timeout = describeError(errc(std::errc::timed_out), ErrorContext::Connect, "127.0.0.1:80", nullptr, 5000);
    EXPECT_EQ(timeout.message_zh, "127.0.0.1:80 在 5 s 内没有应答：主机关机、不可达，或防火墙丢弃了数据包");
    const auto full = describeFileError(errc(std::errc::no_space_on_device), "/x/s.pcapng", FileOp::Write);
    EXPECT_EQ(full.message_zh, "无法写入 /x/s.pcapng：磁盘已满");
    const auto dual = describeDualStackConflict("[::]:502", 502);
    EXPECT_NE(dual.message_zh.find("IPV6_V6ONLY"), std::string::npos);
}

TEST(DescribeError, LinkLocalWithoutZoneAsksForTheInterface) {
    const auto inval = std::make_error_code(std::errc::invalid_argument);
    for (const auto context : {ErrorContext::Connect, ErrorContext::Bind, ErrorContext::Write}) {
        const auto error = describeError(inval, context, "[fe80::1]:502");
        EXPECT_EQ(error.code, "EINVAL");
        EXPECT_NE(error.message.find("a link-local IPv6 address needs a zone"), std::string::npos) << error.message;
        EXPECT_NE(error.message.find("[fe80::1%eth0]:502"), std::string::npos) << error.message;
        EXPECT_EQ(error.message.find("broadcast"), std::string::npos) << error.message;
    }
    // With a zone, or not link-local: the usual words.
    EXPECT_EQ(describeError(inval, ErrorContext::Connect, "[fe80::1%eth0]:502").message.find("needs a zone"),
              std::string::npos);
    EXPECT_EQ(describeError(inval, ErrorContext::Connect, "[2001:db8::1]:502").message.find("needs a zone"),
              std::string::npos);
}

TEST(DescribeError, DualStackConflictNamesTheIpv4Holder) {
    const auto error = describeDualStackConflict("[::]:60000", 60000);
    EXPECT_EQ(error.code, "EADDRINUSE");
    EXPECT_NE(error.message.find("held by an IPv4 socket"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("0.0.0.0:60000"), std::string::npos);
    EXPECT_NE(error.message.find("v6_only"), std::string::npos);
}

TEST(DescribeError, WinsockNamesAreKnownOnEveryOs) {
    EXPECT_STREQ(winsockErrorName(10048), "WSAEADDRINUSE");
    EXPECT_STREQ(winsockErrorName(10061), "WSAECONNREFUSED");
    EXPECT_STREQ(winsockErrorName(10060), "WSAETIMEDOUT");
    EXPECT_STREQ(winsockErrorName(10054), "WSAECONNRESET");
    EXPECT_STREQ(winsockErrorName(10013), "WSAEACCES");
    EXPECT_STREQ(winsockErrorName(11001), "WSAHOST_NOT_FOUND");
    EXPECT_EQ(winsockErrorName(0), nullptr);
    EXPECT_EQ(winsockErrorName(98), nullptr);
}

#if defined(_WIN32)
// Winsock's own codes (what Windows reports) read in plain words, with the name Windows users know.
TEST(DescribeError, WinsockCodesReadInPlainWords) {
    const auto wsa = [](int code) { return std::error_code(code, std::system_category()); };
    struct Case { int code; ErrorContext context; const char* target; const char* portable; const char* words; };
    const Case cases[] = {
        {10048, ErrorContext::Bind, "127.0.0.1:5000", "EADDRINUSE", "port 5000 is already in use"},
        {10061, ErrorContext::Connect, "127.0.0.1:502", "ECONNREFUSED", "nothing is listening"},
        {10060, ErrorContext::Connect, "10.0.0.9:502", "ETIMEDOUT", "no answer from 10.0.0.9:502"},
        {10054, ErrorContext::Read, "127.0.0.1:502", "ECONNRESET", "reset the connection"},
        {10013, ErrorContext::Bind, "0.0.0.0:80", "EACCES", "SO_EXCLUSIVEADDRUSE"},
        {10049, ErrorContext::Bind, "10.9.9.9:5000", "EADDRNOTAVAIL", "not an address of this machine"},
        {10065, ErrorContext::Connect, "10.0.0.9:502", "EHOSTUNREACH", "unreachable"},
    };
    for (const Case& c : cases) {
        const ErrorInfo info = describeError(wsa(c.code), c.context, c.target);
        EXPECT_EQ(info.code, c.portable) << c.code;
        EXPECT_TRUE(contains(info.message, c.words)) << info.message;
        const std::string target = c.target;
        EXPECT_TRUE(contains(info.message, target.substr(0, target.rfind(':')))) << info.message;
        EXPECT_TRUE(contains(info.message, std::string("[") + winsockErrorName(c.code) + " " +
                                               std::to_string(c.code) + "]")) << info.message;
    }
    // Windows has no privileged ports: WSAEACCES on port 80 is not about root.
    EXPECT_FALSE(contains(describeError(wsa(10013), ErrorContext::Bind, "0.0.0.0:80").message, "root"));
}
#endif

}  // namespace
}  // namespace sockscope
