#pragma once
// The payload log: every message sent and received, plus lifecycle rows (connect, close, error),
// in a store bounded by bytes and by records. Fixed-size records index a chunked byte arena;
// eviction drops whole chunks from the front (and the records pointing into them). Sequence
// numbers keep counting across eviction, so a view can tell what it lost.
// Owned by one thread (the front end's); not thread-safe.
//
// Bounds: the arena (sum of chunk capacities) never exceeds max_bytes, the record count never
// exceeds max_records, and the peer-string table is capped (kMaxPeers). A message larger than
// max_bytes cannot be held at all: it is dropped on arrival, still consumes a sequence number
// (so a view sees a gap), and is counted in evictedRecords()/evictedBytes() and in
// droppedOversized(). The rest of the log is kept.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.hpp"

namespace sockscope {

enum class LogKind : std::uint8_t {
    Rx,      // bytes received
    Tx,      // bytes sent
    Info,    // lifecycle text: "accepted 127.0.0.1:5000", "peer sent FIN", ...
    Error,   // error text
};

struct LogRecord {
    std::uint64_t seq = 0;          // 0-based, monotonic over the log's life
    TimestampUs time_us = 0;
    EndpointId endpoint = 0;
    ConnectionId connection = 0;
    LogKind kind = LogKind::Rx;
    std::uint32_t length = 0;       // bytes of payload (or text) in the arena
    // where the bytes live (opaque to users; use PayloadLog::bytes())
    std::uint32_t chunk = 0;        // absolute chunk number
    std::uint32_t offset = 0;       // offset inside the chunk
    std::uint32_t peer = 0;         // index into the peer-string table (0 = none)
};

struct PayloadLogLimits {
    std::size_t max_bytes = 256u << 20;     // payload bytes kept (arena), default 256 MiB
    std::size_t max_records = 4'000'000;    // records kept
    std::size_t chunk_bytes = 1u << 20;     // arena chunk size; bigger messages get their own chunk
                                            // (clamped to max_bytes; 0 = 1 MiB)
};

class PayloadLog {
public:
    explicit PayloadLog(PayloadLogLimits limits = {});
    ~PayloadLog();
    PayloadLog(PayloadLog&&) noexcept;
    PayloadLog& operator=(PayloadLog&&) noexcept;

    /// Appends one record; returns its sequence number. Evicts the oldest chunks/records first
    /// when a limit would be exceeded. `peer` may be empty (tcp); strings are interned.
    std::uint64_t append(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                         LogKind kind, std::span<const std::uint8_t> bytes,
                         std::string_view peer = {});
    std::uint64_t appendText(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                             LogKind kind, std::string_view text, std::string_view peer = {});

    std::size_t size() const;                   ///< records currently held
    bool empty() const { return size() == 0; }
    std::uint64_t firstSeq() const;             ///< seq of record(0); == nextSeq() when empty
    std::uint64_t nextSeq() const;              ///< seq the next append gets
    const LogRecord& record(std::size_t index) const;   ///< 0 = oldest held
    /// Index of the record with this seq, or npos if evicted/not yet written.
    std::size_t indexOfSeq(std::uint64_t seq) const;
    std::span<const std::uint8_t> bytes(const LogRecord& record) const;
    std::string_view peer(const LogRecord& record) const;

    void clear();                               ///< drops everything; seq keeps counting

    std::uint64_t evictedRecords() const;       ///< total records evicted (not counting clear())
    std::uint64_t evictedBytes() const;
    std::size_t payloadBytes() const;           ///< bytes of payload held
    std::size_t memoryUsed() const;             ///< arena capacity + record index + peers, approx.
    std::size_t arenaBytes() const;             ///< capacity of the chunks held (<= max_bytes)
    std::uint64_t droppedOversized() const;     ///< messages > max_bytes, dropped on arrival
    const PayloadLogLimits& limits() const;     ///< the limits in force (chunk_bytes clamped)

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    /// Peer table cap. When full, the table is rebuilt from the records still held; if they
    /// alone reference too many peers, new peers show as kManyPeers until a later rebuild.
    static constexpr std::size_t kMaxPeers = 65'536;
    static constexpr std::string_view kManyPeers = "(many peers)";

private:
    struct Chunk;
    struct PeerHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    void evictFrontRecord();
    std::unique_ptr<Chunk> evictFrontChunk();   ///< with its records; returns it for reuse
    void releaseUnreferencedChunks();
    void dropOversized(std::size_t length);
    std::uint32_t internPeer(std::string_view peer);
    void compactPeers();
    void resetPeers();

    // implementation-defined members
    PayloadLogLimits m_limits;
    std::deque<LogRecord> m_records;
    std::deque<std::unique_ptr<Chunk>> m_chunks;
    std::uint32_t m_firstChunk = 0;             // absolute number of m_chunks.front()
    std::uint64_t m_nextSeq = 0;
    std::uint64_t m_evictedRecords = 0;
    std::uint64_t m_evictedBytes = 0;
    std::size_t m_payloadBytes = 0;
    std::size_t m_arenaBytes = 0;
    std::uint64_t m_droppedOversized = 0;
    std::vector<std::string> m_peers;           // interned peer strings; [0] = "", [1] = kManyPeers
    std::unordered_map<std::string, std::uint32_t, PeerHash, std::equal_to<>> m_peerIndex;
    std::uint32_t m_lastPeer = 0;               // one-entry cache: bursts come from one peer
    std::size_t m_peerBytes = 0;                // approximate heap used by the peer table
    std::size_t m_newPeersSinceCompact = 0;     // rate-limits rebuilds when the table is full
};

}  // namespace sockscope
