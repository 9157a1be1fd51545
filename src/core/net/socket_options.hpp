#pragma once
// Applies the user's SocketOptions to Asio sockets. An option the OS refuses is reported, not
// fatal: the endpoint runs without it and the user sees which option failed and why.
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ip/v6_only.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "core/endpoint_config.hpp"

namespace sockscope {

struct OptionFailure {
    std::string option;      // "SO_REUSEPORT", "TCP_KEEPIDLE", ...
    std::error_code error;
};
using OptionFailures = std::vector<OptionFailure>;

/// Before bind(): SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY (for v6 sockets), SO_RCVBUF/SO_SNDBUF.
/// `dual_stack_default`: when v6_only is unset, a v6 wildcard socket accepts IPv4 too.
void applyBindOptions(asio::ip::tcp::acceptor& acceptor, const SocketOptions& options, bool is_v6,
                      OptionFailures& failures);
void applyBindOptions(asio::ip::tcp::socket& socket, const SocketOptions& options, bool is_v6,
                      OptionFailures& failures);
void applyBindOptions(asio::ip::udp::socket& socket, const SocketOptions& options, bool is_v6,
                      OptionFailures& failures);

/// On a connected TCP socket: TCP_NODELAY, keepalive (+ idle/interval/count), SO_LINGER,
/// buffer sizes.
void applyConnectionOptions(asio::ip::tcp::socket& socket, const SocketOptions& options,
                            OptionFailures& failures);

/// After EADDRINUSE on a dual-stack bind of "[::]:port" (v6_only off): true when the port can be
/// bound for IPv6 alone, i.e. an IPv4 socket is what holds it. Non-blocking (a bind, then close).
template <class Socket>
bool ipv4HoldsDualStackPort(asio::io_context& io, std::uint16_t port, bool reuse_address) {
    Socket probe(io);
    std::error_code ec;
    probe.open(Socket::protocol_type::v6(), ec);
    if (ec) return false;
    probe.set_option(asio::ip::v6_only(true), ec);
    probe.set_option(asio::socket_base::reuse_address(reuse_address), ec);
    probe.bind({asio::ip::address_v6::any(), port}, ec);
    std::error_code ignored;
    probe.close(ignored);
    return !ec;
}

/// SO_LINGER {on, 0}: the next close() sends RST and discards unsent data.
std::error_code setAbortiveClose(asio::ip::tcp::socket& socket);

}  // namespace sockscope
