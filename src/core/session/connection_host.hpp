#pragma once
// What a session (session/stream_session.hpp, session/datagram_session.hpp) tells the endpoint
// that owns it: counts for its statistics, errors to rate-limit, write progress, its end.
#include <cstddef>

#include "core/commands.hpp"
#include "core/events.hpp"

namespace sockscope {

/// What a connection tells the endpoint that owns it.
class ConnectionHost {
public:
    virtual ~ConnectionHost() = default;
    /// `for_bad_frames`: we closed it because the peer's bytes broke the framing (on_error
    /// "close"): the peer's doing, as a FIN is, though the close is ours.
    virtual void onConnectionClosed(ConnectionId connection, CloseReason reason, bool for_bad_frames) = 0;
    virtual void onTraffic(Direction direction, std::size_t bytes) = 0;
    /// An error that may repeat (e.g. echo refused after our FIN): rate-limited by the host.
    virtual void onRepeatableError(ConnectionId connection, ErrorContext context, ErrorInfo error) = 0;
    /// The connection is about to say it closed: the counts of its repeated errors go first.
    virtual void beforeClosedEvent(ConnectionId /*connection*/) {}
    /// Replies (echo, rules) that could not be sent (counted in the endpoint's statistics).
    virtual void onEchoDropped(std::size_t messages) = 0;
    /// A write completed: the write queue has more room (file sends wait for it).
    virtual void onWriteDone() {}
    /// Received messages the front end's queue refused (UDP cannot slow a sender): counted.
    virtual void onReceiveDropped(std::size_t /*messages*/) {}
};

}  // namespace sockscope
