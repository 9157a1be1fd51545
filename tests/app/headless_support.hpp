#pragma once
// Helpers of the headless runner's tests: temporary profiles, free ports, JSON lines.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include "support/sanitizers.hpp"

namespace sockscope::test {

/// Wall-clock bounds in tests of the runner's stop budget are this much looser under sanitizers:
/// ASan/TSan make the runner 3-10x slower, and on a loaded 2-core machine the stop path (drain,
/// engine shutdown, summary) took over 8 s where the optimised build takes 5.2 s.
inline constexpr int kSanitizerSlowdown = kUnderSanitizer ? 3 : 1;

inline std::string writeProfile(const std::string& name, const std::string& json) {
    const auto path = std::filesystem::temp_directory_path() / ("sockscope-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << json;
    return path.string();
}

/// A port that is free now on 127.0.0.1 for `type` (SOCK_STREAM or SOCK_DGRAM), below the
/// ephemeral range so no TIME_WAIT client socket squats on it; 0 if none was found. Only for
/// profiles whose endpoints must know each other's port (a client and its server): anything
/// that can bind port 0 and read the port back does that instead.
inline std::uint16_t freePort(int type = SOCK_STREAM) {
    for (std::uint16_t port = 20000 + static_cast<std::uint16_t>(::getpid() % 5000); port < 32000; port += 7) {
        const int fd = ::socket(AF_INET, type, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (ok) return port;
    }
    return 0;
}

/// A TCP port on 127.0.0.1 where nothing listens (bound, read back, closed): connects are refused.
inline std::uint16_t refusedPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/// The complete lines of `text` (the app may be in the middle of writing the last one).
inline std::vector<nlohmann::json> jsonLines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::size_t begin = 0;
    for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1)
        if (end > begin) lines.push_back(nlohmann::json::parse(text.substr(begin, end - begin)));
    return lines;
}

/// The port of "127.0.0.1:P" / "[::1]:P".
inline std::uint16_t portOf(const std::string& address) {
    return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

}  // namespace sockscope::test
