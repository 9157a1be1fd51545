#include "core/model/payload_log.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace sockscope {

// One arena chunk. Bytes are appended at `used` and never move, so records index them by
// (chunk number, offset). Allocated uninitialised: memoryUsed() counts the full capacity anyway.
struct PayloadLog::Chunk {
    explicit Chunk(std::size_t cap) : data(new std::uint8_t[cap]), capacity(cap) {}
    std::unique_ptr<std::uint8_t[]> data;
    std::size_t capacity;
    std::size_t used = 0;
};

namespace {

constexpr std::size_t kDefaultChunkBytes = 1u << 20;
constexpr std::uint32_t kManyPeersIndex = 1;
// Rough heap cost of one interned peer beyond its vector slot: the map node (key string, value,
// link, cached hash) and the character data of both copies.
std::size_t peerEntryBytes(std::size_t length) {
    return sizeof(std::string) + 3 * sizeof(void*) + 2 * (length + 1);
}

PayloadLogLimits normalised(PayloadLogLimits limits) {
    if (limits.chunk_bytes == 0) limits.chunk_bytes = kDefaultChunkBytes;
    // Offsets and lengths are 32-bit; a chunk must also fit in the byte budget.
    limits.chunk_bytes = std::min<std::size_t>(limits.chunk_bytes, std::numeric_limits<std::uint32_t>::max());
    // Several chunks fit in the budget (eviction frees whole chunks, so one chunk would mean
    // evicting everything at once).
    limits.chunk_bytes = std::max<std::size_t>(1, std::min(limits.chunk_bytes, limits.max_bytes / 4));
    return limits;
}

}  // namespace

PayloadLog::PayloadLog(PayloadLogLimits limits) : m_limits(normalised(limits)) { resetPeers(); }
PayloadLog::~PayloadLog() = default;
PayloadLog::PayloadLog(PayloadLog&&) noexcept = default;
PayloadLog& PayloadLog::operator=(PayloadLog&&) noexcept = default;

std::uint64_t PayloadLog::append(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                                 LogKind kind, std::span<const std::uint8_t> bytes,
                                 std::string_view peer) {
    const std::size_t length = bytes.size();
    if (length > std::numeric_limits<std::uint32_t>::max() || m_limits.max_records == 0 ||
        length + kRecordBytes > m_limits.max_bytes) {
        dropOversized(endpoint, length);
        return m_nextSeq++;
    }

    // Record limit first: dropping old records may free whole chunks.
    if (m_records.size() >= m_limits.max_records) {
        while (m_records.size() >= m_limits.max_records) evictFrontRecord();
        releaseUnreferencedChunks();
    }

    Chunk* tail = m_chunks.empty() ? nullptr : m_chunks.back().get();
    bool need_chunk = length > 0 && (tail == nullptr || tail->capacity - tail->used < length);
    std::size_t capacity = need_chunk ? std::max(length, m_limits.chunk_bytes) : 0;
    std::unique_ptr<Chunk> recycled;
    if (!makeRoom(peer, need_chunk, length, capacity, &recycled)) {
        dropOversized(endpoint, length);
        return m_nextSeq++;
    }

    LogRecord rec;
    rec.seq = m_nextSeq;
    rec.time_us = time_us;
    rec.endpoint = endpoint;
    rec.connection = connection;
    rec.kind = kind;
    rec.length = static_cast<std::uint32_t>(length);

    if (length > 0) {
        if (need_chunk) {
            if (!recycled || recycled->capacity != capacity) recycled = std::make_unique<Chunk>(capacity);
            recycled->used = 0;
            m_chunks.push_back(std::move(recycled));
            m_arenaBytes += capacity;
        }
        tail = m_chunks.back().get();
        std::memcpy(tail->data.get() + tail->used, bytes.data(), length);
        rec.offset = static_cast<std::uint32_t>(tail->used);
        tail->used += length;
    }
    // Empty messages reference the tail chunk (or the number the next chunk will get), which
    // keeps chunk numbers non-decreasing along the records.
    rec.chunk = m_firstChunk + static_cast<std::uint32_t>(m_chunks.empty() ? 0 : m_chunks.size() - 1);

    rec.peer = internPeer(peer);
    m_records.push_back(rec);
    m_payloadBytes += length;
    return m_nextSeq++;
}

