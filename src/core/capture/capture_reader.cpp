#include "core/capture/capture_reader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sockscope::capture {
namespace {

constexpr std::uint32_t kPcapMagicUs = 0xA1B2C3D4;
constexpr std::uint32_t kPcapMagicNs = 0xA1B23C4D;
constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint32_t kInterfaceBlock = 1;
constexpr std::uint32_t kObsoletePacketBlock = 2;
constexpr std::uint32_t kSimplePacketBlock = 3;
constexpr std::uint32_t kEnhancedPacketBlock = 6;
constexpr std::size_t kMaxWarnings = 20;

std::uint32_t swap32(std::uint32_t v) {
    return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

std::string hexWord(std::uint32_t v) {
    static const char* digits = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xF];
    return s;
}

}  // namespace

bool isKnownLinkType(std::uint16_t link_type) {
    switch (link_type) {
    case kLinkNull: case kLinkEthernet: case kLinkRaw: case kLinkLoop: case kLinkLinuxSll:
    case kLinkIpv4: case kLinkIpv6: case kLinkLinuxSll2: case 12: case 14:
        return true;
    default: return false;
    }
}

std::string linkTypeName(std::uint16_t link_type) {
    switch (link_type) {
    case kLinkNull: return "null/loopback";
    case kLinkEthernet: return "ethernet";
    case kLinkRaw: case 12: case 14: return "raw ip";
    case kLinkLoop: return "loop";
    case kLinkLinuxSll: return "linux-sll";
    case kLinkIpv4: return "ipv4";
    case kLinkIpv6: return "ipv6";
    case kLinkLinuxSll2: return "linux-sll2";
    default: return "link type " + std::to_string(link_type);
    }
}

CaptureReader::CaptureReader(std::istream& in, std::uint64_t size) : m_in(in), m_size(size) {}

std::uint16_t CaptureReader::u16(const std::uint8_t* p) const {
    return m_swapped ? static_cast<std::uint16_t>(p[0] << 8 | p[1]) : static_cast<std::uint16_t>(p[1] << 8 | p[0]);
}

std::uint32_t CaptureReader::u32(const std::uint8_t* p) const {
    const std::uint32_t le = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
                             std::uint32_t(p[3]) << 24;
    return m_swapped ? swap32(le) : le;
}

bool CaptureReader::readExact(std::size_t at, std::size_t n) {
    if (m_buffer.size() < at + n) m_buffer.resize(at + n);
    if (n == 0) return true;
    m_in.read(reinterpret_cast<char*>(m_buffer.data() + at), static_cast<std::streamsize>(n));
    const auto got = static_cast<std::size_t>(m_in.gcount());
    m_offset += got;
    return got == n;
}

bool CaptureReader::fail(std::uint64_t offset, const std::string& what) {
    if (m_error.empty()) m_error = "at offset " + std::to_string(offset) + ": " + what;
    m_done = true;
    return false;
}

void CaptureReader::warn(const std::string& what) {
    if (m_warnings.size() < kMaxWarnings) m_warnings.push_back(what);
    else if (m_warnings.size() == kMaxWarnings) m_warnings.push_back("(further warnings left out)");
}

bool CaptureReader::tornAtEnd(std::uint64_t offset, const char* what) {
    warn("the last " + std::string(what) + " at offset " + std::to_string(offset) +
         " is cut short (the file ends inside it; a recording stopped mid-write?): ignored");
    m_done = true;
    return false;
}

