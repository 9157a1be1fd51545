#include "core/record/pcapng.hpp"

#include "core/net/address.hpp"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <asio/ip/address.hpp>
#include <algorithm>
#include <charconv>
#include <vector>

namespace sockscope::pcapng {
namespace {

constexpr std::uint32_t kShbType = 0x0A0D0D0A;
constexpr std::uint32_t kIdbType = 0x00000001;
constexpr std::uint32_t kEpbType = 0x00000006;
constexpr std::uint16_t kOptEnd = 0, kOptComment = 1, kShbUserAppl = 4, kIfName = 2, kIfTsresol = 9;
constexpr std::uint8_t kProtoTcp = 6, kProtoUdp = 17;
constexpr std::uint32_t kLocalIsn = 1000, kPeerIsn = 5000;   // Wireshark shows them relative anyway

void put16(std::string& out, std::uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); }
void put32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void putBe16(std::string& out, std::uint16_t v) {
    out += char(v >> 8);
    out += char(v & 0xff);
}
void putBe32(std::string& out, std::uint32_t v) {
    putBe16(out, std::uint16_t(v >> 16));
    putBe16(out, std::uint16_t(v & 0xffff));
}
/// `referenced`: bytes of the stream held outside `out` (RecordBuffer): alignment is the file's.
void pad4(std::string& out, std::size_t referenced = 0) {
    while ((out.size() + referenced) % 4) out += '\0';
}
/// pcapng is written in the host's byte order (the SHB's byte-order magic tells readers which).
/// Every platform we build for is little-endian; put16/put32 write host order.
void option(std::string& out, std::uint16_t code, std::string_view value, std::size_t referenced = 0) {
    put16(out, code);
    put16(out, static_cast<std::uint16_t>(value.size()));
    out.append(value);
    pad4(out, referenced);
}
/// Opens a block at `out`'s end; closeBlock() fills in both total lengths.
std::size_t openBlock(std::string& out, std::uint32_t type) {
    const std::size_t start = out.size();
    put32(out, type);
    put32(out, 0);
    return start;
}
/// `inside`: bytes of the block held by reference (not in `out`).
void closeBlock(std::string& out, std::size_t start, std::size_t inside = 0) {
    put16(out, kOptEnd);
    put16(out, 0);
    const auto total = static_cast<std::uint32_t>(out.size() - start + 4 + inside);
    put32(out, total);
    out.replace(start + 4, 4, reinterpret_cast<const char*>(&total), 4);
}

/// The bulk of a one's-complement sum: 32-bit words in the machine's order added into 64-bit
/// sums (no carry is lost below 2^32 words), folded to 16 bits. With SSE2 (every x86-64) 32 bytes
/// a step into four 64-bit lanes: the recorder's checksum over every payload byte is a
/// memory-speed pass instead of 10 % of a pcapng recording's CPU. `i`: the bytes consumed.
std::uint64_t sumWords(const std::uint8_t* data, std::size_t size, std::size_t& i) {
    std::uint64_t wide = 0;
    i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    __m128i a = zero, b = zero, c = zero, d = zero;
    for (; i + 32 <= size; i += 32) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
        const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 16));
        a = _mm_add_epi64(a, _mm_unpacklo_epi32(x, zero));
        b = _mm_add_epi64(b, _mm_unpackhi_epi32(x, zero));
        c = _mm_add_epi64(c, _mm_unpacklo_epi32(y, zero));
        d = _mm_add_epi64(d, _mm_unpackhi_epi32(y, zero));
    }
    alignas(16) std::uint64_t lanes[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes), _mm_add_epi64(_mm_add_epi64(a, b), _mm_add_epi64(c, d)));
    // Each lane is below 2^32 * (words / 8): fold each to 32 bits before adding them together.
    wide = (lanes[0] & 0xffffffffu) + (lanes[0] >> 32) + (lanes[1] & 0xffffffffu) + (lanes[1] >> 32);
#endif
    for (; i + 4 <= size; i += 4) {
        std::uint32_t word;
        std::memcpy(&word, data + i, 4);
        wide += word;
    }
    return wide;
}

