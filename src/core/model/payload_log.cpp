#include "core/model/payload_log.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace sockscope {

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

// What holding a chunk costs besides its bytes: its entry here and the block's header.
constexpr std::size_t kChunkOverhead = 96;

PayloadLog::PayloadLog(PayloadLogLimits limits) : m_limits(normalised(limits)) {
    resetPeers();
    resetTags();
}
PayloadLog::~PayloadLog() = default;
PayloadLog::PayloadLog(PayloadLog&&) noexcept = default;
PayloadLog& PayloadLog::operator=(PayloadLog&&) noexcept = default;

PayloadLog::Chunk* PayloadLog::chunkAt(std::uint32_t number) {
    const std::uint32_t index = number - m_firstChunk;
    return index < m_chunks.size() ? &m_chunks[index] : nullptr;
}

std::uint64_t PayloadLog::append(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                                 LogKind kind, std::span<const std::uint8_t> bytes,
                                 std::string_view peer) {
    return appendCopy(time_us, endpoint, connection, kind, bytes, {}, peer);
}

std::uint64_t PayloadLog::appendFrames(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                                       LogKind kind, std::span<const std::uint8_t> bytes,
                                       std::span<const std::uint32_t> frame_ends, std::string_view peer) {
    m_spans.clear();
    std::uint32_t begin = 0;
    for (const std::uint32_t end : frame_ends) {
        if (end < begin) return appendCopy(time_us, endpoint, connection, kind, bytes, {}, peer);   // malformed
        m_spans.push_back({begin, end - begin});
        begin = end;
    }
    if (!frame_ends.empty() && frame_ends.back() != bytes.size()) m_spans.clear();   // malformed: one message
    std::vector<FrameSpan> spans = std::move(m_spans);
    const std::uint64_t first = appendCopy(time_us, endpoint, connection, kind, bytes, spans, peer);
    m_spans = std::move(spans);
    return first;
}

namespace {

/// The bytes of the messages when frames are ordered spans within `size` bytes (one pass: a
/// framed read brings hundreds); else 0 and `valid` false (the bytes are then one message).
std::size_t framesBytes(std::span<const FrameSpan> frames, std::size_t size, bool& valid) {
    valid = true;
    if (frames.empty()) return size;
    // Branch-free, two frames a step: each starts at or after the end of the one before (only
    // the sums carry from step to step).
    std::uint64_t total = 0, bad = 0;
    std::uint64_t end = 0;   // of the frame before
    std::size_t i = 0;
    for (; i + 2 <= frames.size(); i += 2) {
        const FrameSpan a = frames[i], b = frames[i + 1];
        const std::uint64_t a_end = std::uint64_t{a.offset} + a.length;
        bad |= static_cast<std::uint64_t>(a.offset < end) | static_cast<std::uint64_t>(b.offset < a_end);
        total += std::uint64_t{a.length} + b.length;
        end = std::uint64_t{b.offset} + b.length;
    }
    if (i < frames.size()) {
        bad |= static_cast<std::uint64_t>(frames[i].offset < end);
        total += frames[i].length;
        end = std::uint64_t{frames[i].offset} + frames[i].length;
    }
    valid = bad == 0 && end <= size;
    return valid ? static_cast<std::size_t>(total) : 0;
}

/// The messages' bytes; frames that are not ordered spans within `size` become one message.
std::size_t checkedFrames(std::span<const FrameSpan>& frames, std::size_t size) {
    bool valid = true;
    const std::size_t total = framesBytes(frames, size, valid);
    if (valid) return total;
    frames = {};
    return size;
}

}  // namespace