bool CaptureReader::start() {
    m_started = true;
    if (!readExact(0, 4)) {
        if (m_offset == 0) return fail(0, "the file is empty; expected a pcap or pcapng capture");
        return fail(0, "the file is too short to be a capture (" + std::to_string(m_offset) + " bytes)");
    }
    const std::uint32_t magic = u32(m_buffer.data());   // little-endian view
    if (magic == kSectionHeader) {
        m_format = CaptureFormat::Pcapng;
        // The SHB is read by nextPcapng as the first block: put its type back by hand.
        return readSectionHeader(0, 0);
    }
    m_format = CaptureFormat::Pcap;
    if (magic == kPcapMagicUs || magic == kPcapMagicNs) m_swapped = false;
    else if (swap32(magic) == kPcapMagicUs || swap32(magic) == kPcapMagicNs) m_swapped = true;
    else
        return fail(0, "not a pcap or pcapng file (starts with " + hexWord(swap32(magic)) +
                           "; pcap starts with a1b2c3d4 or d4c3b2a1, pcapng with 0a0d0d0a)");
    m_nanoseconds = u32(m_buffer.data()) == kPcapMagicNs;
    if (!readExact(4, 20)) return fail(0, "the pcap file header is cut short (24 bytes expected)");
    m_snaplen = u32(&m_buffer[16]);
    m_pcap_link = static_cast<std::uint16_t>(u32(&m_buffer[20]) & 0xFFFF);
    if (!isKnownLinkType(m_pcap_link)) warn("link type " + std::to_string(m_pcap_link) + " is not supported; its packets are skipped");
    return true;
}

bool CaptureReader::next(RawPacket& out) {
    if (m_done) return false;
    if (!m_started && !start()) return false;
    return m_format == CaptureFormat::Pcap ? nextPcap(out) : nextPcapng(out);
}

bool CaptureReader::nextPcap(RawPacket& out) {
    const std::uint64_t at = m_offset;
    if (!readExact(0, 16)) {
        if (m_offset == at) { m_done = true; return false; }   // clean end
        return tornAtEnd(at, "packet record");
    }
    const std::uint32_t sec = u32(&m_buffer[0]);
    const std::uint32_t frac = u32(&m_buffer[4]);
    const std::uint32_t caplen = u32(&m_buffer[8]);
    const std::uint32_t origlen = u32(&m_buffer[12]);
    if (caplen > kMaxBlockBytes)
        return fail(at, "a packet record claims " + std::to_string(caplen) + " captured bytes (at most " +
                            std::to_string(kMaxBlockBytes) + " are accepted): the file is corrupt");
    if (m_size != 0 && at + 16 + caplen > m_size) return tornAtEnd(at, "packet record");
    if (!readExact(0, caplen)) return tornAtEnd(at, "packet record");
    out.interface = 0;
    out.link_type = m_pcap_link;
    out.time_ns = static_cast<std::int64_t>(sec) * 1'000'000'000 +
                  (m_nanoseconds ? static_cast<std::int64_t>(frac) : static_cast<std::int64_t>(frac) * 1000);
    out.original_length = origlen;
    out.offset = at;
    out.data = std::span<const std::uint8_t>(m_buffer.data(), caplen);
    return true;
}

bool CaptureReader::readSectionHeader(std::uint64_t block_offset, std::uint32_t) {
    // Type already read (4 bytes at m_buffer[0..4)); read the length and the byte-order magic.
    if (!readExact(4, 8)) return tornAtEnd(block_offset, "section header block");
    const std::uint8_t* bom = &m_buffer[8];
    const std::uint32_t le = std::uint32_t(bom[0]) | std::uint32_t(bom[1]) << 8 | std::uint32_t(bom[2]) << 16 |
                             std::uint32_t(bom[3]) << 24;
    if (le == kByteOrderMagic) m_swapped = false;
    else if (swap32(le) == kByteOrderMagic) m_swapped = true;
    else return fail(block_offset + 8, "section header block without the byte-order magic 1a2b3c4d (found " + hexWord(le) + ")");
    const std::uint32_t length = u32(&m_buffer[4]);
    if (length < 28 || length % 4 != 0 || length > kMaxBlockBytes)
        return fail(block_offset + 4, "section header block length " + std::to_string(length) +
                                          " is invalid (at least 28, a multiple of 4, at most " +
                                          std::to_string(kMaxBlockBytes) + ")");
    if (m_size != 0 && block_offset + length > m_size) return tornAtEnd(block_offset, "section header block");
    if (!readExact(12, length - 12)) return tornAtEnd(block_offset, "section header block");
    const std::uint16_t major = u16(&m_buffer[12]);
    if (major != 1) return fail(block_offset + 12, "pcapng version " + std::to_string(major) + " is not supported (1 is)");
    if (u32(&m_buffer[length - 4]) != length)
        return fail(block_offset + length - 4, "the section header block's trailing length differs from its leading one");
    m_interfaces.clear();   // interface ids are per section
    return true;
}

