#pragma once
// Small helpers shared by the benchmark load tools: option parsing, a monotonic clock, loopback
// addresses and one-line JSON output. Standard library + POSIX only, so a tool measures the
// kernel and the peer, not a framework.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace sockscope::bench {

inline double nowSeconds() {
    using Clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

/// "--name value" pairs and bare "--flag"s; anything else is a usage error.
class Args {
public:
    Args(int argc, char** argv, std::string_view usage) : m_usage(usage) {
        for (int i = 1; i < argc; ++i) {
            std::string key = argv[i];
            if (key.rfind("--", 0) != 0) fail("unexpected argument \"" + key + "\"");
            key = key.substr(2);
            if (i + 1 < argc && std::string_view(argv[i + 1]).rfind("--", 0) != 0) {
                m_values[key] = argv[++i];
            } else {
                m_values[key] = "";
            }
        }
    }

    bool has(const std::string& key) const { return m_values.count(key) != 0; }

    std::string text(const std::string& key, const std::string& fallback) const {
        auto it = m_values.find(key);
        return it == m_values.end() ? fallback : it->second;
    }

    double number(const std::string& key, double fallback, double min, double max) const {
        auto it = m_values.find(key);
        if (it == m_values.end()) return fallback;
        char* end = nullptr;
        const double value = std::strtod(it->second.c_str(), &end);
        if (it->second.empty() || *end != '\0' || !(value >= min && value <= max))
            fail("--" + key + ": expected a number from " + std::to_string(min) + " to " + std::to_string(max) +
                 ", got \"" + it->second + "\"");
        return value;
    }

    [[noreturn]] void fail(const std::string& message) const {
        std::fprintf(stderr, "error: %s\nusage: %.*s\n", message.c_str(), static_cast<int>(m_usage.size()),
                     m_usage.data());
        std::exit(2);
    }

private:
    std::string_view m_usage;
    std::map<std::string, std::string> m_values;
};

/// IPv4 only: the benchmarks run on 127.0.0.1 and nothing else.
inline std::optional<sockaddr_in> loopbackAddress(const std::string& host, int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return std::nullopt;
    if ((ntohl(address.sin_addr.s_addr) >> 24) != 127) return std::nullopt;
    return address;
}

/// Builds one JSON object line: {"key": value, ...}. Keys and string values are plain ASCII.
class JsonLine {
public:
    JsonLine& add(const char* key, double value) {
        char text[64];
        std::snprintf(text, sizeof text, "%.6f", value);
        return raw(key, text);
    }
    JsonLine& add(const char* key, std::uint64_t value) { return raw(key, std::to_string(value)); }
    JsonLine& add(const char* key, std::int64_t value) { return raw(key, std::to_string(value)); }
    JsonLine& add(const char* key, int value) { return raw(key, std::to_string(value)); }
    JsonLine& add(const char* key, bool value) { return raw(key, value ? "true" : "false"); }
    JsonLine& add(const char* key, const std::string& value) {
        std::string quoted = "\"";
        for (char c : value) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
        }
        return raw(key, quoted + "\"");
    }
    JsonLine& add(const char* key, const char* value) { return add(key, std::string(value)); }
    JsonLine& raw(const char* key, const std::string& json) {
        m_text << (m_first ? "{" : ",") << '"' << key << "\":" << json;
        m_first = false;
        return *this;
    }
    void print() {
        std::printf("%s}\n", m_first ? "{" : m_text.str().c_str());
        std::fflush(stdout);
    }

private:
    std::ostringstream m_text;
    bool m_first = true;
};

inline std::string errnoName(int error) {
    switch (error) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EPIPE: return "EPIPE";
    case EAGAIN: return "EAGAIN";
    case ENOBUFS: return "ENOBUFS";
    default: return "errno " + std::to_string(error);
    }
}

}  // namespace sockscope::bench
