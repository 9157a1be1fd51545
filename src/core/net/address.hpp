#pragma once
// "host:port" text as users type it and as the app shows it. Shared by profiles (validation),
// the engine (resolving, formatting peers) and the front end.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <asio/ip/address.hpp>

namespace sockscope {

struct HostPort {
    std::string host;          // without brackets: "127.0.0.1", "::1", "localhost"
    std::uint16_t port = 0;
    bool operator==(const HostPort&) const = default;
};

/// Parses "host:port". Accepted hosts: dotted IPv4 ("127.0.0.1"), bracketed IPv6 ("[::1]",
/// "[fe80::1%eth0]"), and host names ("localhost", "device-1.lan"). The port is decimal 0-65535.
/// Rejects a missing host or port (":80", "9000"), unbracketed IPv6 ("::1:80"), bad brackets
/// ("[::1", "[::1]80"), invalid literals ("300.1.1.1:80", "[zz]:80") and out-of-range ports.
std::optional<HostPort> parseHostPort(std::string_view text);

/// Formats an address and port for display: "127.0.0.1:80", "[::1]:80". IPv4-mapped IPv6
/// addresses (::ffff:a.b.c.d, what a dual-stack socket reports for IPv4 peers) show as IPv4.
std::string formatEndpoint(const asio::ip::address& address, std::uint16_t port);

/// The address the kernel sends from toward `peer` ("127.0.0.1:9"), as formatEndpoint shows it
/// with port 0: a route lookup (a UDP socket connected, never sent on; does not block). nullopt
/// when `peer` is not an address or there is no route.
std::optional<std::string> routeSourceToward(const std::string& peer);

}  // namespace sockscope
