#pragma once
// Test helper: a plain blocking POSIX TCP/UDP peer on loopback with receive timeouts, so a test
// talks to the engine through the kernel like any device would. Every call is bounded in time.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace sockscope::test {

class SocketPeer {
public:
    SocketPeer() = default;
    explicit SocketPeer(int fd) : m_fd(fd) {}
    SocketPeer(SocketPeer&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    SocketPeer& operator=(SocketPeer&& other) noexcept {
        std::swap(m_fd, other.m_fd);
        return *this;
    }
    ~SocketPeer() { close(); }

    /// Connects to 127.0.0.1:port (or ::1 with v6). Returns false on failure (errno kept).
    bool connectTcp(std::uint16_t port, bool v6 = false) {
        close();
        m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        if (m_fd < 0) return false;
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
        if (m_fd < 0) return false;
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
            const ssize_t n = ::send(m_fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    bool sendTo(const std::string& data, std::uint16_t port) {
        sockaddr_in addr = loopback4(port);
        return ::sendto(m_fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) ==
               static_cast<ssize_t>(data.size());
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
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
            char buffer[65536];
            const ssize_t n = ::recv(m_fd, buffer, std::min(sizeof buffer, count - out.size()), 0);
            if (n <= 0) {
                m_lastErrno = n < 0 ? errno : 0;
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
            if (::poll(&p, 1, static_cast<int>(left)) <= 0) return -1;
            char buffer[4096];
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n == 0) return 0;
            if (n < 0) return errno;
        }
        return -1;
    }

    std::string receiveDatagram(int timeout_ms = 2000) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return {};
        char buffer[65536];
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
    }

    void shutdownSend() { ::shutdown(m_fd, SHUT_WR); }
    void resetOnClose() {
        linger l{1, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    void close() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }
    int fd() const { return m_fd; }
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
        timeval tv{ms / 1000, (ms % 1000) * 1000};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }

    int m_fd = -1;
    int m_lastErrno = 0;
    bool m_eof = false;
};

/// A listening POSIX socket on 127.0.0.1 (the device the client talks to).
struct Listener {
    int fd = -1;
    std::uint16_t port = 0;
    explicit Listener(std::uint16_t wanted = 0) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(wanted);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
            ::close(fd);
            fd = -1;
            return;
        }
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~Listener() {
        if (fd >= 0) ::close(fd);
    }
    SocketPeer accept(int timeout_ms = 2000) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, timeout_ms) <= 0) return SocketPeer();
        return SocketPeer(::accept(fd, nullptr, nullptr));
    }
};


}  // namespace sockscope::test