/// RFC 1071's one's-complement sum of big-endian 16-bit words, added to `sum`. The bulk goes in
/// the machine's order (sumWords: the sum does not depend on the order the words are added in,
/// and a byte swap of the folded result turns a little-endian sum into the big-endian one).
std::uint32_t sumBytes(std::uint32_t sum, const std::uint8_t* data, std::size_t size) {
    std::size_t i = 0;
    std::uint64_t wide = sumWords(data, size, i);
    while (wide >> 16) wide = (wide & 0xffff) + (wide >> 16);
    auto folded = static_cast<std::uint32_t>(wide);
    if constexpr (std::endian::native == std::endian::little) folded = ((folded & 0xff) << 8) | (folded >> 8);
    sum += folded;
    for (; i + 1 < size; i += 2) sum += std::uint32_t(data[i] << 8 | data[i + 1]);
    if (size % 2) sum += std::uint32_t(data[size - 1] << 8);
    return sum;
}
std::uint16_t finish(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}
const std::uint8_t* bytesOf(const std::string& s, std::size_t at) { return reinterpret_cast<const std::uint8_t*>(s.data() + at); }

/// Ethernet + IP header for `l4_size` bytes of protocol `proto`; returns where the L4 header begins.
std::size_t putLinkAndIp(std::string& frame, const SocketAddress& src, const SocketAddress& dst, std::uint8_t proto,
                         std::size_t l4_size) {
    // Locally administered MACs that follow the addresses: each host of a conversation keeps one.
    static const char low_mac[6] = {2, 0, 0, 0, 0, 1}, high_mac[6] = {2, 0, 0, 0, 0, 2};
    const bool src_low = std::make_pair(src.ip, src.port) < std::make_pair(dst.ip, dst.port);
    frame.append(src_low ? high_mac : low_mac, 6);   // destination
    frame.append(src_low ? low_mac : high_mac, 6);   // source
    putBe16(frame, src.v6 ? 0x86DD : 0x0800);
    const std::size_t ip = frame.size();
    if (!src.v6) {
        frame += char(0x45);
        frame += '\0';
        putBe16(frame, static_cast<std::uint16_t>(20 + l4_size));
        putBe16(frame, 0);        // identification: 0 is fine with DF set (RFC 6864)
        putBe16(frame, 0x4000);   // don't fragment
        frame += char(64);
        frame += char(proto);
        putBe16(frame, 0);
        frame.append(reinterpret_cast<const char*>(src.ip.data()), 4);
        frame.append(reinterpret_cast<const char*>(dst.ip.data()), 4);
        const std::uint16_t checksum = finish(sumBytes(0, bytesOf(frame, ip), 20));
        frame[ip + 10] = char(checksum >> 8);
        frame[ip + 11] = char(checksum & 0xff);
    } else {
        putBe32(frame, 0x60000000);
        putBe16(frame, static_cast<std::uint16_t>(l4_size));
        frame += char(proto);
        frame += char(64);
        frame.append(reinterpret_cast<const char*>(src.ip.data()), 16);
        frame.append(reinterpret_cast<const char*>(dst.ip.data()), 16);
    }
    return frame.size();
}

/// The TCP/UDP checksum over the pseudo header, the L4 header at `l4` (to the end of `frame`, an
/// even length) and the payload that follows it; written at `l4 + at`.
void putL4Checksum(std::string& frame, std::size_t l4, std::size_t at, const SocketAddress& src,
                   const SocketAddress& dst, std::uint8_t proto, std::span<const std::uint8_t> payload) {
    const std::size_t len = frame.size() - l4 + payload.size();
    const std::size_t ip_len = src.v6 ? 16 : 4;
    std::uint32_t sum = sumBytes(0, src.ip.data(), ip_len);
    sum = sumBytes(sum, dst.ip.data(), ip_len);
    sum += proto;
    sum += std::uint32_t(len >> 16) + std::uint32_t(len & 0xffff);
    sum = sumBytes(sum, bytesOf(frame, l4), frame.size() - l4);
    sum = sumBytes(sum, payload.data(), payload.size());
    std::uint16_t checksum = finish(sum);
    if (checksum == 0 && proto == kProtoUdp) checksum = 0xffff;
    frame[l4 + at] = char(checksum >> 8);
    frame[l4 + at + 1] = char(checksum & 0xff);
}

}  // namespace

