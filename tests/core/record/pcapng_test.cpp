// The pcapng writer: blocks byte for byte, frames with valid checksums, and the formatter's
// interfaces, handshake, segments and sequence numbers (IPv4 and IPv6).
#include "core/record/pcapng.hpp"

#include <gtest/gtest.h>

#include <random>

#include "support/engine_harness.hpp"
#include "support/pcapng_reader.hpp"

namespace sockscope {
namespace {

using test::parsePcapng;

std::string hexOf(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

TEST(Pcapng, SectionHeaderIsByteExact) {
    std::string out;
    pcapng::appendSectionHeader(out);
    // type, length 48, byte-order magic, version 1.0, section length -1,
    // shb_userappl (4) of 9 bytes "Sockscope" + 3 padding, opt_endofopt, length 48
    EXPECT_EQ(hexOf(out),
              "0a0d0d0a" "30000000" "4d3c2b1a" "0100" "0000" "ffffffffffffffff"
              "0400" "0900" "536f636b73636f7065000000" "00000000" "30000000");
}

TEST(Pcapng, InterfaceIsByteExact) {
    std::string out;
    pcapng::appendInterface(out, "srv");
    // type 1, length 40, LINKTYPE_ETHERNET, reserved, snaplen 0, if_name "srv" + 1 padding,
    // if_tsresol 6 (µs) + 3 padding, opt_endofopt, length 40
    EXPECT_EQ(hexOf(out), "01000000" "28000000" "0100" "0000" "00000000" "0200" "0300" "73727600"
                          "0900" "0100" "06000000" "00000000" "28000000");
}

TEST(Pcapng, PacketIsByteExact) {
    std::string out;
    const std::uint8_t frame[5] = {1, 2, 3, 4, 5};
    pcapng::appendPacket(out, 2, (std::int64_t(1) << 32) + 7, frame, "ab");
    // type 6, length 52, interface 2, timestamp high 1 / low 7, captured 5, original 5,
    // 5 bytes + 3 padding, opt_comment "ab" + 2 padding, opt_endofopt, length 52
    EXPECT_EQ(hexOf(out), "06000000" "34000000" "02000000" "01000000" "07000000" "05000000" "05000000"
                          "0102030405000000" "0100" "0200" "61620000" "00000000" "34000000");
}

/// The one's-complement sum over `bytes` folds to 0xffff when its checksum is right.
std::uint16_t foldedSum(const std::string& bytes, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += std::uint8_t(bytes[i]) << 8 | std::uint8_t(bytes[i + 1]);
    if (bytes.size() % 2) sum += std::uint8_t(bytes.back()) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

TEST(Pcapng, TcpFrameOverIpv4HasValidChecksums) {
    const auto src = pcapng::parseSocketAddress("127.0.0.1:5000"), dst = pcapng::parseSocketAddress("10.1.2.3:502");
    ASSERT_TRUE(src && dst);
    std::string frame;
    const std::string payload = "hello";
    pcapng::buildTcpFrame(frame, *src, *dst, 100, 200, pcapng::kPsh | pcapng::kAck,
                          std::span(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()));
    ASSERT_EQ(frame.size(), 14u + 20 + 20 + 5);
    EXPECT_EQ(test::be16(frame, 12), 0x0800);
    EXPECT_EQ(foldedSum(frame.substr(14, 20)), 0xffff) << "IPv4 header checksum";
    const std::string segment = frame.substr(34);
    std::string pseudo = frame.substr(26, 8);   // source and destination addresses
    pseudo += std::string("\0\x06", 2);
    pseudo += char(segment.size() >> 8);
    pseudo += char(segment.size() & 0xff);
    EXPECT_EQ(foldedSum(segment, foldedSum(pseudo)), 0xffff) << "TCP checksum";
    EXPECT_EQ(test::be16(frame, 34), 5000);
    EXPECT_EQ(test::be16(frame, 36), 502);
    EXPECT_EQ(test::be32(frame, 38), 100u);
    EXPECT_EQ(test::be32(frame, 42), 200u);
    EXPECT_EQ(frame.substr(54), "hello");
}

/// The checksum is summed a word at a time: every length (odd ones, tails of 1-3 bytes, a whole
/// 65,495-byte segment of 0xff bytes that carries on every add) still checks with the plain sum.
TEST(Pcapng, TcpChecksumHoldsForEveryPayloadLength) {
    const auto src = pcapng::parseSocketAddress("127.0.0.1:5000"), dst = pcapng::parseSocketAddress("127.0.0.1:502");
    ASSERT_TRUE(src && dst);
    std::vector<std::size_t> sizes;
    for (std::size_t n = 0; n <= 67; ++n) sizes.push_back(n);
    sizes.push_back(65495);
    for (const std::size_t n : sizes) {
        for (const std::uint8_t fill : {std::uint8_t(0xff), std::uint8_t(0x5a)}) {
            std::vector<std::uint8_t> payload(n, fill);
            for (std::size_t i = 0; i < n && fill != 0xff; ++i) payload[i] = static_cast<std::uint8_t>(i * 37 + 11);
            std::string frame;
            pcapng::buildTcpFrame(frame, *src, *dst, 0xfffffff0u, 7, pcapng::kPsh | pcapng::kAck, payload);
            const std::string segment = frame.substr(34);
            std::string pseudo = frame.substr(26, 8);
            pseudo += std::string("\0\x06", 2);
            pseudo += char(segment.size() >> 8);
            pseudo += char(segment.size() & 0xff);
            ASSERT_EQ(foldedSum(segment, foldedSum(pseudo)), 0xffff) << n << " bytes of " << int(fill);
        }
    }
}

/// The wide sum reads 32 bytes a step with unaligned loads: payloads that start at any offset
/// of a buffer (the engine's read blocks hand out slices at any byte), of random lengths odd and
/// even, still give checksums the plain byte-pair sum accepts.
TEST(Pcapng, TcpChecksumHoldsAtEveryAlignment) {
    const auto src = pcapng::parseSocketAddress("[::1]:5000"), dst = pcapng::parseSocketAddress("[::1]:502");
    ASSERT_TRUE(src && dst);
    std::mt19937 random(20261130);
    std::vector<std::uint8_t> buffer(70000);
    for (auto& b : buffer) b = static_cast<std::uint8_t>(random());
    for (int round = 0; round < 400; ++round) {
        const std::size_t offset = static_cast<std::size_t>(round % 64);
        const std::size_t most = round % 4 == 0 ? pcapng::kMaxSegment : 300;
        const std::size_t size = std::uniform_int_distribution<std::size_t>(0, most)(random);
        const std::span<const std::uint8_t> payload(buffer.data() + offset, size);
        std::string frame;
        pcapng::buildTcpFrame(frame, *src, *dst, 1, 2, pcapng::kPsh | pcapng::kAck, payload);
        const std::string segment = frame.substr(54);   // after Ethernet (14) and IPv6 (40)
        std::string pseudo = frame.substr(22, 32);       // source and destination addresses
        pseudo += std::string("\0\0", 2);
        pseudo += char(segment.size() >> 8);
        pseudo += char(segment.size() & 0xff);
        pseudo += std::string("\0\0\0\x06", 4);
        ASSERT_EQ(foldedSum(segment, foldedSum(pseudo)), 0xffff) << size << " bytes at offset " << offset;
    }
}

TEST(Pcapng, AddressesParseAndMatchFamilies) {
    auto v6 = pcapng::parseSocketAddress("[::1]:80");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->v6);
    EXPECT_EQ(v6->port, 80);
    EXPECT_EQ(v6->ip[15], 1);
    auto mapped = pcapng::parseSocketAddress("[::ffff:127.0.0.1]:9");
    ASSERT_TRUE(mapped);
    EXPECT_FALSE(mapped->v6);   // shown (and written) as IPv4
    EXPECT_EQ(mapped->ip[0], 127);
    EXPECT_FALSE(pcapng::parseSocketAddress("localhost:80"));
    EXPECT_FALSE(pcapng::parseSocketAddress("127.0.0.1"));
    auto v4 = pcapng::parseSocketAddress("127.0.0.1:1");
    pcapng::matchFamilies(*v4, *v6);
    EXPECT_TRUE(v4->v6);
    EXPECT_EQ(v4->ip[10], 0xff);
    EXPECT_EQ(v4->ip[12], 127);
}

TapRecord tap(Event event, EndpointType type, std::string local = {}, std::string peer = {}) {
    TapRecord r;
    r.event = std::move(event);
    r.endpoint = "srv";
    r.type = type;
    r.local = std::move(local);
    r.peer = std::move(peer);
    return r;
}

TEST(Pcapng, FormatterWritesHandshakeSegmentsAndResetOverIpv6) {
    pcapng::PcapngFormatter f;
    std::string out;
    f.beginFile(out);
    const std::string local = "[::1]:6000", peer = "[::1]:5000";
    f.append(tap(ConnectionOpened{1, 7, peer, local, 1000}, EndpointType::TcpServer, local, peer), out);
    Bytes big(150000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::uint8_t(i * 7);
    f.append(tap(DataEvent{1, 7, Direction::Rx, 2000, {}, big}, EndpointType::TcpServer, local, peer), out);
    f.append(tap(DataEvent{1, 7, Direction::Tx, 3000, {}, test::bytesOf("ok")}, EndpointType::TcpServer, local, peer), out);
    f.append(tap(ConnectionClosed{1, 7, CloseReason::PeerReset, std::nullopt, 4000}, EndpointType::TcpServer), out);

    const auto capture = parsePcapng(out);
    ASSERT_TRUE(capture.complete);
    ASSERT_EQ(capture.interface_names, std::vector<std::string>{"srv"});
    const auto& p = capture.packets;
    ASSERT_EQ(p.size(), 3u + 3 + 1 + 1);
    // The peer opened (we are the server): SYN from 5000, SYN-ACK from 6000, ACK from 5000.
    EXPECT_EQ(p[0].flags, pcapng::kSyn);
    EXPECT_EQ(p[0].sport, 5000);
    EXPECT_EQ(p[1].flags, pcapng::kSyn | pcapng::kAck);
    EXPECT_EQ(p[1].ack, p[0].seq + 1);
    EXPECT_EQ(p[2].flags, pcapng::kAck);
    for (const auto& packet : p) EXPECT_TRUE(packet.v6 && packet.tcp);
    // 150,000 bytes in segments of at most 65,495, sequence numbers back to back.
    std::string joined;
    std::uint32_t seq = p[0].seq + 1;
    for (int i = 3; i < 6; ++i) {
        EXPECT_EQ(p[i].sport, 5000);
        EXPECT_EQ(p[i].seq, seq);
        EXPECT_LE(p[i].payload.size(), pcapng::kMaxSegment);
        EXPECT_EQ(p[i].comment, "srv #7 rx");
        seq += static_cast<std::uint32_t>(p[i].payload.size());
        joined += p[i].payload;
    }
    EXPECT_EQ(joined, std::string(big.begin(), big.end()));
    EXPECT_EQ(p[6].sport, 6000);
    EXPECT_EQ(p[6].payload, "ok");
    EXPECT_EQ(p[6].ack, seq) << "our data acknowledges everything the peer sent";
    EXPECT_EQ(p[6].time_us, 3000u);
    EXPECT_EQ(p[7].flags, pcapng::kRst | pcapng::kAck);
    EXPECT_EQ(p[7].sport, 5000) << "the peer reset";
    EXPECT_EQ(p[7].comment, "srv #7 closed: peer_reset");
}

TEST(Pcapng, FormatterClosesWithFinsAndSendsUdpWithPorts) {
    pcapng::PcapngFormatter f;
    std::string out;
    f.beginFile(out);
    const std::string local = "127.0.0.1:40000", peer = "127.0.0.1:80";
    f.append(tap(ConnectionOpened{2, 3, peer, local, 10}, EndpointType::TcpClient, local, peer), out);
    f.append(tap(ConnectionClosed{2, 3, CloseReason::LocalGraceful, std::nullopt, 20}, EndpointType::TcpClient), out);
    TapRecord udp = tap(DataEvent{4, 0, Direction::Rx, 30, "127.0.0.1:9999", test::bytesOf("dgram")}, EndpointType::Udp,
                        "127.0.0.1:7000");
    udp.endpoint = "u";
    f.append(udp, out);
    const auto capture = parsePcapng(out);
    ASSERT_EQ(capture.interface_names, (std::vector<std::string>{"srv", "u"}));
    const auto& p = capture.packets;
    ASSERT_EQ(p.size(), 3u + 2 + 1);
    EXPECT_EQ(p[0].sport, 40000) << "a client opens";
    EXPECT_EQ(p[3].flags, pcapng::kFin | pcapng::kAck);
    EXPECT_EQ(p[3].sport, 40000);
    EXPECT_EQ(p[4].flags, pcapng::kAck);
    EXPECT_EQ(p[4].ack, p[3].seq + 1);
    EXPECT_FALSE(p[5].tcp);
    EXPECT_EQ(p[5].interface, 1u);
    EXPECT_EQ(p[5].sport, 9999);
    EXPECT_EQ(p[5].dport, 7000);
    EXPECT_EQ(p[5].payload, "dgram");
    EXPECT_EQ(p[5].comment, "u rx");

    // A new file (rotation) repeats the interfaces in the same order.
    std::string next;
    f.beginFile(next);
    EXPECT_EQ(parsePcapng(next).interface_names, (std::vector<std::string>{"srv", "u"}));
}

// Tester item: a dual-stack udp socket ([::]) sending first to an IPv4 peer was recorded from
// "::" to ::ffff:127.0.0.1, a flow apart from the peer's answers (127.0.0.1 both ways).
TEST(Pcapng, ADualStackUdpSocketSendingFirstToAnIpv4PeerIsOneIpv4Flow) {
    pcapng::PcapngFormatter f;
    std::string out;
    f.beginFile(out);
    TapRecord tx = tap(DataEvent{4, 0, Direction::Tx, 10, "127.0.0.1:9999", test::bytesOf("first")}, EndpointType::Udp,
                       "[::]:7000");
    TapRecord rx = tap(DataEvent{4, 0, Direction::Rx, 20, "127.0.0.1:9999", test::bytesOf("reply")}, EndpointType::Udp,
                       "[::]:7000");
    std::get<DataEvent>(rx.event).local = "127.0.0.1:7000";   // what the peer wrote to
    f.append(tx, out);
    f.append(rx, out);
    const auto p = parsePcapng(out).packets;
    ASSERT_EQ(p.size(), 2u);
    const std::string loopback("\x7f\x00\x00\x01", 4);
    for (const auto& packet : p) {
        EXPECT_FALSE(packet.v6);
        EXPECT_EQ(packet.src, loopback) << "the kernel's route to 127.0.0.1 leaves from 127.0.0.1";
        EXPECT_EQ(packet.dst, loopback);
    }
    EXPECT_EQ(p[0].sport, 7000);
    EXPECT_EQ(p[0].dport, 9999);
    EXPECT_EQ(p[1].sport, 9999);
    // No route lookup possible: "::" beside an IPv4 peer is 0.0.0.0, still IPv4.
    auto any = pcapng::parseSocketAddress("[::]:7000");
    auto v4 = pcapng::parseSocketAddress("127.0.0.1:1");
    pcapng::matchFamilies(*any, *v4);
    EXPECT_FALSE(any->v6);
    EXPECT_FALSE(v4->v6);
    EXPECT_EQ(any->port, 7000);
}

// Tester item: a tcp-client and a tcp-server of one profile connected to each other; the run's
// end closed the server's side first, and its FIN was missing (the mirror writes no packets). A
// mirror's FIN or RST is now its twin's peer's, after the bytes it sent.
TEST(Pcapng, AMirrorsCloseIsRecordedOnItsTwinAfterTheBytesItSent) {
    const std::string a = "127.0.0.1:50000", b = "127.0.0.1:7000";
    for (const bool reset : {false, true}) {
        SCOPED_TRACE(reset ? "rst" : "fin");
        pcapng::PcapngFormatter f;
        std::string out;
        f.beginFile(out);
        f.append(tap(ConnectionOpened{1, 1, b, a, 10}, EndpointType::TcpClient, a, b), out);   // recorded
        f.append(tap(ConnectionOpened{2, 2, a, b, 11}, EndpointType::TcpServer, b, a), out);   // its mirror
        f.append(tap(DataEvent{2, 2, Direction::Tx, 20, {}, test::bytesOf("late")}, EndpointType::TcpServer, b, a), out);
        f.append(tap(ConnectionClosed{2, 2, reset ? CloseReason::LocalAbort : CloseReason::Shutdown, std::nullopt, 30},
                     EndpointType::TcpServer), out);
        f.append(tap(DataEvent{1, 1, Direction::Rx, 40, {}, test::bytesOf("late")}, EndpointType::TcpClient, a, b), out);
        f.append(tap(ConnectionClosed{1, 1, reset ? CloseReason::PeerReset : CloseReason::Shutdown, std::nullopt, 50},
                     EndpointType::TcpClient), out);
        const auto p = parsePcapng(out).packets;
        if (reset) {   // the bytes the twin still read, then the RST (once: the twin's reset is that one)
            ASSERT_EQ(p.size(), 3u + 1 + 1);
            EXPECT_EQ(p[3].payload, "late");
            EXPECT_EQ(p[4].flags, pcapng::kRst | pcapng::kAck);
            EXPECT_EQ(p[4].sport, 7000);
            continue;
        }
        ASSERT_EQ(p.size(), 3u + 1 + 2 + 2);
        EXPECT_EQ(p[3].payload, "late");
        EXPECT_EQ(p[4].flags, pcapng::kFin | pcapng::kAck);
        EXPECT_EQ(p[4].sport, 7000) << "the server's FIN, after its bytes";
        EXPECT_EQ(p[4].seq, p[3].seq + 4);
        EXPECT_EQ(p[5].flags, pcapng::kAck);
        EXPECT_EQ(p[6].flags, pcapng::kFin | pcapng::kAck);
        EXPECT_EQ(p[6].sport, 50000) << "then the client's";
        EXPECT_EQ(p[7].ack, p[6].seq + 1);
    }
}

TEST(Pcapng, DataOfAConnectionSeenLateGetsAHandshakeFirst) {
    pcapng::PcapngFormatter f;
    std::string out;
    f.append(tap(DataEvent{1, 9, Direction::Tx, 5, {}, test::bytesOf("x")}, EndpointType::TcpClient, "127.0.0.1:1",
                 "127.0.0.1:2"), out);
    const auto capture = parsePcapng(out);
    ASSERT_EQ(capture.packets.size(), 4u);
    EXPECT_EQ(capture.packets[0].flags, pcapng::kSyn);
    EXPECT_EQ(capture.packets[3].payload, "x");
}

}  // namespace
}  // namespace sockscope