std::uint64_t PayloadLog::appendFrames(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                                       LogKind kind, std::span<const std::uint8_t> bytes,
                                       std::span<const std::uint32_t> frame_ends, std::string_view peer) {
    const std::uint64_t first = m_nextSeq;
    const std::size_t total = bytes.size();
    bool need_chunk = false;
    std::size_t capacity = 0;
    std::unique_ptr<Chunk> recycled;
    if (frame_ends.empty() || frame_ends.back() != total ||
        !makeRoomForBatch(frame_ends.size(), total, peer, need_chunk, capacity, recycled)) {
        // An oversized batch, or one that needs append()'s finer eviction: one frame at a time.
        std::size_t begin = 0;
        for (const std::uint32_t end : frame_ends) {
            append(time_us, endpoint, connection, kind, bytes.subspan(begin, end - begin), peer);
            begin = end;
        }
        return first;
    }
    std::size_t base = 0;
    if (total > 0) {
        if (need_chunk) {
            if (!recycled || recycled->capacity != capacity) recycled = std::make_unique<Chunk>(capacity);
            recycled->used = 0;
            m_chunks.push_back(std::move(recycled));
            m_arenaBytes += capacity;
        }
        Chunk* tail = m_chunks.back().get();
        base = tail->used;
        std::memcpy(tail->data.get() + base, bytes.data(), total);
        tail->used += total;
    }
    LogRecord rec;
    rec.time_us = time_us;
    rec.endpoint = endpoint;
    rec.connection = connection;
    rec.kind = kind;
    rec.chunk = m_firstChunk + static_cast<std::uint32_t>(m_chunks.empty() ? 0 : m_chunks.size() - 1);
    rec.peer = internPeer(peer);
    std::size_t begin = 0;
    for (const std::uint32_t end : frame_ends) {
        rec.seq = m_nextSeq++;
        rec.offset = static_cast<std::uint32_t>(base + begin);
        rec.length = end - static_cast<std::uint32_t>(begin);
        m_records.push_back(rec);
        begin = end;
    }
    m_payloadBytes += total;
    return first;
}

bool PayloadLog::makeRoomForBatch(std::size_t count, std::size_t total, std::string_view peer, bool& need_chunk,
                                  std::size_t& capacity, std::unique_ptr<Chunk>& recycled) {
    if (count > m_limits.max_records || total > std::numeric_limits<std::uint32_t>::max() ||
        std::max(total, m_limits.chunk_bytes) > m_limits.max_bytes / 2)
        return false;
    if (m_records.size() + count > m_limits.max_records) {
        while (m_records.size() + count > m_limits.max_records) evictFrontRecord();
        releaseUnreferencedChunks();
    }
    for (;;) {   // each turn frees a chunk or returns
        const Chunk* tail = m_chunks.empty() ? nullptr : m_chunks.back().get();
        need_chunk = total > 0 && (tail == nullptr || tail->capacity - tail->used < total);
        capacity = need_chunk ? std::max(total, m_limits.chunk_bytes) : 0;
        const std::size_t needed = fixedBytes() + m_arenaBytes + count * kRecordBytes + peerCost(peer) +
                                   (need_chunk ? capacity + sizeof(Chunk) + sizeof(void*) : 0);
        if (needed <= m_limits.max_bytes) return true;
        if (m_chunks.size() <= (need_chunk ? 0u : 1u)) return false;   // the rest is append()'s finer work
        std::unique_ptr<Chunk> freed = evictFrontChunk();
        if (!recycled && freed->capacity == std::max(total, m_limits.chunk_bytes)) recycled = std::move(freed);
    }
}

