// Windows: SIO_TCP_INFO per socket (Windows 10 1703+), GetTcpTable2/GetTcp6Table2 for the table.
// Cross-built with mingw-w64 and tested under Wine (scripts/windows.sh). Where SIO_TCP_INFO is
// missing (Wine, older Windows), a connection's state comes from the last table read, matched on
// its 4-tuple (Wine reports the owning PID as 0): the table is read on the probe thread only (one
// read took ~2 s with 3,000 host sockets under Wine), never on the I/O thread.
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

#include <array>
#include <cstring>
#include <mutex>
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

/// A connection's addresses as the table lists them: IPv4 as v4-mapped IPv6, ports in host order.
struct Tuple {
    std::array<unsigned char, 16> local{}, remote{};
    std::uint16_t local_port = 0, remote_port = 0;
    auto operator<=>(const Tuple&) const = default;
};

void setV4(std::array<unsigned char, 16>& out, DWORD address_be) {
    out.fill(0);
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &address_be, 4);
}

/// Every connection's state from the last table read (bounded by the OS table's size).
struct StateCache {
    std::mutex mutex;
    std::map<Tuple, TcpState> states;
};
StateCache& stateCache() {
    static StateCache cache;
    return cache;
}

bool fromSockaddr(const sockaddr_storage& sa, std::array<unsigned char, 16>& address, std::uint16_t& port) {
    if (sa.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(sa);
        setV4(address, v4.sin_addr.s_addr);
        port = ::ntohs(v4.sin_port);
        return true;
    }
    if (sa.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(sa);
        std::memcpy(address.data(), &v6.sin6_addr, 16);
        port = ::ntohs(v6.sin6_port);
        return true;
    }
    return false;
}

/// The socket's own 4-tuple (listeners: remote all zero, as the table lists them).
std::optional<Tuple> tupleOf(SOCKET s) {
    Tuple t;
    sockaddr_storage local{}, remote{};
    int local_len = sizeof local, remote_len = sizeof remote;
    if (::getsockname(s, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return std::nullopt;
    if (!fromSockaddr(local, t.local, t.local_port)) return std::nullopt;
    if (::getpeername(s, reinterpret_cast<sockaddr*>(&remote), &remote_len) == 0) {
        if (!fromSockaddr(remote, t.remote, t.remote_port)) return std::nullopt;
    } else if (local.ss_family == AF_INET) {
        setV4(t.remote, 0);   // a listener's row: 0.0.0.0:0
    }
    return t;
}

bool isTcpSocket(SOCKET s) {
    int type = 0;
    int len = sizeof type;
    return ::getsockopt(s, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &len) == 0 && type == SOCK_STREAM;
}

bool isListening(SOCKET s) {
    BOOL listening = FALSE;
    int len = sizeof listening;
    return ::getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, reinterpret_cast<char*>(&listening), &len) == 0 && listening;
}

bool hasPeer(SOCKET s) {
    sockaddr_storage remote{};
    int len = sizeof remote;
    return ::getpeername(s, reinterpret_cast<sockaddr*>(&remote), &len) == 0;
}

}  // namespace

std::optional<PortCountsMap> countTcpSocketsOnPorts(const std::vector<std::uint16_t>& ports) {
    PortCountsMap counts;
    for (const std::uint16_t port : ports) counts[port] = {};
    std::map<Tuple, TcpState> states;
    const auto add = [&](Tuple t, TcpState state) {
        if (state == TcpState::Listen) t.remote_port = 0;   // Windows may list any remote port there
        states[t] = state;
        if (auto it = counts.find(t.local_port); it != counts.end())
            ++it->second.by_state[static_cast<std::size_t>(state)];
    };
    bool any = false;
    std::vector<unsigned char> buffer;
    if (readTable<MIB_TCPTABLE2>(&::GetTcpTable2, buffer)) {
        any = true;
        const auto* table = reinterpret_cast<const MIB_TCPTABLE2*>(buffer.data());
        for (DWORD i = 0; i < table->dwNumEntries; ++i) {
            const MIB_TCPROW2& row = table->table[i];
            Tuple t;
            setV4(t.local, row.dwLocalAddr);
            setV4(t.remote, row.dwRemoteAddr);
            t.local_port = ::ntohs(static_cast<u_short>(row.dwLocalPort));
            t.remote_port = ::ntohs(static_cast<u_short>(row.dwRemotePort));
            add(t, fromMibState(row.dwState));
        }
    }
    if (readTable<MIB_TCP6TABLE2>(&::GetTcp6Table2, buffer)) {
        any = true;
        const auto* table = reinterpret_cast<const MIB_TCP6TABLE2*>(buffer.data());
        for (DWORD i = 0; i < table->dwNumEntries; ++i) {
            const MIB_TCP6ROW2& row = table->table[i];
            Tuple t;
            std::memcpy(t.local.data(), &row.LocalAddr, 16);
            std::memcpy(t.remote.data(), &row.RemoteAddr, 16);
            t.local_port = ::ntohs(static_cast<u_short>(row.dwLocalPort));
            t.remote_port = ::ntohs(static_cast<u_short>(row.dwRemotePort));
            add(t, fromMibState(static_cast<DWORD>(row.State)));
        }
    }
    if (!any) return std::nullopt;
    StateCache& cache = stateCache();
    const std::lock_guard lock(cache.mutex);
    cache.states.swap(states);
    return counts;
}

std::optional<TcpState> tableStateOf(std::intptr_t native_socket) {
    const SOCKET s = static_cast<SOCKET>(native_socket);
    if (s == INVALID_SOCKET || !isTcpSocket(s)) return std::nullopt;
    // Only connections ask (never a socket still connecting): one that lost its peer was reset,
    // and its 4-tuple without a peer would be the listener's row.
    if (!isListening(s) && !hasPeer(s)) return TcpState::Close;
    const auto tuple = tupleOf(s);
    if (!tuple) return std::nullopt;
    StateCache& cache = stateCache();
    const std::lock_guard lock(cache.mutex);
    const auto it = cache.states.find(*tuple);
    if (it == cache.states.end()) return std::nullopt;
    return it->second;
}

std::optional<TcpInfo> queryTcpInfo(std::intptr_t native_socket) {
    const SOCKET s = static_cast<SOCKET>(native_socket);
    if (s == INVALID_SOCKET) return std::nullopt;
    // No SIO_TCP_INFO: the state of the last table read, and the receive queue.
    const auto fromTable = [s]() -> std::optional<TcpInfo> {
        const auto state = tableStateOf(static_cast<std::intptr_t>(s));
        if (!state) return std::nullopt;
        TcpInfo info;
        info.state = *state;
        u_long pending = 0;
        if (::ioctlsocket(s, FIONREAD, &pending) == 0) info.recv_queue = clampU32(pending);
        return info;
    };
#if defined(SIO_TCP_INFO)
    DWORD version = 0;
    TCP_INFO_v0 raw{};
    DWORD returned = 0;
    if (::WSAIoctl(s, SIO_TCP_INFO, &version, sizeof version, &raw, sizeof raw, &returned, nullptr,
                   nullptr) != 0)
        return fromTable();

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
    return fromTable();
#endif
}

std::optional<PortStateCounts> countTcpSocketsOnPortOs(std::uint16_t port) {
    auto counts = countTcpSocketsOnPorts({port});
    if (!counts) return std::nullopt;
    return (*counts)[port];
}

}  // namespace sockscope

#endif  // _WIN32
