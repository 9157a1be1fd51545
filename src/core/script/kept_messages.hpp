#pragma once
// Received messages held for a script run until an expect takes them, bounded: the oldest go
// first and are counted, so that a failed expect can say how many were not kept.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace sockscope {

/// At most this many messages and bytes are kept; a send drops them (an expect after a send
/// takes only messages that arrived after it).
inline constexpr std::size_t kScriptPendingMessages = 256;
inline constexpr std::size_t kScriptPendingBytes = 1u << 20;

/// `Message` has a `bytes` member (a byte container).
template <class Message>
class KeptMessages {
public:
    void push(Message message) {
        m_bytes += message.bytes.size();
        m_messages.push_back(std::move(message));
        while (m_messages.size() > kScriptPendingMessages || m_bytes > kScriptPendingBytes) {
            popFront();
            ++m_dropped;
        }
    }
    bool empty() const { return m_messages.empty(); }
    /// The oldest; the queue must not be empty.
    Message popFront() {
        Message oldest = std::move(m_messages.front());
        m_messages.pop_front();
        m_bytes -= oldest.bytes.size();
        return oldest;
    }
    /// Every message, oldest first, and the queue empty (its dropped count stays).
    std::vector<Message> takeAll() {
        std::vector<Message> all(std::make_move_iterator(m_messages.begin()), std::make_move_iterator(m_messages.end()));
        m_messages.clear();
        m_bytes = 0;
        return all;
    }
    void addDropped(std::uint64_t count) { m_dropped += count; }
    /// How many were pushed out since the last call.
    std::uint64_t takeDropped() { return std::exchange(m_dropped, 0); }
    /// Forgets the messages and the count.
    void clear() {
        m_messages.clear();
        m_bytes = 0;
        m_dropped = 0;
    }

private:
    std::deque<Message> m_messages;
    std::size_t m_bytes = 0;
    std::uint64_t m_dropped = 0;
};

}  // namespace sockscope
