#pragma once
// The kernel's own view of TCP sockets: per connection (TCP_INFO and friends) and per port
// (the OS socket table, which also lists sockets the app no longer holds, e.g. TIME_WAIT).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

/// Count of the system's TCP sockets by state, for one port.
struct PortStateCounts {
    std::array<std::uint32_t, kTcpStateCount> by_state{};   // indexed by TcpState
    std::uint32_t count(TcpState s) const { return by_state[static_cast<std::size_t>(s)]; }
    std::uint32_t total() const;
    bool operator==(const PortStateCounts&) const = default;
};

/// Scans the OS socket table (Linux: /proc/net/tcp and tcp6) for TCP sockets whose LOCAL port is
/// `port` (both IPv4 and IPv6). Includes sockets of other processes and orphaned TIME_WAIT ones.
/// Returns nullopt where the table cannot be read.
std::optional<PortStateCounts> countTcpSocketsOnPort(std::uint16_t port);

/// Parses the text of /proc/net/tcp or /proc/net/tcp6 (exposed for tests) and adds the sockets
/// whose local port is `port` to `counts`.
void addProcNetTcpCounts(const std::string& table_text, std::uint16_t port, PortStateCounts& counts);
/// The same for one line of that table (the scanner streams the file line by line).
void addProcNetTcpLine(std::string_view line, std::uint16_t port, PortStateCounts& counts);

/// Maps Linux's TCP state numbers (tcpi_state, the "st" column of /proc/net/tcp: 1 = ESTABLISHED
/// ... 11 = CLOSING; 12 = NEW_SYN_RECV reads as SYN_RECV) to TcpState; anything else is Unknown.
TcpState tcpStateFromLinux(unsigned code);

}  // namespace sockscope