bool PayloadLog::makeRoom(std::string_view peer, bool& need_chunk, std::size_t min_capacity, std::size_t& capacity,
                          std::unique_ptr<Chunk>* recycled) {
    const std::size_t budget = m_limits.max_bytes;
    for (;;) {
        const std::size_t chunk_overhead = need_chunk ? sizeof(Chunk) + sizeof(void*) : 0;
        const std::size_t others = fixedBytes() + m_arenaBytes + kRecordBytes + peerCost(peer) + chunk_overhead;
        if (others + (need_chunk ? capacity : 0) <= budget) return true;
        if (peerTableBytes() > budget / 4 && m_newPeersSinceCompact > std::max<std::size_t>(64, m_records.size() / 4)) {
            // Peers of evicted records still take room: rebuild the table from the records held
            // (amortised: only after as many new peers as a quarter of the records).
            compactPeers();
        } else if (m_chunks.size() > (need_chunk ? 0u : 1u)) {
            // Keep a freed chunk of the right size instead of free + malloc of the same size.
            std::unique_ptr<Chunk> freed = evictFrontChunk();
            if (!*recycled && freed->capacity == capacity) *recycled = std::move(freed);
        } else if (!m_records.empty()) {
            evictFrontRecord();   // records in the tail chunk: their cost goes, their bytes stay
        } else if (!need_chunk && !m_chunks.empty()) {
            // Only an unreferenced tail chunk is left: drop it; the message gets a chunk of its own.
            m_arenaBytes -= m_chunks.front()->capacity;
            m_chunks.pop_front();
            ++m_firstChunk;
            if (min_capacity > 0) {
                need_chunk = true;
                capacity = std::max(min_capacity, m_limits.chunk_bytes);
            }
        } else if (m_peers.size() > 2 || m_peerIndex.bucket_count() > 1) {
            resetPeers();   // no records left: no peer is referenced
            m_peers.shrink_to_fit();
        } else if (need_chunk && others < budget && budget - others >= min_capacity) {
            // A small budget: a smaller chunk still holds the message (and leaves room for more).
            capacity = min_capacity + (budget - others - min_capacity) / 2;
            return true;
        } else {
            return false;
        }
    }
}

std::size_t PayloadLog::peerCost(std::string_view peer) const {
    if (peer.empty() || (m_lastPeer != 0 && m_peers[m_lastPeer] == peer) || m_peerIndex.count(peer) != 0) return 0;
    // What peerTableBytes() grows by: the entry, the vector's growth, the map's rehash (generous).
    std::size_t cost = peerEntryBytes(peer.size());
    if (m_peers.size() == m_peers.capacity()) cost += 2 * m_peers.capacity() * sizeof(std::string);
    if (m_peerIndex.bucket_count() <= 1 ||   // the first insert allocates the bucket array
        m_peerIndex.size() + 1 > m_peerIndex.bucket_count() * m_peerIndex.max_load_factor())
        cost += std::max<std::size_t>(16, 2 * m_peerIndex.bucket_count() + 1) * sizeof(void*);
    return cost;
}

std::size_t PayloadLog::peerTableBytes() const {
    // The two built-in entries and the map's single inline bucket are part of the object itself.
    const std::size_t slots = m_peers.capacity() > 2 ? m_peers.capacity() * sizeof(std::string) : 0;
    const std::size_t buckets = m_peerIndex.bucket_count() > 1 ? m_peerIndex.bucket_count() * sizeof(void*) : 0;
    return slots + m_peerBytes + buckets;
}

std::size_t PayloadLog::fixedBytes() const {
    return m_chunks.size() * (sizeof(Chunk) + sizeof(void*)) + m_records.size() * kRecordBytes + peerTableBytes();
}

std::uint64_t PayloadLog::appendText(TimestampUs time_us, EndpointId endpoint,
                                     ConnectionId connection, LogKind kind, std::string_view text,
                                     std::string_view peer, LogLifecycle lifecycle) {
    const std::uint64_t seq = append(time_us, endpoint, connection, kind,
                                     std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                                                   text.size()),
                                     peer);
    if (!m_records.empty() && m_records.back().seq == seq) m_records.back().lifecycle = lifecycle;
    return seq;
}

void PayloadLog::dropOversized(EndpointId endpoint, std::size_t length) {
    ++m_droppedOversized;
    countEvicted(endpoint, length);
}

void PayloadLog::countEvicted(EndpointId endpoint, std::size_t length) {
    ++m_evictedRecords;
    m_evictedBytes += length;
    EvictedCounts& counts = m_evictedBy[endpoint];
    ++counts.records;
    counts.bytes += length;
}

