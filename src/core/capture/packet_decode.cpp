#include "core/capture/packet_decode.hpp"

#include <algorithm>
#include <cstdio>

#include "core/capture/capture_reader.hpp"

namespace sockscope::capture {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86DD;
constexpr int kMaxVlanTags = 4;
constexpr int kMaxIpv6Headers = 16;

DecodeResult decodeTransport(std::uint8_t protocol, std::span<const std::uint8_t> data, bool truncated,
                             DecodedPacket& out) {
    out.truncated = truncated;
    if (protocol == 6) {
        if (data.size() < 20) return DecodeResult::Malformed;
        const std::size_t header = static_cast<std::size_t>(data[12] >> 4) * 4;
        if (header < 20 || header > data.size()) return DecodeResult::Malformed;
        out.transport = Transport::Tcp;
        out.src_port = be16(&data[0]);
        out.dst_port = be16(&data[2]);
        out.seq = be32(&data[4]);
        out.ack = be32(&data[8]);
        out.flags = data[13];
        out.payload = data.subspan(header);
        return DecodeResult::Ok;
    }
    if (protocol == 17) {
        if (data.size() < 8) return DecodeResult::Malformed;
        const std::size_t length = be16(&data[4]);
        if (length != 0 && length < 8) return DecodeResult::Malformed;
        out.transport = Transport::Udp;
        out.src_port = be16(&data[0]);
        out.dst_port = be16(&data[2]);
        std::size_t payload = data.size() - 8;
        if (length != 0) {
            if (length - 8 > payload) out.truncated = true;
            payload = std::min(payload, length - 8);
        }
        out.payload = data.subspan(8, payload);
        return DecodeResult::Ok;
    }
    return DecodeResult::NotTcpUdp;
}

DecodeResult decodeIpv4(std::span<const std::uint8_t> p, DecodedPacket& out) {
    if (p.size() < 20 || (p[0] >> 4) != 4) return DecodeResult::Malformed;
    const std::size_t header = static_cast<std::size_t>(p[0] & 0x0F) * 4;
    const std::size_t total = be16(&p[2]);
    if (header < 20 || header > p.size()) return DecodeResult::Malformed;
    if (total != 0 && total < header) return DecodeResult::Malformed;
    const std::uint16_t fragment = be16(&p[6]);
    if ((fragment & 0x2000) != 0 || (fragment & 0x1FFF) != 0) return DecodeResult::Fragment;
    out.src = IpAddress{};
    out.dst = IpAddress{};
    std::copy_n(&p[12], 4, out.src.bytes.begin());
    std::copy_n(&p[16], 4, out.dst.bytes.begin());
    // total == 0: TCP segmentation offload captures; take what was captured.
    const std::size_t end = total == 0 ? p.size() : std::min(total, p.size());
    return decodeTransport(p[9], p.subspan(header, end - header), total > p.size(), out);
}

DecodeResult decodeIpv6(std::span<const std::uint8_t> p, DecodedPacket& out) {
    if (p.size() < 40 || (p[0] >> 4) != 6) return DecodeResult::Malformed;
    const std::size_t payload_length = be16(&p[4]);
    out.src = IpAddress{true, {}};
    out.dst = IpAddress{true, {}};
    std::copy_n(&p[8], 16, out.src.bytes.begin());
    std::copy_n(&p[24], 16, out.dst.bytes.begin());
    const std::size_t end = payload_length == 0 ? p.size() : std::min(p.size(), 40 + payload_length);
    const bool truncated = payload_length != 0 && 40 + payload_length > p.size();
    std::uint8_t next = p[6];
    std::size_t pos = 40;
    for (int i = 0; i < kMaxIpv6Headers; ++i) {
        switch (next) {
        case 0: case 43: case 60: case 135: case 139: case 140: {   // hop-by-hop, routing, destination, mobility, HIP, shim6
            if (pos + 8 > end) return DecodeResult::Malformed;
            const std::size_t length = (static_cast<std::size_t>(p[pos + 1]) + 1) * 8;
            next = p[pos];
            pos += length;
            break;
        }
        case 44: {   // fragment header: only an atomic fragment (offset 0, no more) is whole
            if (pos + 8 > end) return DecodeResult::Malformed;
            const std::uint16_t offset_flags = be16(&p[pos + 2]);
            if ((offset_flags & 0xFFF9) != 0) return DecodeResult::Fragment;
            next = p[pos];
            pos += 8;
            break;
        }
        case 51: {   // authentication header
            if (pos + 8 > end) return DecodeResult::Malformed;
            const std::size_t length = (static_cast<std::size_t>(p[pos + 1]) + 2) * 4;
            next = p[pos];
            pos += length;
            break;
        }
        default:
            if (pos > end) return DecodeResult::Malformed;
            return decodeTransport(next, p.subspan(pos, end - pos), truncated, out);
        }
        if (pos > end) return DecodeResult::Malformed;
    }
    return DecodeResult::Malformed;
}

DecodeResult decodeIp(std::span<const std::uint8_t> p, DecodedPacket& out) {
    if (p.empty()) return DecodeResult::Malformed;
    switch (p[0] >> 4) {
    case 4: return decodeIpv4(p, out);
    case 6: return decodeIpv6(p, out);
    default: return DecodeResult::UnsupportedLink;
    }
}

DecodeResult decodeEtherType(std::uint16_t type, std::span<const std::uint8_t> p, DecodedPacket& out) {
    if (type == kEtherIpv4) return p.empty() || (p[0] >> 4) != 4 ? DecodeResult::Malformed : decodeIpv4(p, out);
    if (type == kEtherIpv6) return p.empty() || (p[0] >> 4) != 6 ? DecodeResult::Malformed : decodeIpv6(p, out);
    return DecodeResult::UnsupportedLink;
}

}  // namespace

