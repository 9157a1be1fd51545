#pragma once
// The frames one read (or one datagram) completed, gathered into one DataEvent: one queue push
// and two allocations per read however many frames it held (a 64 KiB read of 100-byte lines is
// ~650 frames). Used by the TCP connection and the UDP endpoint between Framer and the queue.
#include "core/events.hpp"
#include "core/framing/framer.hpp"

namespace sockscope {

class FrameBatch {
public:
    void add(ByteView frame) {
        m_payload.insert(m_payload.end(), frame.begin(), frame.end());
        m_ends.push_back(static_cast<std::uint32_t>(m_payload.size()));
    }
    [[nodiscard]] bool empty() const { return m_ends.empty(); }
    /// Room for a read of `bytes`: most frames of a read fit in it.
    void reserve(std::size_t bytes) { m_payload.reserve(bytes); }
    /// Moves the frames into `event` and starts a new batch.
    void moveInto(DataEvent& event) {
        if (m_ends.size() > 1) event.frame_ends = std::move(m_ends);
        // A reservation far above what came out would count against the queue's byte budget.
        if (m_payload.capacity() > 2 * m_payload.size() + 4096) m_payload.shrink_to_fit();
        event.payload = std::move(m_payload);
        m_ends = {};
        m_payload = {};
    }

private:
    Bytes m_payload;
    std::vector<std::uint32_t> m_ends;
};

}  // namespace sockscope
