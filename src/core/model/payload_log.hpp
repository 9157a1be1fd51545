#pragma once
// The payload log: every message sent and received, plus lifecycle rows (connect, close, error),
// in a store bounded by bytes and by records. Fixed-size records index a chunked byte arena;
// eviction drops whole chunks from the front (and the records pointing into them). Sequence
// numbers keep counting across eviction, so a view can tell what it lost.
// Owned by one thread (the front end's); not thread-safe.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string_view>
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
};

class PayloadLog {
public:
    explicit PayloadLog(PayloadLogLimits limits = {});

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
    std::size_t memoryUsed() const;             ///< arena capacity + record index, approx.
    const PayloadLogLimits& limits() const;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    struct Chunk;
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
    std::vector<std::string> m_peers;           // interned peer strings; [0] = ""
};

}  // namespace sockscope