void appendSectionHeader(std::string& out) {
    const std::size_t start = openBlock(out, kShbType);
    put32(out, 0x1A2B3C4D);
    put16(out, 1);
    put16(out, 0);
    put32(out, 0xffffffff);   // section length: unknown (-1 as 64 bits)
    put32(out, 0xffffffff);
    option(out, kShbUserAppl, "Sockscope");
    closeBlock(out, start);
}

namespace {
/// `referenced`: bytes before it held by reference (a RecordBuffer): the padding is the file's.
void appendInterfaceBlock(std::string& out, std::string_view name, std::size_t referenced) {
    const std::size_t start = openBlock(out, kIdbType);
    put16(out, kLinkTypeEthernet);
    put16(out, 0);
    put32(out, 0);   // snap length: none
    if (!name.empty()) option(out, kIfName, name, referenced);
    option(out, kIfTsresol, std::string_view("\x06", 1), referenced);   // microseconds (the default, said)
    closeBlock(out, start);
}
}  // namespace

void appendInterface(std::string& out, std::string_view name) { appendInterfaceBlock(out, name, 0); }

namespace {
/// An enhanced packet block whose frame is built in place, right after its header (no copy of a
/// frame built elsewhere: the payload is copied once, into `out`). Returns where the block starts.
/// Where a packet block began in a RecordBuffer: its offset in bytes() and what was referenced then.
struct PacketMark {
    std::size_t start;
    std::size_t referenced;
};
PacketMark beginPacket(RecordBuffer& buffer, std::uint32_t interface, TimestampUs time_us) {
    std::string& out = buffer.bytes();
    const std::size_t start = openBlock(out, kEpbType);
    const auto ts = static_cast<std::uint64_t>(time_us);
    put32(out, interface);
    put32(out, static_cast<std::uint32_t>(ts >> 32));
    put32(out, static_cast<std::uint32_t>(ts & 0xffffffff));
    put32(out, 0);   // captured and original length: endPacket
    put32(out, 0);
    return {start, buffer.referenced()};
}
constexpr std::size_t kEpbFrameAt = 28;   // type, total length, interface, 2 x timestamp, 2 x length
void endPacket(RecordBuffer& buffer, PacketMark mark, std::string_view comment) {
    std::string& out = buffer.bytes();
    const std::size_t inside = buffer.referenced() - mark.referenced;   // the payload, when referenced
    const auto length = static_cast<std::uint32_t>(out.size() + inside - mark.start - kEpbFrameAt);
    out.replace(mark.start + 20, 4, reinterpret_cast<const char*>(&length), 4);
    out.replace(mark.start + 24, 4, reinterpret_cast<const char*>(&length), 4);
    pad4(out, buffer.referenced());
    if (!comment.empty()) option(out, kOptComment, comment.substr(0, 0xfff0), buffer.referenced());
    closeBlock(out, mark.start, inside);
}

/// `owner`: the shared bytes `payload` lies in (referenced, not copied, when large), or null.
void appendTcpFrame(RecordBuffer& buffer, const SocketAddress& src, const SocketAddress& dst, std::uint32_t seq,
                    std::uint32_t ack, std::uint8_t flags, std::span<const std::uint8_t> payload, bool syn_options,
                    const SharedBytes* owner) {
    std::string& out = buffer.bytes();
    const std::size_t header = syn_options ? 28 : 20;
    const std::size_t l4 = putLinkAndIp(out, src, dst, kProtoTcp, header + payload.size());
    putBe16(out, src.port);
    putBe16(out, dst.port);
    putBe32(out, seq);
    putBe32(out, (flags & kAck) ? ack : 0);
    out += char((header / 4) << 4);
    out += char(flags);
    putBe16(out, 0xffff);   // window: scaled by 2^14 (SYN options) = 1 GiB, never "full"
    putBe16(out, 0);        // checksum, below
    putBe16(out, 0);        // urgent pointer
    if (syn_options) {
        out.append("\x02\x04", 2);
        putBe16(out, static_cast<std::uint16_t>(kMaxSegment));   // MSS
        out.append("\x01\x03\x03\x0e", 4);                    // NOP, window scale 14
    }
    putL4Checksum(out, l4, 16, src, dst, kProtoTcp, payload);
    buffer.payload(payload, owner);
}

void appendUdpFrame(RecordBuffer& buffer, const SocketAddress& src, const SocketAddress& dst,
                    std::span<const std::uint8_t> payload, const SharedBytes* owner) {
    std::string& out = buffer.bytes();
    const std::size_t l4 = putLinkAndIp(out, src, dst, kProtoUdp, 8 + payload.size());
    putBe16(out, src.port);
    putBe16(out, dst.port);
    putBe16(out, static_cast<std::uint16_t>(8 + payload.size()));
    putBe16(out, 0);
    putL4Checksum(out, l4, 6, src, dst, kProtoUdp, payload);
    buffer.payload(payload, owner);
}

/// Runs `fn(RecordBuffer&)` over `out` as one flat string (every payload copied in).
template <typename Fn>
void intoString(std::string& out, Fn&& fn) {
    RecordBuffer flat(false);
    flat.bytes().swap(out);
    fn(flat);
    out.swap(flat.bytes());
}
}  // namespace

