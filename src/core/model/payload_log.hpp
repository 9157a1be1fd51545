#pragma once
// The payload log: every message sent and received, plus lifecycle rows (connect, close, error),
// in a store bounded by bytes and by records. Records index chunks of bytes: the
// log's own arena chunks (what it copies: text rows, small sends) and blocks it shares with the
// engine (appendShared: a received read is kept as the slice the socket was read into, not
// copied). The messages of one append (the frames of one read, a batch of datagrams) are one
// group: one 72-byte group record (time, endpoint, connection, peer, chunk) and 8 bytes per
// message (where its bytes are), so framing's many small messages cost a few ns each, and the
// front is evicted a group at a time (a record limit trims the front group exactly).
// record(i) rebuilds a LogRecord from the two. Eviction drops records from the front; a chunk
// goes when its last group does.
// Sequence numbers keep counting across eviction, so a view can tell what it lost.
// Owned by one thread (the front end's); not thread-safe (the shared blocks' counts are atomic).
//
// Bounds: max_bytes is a memory budget for everything the log holds: the chunks (the whole
// capacity of each one it holds, own or shared, counted once however many records point into
// it), the records (kGroupBytes per group + kEntryBytes per message, which includes one entry of
// a view's filtered index), the peer-string table (capped at kMaxPeers) and the wire-tag table
// (LogWireTags); memoryUsed() never exceeds it. The
// record count never exceeds max_records. A message that cannot fit in the budget even alone is
// dropped on arrival, still consumes a sequence number (so a view sees a gap), and is counted in
// evictedRecords()/evictedBytes() and in droppedOversized(). The rest of the log is kept.
// Eviction is counted per endpoint too (evictedFor), so a flood on one endpoint that pushes out
// another's history says so. clear() returns the memory to the system.
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

#include "core/events.hpp"
#include "core/model/span_store.hpp"
#include "core/shared_bytes.hpp"
#include "core/types.hpp"

namespace sockscope {

enum class LogKind : std::uint8_t {
    Rx,      // bytes received
    Tx,      // bytes sent
    Info,    // lifecycle text: "accepted 127.0.0.1:5000", "peer sent FIN", ...
    Error,   // error text
};

/// What a lifecycle row (Info/Error) stands for, so an export can rebuild the event from it
/// (pcapng: the handshake, a FIN, a RST). Rows with other text are None.
struct LogLifecycle {
    enum class What : std::uint8_t { None, Opened, PeerFin, Closed };
    What what = What::None;
    std::uint8_t close_reason = 0;  // Closed: the CloseReason, as its underlying value
};

struct LogRecord {
    std::uint64_t seq = 0;          // 0-based, monotonic over the log's life
    TimestampUs time_us = 0;
    ConnectionId connection = 0;
    EndpointId endpoint = 0;
    std::uint32_t length = 0;       // bytes of payload (or text) in the arena
    // where the bytes live (opaque to users; use PayloadLog::bytes())
    std::uint32_t chunk = 0;        // absolute chunk number
    std::uint32_t offset = 0;       // offset inside the chunk
    std::uint32_t peer = 0;         // index into the peer-string table (0 = none)
    LogKind kind = LogKind::Rx;
    LogLifecycle lifecycle;
    std::uint16_t local = 0;        // index into the wire-tag table (0 = none): PayloadLog::local()
    std::uint16_t stripped = 0;     // index into the wire-tag table (0 = none): PayloadLog::stripped()
};

/// What a data row's bytes alone do not say about the wire (from its DataEvent): the local
/// address a UDP datagram was sent to on a wildcard bind (DataEvent::local), and the delimiter
/// the framer stripped after each message (DataEvent::stripped). Both are interned in a small
/// table (a few distinct values: the host's addresses, the endpoints' delimiters), 2 bytes a row.
struct LogWireTags {
    std::string_view local;
    std::string_view stripped;
};

/// What eviction took from one endpoint.
struct EvictedCounts {
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
};

struct PayloadLogLimits {
    std::size_t max_bytes = 256u << 20;     // memory budget (arena + records + peers), default 256 MiB
    std::size_t max_records = 4'000'000;    // records kept
    std::size_t chunk_bytes = 1u << 20;     // arena chunk size; bigger messages get their own chunk
                                            // (clamped to max_bytes / 4; 0 = 1 MiB)
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
                             LogKind kind, std::string_view text, std::string_view peer = {},
                             LogLifecycle lifecycle = {});
    /// Appends one record per frame of `bytes` (frame i ends at frame_ends[i], back to back, as in
    /// DataEvent). When all of them fit without evicting, the bytes are copied once and the
    /// records written in a loop (framing makes many small records per read); otherwise each
    /// frame goes through append(). Returns the seq of the first.
    std::uint64_t appendFrames(TimestampUs time_us, EndpointId endpoint, ConnectionId connection, LogKind kind,
                               std::span<const std::uint8_t> bytes, std::span<const std::uint32_t> frame_ends,
                               std::string_view peer = {});
    /// One record per message of a shared slice (a DataEvent's payload and frames; no frames: one
    /// message): the records point into its block, which the log then holds, counting its whole
    /// capacity once. Blocks too large for the budget's chunks, or small blocks (a short send) are
    /// copied instead, as append(). Frames that are not ordered spans within `bytes`: one message.
    std::uint64_t appendShared(TimestampUs time_us, EndpointId endpoint, ConnectionId connection, LogKind kind,
                               const SharedBytes& bytes, std::span<const FrameSpan> frames = {},
                               std::string_view peer = {}, LogWireTags wire = {});

