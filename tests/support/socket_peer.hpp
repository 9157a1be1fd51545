#pragma once
// Test helper: a plain blocking POSIX TCP/UDP peer on loopback with receive timeouts, so a test
// talks to the engine through the kernel like any device would. Every call is bounded in time.
// Winsock on Windows: the few differences are in the small section below.
#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace sockscope::test {

#if defined(_WIN32)
using PeerSocket = SOCKET;
constexpr PeerSocket kNoPeerSocket = INVALID_SOCKET;
inline int peerPoll(pollfd* p, int timeout_ms) { return ::WSAPoll(p, 1, timeout_ms); }
inline void peerClose(PeerSocket fd) { ::closesocket(fd); }
/// The last socket error as the errno value tests compare with (ECONNRESET for a reset).
inline int peerError() {
    const int e = ::WSAGetLastError();
    return e == WSAECONNRESET || e == WSAECONNABORTED ? ECONNRESET : e;
}
inline constexpr int kPeerNoSignal = 0;
inline constexpr int kPeerShutWr = SD_SEND;
/// Winsock must be started before the first socket; asio does it too, tests may come first.
inline bool peerWsaStarted = [] {
    WSADATA data;
    return ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
}();
#else
using PeerSocket = int;
constexpr PeerSocket kNoPeerSocket = -1;
inline int peerPoll(pollfd* p, int timeout_ms) { return ::poll(p, 1, timeout_ms); }
inline void peerClose(PeerSocket fd) { ::close(fd); }
inline int peerError() { return errno; }
inline constexpr int kPeerNoSignal = MSG_NOSIGNAL;
inline constexpr int kPeerShutWr = SHUT_WR;
#endif

/// Whether this host has IPv6 loopback (::1 can be bound): tests of IPv6 skip, saying so, when it
/// has not (a container or a kernel with IPv6 disabled).
inline bool ipv6LoopbackWorks() {
    const PeerSocket fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd == kNoPeerSocket) return false;
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    peerClose(fd);
    return ok;
}
inline constexpr const char* kNoIpv6Loopback = "IPv6 loopback (::1) is not available on this host";

class SocketPeer {
public:
    SocketPeer() = default;
    explicit SocketPeer(PeerSocket fd) : m_fd(fd) {}
    SocketPeer(SocketPeer&& other) noexcept : m_fd(other.m_fd) { other.m_fd = kNoPeerSocket; }
    SocketPeer& operator=(SocketPeer&& other) noexcept {
        std::swap(m_fd, other.m_fd);
        return *this;
    }
    ~SocketPeer() { close(); }

    /// Connects to 127.0.0.1:port (or ::1 with v6). Returns false on failure (errno kept).
    bool connectTcp(std::uint16_t port, bool v6 = false) {
        close();
        m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        if (m_fd == kNoPeerSocket) return false;
        setTimeouts(2000);
        if (v6) {
            sockaddr_in6 addr{};
            addr.sin6_family = AF_INET6;
            addr.sin6_port = htons(port);
            addr.sin6_addr = in6addr_loopback;
            return ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        }
        sockaddr_in addr = loopback4(port);
        return ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }

    bool bindUdp(std::uint16_t port = 0) {
        close();
        m_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        if (m_fd == kNoPeerSocket) return false;
        setTimeouts(2000);
        sockaddr_in addr = loopback4(port);
        return ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }

    std::uint16_t localPort() const {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
        return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    }

    bool sendAll(const std::string& data) {
        std::size_t sent = 0;
        while (sent < data.size()) {
            const auto n = ::send(m_fd, data.data() + sent, static_cast<int>(data.size() - sent), kPeerNoSignal);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    bool sendTo(const std::string& data, std::uint16_t port) {
        sockaddr_in addr = loopback4(port);
        return ::sendto(m_fd, data.data(), static_cast<int>(data.size()), 0, reinterpret_cast<sockaddr*>(&addr),
                        sizeof addr) == static_cast<int>(data.size());
    }

    /// Reads until `count` bytes arrived, EOF, an error, or the timeout. Returns what arrived.
    std::string receive(std::size_t count, int timeout_ms = 2000) {
        std::string out;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (out.size() < count) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()).count();
            if (left <= 0) break;
            pollfd p{m_fd, POLLIN, 0};
            if (peerPoll(&p, static_cast<int>(left)) <= 0) break;
            char buffer[65536];
            const auto n = ::recv(m_fd, buffer, static_cast<int>(std::min(sizeof buffer, count - out.size())), 0);
            if (n <= 0) {
                m_lastErrno = n < 0 ? peerError() : 0;
                m_eof = n == 0;
                break;
            }
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }

    /// Waits for EOF (returns 0), a reset (returns ECONNRESET) or the timeout (returns -1).
    /// Data that arrives first is discarded.
    int waitForClose(int timeout_ms = 2000) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        for (int i = 0; i < 100000; ++i) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()).count();
            if (left <= 0) return -1;
            pollfd p{m_fd, POLLIN, 0};
            if (peerPoll(&p, static_cast<int>(left)) <= 0) return -1;
            char buffer[4096];
            const auto n = ::recv(m_fd, buffer, static_cast<int>(sizeof buffer), 0);
            if (n == 0) return 0;
            if (n < 0) return peerError();
        }
        return -1;
    }

    std::string receiveDatagram(int timeout_ms = 2000) {
        pollfd p{m_fd, POLLIN, 0};
        if (peerPoll(&p, timeout_ms) <= 0) return {};
        char buffer[65536];
        const auto n = ::recv(m_fd, buffer, static_cast<int>(sizeof buffer), 0);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
    }

    void shutdownSend() { ::shutdown(m_fd, kPeerShutWr); }
    void setNoDelay() {   // each small send its own segment, at once
        const int on = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof on);
    }
    void resetOnClose() {
        linger l{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&l), sizeof l);
    }
    void close() {
        if (m_fd != kNoPeerSocket) peerClose(m_fd);
        m_fd = kNoPeerSocket;
    }
    PeerSocket fd() const { return m_fd; }
    bool eof() const { return m_eof; }

private:
    static sockaddr_in loopback4(std::uint16_t port) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return addr;
    }
    void setTimeouts(int ms) {
#if defined(_WIN32)
        const DWORD tv = static_cast<DWORD>(ms);   // Winsock takes milliseconds
#else
        timeval tv{ms / 1000, (ms % 1000) * 1000};
#endif
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&tv), sizeof tv);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, reinterpret_cast<const char*>(&tv), sizeof tv);
    }

    PeerSocket m_fd = kNoPeerSocket;
    int m_lastErrno = 0;
    bool m_eof = false;
};

/// A listening plain socket on 127.0.0.1 (the device the client talks to).
struct Listener {
    test::PeerSocket fd = test::kNoPeerSocket;
    std::uint16_t port = 0;
    /// `backlog` 0 and one connection that is never accepted: the queue is full (Linux keeps
    /// backlog + 1), and a further connect hangs in SYN_SENT (the SYN is dropped).
    explicit Listener(std::uint16_t wanted = 0, int backlog = 16) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const char*>(&one), sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(wanted);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, backlog) != 0) {
            test::peerClose(fd);
            fd = test::kNoPeerSocket;
            return;
        }
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~Listener() {
        if (fd != test::kNoPeerSocket) test::peerClose(fd);
    }
    SocketPeer accept(int timeout_ms = 2000) {
        pollfd p{fd, POLLIN, 0};
        if (test::peerPoll(&p, timeout_ms) <= 0) return SocketPeer();
        return SocketPeer(::accept(fd, nullptr, nullptr));
    }
};

}  // namespace sockscope::test