void PayloadLog::writeGroup(Group group, std::uint32_t chunk, std::size_t base, std::size_t total,
                            std::span<const FrameSpan> frames) {
    group.seq = m_nextSeq;
    group.first = m_firstEntry + m_entries.size();
    group.base = static_cast<std::uint32_t>(base);
    if (frames.empty()) {
        m_entries.push_back({0, static_cast<std::uint32_t>(total)});
        group.count = 1;
    } else {
        m_entries.append(frames);
        group.count = static_cast<std::uint32_t>(frames.size());
    }
    m_nextSeq += group.count;
    group.bytes = static_cast<std::uint32_t>(total);
    group.chunk = total > 0 ? chunk : kNoChunk;
    if (group.chunk != kNoChunk) ++chunkAt(chunk)->live;
    m_groups.push_back(group);
    m_payloadBytes += total;
}

std::uint64_t PayloadLog::appendCopy(TimestampUs time_us, EndpointId endpoint, ConnectionId connection, LogKind kind,
                                     std::span<const std::uint8_t> bytes, std::span<const FrameSpan> frames,
                                     std::string_view peer, LogWireTags wire) {
    const std::uint64_t first = m_nextSeq;
    const std::size_t total = checkedFrames(frames, bytes.size());   // malformed: one message
    // What is copied: the messages and what lies between them (a stripped delimiter).
    const std::size_t copied = frames.empty() ? bytes.size() : std::size_t(frames.back().offset) + frames.back().length;
    const std::size_t count = frames.empty() ? 1 : frames.size();
    const auto oneByOne = [&] {
        for (const FrameSpan& frame : frames)
            appendCopy(time_us, endpoint, connection, kind, bytes.subspan(frame.offset, frame.length), {}, peer, wire);
        return first;
    };
    if (count > 1) {
        // A batch that cannot fit as one (it would need most of the budget): one frame at a time,
        // each dropped or kept on its own as append() does.
        if (count > m_limits.max_records || copied > std::numeric_limits<std::uint32_t>::max() ||
            std::max(copied, m_limits.chunk_bytes) > m_limits.max_bytes / 2)
            return oneByOne();
    } else if (total > std::numeric_limits<std::uint32_t>::max() || m_limits.max_records == 0 ||
               total + kRecordBytes > m_limits.max_bytes) {
        dropOversized(endpoint, total);
        return m_nextSeq++;
    }

    // Record limit first: dropping old records may free whole chunks.
    if (size() + count > m_limits.max_records) evictFrontRecords(size() + count - m_limits.max_records);
    popReleasedChunks();

    const Chunk* tail = m_ownTail == kNoChunk ? nullptr : chunkAt(m_ownTail);
    bool need_chunk = total > 0 && (tail == nullptr || tail->block.size() - tail->used < copied);
    std::size_t capacity = need_chunk ? std::max(copied, m_limits.chunk_bytes) : 0;
    m_keepSpare = capacity;   // a chunk freed now is reused rather than freed and allocated again
    const bool room = makeRoom(count, peer, wire, need_chunk, total > 0 ? copied : 0, capacity);
    m_keepSpare = 0;
    if (!room) {
        m_spare = {};
        if (count > 1) return oneByOne();   // what append()'s finer eviction can still keep
        dropOversized(endpoint, total);
        return m_nextSeq++;
    }

    const Group group = newGroup(time_us, endpoint, connection, kind, peer, wire);
    std::uint32_t number = kNoChunk;
    std::size_t base = 0;
    if (total > 0) {
        Chunk& chunk = ownTail(need_chunk, capacity);
        number = m_ownTail;
        base = chunk.used;
        std::memcpy(chunk.write + base, bytes.data(), copied);
        chunk.used += copied;
    }
    m_spare = {};   // not needed after all: it is not held past this append
    writeGroup(group, number, base, total, frames);
    return first;
}

PayloadLog::Group PayloadLog::newGroup(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                                       LogKind kind, std::string_view peer, LogWireTags wire) {
    Group group;
    group.time_us = time_us;
    group.endpoint = endpoint;
    group.connection = connection;
    group.kind = kind;
    group.peer = internPeer(peer);
    // Rebuilt before, not between, the two: a rebuild renumbers the tags.
    if ((!wire.local.empty() || !wire.stripped.empty()) && m_tags.size() + 2 > kMaxWireTags) compactTags();
    group.local = internTag(wire.local);
    group.stripped = internTag(wire.stripped);
    return group;
}

