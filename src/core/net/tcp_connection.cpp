#include "core/net/tcp_connection.hpp"

#include <asio/write.hpp>

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"
#include "core/net/socket_options.hpp"
#include "core/net/tcp_state.hpp"

namespace sockscope {
namespace {

// Reads per readiness wake-up before yielding to other connections (fairness under floods).
constexpr int kReadsPerWake = 4;

bool isReset(std::error_code ec) {
    return ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted;
}

std::string describe(const asio::ip::tcp::endpoint& endpoint) {
    return formatEndpoint(endpoint.address(), endpoint.port());
}

}  // namespace

TcpConnection::TcpConnection(EngineContext& context, EndpointId endpoint, ConnectionId id,
                             asio::ip::tcp::socket socket, Settings settings,
                             std::weak_ptr<ConnectionHost> host)
    : m_ctx(context), m_endpoint(endpoint), m_id(id), m_socket(std::move(socket)),
      m_settings(settings), m_host(std::move(host)) {
    std::error_code ec;
    if (auto peer = m_socket.remote_endpoint(ec); !ec) m_peer = describe(peer);
    if (auto local = m_socket.local_endpoint(ec); !ec) m_local = describe(local);
    m_socket.non_blocking(true, ec);
}

void TcpConnection::start() {
    m_ctx.emit(ConnectionOpened{m_endpoint, m_id, m_peer, m_local, nowUs()});
    refreshTcpState();
    armRead();
}

void TcpConnection::armRead() {
    if (m_closed || m_peerFin || m_readArmed || m_readPaused) return;
    m_readArmed = true;
    m_socket.async_wait(asio::ip::tcp::socket::wait_read,
                        [self = shared_from_this()](std::error_code ec) {
                            self->m_readArmed = false;
                            self->onReadable(ec);
                        });
}

void TcpConnection::onReadable(std::error_code ec) {
    if (m_closed) return;
    if (ec) {
        if (ec != asio::error::operation_aborted) failWith(ec, ErrorContext::Read);
        return;
    }
    auto& buffer = m_ctx.read_buffer;
    for (int i = 0; i < kReadsPerWake; ++i) {
        std::error_code read_error;
        const std::size_t n = m_socket.read_some(asio::buffer(buffer), read_error);
        if (read_error == asio::error::would_block || read_error == asio::error::try_again) break;
        if (read_error == asio::error::eof) {
            onPeerFin();
            return;
        }
        if (read_error) {
            failWith(read_error, ErrorContext::Read);
            return;
        }
        count(Direction::Rx, n);
        Bytes payload(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
        if (m_settings.echo) send(payload);
        const PushResult pushed = m_ctx.queue.push(
            DataEvent{m_endpoint, m_id, Direction::Rx, nowUs(), {}, std::move(payload)},
            EventPriority::Data);
        if (pushed == PushResult::AcceptedPause) {
            // Back-pressure: stop reading; the kernel's receive window fills and the peer slows.
            m_readPaused = true;
            m_ctx.paused_readers.push_back([weak = weak_from_this()] {
                if (auto self = weak.lock()) self->resumeAfterPause();
            });
            return;
        }
        if (n < buffer.size()) break;   // the kernel buffer is most likely empty now
    }
    armRead();
}

void TcpConnection::resumeAfterPause() {
    m_readPaused = false;
    armRead();
}

void TcpConnection::onPeerFin() {
    m_peerFin = true;
    m_ctx.emit(PeerHalfClosed{m_endpoint, m_id, nowUs()});
    if (m_sentFin) {                    // both directions are done
        finish(CloseReason::PeerClosed);
        return;
    }
    refreshTcpState();                  // CLOSE_WAIT: the user sees it and decides
    if (m_settings.close_on_peer_fin) {
        m_gracefulReason = CloseReason::PeerClosed;
        close(CloseMode::Graceful);
    }
}

std::optional<ErrorInfo> TcpConnection::send(Bytes payload) {
    if (m_closed) return ErrorInfo{"ENOTCONN", "connection " + m_peer + " is closed"};
    if (m_sentFin || m_pendingClose)
        return ErrorInfo{"ESHUTDOWN", "connection " + m_peer + " is closing: this side already sent FIN"};
    if (payload.empty()) return std::nullopt;
    if (m_queuedBytes + payload.size() > m_settings.write_queue_limit)
        return ErrorInfo{"ENOBUFS", "send queue to " + m_peer + " is full (" +
                                        std::to_string(m_queuedBytes) + " bytes waiting, limit " +
                                        std::to_string(m_settings.write_queue_limit) +
                                        "): the peer is not reading fast enough"};
    m_queuedBytes += payload.size();
    m_writeQueue.push_back(std::move(payload));
    if (!m_writing) startWrite();
    return std::nullopt;
}

void TcpConnection::startWrite() {
    if (m_closed) return;
    if (m_writeQueue.empty()) {
        m_writing = false;
        applyPendingClose();
        return;
    }
    m_writing = true;
    asio::async_write(m_socket, asio::buffer(m_writeQueue.front()),
                      [self = shared_from_this()](std::error_code ec, std::size_t written) {
                          if (self->m_closed) return;
                          if (ec) {
                              self->m_writing = false;
                              if (ec != asio::error::operation_aborted) self->failWith(ec, ErrorContext::Write);
                              return;
                          }
                          Bytes sent = std::move(self->m_writeQueue.front());
                          self->m_writeQueue.pop_front();
                          self->m_queuedBytes -= sent.size();
                          self->count(Direction::Tx, written);
                          self->m_ctx.queue.push(DataEvent{self->m_endpoint, self->m_id, Direction::Tx,
                                                           nowUs(), {}, std::move(sent)},
                                                 EventPriority::Data);
                          self->startWrite();
                      });
}

void TcpConnection::close(CloseMode mode) {
    if (m_closed) return;
    if (mode == CloseMode::Abort) {
        setAbortiveClose(m_socket);
        finish(CloseReason::LocalAbort);
        return;
    }
    m_pendingClose = mode;
    if (!m_writing) applyPendingClose();
}

void TcpConnection::applyPendingClose() {
    if (!m_pendingClose || m_closed) return;
    const CloseMode mode = *m_pendingClose;
    m_pendingClose.reset();
    if (mode == CloseMode::HalfClose && !m_peerFin) {
        shutdownSend();
        return;
    }
    // Graceful, or a half-close after the peer's FIN (which completes the close).
    finish(m_gracefulReason);
}

void TcpConnection::shutdownSend() {
    std::error_code ec;
    m_socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) {
        failWith(ec, ErrorContext::Write);
        return;
    }
    m_sentFin = true;
    refreshTcpState();                  // FIN_WAIT_1 / FIN_WAIT_2
}

void TcpConnection::shutdownForStop(CloseMode mode) {
    m_host.reset();
    if (mode != CloseMode::Abort && !m_writeQueue.empty()) mode = CloseMode::Abort;
    if (mode == CloseMode::Abort) {
        setAbortiveClose(m_socket);
        finish(CloseReason::LocalAbort);
    } else {
        finish(CloseReason::Shutdown);
    }
}

void TcpConnection::refreshTcpState() {
    if (m_closed) return;
    auto info = queryTcpInfo(static_cast<std::intptr_t>(m_socket.native_handle()));
    if (!info || info == m_lastInfo) return;
    m_lastInfo = info;
    m_ctx.emit(TcpStateChanged{m_endpoint, m_id, *info, nowUs()});
}

void TcpConnection::failWith(std::error_code ec, ErrorContext context) {
    if (isReset(ec)) {
        finish(CloseReason::PeerReset, describeError(ec, context, m_peer));
        return;
    }
    finish(CloseReason::Error, describeError(ec, context, m_peer));
}

void TcpConnection::finish(CloseReason reason, std::optional<ErrorInfo> error) {
    if (m_closed) return;
    m_closed = true;
    std::error_code ignored;
    m_socket.close(ignored);
    m_writeQueue.clear();
    m_queuedBytes = 0;
    m_ctx.emit(ConnectionClosed{m_endpoint, m_id, reason, std::move(error), nowUs()});
    if (auto host = m_host.lock()) host->onConnectionClosed(m_id, reason);
}

void TcpConnection::count(Direction direction, std::size_t bytes) {
    m_traffic.count(direction, bytes);
    if (auto host = m_host.lock()) host->onTraffic(direction, bytes);
}

}  // namespace sockscope
