#pragma once
// The frames one read (or one datagram) completed, gathered into one DataEvent without copying
// them: each frame is a span of the read's SharedBytes slice (the event's payload is that slice;
// stripped delimiters and a partial frame at its end are in it, outside the frames).
// A frame that does not lie in the read (its start came with an earlier read and was kept by the
// framer) is the caller's to copy. One queue push and one small allocation per read however many
// frames it held (a 64 KiB read of 100-byte lines is ~650 frames).
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
        // One insert (one growth at most, a plain loop) rather than a push_back per frame.
        m_spans.insert(m_spans.end(), Shifted{frames.data(), shift}, Shifted{frames.data() + frames.size(), shift});
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
    /// Reads cuts as spans of the source (offsets moved by `shift`).
    struct Shifted {
        using iterator_category = std::random_access_iterator_tag;
        using value_type = FrameSpan;
        using difference_type = std::ptrdiff_t;
        using pointer = const FrameSpan*;
        using reference = FrameSpan;
        const FrameCut* at;
        std::uint32_t shift;
        FrameSpan operator*() const { return {at->offset + shift, at->length}; }
        FrameSpan operator[](difference_type i) const { return {at[i].offset + shift, at[i].length}; }
        Shifted& operator++() { ++at; return *this; }
        Shifted operator++(int) { Shifted was = *this; ++at; return was; }
        Shifted& operator--() { --at; return *this; }
        Shifted& operator+=(difference_type n) { at += n; return *this; }
        Shifted operator+(difference_type n) const { return {at + n, shift}; }
        difference_type operator-(const Shifted& other) const { return at - other.at; }
        bool operator==(const Shifted& other) const { return at == other.at; }
        bool operator!=(const Shifted& other) const { return at != other.at; }
        bool operator<(const Shifted& other) const { return at < other.at; }
    };

    const SharedBytes* m_source = nullptr;
    std::vector<FrameSpan> m_spans;
    std::size_t m_expect = 0;   // frames in the last event
};

}  // namespace sockscope
