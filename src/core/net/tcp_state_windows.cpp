// Windows: SIO_TCP_INFO per socket (Windows 10 1703+), GetTcpTable2/GetTcp6Table2 per port.
// Cannot be compiled on the Linux build machines: kept small and written against the Windows SDK.
#if defined(_WIN32)

// SIO_TCP_INFO and TCP_INFO_v0 are declared only for NTDDI_WIN10_RS2 (1703) and later.
#if !defined(NTDDI_VERSION)
#define NTDDI_VERSION 0x0A000003
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <iphlpapi.h>

#include <vector>

#include "core/net/tcp_state.hpp"

namespace sockscope {

namespace {

std::uint32_t clampU32(unsigned long long value) {
    return value > 0xffffffffULL ? 0xffffffffU : static_cast<std::uint32_t>(value);
}

/// MIB_TCP_STATE (iphlpapi): CLOSED = 1 ... TIME_WAIT = 11, DELETE_TCB = 12.
TcpState fromMibState(DWORD state) {
    switch (state) {
        case MIB_TCP_STATE_CLOSED: return TcpState::Close;
        case MIB_TCP_STATE_LISTEN: return TcpState::Listen;
        case MIB_TCP_STATE_SYN_SENT: return TcpState::SynSent;
        case MIB_TCP_STATE_SYN_RCVD: return TcpState::SynRecv;
        case MIB_TCP_STATE_ESTAB: return TcpState::Established;
        case MIB_TCP_STATE_FIN_WAIT1: return TcpState::FinWait1;
        case MIB_TCP_STATE_FIN_WAIT2: return TcpState::FinWait2;
        case MIB_TCP_STATE_CLOSE_WAIT: return TcpState::CloseWait;
        case MIB_TCP_STATE_CLOSING: return TcpState::Closing;
        case MIB_TCP_STATE_LAST_ACK: return TcpState::LastAck;
        case MIB_TCP_STATE_TIME_WAIT: return TcpState::TimeWait;
        default: return TcpState::Unknown;
    }
}

#if defined(SIO_TCP_INFO)
/// TCPSTATE (mstcpip): the order of RFC 793, starting at CLOSED = 0.
TcpState fromTcpState(int state) {
    switch (state) {
        case TCPSTATE_CLOSED: return TcpState::Close;
        case TCPSTATE_LISTEN: return TcpState::Listen;
        case TCPSTATE_SYN_SENT: return TcpState::SynSent;
        case TCPSTATE_SYN_RCVD: return TcpState::SynRecv;
        case TCPSTATE_ESTABLISHED: return TcpState::Established;
        case TCPSTATE_FIN_WAIT_1: return TcpState::FinWait1;
        case TCPSTATE_FIN_WAIT_2: return TcpState::FinWait2;
        case TCPSTATE_CLOSE_WAIT: return TcpState::CloseWait;
        case TCPSTATE_CLOSING: return TcpState::Closing;
        case TCPSTATE_LAST_ACK: return TcpState::LastAck;
        case TCPSTATE_TIME_WAIT: return TcpState::TimeWait;
        default: return TcpState::Unknown;
    }
}
#endif

/// Calls a Get*Table2 function with a growing buffer (the table may grow between calls).
template <typename Table, typename Fn>
bool readTable(Fn get_table, std::vector<unsigned char>& buffer) {
    buffer.assign(sizeof(Table) + 4096, 0);
    ULONG size = static_cast<ULONG>(buffer.size());
    for (int attempt = 0; attempt < 4; ++attempt) {
        const ULONG rc = get_table(reinterpret_cast<Table*>(buffer.data()), &size, FALSE);
        if (rc == NO_ERROR) return true;
        if (rc != ERROR_INSUFFICIENT_BUFFER) return false;
        buffer.assign(static_cast<std::size_t>(size) + 4096, 0);  // headroom for new sockets
        size = static_cast<ULONG>(buffer.size());
    }
    return false;
}

}  // namespace

std::optional<TcpInfo> queryTcpInfo(std::intptr_t native_socket) {
    const SOCKET s = static_cast<SOCKET>(native_socket);
    if (s == INVALID_SOCKET) return std::nullopt;
#if defined(SIO_TCP_INFO)
    DWORD version = 0;
    TCP_INFO_v0 raw{};
    DWORD returned = 0;
    if (::WSAIoctl(s, SIO_TCP_INFO, &version, sizeof version, &raw, sizeof raw, &returned, nullptr,
                   nullptr) != 0)
        return std::nullopt;

    TcpInfo info;
    info.state = fromTcpState(static_cast<int>(raw.State));
    info.rtt_us = raw.RttUs;
    // Windows has no RTT variance nor a segment count of unacked data; those stay 0. Retransmits
    // are counted as episodes (fast retransmits + timeouts), not segments.
    info.retransmits = clampU32(static_cast<unsigned long long>(raw.FastRetrans) + raw.TimeoutEpisodes);
    info.send_queue = clampU32(raw.BytesInFlight);
    u_long pending = 0;
    if (::ioctlsocket(s, FIONREAD, &pending) == 0) info.recv_queue = clampU32(pending);
    return info;
#else
    return std::nullopt;
#endif
}

std::optional<PortStateCounts> countTcpSocketsOnPortOs(std::uint16_t port) {
    PortStateCounts counts;
    bool any = false;
    std::vector<unsigned char> buffer;
    if (readTable<MIB_TCPTABLE2>(&::GetTcpTable2, buffer)) {
        any = true;
        const auto* table = reinterpret_cast<const MIB_TCPTABLE2*>(buffer.data());
        for (DWORD i = 0; i < table->dwNumEntries; ++i) {
            const MIB_TCPROW2& row = table->table[i];
            if (::ntohs(static_cast<u_short>(row.dwLocalPort)) == port)
                ++counts.by_state[static_cast<std::size_t>(fromMibState(row.dwState))];
        }
    }
    if (readTable<MIB_TCP6TABLE2>(&::GetTcp6Table2, buffer)) {
        any = true;
        const auto* table = reinterpret_cast<const MIB_TCP6TABLE2*>(buffer.data());
        for (DWORD i = 0; i < table->dwNumEntries; ++i) {
            const MIB_TCP6ROW2& row = table->table[i];
            if (::ntohs(static_cast<u_short>(row.dwLocalPort)) == port)
                ++counts.by_state[static_cast<std::size_t>(fromMibState(static_cast<DWORD>(row.State)))];
        }
    }
    if (!any) return std::nullopt;
    return counts;
}

}  // namespace sockscope

#endif  // _WIN32
