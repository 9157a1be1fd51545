#pragma once
// pcapng for Wireshark: the events of a session as synthesized Ethernet + IPv4/IPv6 + TCP/UDP
// packets built from the real addresses and ports, µs timestamps, one interface (IDB) per endpoint,
// TCP sequence/acknowledgement numbers consistent per direction (a handshake at open, FIN or RST
// at close as they happened, messages split into segments), a comment per packet naming the
// endpoint and the connection. Blocks are built whole, so a reader sees complete blocks only.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/record/record_format.hpp"

namespace sockscope::pcapng {

constexpr std::uint16_t kLinkTypeEthernet = 1;
/// TCP payload per packet: 65,535 (IPv4 total length) - 20 (IP) - 20 (TCP).
constexpr std::size_t kMaxSegment = 65495;
/// UDP payload per packet: what one IPv4 (IPv6) datagram can hold; longer messages are cut (and say so).
constexpr std::size_t kMaxDatagram = 65507;
constexpr std::size_t kMaxDatagramV6 = 65527;

/// Section Header Block (little-endian, section length unknown), shb_userappl "Sockscope".
void appendSectionHeader(std::string& out);
/// Interface Description Block: Ethernet, no snap length limit, if_name = `name`, µs timestamps.
void appendInterface(std::string& out, std::string_view name);
/// Enhanced Packet Block with an opt_comment (none when `comment` is empty).
void appendPacket(std::string& out, std::uint32_t interface, TimestampUs time_us, std::span<const std::uint8_t> frame,
                  std::string_view comment);

/// An address and port as packets carry them.
struct SocketAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> ip{};   // v4: the first 4 bytes
    std::uint16_t port = 0;
    bool operator==(const SocketAddress&) const = default;
};
/// "127.0.0.1:80", "[::1]:80"; nullopt for anything else.
std::optional<SocketAddress> parseSocketAddress(std::string_view text);
/// Both of one family: a v4 address beside a v6 one becomes v4-mapped (or "::" when unspecified);
/// beside "::" (a dual-stack socket) it stays v4 and "::" becomes 0.0.0.0.
void matchFamilies(SocketAddress& a, SocketAddress& b);

enum TcpFlags : std::uint8_t { kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10 };

/// One Ethernet frame holding an IP packet with a TCP segment (checksums computed). `syn_options`
/// adds MSS and window-scale options (on SYN and SYN-ACK).
void buildTcpFrame(std::string& frame, const SocketAddress& src, const SocketAddress& dst, std::uint32_t seq,
                   std::uint32_t ack, std::uint8_t flags, std::span<const std::uint8_t> payload, bool syn_options = false);
/// One Ethernet frame holding an IP packet with a UDP datagram (checksums computed).
void buildUdpFrame(std::string& frame, const SocketAddress& src, const SocketAddress& dst,
                   std::span<const std::uint8_t> payload);

/// The stateful formatter: interfaces by endpoint, TCP sequence numbers by connection.
class PcapngFormatter final : public RecordFormatter {
public:
    void beginFile(std::string& out) override;
    void append(const TapRecord& record, std::string& out) override;
    /// Payloads of 4 KiB or more are referenced in `out`, not copied (the recorder's gather write).
    void appendRecord(const TapRecord& record, RecordBuffer& out) override;
    /// Sequence numbers jump over dropped bytes: Wireshark shows "previous segment not captured".
    void gap(const TapRecord& record, std::uint64_t rx, std::uint64_t tx) override;

private:
    struct Connection {
        SocketAddress local, peer;
        std::uint32_t local_next = 0, peer_next = 0;   // next sequence number each way
        bool local_fin = false, peer_fin = false;
        // The other end of a connection already recorded here (two endpoints of one profile
        // connected to each other): its bytes are that one's, so it writes no packets; two
        // views of one TCP stream would read as retransmissions and break Follow TCP Stream.
        bool mirror = false;
        // Where its packets go: its endpoint's interface; a mirror whose recorded twin closed
        // first takes over the rest of the stream on the twin's interface, so it reads as one.
        std::optional<std::uint32_t> interface;
        std::uint64_t sent = 0, received = 0;   // payload bytes each way, mirror or not
        // After a hand-over: bytes the twin already recorded as sent that this side has yet to
        // read (the twin closed before they were read here); they are not recorded twice.
        std::uint64_t skip_rx = 0;
        // The mirror closed with FIN after sending this many bytes: the peer's FIN is recorded
        // here once they have been received (not before bytes that precede it on the wire).
        std::optional<std::uint64_t> peer_fin_after;
        bool reset = false;   // a RST was recorded: the stream is over, nothing follows
        // The mirror reset: the twin's close (after the bytes it still reads) is that RST.
        bool peer_reset = false;
    };
    /// The twin closed: its mirror, if any, records the rest of the stream.
    void handOverToMirror(const Connection& closing, bool reset);
    /// A mirror closed: its FIN or RST is its twin's peer's, recorded on the twin.
    void closeMirror(const TapRecord& record, const ConnectionClosed& closed, const Connection& mirror, RecordBuffer& out);
    Connection* twinOf(const Connection& mirror);
    std::uint32_t interfaceOf(EndpointId endpoint, const std::string& name, RecordBuffer& out);
    Connection* connectionOf(const TapRecord& record, ConnectionId id, TimestampUs time, RecordBuffer& out);
    void segment(RecordBuffer& out, std::uint32_t interface, TimestampUs time, Connection& c, bool from_local,
                 std::uint8_t flags, std::span<const std::uint8_t> payload, const std::string& comment,
                 const SharedBytes* owner = nullptr);
    /// One side's FIN and the other's ACK, unless that side's FIN is already recorded.
    void fin(RecordBuffer& out, std::uint32_t interface, TimestampUs time, Connection& c, bool from_local,
             const std::string& comment);
    void closeConnection(const TapRecord& record, const ConnectionClosed& closed, RecordBuffer& out);

    std::map<EndpointId, std::pair<std::uint32_t, std::string>> m_interfaces;   // id in the section, name
    std::map<std::pair<EndpointId, ConnectionId>, Connection> m_connections;
    /// UDP on a wildcard bind: the address each peer last wrote to, which our answers leave from
    /// (bounded: past 4,096 peers some are forgotten, their answers then show the bound address).
    std::map<std::pair<EndpointId, std::string>, SocketAddress> m_udpLocals;
    /// The local address of a UDP packet to or from `d`'s peer.
    SocketAddress udpLocal(const TapRecord& record, const DataEvent& d);
};

}  // namespace sockscope::pcapng