void appendPacket(std::string& out, std::uint32_t interface, TimestampUs time_us, std::span<const std::uint8_t> frame,
                  std::string_view comment) {
    intoString(out, [&](RecordBuffer& buffer) {
        const PacketMark mark = beginPacket(buffer, interface, time_us);
        buffer.payload(frame, nullptr);
        endPacket(buffer, mark, comment);
    });
}

std::optional<SocketAddress> parseSocketAddress(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    SocketAddress out;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), out.port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size()) return std::nullopt;
    std::error_code error;
    const auto address = asio::ip::make_address(std::string(host), error);
    if (error) return std::nullopt;
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), out.ip.begin());
    } else {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) {
            const auto b = asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_bytes();
            std::copy(b.begin(), b.end(), out.ip.begin());
        } else {
            out.v6 = true;
            const auto b = v6.to_bytes();
            std::copy(b.begin(), b.end(), out.ip.begin());
        }
    }
    return out;
}

bool isUnspecified(const SocketAddress& a) {
    return std::all_of(a.ip.begin(), a.ip.begin() + (a.v6 ? 16 : 4), [](std::uint8_t b) { return b == 0; });
}

void matchFamilies(SocketAddress& a, SocketAddress& b) {
    if (a.v6 == b.v6) return;
    SocketAddress& v4 = a.v6 ? b : a;
    SocketAddress& v6 = a.v6 ? a : b;
    if (isUnspecified(v6)) {   // "::" beside an IPv4 address: a dual-stack socket, 0.0.0.0 in IPv4
        v6 = SocketAddress{false, {}, v6.port};
        return;
    }
    const bool unspecified = isUnspecified(v4);
    std::array<std::uint8_t, 16> mapped{};
    if (!unspecified) {
        mapped[10] = mapped[11] = 0xff;
        std::copy(v4.ip.begin(), v4.ip.begin() + 4, mapped.begin() + 12);
    }
    v4.ip = mapped;
    v4.v6 = true;
}

void buildTcpFrame(std::string& frame, const SocketAddress& src, const SocketAddress& dst, std::uint32_t seq,
                   std::uint32_t ack, std::uint8_t flags, std::span<const std::uint8_t> payload, bool syn_options) {
    frame.clear();
    intoString(frame, [&](RecordBuffer& buffer) {
        appendTcpFrame(buffer, src, dst, seq, ack, flags, payload, syn_options, nullptr);
    });
}

void buildUdpFrame(std::string& frame, const SocketAddress& src, const SocketAddress& dst,
                   std::span<const std::uint8_t> payload) {
    frame.clear();
    intoString(frame, [&](RecordBuffer& buffer) { appendUdpFrame(buffer, src, dst, payload, nullptr); });
}

// --- the formatter ---------------------------------------------------------------------------

void PcapngFormatter::beginFile(std::string& out) {
    appendSectionHeader(out);
    // Interface ids are per section: a new file repeats them in the same order.
    std::vector<std::pair<std::uint32_t, std::string>> known;
    for (const auto& [endpoint, interface] : m_interfaces) known.push_back(interface);
    std::sort(known.begin(), known.end());
    for (const auto& [index, name] : known) appendInterface(out, name);
}

std::uint32_t PcapngFormatter::interfaceOf(EndpointId endpoint, const std::string& name, RecordBuffer& out) {
    if (auto it = m_interfaces.find(endpoint); it != m_interfaces.end()) return it->second.first;
    const auto index = static_cast<std::uint32_t>(m_interfaces.size());
    m_interfaces[endpoint] = {index, name};
    appendInterfaceBlock(out.bytes(), name, out.referenced());
    return index;
}

