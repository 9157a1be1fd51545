// Linux: TCP_INFO + SIOCOUTQ/SIOCINQ per socket; per port the sock_diag netlink dump, with
// /proc/net/tcp{,6} as the fallback where netlink is not allowed.
#if defined(__linux__)

#include "core/net/tcp_state.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

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

std::optional<std::uint64_t> socketDrops(std::intptr_t native_socket) {
#if defined(SO_MEMINFO)
    if (native_socket < 0 || native_socket > 0x7fffffff) return std::nullopt;
    std::uint32_t meminfo[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof meminfo;
    if (::getsockopt(static_cast<int>(native_socket), SOL_SOCKET, SO_MEMINFO, meminfo, &len) != 0 ||
        len <= SK_MEMINFO_DROPS * sizeof(std::uint32_t))
        return std::nullopt;
    return meminfo[SK_MEMINFO_DROPS];
#else
    (void)native_socket;
    return std::nullopt;
#endif
}

namespace {

/// Reads a whole /proc table (on the probe thread; the tables are a few hundred KiB at most).
bool readTable(const char* path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

/// Closes the netlink socket on every path.
struct FdCloser {
    int fd;
    ~FdCloser() { if (fd >= 0) ::close(fd); }
};

void putOp(std::vector<std::uint8_t>& out, std::uint8_t code, std::uint8_t yes, std::uint16_t no) {
    inet_diag_bc_op op{};
    op.code = code;
    op.yes = yes;
    op.no = no;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&op);
    out.insert(out.end(), bytes, bytes + sizeof op);
}

/// One sock_diag dump of the TCP sockets of `family` whose local port is a key of `counts`
/// (filtered in the kernel). False when the dump could not be done completely.
bool dumpFamily(int fd, std::uint8_t family, const std::vector<std::uint8_t>& filter, PortCountsMap& counts,
                std::vector<std::uint8_t>& buffer) {
    inet_diag_req_v2 body{};
    body.sdiag_family = family;
    body.sdiag_protocol = IPPROTO_TCP;
    body.idiag_states = ~0u;  // every state, TIME_WAIT and request sockets included
    nlattr attribute{};
    attribute.nla_type = INET_DIAG_REQ_BYTECODE;
    attribute.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + filter.size());
    nlmsghdr header{};
    header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(sizeof body) + NLA_ALIGN(attribute.nla_len));
    header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    header.nlmsg_seq = family;
    std::vector<std::uint8_t> request(header.nlmsg_len, 0);
    std::memcpy(request.data(), &header, sizeof header);
    std::memcpy(request.data() + NLMSG_HDRLEN, &body, sizeof body);
    std::uint8_t* attr = request.data() + NLMSG_LENGTH(sizeof body);
    std::memcpy(attr, &attribute, sizeof attribute);
    std::memcpy(attr + NLA_HDRLEN, filter.data(), filter.size());
    if (::send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) return false;

    // Bounded: each receive holds many records; a dump of a million sockets fits well within this.
    for (int round = 0; round < 100000; ++round) {
        const ssize_t received = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (received <= 0) return false;  // error or the receive timeout
        switch (parseSockDiagReply({buffer.data(), static_cast<std::size_t>(received)}, counts)) {
            case SockDiagParse::Done: return true;
            case SockDiagParse::Failed: return false;
            case SockDiagParse::More: break;
        }
    }
    return false;
}

int openNetlink() {
    const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -1;
    timeval timeout{1, 0};   // a bound on a kernel that does not answer (the probe thread waits)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

/// sock_diag: the kernel walks its tables and returns only the watched ports, several times
/// cheaper than formatting /proc/net/tcp text for every socket of the host.
std::optional<PortCountsMap> countWithNetlink(int fd, const std::vector<std::uint16_t>& ports) {
    if (fd < 0) return std::nullopt;
    std::vector<std::uint8_t> buffer(32 * 1024);
    const std::vector<std::uint8_t> filter = sockDiagPortFilter(ports);
    PortCountsMap counts;
    for (const std::uint16_t port : ports) counts[port] = {};
    if (!dumpFamily(fd, AF_INET, filter, counts, buffer)) return std::nullopt;
    PortCountsMap v6;
    for (const std::uint16_t port : ports) v6[port] = {};
    // IPv6 may be disabled; its sockets are then simply absent.
    if (dumpFamily(fd, AF_INET6, filter, v6, buffer))
        for (auto& [port, c] : counts)
            for (std::size_t i = 0; i < kTcpStateCount; ++i) c.by_state[i] += v6[port].by_state[i];
    return counts;
}

}  // namespace

SockDiagParse parseSockDiagReply(std::span<const std::uint8_t> reply, PortCountsMap& counts) {
    std::size_t offset = 0;
    const std::size_t length = reply.size();
    while (offset + sizeof(nlmsghdr) <= length) {
        nlmsghdr header;
        std::memcpy(&header, reply.data() + offset, sizeof header);  // no alignment assumed
        if (header.nlmsg_len < sizeof header || header.nlmsg_len > length - offset) return SockDiagParse::Failed;
        if (header.nlmsg_type == NLMSG_DONE) return SockDiagParse::Done;
        if (header.nlmsg_type == NLMSG_ERROR) return SockDiagParse::Failed;
        if (header.nlmsg_type == SOCK_DIAG_BY_FAMILY && header.nlmsg_len >= NLMSG_LENGTH(sizeof(inet_diag_msg))) {
            inet_diag_msg message;
            std::memcpy(&message, reply.data() + offset + NLMSG_HDRLEN, sizeof message);
            if (auto it = counts.find(ntohs(message.id.idiag_sport)); it != counts.end())
                ++it->second.by_state[static_cast<std::size_t>(tcpStateFromLinux(message.idiag_state))];
        }
        const std::size_t step = NLMSG_ALIGN(header.nlmsg_len);
        if (step > length - offset) break;
        offset += step;
    }
    return SockDiagParse::More;
}

