// Linux: TCP_INFO + SIOCOUTQ/SIOCINQ per socket, /proc/net/tcp{,6} per port.
#if defined(__linux__)

#include "core/net/tcp_state.hpp"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <fstream>

namespace sockscope {

std::optional<TcpInfo> queryTcpInfo(std::intptr_t native_socket) {
    if (native_socket < 0 || native_socket > 0x7fffffff) return std::nullopt;
    const int fd = static_cast<int>(native_socket);
    tcp_info raw{};
    socklen_t len = sizeof raw;
    // Fails with EOPNOTSUPP/ENOPROTOOPT for non-TCP sockets and EBADF for closed ones.
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &raw, &len) != 0) return std::nullopt;

    TcpInfo info;
    info.state = tcpStateFromLinux(raw.tcpi_state);
    info.rtt_us = raw.tcpi_rtt;
    info.rtt_var_us = raw.tcpi_rttvar;
    info.retransmits = raw.tcpi_total_retrans;
    // On a listener tcpi_unacked is the accept queue length, not segments in flight.
    info.unacked = info.state == TcpState::Listen ? 0 : raw.tcpi_unacked;

    // Both ioctls fail (EINVAL) on listeners; the queues then stay 0.
    int bytes = 0;
    if (::ioctl(fd, SIOCOUTQ, &bytes) == 0 && bytes > 0) info.send_queue = static_cast<std::uint32_t>(bytes);
    bytes = 0;
    if (::ioctl(fd, SIOCINQ, &bytes) == 0 && bytes > 0) info.recv_queue = static_cast<std::uint32_t>(bytes);
    return info;
}

namespace {

/// Streams one table line by line so memory stays small however many sockets the system has.
bool scanTable(const char* path, std::uint16_t port, PortStateCounts& counts) {
    std::ifstream in(path);
    if (!in) return false;
    std::string line;
    while (std::getline(in, line)) addProcNetTcpLine(line, port, counts);
    return !in.bad();
}

}  // namespace

std::optional<PortStateCounts> countTcpSocketsOnPort(std::uint16_t port) {
    PortStateCounts counts;
    const bool v4 = scanTable("/proc/net/tcp", port, counts);
    const bool v6 = scanTable("/proc/net/tcp6", port, counts);  // absent when IPv6 is disabled
    if (!v4 && !v6) return std::nullopt;
    return counts;
}

}  // namespace sockscope

#endif  // __linux__
