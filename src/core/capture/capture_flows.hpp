#pragma once
// A capture file as a list of flows (TCP streams and UDP flows by 5-tuple) with per-direction TCP
// reassembly by sequence number: retransmissions and overlaps are delivered once, out-of-order
// segments wait (within a bound) for the hole to fill, holes that never fill are reported as gaps.
// One streaming pass; what it keeps is bounded (kMaxFlows, kMaxPendingPerStream, kMaxPendingTotal,
// kMaxCollectedBytes), and whatever a bound turned away is counted. A second pass with
// `collect_flow` set gathers that flow's payload in order (what capture_convert turns into a script).
#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/capture/capture_reader.hpp"
#include "core/capture/packet_decode.hpp"
#include "core/types.hpp"

namespace sockscope::capture {

inline constexpr std::size_t kMaxFlows = 50'000;
inline constexpr std::size_t kMaxPendingPerStream = 1u << 20;    // out-of-order bytes one direction waits with
inline constexpr std::size_t kMaxPendingTotal = 32u << 20;       // all directions together
inline constexpr std::size_t kMaxCollectedBytes = 4u << 20;      // payload of the collected flow: as hex it
                                                                 // must fit a profile (at most 16 MiB)
inline constexpr std::size_t kMaxCollectedChunks = 200'000;
inline constexpr std::size_t kPreviewBytes = 64;

/// `to - from` in ns, 0 when `to` is earlier; saturating (capture timestamps are untrusted).
std::int64_t elapsedNs(std::int64_t from, std::int64_t to);

/// One direction of a flow: side 0 sends to side 1 or the reverse.
struct FlowDirection {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;              // payload delivered (after deduplication)
    std::uint64_t retransmitted = 0;      // payload bytes seen again (retransmissions, overlaps)
    std::uint64_t gaps = 0;               // holes in the sequence space that never filled
    std::uint64_t gap_bytes = 0;
    bool syn = false, fin = false, rst = false;
    Bytes preview;                        // the first kPreviewBytes of payload
};

struct Flow {
    Transport transport = Transport::Tcp;
    std::array<IpAddress, 2> address;     // [0]: the sender of the first packet seen
    std::array<std::uint16_t, 2> port{};
    std::array<FlowDirection, 2> dir;     // dir[i]: sent by side i
    std::int64_t first_ns = 0, last_ns = 0;
    int client = 0;                       // the side that opened it (SYN; else the first sender)
    bool handshake = false;               // SYN and SYN-ACK seen
    std::uint16_t interface = 0;

    /// "client" side is `client`; the other is the server.
    int server() const { return 1 - client; }
    std::string endpoint(int side) const { return formatEndpoint(address[static_cast<std::size_t>(side)], port[static_cast<std::size_t>(side)]); }
    bool closed() const { return dir[0].fin || dir[1].fin || dir[0].rst || dir[1].rst; }
    std::int64_t durationNs() const { return elapsedNs(first_ns, last_ns); }
};

/// A run of payload in one direction as the capture delivered it (one per packet or flushed
/// out-of-order segment).
struct PayloadChunk {
    int from = 0;                 // side index
    std::int64_t time_ns = 0;
    Bytes data;
};

struct CaptureStats {
    std::uint64_t packets = 0;
    std::uint64_t tcp_segments = 0, udp_datagrams = 0;
    std::uint64_t unsupported_link = 0;   // not IP (ARP, ...) or an unknown link type
    std::uint64_t not_tcp_udp = 0;        // ICMP, ...
    std::uint64_t fragments = 0;          // IP fragments: not reassembled
    std::uint64_t malformed = 0;
    std::uint64_t truncated = 0;          // captured shorter than the packet (snap length)
    std::uint64_t flows_over_cap = 0;     // packets of flows beyond kMaxFlows, not tracked
    std::uint64_t pending_flushed = 0;    // times a reassembly buffer hit its cap and gave up a hole
    std::uint64_t collected_dropped = 0;  // payload bytes of the collected flow beyond its caps
};

struct AnalyzeOptions {
    std::optional<std::size_t> collect_flow;   // index into the flow list of a previous pass
    /// Called now and then with (bytes read, file size or 0); return false to cancel.
    std::function<bool(std::uint64_t, std::uint64_t)> progress;
};

struct CaptureAnalysis {
    CaptureFormat format = CaptureFormat::Unknown;
    std::vector<Flow> flows;
    CaptureStats stats;
    std::string error;                    // the reader stopped here (the flows so far are kept)
    std::vector<std::string> warnings;
    std::vector<PayloadChunk> chunks;     // the collected flow's payload, in capture order
    bool cancelled = false;
};

CaptureAnalysis analyzeCapture(std::istream& in, std::uint64_t size, const AnalyzeOptions& options = {});
/// Opens `path` (binary); a file that cannot be opened is an error naming it.
CaptureAnalysis analyzeCaptureFile(const std::string& path, const AnalyzeOptions& options = {});

/// One line per flow: "tcp 127.0.0.1:50000 -> 127.0.0.1:502 (client -> server) packets 4/3 bytes 12/9 ..."
std::string describeFlow(const Flow& flow);
/// "2026-11-30 02:20:43.123456" (UTC).
std::string formatTimeNs(std::int64_t time_ns);

}  // namespace sockscope::capture
