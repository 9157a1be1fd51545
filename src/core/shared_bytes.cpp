#include "core/shared_bytes.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <new>
#include <utility>

namespace sockscope {
namespace detail {

// A block is either raw storage allocated right after this header, or an adopted vector.
struct SharedBlock {
    std::atomic<std::uint32_t> refs{1};
    std::size_t capacity = 0;
    std::uint8_t* data = nullptr;
    Bytes adopted;   // empty unless the block adopted a vector

    static SharedBlock* allocate(std::size_t capacity);
    static SharedBlock* allocateFresh(std::size_t capacity) {
        void* memory = ::operator new(sizeof(SharedBlock) + capacity);
        auto* block = new (memory) SharedBlock;
        block->capacity = capacity;
        block->data = reinterpret_cast<std::uint8_t*>(block + 1);
        return block;
    }
    static SharedBlock* adopt(Bytes bytes) {
        auto* block = new (::operator new(sizeof(SharedBlock))) SharedBlock;
        block->adopted = std::move(bytes);
        block->capacity = block->adopted.capacity();
        block->data = block->adopted.data();
        return block;
    }
    void acquire() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept;
    void destroy() noexcept {
        this->~SharedBlock();
        ::operator delete(this);
    }
};

namespace {

/// Released 1 MiB blocks kept for the next allocation of one (a bounded stack): a block the log
/// evicted on the front end's thread becomes the I/O thread's next read block without going
/// back to the allocator, whose fresh pages the kernel must fault in and clear.
class BlockPool {
public:
    SharedBlock* take() {
        std::lock_guard lock(m_mutex);
        if (m_count == 0) return nullptr;
        ++m_reused;
        return m_free[--m_count];
    }
    bool give(SharedBlock* block) {
        std::lock_guard lock(m_mutex);
        if (m_count == m_free.size()) return false;
        m_free[m_count++] = block;
        return true;
    }
    BlockPoolStats stats() {
        std::lock_guard lock(m_mutex);
        return {m_count, m_reused};
    }

private:
    std::mutex m_mutex;
    std::array<SharedBlock*, kMaxPooledBlocks> m_free{};
    std::size_t m_count = 0;
    std::uint64_t m_reused = 0;
};

BlockPool& pool() {
    static auto* instance = new BlockPool;   // never destroyed: blocks may be released during exit
    return *instance;
}

}  // namespace

SharedBlock* SharedBlock::allocate(std::size_t capacity) {
    if (capacity == kPooledBlockBytes)
        if (SharedBlock* block = pool().take()) {
            block->refs.store(1, std::memory_order_relaxed);
            return block;
        }
    return allocateFresh(capacity);
}

void SharedBlock::release() noexcept {
    // acq_rel: every holder's reads of the bytes happen before the block is freed or reused.
    if (refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    if (capacity == kPooledBlockBytes && adopted.empty() && pool().give(this)) return;
    destroy();
}

}  // namespace detail

BlockPoolStats blockPoolStats() { return detail::pool().stats(); }

SharedBytes::SharedBytes(Bytes bytes) {
    if (bytes.empty()) return;   // an empty payload needs no block
    m_size = bytes.size();
    m_block = detail::SharedBlock::adopt(std::move(bytes));
    m_data = m_block->data;
}

SharedBytes SharedBytes::copyOf(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return {};
    ByteBlockWriter writer(bytes.size());
    return writer.append(bytes);
}

SharedBytes SharedBytes::copyOf(std::string_view text) {
    return copyOf(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

SharedBytes::SharedBytes(const SharedBytes& other) noexcept
    : m_block(other.m_block), m_data(other.m_data), m_size(other.m_size) {
    if (m_block) m_block->acquire();
}

SharedBytes::SharedBytes(SharedBytes&& other) noexcept
    : m_block(std::exchange(other.m_block, nullptr)), m_data(std::exchange(other.m_data, nullptr)),
      m_size(std::exchange(other.m_size, 0)) {}

SharedBytes& SharedBytes::operator=(const SharedBytes& other) noexcept {
    if (this != &other) {
        if (other.m_block) other.m_block->acquire();
        if (m_block) m_block->release();
        m_block = other.m_block;
        m_data = other.m_data;
        m_size = other.m_size;
    }
    return *this;
}

SharedBytes& SharedBytes::operator=(SharedBytes&& other) noexcept {
    if (this != &other) {
        if (m_block) m_block->release();
        m_block = std::exchange(other.m_block, nullptr);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SharedBytes::~SharedBytes() {
    if (m_block) m_block->release();
}

SharedBytes SharedBytes::slice(std::size_t offset, std::size_t length) const {
    offset = std::min(offset, m_size);
    length = std::min(length, m_size - offset);
    if (m_block) m_block->acquire();
    return SharedBytes(m_block, m_data + offset, length);
}

SharedBytes SharedBytes::wholeBlock() const {
    if (!m_block) return {};
    m_block->acquire();
    return SharedBytes(m_block, m_block->data, m_block->capacity);
}

std::size_t SharedBytes::blockCapacity() const noexcept { return m_block ? m_block->capacity : 0; }

std::uint32_t SharedBytes::useCount() const noexcept {
    return m_block ? m_block->refs.load(std::memory_order_acquire) : 0;
}

bool SharedBytes::equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

ByteBlockWriter::ByteBlockWriter(std::size_t capacity) {
    auto* block = detail::SharedBlock::allocate(capacity);
    m_base = block->data;   // read before the assignment below: g++ 12 cannot tell the moved-from temporary holds nothing
    m_capacity = capacity;
    m_block = SharedBytes(block, m_base, capacity);
}

SharedBytes ByteBlockWriter::commit(std::size_t n) {
    n = std::min(n, room());
    SharedBytes out = m_block.slice(m_used, n);
    m_used += n;
    return out;
}

SharedBytes ByteBlockWriter::append(std::span<const std::uint8_t> bytes) {
    const std::size_t n = std::min(bytes.size(), room());
    if (n > 0) std::memcpy(tail(), bytes.data(), n);
    return commit(n);
}

ReadArena::ReadArena(std::size_t block_bytes, std::size_t max_read)
    : m_blockBytes(std::max<std::size_t>(block_bytes, 1)), m_maxRead(std::clamp<std::size_t>(max_read, 1, m_blockBytes)) {}

std::span<std::uint8_t> ReadArena::room(std::size_t want) {
    const std::size_t need = std::min(want == 0 ? m_maxRead : want, m_maxRead);
    if (!m_block.valid() || m_block.room() < need) {
        if (m_block.valid() && m_block.whole().useCount() == 1) m_block.rewind();   // nobody holds a slice: reuse
        else m_block = ByteBlockWriter(m_blockBytes);
    }
    return {m_block.tail(), std::min(m_block.room(), m_maxRead)};
}

}  // namespace sockscope
