// Issue 6 item 25: the socket table read off the I/O thread, filtered in the kernel, for every
// watched port at once; the parsers are pure functions over bytes / text.
#include <asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "core/net/socket_table_probe.hpp"
#include "core/net/tcp_state.hpp"
#include "support/engine_harness.hpp"
#include "support/socket_peer.hpp"

#if defined(__linux__)
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#endif

namespace sockscope {
namespace {

using namespace std::chrono_literals;

TEST(SocketTable, ProcTextCountsEveryWatchedPortInOnePass) {
    const std::string table =
        "  sl  local_address rem_address   st tx_queue\n"
        "   0: 0100007F:EA60 00000000:0000 0A 00000000:00000000\n"
        "   1: 0100007F:EA60 0100007F:D431 08 00000000:00000000\n"
        "   2: 0100007F:1F90 0100007F:D433 06 00000000:00000000\n"
        "   3: 0100007F:0016 0100007F:D435 01 00000000:00000000\n";
    PortCountsMap counts{{60000, {}}, {8080, {}}, {1, {}}};
    addProcNetTcpCounts(table, counts);
    EXPECT_EQ(counts.size(), 3u) << "ports not asked for are not added";
    EXPECT_EQ(counts[60000].count(TcpState::Listen), 1u);
    EXPECT_EQ(counts[60000].count(TcpState::CloseWait), 1u);
    EXPECT_EQ(counts[8080].count(TcpState::TimeWait), 1u);
    EXPECT_EQ(counts[1].total(), 0u);
}

TEST(SocketTable, UdpDropsForSeveralPortsAndGarbage) {
    const std::string table =
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
        "  123: 0100007F:2328 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1234 2 0000000000000000 17\n"
        "  124: 00000000:2328 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1235 2 0000000000000000 3\n"
        "  125: 0100007F:2329 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1235 2 0000000000000000 x5\n"
        "  126: 0100007F:ZZZZ 00000000:0000 07 0 0 0 0 0 0 0 0 9\n"
        "  127:\n";
    std::map<std::uint16_t, std::uint64_t> drops{{9000, 0}, {9001, 0}};
    addProcNetUdpDrops(table, drops);
    EXPECT_EQ(drops[9000], 20u);
    EXPECT_EQ(drops[9001], 0u) << "a malformed drops column counts nothing";
}

#if defined(__linux__)
std::vector<std::uint8_t> message(std::uint16_t type, const void* body, std::size_t size) {
    nlmsghdr header{};
    header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(size));
    header.nlmsg_type = type;
    std::vector<std::uint8_t> out(NLMSG_ALIGN(header.nlmsg_len), 0);
    std::memcpy(out.data(), &header, sizeof header);
    if (size) std::memcpy(out.data() + NLMSG_HDRLEN, body, size);
    return out;
}

std::vector<std::uint8_t> socketRecord(std::uint16_t port, std::uint8_t state) {
    inet_diag_msg msg{};
    msg.idiag_family = AF_INET;
    msg.idiag_state = state;
    msg.id.idiag_sport = htons(port);
    return message(SOCK_DIAG_BY_FAMILY, &msg, sizeof msg);
}

TEST(SocketTable, SockDiagReplyIsParsedFromBytes) {
    std::vector<std::uint8_t> reply;
    for (const auto& part : {socketRecord(60000, 10), socketRecord(60000, 8), socketRecord(22, 1)})
        reply.insert(reply.end(), part.begin(), part.end());
    PortCountsMap counts{{60000, {}}};
    EXPECT_EQ(parseSockDiagReply(reply, counts), SockDiagParse::More);
    EXPECT_EQ(counts[60000].count(TcpState::Listen), 1u);
    EXPECT_EQ(counts[60000].count(TcpState::CloseWait), 1u);
    EXPECT_EQ(counts.size(), 1u);

    const auto done = message(NLMSG_DONE, nullptr, 0);
    EXPECT_EQ(parseSockDiagReply(done, counts), SockDiagParse::Done);
    const int error = -EINVAL;
    EXPECT_EQ(parseSockDiagReply(message(NLMSG_ERROR, &error, sizeof error), counts), SockDiagParse::Failed);

    auto truncated = socketRecord(60000, 1);
    truncated.resize(truncated.size() - 8);
    EXPECT_EQ(parseSockDiagReply(truncated, counts), SockDiagParse::Failed) << "length beyond the buffer";
    EXPECT_EQ(parseSockDiagReply({}, counts), SockDiagParse::More);
    std::vector<std::uint8_t> tiny_length = socketRecord(60000, 1);
    tiny_length[0] = 4;   // nlmsg_len smaller than the header
    tiny_length[1] = tiny_length[2] = tiny_length[3] = 0;
    EXPECT_EQ(parseSockDiagReply(tiny_length, counts), SockDiagParse::Failed);
}

TEST(SocketTable, PortFilterBytecodeHasTheShapeTheKernelAudits) {
    EXPECT_TRUE(sockDiagPortFilter({}).empty());
    const auto one = sockDiagPortFilter({80});
    EXPECT_EQ(one.size(), 16u);
    const auto three = sockDiagPortFilter({80, 443, 60000});
    EXPECT_EQ(three.size(), 3u * 16 + 2u * 4);
    inet_diag_bc_op jump{};
    std::memcpy(&jump, three.data() + 16, sizeof jump);
    EXPECT_EQ(jump.code, INET_DIAG_BC_JMP);
    EXPECT_EQ(jump.no, three.size() - 16) << "jumps to the end: accept";
}

TEST(SocketTable, KernelFilteredDumpCountsOnlyTheWatchedPorts) {
    asio::io_context io;
    using asio::ip::tcp;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::acceptor b(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::acceptor c(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket client(io);
    client.connect(a.local_endpoint());
    tcp::socket served = a.accept();
    const std::uint16_t pa = a.local_endpoint().port(), pb = b.local_endpoint().port();
    const auto counts = countTcpSocketsOnPorts({pa, pb});
    ASSERT_TRUE(counts);
    ASSERT_EQ(counts->size(), 2u);
    EXPECT_EQ(counts->at(pa).count(TcpState::Listen), 1u);
    EXPECT_EQ(counts->at(pa).count(TcpState::Established), 1u);
    EXPECT_EQ(counts->at(pa).total(), 2u);
    EXPECT_EQ(counts->at(pb).total(), 1u);
    SocketTableReader reader;
    const auto again = reader.countTcp({pa, pb, c.local_endpoint().port()});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->at(pa), counts->at(pa));
    EXPECT_EQ(again->at(c.local_endpoint().port()).count(TcpState::Listen), 1u);
}
#endif

TEST(SocketTable, ProbeThreadDeliversTheTableAndStopsPromptly) {
    asio::io_context io;
    asio::ip::tcp::acceptor listener(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    const auto port = listener.local_endpoint().port();
    std::mutex mutex;
    std::condition_variable delivered;
    std::optional<SocketTableResult> result;
    int called = 0;
    SocketTableProbe probe([&](SocketTableResult r, std::vector<SocketTableProbe::Callback> callbacks) {
        for (const auto& callback : callbacks) callback(r);
        std::lock_guard lock(mutex);
        result = std::move(r);
        delivered.notify_all();
    });
    probe.request({{port}, {}}, [&](const SocketTableResult&) { ++called; });
    std::unique_lock lock(mutex);
    ASSERT_TRUE(delivered.wait_for(lock, 5s, [&] { return result.has_value(); }));
    ASSERT_TRUE(result->tcp);
    EXPECT_EQ(result->tcp->at(port).count(TcpState::Listen), 1u);
    EXPECT_EQ(called, 1) << "a request's callback gets the table read for it";
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
    probe.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(SocketTable, EngineReportsThePortTableOfAServer) {
    test::EngineHarness h;
    const auto port = h.startServer(1);
    test::SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto table = h.waitFor<PortTableChanged>([](const PortTableChanged& p) {
        return p.counts.count(TcpState::Established) == 1;
    });
    ASSERT_TRUE(table);
    EXPECT_EQ(table->port, port);
    EXPECT_EQ(table->counts.count(TcpState::Listen), 1u);
}

}  // namespace
}  // namespace sockscope
