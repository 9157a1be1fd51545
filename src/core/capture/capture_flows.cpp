#include "core/capture/capture_flows.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <tuple>

namespace sockscope::capture {
namespace {

/// Both directions of a 5-tuple find the same flow: the lower endpoint first.
struct TupleKey {
    Transport transport;
    IpAddress low_ip, high_ip;
    std::uint16_t low_port, high_port;
    auto operator<=>(const TupleKey&) const = default;
};

TupleKey keyOf(const DecodedPacket& p) {
    const bool src_low = std::tie(p.src, p.src_port) <= std::tie(p.dst, p.dst_port);
    return src_low ? TupleKey{p.transport, p.src, p.dst, p.src_port, p.dst_port}
                   : TupleKey{p.transport, p.dst, p.src, p.dst_port, p.src_port};
}

/// One direction's reassembly: `next` is the sequence number expected next, `offset` the same
/// position counted from the stream's start (64-bit, so wrapping needs no care past here).
struct Stream {
    bool started = false;
    std::uint32_t next = 0;
    std::uint64_t offset = 0;
    std::map<std::uint64_t, std::pair<Bytes, std::int64_t>> pending;   // stream offset -> bytes, time
    std::size_t pending_bytes = 0;
};

class Analyzer {
public:
    Analyzer(const AnalyzeOptions& options, CaptureAnalysis& result) : m_options(options), m_result(result) {}

    void add(const RawPacket& raw);
    void finish();

private:
    std::size_t flowOf(const DecodedPacket& p, std::int64_t time_ns, int& side);
    void tcp(std::size_t index, int side, const DecodedPacket& p, std::int64_t time_ns);
    void deliver(std::size_t index, int side, std::int64_t time_ns, std::span<const std::uint8_t> data);
    void drain(std::size_t index, int side);
    void flushHole(std::size_t index, int side);