std::vector<std::uint8_t> sockDiagPortFilter(const std::vector<std::uint16_t>& ports) {
    // "sport = p" is S_GE p, S_LE p (8 bytes each: the op, then the port in the next op's `no`);
    // "a or b" is a, JMP to the end, b — the layout the kernel's audit accepts (as ss builds it).
    // Each test jumps 4 bytes past its own end on "no": the next alternative, or past the end
    // (reject) for the last one.
    constexpr std::size_t kTest = 16, kJump = 4;
    std::vector<std::uint8_t> out;
    if (ports.empty()) return out;
    const std::size_t total = ports.size() * kTest + (ports.size() - 1) * kJump;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        putOp(out, INET_DIAG_BC_S_GE, 8, 20);
        putOp(out, 0, 0, ports[i]);
        putOp(out, INET_DIAG_BC_S_LE, 8, 12);
        putOp(out, 0, 0, ports[i]);
        if (i + 1 < ports.size()) putOp(out, INET_DIAG_BC_JMP, 4, static_cast<std::uint16_t>(total - out.size()));
    }
    return out;
}

namespace {

/// Ports in one dump: the bytecode's jumps are 16 bits (~3,000 ports); longer lists are split.
template <class Count>
std::optional<PortCountsMap> inParts(const std::vector<std::uint16_t>& ports, Count count) {
    constexpr std::size_t kPortsPerDump = 3000;
    PortCountsMap all;
    for (std::size_t i = 0; i < ports.size(); i += kPortsPerDump) {
        const std::vector<std::uint16_t> part(
            ports.begin() + static_cast<std::ptrdiff_t>(i),
            ports.begin() + static_cast<std::ptrdiff_t>(std::min(ports.size(), i + kPortsPerDump)));
        auto counts = count(part);
        if (!counts) return std::nullopt;
        all.insert(counts->begin(), counts->end());
    }
    return all;
}

std::optional<PortCountsMap> countFromProc(const std::vector<std::uint16_t>& ports) {
    PortCountsMap counts;
    for (const std::uint16_t port : ports) counts[port] = {};
    std::string text;
    const bool v4 = readTable("/proc/net/tcp", text);
    if (v4) addProcNetTcpCounts(text, counts);
    const bool v6 = readTable("/proc/net/tcp6", text);  // absent when IPv6 is disabled
    if (v6) addProcNetTcpCounts(text, counts);
    if (!v4 && !v6) return std::nullopt;
    return counts;
}

/// Re-reads a /proc file through a descriptor kept open (seq files restart at offset 0).
bool rereadTable(int fd, std::string& text) {
    if (fd < 0 || ::lseek(fd, 0, SEEK_SET) != 0) return false;
    text.clear();
    char chunk[16384];
    for (int round = 0; round < 100000; ++round) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0) return false;
        if (n == 0) return true;
        text.append(chunk, static_cast<std::size_t>(n));
    }
    return false;
}

}  // namespace

SocketTableReader::SocketTableReader()
    : m_netlink(openNetlink()), m_udp4(::open("/proc/net/udp", O_RDONLY | O_CLOEXEC)),
      m_udp6(::open("/proc/net/udp6", O_RDONLY | O_CLOEXEC)) {}

SocketTableReader::~SocketTableReader() {
    for (const int fd : {m_netlink, m_udp4, m_udp6})
        if (fd >= 0) ::close(fd);
}

std::optional<PortCountsMap> SocketTableReader::countTcp(const std::vector<std::uint16_t>& ports) {
    return inParts(ports, [this](const std::vector<std::uint16_t>& part) {
        if (auto counts = countWithNetlink(m_netlink, part)) return counts;
        return countFromProc(part);
    });
}

std::optional<std::map<std::uint16_t, std::uint64_t>> SocketTableReader::udpDrops(
    const std::vector<std::uint16_t>& ports) {
    std::map<std::uint16_t, std::uint64_t> drops;
    for (const std::uint16_t port : ports) drops[port] = 0;
    std::string text;
    bool any = false;
    for (const int fd : {m_udp4, m_udp6})
        if (rereadTable(fd, text)) {
            addProcNetUdpDrops(text, drops);
            any = true;
        }
    if (!any) return std::nullopt;
    return drops;
}

std::optional<PortCountsMap> countTcpSocketsOnPorts(const std::vector<std::uint16_t>& ports) {
    if (ports.empty()) return PortCountsMap{};
    return inParts(ports, [](const std::vector<std::uint16_t>& part) {
        const FdCloser fd{openNetlink()};
        if (auto counts = countWithNetlink(fd.fd, part)) return counts;
        return countFromProc(part);
    });
}

}  // namespace sockscope

#endif  // __linux__
