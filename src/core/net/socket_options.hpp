#pragma once
// Applies the user's SocketOptions to Asio sockets. An option the OS refuses is reported, not
// fatal: the endpoint runs without it and the user sees which option failed and why.
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
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

/// SO_LINGER {on, 0}: the next close() sends RST and discards unsent data.
std::error_code setAbortiveClose(asio::ip::tcp::socket& socket);

}  // namespace sockscope