    const AnalyzeOptions& m_options;
    CaptureAnalysis& m_result;
    std::map<TupleKey, std::size_t> m_table;
    std::vector<std::array<Stream, 2>> m_streams;   // parallel to m_result.flows
    std::size_t m_pending_total = 0;
    std::size_t m_collected = 0;
};

std::size_t Analyzer::flowOf(const DecodedPacket& p, std::int64_t time_ns, int& side) {
    auto& flows = m_result.flows;
    const TupleKey key = keyOf(p);
    auto it = m_table.find(key);
    // A new SYN on a tuple whose connection closed is a new connection (the port was reused).
    const bool fresh_syn = p.transport == Transport::Tcp && (p.flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
    if (it != m_table.end() && fresh_syn && flows[it->second].closed()) {
        for (int s = 0; s < 2; ++s) flushHole(it->second, s);
        m_table.erase(it);
        it = m_table.end();
    }
    if (it == m_table.end()) {
        if (flows.size() >= kMaxFlows) return SIZE_MAX;
        Flow flow;
        flow.transport = p.transport;
        flow.address = {p.src, p.dst};
        flow.port = {p.src_port, p.dst_port};
        flow.first_ns = time_ns;
        flow.last_ns = time_ns;
        flows.push_back(std::move(flow));
        m_streams.emplace_back();
        it = m_table.emplace(key, flows.size() - 1).first;
    }
    const Flow& flow = flows[it->second];
    side = (flow.address[0] == p.src && flow.port[0] == p.src_port) ? 0 : 1;
    return it->second;
}

void Analyzer::add(const RawPacket& raw) {
    CaptureStats& stats = m_result.stats;
    ++stats.packets;
    DecodedPacket p;
    switch (decodePacket(raw.link_type, raw.data, p)) {
    case DecodeResult::Ok: break;
    case DecodeResult::UnsupportedLink: ++stats.unsupported_link; return;
    case DecodeResult::NotTcpUdp: ++stats.not_tcp_udp; return;
    case DecodeResult::Fragment: ++stats.fragments; return;
    case DecodeResult::Malformed: ++stats.malformed; return;
    }
    if (p.truncated) ++stats.truncated;
    int side = 0;
    const std::size_t index = flowOf(p, raw.time_ns, side);
    if (index == SIZE_MAX) {
        ++stats.flows_over_cap;
        return;
    }
    Flow& flow = m_result.flows[index];
    flow.last_ns = std::max(flow.last_ns, raw.time_ns);
    flow.interface = static_cast<std::uint16_t>(raw.interface);
    FlowDirection& dir = flow.dir[static_cast<std::size_t>(side)];
    ++dir.packets;
    if (p.transport == Transport::Udp) {
        ++stats.udp_datagrams;
        deliver(index, side, raw.time_ns, p.payload);
        return;
    }
    ++stats.tcp_segments;
    tcp(index, side, p, raw.time_ns);
}

void Analyzer::tcp(std::size_t index, int side, const DecodedPacket& p, std::int64_t time_ns) {
    Flow& flow = m_result.flows[index];
    FlowDirection& dir = flow.dir[static_cast<std::size_t>(side)];
    Stream& s = m_streams[index][static_cast<std::size_t>(side)];
    if (p.flags & kTcpSyn) {
        if (!(p.flags & kTcpAck)) flow.client = side;
        else {
            flow.client = 1 - side;
            if (flow.dir[static_cast<std::size_t>(1 - side)].syn) flow.handshake = true;
        }
        dir.syn = true;
        if (!s.started || s.offset == 0) {
            s.started = true;
            s.next = p.seq + 1;
        }
    }
    if (p.flags & kTcpFin) dir.fin = true;
    if (p.flags & kTcpRst) dir.rst = true;
    if (!s.started) {
        s.started = true;
        s.next = p.seq;
    }
    if (p.payload.empty()) return;
    const std::uint32_t seq = (p.flags & kTcpSyn) ? p.seq + 1 : p.seq;
    const auto ahead = static_cast<std::int32_t>(seq - s.next);
    std::span<const std::uint8_t> data = p.payload;
    if (ahead < 0) {
        const auto behind = static_cast<std::size_t>(-static_cast<std::int64_t>(ahead));
        if (behind >= data.size()) {   // all of it was delivered before
            dir.retransmitted += data.size();
            return;
        }
        dir.retransmitted += behind;
        data = data.subspan(behind);
    } else if (ahead > 0) {
        const std::uint64_t at = s.offset + static_cast<std::uint64_t>(ahead);
        auto [it, inserted] = s.pending.try_emplace(at);
        if (!inserted && it->second.first.size() >= data.size()) {
            dir.retransmitted += data.size();
            return;
        }
        s.pending_bytes -= it->second.first.size();
        m_pending_total -= it->second.first.size();
        it->second = {Bytes(data.begin(), data.end()), time_ns};
        s.pending_bytes += data.size();
        m_pending_total += data.size();
        if (s.pending_bytes > kMaxPendingPerStream || m_pending_total > kMaxPendingTotal) {
            ++m_result.stats.pending_flushed;
            flushHole(index, side);
        }
        return;
    }
    deliver(index, side, time_ns, data);
    s.next += static_cast<std::uint32_t>(data.size());
    s.offset += data.size();
    drain(index, side);
}

/// Delivers the waiting segments that now continue the stream.
void Analyzer::drain(std::size_t index, int side) {
    Stream& s = m_streams[index][static_cast<std::size_t>(side)];
    FlowDirection& dir = m_result.flows[index].dir[static_cast<std::size_t>(side)];
    while (!s.pending.empty() && s.pending.begin()->first <= s.offset) {
        auto node = s.pending.extract(s.pending.begin());
        const std::uint64_t at = node.key();
        const Bytes& bytes = node.mapped().first;
        s.pending_bytes -= bytes.size();
        m_pending_total -= bytes.size();
        const std::uint64_t end = at + bytes.size();
        if (end <= s.offset) {
            dir.retransmitted += bytes.size();
            continue;
        }
        const auto skip = static_cast<std::size_t>(s.offset - at);
        dir.retransmitted += skip;
        deliver(index, side, node.mapped().second, std::span<const std::uint8_t>(bytes).subspan(skip));
        s.next += static_cast<std::uint32_t>(end - s.offset);
        s.offset = end;
    }
}

/// The hole before the first waiting segment will not fill (a bound, a new connection, the end):
/// count it as a gap and go on from there.
void Analyzer::flushHole(std::size_t index, int side) {
    Stream& s = m_streams[index][static_cast<std::size_t>(side)];
    FlowDirection& dir = m_result.flows[index].dir[static_cast<std::size_t>(side)];
    while (!s.pending.empty()) {
        const std::uint64_t at = s.pending.begin()->first;
        if (at > s.offset) {
            ++dir.gaps;
            dir.gap_bytes += at - s.offset;
            s.next += static_cast<std::uint32_t>(at - s.offset);
            s.offset = at;
        }
        drain(index, side);
    }
}

void Analyzer::deliver(std::size_t index, int side, std::int64_t time_ns, std::span<const std::uint8_t> data) {
    FlowDirection& dir = m_result.flows[index].dir[static_cast<std::size_t>(side)];
    dir.bytes += data.size();
    if (dir.preview.size() < kPreviewBytes) {
        const std::size_t take = std::min(kPreviewBytes - dir.preview.size(), data.size());
        dir.preview.insert(dir.preview.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    }
    // UDP: an empty datagram is still a message; TCP: nothing to deliver.
    if (data.empty() && m_result.flows[index].transport == Transport::Tcp) return;
    if (m_options.collect_flow != index) return;
    if (m_result.chunks.size() >= kMaxCollectedChunks || m_collected + data.size() > kMaxCollectedBytes) {
        m_result.stats.collected_dropped += data.size();
        return;
    }
    m_collected += data.size();
    m_result.chunks.push_back(PayloadChunk{side, time_ns, Bytes(data.begin(), data.end())});
}

void Analyzer::finish() {
    for (std::size_t i = 0; i < m_streams.size(); ++i)
        for (int side = 0; side < 2; ++side) flushHole(i, side);
}

}  // namespace

CaptureAnalysis analyzeCapture(std::istream& in, std::uint64_t size, const AnalyzeOptions& options) {
    CaptureAnalysis result;
    CaptureReader reader(in, size);
    Analyzer analyzer(options, result);
    RawPacket packet;
    std::uint64_t last_report = 0;
    while (reader.next(packet)) {
        analyzer.add(packet);
        if (options.progress && reader.offset() - last_report >= (1u << 20)) {
            last_report = reader.offset();
            if (!options.progress(reader.offset(), size)) {
                result.cancelled = true;
                break;
            }
        }
    }
    analyzer.finish();
    result.format = reader.format();
    result.error = reader.error();
    result.warnings = reader.warnings();
    if (options.progress && !result.cancelled) options.progress(reader.offset(), size);
    return result;
}

CaptureAnalysis analyzeCaptureFile(const std::string& path, const AnalyzeOptions& options) {
    std::error_code ec;
    const std::filesystem::path file = std::filesystem::u8path(path);
    if (std::filesystem::is_directory(file, ec)) {
        CaptureAnalysis result;
        result.error = path + " is a directory, not a capture file";
        return result;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        CaptureAnalysis result;
        result.error = "cannot open " + path + (std::filesystem::exists(file, ec) ? ": permission denied?" : ": no such file");
        return result;
    }
    const auto size = std::filesystem::file_size(file, ec);
    CaptureAnalysis result = analyzeCapture(in, ec ? 0 : size, options);
    if (!result.error.empty()) result.error = path + ": " + result.error;
    return result;
}

std::int64_t elapsedNs(std::int64_t from, std::int64_t to) {
    if (to <= from) return 0;
    const std::uint64_t d = static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from);
    return d > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(d);
}

std::string formatTimeNs(std::int64_t time_ns) {
    const std::int64_t seconds = time_ns >= 0 ? time_ns / 1'000'000'000 : (time_ns - 999'999'999) / 1'000'000'000;
    const auto micros = static_cast<long>((time_ns - seconds * 1'000'000'000) / 1000);
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
#ifdef _WIN32
    if (gmtime_s(&tm, &t) != 0) return std::to_string(time_ns) + " ns";
#else
    if (gmtime_r(&t, &tm) == nullptr) return std::to_string(time_ns) + " ns";
#endif
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
    return text;
}

std::string describeFlow(const Flow& flow) {
    const int c = flow.client, s = flow.server();
    const FlowDirection& up = flow.dir[static_cast<std::size_t>(c)];
    const FlowDirection& down = flow.dir[static_cast<std::size_t>(s)];
    std::string line = flow.transport == Transport::Tcp ? "tcp " : "udp ";
    line += flow.endpoint(c) + " -> " + flow.endpoint(s);
    line += "  packets " + std::to_string(up.packets) + "/" + std::to_string(down.packets);
    line += "  bytes " + std::to_string(up.bytes) + "/" + std::to_string(down.bytes);
    line += "  first " + formatTimeNs(flow.first_ns);
    char duration[64];
    std::snprintf(duration, sizeof duration, "  duration %.6f s", static_cast<double>(flow.durationNs()) / 1e9);
    line += duration;
    if (flow.transport == Transport::Tcp) {
        line += flow.handshake ? "  handshake" : (up.syn || down.syn) ? "  syn only" : "  no handshake";
        if (up.rst || down.rst) line += "  rst";
        else if (up.fin && down.fin) line += "  closed (fin both ways)";
        else if (up.fin || down.fin) line += "  half-closed (fin)";
        else line += "  open at end";
        const std::uint64_t gaps = up.gaps + down.gaps, retrans = up.retransmitted + down.retransmitted;
        if (gaps != 0) line += "  gaps " + std::to_string(gaps) + " (" + std::to_string(up.gap_bytes + down.gap_bytes) + " bytes missing)";
        if (retrans != 0) line += "  retransmitted " + std::to_string(retrans) + " bytes";
    }
    return line;
}

}  // namespace sockscope::capture