void PayloadLog::evictFrontRecord() {
    const LogRecord& front = m_records.front();
    countEvicted(front.endpoint, front.length);
    m_payloadBytes -= front.length;
    m_records.pop_front();
}

std::unique_ptr<PayloadLog::Chunk> PayloadLog::evictFrontChunk() {
    // Chunk numbers are non-decreasing along the records, so the records in this chunk are
    // exactly those at the front with its number (== rather than <= survives 32-bit wrap).
    // Counted per run of one endpoint's records, not per record (a chunk holds thousands of frames).
    EvictedCounts run;
    EndpointId run_endpoint = 0;
    auto count_run = [&] {
        if (run.records == 0) return;
        m_evictedRecords += run.records;
        m_evictedBytes += run.bytes;
        EvictedCounts& counts = m_evictedBy[run_endpoint];
        counts.records += run.records;
        counts.bytes += run.bytes;
        run = {};
    };
    while (!m_records.empty() && m_records.front().chunk == m_firstChunk) {
        const LogRecord& front = m_records.front();
        if (front.endpoint != run_endpoint) count_run();
        run_endpoint = front.endpoint;
        ++run.records;
        run.bytes += front.length;
        m_payloadBytes -= front.length;
        m_records.pop_front();
    }
    count_run();
    std::unique_ptr<Chunk> freed = std::move(m_chunks.front());
    m_arenaBytes -= freed->capacity;
    m_chunks.pop_front();
    ++m_firstChunk;
    return freed;
}

void PayloadLog::releaseUnreferencedChunks() {
    // The tail chunk stays: it still has room for the next messages.
    while (m_chunks.size() > 1 && (m_records.empty() || m_records.front().chunk != m_firstChunk)) {
        m_arenaBytes -= m_chunks.front()->capacity;
        m_chunks.pop_front();
        ++m_firstChunk;
    }
}

std::uint32_t PayloadLog::internPeer(std::string_view peer) {
    if (peer.empty()) return 0;
    if (m_lastPeer != 0 && m_peers[m_lastPeer] == peer) return m_lastPeer;
    if (auto it = m_peerIndex.find(peer); it != m_peerIndex.end()) {
        m_lastPeer = it->second;
        return m_lastPeer;
    }
    if (m_peers.size() >= kMaxPeers) {
        // Rebuilding costs a pass over the records, so it runs at most once per kMaxPeers/2 new
        // peers; in between, new peers share the kManyPeers entry.
        if (m_newPeersSinceCompact < kMaxPeers / 2) {
            ++m_newPeersSinceCompact;
            return kManyPeersIndex;
        }
        compactPeers();
        if (m_peers.size() >= kMaxPeers) return kManyPeersIndex;
    }
    ++m_newPeersSinceCompact;
    const auto index = static_cast<std::uint32_t>(m_peers.size());
    m_peers.emplace_back(peer);
    m_peerIndex.emplace(std::string(peer), index);
    m_peerBytes += peerEntryBytes(peer.size());
    m_lastPeer = index;
    return index;
}

void PayloadLog::compactPeers() {
    std::vector<std::uint32_t> remap(m_peers.size(), 0);
    std::vector<std::string> kept;
    kept.emplace_back();
    kept.emplace_back(kManyPeers);
    remap[kManyPeersIndex] = kManyPeersIndex;
    for (LogRecord& rec : m_records) {
        if (rec.peer == 0 || rec.peer >= remap.size()) continue;
        std::uint32_t& to = remap[rec.peer];
        if (to == 0) {
            to = static_cast<std::uint32_t>(kept.size());
            kept.push_back(std::move(m_peers[rec.peer]));
        }
        rec.peer = to;
    }
    m_peers = std::move(kept);
    m_peers.shrink_to_fit();
    m_peerIndex = decltype(m_peerIndex){};
    m_peerBytes = 0;
    for (std::uint32_t i = 2; i < m_peers.size(); ++i) {
        m_peerIndex.emplace(m_peers[i], i);
        m_peerBytes += peerEntryBytes(m_peers[i].size());
    }
    m_lastPeer = 0;
    m_newPeersSinceCompact = 0;
}

