#include "core/net/tcp_endpoint.hpp"

#include <charconv>

#include "core/net/error_text.hpp"
#include "core/net/tcp_state.hpp"
#include "core/transport/tcp_transport.hpp"

namespace sockscope {
namespace {

/// A file send's target: one connection's write queue.
class TcpFileSink final : public FileSink {
public:
    explicit TcpFileSink(const std::shared_ptr<StreamSession>& connection)
        : m_connection(connection), m_id(connection->id()), m_peer(connection->peer()) {}
    std::optional<std::size_t> queued(ErrorInfo& why) const override {
        const auto connection = m_connection.lock();
        if (connection && !connection->closed()) return connection->queuedBytes();
        why = {"ENOTCONN", "connection #" + std::to_string(m_id) + " (" + m_peer + ") closed",
               "连接 #" + std::to_string(m_id) + "（" + m_peer + "）已关闭"};
        return std::nullopt;
    }
    std::size_t unsent() const override {
        const auto connection = m_connection.lock();
        return connection && !connection->closed() ? connection->unsentBytes() : 0;
    }
    std::size_t queueLimit() const override {
        const auto connection = m_connection.lock();
        return connection ? connection->writeQueueLimit() : 0;
    }
    std::optional<ErrorInfo> write(SharedBytes chunk) override {
        const auto connection = m_connection.lock();
        if (!connection)
            return ErrorInfo{"ENOTCONN", "connection #" + std::to_string(m_id) + " closed", "连接 #" + std::to_string(m_id) + " 已关闭"};
        return connection->sendShared(std::move(chunk));
    }
    std::size_t unacknowledged() override {
        const auto connection = m_connection.lock();
        return connection && !connection->closed() ? connection->unacknowledgedBytes() : 0;
    }
    ConnectionId connection() const override { return m_id; }

private:
    std::weak_ptr<StreamSession> m_connection;
    ConnectionId m_id;
    std::string m_peer;
};

}  // namespace

std::shared_ptr<StreamSession> TcpEndpoint::adopt(asio::ip::tcp::socket socket,
                                                  std::optional<asio::ip::tcp::endpoint> known_peer) {
    OptionFailures failures;
    SocketOptions options = m_config.options;
    // Split pieces must leave as segments of their own: Nagle would glue them together.
    if (anyFaultSplits(m_config)) options.no_delay = true;
    applyConnectionOptions(socket, options, failures);
    reportOptionFailures(failures);
    // A client that reconnects treats the server's FIN as "gone": close and reconnect.
    const bool reconnecting = m_config.type == EndpointType::TcpClient && m_config.reconnect.enabled;
    StreamSession::Settings settings;
    settings.responders = m_stages;
    settings.close_wait_timeout_s = m_config.close_on_peer_fin || reconnecting ? 0.0 : m_config.close_wait_timeout_s;
    settings.framing = m_config.framing;
    settings.faults = m_faults;
    auto transport = std::make_shared<TcpTransport>(
        m_ctx, std::move(socket), TcpTransport::Settings{m_config.write_queue_limit, m_config.options.linger_s}, known_peer);
    auto self = std::static_pointer_cast<TcpEndpoint>(shared_from_this());
    auto connection = std::make_shared<StreamSession>(m_ctx, m_id, m_ctx.newConnectionId(), std::move(transport),
                                                      std::move(settings), std::weak_ptr<ConnectionHost>(self));
    m_connections.emplace(connection->id(), connection);
    connection->start();
    openedForSources(connection->id());   // a login packet, before anything typed
    return connection;
}

bool TcpEndpoint::attachResponder(ConnectionId connection, std::shared_ptr<Responder> responder) {
    auto it = m_connections.find(connection);
    if (it != m_connections.end() && it->second->attachResponder(std::move(responder))) return true;
    return Endpoint::attachResponder(connection, nullptr);
}

ErrorInfo TcpEndpoint::nothingConnected() const {
    if (m_config.type == EndpointType::TcpServer)
        return {"ENOTCONN", "no client is connected: nothing was sent", "没有客户端连接：未发送任何内容"};
    return {"ENOTCONN", "not connected: nothing was sent", "未连接：未发送任何内容"};
}

void TcpEndpoint::setReadingStopped(ConnectionId connection, bool stop) {
    if (connection == 0) {
        for (auto& [id, open] : m_connections) open->setReadingStopped(stop);
        return;
    }
    const auto it = m_connections.find(connection);
    if (it == m_connections.end())
        return reportError(ErrorContext::Other,
                           {"ENOTCONN",
                            "connection #" + std::to_string(connection) + " is gone: reading not " + (stop ? "stopped" : "resumed"),
                            "连接 #" + std::to_string(connection) + " 已不存在：" + (stop ? "未暂停读取" : "未恢复读取")},
                           connection);
    it->second->setReadingStopped(stop);
}

void TcpEndpoint::send(Send command) {
    if (command.connection != 0) {
        auto it = m_connections.find(command.connection);
        if (it == m_connections.end()) {
            reportError(ErrorContext::Write,
                        {"ENOTCONN", "connection #" + std::to_string(command.connection) + " is gone: nothing was sent",
                         "连接 #" + std::to_string(command.connection) + " 已不存在：未发送任何内容"},
                        command.connection);
            return;
        }
        if (auto error = it->second->sendShared(SharedBytes(std::move(command.payload)), nullptr, command.receipt))
            reportError(ErrorContext::Write, *error, command.connection);
        return;
    }
    if (m_connections.empty()) {
        reportError(ErrorContext::Write, nothingConnected());
        return;
    }
    // To every connection. Copy the map first: a failing send may close a connection.
    auto connections = m_connections;
    for (auto& [id, connection] : connections)
        if (auto error = connection->sendShared(SharedBytes(Bytes(command.payload)), nullptr, command.receipt))
            reportError(ErrorContext::Write, *error, id);
}

void TcpEndpoint::openFileSinks(const SendFile& command, FileSinksDone done) {
    FileSinks sinks;
    if (command.connection != 0) {
        const auto it = m_connections.find(command.connection);
        if (it == m_connections.end())
            return done({}, ErrorInfo{"ENOTCONN", "connection #" + std::to_string(command.connection) + " is gone: nothing was sent",
                                      "连接 #" + std::to_string(command.connection) + " 已不存在：未发送任何内容"});
        sinks.push_back(std::make_unique<TcpFileSink>(it->second));
    } else {
        // Every connection open now; one that comes later does not get the rest of the file.
        for (auto& [id, connection] : m_connections) sinks.push_back(std::make_unique<TcpFileSink>(connection));
    }
    if (sinks.empty())
        return done({}, nothingConnected());
    done(std::move(sinks), std::nullopt);
}

void TcpEndpoint::closeConnection(ConnectionId connection, CloseMode mode) {
    auto it = m_connections.find(connection);
    if (it == m_connections.end()) {
        Endpoint::closeConnection(connection, mode);
        return;
    }
    auto keep = it->second;   // close() may erase it from the map
    keep->close(mode);
}

void TcpEndpoint::closeAll(CloseMode mode) {
    auto connections = m_connections;
    for (auto& [id, connection] : connections) connection->close(mode);
}

void TcpEndpoint::dropConnections(CloseMode mode) {
    auto connections = std::move(m_connections);
    m_connections.clear();
    for (auto& [id, connection] : connections) connection->shutdownForStop(mode);
}

void TcpEndpoint::onConnectionClosed(ConnectionId connection, CloseReason reason, bool for_bad_frames) {
    m_connections.erase(connection);
    // A file send to it says so now; after a clean close (FIN) what it was given arrives.
    m_fileSends->connectionEnded(connection, reason == CloseReason::LocalGraceful || reason == CloseReason::PeerClosed);
    closedForSources(connection);   // a timer aimed at it stops
    connectionGone(connection, reason, for_bad_frames);
}

void TcpEndpoint::refresh(std::chrono::steady_clock::time_point now, bool force) {
    flushRepeatedErrors(now);
    StatsEvent stats = makeStats(now);
    stats.accepted_total = m_acceptedTotal;
    stats.rejected_total = m_rejectedTotal;
    stats.echo_dropped = m_echoDropped;
    // Refreshing may end a connection (a RST seen after the peer's FIN): it then leaves the map.
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        const auto connection = (it++)->second;
        connection->refreshTcpState();
    }
    stats.open_connections = static_cast<std::uint32_t>(m_connections.size());
    stats.connections.reserve(m_connections.size());
    for (auto& [id, connection] : m_connections) {
        stats.connections.emplace_back(id, connection->sampleTraffic(now));
        stats.totals.queued_bytes += stats.connections.back().second.queued_bytes;
    }
    emitStats(std::move(stats), force);
    refreshStages(now, force);
}

