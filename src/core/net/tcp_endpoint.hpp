#pragma once
// What tcp-server and tcp-client share: the table of live connections, sends to one or all,
// closes, and the periodic refresh (traffic, kernel TCP state, the port's socket table).
#include <map>

#include "core/net/endpoint.hpp"
#include "core/session/stream_session.hpp"

namespace sockscope {

class TcpEndpoint : public Endpoint, public ConnectionHost {
public:
    using Endpoint::Endpoint;

    void send(Send command) override;
    bool canSend() const override { return !m_connections.empty(); }
    bool hasConnection(ConnectionId connection) const override { return m_connections.count(connection) > 0; }
    void closeConnection(ConnectionId connection, CloseMode mode) override;
    void closeAll(CloseMode mode) override;
    bool attachResponder(ConnectionId connection, std::shared_ptr<Responder> responder) override;
    void setReadingStopped(ConnectionId connection, bool stop) override;
    void refresh(std::chrono::steady_clock::time_point now, bool force) override;
    void collectWatchedPorts(SocketTableRequest& request) const override;
    void applySocketTable(const SocketTableResult& result) override;

    void onTraffic(Direction direction, std::size_t bytes) override { m_traffic.count(direction, bytes); }
    void onConnectionClosed(ConnectionId connection, CloseReason reason, bool for_bad_frames) override;
    void onRepeatableError(ConnectionId connection, ErrorContext context, ErrorInfo error) override {
        reportRepeatable(context, std::move(error), connection);
    }
    void beforeClosedEvent(ConnectionId connection) override { flushRepeatedErrorsOf(connection); }
    void onEchoDropped(std::size_t messages) override { m_echoDropped += messages; }
    void onWriteDone() override { m_fileSends->wake(); }

protected:
    void openFileSinks(const SendFile& command, FileSinksDone done) override;
    /// Wraps a connected socket into a TCP transport under a session, registers and starts it.
    std::shared_ptr<StreamSession> adopt(asio::ip::tcp::socket socket,
                                         std::optional<asio::ip::tcp::endpoint> known_peer = std::nullopt);
    /// Closes every connection for a stop; they no longer report back.
    void dropConnections(CloseMode mode);
    /// The local port whose socket table is watched (0 = none).
    virtual std::uint16_t watchedPort() const = 0;
    /// Hook for subclasses after a connection left the table.
    virtual void connectionGone(ConnectionId, CloseReason, bool /*for_bad_frames*/) {}

    std::map<ConnectionId, std::shared_ptr<StreamSession>> m_connections;
    std::uint64_t m_acceptedTotal = 0;
    std::uint64_t m_rejectedTotal = 0;
    std::uint64_t m_echoDropped = 0;

private:
    /// "no client is connected: nothing was sent" (a server) / "not connected: ..." (a client).
    ErrorInfo nothingConnected() const;
    std::optional<PortStateCounts> m_lastPortCounts;
    std::uint16_t m_lastPort = 0;
};

}  // namespace sockscope
