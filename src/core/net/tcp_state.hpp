#pragma once
// The kernel's own view of TCP sockets: per connection (TCP_INFO and friends) and per port
// (the OS socket table, which also lists sockets the app no longer holds, e.g. TIME_WAIT).
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sockscope {

enum class TcpState : std::uint8_t {
    Unknown, Established, SynSent, SynRecv, FinWait1, FinWait2, TimeWait, Close, CloseWait,
    LastAck, Listen, Closing,
};
constexpr std::size_t kTcpStateCount = 12;

const char* toString(TcpState state);           // "ESTABLISHED", "CLOSE_WAIT", ... ("UNKNOWN")
/// One sentence a user understands, e.g. for CLOSE_WAIT: "the peer closed its side; this side has
/// not — close it or it stays".
const char* explain(TcpState state);

/// Snapshot of one connection as the kernel sees it.
struct TcpInfo {
    TcpState state = TcpState::Unknown;
    std::uint32_t rtt_us = 0;            // smoothed round-trip time
    std::uint32_t rtt_var_us = 0;
    std::uint32_t retransmits = 0;       // total retransmitted segments over the connection's life
    std::uint32_t unacked = 0;           // segments sent but not yet acknowledged
    std::uint32_t send_queue = 0;        // bytes in the send queue not yet acked (SIOCOUTQ)
    std::uint32_t recv_queue = 0;        // bytes received, not yet read by the app (SIOCINQ)
    bool operator==(const TcpInfo&) const = default;
};

/// Reads TCP_INFO (Linux), TCP_CONNECTION_INFO (macOS) or SIO_TCP_INFO (Windows) of a socket.
/// Returns nullopt when the OS cannot tell (not a TCP socket, unsupported OS).
std::optional<TcpInfo> queryTcpInfo(std::intptr_t native_socket);

/// Datagrams the kernel dropped for this one socket since it was created (Linux SO_MEMINFO,
/// SK_MEMINFO_DROPS): a non-blocking getsockopt. nullopt where the OS cannot tell.
std::optional<std::uint64_t> socketDrops(std::intptr_t native_socket);

/// Count of the system's TCP sockets by state, for one port.
struct PortStateCounts {
    std::array<std::uint32_t, kTcpStateCount> by_state{};   // indexed by TcpState
    std::uint32_t count(TcpState s) const { return by_state[static_cast<std::size_t>(s)]; }
    std::uint32_t total() const;
    bool operator==(const PortStateCounts&) const = default;
};

/// Scans the OS socket table (Linux: sock_diag, /proc/net/tcp{,6} as fallback) for TCP sockets whose
/// LOCAL port is `port` (both IPv4 and IPv6). Includes sockets of other processes and orphaned
/// TIME_WAIT ones. Returns nullopt where the table cannot be read. Blocks (up to ~1 s when the
/// kernel does not answer): call it off the I/O thread (SocketTableProbe).
std::optional<PortStateCounts> countTcpSocketsOnPort(std::uint16_t port);

/// Counts by local port, for the ports present as keys.
using PortCountsMap = std::map<std::uint16_t, PortStateCounts>;
/// The same for several ports in one pass over the table (Linux: one filtered dump per family).
std::optional<PortCountsMap> countTcpSocketsOnPorts(const std::vector<std::uint16_t>& ports);

/// Repeated reads of the socket table through descriptors opened once (Linux: a sock_diag netlink
/// socket), so a periodic read does not open and close a descriptor each time (a descriptor count
/// taken meanwhile stays true). One thread at a time.
class SocketTableReader {
public:
    SocketTableReader();
    ~SocketTableReader();
    SocketTableReader(const SocketTableReader&) = delete;
    SocketTableReader& operator=(const SocketTableReader&) = delete;
    std::optional<PortCountsMap> countTcp(const std::vector<std::uint16_t>& ports);
    /// Kernel receive drops of the UDP sockets bound to each port (Linux /proc/net/udp{,6}).
    std::optional<std::map<std::uint16_t, std::uint64_t>> udpDrops(const std::vector<std::uint16_t>& ports);

private:
    int m_netlink = -1;
    int m_udp4 = -1, m_udp6 = -1;
};

/// Parses /proc/net/udp text: adds the "drops" column of every socket whose local port is a key of
/// `drops`. Pure: any text.
void addProcNetUdpDrops(std::string_view table_text, std::map<std::uint16_t, std::uint64_t>& drops);

/// Parses the text of /proc/net/tcp or /proc/net/tcp6 (exposed for tests) and adds the sockets
/// whose local port is `port` to `counts`.
void addProcNetTcpCounts(std::string_view table_text, std::uint16_t port, PortStateCounts& counts);
/// The same for every port that is a key of `counts`.
void addProcNetTcpCounts(std::string_view table_text, PortCountsMap& counts);
/// The same for one line of that table.
void addProcNetTcpLine(std::string_view line, std::uint16_t port, PortStateCounts& counts);

#if !defined(__linux__)
/// The per-OS query of one port (macOS, Windows) behind countTcpSocketsOnPorts.
std::optional<PortStateCounts> countTcpSocketsOnPortOs(std::uint16_t port);
#endif

#if defined(_WIN32)
/// Windows without SIO_TCP_INFO (Wine, Windows before 10 1703): the state of this TCP socket in
/// the last read of the OS table (countTcpSocketsOnPorts, on the probe thread), matched on its
/// 4-tuple; nullopt when the table was not read since it connected. Never reads the table itself.
std::optional<TcpState> tableStateOf(std::intptr_t native_socket);
#endif

#if defined(__linux__)
/// One receive of a sock_diag (inet_diag) dump reply: counts the sockets of every port that is a
/// key of `counts`. More: the dump continues in the next receive; Done: NLMSG_DONE seen; Failed: an
/// NLMSG_ERROR or a malformed message (nothing of the dump is then trusted). Pure: any bytes.
enum class SockDiagParse : std::uint8_t { More, Done, Failed };
SockDiagParse parseSockDiagReply(std::span<const std::uint8_t> reply, PortCountsMap& counts);

/// inet_diag bytecode (INET_DIAG_REQ_BYTECODE) that lets the kernel return only sockets whose
/// local port is one of `ports` ("sport = p1 or sport = p2 ..."); empty for no ports.
std::vector<std::uint8_t> sockDiagPortFilter(const std::vector<std::uint16_t>& ports);
#endif

/// Maps Linux's TCP state numbers (tcpi_state, the "st" column of /proc/net/tcp: 1 = ESTABLISHED
/// ... 11 = CLOSING; 12 = NEW_SYN_RECV reads as SYN_RECV) to TcpState; anything else is Unknown.
TcpState tcpStateFromLinux(unsigned code);

}  // namespace sockscope