    std::size_t size() const;                   ///< records currently held
    bool empty() const { return size() == 0; }
    std::uint64_t firstSeq() const;             ///< seq of record(0); == nextSeq() when empty
    std::uint64_t nextSeq() const;              ///< seq the next append gets
    /// 0 = oldest held; built from its group (cheap: sequential access finds the group at once).
    LogRecord record(std::size_t index) const;
    /// Index of the record with this seq, or npos if evicted/not yet written.
    std::size_t indexOfSeq(std::uint64_t seq) const;
    /// Index of the first record whose seq is >= `seq` (size() when none).
    std::size_t lowerBound(std::uint64_t seq) const;
    std::span<const std::uint8_t> bytes(const LogRecord& record) const;
    std::string_view peer(const LogRecord& record) const;
    /// The wire tags of a row (LogWireTags): the UDP datagram's local address on a wildcard bind,
    /// the delimiter stripped after its message; empty when none (or the table was full, below).
    std::string_view local(const LogRecord& record) const;
    std::string_view stripped(const LogRecord& record) const;

    void clear();                               ///< drops everything, frees the memory; seq keeps counting

    std::uint64_t evictedRecords() const;       ///< total records evicted (not counting clear())
    std::uint64_t evictedBytes() const;
    std::size_t payloadBytes() const;           ///< bytes of payload held
    std::size_t memoryUsed() const;             ///< arena + records (with a view's index) + peers (<= max_bytes)
    std::size_t arenaBytes() const;             ///< capacity of the chunks held, own and shared (<= max_bytes)
    std::size_t sharedChunks() const;           ///< shared blocks held (appendShared without a copy)
    std::uint64_t droppedOversized() const;     ///< messages > max_bytes, dropped on arrival
    const PayloadLogLimits& limits() const;     ///< the limits in force (chunk_bytes clamped)
    /// What eviction (and oversized drops) took from one endpoint's history.
    EvictedCounts evictedFor(EndpointId endpoint) const;
    const std::unordered_map<EndpointId, EvictedCounts>& evictedByEndpoint() const;

    /// Memory one message costs in the budget: its entry and one entry of a view's filtered index
    /// (ui::LogIndex holds a seq per row); each append adds one group (kGroupBytes, with its share
    /// of the container). A lone record (one message appended) costs kRecordBytes.
    static constexpr std::size_t kIndexBytesPerRecord = sizeof(std::uint64_t);
    static constexpr std::size_t kEntryBytes = 2 * sizeof(std::uint32_t) + kIndexBytesPerRecord;
    static constexpr std::size_t kGroupBytes = 72;
    static constexpr std::size_t kRecordBytes = kGroupBytes + kEntryBytes;

    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    /// Peer table cap. When full, the table is rebuilt from the records still held; if they
    /// alone reference too many peers, new peers show as kManyPeers until a later rebuild.
    static constexpr std::size_t kMaxPeers = 65'536;
    static constexpr std::string_view kManyPeers = "(many peers)";
    /// Wire-tag table cap (indices are 16-bit). When full it is rebuilt from the records held; if
    /// they alone hold that many distinct tags, a new one is not kept (the row has none).
    static constexpr std::size_t kMaxWireTags = 65'536;

private:
    struct Chunk {                  // one block records point into: an own arena chunk or a shared one
        SharedBytes block;          // the whole block; empty once released
        std::uint8_t* write = nullptr;   // own chunks: the writable start (null: shared)
        std::size_t used = 0;       // own: the append cursor; shared: the highest end referenced
        std::uint32_t live = 0;     // records pointing into it
    };
    static constexpr std::uint32_t kNoChunk = 0xffffffffu;   // empty records point nowhere
    static constexpr std::size_t kSharedLookBack = 4;         // recent shared chunks a slice may join
    struct PeerHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    struct Group {                  // the messages of one append, with what they share
        std::uint64_t seq = 0;      // seq of its first message still held (the rest follow)
        std::uint64_t first = 0;    // absolute entry number of that message
        TimestampUs time_us = 0;
        ConnectionId connection = 0;
        EndpointId endpoint = 0;
        std::uint32_t count = 0;    // messages still held
        std::uint32_t bytes = 0;    // their payload bytes
        std::uint32_t chunk = 0;    // where all of them live (kNoChunk: no bytes)
        std::uint32_t peer = 0;
        std::uint32_t base = 0;     // offset in the chunk its entries' offsets start from
        LogKind kind = LogKind::Rx;
        LogLifecycle lifecycle;
        std::uint16_t local = 0;    // wire tags (LogWireTags), indices into m_tags
        std::uint16_t stripped = 0;
    };
    // One message: where its bytes are (from the group's base). The event's frames as they are:
    // a read's frames are appended with one bulk copy.
    using Entry = FrameSpan;
    static_assert(sizeof(Group) + 8 <= kGroupBytes && sizeof(Entry) + kIndexBytesPerRecord <= kEntryBytes);
    static constexpr std::size_t recordsCost(std::size_t count) { return kGroupBytes + count * kEntryBytes; }

