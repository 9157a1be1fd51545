// Names, explanations and the /proc/net/tcp parser (pure text: runs on every OS).
#include "core/net/tcp_state.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

namespace sockscope {
namespace {

// Hand-written in the kernel's format (see proc_net_tcp.txt): IPv4 addresses are the 32-bit value
// printed in host order (0100007F = 127.0.0.1 on little endian), ports are big-endian hex.
// EA60 = 60000, 1F90 = 8080, 01F6 = 502.
const char* const kTcp4 =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:EA60 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 51234 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21877 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0100007F:EA60 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 51240 1 0000000000000000 20 4 30 10 -1\n"
    "   3: 0100007F:EA60 0100007F:D433 08 00000000:00000005 00:00000000 00000000  1000        0 51241 1 0000000000000000 20 4 30 10 -1\n"
    "   4: 0100007F:EA60 0100007F:D435 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n"
    "   5: 0100007F:EA60 0100007F:D437 06 00000000:00000000 03:00000F10 00000000     0        0 0 3 0000000000000000\n"
    "   6: 0100007F:D431 0100007F:EA60 01 00000000:00000000 00:00000000 00000000  1000        0 51239 1 0000000000000000 20 4 28 10 -1\n"
    "   7: 0500000A:C350 0A00000A:01F6 02 00000001:00000000 01:000000C8 00000001  1000        0 51300 2 0000000000000000 1000 0 0 2 -1\n";

// tcp6: the address is four 32-bit words, each in host order. ::1 = 00000000000000000000000001000000.
const char* const kTcp6 =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:EA60 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 61234 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000000000000000000001000000:EA60 00000000000000000000000001000000:A0B2 05 00000000:00000000 00:00000000 00000000  1000        0 61240 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18000 1 0000000000000000 100 0 0 10 0\n";

TEST(TcpStateNames, EveryStateHasANameAndAnExplanation) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < kTcpStateCount; ++i) {
        const auto state = static_cast<TcpState>(i);
        const std::string name = toString(state);
        const std::string text = explain(state);
        EXPECT_FALSE(name.empty());
        EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
        ASSERT_FALSE(text.empty()) << name;
        EXPECT_FALSE(text[0] >= 'A' && text[0] <= 'Z') << name << ": " << text;
        EXPECT_NE(text.back(), '.') << name;
    }
}

TEST(TcpStateNames, NamesAreTheOnesUsersSearchFor) {
    EXPECT_STREQ(toString(TcpState::Unknown), "UNKNOWN");
    EXPECT_STREQ(toString(TcpState::Established), "ESTABLISHED");
    EXPECT_STREQ(toString(TcpState::SynSent), "SYN_SENT");
    EXPECT_STREQ(toString(TcpState::SynRecv), "SYN_RECV");
    EXPECT_STREQ(toString(TcpState::FinWait1), "FIN_WAIT_1");
    EXPECT_STREQ(toString(TcpState::FinWait2), "FIN_WAIT_2");
    EXPECT_STREQ(toString(TcpState::TimeWait), "TIME_WAIT");
    EXPECT_STREQ(toString(TcpState::Close), "CLOSED");
    EXPECT_STREQ(toString(TcpState::CloseWait), "CLOSE_WAIT");
    EXPECT_STREQ(toString(TcpState::LastAck), "LAST_ACK");
    EXPECT_STREQ(toString(TcpState::Listen), "LISTEN");
    EXPECT_STREQ(toString(TcpState::Closing), "CLOSING");
}

TEST(TcpStateNames, ExplanationsSayWhatToDo) {
    EXPECT_STREQ(explain(TcpState::CloseWait), "the peer closed its side; this side has not — close it or it stays");
    EXPECT_STREQ(explain(TcpState::FinWait2), "this side closed; waiting for the peer to close its side");
    EXPECT_STREQ(explain(TcpState::TimeWait),
                 "closed; the kernel keeps the port reserved for a while (2×MSL) after this side closed first");
    EXPECT_NE(std::strstr(explain(TcpState::Listen), "incoming connections"), nullptr);
    EXPECT_NE(std::strstr(explain(TcpState::SynSent), "SYN"), nullptr);
    EXPECT_NE(std::strstr(explain(TcpState::Established), "send and receive"), nullptr);
    EXPECT_NE(std::strstr(explain(TcpState::LastAck), "last ACK"), nullptr);
}

TEST(TcpStateNames, LinuxNumbersMapInKernelOrder) {
    EXPECT_EQ(tcpStateFromLinux(1), TcpState::Established);
    EXPECT_EQ(tcpStateFromLinux(2), TcpState::SynSent);
    EXPECT_EQ(tcpStateFromLinux(3), TcpState::SynRecv);
    EXPECT_EQ(tcpStateFromLinux(4), TcpState::FinWait1);
    EXPECT_EQ(tcpStateFromLinux(5), TcpState::FinWait2);
    EXPECT_EQ(tcpStateFromLinux(6), TcpState::TimeWait);
    EXPECT_EQ(tcpStateFromLinux(7), TcpState::Close);
    EXPECT_EQ(tcpStateFromLinux(8), TcpState::CloseWait);
    EXPECT_EQ(tcpStateFromLinux(9), TcpState::LastAck);
    EXPECT_EQ(tcpStateFromLinux(10), TcpState::Listen);
    EXPECT_EQ(tcpStateFromLinux(11), TcpState::Closing);
    EXPECT_EQ(tcpStateFromLinux(12), TcpState::SynRecv);  // NEW_SYN_RECV
    EXPECT_EQ(tcpStateFromLinux(0), TcpState::Unknown);
    EXPECT_EQ(tcpStateFromLinux(13), TcpState::Unknown);
    EXPECT_EQ(tcpStateFromLinux(0xffffffffu), TcpState::Unknown);
}

