#include "core/net/address.hpp"

#include <algorithm>

#include <asio/ip/address_v4.hpp>
#include <asio/ip/address_v6.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

namespace sockscope {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::optional<std::uint16_t> parsePort(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : text) {
        if (!isDigit(c)) return std::nullopt;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// RFC 1123 host names (plus '_', which real device names use): dot-separated labels of
// letters, digits, '-' and '_', 1-63 characters each, not starting or ending with '-'.
bool isHostName(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= host.size(); ++i) {
        if (i == host.size() || host[i] == '.') {
            std::size_t len = i - label_start;
            // A trailing dot (fully qualified "example.com.") leaves one empty last label.
            if (len == 0) return i == host.size() && i > 0;
            if (len > 63 || host[label_start] == '-' || host[i - 1] == '-') return false;
            label_start = i + 1;
            continue;
        }
        char c = host[i];
        if (!isAlpha(c) && !isDigit(c) && c != '-' && c != '_') return false;
    }
    return true;
}

bool looksNumeric(std::string_view host) {
    for (char c : host)
        if (!isDigit(c) && c != '.') return false;
    return true;
}

}  // namespace

std::optional<HostPort> parseHostPort(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        asio::error_code ec;
        (void)asio::ip::make_address_v6(std::string(host), ec);
        if (ec) return std::nullopt;
    } else {
        std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        // A second colon means an IPv6 literal without brackets: ambiguous, so refused.
        if (host.find(':') != std::string_view::npos) return std::nullopt;
        if (host.empty()) return std::nullopt;
        if (looksNumeric(host)) {
            // All digits and dots must be a real dotted quad (no "1.2.3", no "300.1.1.1").
            asio::error_code ec;
            (void)asio::ip::make_address_v4(std::string(host), ec);
            if (ec || std::count(host.begin(), host.end(), '.') != 3) return std::nullopt;
        } else if (!isHostName(host)) {
            return std::nullopt;
        }
    }
    auto port_number = parsePort(port);
    if (!port_number) return std::nullopt;
    return HostPort{std::string(host), *port_number};
}

std::string formatEndpoint(const asio::ip::address& address, std::uint16_t port) {
    std::string out;
    if (address.is_v6()) {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) {
            out = asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
        } else {
            out += '[';
            out += v6.to_string();
            out += ']';
        }
    } else {
        out = address.to_v4().to_string();
    }
    out += ':';
    out += std::to_string(port);
    return out;
}


std::optional<std::string> routeSourceToward(const std::string& peer) {
    const auto target = parseHostPort(peer);
    std::error_code ec;
    const auto address = target ? asio::ip::make_address(target->host, ec) : asio::ip::address();
    if (!target || ec || address.is_multicast()) return std::nullopt;   // no unicast route to a group
    if (address.is_v4() && address.to_v4() == asio::ip::address_v4::broadcast()) return std::nullopt;
    asio::io_context io;
    asio::ip::udp::socket probe(io);
    const asio::ip::udp::endpoint to(address, target->port == 0 ? 9 : target->port);
    probe.open(to.protocol(), ec);
    if (!ec) probe.connect(to, ec);
    const auto local = ec ? asio::ip::udp::endpoint() : probe.local_endpoint(ec);
    if (ec) return std::nullopt;
    return formatEndpoint(local.address(), 0);
}

}  // namespace sockscope
