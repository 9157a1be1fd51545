#pragma once
// Test helper: a minimal pcapng reader (little-endian sections, EPBs of Ethernet frames with
// IPv4/IPv6 + TCP/UDP) and a runner for tshark, which the tests use as the foreign reader.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace sockscope::test {

struct ParsedPacket {
    std::uint32_t interface = 0;
    std::uint64_t time_us = 0;
    bool v6 = false, tcp = false;
    std::uint16_t sport = 0, dport = 0;
    std::string src, dst;   // the IP addresses' bytes (4 or 16)
    std::uint32_t seq = 0, ack = 0;
    std::uint8_t flags = 0;
    std::string payload;
    std::string comment;
};

struct ParsedCapture {
    std::vector<std::uint32_t> block_types;
    std::vector<std::string> interface_names;
    std::vector<ParsedPacket> packets;
    bool complete = true;   // false: the data ended inside a block
};

inline std::uint32_t le32(const std::string& s, std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, s.data() + at, 4);
    return v;
}
inline std::uint16_t le16(const std::string& s, std::size_t at) {
    std::uint16_t v;
    std::memcpy(&v, s.data() + at, 2);
    return v;
}
inline std::uint32_t be32(const std::string& s, std::size_t at) {
    return std::uint32_t(std::uint8_t(s[at])) << 24 | std::uint32_t(std::uint8_t(s[at + 1])) << 16 |
           std::uint32_t(std::uint8_t(s[at + 2])) << 8 | std::uint8_t(s[at + 3]);
}
inline std::uint16_t be16(const std::string& s, std::size_t at) {
    return std::uint16_t(std::uint8_t(s[at]) << 8 | std::uint8_t(s[at + 1]));
}

/// Options from `at` to `end`: the value of `code` (first one), or "".
inline std::string optionValue(const std::string& s, std::size_t at, std::size_t end, std::uint16_t code) {
    while (at + 4 <= end) {
        const std::uint16_t c = le16(s, at), len = le16(s, at + 2);
        if (c == 0) break;
        if (c == code) return s.substr(at + 4, len);
        at += 4 + ((len + 3u) & ~3u);
    }
    return "";
}

inline ParsedCapture parsePcapng(const std::string& s) {
    ParsedCapture out;
    std::size_t at = 0;
    while (at + 12 <= s.size()) {
        const std::uint32_t type = le32(s, at), len = le32(s, at + 4);
        if (len < 12 || at + len > s.size() || le32(s, at + len - 4) != len) {
            out.complete = false;
            break;
        }
        out.block_types.push_back(type);
        if (type == 1) out.interface_names.push_back(optionValue(s, at + 16, at + len - 4, 2));
        if (type == 6) {
            ParsedPacket p;
            p.interface = le32(s, at + 8);
            p.time_us = std::uint64_t(le32(s, at + 12)) << 32 | le32(s, at + 16);
            const std::uint32_t caplen = le32(s, at + 20);
            const std::string frame = s.substr(at + 28, caplen);
            p.comment = optionValue(s, at + 28 + ((caplen + 3u) & ~3u), at + len - 4, 1);
            const std::uint16_t ethertype = be16(frame, 12);
            p.v6 = ethertype == 0x86DD;
            const std::size_t ip = 14, l4 = p.v6 ? ip + 40 : ip + (std::uint8_t(frame[ip]) & 0x0f) * 4u;
            const std::uint8_t proto = std::uint8_t(p.v6 ? frame[ip + 6] : frame[ip + 9]);
            p.tcp = proto == 6;
            p.src = p.v6 ? frame.substr(ip + 8, 16) : frame.substr(ip + 12, 4);
            p.dst = p.v6 ? frame.substr(ip + 24, 16) : frame.substr(ip + 16, 4);
            p.sport = be16(frame, l4);
            p.dport = be16(frame, l4 + 2);
            if (p.tcp) {
                p.seq = be32(frame, l4 + 4);
                p.ack = be32(frame, l4 + 8);
                p.flags = std::uint8_t(frame[l4 + 13]);
                p.payload = frame.substr(l4 + (std::uint8_t(frame[l4 + 12]) >> 4) * 4u);
            } else {
                p.payload = frame.substr(l4 + 8);
            }
            out.packets.push_back(p);
        }
        at += len;
    }
    if (at != s.size()) out.complete = false;
    return out;
}

#if !defined(_WIN32)
/// Runs a shell command; its stdout (stderr dropped), and the exit status in `status`.
inline std::string runCommand(const std::string& command, int* status = nullptr) {
    std::string out;
    FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (!pipe) return out;
    char buffer[65536];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int rc = ::pclose(pipe);
    if (status) *status = rc;
    return out;
}
inline bool haveTshark() {
    int status = -1;
    runCommand("tshark --version", &status);
    return status == 0;
}
/// `tshark -qz follow,tcp,raw,<stream>`: the bytes each side sent ([0]: the first node, the one
/// that opened the connection; [1]: the other).
inline std::pair<std::string, std::string> tsharkFollow(const std::string& file, int stream = 0) {
    const std::string text = runCommand("tshark -r '" + file + "' -qz follow,tcp,raw," + std::to_string(stream));
    std::pair<std::string, std::string> out;
    std::size_t at = text.find("Node 1:");
    if (at == std::string::npos) return out;
    at = text.find('\n', at);
    while (at != std::string::npos && at + 1 < text.size()) {
        const std::size_t end = text.find('\n', at + 1);
        std::string line = text.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
        at = end;
        if (line.rfind("====", 0) == 0) break;
        const bool second = !line.empty() && line[0] == '\t';
        if (second) line.erase(0, 1);
        std::string& side = second ? out.second : out.first;
        for (std::size_t i = 0; i + 1 < line.size(); i += 2) side += char(std::stoi(line.substr(i, 2), nullptr, 16));
    }
    return out;
}
#endif

}  // namespace sockscope::test
