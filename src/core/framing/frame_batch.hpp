#pragma once
// The frames one read (or one datagram) completed, gathered into one DataEvent without copying
// them: each frame is a span of the read's SharedBytes slice (the event's payload is that slice;
// stripped delimiters and a partial frame at its end are in it, outside the frames).
// A frame that does not lie in the read (its start came with an earlier read and was kept by the
// framer) is the caller's to copy. One queue push and one small allocation per read however many
// frames it held (a 64 KiB read of 100-byte lines is ~650 frames).
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

#include "core/events.hpp"
#include "core/framing/framer.hpp"

namespace sockscope {

class FrameBatch {
public:
    /// Frames from now on are spans of `source` (held by the caller until moveInto()).
    void begin(const SharedBytes* source) {
        m_source = source;
        // The next read probably holds about as many frames as the last: one allocation, no
        // growth (the vector leaves with the event, so each read needs a new one).
        if (source != nullptr && m_spans.capacity() == 0 && m_expect > 1) m_spans.reserve(m_expect + m_expect / 8 + 8);
    }
    /// Adds `frame` as a span of the source; false when it does not lie in it (nothing added).
    [[nodiscard]] bool add(ByteView frame) {
        if (m_source == nullptr) return false;
        const std::uint8_t* base = m_source->data();
        if (frame.data() < base || frame.data() + frame.size() > base + m_source->size()) return false;
        m_spans.push_back({static_cast<std::uint32_t>(frame.data() - base), static_cast<std::uint32_t>(frame.size())});
        return true;
    }
    /// Adds frames that are spans of `base`, in order; false when they do not all lie in the
    /// source (nothing added).
    [[nodiscard]] bool add(const std::uint8_t* base, std::span<const FrameCut> frames) {
        if (frames.empty()) return true;
        if (m_source == nullptr) return false;
        const std::uint8_t* begin = m_source->data();
        const std::uint8_t* last = base + frames.back().offset + frames.back().length;   // in order: the end of all
        if (base < begin || last > begin + m_source->size()) return false;
        const auto shift = static_cast<std::uint32_t>(base - begin);
        // One growth at most (doubling: a datagram at a time adds one frame), then a plain loop;
        // not resize(), which zeroes every new span before the loop writes it.
        const std::size_t needed = m_spans.size() + frames.size();
        if (needed > m_spans.capacity()) m_spans.reserve(std::max(needed, 2 * m_spans.capacity()));
        for (const FrameCut& cut : frames) m_spans.push_back(FrameSpan{cut.offset + shift, cut.length});
        return true;
    }
    [[nodiscard]] bool empty() const { return m_spans.empty(); }
    /// Moves the frames into `event` (payload: the source slice; one frame: just that frame).
    void moveInto(DataEvent& event) {
        if (m_spans.empty()) return;
        m_expect = m_spans.size();
        if (m_spans.size() == 1) {
            event.payload = m_source->slice(m_spans[0].offset, m_spans[0].length);
            m_spans.clear();
        } else {
            event.payload = *m_source;
            event.frames = std::move(m_spans);   // not copied; the queue's budget counts its capacity
            m_spans = {};
        }
    }

private:
    const SharedBytes* m_source = nullptr;
    std::vector<FrameSpan> m_spans;
    std::size_t m_expect = 0;   // frames in the last event
};

}  // namespace sockscope
