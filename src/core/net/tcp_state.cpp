// OS-independent part of the kernel TCP view: names, explanations and the /proc/net/tcp parser
// (plain text, so it is tested on every OS). The per-OS queries live in tcp_state_<os>.cpp.
#include "core/net/tcp_state.hpp"

#include <charconv>
#include <cstddef>
#include <numeric>
#include <optional>
#include <string_view>

namespace sockscope {

const char* toString(TcpState state) {
    switch (state) {
        case TcpState::Unknown: return "UNKNOWN";
        case TcpState::Established: return "ESTABLISHED";
        case TcpState::SynSent: return "SYN_SENT";
        case TcpState::SynRecv: return "SYN_RECV";
        case TcpState::FinWait1: return "FIN_WAIT_1";
        case TcpState::FinWait2: return "FIN_WAIT_2";
        case TcpState::TimeWait: return "TIME_WAIT";
        case TcpState::Close: return "CLOSED";
        case TcpState::CloseWait: return "CLOSE_WAIT";
        case TcpState::LastAck: return "LAST_ACK";
        case TcpState::Listen: return "LISTEN";
        case TcpState::Closing: return "CLOSING";
    }
    return "UNKNOWN";
}

const char* explain(TcpState state) {
    switch (state) {
        case TcpState::Unknown:
            return "the OS did not report a state for this socket";
        case TcpState::Established:
            return "connected: both sides can send and receive";
        case TcpState::SynSent:
            return "connecting: this side sent SYN and waits for the peer to answer";
        case TcpState::SynRecv:
            return "a peer's SYN arrived and was answered; waiting for its ACK to finish the handshake";
        case TcpState::FinWait1:
            return "this side closed (sent FIN); waiting for the peer to acknowledge it";
        case TcpState::FinWait2:
            return "this side closed; waiting for the peer to close its side";
        case TcpState::TimeWait:
            return "closed; the kernel keeps the port reserved for a while (2×MSL) after this side "
                   "closed first";
        case TcpState::Close:
            return "closed: no connection any more (the kernel is done with it)";
        case TcpState::CloseWait:
            return "the peer closed its side; this side has not — close it or it stays";
        case TcpState::LastAck:
            return "the peer closed first and this side closed too; waiting for the peer's last ACK";
        case TcpState::Listen:
            return "listening: waiting for incoming connections";
        case TcpState::Closing:
            return "both sides closed at the same time; waiting for the peer to acknowledge this "
                   "side's FIN";
    }
    return "the OS did not report a state for this socket";
}

std::uint32_t PortStateCounts::total() const {
    return std::accumulate(by_state.begin(), by_state.end(), std::uint32_t{0});
}

TcpState tcpStateFromLinux(unsigned code) {
    // Linux numbers its states in the same order as our enum (include/net/tcp_states.h).
    if (code >= 1 && code < kTcpStateCount) return static_cast<TcpState>(code);
    if (code == 12) return TcpState::SynRecv;  // TCP_NEW_SYN_RECV: a request socket mid-handshake
    return TcpState::Unknown;
}

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/// Next whitespace-separated token of `line` from `pos` (empty at the end).
std::string_view nextToken(std::string_view line, std::size_t& pos) {
    while (pos < line.size() && isSpace(line[pos])) ++pos;
    const std::size_t start = pos;
    while (pos < line.size() && !isSpace(line[pos])) ++pos;
    return line.substr(start, pos - start);
}

/// Parses 1..8 hex digits; false on anything else (so a garbled line is skipped, not misread).
bool parseHex(std::string_view text, unsigned& value) {
    if (text.empty() || text.size() > 8) return false;
    value = 0;
    for (char c : text) {
        unsigned digit = 0;
        if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
        else if (c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
        else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
        else return false;
        value = value * 16 + digit;
    }
    return true;
}

}  // namespace

namespace {

struct TableEntry {
    std::uint16_t port;
    TcpState state;
};

/// One line: "  0: 0100007F:EA60 00000000:0000 0A 00000000:00000000 00:00000000 ...".
/// Headers and malformed lines read as nullopt.
std::optional<TableEntry> parseProcNetTcpLine(std::string_view line) {
    std::size_t pos = 0;
    const std::string_view slot = nextToken(line, pos);
    if (slot.size() < 2 || slot.back() != ':') return std::nullopt;  // header ("sl") or garbage
    const std::string_view local = nextToken(line, pos);
    nextToken(line, pos);  // remote address
    const std::string_view state = nextToken(line, pos);
    const std::size_t colon = local.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    unsigned local_port = 0;
    unsigned state_code = 0;
    if (!parseHex(local.substr(colon + 1), local_port) || local_port > 0xffff) return std::nullopt;
    if (!parseHex(state, state_code)) return std::nullopt;
    return TableEntry{static_cast<std::uint16_t>(local_port), tcpStateFromLinux(state_code)};
}

template <class Visit>
void forEachLine(std::string_view text, Visit visit) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        visit(text.substr(start, end - start));
        start = end + 1;
    }
}

}  // namespace