    Chunk* chunkAt(std::uint32_t number);
    std::size_t groupOf(std::size_t index) const;   ///< m_groups index holding record `index`
    std::size_t groupOfSeq(std::uint64_t seq) const;   ///< last group whose seq <= `seq` (not empty)
    void evictFrontRecords(std::size_t count);   ///< exactly `count` records (or all)
    void evictFrontGroup();
    void evictAtLeast(std::size_t bytes);   ///< front records until `bytes` of records and chunks are freed
    void flushEvictedRun() const;
    void releaseChunk(Chunk& chunk);
    void popReleasedChunks();
    void dropOversized(EndpointId endpoint, std::size_t length);
    void countEvicted(EndpointId endpoint, std::uint64_t records, std::uint64_t bytes);
    /// Evicts until `count` more records from `peer` (and, with need_chunk, a new own chunk of
    /// `capacity`, which may be shrunk down to min_capacity on a small budget) fit. `extra`: more
    /// bytes the caller adds (a shared chunk). Returns false when it cannot make room.
    bool makeRoom(std::size_t count, std::string_view peer, LogWireTags wire, bool& need_chunk,
                  std::size_t min_capacity, std::size_t& capacity, std::size_t extra = 0);
    /// The own chunk appends go to, with room for `length` bytes (made by the caller's makeRoom).
    Chunk& ownTail(bool need_chunk, std::size_t capacity);
    /// Index of a recent shared chunk holding `bytes`' block, or npos.
    std::size_t recentShared(const SharedBytes& bytes) const;
    std::uint64_t appendCopy(TimestampUs time_us, EndpointId endpoint, ConnectionId connection, LogKind kind,
                             std::span<const std::uint8_t> bytes, std::span<const FrameSpan> frames,
                             std::string_view peer, LogWireTags wire = {});
    /// A group's shared fields (interns `peer` and the wire tags); writeGroup fills the rest.
    Group newGroup(TimestampUs time_us, EndpointId endpoint, ConnectionId connection, LogKind kind,
                   std::string_view peer, LogWireTags wire = {});
    void writeGroup(Group group, std::uint32_t chunk, std::size_t base, std::size_t total,
                    std::span<const FrameSpan> frames);
    std::size_t peerCost(std::string_view peer) const;   ///< what interning `peer` would add
    std::size_t tagCost(std::string_view tag) const;     ///< what interning a wire tag would add
    std::size_t stringsCost(std::string_view peer, LogWireTags wire) const;
    std::size_t tagTableBytes() const;
    std::uint16_t internTag(std::string_view tag);
    void compactTags();
    void resetTags();
    std::size_t fixedBytes() const;             ///< memoryUsed() without the arena
    std::size_t peerTableBytes() const;
    std::uint32_t internPeer(std::string_view peer);
    void compactPeers();
    void resetPeers();

    // implementation-defined members
    PayloadLogLimits m_limits;
    std::deque<Group> m_groups;
    SpanStore m_entries;                        // one per record, oldest first
    std::uint64_t m_firstEntry = 0;             // absolute entry number of m_entries.front()
    mutable std::size_t m_groupHint = 0;        // the group record() found last
    std::vector<FrameSpan> m_spans;             // appendFrames: its ends as spans
    std::deque<Chunk> m_chunks;
    std::uint32_t m_firstChunk = 0;             // absolute number of m_chunks.front()
    std::uint32_t m_ownTail = kNoChunk;         // absolute number of the own chunk appends go to
    SharedBytes m_spare;                        // a freed own chunk kept for the next (within one append only)
    std::size_t m_keepSpare = 0;                // while making room: the capacity worth keeping
    std::size_t m_sharedChunks = 0;
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
    std::vector<std::string> m_tags;            // interned wire tags; [0] = ""
    std::unordered_map<std::string, std::uint16_t, PeerHash, std::equal_to<>> m_tagIndex;
    std::size_t m_tagBytes = 0;                 // approximate heap used by the wire-tag table
    std::size_t m_newTagsSinceCompact = 0;
    mutable std::unordered_map<EndpointId, EvictedCounts> m_evictedBy;
    mutable EvictedCounts m_run;                // evicted from m_runEndpoint, not yet in m_evictedBy
    mutable EndpointId m_runEndpoint = 0;
};

}  // namespace sockscope
