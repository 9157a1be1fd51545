#pragma once
// One captured frame -> its TCP segment or UDP datagram: link layer (Ethernet with VLAN tags,
// raw IP, Linux SLL/SLL2, BSD null/loop), IPv4 (options; fragments are not reassembled) and
// IPv6 (extension headers skipped). Never reads past the captured bytes.
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace sockscope::capture {

struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};   // v4: the first 4
    auto operator<=>(const IpAddress&) const = default;
};
/// "192.0.2.1", "2001:db8::1".
std::string toString(const IpAddress& address);
/// "192.0.2.1:80", "[2001:db8::1]:80".
std::string formatEndpoint(const IpAddress& address, std::uint16_t port);

enum class Transport : std::uint8_t { Tcp, Udp };

enum TcpFlag : std::uint8_t { kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08, kTcpAck = 0x10 };

/// Why a frame gave no segment (counted by the caller).
enum class DecodeResult : std::uint8_t {
    Ok,
    UnsupportedLink,   // a link type or ethertype that is not IP
    NotTcpUdp,         // IP, but another protocol (ICMP, ...)
    Fragment,          // an IP fragment: not reassembled
    Malformed,         // headers cut short or inconsistent
};

struct DecodedPacket {
    Transport transport = Transport::Tcp;
    IpAddress src, dst;
    std::uint16_t src_port = 0, dst_port = 0;
    std::uint32_t seq = 0, ack = 0;   // TCP
    std::uint8_t flags = 0;           // TCP
    std::span<const std::uint8_t> payload;   // what was captured of it
    bool truncated = false;                  // the IP packet says more than was captured
};

DecodeResult decodePacket(std::uint16_t link_type, std::span<const std::uint8_t> frame, DecodedPacket& out);

}  // namespace sockscope::capture
