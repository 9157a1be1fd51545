#include "core/net/socket_options.hpp"

#include <asio/ip/v6_only.hpp>
#include <asio/socket_base.hpp>

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace sockscope {
namespace {

template <class Socket, class Option>
void setOption(Socket& socket, const Option& option, const char* name, OptionFailures& failures) {
    std::error_code ec;
    socket.set_option(option, ec);
    if (ec) failures.push_back({name, ec});
}

template <class Socket>
void applyCommonBind(Socket& socket, const SocketOptions& options, bool is_v6, OptionFailures& failures,
                     bool listener = false) {
#if defined(_WIN32)
    // Windows' SO_REUSEADDR lets a listener bind a port another program listens on (and lets others
    // take ours), so a busy port would not fail as it does on Linux. A listener takes its port
    // exclusively instead; Windows needs no option to restart over TIME_WAIT leftovers.
    if (listener)
        setOption(socket, asio::detail::socket_option::boolean<SOL_SOCKET, SO_EXCLUSIVEADDRUSE>(true),
                  "SO_EXCLUSIVEADDRUSE", failures);
    else
        setOption(socket, asio::socket_base::reuse_address(options.reuse_address), "SO_REUSEADDR", failures);
#else
    (void)listener;
    setOption(socket, asio::socket_base::reuse_address(options.reuse_address), "SO_REUSEADDR", failures);
#endif
#if defined(SO_REUSEPORT)
    if (options.reuse_port)
        setOption(socket, asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true),
                  "SO_REUSEPORT", failures);
#else
    if (options.reuse_port)
        failures.push_back({"SO_REUSEPORT", std::make_error_code(std::errc::not_supported)});
#endif
    if (is_v6)
        setOption(socket, asio::ip::v6_only(options.v6_only.value_or(false)), "IPV6_V6ONLY", failures);
    if (options.recv_buffer > 0)
        setOption(socket, asio::socket_base::receive_buffer_size(options.recv_buffer), "SO_RCVBUF", failures);
    if (options.send_buffer > 0)
        setOption(socket, asio::socket_base::send_buffer_size(options.send_buffer), "SO_SNDBUF", failures);
}

}  // namespace

void applyBindOptions(asio::ip::tcp::acceptor& acceptor, const SocketOptions& options, bool is_v6,
                      OptionFailures& failures) {
    applyCommonBind(acceptor, options, is_v6, failures, /*listener=*/true);
}

void applyBindOptions(asio::ip::tcp::socket& socket, const SocketOptions& options, bool is_v6,
                      OptionFailures& failures) {
    applyCommonBind(socket, options, is_v6, failures);
}

void applyBindOptions(asio::ip::udp::socket& socket, const SocketOptions& options, bool is_v6,
                      OptionFailures& failures) {
    applyCommonBind(socket, options, is_v6, failures);
}

void applyConnectionOptions(asio::ip::tcp::socket& socket, const SocketOptions& options,
                            OptionFailures& failures) {
    if (options.no_delay) setOption(socket, asio::ip::tcp::no_delay(true), "TCP_NODELAY", failures);
    if (options.keepalive.enabled) {
        setOption(socket, asio::socket_base::keep_alive(true), "SO_KEEPALIVE", failures);
#if defined(TCP_KEEPIDLE)
        setOption(socket, asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPIDLE>(options.keepalive.idle_s),
                  "TCP_KEEPIDLE", failures);
#elif defined(TCP_KEEPALIVE)   // macOS names the idle time TCP_KEEPALIVE
        setOption(socket, asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPALIVE>(options.keepalive.idle_s),
                  "TCP_KEEPALIVE", failures);
#endif
#if defined(TCP_KEEPINTVL)
        setOption(socket, asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPINTVL>(options.keepalive.interval_s),
                  "TCP_KEEPINTVL", failures);
#endif
#if defined(TCP_KEEPCNT)
        setOption(socket, asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPCNT>(options.keepalive.count),
                  "TCP_KEEPCNT", failures);
#endif
    }
    if (options.linger_s)
        setOption(socket, asio::socket_base::linger(true, *options.linger_s), "SO_LINGER", failures);
    if (options.recv_buffer > 0)
        setOption(socket, asio::socket_base::receive_buffer_size(options.recv_buffer), "SO_RCVBUF", failures);
    if (options.send_buffer > 0)
        setOption(socket, asio::socket_base::send_buffer_size(options.send_buffer), "SO_SNDBUF", failures);
}

std::error_code setAbortiveClose(asio::ip::tcp::socket& socket) {
    std::error_code ec;
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    return ec;
}

}  // namespace sockscope