namespace {
SocketAddress addressOr(std::string_view text) {
    if (auto a = parseSocketAddress(text)) return *a;
    return SocketAddress{};   // 0.0.0.0:0: unknown, but the stream still reads back
}
std::string connectionComment(const TapRecord& record, ConnectionId id, std::string_view what) {
    return record.endpoint + " #" + std::to_string(id) + " " + std::string(what);
}
}  // namespace

SocketAddress PcapngFormatter::udpLocal(const TapRecord& record, const DataEvent& d) {
    constexpr std::size_t kMaxPeers = 4096;
    const auto key = std::make_pair(d.endpoint, d.peer);
    if (d.local.empty()) {   // tx, or a specific bind
        if (const auto it = m_udpLocals.find(key); it != m_udpLocals.end()) return it->second;
        SocketAddress bound = addressOr(record.local);
        if (!isUnspecified(bound)) return bound;
        // A wildcard bind sending first: the address the kernel sends from, not "::" toward an
        // IPv4 peer (a flow of its own in Wireshark, apart from the answers).
        // Looked up once per peer (a failure too: a broadcast beacon must not probe per datagram).
        const auto source = routeSourceToward(d.peer);
        SocketAddress local = source ? addressOr(*source) : bound;
        local.port = bound.port;
        if (m_udpLocals.size() >= kMaxPeers) m_udpLocals.erase(m_udpLocals.begin());
        return m_udpLocals[key] = local;
    }
    const SocketAddress local = addressOr(d.local);
    // Our answers leave from the address the kernel routes from (we do not set it): inferred as the
    // one the peer wrote to, unless that was a group or broadcast address no unicast leaves from.
    const bool unicast = local.v6 ? local.ip[0] != 0xff : local.ip[0] < 224;   // not 224/3 nor ff00::/8
    if (unicast) {
        if (m_udpLocals.size() >= kMaxPeers && !m_udpLocals.contains(key)) m_udpLocals.erase(m_udpLocals.begin());
        m_udpLocals[key] = local;
    }
    return local;
}

/// The connection's state; a connection first seen by its data (the recorder started later) gets
/// its handshake then.
PcapngFormatter::Connection* PcapngFormatter::connectionOf(const TapRecord& record, ConnectionId id, TimestampUs time,
                                                           RecordBuffer& out) {
    const auto key = std::make_pair(endpointOf(record.event), id);
    if (auto it = m_connections.find(key); it != m_connections.end()) return &it->second;
    Connection c;
    c.local = addressOr(record.local);
    c.peer = addressOr(record.peer);
    matchFamilies(c.local, c.peer);
    c.local_next = kLocalIsn;
    c.peer_next = kPeerIsn;
    for (const auto& [other_key, other] : m_connections)
        if (!other.mirror && c.local.port != 0 && c.peer.port != 0 && other.local == c.peer && other.peer == c.local)
            c.mirror = true;
    Connection& conn = m_connections.emplace(key, c).first->second;
    if (conn.mirror) return &conn;
    const std::uint32_t interface = interfaceOf(key.first, record.endpoint, out);
    conn.interface = interface;
    const bool local_opens = record.type != EndpointType::TcpServer;
    const std::string comment = connectionComment(record, id, record.type == EndpointType::TcpServer ? "accepted" : "connected");
    // SYN, SYN-ACK, ACK: each SYN takes one sequence number.
    segment(out, interface, time, conn, local_opens, kSyn, {}, comment);
    segment(out, interface, time, conn, !local_opens, kSyn | kAck, {}, comment);
    segment(out, interface, time, conn, local_opens, kAck, {}, comment);
    return &conn;
}