PayloadLog::Chunk& PayloadLog::ownTail(bool need_chunk, std::size_t capacity) {
    if (need_chunk) {
        if (Chunk* old = m_ownTail == kNoChunk ? nullptr : chunkAt(m_ownTail)) {
            m_ownTail = kNoChunk;
            if (old->live == 0) releaseChunk(*old);
        }
        ByteBlockWriter writer;
        if (m_spare.blockCapacity() == capacity && m_spare.useCount() == 1) {
            Chunk chunk;
            chunk.block = std::move(m_spare);
            chunk.write = const_cast<std::uint8_t*>(chunk.block.data());   // ours alone (useCount 1)
            m_chunks.push_back(std::move(chunk));
        } else {
            writer = ByteBlockWriter(capacity);
            Chunk chunk;
            chunk.block = writer.whole();
            chunk.write = writer.tail();
            m_chunks.push_back(std::move(chunk));
        }
        m_spare = {};
        m_arenaBytes += capacity;
        m_ownTail = m_firstChunk + static_cast<std::uint32_t>(m_chunks.size() - 1);
    }
    return *chunkAt(m_ownTail);
}

std::size_t PayloadLog::recentShared(const SharedBytes& bytes) const {
    const std::size_t look = std::min(m_chunks.size(), kSharedLookBack);
    for (std::size_t i = m_chunks.size() - look; i < m_chunks.size(); ++i) {
        const Chunk& chunk = m_chunks[i];
        if (chunk.write == nullptr && chunk.block.blockId() == bytes.blockId()) return i;
    }
    return npos;
}

std::uint64_t PayloadLog::appendShared(TimestampUs time_us, EndpointId endpoint, ConnectionId connection,
                                       LogKind kind, const SharedBytes& bytes, std::span<const FrameSpan> frames,
                                       std::string_view peer, LogWireTags wire) {
    const std::size_t total = checkedFrames(frames, bytes.size());   // malformed: one message
    const std::size_t count = frames.empty() ? 1 : frames.size();
    const std::size_t capacity = bytes.blockCapacity();
    // A block shared with the engine costs its whole capacity: only blocks of about a chunk's
    // size (the engine's read blocks, a framed read) or one already held are worth keeping.
    std::size_t held = recentShared(bytes);
    const bool share = total > 0 && bytes.size() <= std::numeric_limits<std::uint32_t>::max() &&
                       count <= m_limits.max_records && capacity <= m_limits.chunk_bytes &&
                       (capacity >= m_limits.chunk_bytes / 4 || held != npos);
    if (!share) return appendCopy(time_us, endpoint, connection, kind, bytes.view(), frames, peer, wire);

    const std::uint64_t first = m_nextSeq;
    if (size() + count > m_limits.max_records) {
        evictFrontRecords(size() + count - m_limits.max_records);
        popReleasedChunks();
        held = recentShared(bytes);
    }
    for (;;) {   // each turn evicts what is missing; a chunk goes with its last group
        const std::size_t needed = fixedBytes() + m_arenaBytes + recordsCost(count) + stringsCost(peer, wire) +
                                   (held != npos ? 0 : capacity + kChunkOverhead);
        if (needed <= m_limits.max_bytes) break;
        if (m_groups.empty()) return appendCopy(time_us, endpoint, connection, kind, bytes.view(), frames, peer, wire);
        evictAtLeast(needed - m_limits.max_bytes);
        held = recentShared(bytes);
    }
    if (held == npos) {
        Chunk fresh;
        fresh.block = bytes.wholeBlock();
        m_chunks.push_back(std::move(fresh));
        m_arenaBytes += capacity;
        ++m_sharedChunks;
        held = m_chunks.size() - 1;
    }
    Chunk& chunk = m_chunks[held];
    const std::size_t base = static_cast<std::size_t>(bytes.data() - chunk.block.data());
    chunk.used = std::max(chunk.used, base + bytes.size());
    const Group group = newGroup(time_us, endpoint, connection, kind, peer, wire);
    writeGroup(group, m_firstChunk + static_cast<std::uint32_t>(held), base, total, frames);
    return first;
}