void TcpEndpoint::collectWatchedPorts(SocketTableRequest& request) const {
    if (const std::uint16_t port = watchedPort(); port != 0) request.tcp_ports.push_back(port);
#if defined(_WIN32)
    // Without SIO_TCP_INFO (Wine) a connection's state comes from the table read by the probe
    // (tableStateOf): a client on an ephemeral port asks for a read through its connection's port.
    if (watchedPort() == 0 && !m_connections.empty()) {
        const std::string& local = m_connections.begin()->second->local();
        const auto colon = local.rfind(':');
        unsigned port = 0;
        if (colon != std::string::npos &&
            std::from_chars(local.data() + colon + 1, local.data() + local.size(), port).ec == std::errc() &&
            port > 0 && port <= 0xffff)
            request.tcp_ports.push_back(static_cast<std::uint16_t>(port));
    }
#endif
}

void TcpEndpoint::applySocketTable(const SocketTableResult& result) {
    const std::uint16_t port = watchedPort();
    if (port == 0 || !result.tcp) return;
    const auto it = result.tcp->find(port);
    if (it == result.tcp->end()) return;
    if (port == m_lastPort && it->second == m_lastPortCounts) return;
    // Stamped when it reaches the I/O thread, not when the helper thread read it: the event stream
    // stays in time order (a status emitted meanwhile would otherwise look newer than the table).
    if (!m_ctx.emitRefresh(PortTableChanged{m_id, port, it->second, nowUs()})) return;   // next time
    m_lastPort = port;
    m_lastPortCounts = it->second;
}

}  // namespace sockscope