std::int64_t CaptureReader::toNs(const Interface& iface, std::uint64_t ticks) const {
    // Saturates at kMaxTimeNs: a corrupt timestamp must not overflow (the flows subtract times).
    constexpr std::uint64_t kMaxTimeNs = 4'000'000'000'000'000'000ULL;
    std::uint64_t ns = 0;
    if (!iface.power_of_two && iface.exponent <= 9) {
        std::uint64_t scale = 1;
        for (int i = iface.exponent; i < 9; ++i) scale *= 10;
        ns = ticks > kMaxTimeNs / scale ? kMaxTimeNs : ticks * scale;
    } else if (!iface.power_of_two) {
        std::uint64_t divisor = 1;
        for (int i = 9; i < iface.exponent && i < 28; ++i) divisor *= 10;
        ns = ticks / divisor;
    } else {
        const long double seconds = std::ldexp(static_cast<long double>(ticks), -static_cast<int>(iface.exponent));
        ns = static_cast<std::uint64_t>(std::min<long double>(seconds * 1e9L, static_cast<long double>(kMaxTimeNs)));
    }
    ns = std::min(ns, kMaxTimeNs);
    return static_cast<std::int64_t>(ns) + iface.offset_s * 1'000'000'000;   // |offset| <= 4e9 s: no overflow
}

void CaptureReader::readInterface(std::uint64_t block_offset, std::span<const std::uint8_t> body) {
    Interface iface;
    if (body.size() < 8) {
        fail(block_offset, "interface description block too short");
        return;
    }
    iface.link_type = u16(body.data());
    if (!isKnownLinkType(iface.link_type))
        warn("interface " + std::to_string(m_interfaces.size()) + " has link type " + std::to_string(iface.link_type) +
             ", which is not supported; its packets are skipped");
    std::size_t pos = 8;
    while (pos + 4 <= body.size()) {
        const std::uint16_t code = u16(&body[pos]);
        const std::uint16_t length = u16(&body[pos + 2]);
        pos += 4;
        if (code == 0) break;
        if (length > body.size() - pos) {
            warn("an option of the interface block at offset " + std::to_string(block_offset) + " runs past the block; options ignored");
            break;
        }
        if (code == 9 && length >= 1) {
            const std::uint8_t v = body[pos];
            iface.power_of_two = (v & 0x80) != 0;
            iface.exponent = static_cast<std::uint8_t>(v & 0x7F);
            if (!iface.power_of_two && iface.exponent > 19) {
                warn("if_tsresol 10^-" + std::to_string(iface.exponent) + " is out of range; using microseconds");
                iface.exponent = 6;
            }
        } else if (code == 14 && length >= 8) {
            const std::uint64_t lo = u32(&body[pos]), hi = u32(&body[pos + 4]);
            const std::uint64_t raw = m_swapped ? (lo << 32 | hi) : (hi << 32 | lo);
            iface.offset_s = std::clamp<std::int64_t>(static_cast<std::int64_t>(raw), -4'000'000'000LL, 4'000'000'000LL);
        }
        pos += (static_cast<std::size_t>(length) + 3) & ~std::size_t{3};
    }
    if (m_interfaces.size() >= kMaxInterfaces) {
        fail(block_offset, "more than " + std::to_string(kMaxInterfaces) + " interfaces in one section");
        return;
    }
    m_interfaces.push_back(iface);
}