void PayloadLog::resetPeers() {
    m_peers.clear();
    m_peers.emplace_back();
    m_peers.emplace_back(kManyPeers);
    m_peerIndex = decltype(m_peerIndex){};
    m_peerBytes = 0;
    m_lastPeer = 0;
    m_newPeersSinceCompact = 0;
}

std::size_t PayloadLog::size() const { return m_records.size(); }

std::uint64_t PayloadLog::firstSeq() const {
    return m_records.empty() ? m_nextSeq : m_records.front().seq;
}

std::uint64_t PayloadLog::nextSeq() const { return m_nextSeq; }

const LogRecord& PayloadLog::record(std::size_t index) const { return m_records[index]; }

std::size_t PayloadLog::indexOfSeq(std::uint64_t seq) const {
    if (m_records.empty() || seq < m_records.front().seq || seq > m_records.back().seq) return npos;
    // Sequence numbers are contiguous unless an oversized message was dropped in between.
    const std::uint64_t guess = seq - m_records.front().seq;
    if (guess < m_records.size() && m_records[guess].seq == seq) return static_cast<std::size_t>(guess);
    auto it = std::lower_bound(m_records.begin(), m_records.end(), seq,
                               [](const LogRecord& r, std::uint64_t s) { return r.seq < s; });
    if (it == m_records.end() || it->seq != seq) return npos;
    return static_cast<std::size_t>(it - m_records.begin());
}

std::span<const std::uint8_t> PayloadLog::bytes(const LogRecord& record) const {
    if (record.length == 0) return {};
    const std::uint32_t index = record.chunk - m_firstChunk;
    if (index >= m_chunks.size()) return {};   // a stale copy of an evicted record
    const Chunk& chunk = *m_chunks[index];
    if (std::size_t(record.offset) + record.length > chunk.used) return {};
    return {chunk.data.get() + record.offset, record.length};
}

std::string_view PayloadLog::peer(const LogRecord& record) const {
    if (record.peer >= m_peers.size()) return {};
    return m_peers[record.peer];
}

void PayloadLog::clear() {
    m_firstChunk += static_cast<std::uint32_t>(m_chunks.size());
    std::deque<LogRecord>().swap(m_records);            // frees the deque's blocks and map too
    std::deque<std::unique_ptr<Chunk>>().swap(m_chunks);
    m_payloadBytes = 0;
    m_arenaBytes = 0;
    resetPeers();
    m_peers.shrink_to_fit();
#ifdef __GLIBC__
    // Chunks below the mmap threshold and the record blocks come from the heap; give the freed
    // pages back so the process's memory follows Clear.
    malloc_trim(0);
#endif
}

std::size_t PayloadLog::lowerBound(std::uint64_t seq) const {
    if (m_records.empty() || seq <= m_records.front().seq) return 0;
    if (seq > m_records.back().seq) return m_records.size();
    const std::uint64_t guess = seq - m_records.front().seq;   // exact unless a message was dropped
    if (guess < m_records.size() && m_records[guess].seq == seq) return static_cast<std::size_t>(guess);
    return static_cast<std::size_t>(
        std::lower_bound(m_records.begin(), m_records.end(), seq,
                         [](const LogRecord& r, std::uint64_t s) { return r.seq < s; }) -
        m_records.begin());
}

EvictedCounts PayloadLog::evictedFor(EndpointId endpoint) const {
    auto it = m_evictedBy.find(endpoint);
    return it == m_evictedBy.end() ? EvictedCounts{} : it->second;
}

std::uint64_t PayloadLog::evictedRecords() const { return m_evictedRecords; }
std::uint64_t PayloadLog::evictedBytes() const { return m_evictedBytes; }
std::size_t PayloadLog::payloadBytes() const { return m_payloadBytes; }
std::size_t PayloadLog::arenaBytes() const { return m_arenaBytes; }
std::uint64_t PayloadLog::droppedOversized() const { return m_droppedOversized; }
const PayloadLogLimits& PayloadLog::limits() const { return m_limits; }

std::size_t PayloadLog::memoryUsed() const { return m_arenaBytes + fixedBytes(); }

}  // namespace sockscope
