#include "core/net/tcp_server.hpp"

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"
#include "core/net/socket_options.hpp"
#include "core/net/tcp_state.hpp"

namespace sockscope {

TcpServer::TcpServer(EngineContext& context, EndpointId id, EndpointConfig config)
    : TcpEndpoint(context, id, std::move(config)), m_acceptor(context.io), m_resolver(context.io),
      m_acceptRetry(context.io) {}

void TcpServer::start() {
    if (state() == EndpointState::Listening || state() == EndpointState::Resolving) return;
    const auto bind = parseHostPort(m_config.bind);
    if (!bind) {
        failToStart(std::make_error_code(std::errc::invalid_argument), ErrorContext::Config, m_config.bind);
        return;
    }
    std::error_code ec;
    const auto address = asio::ip::make_address(bind->host, ec);
    if (!ec) {
        listenOn({address, bind->port}, m_config.bind);
        return;
    }
    setState(EndpointState::Resolving);
    const auto generation = m_generation;
    m_resolver.async_resolve(
        bind->host, std::to_string(bind->port), asio::ip::resolver_base::passive,
        [self = std::static_pointer_cast<TcpServer>(shared_from_this()), generation,
         target = m_config.bind](std::error_code resolve_error, asio::ip::tcp::resolver::results_type results) {
            if (generation != self->m_generation) return;
            if (resolve_error || results.empty()) {
                self->failToStart(resolve_error ? resolve_error : asio::error::host_not_found,
                                  ErrorContext::Resolve, target);
                return;
            }
            self->listenOn(results.begin()->endpoint(), target);
        });
}

void TcpServer::listenOn(const asio::ip::tcp::endpoint& endpoint, const std::string& target) {
    std::error_code ec;
    m_acceptor.open(endpoint.protocol(), ec);
    if (ec) return failToStart(ec, ErrorContext::Bind, target);
    OptionFailures failures;
    applyBindOptions(m_acceptor, m_config.options, endpoint.address().is_v6(), failures);
    reportOptionFailures(failures);
    m_acceptor.bind(endpoint, ec);
    if (ec == asio::error::address_in_use && endpoint.address().is_v6() && endpoint.address().is_unspecified() &&
        !m_config.options.v6_only.value_or(false)) {
        std::error_code ignored;
        m_acceptor.close(ignored);
        if (ipv4HoldsDualStackPort<asio::ip::tcp::acceptor>(m_ctx.io, endpoint.port(), m_config.options.reuse_address))
            return failWith(describeDualStackConflict(target, endpoint.port()), endpoint.port());
    }
    if (ec) return failToStart(ec, ErrorContext::Bind, target);
    m_acceptor.listen(m_config.options.backlog, ec);
    if (ec) return failToStart(ec, ErrorContext::Listen, target);
    const auto local = m_acceptor.local_endpoint(ec);
    m_port = local.port();
    EndpointStatus status;
    status.state = EndpointState::Listening;
    status.local = formatEndpoint(local.address(), local.port());
    setStatus(std::move(status));
    acceptNext();
}

void TcpServer::failToStart(std::error_code ec, ErrorContext context, const std::string& target) {
    std::error_code ignored;
    m_acceptor.close(ignored);
    if (context == ErrorContext::Config)
        return failWith({"EINVAL", "bind address \"" + target + "\" is not host:port",
                         "绑定地址“" + target + "”不是 主机:端口 格式"},
                        m_port);
    const auto bind = parseHostPort(target);
    if (ec != asio::error::address_in_use || !bind || !m_ctx.count_tcp_port_async)
        return failWith(describeError(ec, context, target), m_port);
    // Who holds the port (a listener, TIME_WAIT leftovers...) is in the socket table, read off the
    // I/O thread; the endpoint fails once it is known.
    const auto generation = m_generation;
    m_ctx.count_tcp_port_async(
        bind->port, [weak = weak_from_this(), generation, ec, context, target, port = bind->port](
                        std::optional<PortStateCounts> counts) {
            auto self = std::static_pointer_cast<TcpServer>(weak.lock());
            if (!self || generation != self->m_generation) return;
            self->failWith(describeError(ec, context, target, counts ? &*counts : nullptr), port);
        });
}

void TcpServer::failWith(ErrorInfo error, std::uint16_t port) {
    std::error_code ignored;
    m_acceptor.close(ignored);
    m_port = port;
    EndpointStatus status;
    status.state = EndpointState::Failed;
    status.error = std::move(error);
    setStatus(std::move(status));
}

void TcpServer::acceptNext() {
    const auto generation = m_generation;
    // Every accepted client becomes events: while the front end is behind, leave new clients in
    // the backlog (the next drain resumes accepting).
    if (m_ctx.queue.pauseIfOverBudget()) {
        m_ctx.paused_readers.push_back([weak = weak_from_this(), generation] {
            auto self = std::static_pointer_cast<TcpServer>(weak.lock());
            if (self && generation == self->m_generation && self->m_acceptor.is_open()) self->acceptNext();
        });
        return;
    }
    m_acceptor.async_accept(m_acceptedPeer, [self = std::static_pointer_cast<TcpServer>(shared_from_this()), generation](
                                std::error_code ec, asio::ip::tcp::socket socket) {
        if (generation != self->m_generation || !self->m_acceptor.is_open()) return;
        if (ec) {
            if (ec == asio::error::operation_aborted) return;
            self->reportRepeatable(ErrorContext::Accept,
                                   describeError(ec, ErrorContext::Accept, self->m_status.local));
            // Out of descriptors (EMFILE) and the like: pause, or the pending connection spins us.
            self->m_acceptRetry.expires_after(std::chrono::milliseconds(200));
            self->m_acceptRetry.async_wait([self, generation](std::error_code wait_error) {
                if (!wait_error && generation == self->m_generation) self->acceptNext();
            });
            return;
        }
        if (self->m_connections.size() >= static_cast<std::size_t>(self->m_config.max_connections)) {
            ++self->m_rejectedTotal;
            std::error_code ignored;
            const auto peer = self->m_acceptedPeer;
            self->reportRepeatable(ErrorContext::Accept,
                                   {"EMAXCONN",
                                    "rejected " + formatEndpoint(peer.address(), peer.port()) +
                                        ": the server already has " + std::to_string(self->m_config.max_connections) +
                                        " connections (max_connections)",
                                    "拒绝了 " + formatEndpoint(peer.address(), peer.port()) + "：服务器已有 " +
                                        std::to_string(self->m_config.max_connections) + " 个连接（max_connections）"});
            socket.close(ignored);
        } else {
            ++self->m_acceptedTotal;
            self->adopt(std::move(socket), self->m_acceptedPeer);
        }
        self->acceptNext();
    });
}

void TcpServer::stop(CloseMode mode) {
    ++m_generation;
    std::error_code ignored;
    m_resolver.cancel();
    m_acceptRetry.cancel();
    m_acceptor.close(ignored);
    dropConnections(mode);
    // After the connections: what they reported on the way out is counted, and a restart starts afresh.
    flushRepeatedErrors(std::chrono::steady_clock::now(), true);
    if (state() != EndpointState::Stopped) setState(EndpointState::Stopped);
}

}  // namespace sockscope
