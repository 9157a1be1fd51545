// The capture importer's reader and flows: pcap in both byte orders with µs and ns timestamps,
// pcapng blocks (SHB both byte orders, IDB with if_tsresol/if_tsoffset, EPB, SPB, obsolete PB,
// unknown blocks, a second section), every link type, IPv4 options and fragments, IPv6 extension
// headers, truncated and corrupt files (errors naming the offset), and TCP reassembly with
// reordering, retransmission, overlaps, gaps and the buffer cap. Frames are built by Sockscope's
// own pcapng writer (pcapng::buildTcpFrame), so its recordings are covered too.
#include <gtest/gtest.h>

#include <sstream>

#include "core/capture/capture_flows.hpp"
#include "core/record/pcapng.hpp"

namespace sockscope::capture {
namespace {

pcapng::SocketAddress v4(std::uint8_t last, std::uint16_t port) {
    pcapng::SocketAddress a;
    a.ip = {10, 0, 0, last};
    a.port = port;
    return a;
}

pcapng::SocketAddress v6(std::uint8_t last, std::uint16_t port) {
    pcapng::SocketAddress a;
    a.v6 = true;
    a.ip = {0x20, 0x01, 0x0d, 0xb8};
    a.ip[15] = last;
    a.port = port;
    return a;
}

std::span<const std::uint8_t> bytesOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string tcpFrame(const pcapng::SocketAddress& src, const pcapng::SocketAddress& dst, std::uint32_t seq,
                     std::uint8_t flags, const std::string& payload = "") {
    std::string frame;
    pcapng::buildTcpFrame(frame, src, dst, seq, 0, flags, bytesOf(payload));
    return frame;
}

std::string udpFrame(const pcapng::SocketAddress& src, const pcapng::SocketAddress& dst, const std::string& payload) {
    std::string frame;
    pcapng::buildUdpFrame(frame, src, dst, bytesOf(payload));
    return frame;
}

/// Writes integers in a chosen byte order.
struct Writer {
    bool big = false;
    std::string s;
    void u16(std::uint32_t v) {
        if (big) { s += char(v >> 8); s += char(v); } else { s += char(v); s += char(v >> 8); }
    }
    void u32(std::uint32_t v) {
        if (big) { u16(v >> 16); u16(v & 0xFFFF); } else { u16(v & 0xFFFF); u16(v >> 16); }
    }
    void block(std::uint32_t type, const std::string& body) {
        std::string padded = body;
        padded.append((4 - padded.size() % 4) % 4, '\0');
        u32(type);
        u32(static_cast<std::uint32_t>(padded.size() + 12));
        s += padded;
        u32(static_cast<std::uint32_t>(padded.size() + 12));
    }
    Writer sub() const { return Writer{big, {}}; }
};

struct Packet {
    std::string frame;
    std::int64_t time_ns = 0;
};

std::string pcapFile(const std::vector<Packet>& packets, std::uint32_t link = 1, bool big = false, bool nanos = false) {
    Writer w{big, {}};
    w.u32(nanos ? 0xA1B23C4D : 0xA1B2C3D4);
    w.u16(2); w.u16(4); w.u32(0); w.u32(0); w.u32(262144); w.u32(link);
    for (const Packet& p : packets) {
        w.u32(static_cast<std::uint32_t>(p.time_ns / 1'000'000'000));
        const auto frac = p.time_ns % 1'000'000'000;
        w.u32(static_cast<std::uint32_t>(nanos ? frac : frac / 1000));
        w.u32(static_cast<std::uint32_t>(p.frame.size()));
        w.u32(static_cast<std::uint32_t>(p.frame.size()));
        w.s += p.frame;
    }
    return w.s;
}

void sectionHeader(Writer& w) {
    Writer body = w.sub();
    body.u32(0x1A2B3C4D); body.u16(1); body.u16(0); body.u32(0xFFFFFFFF); body.u32(0xFFFFFFFF);
    w.block(0x0A0D0D0A, body.s);
}

void interfaceBlock(Writer& w, std::uint16_t link, int tsresol = -1, std::int64_t tsoffset = 0) {
    Writer body = w.sub();
    body.u16(link); body.u16(0); body.u32(0);
    if (tsresol >= 0) { body.u16(9); body.u16(1); body.s += char(tsresol); body.s.append(3, '\0'); }
    if (tsoffset != 0) {
        body.u16(14); body.u16(8);
        const auto v = static_cast<std::uint64_t>(tsoffset);
        if (body.big) { body.u32(std::uint32_t(v >> 32)); body.u32(std::uint32_t(v)); }
        else { body.u32(std::uint32_t(v)); body.u32(std::uint32_t(v >> 32)); }
    }
    body.u16(0); body.u16(0);
    w.block(1, body.s);
}

void enhancedPacket(Writer& w, std::uint32_t iface, std::uint64_t ticks, const std::string& frame) {
    Writer body = w.sub();
    body.u32(iface); body.u32(std::uint32_t(ticks >> 32)); body.u32(std::uint32_t(ticks));
    body.u32(std::uint32_t(frame.size())); body.u32(std::uint32_t(frame.size()));
    body.s += frame;
    w.block(6, body.s);
}

CaptureAnalysis analyze(const std::string& file, std::optional<std::size_t> collect = std::nullopt) {
    std::istringstream in(file);
    AnalyzeOptions options;
    options.collect_flow = collect;
    return analyzeCapture(in, file.size(), options);
}

std::string payloadOf(const CaptureAnalysis& a, int from) {
    std::string out;
    for (const PayloadChunk& c : a.chunks)
        if (c.from == from) out.append(c.data.begin(), c.data.end());
    return out;
}

/// A short exchange: handshake, "GET" -> "OK", FIN both ways.
std::vector<Packet> exchange(const pcapng::SocketAddress& c, const pcapng::SocketAddress& s) {
    using namespace pcapng;
    return {{tcpFrame(c, s, 100, kSyn), 1'000'000'000},
            {tcpFrame(s, c, 900, kSyn | kAck), 1'000'100'000},
            {tcpFrame(c, s, 101, kAck), 1'000'200'000},
            {tcpFrame(c, s, 101, kPsh | kAck, "GET"), 1'001'000'000},
            {tcpFrame(s, c, 901, kPsh | kAck, "OK"), 1'021'000'000},
            {tcpFrame(c, s, 104, kFin | kAck), 1'030'000'000},
            {tcpFrame(s, c, 903, kFin | kAck), 1'030'100'000}};
}

void expectExchange(const CaptureAnalysis& a, std::int64_t first_ns = 1'000'000'000) {
    ASSERT_TRUE(a.error.empty()) << a.error;
    ASSERT_EQ(a.flows.size(), 1u);
    const Flow& f = a.flows[0];
    EXPECT_EQ(f.transport, Transport::Tcp);
    EXPECT_EQ(f.endpoint(f.client), "10.0.0.1:40000");
    EXPECT_EQ(f.endpoint(f.server()), "10.0.0.2:502");
    EXPECT_TRUE(f.handshake);
    EXPECT_TRUE(f.dir[0].fin && f.dir[1].fin);
    EXPECT_EQ(f.dir[0].packets, 4u);
    EXPECT_EQ(f.dir[1].packets, 3u);
    EXPECT_EQ(f.dir[0].bytes, 3u);
    EXPECT_EQ(f.dir[1].bytes, 2u);
    EXPECT_EQ(f.first_ns, first_ns);
    EXPECT_EQ(f.last_ns, first_ns + 30'100'000);
    EXPECT_EQ(std::string(f.dir[0].preview.begin(), f.dir[0].preview.end()), "GET");
}

TEST(CaptureReader, ClassicPcapInBothByteOrdersWithMicroAndNanoseconds) {
    const auto packets = exchange(v4(1, 40000), v4(2, 502));
    for (const bool big : {false, true})
        for (const bool nanos : {false, true}) {
            SCOPED_TRACE(std::string(big ? "big" : "little") + (nanos ? " ns" : " us"));
            const CaptureAnalysis a = analyze(pcapFile(packets, 1, big, nanos));
            EXPECT_EQ(a.format, CaptureFormat::Pcap);
            expectExchange(a);
        }
    // ns precision survives.
    std::vector<Packet> one = {{udpFrame(v4(1, 1), v4(2, 2), "x"), 1'500'000'123}};
    EXPECT_EQ(analyze(pcapFile(one, 1, false, true)).flows.at(0).first_ns, 1'500'000'123);
    EXPECT_EQ(analyze(pcapFile(one, 1, true, false)).flows.at(0).first_ns, 1'500'000'000);
}

TEST(CaptureReader, PcapngBlocksInBothByteOrdersWithTsresolAndOffset) {
    const auto packets = exchange(v4(1, 40000), v4(2, 502));
    for (const bool big : {false, true}) {
        SCOPED_TRACE(big ? "big" : "little");
        // interface 0: raw IP in ns; interface 1: Ethernet in 2^-10 s with a -100 s offset.
        Writer w{big, {}};
        sectionHeader(w);
        interfaceBlock(w, kLinkRaw, 9);
        interfaceBlock(w, kLinkEthernet, 0x80 | 10, -100);
        w.block(0x0BAD, "custom");                  // unknown: skipped
        w.block(4, std::string(8, '\0'));           // name resolution: skipped
        for (std::size_t i = 0; i < packets.size(); ++i) {
            if (i % 2 == 0) enhancedPacket(w, 0, static_cast<std::uint64_t>(packets[i].time_ns), packets[i].frame.substr(14));
            else enhancedPacket(w, 1, static_cast<std::uint64_t>(packets[i].time_ns + 100'000'000'000LL) * 1024 / 1'000'000'000,
                                packets[i].frame);
        }
        std::istringstream in(w.s);
        CaptureReader reader(in, w.s.size());
        RawPacket raw;
        std::vector<std::uint16_t> links;
        while (reader.next(raw)) links.push_back(raw.link_type);
        EXPECT_TRUE(reader.error().empty()) << reader.error();
        EXPECT_EQ(reader.skippedBlocks(), 2u);
        EXPECT_EQ(links, (std::vector<std::uint16_t>{101, 1, 101, 1, 101, 1, 101}));
        const CaptureAnalysis a = analyze(w.s);
        EXPECT_EQ(a.format, CaptureFormat::Pcapng);
        ASSERT_EQ(a.flows.size(), 1u);
        EXPECT_EQ(a.flows[0].dir[0].bytes, 3u);
        EXPECT_EQ(a.flows[0].dir[1].bytes, 2u);
        EXPECT_EQ(a.flows[0].first_ns, 1'000'000'000);
        // 2^-10 s ticks: within a millisecond of the true time.
        EXPECT_NEAR(static_cast<double>(a.flows[0].last_ns), 1'030'100'000.0, 1e6);
    }
}

TEST(CaptureReader, SimpleAndObsoletePacketBlocksAndASecondSection) {
    const std::string frame = udpFrame(v4(1, 5000), v4(2, 6000), "hello");
    Writer w;
    sectionHeader(w);
    interfaceBlock(w, kLinkEthernet);
    Writer spb = w.sub();
    spb.u32(static_cast<std::uint32_t>(frame.size()));
    spb.s += frame;
    w.block(3, spb.s);
    Writer pb = w.sub();
    pb.u16(0); pb.u16(0); pb.u32(0); pb.u32(2'000'000);
    pb.u32(static_cast<std::uint32_t>(frame.size())); pb.u32(static_cast<std::uint32_t>(frame.size()));
    pb.s += frame;
    w.block(2, pb.s);
    // A second section in big-endian: its interfaces start from 0 again.
    Writer big{true, {}};
    sectionHeader(big);
    interfaceBlock(big, kLinkRaw);
    enhancedPacket(big, 0, 3'000'000, frame.substr(14));
    const CaptureAnalysis a = analyze(w.s + big.s);
    ASSERT_TRUE(a.error.empty()) << a.error;
    ASSERT_EQ(a.flows.size(), 1u);
    EXPECT_EQ(a.flows[0].transport, Transport::Udp);
    EXPECT_EQ(a.flows[0].dir[0].packets, 3u);
    EXPECT_EQ(a.flows[0].dir[0].bytes, 15u);
    EXPECT_EQ(a.flows[0].last_ns, 3'000'000'000);
}

TEST(CaptureReader, EveryLinkType) {
    const std::string eth = udpFrame(v4(1, 5000), v4(2, 6000), "abc");
    const std::string ip = eth.substr(14);
    const std::string eth6 = udpFrame(v6(1, 5000), v6(2, 6000), "abc");
    const std::string ip6 = eth6.substr(14);
    std::string vlan = eth;   // two tags (QinQ)
    vlan.insert(12, std::string("\x88\xa8\x00\x05\x81\x00\x00\x07", 8));
    const std::string sll = std::string("\x00\x00\x00\x01\x00\x06", 6) + std::string(8, '\0') + std::string("\x08\x00", 2) + ip;
    const std::string sll2 = std::string("\x86\xdd\x00\x00", 4) + std::string(4, '\0') + std::string("\x00\x01\x00\x06", 4) +
                             std::string(8, '\0') + ip6;
    const std::string null_le = std::string("\x02\x00\x00\x00", 4) + ip;
    const std::string loop_be6 = std::string("\x00\x00\x00\x18", 4) + ip6;
    const struct { std::uint32_t link; std::string frame; bool v6; } cases[] = {
        {kLinkEthernet, eth, false}, {kLinkEthernet, vlan, false}, {kLinkEthernet, eth6, true},
        {kLinkRaw, ip, false}, {kLinkRaw, ip6, true}, {14, ip, false}, {kLinkIpv4, ip, false}, {kLinkIpv6, ip6, true},
        {kLinkLinuxSll, sll, false}, {kLinkLinuxSll2, sll2, true}, {kLinkNull, null_le, false}, {kLinkLoop, loop_be6, true}};
    for (const auto& c : cases) {
        SCOPED_TRACE("link " + std::to_string(c.link) + " " + linkTypeName(static_cast<std::uint16_t>(c.link)));
        const CaptureAnalysis a = analyze(pcapFile({{c.frame, 1'000'000'000}}, c.link));
        ASSERT_EQ(a.flows.size(), 1u);
        EXPECT_EQ(a.flows[0].endpoint(0), c.v6 ? "[2001:db8::1]:5000" : "10.0.0.1:5000");
        EXPECT_EQ(a.flows[0].dir[0].preview, (Bytes{'a', 'b', 'c'}));
    }
    // ARP on Ethernet and an unknown link type: counted, no flow.
    std::string arp = eth;
    arp[12] = '\x08';
    arp[13] = '\x06';
    EXPECT_EQ(analyze(pcapFile({{arp, 0}})).stats.unsupported_link, 1u);
    const CaptureAnalysis unknown = analyze(pcapFile({{eth, 0}}, 147));
    EXPECT_EQ(unknown.stats.unsupported_link, 1u);
    ASSERT_FALSE(unknown.warnings.empty());
    EXPECT_NE(unknown.warnings[0].find("link type 147 is not supported"), std::string::npos);
}

TEST(CaptureReader, Ipv4OptionsFragmentsAndIpv6ExtensionHeaders) {
    std::string ip = udpFrame(v4(1, 5000), v4(2, 6000), "opt").substr(14);
    ip.insert(20, std::string("\x01\x01\x01\x00", 4));   // NOP NOP NOP EOL
    ip[0] = 0x46;
    ip[3] = static_cast<char>(static_cast<std::uint8_t>(ip[3]) + 4);
    CaptureAnalysis a = analyze(pcapFile({{ip, 0}}, kLinkRaw));
    ASSERT_EQ(a.flows.size(), 1u);
    EXPECT_EQ(a.flows[0].dir[0].preview, (Bytes{'o', 'p', 't'}));
    std::string fragment = udpFrame(v4(1, 5000), v4(2, 6000), "frag").substr(14);
    fragment[6] = 0x20;   // more fragments
    std::string later = fragment;
    later[6] = 0x00;
    later[7] = 0x10;      // offset 16 bytes
    a = analyze(pcapFile({{fragment, 0}, {later, 0}}, kLinkRaw));
    EXPECT_EQ(a.flows.size(), 0u);
    EXPECT_EQ(a.stats.fragments, 2u);
    // IPv6: hop-by-hop then destination options, then TCP.
    std::string ip6 = tcpFrame(v6(1, 40000), v6(2, 80), 7, pcapng::kPsh | pcapng::kAck, "six").substr(14);
    const std::string ext = std::string("\x3c\x00", 2) + std::string(6, '\0') + std::string("\x06\x00", 2) + std::string(6, '\0');
    ip6.insert(40, ext);
    ip6[6] = 0;   // next: hop-by-hop
    const auto length = static_cast<std::uint16_t>(((static_cast<std::uint8_t>(ip6[4]) << 8) | static_cast<std::uint8_t>(ip6[5])) + 16);
    ip6[4] = static_cast<char>(length >> 8);
    ip6[5] = static_cast<char>(length & 0xFF);
    a = analyze(pcapFile({{ip6, 0}}, kLinkRaw), 0);
    ASSERT_EQ(a.flows.size(), 1u);
    EXPECT_EQ(payloadOf(a, 0), "six");
    // An IPv6 fragment header with more fragments: a fragment.
    std::string frag6 = udpFrame(v6(1, 5000), v6(2, 6000), "f6").substr(14);
    frag6.insert(40, std::string("\x11\x00\x00\x01\x00\x00\x00\x2a", 8));
    frag6[6] = 44;
    EXPECT_EQ(analyze(pcapFile({{frag6, 0}}, kLinkRaw)).stats.fragments, 1u);
}

TEST(CaptureReader, CorruptInputsAreErrorsNamingTheOffset) {
    const std::string good = pcapFile(exchange(v4(1, 40000), v4(2, 502)));
    auto errorOf = [](const std::string& file) { return analyze(file).error; };
    EXPECT_EQ(errorOf(""), "at offset 0: the file is empty; expected a pcap or pcapng capture");
    EXPECT_NE(errorOf("GIF89a........................").find("at offset 0: not a pcap or pcapng file"), std::string::npos);
    EXPECT_NE(errorOf(good.substr(0, 10)).find("header is cut short"), std::string::npos);
    // A record claiming 1 GiB.
    std::string huge = good;
    huge[24 + 8] = 0; huge[24 + 9] = 0; huge[24 + 10] = 0; huge[24 + 11] = 0x40;
    EXPECT_NE(errorOf(huge).find("at offset 24: a packet record claims 1073741824 captured bytes"), std::string::npos)
        << errorOf(huge);
    // pcapng: a block length that is not a multiple of 4, then a trailing length that differs.
    Writer w;
    sectionHeader(w);
    interfaceBlock(w, kLinkEthernet);
    const std::size_t packet_at = w.s.size();
    enhancedPacket(w, 0, 1, exchange(v4(1, 40000), v4(2, 502))[0].frame);
    std::string odd = w.s;
    odd[packet_at + 4] = static_cast<char>(odd[packet_at + 4] + 1);
    EXPECT_EQ(errorOf(odd).rfind("at offset " + std::to_string(packet_at + 4) + ": block length", 0), 0u) << errorOf(odd);
    std::string trailer = w.s;
    trailer[trailer.size() - 4] = 0x7F;
    EXPECT_NE(errorOf(trailer).find("trailing length"), std::string::npos);
    // A packet on an interface that was never described.
    Writer orphan;
    sectionHeader(orphan);
    enhancedPacket(orphan, 3, 1, "x");
    EXPECT_NE(errorOf(orphan.s).find("refers to interface 3 but the section has 0"), std::string::npos);
    // A section header with a bad byte-order magic.
    std::string bom = w.s;
    bom[8] = 0;
    EXPECT_NE(errorOf(bom).find("at offset 8: section header block without the byte-order magic"), std::string::npos);
}

TEST(CaptureReader, TornLastBlockIsAWarningAndEarlierPacketsCount) {
    const auto packets = exchange(v4(1, 40000), v4(2, 502));
    const std::string pcap = pcapFile(packets);
    Writer w;
    sectionHeader(w);
    interfaceBlock(w, kLinkEthernet);
    for (const Packet& p : packets) enhancedPacket(w, 0, static_cast<std::uint64_t>(p.time_ns / 1000), p.frame);
    for (const std::string& file : {pcap, w.s}) {
        for (const std::size_t cut : {std::size_t{3}, std::size_t{30}}) {
            // Read with a known size and with an unknown one (a stream).
            const std::string torn = file.substr(0, file.size() - cut);
            for (const std::uint64_t size : {std::uint64_t{torn.size()}, std::uint64_t{0}}) {
                std::istringstream in(torn);
                const CaptureAnalysis a = analyzeCapture(in, size);
                EXPECT_TRUE(a.error.empty()) << a.error;
                ASSERT_EQ(a.warnings.size(), 1u);
                EXPECT_NE(a.warnings[0].find("is cut short"), std::string::npos) << a.warnings[0];
                ASSERT_EQ(a.flows.size(), 1u);
                EXPECT_EQ(a.flows[0].dir[0].packets + a.flows[0].dir[1].packets, 6u);
            }
        }
    }
}

TEST(CaptureFlows, ReassemblyReordersDeduplicatesAndReportsGaps) {
    using namespace pcapng;
    const auto c = v4(1, 40000), s = v4(2, 502);
    std::vector<Packet> p = {
        {tcpFrame(c, s, 100, kSyn), 0},
        {tcpFrame(s, c, 900, kSyn | kAck), 1},
        {tcpFrame(c, s, 101, kPsh | kAck, "0123"), 10},
        {tcpFrame(c, s, 109, kPsh | kAck, "89ab"), 11},     // ahead: waits
        {tcpFrame(c, s, 105, kPsh | kAck, "4567"), 12},     // fills the hole: 4567 then 89ab
        {tcpFrame(c, s, 101, kPsh | kAck, "0123"), 13},     // retransmission
        {tcpFrame(c, s, 111, kPsh | kAck, "abcdef"), 14},   // overlaps 2 bytes
        {tcpFrame(s, c, 901, kPsh | kAck, "reply"), 20},
        {tcpFrame(c, s, 127, kPsh | kAck, "zz"), 30},       // after a 10-byte hole that never fills
        {tcpFrame(c, s, 129, kRst), 40},
    };
    const CaptureAnalysis a = analyze(pcapFile(p), 0);
    ASSERT_EQ(a.flows.size(), 1u);
    const Flow& f = a.flows[0];
    EXPECT_EQ(payloadOf(a, 0), "0123456789abcdefzz");
    EXPECT_EQ(payloadOf(a, 1), "reply");
    EXPECT_EQ(f.dir[0].bytes, 18u);
    EXPECT_EQ(f.dir[0].retransmitted, 6u);
    EXPECT_EQ(f.dir[0].gaps, 1u);
    EXPECT_EQ(f.dir[0].gap_bytes, 10u);
    EXPECT_TRUE(f.dir[0].rst);
    EXPECT_TRUE(f.handshake);
    EXPECT_NE(describeFlow(f).find("gaps 1 (10 bytes missing)"), std::string::npos) << describeFlow(f);
    // Chunks: in delivery order; "zz" is flushed at the end.
    ASSERT_EQ(a.chunks.size(), 6u);
    EXPECT_EQ(std::string(a.chunks[1].data.begin(), a.chunks[1].data.end()), "4567");
    EXPECT_EQ(std::string(a.chunks[2].data.begin(), a.chunks[2].data.end()), "89ab");
    EXPECT_EQ(std::string(a.chunks[3].data.begin(), a.chunks[3].data.end()), "cdef");
}

TEST(CaptureFlows, SequenceNumbersWrapAndNoHandshakeMeansTheFirstSenderIsTheClient) {
    using namespace pcapng;
    const auto c = v4(1, 40000), s = v4(2, 502);
    std::vector<Packet> p = {{tcpFrame(c, s, 0xFFFFFFFE, kPsh | kAck, "ab"), 0},
                             {tcpFrame(c, s, 2, kPsh | kAck, "ef"), 1},
                             {tcpFrame(c, s, 0, kPsh | kAck, "cd"), 2}};
    const CaptureAnalysis a = analyze(pcapFile(p), 0);
    ASSERT_EQ(a.flows.size(), 1u);
    EXPECT_EQ(payloadOf(a, 0), "abcdef");
    EXPECT_EQ(a.flows[0].client, 0);
    EXPECT_FALSE(a.flows[0].handshake);
    EXPECT_NE(describeFlow(a.flows[0]).find("no handshake  open at end"), std::string::npos);
}

TEST(CaptureFlows, PortReuseAfterACloseIsANewFlowAndUdpFlowsAreSeparate) {
    auto packets = exchange(v4(1, 40000), v4(2, 502));
    const auto again = exchange(v4(1, 40000), v4(2, 502));
    packets.insert(packets.end(), again.begin(), again.end());
    packets.push_back({udpFrame(v4(2, 53), v4(1, 5353), "dns?"), 5});
    packets.push_back({udpFrame(v4(1, 5353), v4(2, 53), "dns!"), 6});
    const CaptureAnalysis a = analyze(pcapFile(packets));
    ASSERT_EQ(a.flows.size(), 3u);
    EXPECT_EQ(a.flows[0].dir[0].bytes, 3u);
    EXPECT_EQ(a.flows[1].dir[0].bytes, 3u);
    EXPECT_EQ(a.flows[2].transport, Transport::Udp);
    EXPECT_EQ(a.flows[2].endpoint(a.flows[2].client), "10.0.0.2:53");   // the first sender
    EXPECT_EQ(a.flows[2].dir[0].packets, 1u);
    EXPECT_EQ(a.flows[2].dir[1].packets, 1u);
}

TEST(CaptureFlows, OutOfOrderBufferIsBoundedAndTheHoleCounted) {
    using namespace pcapng;
    const auto c = v4(1, 40000), s = v4(2, 502);
    std::vector<Packet> p = {{tcpFrame(c, s, 100, kSyn), 0}};
    // The first 1000 bytes never arrive; then 1.5 MiB follows in 60,000-byte segments.
    const std::string block(60000, 'x');
    std::uint32_t seq = 101 + 1000;
    for (int i = 0; i < 26; ++i, seq += 60000) p.push_back({tcpFrame(c, s, seq, kAck, block), i + 1});
    const CaptureAnalysis a = analyze(pcapFile(p));
    ASSERT_EQ(a.flows.size(), 1u);
    EXPECT_EQ(a.stats.pending_flushed, 1u);
    EXPECT_EQ(a.flows[0].dir[0].gaps, 1u);
    EXPECT_EQ(a.flows[0].dir[0].gap_bytes, 1000u);
    EXPECT_EQ(a.flows[0].dir[0].bytes, 26u * 60000u);
}

}  // namespace
}  // namespace sockscope::capture
