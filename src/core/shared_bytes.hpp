#pragma once
// Received bytes travel by reference: the I/O thread reads into a reference-counted block
// (ReadArena) and publishes each read as a SharedBytes slice of it; the event queue, the payload
// log and the recorders hold slices, not copies (one copy from the socket, docs/architecture.md).
// A slice is immutable and safe to hold and release on any thread (the count is atomic); the
// bytes of a block are written only by its one writer, and only where no slice was published.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/types.hpp"

namespace sockscope {

namespace detail {
struct SharedBlock;
}

/// Blocks of this size (the engine's read blocks, a file send's blocks, the log's chunks) are
/// recycled when released: up to kMaxPooledBlocks of them wait for the next allocation of one.
constexpr std::size_t kPooledBlockBytes = 1u << 20;
constexpr std::size_t kMaxPooledBlocks = 8;
struct BlockPoolStats {
    std::size_t pooled = 0;     ///< blocks waiting in the pool now (<= kMaxPooledBlocks)
    std::uint64_t reused = 0;   ///< allocations served from the pool since the start
};
[[nodiscard]] BlockPoolStats blockPoolStats();

class SharedBytes {
public:
    using value_type = std::uint8_t;
    using const_iterator = const std::uint8_t*;
    using iterator = const_iterator;
    using size_type = std::size_t;

    SharedBytes() noexcept = default;
    /// Adopts the vector's storage (no byte is copied): events built from Bytes keep compiling.
    SharedBytes(Bytes bytes);   // NOLINT(google-explicit-constructor): DataEvent{..., Bytes{...}}
    /// A new block holding a copy of `bytes`.
    [[nodiscard]] static SharedBytes copyOf(std::span<const std::uint8_t> bytes);
    [[nodiscard]] static SharedBytes copyOf(std::string_view text);

    SharedBytes(const SharedBytes& other) noexcept;
    SharedBytes(SharedBytes&& other) noexcept;
    SharedBytes& operator=(const SharedBytes& other) noexcept;
    SharedBytes& operator=(SharedBytes&& other) noexcept;
    ~SharedBytes();

    [[nodiscard]] const std::uint8_t* data() const noexcept { return m_data; }
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }
    [[nodiscard]] bool empty() const noexcept { return m_size == 0; }
    [[nodiscard]] const std::uint8_t* begin() const noexcept { return m_data; }
    [[nodiscard]] const std::uint8_t* end() const noexcept { return m_data + m_size; }
    [[nodiscard]] std::uint8_t operator[](std::size_t i) const noexcept { return m_data[i]; }
    [[nodiscard]] std::span<const std::uint8_t> view() const noexcept { return {m_data, m_size}; }
    operator std::span<const std::uint8_t>() const noexcept { return view(); }   // NOLINT: a ByteView
    [[nodiscard]] Bytes toBytes() const { return Bytes(begin(), end()); }

    /// Bytes [offset, offset + length) of this slice, sharing its block.
    [[nodiscard]] SharedBytes slice(std::size_t offset, std::size_t length) const;
    /// The whole block this slice lies in (what holding the slice keeps in memory).
    [[nodiscard]] SharedBytes wholeBlock() const;
    /// Identity of the block (nullptr when empty and blockless): slices of one block share it.
    [[nodiscard]] const void* blockId() const noexcept { return m_block; }
    /// Bytes the block holds in memory (its capacity; 0 without a block).
    [[nodiscard]] std::size_t blockCapacity() const noexcept;
    /// The count of references to the block (1: this is the only one). For tests and recycling.
    [[nodiscard]] std::uint32_t useCount() const noexcept;

    friend bool operator==(const SharedBytes& a, const SharedBytes& b) noexcept { return equal(a.view(), b.view()); }
    friend bool operator==(const SharedBytes& a, const Bytes& b) noexcept { return equal(a.view(), b); }

private:
    friend class ByteBlockWriter;
    SharedBytes(detail::SharedBlock* block, const std::uint8_t* data, std::size_t size) noexcept
        : m_block(block), m_data(data), m_size(size) {}
    static bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

    detail::SharedBlock* m_block = nullptr;
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

/// One block being filled by its single writer: bytes are written past `used()` and published
/// as slices; what was published is never written again.
class ByteBlockWriter {
public:
    ByteBlockWriter() = default;
    explicit ByteBlockWriter(std::size_t capacity);   ///< allocated uninitialised

    [[nodiscard]] bool valid() const noexcept { return m_block.blockId() != nullptr; }
    [[nodiscard]] std::size_t capacity() const noexcept { return m_capacity; }
    [[nodiscard]] std::size_t used() const noexcept { return m_used; }
    [[nodiscard]] std::size_t room() const noexcept { return m_capacity - m_used; }
    /// Where the next bytes go (room() of them).
    [[nodiscard]] std::uint8_t* tail() noexcept { return m_base + m_used; }
    /// Publishes the next `n` bytes (written at tail()) as a slice.
    SharedBytes commit(std::size_t n);
    /// Copies `bytes` to tail() and commits them (bytes.size() <= room()).
    SharedBytes append(std::span<const std::uint8_t> bytes);
    /// The whole block, as holding a slice keeps it.
    [[nodiscard]] const SharedBytes& whole() const noexcept { return m_block; }
    /// Starts over at offset 0: only when no slice of the block is held elsewhere (useCount 1).
    void rewind() noexcept { m_used = 0; }

private:
    SharedBytes m_block;
    std::uint8_t* m_base = nullptr;
    std::size_t m_capacity = 0;
    std::size_t m_used = 0;
};

/// The I/O thread's read buffer: reads land in the free tail of the current block and leave as
/// slices of it; a block whose tail is too small for the next read is left to its slices (freed
/// with the last) and a new one begun, or a block nobody holds any more is reused.
class ReadArena {
public:
    /// `block_bytes`: each block's size; `max_read`: the most one read asks for (<= block_bytes).
    ReadArena(std::size_t block_bytes, std::size_t max_read);
    /// Room for the next read: at least min(`want`, max_read) bytes unless `want` is 0.
    [[nodiscard]] std::span<std::uint8_t> room(std::size_t want);
    /// Publishes the first `n` bytes of the last room() as a slice.
    [[nodiscard]] SharedBytes commit(std::size_t n) { return m_block.commit(n); }
    [[nodiscard]] std::size_t maxRead() const noexcept { return m_maxRead; }

private:
    std::size_t m_blockBytes;
    std::size_t m_maxRead;
    ByteBlockWriter m_block;
};

}  // namespace sockscope