bool PayloadLog::makeRoom(std::size_t count, std::string_view peer, LogWireTags wire, bool& need_chunk,
                          std::size_t min_capacity, std::size_t& capacity, std::size_t extra) {
    const std::size_t budget = m_limits.max_bytes;
    for (;;) {
        const std::size_t chunk_overhead = need_chunk ? kChunkOverhead : 0;
        const std::size_t others = fixedBytes() + m_arenaBytes + recordsCost(count) + stringsCost(peer, wire) +
                                   chunk_overhead + extra;
        if (others + (need_chunk ? capacity : 0) <= budget) return true;
        if (peerTableBytes() > budget / 4 && m_newPeersSinceCompact > std::max<std::size_t>(64, m_groups.size() / 4)) {
            // Peers of evicted records still take room: rebuild the table from the records held
            // (amortised: only after as many new peers as a quarter of the records).
            compactPeers();
        } else if (tagTableBytes() > budget / 4 && m_newTagsSinceCompact > 0) {
            compactTags();   // the same for wire tags (few: only after a new one)
        } else if (!m_groups.empty()) {
            evictAtLeast(others + (need_chunk ? capacity : 0) - budget);   // chunks go with their last record
        } else if (m_ownTail != kNoChunk) {
            // Only the (unreferenced) own tail chunk is left: drop it; the message gets a chunk of its own.
            releaseChunk(*chunkAt(m_ownTail));
            m_ownTail = kNoChunk;
            popReleasedChunks();
            if (min_capacity > 0 && !need_chunk) {
                need_chunk = true;
                capacity = std::max(min_capacity, m_limits.chunk_bytes);
            }
        } else if (m_peers.size() > 2 || m_peerIndex.bucket_count() > 1 || m_tags.size() > 1 ||
                   m_tagIndex.bucket_count() > 1) {
            resetPeers();   // no records left: no peer (nor wire tag) is referenced
            m_peers.shrink_to_fit();
            resetTags();
            m_tags.shrink_to_fit();
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

std::size_t PayloadLog::tagCost(std::string_view tag) const {
    if (tag.empty() || m_tagIndex.count(tag) != 0) return 0;
    std::size_t cost = peerEntryBytes(tag.size());   // the same shape as a peer's entry
    if (m_tags.size() == m_tags.capacity()) cost += 2 * m_tags.capacity() * sizeof(std::string);
    if (m_tagIndex.bucket_count() <= 1 || m_tagIndex.size() + 1 > m_tagIndex.bucket_count() * m_tagIndex.max_load_factor())
        cost += std::max<std::size_t>(16, 2 * m_tagIndex.bucket_count() + 1) * sizeof(void*);
    return cost;
}

std::size_t PayloadLog::stringsCost(std::string_view peer, LogWireTags wire) const {
    return peerCost(peer) + tagCost(wire.local) + tagCost(wire.stripped);
}

std::size_t PayloadLog::tagTableBytes() const {
    // The built-in entry and the map's single inline bucket are part of the object itself.
    const std::size_t slots = m_tags.capacity() > 1 ? m_tags.capacity() * sizeof(std::string) : 0;
    const std::size_t buckets = m_tagIndex.bucket_count() > 1 ? m_tagIndex.bucket_count() * sizeof(void*) : 0;
    return slots + m_tagBytes + buckets;
}

std::size_t PayloadLog::peerTableBytes() const {
    // The two built-in entries and the map's single inline bucket are part of the object itself.
    const std::size_t slots = m_peers.capacity() > 2 ? m_peers.capacity() * sizeof(std::string) : 0;
    const std::size_t buckets = m_peerIndex.bucket_count() > 1 ? m_peerIndex.bucket_count() * sizeof(void*) : 0;
    return slots + m_peerBytes + buckets;
}

std::size_t PayloadLog::fixedBytes() const {
    return m_chunks.size() * kChunkOverhead + m_groups.size() * kGroupBytes + m_entries.size() * kEntryBytes +
           peerTableBytes() + tagTableBytes();
}

std::uint64_t PayloadLog::appendText(TimestampUs time_us, EndpointId endpoint,
                                     ConnectionId connection, LogKind kind, std::string_view text,
                                     std::string_view peer, LogLifecycle lifecycle) {
    const std::uint64_t seq = append(time_us, endpoint, connection, kind,
                                     std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                                                   text.size()),
                                     peer);
    if (!m_groups.empty() && m_groups.back().seq == seq) m_groups.back().lifecycle = lifecycle;
    return seq;
}

void PayloadLog::dropOversized(EndpointId endpoint, std::size_t length) {
    ++m_droppedOversized;
    countEvicted(endpoint, 1, length);
}

void PayloadLog::countEvicted(EndpointId endpoint, std::uint64_t records, std::uint64_t bytes) {
    m_evictedRecords += records;
    m_evictedBytes += bytes;
    if (endpoint != m_runEndpoint) flushEvictedRun();   // a run of one endpoint: one map update
    m_runEndpoint = endpoint;
    m_run.records += records;
    m_run.bytes += bytes;
}

void PayloadLog::flushEvictedRun() const {
    if (m_run.records == 0 && m_run.bytes == 0) return;
    EvictedCounts& counts = m_evictedBy[m_runEndpoint];
    counts.records += m_run.records;
    counts.bytes += m_run.bytes;
    m_run = {};
}

void PayloadLog::evictAtLeast(std::size_t bytes) {
    const auto held = [this] { return m_arenaBytes + m_groups.size() * kGroupBytes + m_entries.size() * kEntryBytes; };
    const std::size_t before = held();
    do evictFrontGroup();
    while (!m_groups.empty() && before - held() < bytes);
    popReleasedChunks();
}

void PayloadLog::evictFrontGroup() {
    const Group& front = m_groups.front();
    countEvicted(front.endpoint, front.count, front.bytes);
    m_payloadBytes -= front.bytes;
    m_entries.eraseFront(front.count);
    m_firstEntry += front.count;
    if (front.chunk != kNoChunk)
        if (Chunk* chunk = chunkAt(front.chunk); chunk && --chunk->live == 0 && front.chunk != m_ownTail)
            releaseChunk(*chunk);
    m_groups.pop_front();
    if (m_groupHint > 0) --m_groupHint;
}

void PayloadLog::evictFrontRecords(std::size_t count) {
    while (count > 0 && !m_groups.empty()) {
        Group& front = m_groups.front();
        if (front.count <= count) {
            count -= front.count;
            evictFrontGroup();
            continue;
        }
        // Part of the front group: its first `count` messages.
        const std::size_t bytes = m_entries.frontBytes(count);
        countEvicted(front.endpoint, count, bytes);
        m_payloadBytes -= bytes;
        front.bytes -= static_cast<std::uint32_t>(bytes);
        front.seq += count;
        front.first += count;
        front.count -= static_cast<std::uint32_t>(count);
        m_entries.eraseFront(count);
        m_firstEntry += count;
        count = 0;
    }
}

void PayloadLog::releaseChunk(Chunk& chunk) {
    if (chunk.block.blockId() == nullptr) return;
    m_arenaBytes -= chunk.block.size();
    if (chunk.write == nullptr) --m_sharedChunks;
    else if (m_keepSpare != 0 && chunk.block.size() == m_keepSpare && chunk.block.useCount() == 1) m_spare = std::move(chunk.block);
    chunk.block = {};
    chunk.write = nullptr;
}

void PayloadLog::popReleasedChunks() {
    while (!m_chunks.empty() && m_chunks.front().block.blockId() == nullptr) {
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
    for (Group& rec : m_groups) {
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

std::uint16_t PayloadLog::internTag(std::string_view tag) {
    static_assert(kMaxWireTags - 1 <= std::numeric_limits<std::uint16_t>::max());
    if (tag.empty()) return 0;
    if (auto it = m_tagIndex.find(tag); it != m_tagIndex.end()) return it->second;
    if (m_tags.size() >= kMaxWireTags) return 0;   // that many distinct tags held even after a rebuild (newGroup)
    const auto index = static_cast<std::uint16_t>(m_tags.size());
    ++m_newTagsSinceCompact;
    m_tags.emplace_back(tag);
    m_tagIndex.emplace(std::string(tag), index);
    m_tagBytes += peerEntryBytes(tag.size());
    return index;
}

void PayloadLog::compactTags() {
    std::vector<std::uint16_t> remap(m_tags.size(), 0);
    std::vector<std::string> kept;
    kept.emplace_back();
    const auto keep = [&](std::uint16_t& tag) {
        if (tag == 0 || tag >= remap.size()) return;
        std::uint16_t& to = remap[tag];
        if (to == 0) {
            to = static_cast<std::uint16_t>(kept.size());
            kept.push_back(std::move(m_tags[tag]));
        }
        tag = to;
    };
    for (Group& group : m_groups) {
        keep(group.local);
        keep(group.stripped);
    }
    m_tags = std::move(kept);
    m_tags.shrink_to_fit();
    m_tagIndex = decltype(m_tagIndex){};
    m_tagBytes = 0;
    m_newTagsSinceCompact = 0;
    for (std::size_t i = 1; i < m_tags.size(); ++i) {
        m_tagIndex.emplace(m_tags[i], static_cast<std::uint16_t>(i));
        m_tagBytes += peerEntryBytes(m_tags[i].size());
    }
}

void PayloadLog::resetTags() {
    m_tags.clear();
    m_tags.emplace_back();
    m_tagIndex = decltype(m_tagIndex){};
    m_tagBytes = 0;
    m_newTagsSinceCompact = 0;
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

std::size_t PayloadLog::size() const { return m_entries.size(); }

std::uint64_t PayloadLog::firstSeq() const {
    return m_groups.empty() ? m_nextSeq : m_groups.front().seq;
}

std::uint64_t PayloadLog::nextSeq() const { return m_nextSeq; }

std::size_t PayloadLog::groupOf(std::size_t index) const {
    const std::uint64_t entry = m_firstEntry + index;
    const auto holds = [&](std::size_t g) {
        return g < m_groups.size() && entry >= m_groups[g].first && entry < m_groups[g].first + m_groups[g].count;
    };
    if (holds(m_groupHint)) return m_groupHint;
    if (holds(m_groupHint + 1)) return ++m_groupHint;
    const auto it = std::upper_bound(m_groups.begin(), m_groups.end(), entry,
                                     [](std::uint64_t e, const Group& g) { return e < g.first; });
    m_groupHint = static_cast<std::size_t>(it - m_groups.begin()) - 1;
    return m_groupHint;
}

LogRecord PayloadLog::record(std::size_t index) const {
    const Group& group = m_groups[groupOf(index)];
    const Entry& entry = m_entries[index];
    LogRecord rec;
    rec.seq = group.seq + (m_firstEntry + index - group.first);
    rec.time_us = group.time_us;
    rec.connection = group.connection;
    rec.endpoint = group.endpoint;
    rec.length = entry.length;
    rec.chunk = entry.length > 0 ? group.chunk : kNoChunk;
    rec.offset = group.base + entry.offset;
    rec.peer = group.peer;
    rec.kind = group.kind;
    rec.lifecycle = group.lifecycle;
    rec.local = group.local;
    rec.stripped = group.stripped;
    return rec;
}

std::size_t PayloadLog::groupOfSeq(std::uint64_t seq) const {
    const auto it = std::upper_bound(m_groups.begin(), m_groups.end(), seq,
                                     [](std::uint64_t s, const Group& g) { return s < g.seq; });
    return static_cast<std::size_t>(it - m_groups.begin()) - 1;
}

std::size_t PayloadLog::indexOfSeq(std::uint64_t seq) const {
    if (m_groups.empty() || seq < m_groups.front().seq || seq >= m_nextSeq) return npos;
    const Group& group = m_groups[groupOfSeq(seq)];
    if (seq >= group.seq + group.count) return npos;   // dropped on arrival
    return static_cast<std::size_t>(group.first + (seq - group.seq) - m_firstEntry);
}

std::span<const std::uint8_t> PayloadLog::bytes(const LogRecord& record) const {
    if (record.length == 0) return {};
    const std::uint32_t index = record.chunk - m_firstChunk;
    if (index >= m_chunks.size()) return {};   // a stale copy of an evicted record
    const Chunk& chunk = m_chunks[index];
    if (chunk.block.blockId() == nullptr || std::size_t(record.offset) + record.length > chunk.used) return {};
    return {chunk.block.data() + record.offset, record.length};
}

std::string_view PayloadLog::peer(const LogRecord& record) const {
    if (record.peer >= m_peers.size()) return {};
    return m_peers[record.peer];
}

std::string_view PayloadLog::local(const LogRecord& record) const {
    return record.local < m_tags.size() ? std::string_view(m_tags[record.local]) : std::string_view();
}

std::string_view PayloadLog::stripped(const LogRecord& record) const {
    return record.stripped < m_tags.size() ? std::string_view(m_tags[record.stripped]) : std::string_view();
}

void PayloadLog::clear() {
    m_firstChunk += static_cast<std::uint32_t>(m_chunks.size());
    m_firstEntry += m_entries.size();
    std::deque<Group>().swap(m_groups);                 // frees the deques' blocks and maps too
    m_entries.clear();
    m_groupHint = 0;
    std::deque<Chunk>().swap(m_chunks);
    m_ownTail = kNoChunk;
    m_spare = {};
    m_sharedChunks = 0;
    m_payloadBytes = 0;
    m_arenaBytes = 0;
    resetPeers();
    m_peers.shrink_to_fit();
    resetTags();
    m_tags.shrink_to_fit();
#ifdef __GLIBC__
    // Chunks below the mmap threshold and the record blocks come from the heap; give the freed
    // pages back so the process's memory follows Clear.
    malloc_trim(0);
#endif
}

std::size_t PayloadLog::lowerBound(std::uint64_t seq) const {
    if (m_groups.empty() || seq <= m_groups.front().seq) return 0;
    if (seq >= m_nextSeq) return size();
    const std::size_t g = groupOfSeq(seq);
    const Group& group = m_groups[g];
    if (seq < group.seq + group.count) return static_cast<std::size_t>(group.first + (seq - group.seq) - m_firstEntry);
    return g + 1 < m_groups.size() ? static_cast<std::size_t>(m_groups[g + 1].first - m_firstEntry) : size();
}

const std::unordered_map<EndpointId, EvictedCounts>& PayloadLog::evictedByEndpoint() const {
    flushEvictedRun();
    return m_evictedBy;
}

EvictedCounts PayloadLog::evictedFor(EndpointId endpoint) const {
    flushEvictedRun();
    auto it = m_evictedBy.find(endpoint);
    return it == m_evictedBy.end() ? EvictedCounts{} : it->second;
}

std::uint64_t PayloadLog::evictedRecords() const { return m_evictedRecords; }
std::uint64_t PayloadLog::evictedBytes() const { return m_evictedBytes; }
std::size_t PayloadLog::payloadBytes() const { return m_payloadBytes; }
std::size_t PayloadLog::arenaBytes() const { return m_arenaBytes; }
std::size_t PayloadLog::sharedChunks() const { return m_sharedChunks; }
std::uint64_t PayloadLog::droppedOversized() const { return m_droppedOversized; }
const PayloadLogLimits& PayloadLog::limits() const { return m_limits; }

std::size_t PayloadLog::memoryUsed() const { return m_arenaBytes + fixedBytes(); }

}  // namespace sockscope
