// libFuzzer target for the kernel-view parsers: a sock_diag (inet_diag) netlink reply as bytes,
// /proc/net/tcp{,6} and /proc/net/udp{,6} text, and the port-filter bytecode builder. They read
// what the kernel hands over; a malformed buffer must be rejected, never read out of bounds.
// Built by tests/fuzz/CMakeLists.txt (corpus: tests/fuzz/corpus/sockdiag). The first byte picks
// the parser; the next two name a watched port.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "core/net/tcp_state.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

std::uint32_t total(const sockscope::PortCountsMap& counts) {
    std::uint32_t sum = 0;
    for (const auto& [port, c] : counts) sum += c.total();
    return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    if (size < 3) return 0;
    const std::uint8_t which = data[0];
    const auto port = static_cast<std::uint16_t>(data[1] << 8 | data[2]);
    const std::span<const std::uint8_t> body(data + 3, size - 3);
    const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
    PortCountsMap counts{{port, {}}, {static_cast<std::uint16_t>(port + 1), {}}};
    switch (which % 4) {
        case 0: {
#if defined(__linux__)
            const SockDiagParse result = parseSockDiagReply(body, counts);
            check(result == SockDiagParse::More || result == SockDiagParse::Done || result == SockDiagParse::Failed);
            // One record is at least a netlink header plus an inet_diag_msg (16 + 72 bytes).
            check(total(counts) <= body.size() / 88);
#endif
            break;
        }
        case 1: {
            addProcNetTcpCounts(text, counts);
            check(counts.size() == 2);   // only the watched ports, never new keys
            PortStateCounts one;
            addProcNetTcpCounts(text, port, one);
            check(one == counts[port]);   // the single-port and multi-port readers agree
            break;
        }
        case 2: {
            std::map<std::uint16_t, std::uint64_t> drops{{port, 0}};
            addProcNetUdpDrops(text, drops);
            check(drops.size() == 1);
            break;
        }
        case 3: {
#if defined(__linux__)
            std::vector<std::uint16_t> ports;
            for (std::size_t i = 0; i + 1 < body.size() && ports.size() < 64; i += 2)
                ports.push_back(static_cast<std::uint16_t>(body[i] << 8 | body[i + 1]));
            const auto filter = sockDiagPortFilter(ports);
            check(filter.size() == (ports.empty() ? 0 : ports.size() * 20 - 4));
#endif
            break;
        }
    }
    return 0;
}