void PcapngFormatter::segment(RecordBuffer& out, std::uint32_t interface, TimestampUs time, Connection& c,
                              bool from_local, std::uint8_t flags, std::span<const std::uint8_t> payload,
                              const std::string& comment, const SharedBytes* owner) {
    if (c.mirror || c.reset) return;
    c.reset = (flags & kRst) != 0;
    if (c.interface) interface = *c.interface;
    std::uint32_t& seq = from_local ? c.local_next : c.peer_next;
    const std::uint32_t ack = from_local ? c.peer_next : c.local_next;
    const PacketMark block = beginPacket(out, interface, time);
    appendTcpFrame(out, from_local ? c.local : c.peer, from_local ? c.peer : c.local, seq, ack, flags, payload,
                   (flags & kSyn) != 0, owner);
    endPacket(out, block, comment);
    seq += static_cast<std::uint32_t>(payload.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
}

void PcapngFormatter::fin(RecordBuffer& out, std::uint32_t interface, TimestampUs time, Connection& c,
                          bool from_local, const std::string& comment) {
    bool& sent = from_local ? c.local_fin : c.peer_fin;
    if (sent) return;   // a side's FIN is recorded once
    sent = true;
    if (!from_local) c.peer_fin_after.reset();
    segment(out, interface, time, c, from_local, kFin | kAck, {}, comment);
    segment(out, interface, time, c, !from_local, kAck, {}, comment);
}

void PcapngFormatter::closeConnection(const TapRecord& record, const ConnectionClosed& closed, RecordBuffer& out) {
    const auto key = std::make_pair(closed.endpoint, closed.connection);
    if (!m_connections.count(key)) return;   // never seen open: nothing to close
    Connection& c = m_connections[key];
    if (c.mirror) {
        closeMirror(record, closed, c, out);
        m_connections.erase(key);
        return;
    }
    const std::uint32_t interface = interfaceOf(closed.endpoint, record.endpoint, out);
    const std::string comment = connectionComment(record, closed.connection, std::string("closed: ") + toString(closed.reason));
    if (c.peer_reset && closed.reason != CloseReason::LocalAbort) {   // the mirror's RST, however the twin saw it end
        segment(out, interface, closed.time_us, c, false, kRst | kAck, {}, comment);
        m_connections.erase(key);
        return;
    }
    if (c.peer_fin_after) fin(out, interface, closed.time_us, c, false, comment);   // its bytes never came
    switch (closed.reason) {
        case CloseReason::LocalAbort:
            segment(out, interface, closed.time_us, c, true, kRst | kAck, {}, comment);
            break;
        case CloseReason::PeerReset:
        case CloseReason::Error:
            segment(out, interface, closed.time_us, c, false, kRst | kAck, {}, comment);
            break;
        default:   // a FIN from each side that has not sent one, each acknowledged
            fin(out, interface, closed.time_us, c, true, comment);
            if (closed.reason == CloseReason::PeerClosed) fin(out, interface, closed.time_us, c, false, comment);
            break;
    }
    if (!c.mirror)
        handOverToMirror(c, closed.reason == CloseReason::LocalAbort || closed.reason == CloseReason::PeerReset ||
                                closed.reason == CloseReason::Error);
    m_connections.erase(key);
}

PcapngFormatter::Connection* PcapngFormatter::twinOf(const Connection& mirror) {
    for (auto& [key, twin] : m_connections)
        if (!twin.mirror && twin.local == mirror.peer && twin.peer == mirror.local) return &twin;
    return nullptr;
}

void PcapngFormatter::closeMirror(const TapRecord& record, const ConnectionClosed& closed, const Connection& mirror,
                                  RecordBuffer& out) {
    Connection* twin = twinOf(mirror);
    if (twin == nullptr) return;
    const std::uint32_t interface = interfaceOf(closed.endpoint, record.endpoint, out);
    const std::string comment = connectionComment(record, closed.connection, std::string("closed: ") + toString(closed.reason));
    switch (closed.reason) {
        case CloseReason::LocalAbort:   // its RST ends the twin's connection, after what the twin still reads
            twin->peer_reset = true;
            break;
        case CloseReason::PeerReset:    // the twin's own RST or error: the twin records it
        case CloseReason::Error:
            break;
        default:   // its FIN follows what it sent
            if (twin->received >= mirror.sent) fin(out, interface, closed.time_us, *twin, false, comment);
            else twin->peer_fin_after = mirror.sent;
            break;
    }
}

void PcapngFormatter::handOverToMirror(const Connection& closing, bool reset) {
    // After a RST, or both FINs, the stream is over on the wire: the mirror stays silent.
    if (reset || (closing.local_fin && closing.peer_fin)) return;
    for (auto& [key, m] : m_connections) {
        if (!m.mirror || m.local != closing.peer || m.peer != closing.local) continue;
        m.mirror = false;
        m.interface = closing.interface;
        m.local_next = closing.peer_next;   // its local side is the twin's peer
        m.peer_next = closing.local_next;
        m.local_fin = closing.peer_fin;
        m.peer_fin = closing.local_fin;
        m.skip_rx = closing.sent > m.received ? closing.sent - m.received : 0;
        return;
    }
}

void PcapngFormatter::gap(const TapRecord& record, std::uint64_t rx, std::uint64_t tx) {
    std::visit([&](const auto& e) {
        if constexpr (requires { e.connection; }) {
            auto it = m_connections.find(std::make_pair(e.endpoint, e.connection));
            if (it == m_connections.end()) return;
            it->second.peer_next += static_cast<std::uint32_t>(rx);
            it->second.local_next += static_cast<std::uint32_t>(tx);
        }
    }, record.event);
}

void PcapngFormatter::append(const TapRecord& record, std::string& out) {
    intoString(out, [&](RecordBuffer& buffer) { appendRecord(record, buffer); });
}

void PcapngFormatter::appendRecord(const TapRecord& record, RecordBuffer& out) {
    if (const auto* o = std::get_if<ConnectionOpened>(&record.event)) {
        (void)connectionOf(record, o->connection, o->time_us, out);
    } else if (const auto* h = std::get_if<PeerHalfClosed>(&record.event)) {
        Connection* c = connectionOf(record, h->connection, h->time_us, out);
        fin(out, interfaceOf(h->endpoint, record.endpoint, out), h->time_us, *c, false,
            connectionComment(record, h->connection, "peer sent FIN"));
    } else if (const auto* l = std::get_if<LocalHalfClosed>(&record.event)) {
        Connection* c = connectionOf(record, l->connection, l->time_us, out);
        fin(out, interfaceOf(l->endpoint, record.endpoint, out), l->time_us, *c, true,
            connectionComment(record, l->connection, "sent FIN (half-close)"));
    } else if (const auto* closed = std::get_if<ConnectionClosed>(&record.event)) {
        closeConnection(record, *closed, out);
    } else if (const auto* d = std::get_if<DataEvent>(&record.event)) {
        const bool rx = d->direction == Direction::Rx;
        if (d->connection == 0) {   // udp: one packet per message (a datagram, or a frame of one)
            SocketAddress local = udpLocal(record, *d), peer = addressOr(d->peer);
            matchFamilies(local, peer);
            const std::uint32_t interface = interfaceOf(d->endpoint, record.endpoint, out);
            const std::size_t max = local.v6 ? kMaxDatagramV6 : kMaxDatagram;
            forEachMessage(*d, [&](std::span<const std::uint8_t> payload) {
                const auto datagram = payload.first(std::min(payload.size(), max));
                std::string comment = record.endpoint + (rx ? " rx" : " tx");
                if (datagram.size() < payload.size())
                    comment += " (cut to " + std::to_string(max) + " of " + std::to_string(payload.size()) + " bytes)";
                const PacketMark block = beginPacket(out, interface, d->time_us);
                appendUdpFrame(out, rx ? peer : local, rx ? local : peer, datagram, &d->payload);
                endPacket(out, block, comment);
            });
            return;
        }
        Bytes scratch;   // only when stripped delimiters lie between the frames
        const std::span<const std::uint8_t> payload = joinedMessages(*d, scratch);
        Connection* c = connectionOf(record, d->connection, d->time_us, out);
        (rx ? c->received : c->sent) += payload.size();
        std::span<const std::uint8_t> fresh = payload;
        if (rx && c->skip_rx > 0) {   // the twin recorded these as its own sends already
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(c->skip_rx, fresh.size()));
            fresh = fresh.subspan(n);
            c->skip_rx -= n;
        }
        const std::uint32_t interface = interfaceOf(d->endpoint, record.endpoint, out);
        const std::string comment = connectionComment(record, d->connection, rx ? "rx" : "tx");
        for (std::size_t at = 0; at < fresh.size(); at += kMaxSegment)
            segment(out, interface, d->time_us, *c, !rx, kPsh | kAck,
                    fresh.subspan(at, std::min(kMaxSegment, fresh.size() - at)), comment, &d->payload);
        if (rx && c->peer_fin_after && c->received >= *c->peer_fin_after) {
            c->peer_fin_after.reset();
            fin(out, interface, d->time_us, *c, false, comment);
        }
    }
}

}  // namespace sockscope::pcapng
