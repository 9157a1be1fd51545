#pragma once
// One TCP connection (accepted by a server or made by a client), on the I/O thread.
//
//   open --peer FIN--> peer_half_closed (CLOSE_WAIT; we may still send) --close()--> closed
//   open --half-close--> local_half_closed (FIN_WAIT_2; still reading) --peer FIN--> closed
//   open --graceful--> flush queued writes, close() (FIN) --> closed
//   open --abort--> SO_LINGER{1,0} + close() (RST) --> closed
//
// Reads wait for readability and then read into the engine's shared buffer, so an idle
// connection owns no read buffer. Writes: one in flight, the rest queued up to a byte cap.
#include <asio/ip/tcp.hpp>
#include <deque>
#include <memory>
#include <optional>

#include "core/events.hpp"
#include "core/net/engine_context.hpp"
#include "core/net/traffic.hpp"

namespace sockscope {

/// What a connection tells the endpoint that owns it.
class ConnectionHost {
public:
    virtual ~ConnectionHost() = default;
    virtual void onConnectionClosed(ConnectionId connection, CloseReason reason) = 0;
    virtual void onTraffic(Direction direction, std::size_t bytes) = 0;
};

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
public:
    struct Settings {
        bool echo = false;
        bool close_on_peer_fin = false;
        std::size_t write_queue_limit = 16u << 20;
    };

    TcpConnection(EngineContext& context, EndpointId endpoint, ConnectionId id,
                  asio::ip::tcp::socket socket, Settings settings, std::weak_ptr<ConnectionHost> host);

    /// Emits ConnectionOpened and the first TCP state, then starts reading.
    void start();
    /// Queues bytes. Fails (with a plain-words error) when closing or over the queue cap.
    std::optional<ErrorInfo> send(Bytes payload);
    void close(CloseMode mode);
    /// Forgets the host and closes abortively when data is still queued, gracefully otherwise.
    void shutdownForStop(CloseMode mode);
    /// Queries TCP_INFO; emits TcpStateChanged if it differs from the last one sent.
    void refreshTcpState();
    const TrafficCounters& sampleTraffic(std::chrono::steady_clock::time_point now) {
        return m_traffic.sample(now);
    }

    ConnectionId id() const { return m_id; }
    const std::string& peer() const { return m_peer; }
    const std::string& local() const { return m_local; }

private:
    void armRead();
    void onReadable(std::error_code ec);
    void resumeAfterPause();
    void onPeerFin();
    void startWrite();
    void applyPendingClose();
    void shutdownSend();
    void finish(CloseReason reason, std::optional<ErrorInfo> error = std::nullopt);
    void failWith(std::error_code ec, ErrorContext context);
    void count(Direction direction, std::size_t bytes);

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    const ConnectionId m_id;
    asio::ip::tcp::socket m_socket;
    Settings m_settings;
    std::weak_ptr<ConnectionHost> m_host;
    std::string m_peer, m_local;
    TrafficMeter m_traffic;

    bool m_closed = false;
    bool m_readArmed = false;
    bool m_readPaused = false;          // back-pressure: the front end is behind
    bool m_peerFin = false;             // we read EOF
    bool m_sentFin = false;             // we shut down our sending side
    std::optional<CloseMode> m_pendingClose;   // graceful/half-close waiting for the queue to flush
    CloseReason m_gracefulReason = CloseReason::LocalGraceful;   // PeerClosed when closed for the peer

    std::deque<Bytes> m_writeQueue;
    std::size_t m_queuedBytes = 0;
    bool m_writing = false;

    std::optional<TcpInfo> m_lastInfo;
};

}  // namespace sockscope
