#pragma once
// The payload log's per-message entries: a queue of FrameSpan in blocks of 1,024 (8 KiB), filled
// at the back a batch at a time (one memcpy per block touched: a framed read brings hundreds)
// and emptied from the front. A std::deque did the same an element at a time in 512-byte nodes
// (a malloc and a free per 64 messages): a third of the log's cost per framed message.
// One emptied block is kept for the next (a log that is full evicts as much as it appends).
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "core/events.hpp"   // FrameSpan

namespace sockscope {

class SpanStore {
public:
    static constexpr std::size_t kBlockShift = 10;
    static constexpr std::size_t kBlock = std::size_t{1} << kBlockShift;   // entries per block

    [[nodiscard]] std::size_t size() const { return m_size; }
    [[nodiscard]] bool empty() const { return m_size == 0; }
    [[nodiscard]] const FrameSpan& operator[](std::size_t i) const {
        const std::size_t at = m_head + i;
        return m_blocks[at >> kBlockShift][at & (kBlock - 1)];
    }

    void push_back(FrameSpan span) { append(std::span<const FrameSpan>(&span, 1)); }
    void append(std::span<const FrameSpan> spans) {
        while (!spans.empty()) {
            const std::size_t end = m_head + m_size;
            if ((end >> kBlockShift) == m_blocks.size()) m_blocks.push_back(newBlock());
            const std::size_t offset = end & (kBlock - 1);
            const std::size_t n = std::min(spans.size(), kBlock - offset);
            std::memcpy(m_blocks[end >> kBlockShift].get() + offset, spans.data(), n * sizeof(FrameSpan));
            m_size += n;
            spans = spans.subspan(n);
        }
    }
    /// Removes the first `n` entries (n <= size()).
    void eraseFront(std::size_t n) {
        m_head += n;
        m_size -= n;
        const std::size_t done = m_size == 0 ? m_blocks.size() : m_head >> kBlockShift;
        if (done == 0) return;
        if (!m_spare) m_spare = std::move(m_blocks.front());
        for (std::size_t i = 0; i < done; ++i) m_blocks.pop_front();
        m_head = m_size == 0 ? 0 : m_head - (done << kBlockShift);
    }
    /// The sum of the lengths of the first `n` entries.
    [[nodiscard]] std::size_t frontBytes(std::size_t n) const {
        std::size_t total = 0;
        for (std::size_t at = m_head, end = m_head + n; at < end;) {
            const FrameSpan* block = m_blocks[at >> kBlockShift].get();
            const std::size_t stop = std::min(end, ((at >> kBlockShift) + 1) << kBlockShift);
            for (std::size_t i = at & (kBlock - 1), last = i + (stop - at); i < last; ++i) total += block[i].length;
            at = stop;
        }
        return total;
    }
    /// Empties it and returns all its memory.
    void clear() {
        std::deque<std::unique_ptr<FrameSpan[]>>().swap(m_blocks);
        m_spare.reset();
        m_head = m_size = 0;
    }

private:
    std::unique_ptr<FrameSpan[]> newBlock() {
        if (m_spare) return std::move(m_spare);
        return std::make_unique_for_overwrite<FrameSpan[]>(kBlock);
    }

    std::deque<std::unique_ptr<FrameSpan[]>> m_blocks;
    std::unique_ptr<FrameSpan[]> m_spare;   // an emptied block, reused by the next append
    std::size_t m_head = 0;                 // index of the first entry in m_blocks.front()
    std::size_t m_size = 0;
};

}  // namespace sockscope