bool CaptureReader::packetBlock(std::uint32_t type, std::uint64_t block_offset, std::span<const std::uint8_t> body,
                                RawPacket& out) {
    std::uint32_t iface_id = 0, caplen = 0, origlen = 0;
    std::uint64_t ticks = 0;
    std::size_t data_at = 0;
    if (type == kSimplePacketBlock) {
        if (body.size() < 4) return fail(block_offset, "simple packet block too short");
        origlen = u32(body.data());
        caplen = static_cast<std::uint32_t>(std::min<std::size_t>(origlen, body.size() - 4));
        data_at = 4;
    } else {
        if (body.size() < 20) return fail(block_offset, "packet block too short");
        if (type == kEnhancedPacketBlock) iface_id = u32(body.data());
        else iface_id = u16(body.data());
        ticks = std::uint64_t(u32(&body[4])) << 32 | u32(&body[8]);
        caplen = u32(&body[12]);
        origlen = u32(&body[16]);
        data_at = 20;
        if (caplen > body.size() - 20)
            return fail(block_offset + 20, "a packet claims " + std::to_string(caplen) + " captured bytes but its block holds " +
                                               std::to_string(body.size() - 20));
    }
    if (iface_id >= m_interfaces.size())
        return fail(block_offset + 8, "a packet refers to interface " + std::to_string(iface_id) + " but the section has " +
                                          std::to_string(m_interfaces.size()) + " interface(s)");
    const Interface& iface = m_interfaces[iface_id];
    out.interface = iface_id;
    out.link_type = iface.link_type;
    out.time_ns = type == kSimplePacketBlock ? 0 : toNs(iface, ticks);
    out.original_length = origlen;
    out.offset = block_offset;
    out.data = body.subspan(data_at, caplen);
    return true;
}

bool CaptureReader::nextPcapng(RawPacket& out) {
    for (;;) {
        const std::uint64_t at = m_offset;
        if (!readExact(0, 4)) {
            if (m_offset == at) { m_done = true; return false; }
            return tornAtEnd(at, "block");
        }
        const std::uint32_t type_le = u32(m_buffer.data());
        if (type_le == kSectionHeader) {
            if (!readSectionHeader(at, 0)) return false;
            continue;
        }
        if (!readExact(4, 4)) return tornAtEnd(at, "block");
        const std::uint32_t type = type_le;
        const std::uint32_t length = u32(&m_buffer[4]);
        if (length < 12 || length % 4 != 0)
            return fail(at + 4, "block length " + std::to_string(length) + " is invalid (at least 12 and a multiple of 4)");
        if (length > kMaxBlockBytes)
            return fail(at + 4, "block length " + std::to_string(length) + " is over the " +
                                    std::to_string(kMaxBlockBytes) + " bytes accepted: the file is corrupt");
        if (m_size != 0 && at + length > m_size) return tornAtEnd(at, "block");
        if (!readExact(8, length - 8)) return tornAtEnd(at, "block");
        if (u32(&m_buffer[length - 4]) != length)
            return fail(at + length - 4, "the block's trailing length " + std::to_string(u32(&m_buffer[length - 4])) +
                                             " differs from its leading length " + std::to_string(length));
        const std::span<const std::uint8_t> body(m_buffer.data() + 8, length - 12);
        switch (type) {
        case kInterfaceBlock:
            readInterface(at, body);
            if (m_done) return false;
            break;
        case kEnhancedPacketBlock:
        case kSimplePacketBlock:
        case kObsoletePacketBlock:
            return packetBlock(type, at, body, out);
        default: ++m_skipped_blocks; break;   // name resolution, statistics, custom...: not needed
        }
    }
}

}  // namespace sockscope::capture