std::string toString(const IpAddress& address) {
    char text[64];
    if (!address.v6) {
        std::snprintf(text, sizeof text, "%u.%u.%u.%u", address.bytes[0], address.bytes[1], address.bytes[2],
                      address.bytes[3]);
        return text;
    }
    // RFC 5952: the longest run (>= 2) of zero groups becomes "::".
    std::uint16_t groups[8];
    for (int i = 0; i < 8; ++i) groups[i] = be16(&address.bytes[static_cast<std::size_t>(i) * 2]);
    int best = -1, best_length = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && groups[j] == 0) ++j;
        if (j - i > best_length) { best = i; best_length = j - i; }
        i = j == i ? i + 1 : j;
    }
    std::string s;
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            s += "::";
            i += best_length - 1;
            continue;
        }
        if (!s.empty() && s.back() != ':') s += ':';
        std::snprintf(text, sizeof text, "%x", groups[i]);
        s += text;
    }
    return s;
}

std::string formatEndpoint(const IpAddress& address, std::uint16_t port) {
    return address.v6 ? "[" + toString(address) + "]:" + std::to_string(port)
                      : toString(address) + ":" + std::to_string(port);
}

DecodeResult decodePacket(std::uint16_t link_type, std::span<const std::uint8_t> f, DecodedPacket& out) {
    switch (link_type) {
    case kLinkEthernet: {
        if (f.size() < 14) return DecodeResult::Malformed;
        std::size_t pos = 12;
        std::uint16_t type = be16(&f[pos]);
        for (int tags = 0; (type == 0x8100 || type == 0x88A8 || type == 0x9100) && tags < kMaxVlanTags; ++tags) {
            pos += 4;
            if (pos + 2 > f.size()) return DecodeResult::Malformed;
            type = be16(&f[pos]);
        }
        return decodeEtherType(type, f.subspan(pos + 2), out);
    }
    case kLinkRaw: case 12: case 14: return decodeIp(f, out);
    case kLinkIpv4: return decodeIpv4(f, out);
    case kLinkIpv6: return decodeIpv6(f, out);
    case kLinkNull: case kLinkLoop:
        // The address family's value and byte order differ by OS (2; 10, 24, 28 or 30 for IPv6):
        // the IP version nibble says the same without guessing.
        if (f.size() < 4) return DecodeResult::Malformed;
        return decodeIp(f.subspan(4), out);
    case kLinkLinuxSll:
        if (f.size() < 16) return DecodeResult::Malformed;
        return decodeEtherType(be16(&f[14]), f.subspan(16), out);
    case kLinkLinuxSll2:
        if (f.size() < 20) return DecodeResult::Malformed;
        return decodeEtherType(be16(&f[0]), f.subspan(20), out);
    default: return DecodeResult::UnsupportedLink;
    }
}

}  // namespace sockscope::capture
