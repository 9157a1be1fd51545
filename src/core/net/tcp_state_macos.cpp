// macOS: TCP_CONNECTION_INFO per socket. Cannot be compiled on the Linux build machines: kept
// small and written against <netinet/tcp.h> / <netinet/tcp_fsm.h> of the macOS SDK (10.11+).
#if defined(__APPLE__)

#include "core/net/tcp_state.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/tcp_fsm.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace sockscope {

namespace {

TcpState fromBsdState(unsigned state) {
    switch (state) {
        case TCPS_CLOSED: return TcpState::Close;
        case TCPS_LISTEN: return TcpState::Listen;
        case TCPS_SYN_SENT: return TcpState::SynSent;
        case TCPS_SYN_RECEIVED: return TcpState::SynRecv;
        case TCPS_ESTABLISHED: return TcpState::Established;
        case TCPS_CLOSE_WAIT: return TcpState::CloseWait;
        case TCPS_FIN_WAIT_1: return TcpState::FinWait1;
        case TCPS_CLOSING: return TcpState::Closing;
        case TCPS_LAST_ACK: return TcpState::LastAck;
        case TCPS_FIN_WAIT_2: return TcpState::FinWait2;
        case TCPS_TIME_WAIT: return TcpState::TimeWait;
        default: return TcpState::Unknown;
    }
}

std::uint32_t clampU32(unsigned long long value) {
    return value > 0xffffffffULL ? 0xffffffffU : static_cast<std::uint32_t>(value);
}

}  // namespace

std::optional<TcpInfo> queryTcpInfo(std::intptr_t native_socket) {
    if (native_socket < 0 || native_socket > 0x7fffffff) return std::nullopt;
    const int fd = static_cast<int>(native_socket);
    tcp_connection_info raw{};
    socklen_t len = sizeof raw;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_CONNECTION_INFO, &raw, &len) != 0) return std::nullopt;

    TcpInfo info;
    info.state = fromBsdState(raw.tcpi_state);
    info.rtt_us = clampU32(static_cast<unsigned long long>(raw.tcpi_srtt) * 1000u);       // ms
    info.rtt_var_us = clampU32(static_cast<unsigned long long>(raw.tcpi_rttvar) * 1000u); // ms
    info.retransmits = clampU32(raw.tcpi_txretransmitpackets);
    // macOS reports no count of unacknowledged segments: `unacked` stays 0.

    int bytes = 0;
    socklen_t bytes_len = sizeof bytes;
    // SO_NWRITE: bytes in the send buffer (unsent + unacknowledged), like Linux's SIOCOUTQ.
    if (::getsockopt(fd, SOL_SOCKET, SO_NWRITE, &bytes, &bytes_len) == 0 && bytes > 0)
        info.send_queue = static_cast<std::uint32_t>(bytes);
    bytes = 0;
    if (::ioctl(fd, FIONREAD, &bytes) == 0 && bytes > 0) info.recv_queue = static_cast<std::uint32_t>(bytes);
    return info;
}

std::optional<PortStateCounts> countTcpSocketsOnPortOs(std::uint16_t) {
    // The system table is only reachable through sysctl "net.inet.tcp.pcblist_n", whose record
    // layout (xinpcb_n/xtcpcb_n) is private and changes between releases: not read for now.
    return std::nullopt;
}

}  // namespace sockscope

#endif  // __APPLE__
