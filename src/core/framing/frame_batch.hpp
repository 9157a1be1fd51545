#pragma once
// The frames one read (or one datagram) completed, gathered into one DataEvent without copying
// them: each frame is a span of the read's SharedBytes slice (the event's payload is the part of
// the slice from the first frame to the last; stripped delimiters stay in it, between frames).
// A frame that does not lie in the read (its start came with an earlier read and was kept by the
// framer) is the caller's to copy. One queue push and one small allocation per read however many
// frames it held (a 64 KiB read of 100-byte lines is ~650 frames).
#include <vector>

#include "core/events.hpp"
#include "core/framing/framer.hpp"

namespace sockscope {

class FrameBatch {
public:
    /// Frames from now on are spans of `source` (held by the caller until moveInto()).
    void begin(const SharedBytes* source) { m_source = source; }
    /// Adds `frame` as a span of the source; false when it does not lie in it (nothing added).
    [[nodiscard]] bool add(ByteView frame) {
        if (m_source == nullptr) return false;
        const std::uint8_t* base = m_source->data();
        if (frame.data() < base || frame.data() + frame.size() > base + m_source->size()) return false;
        m_spans.push_back({static_cast<std::uint32_t>(frame.data() - base), static_cast<std::uint32_t>(frame.size())});
        return true;
    }
    [[nodiscard]] bool empty() const { return m_spans.empty(); }
    /// Moves the frames into `event` (payload: the slice from the first to the last frame).
    void moveInto(DataEvent& event) {
        if (m_spans.empty()) return;
        const std::uint32_t first = m_spans.front().offset;
        const std::uint32_t last = m_spans.back().offset + m_spans.back().length;
        event.payload = m_source->slice(first, last - first);
        if (m_spans.size() > 1) {
            event.frames.reserve(m_spans.size());   // exactly sized: the queue's budget counts it
            for (const FrameSpan& span : m_spans) event.frames.push_back({span.offset - first, span.length});
        }
        m_spans.clear();   // keeps its capacity for the next read
    }

private:
    const SharedBytes* m_source = nullptr;
    std::vector<FrameSpan> m_spans;
};

}  // namespace sockscope