void addProcNetTcpLine(std::string_view line, std::uint16_t port, PortStateCounts& counts) {
    const auto entry = parseProcNetTcpLine(line);
    if (entry && entry->port == port) ++counts.by_state[static_cast<std::size_t>(entry->state)];
}

void addProcNetTcpCounts(std::string_view table_text, std::uint16_t port, PortStateCounts& counts) {
    forEachLine(table_text, [&](std::string_view line) { addProcNetTcpLine(line, port, counts); });
}

void addProcNetTcpCounts(std::string_view table_text, PortCountsMap& counts) {
    forEachLine(table_text, [&](std::string_view line) {
        const auto entry = parseProcNetTcpLine(line);
        if (!entry) return;
        if (auto it = counts.find(entry->port); it != counts.end())
            ++it->second.by_state[static_cast<std::size_t>(entry->state)];
    });
}

void addProcNetUdpDrops(std::string_view text, std::map<std::uint16_t, std::uint64_t>& drops) {
    // "sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops"
    forEachLine(text, [&](std::string_view line) {
        std::size_t pos = 0;
        const std::string_view slot = nextToken(line, pos);
        if (slot.size() < 2 || slot.back() != ':') return;   // header or garbage
        const std::string_view local = nextToken(line, pos);
        const std::size_t colon = local.rfind(':');
        unsigned port = 0;
        if (colon == std::string_view::npos || !parseHex(local.substr(colon + 1), port) || port > 0xffff) return;
        auto it = drops.find(static_cast<std::uint16_t>(port));
        if (it == drops.end()) return;
        std::string_view last;
        for (std::string_view field; !(field = nextToken(line, pos)).empty();) last = field;
        std::uint64_t value = 0;
        const auto parsed = std::from_chars(last.data(), last.data() + last.size(), value);
        if (!last.empty() && parsed.ec == std::errc() && parsed.ptr == last.data() + last.size()) it->second += value;
    });
}

std::optional<PortStateCounts> countTcpSocketsOnPort(std::uint16_t port) {
    auto counts = countTcpSocketsOnPorts({port});
    if (!counts) return std::nullopt;
    return (*counts)[port];
}

#if !defined(__linux__)
std::optional<std::uint64_t> socketDrops(std::intptr_t) { return std::nullopt; }

SocketTableReader::SocketTableReader() = default;
SocketTableReader::~SocketTableReader() = default;
std::optional<PortCountsMap> SocketTableReader::countTcp(const std::vector<std::uint16_t>& ports) {
    return countTcpSocketsOnPorts(ports);
}
std::optional<std::map<std::uint16_t, std::uint64_t>> SocketTableReader::udpDrops(const std::vector<std::uint16_t>&) {
    return std::nullopt;
}

#endif

#if !defined(__linux__) && !defined(_WIN32)
// One query per port where the OS has no multi-port dump (macOS; Windows reads its table once).
std::optional<PortCountsMap> countTcpSocketsOnPorts(const std::vector<std::uint16_t>& ports) {
    PortCountsMap counts;
    for (const std::uint16_t port : ports) {
        auto one = countTcpSocketsOnPortOs(port);
        if (!one) return std::nullopt;
        counts[port] = *one;
    }
    return counts;
}
#endif

#if !defined(__linux__) && !defined(__APPLE__) && !defined(_WIN32)
// Other OSes: no kernel view; the UI shows "not available".
std::optional<TcpInfo> queryTcpInfo(std::intptr_t) { return std::nullopt; }
std::optional<PortStateCounts> countTcpSocketsOnPortOs(std::uint16_t) { return std::nullopt; }
#endif

}  // namespace sockscope