TEST(PortStateCounts, TotalSumsEveryState) {
    PortStateCounts counts;
    EXPECT_EQ(counts.total(), 0u);
    counts.by_state[static_cast<std::size_t>(TcpState::Listen)] = 1;
    counts.by_state[static_cast<std::size_t>(TcpState::TimeWait)] = 3;
    counts.by_state[static_cast<std::size_t>(TcpState::Unknown)] = 2;
    EXPECT_EQ(counts.total(), 6u);
    EXPECT_EQ(counts.count(TcpState::TimeWait), 3u);
}

TEST(ProcNetTcp, CountsOnlyTheLocalPortAskedFor) {
    PortStateCounts counts;
    addProcNetTcpCounts(kTcp4, 60000, counts);
    EXPECT_EQ(counts.count(TcpState::Listen), 1u);
    EXPECT_EQ(counts.count(TcpState::Established), 1u) << "the client side (local D431) is another port";
    EXPECT_EQ(counts.count(TcpState::CloseWait), 1u);
    EXPECT_EQ(counts.count(TcpState::TimeWait), 2u);
    EXPECT_EQ(counts.total(), 5u);
}

TEST(ProcNetTcp, RemotePortDoesNotCount) {
    PortStateCounts counts;
    addProcNetTcpCounts(kTcp4, 502, counts);  // 502 appears only as a remote port
    EXPECT_EQ(counts.total(), 0u);
    addProcNetTcpCounts(kTcp4, 0xD431, counts);
    EXPECT_EQ(counts.count(TcpState::Established), 1u);
    EXPECT_EQ(counts.total(), 1u);
    addProcNetTcpCounts(kTcp4, 50000, counts);  // C350, SYN_SENT
    EXPECT_EQ(counts.count(TcpState::SynSent), 1u);
}

TEST(ProcNetTcp, Ipv6TableAddsToTheSameCounts) {
    PortStateCounts counts;
    addProcNetTcpCounts(kTcp4, 60000, counts);
    addProcNetTcpCounts(kTcp6, 60000, counts);
    EXPECT_EQ(counts.count(TcpState::Listen), 2u);
    EXPECT_EQ(counts.count(TcpState::FinWait2), 1u);
    EXPECT_EQ(counts.total(), 7u);

    PortStateCounts ssh;
    addProcNetTcpCounts(kTcp6, 22, ssh);
    EXPECT_EQ(ssh.count(TcpState::Listen), 1u);
    EXPECT_EQ(ssh.total(), 1u);
}

TEST(ProcNetTcp, LowercaseHexAndCrLfAreAccepted) {
    PortStateCounts counts;
    addProcNetTcpCounts("   0: 0100007f:ea60 00000000:0000 0a 00000000:00000000\r\n", 60000, counts);
    EXPECT_EQ(counts.count(TcpState::Listen), 1u);
}

TEST(ProcNetTcp, GarbageIsIgnoredNotMisread) {
    PortStateCounts counts;
    const std::string garbage =
        "\n\n"
        "sl local rem st\n"                                       // header-like
        "   0: 0100007F:EA60\n"                                   // truncated: no state
        "   1: 0100007F-EA60 00000000:0000 0A\n"                  // no colon in the address
        "   2: 0100007F:XYZ0 00000000:0000 0A\n"                  // bad port hex
        "   3: 0100007F:1EA60 00000000:0000 0A\n"                 // port > 0xffff
        "   4: 0100007F:EA60 00000000:0000 ZZ\n"                  // bad state
        "   5: 0100007F:EA60 00000000:0000 0123456789\n"          // state too long
        "0100007F:EA60 00000000:0000 0A\n"                        // no slot column
        "   6: 0100007F:EA60 00000000:0000 2A 00000000:00000000\n"  // unknown state number
        + std::string(10000, 'x') + "\n";
    addProcNetTcpCounts(garbage, 60000, counts);
    EXPECT_EQ(counts.total(), 1u);
    EXPECT_EQ(counts.count(TcpState::Unknown), 1u) << "a well-formed line with an unknown state counts as UNKNOWN";
    addProcNetTcpCounts("", 60000, counts);
    EXPECT_EQ(counts.total(), 1u);
}

TEST(ProcNetTcp, LastLineWithoutNewlineCounts) {
    PortStateCounts counts;
    addProcNetTcpLine("   0: 0100007F:0050 00000000:0000 0A", 80, counts);
    addProcNetTcpCounts("   0: 0100007F:0050 00000000:0000 06", 80, counts);
    EXPECT_EQ(counts.count(TcpState::Listen), 1u);
    EXPECT_EQ(counts.count(TcpState::TimeWait), 1u);
}

}  // namespace
}  // namespace sockscope
