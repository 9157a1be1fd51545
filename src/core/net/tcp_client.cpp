#include "core/net/tcp_client.hpp"

#include <algorithm>
#include <cmath>

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"

namespace sockscope {

TcpClient::TcpClient(EngineContext& context, EndpointId id, EndpointConfig config)
    : TcpEndpoint(context, id, std::move(config)), m_resolver(context.io), m_socket(context.io),
      m_timer(context.io), m_random(std::random_device{}()) {}

std::uint32_t TcpClient::backoffMs(const ReconnectOptions& options, std::uint32_t failures) {
    const double initial = std::max(1, options.initial_ms);
    const double cap = std::max(options.initial_ms, options.max_ms);
    const double delay = initial * std::pow(2.0, std::min<std::uint32_t>(failures ? failures - 1 : 0, 30));
    return static_cast<std::uint32_t>(std::min(delay, cap));
}

void TcpClient::start() {
    if (state() != EndpointState::Stopped && state() != EndpointState::Failed) return;
    m_userClosed = false;
    m_attempt = 0;
    m_failures = 0;
    beginAttempt();
}

void TcpClient::beginAttempt() {
    const auto remote = parseHostPort(m_config.remote);
    ++m_attempt;
    m_target = m_config.remote;
    if (!remote) {
        EndpointStatus status;
        status.state = EndpointState::Failed;
        status.error = ErrorInfo{"EINVAL", "remote address \"" + m_config.remote + "\" is not host:port",
                                 "远端地址“" + m_config.remote + "”不是 主机:端口 格式"};
        setStatus(std::move(status));
        return;
    }
    // A new attempt: nothing of the previous one (its error, its connection's local address).
    EndpointStatus status;
    status.state = EndpointState::Resolving;
    status.attempt = m_attempt;
    status.remote = m_config.remote;          // what is being resolved, as the user typed it
    setStatus(std::move(status));
    const auto generation = m_generation;
    m_resolver.async_resolve(
        remote->host, std::to_string(remote->port),
        [self = std::static_pointer_cast<TcpClient>(shared_from_this()), generation](
            std::error_code ec, asio::ip::tcp::resolver::results_type results) {
            if (generation != self->m_generation) return;
            if (ec || results.empty()) {
                self->attemptFailed(ec ? ec : asio::error::host_not_found, ErrorContext::Resolve);
                return;
            }
            self->m_familyMismatch.reset();
            self->tryAddress(std::move(results), 0, {});
        });
}

std::optional<asio::ip::tcp::endpoint> TcpClient::reachableFromBind(const asio::ip::tcp::endpoint& to) {
    const auto local = parseHostPort(m_config.bind);
    std::error_code ec;
    const auto bind = local ? asio::ip::make_address(local->host, ec) : asio::ip::address();
    if (m_config.bind.empty() || !local || ec || bind.is_v4() == to.address().is_v4()) return to;
    // A dual-stack [::] socket reaches IPv4 hosts at their v4-mapped address.
    if (bind.is_v6() && bind.is_unspecified() && to.address().is_v4() && !m_config.options.v6_only.value_or(false))
        return asio::ip::tcp::endpoint(asio::ip::make_address_v6(asio::ip::v4_mapped, to.address().to_v4()), to.port());
    const bool to_v4 = to.address().is_v4();
    const std::string target = formatEndpoint(to.address(), to.port());
    const std::string named = target == m_target ? "" : " (" + m_target + ")";
    const std::string fix = to_v4 ? "bind to an IPv4 address or to [::], or leave bind out"
                                  : "bind to an IPv6 address, or leave bind out";
    m_familyMismatch = ErrorInfo{
        "EAFNOSUPPORT",
        "cannot connect to the " + std::string(to_v4 ? "IPv4" : "IPv6") + " address " + target + named +
            " from the local address " + m_config.bind + " (" + (to_v4 ? "IPv6" : "IPv4") + "): " + fix,
        "无法从本地地址 " + m_config.bind + "（" + (to_v4 ? "IPv6" : "IPv4") + "）连接到 " + (to_v4 ? "IPv4" : "IPv6") +
            " 地址 " + target + named + "：" + (to_v4 ? "请绑定到 IPv4 地址或 [::]，或不设置绑定地址" : "请绑定到 IPv6 地址，或不设置绑定地址")};
    return std::nullopt;
}

std::optional<std::string> TcpClient::nextReachable(const asio::ip::tcp::resolver::results_type& results,
                                                    std::size_t from) {
    auto it = results.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(std::min(from, results.size())));
    for (; it != results.end(); ++it)   // the bind's IP version skips the others (tryAddress)
        if (reachableFromBind(it->endpoint())) return formatEndpoint(it->endpoint().address(), it->endpoint().port());
    return std::nullopt;
}

void TcpClient::tryAddress(asio::ip::tcp::resolver::results_type results, std::size_t index,
                           std::error_code last) {
    if (index >= results.size()) {
        // No address the bind can reach: say that (no connect was tried), not a socket error.
        if (!last && m_familyMismatch) return attemptFailed(*m_familyMismatch, ErrorContext::Connect);
        attemptFailed(last, ErrorContext::Connect);
        return;
    }
    auto it = results.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(index));
    const auto reachable = reachableFromBind(it->endpoint());
    if (!reachable) return tryAddress(std::move(results), index + 1, last);
    const asio::ip::tcp::endpoint endpoint = *reachable;
    m_resolvedTarget = formatEndpoint(it->endpoint().address(), it->endpoint().port());

    EndpointStatus status;
    status.state = EndpointState::Connecting;
    status.attempt = m_attempt;
    status.remote = m_resolvedTarget;
    status.resolved_from = (m_resolvedTarget != m_target) ? m_target : std::string();
    setStatus(std::move(status));

    std::error_code ec;
    m_socket = asio::ip::tcp::socket(m_ctx.io);
    m_socket.open(endpoint.protocol(), ec);
    if (ec) return attemptFailed(ec, ErrorContext::Connect);
    if (!m_config.bind.empty()) {
        const auto local = parseHostPort(m_config.bind);
        std::error_code address_error;
        const auto address = local ? asio::ip::make_address(local->host, address_error) : asio::ip::address();
        if (!local || address_error) {
            EndpointStatus failed;
            failed.state = EndpointState::Failed;
            failed.error = ErrorInfo{"EINVAL", "local address \"" + m_config.bind +
                                                   "\" must be an IP address and port, e.g. 0.0.0.0:0",
                                     "本地地址“" + m_config.bind + "”必须是 IP 地址加端口，例如 0.0.0.0:0"};
            setStatus(std::move(failed));
            return;
        }
        OptionFailures failures;
        applyBindOptions(m_socket, m_config.options, address.is_v6(), failures);
        reportOptionFailures(failures);
        m_socket.bind({address, local->port}, ec);
        if (ec) return attemptFailed(ec, ErrorContext::Bind);
        if (local->port != 0) m_boundLocalPort = local->port;
    } else if (m_config.options.recv_buffer > 0 || m_config.options.send_buffer > 0) {
        // Buffer sizes must be set before connect to affect the window scale.
        if (m_config.options.recv_buffer > 0)
            m_socket.set_option(asio::socket_base::receive_buffer_size(m_config.options.recv_buffer), ec);
        if (m_config.options.send_buffer > 0)
            m_socket.set_option(asio::socket_base::send_buffer_size(m_config.options.send_buffer), ec);
    }

    const auto generation = m_generation;
    m_timedOut = false;
    m_timer.expires_after(std::chrono::milliseconds(std::max(1, m_config.connect_timeout_ms)));
    auto self = std::static_pointer_cast<TcpClient>(shared_from_this());
    m_timer.async_wait([self, generation](std::error_code wait_error) {
        if (wait_error || generation != self->m_generation) return;
        self->m_timedOut = true;
        std::error_code ignored;
        self->m_socket.close(ignored);
    });
    m_socket.async_connect(endpoint, [self, generation, results = std::move(results), index](std::error_code connect_error) {
        if (generation != self->m_generation) return;
        self->m_timer.cancel();
        if (self->m_timedOut) connect_error = asio::error::timed_out;
        if (connect_error) {
            std::error_code ignored;
            self->m_socket.close(ignored);
            if (const auto next = self->nextReachable(results, index + 1)) {   // say why this one failed first
                ErrorInfo error = describeError(connect_error, ErrorContext::Connect, self->m_resolvedTarget,
                                                nullptr, self->m_config.connect_timeout_ms);
                error.message += "; trying the next address of " + self->m_target + ": " + *next;
                error.message_zh += "；正在尝试 " + self->m_target + " 的下一个地址：" + *next;
                self->reportError(ErrorContext::Connect, std::move(error));
            }
            self->tryAddress(results, index + 1, connect_error);
            return;
        }
        self->m_failures = 0;
        auto connection = self->adopt(std::move(self->m_socket));
        EndpointStatus connected = self->m_status;
        connected.state = EndpointState::Connected;
        connected.local = connection->local();
        connected.error.reset();
        self->setStatus(std::move(connected));
    });
}

void TcpClient::attemptFailed(std::error_code ec, ErrorContext context) {
    const std::string& target = (context == ErrorContext::Resolve || m_resolvedTarget.empty()) ? m_target
                                                                                               : m_resolvedTarget;
    attemptFailed(describeError(ec, context, target, nullptr, m_config.connect_timeout_ms), context);
}

void TcpClient::attemptFailed(ErrorInfo error, ErrorContext context) {
    std::error_code ignored;
    m_socket.close(ignored);
    reportError(context, error);
    ++m_failures;
    const auto& reconnect = m_config.reconnect;
    if (reconnect.enabled && (reconnect.max_attempts == 0 || m_attempt < std::uint32_t(reconnect.max_attempts))) {
        scheduleRetry(error);
        return;
    }
    EndpointStatus status = m_status;
    status.state = EndpointState::Failed;
    status.error = error;
    status.retry_in_ms = 0;
    setStatus(std::move(status));
}

void TcpClient::scheduleRetry(std::optional<ErrorInfo> error) {
    const auto& reconnect = m_config.reconnect;
    double delay = backoffMs(reconnect, std::max<std::uint32_t>(m_failures, 1));
    const double jitter = std::clamp(reconnect.jitter, 0.0, 1.0);   // a negative range is UB in the RNG
    if (jitter > 0) {
        std::uniform_real_distribution<double> spread(-jitter, jitter);
        delay *= 1.0 + spread(m_random);
    }
    // max_ms is a promise: the jitter spreads delays below it, never above.
    delay = std::min(delay, static_cast<double>(std::max(reconnect.initial_ms, reconnect.max_ms)));
    const auto delay_ms = static_cast<std::uint32_t>(std::max(1.0, delay));
    EndpointStatus status = m_status;
    status.state = EndpointState::WaitingRetry;
    status.retry_in_ms = delay_ms;
    status.error = std::move(error);
    setStatus(std::move(status));
    const auto generation = m_generation;
    m_timer.expires_after(std::chrono::milliseconds(delay_ms));
    m_timer.async_wait([self = std::static_pointer_cast<TcpClient>(shared_from_this()), generation](std::error_code ec) {
        if (ec || generation != self->m_generation) return;
        self->beginAttempt();
    });
}

void TcpClient::closeConnection(ConnectionId connection, CloseMode mode) {
    if (mode != CloseMode::HalfClose) m_userClosed = true;
    TcpEndpoint::closeConnection(connection, mode);
}

void TcpClient::closeAll(CloseMode mode) {
    if (mode != CloseMode::HalfClose) m_userClosed = true;
    TcpEndpoint::closeAll(mode);
}

void TcpClient::connectionGone(ConnectionId, CloseReason reason, bool for_bad_frames) {
    // A close for the peer's garbled bytes is a lost connection too: a reconnecting client (a
    // device that garbles a frame now and then) reconnects, as after the server's FIN.
    const bool by_peer = reason == CloseReason::PeerClosed || reason == CloseReason::PeerReset ||
                         reason == CloseReason::Error || for_bad_frames;
    if (by_peer && !m_userClosed && m_config.reconnect.enabled) {
        m_attempt = 0;       // a fresh series of attempts, starting at the initial delay
        m_failures = 1;
        scheduleRetry(std::nullopt);
        return;
    }
    setState(EndpointState::Stopped);
}

void TcpClient::stop(CloseMode mode) {
    ++m_generation;
    m_resolver.cancel();
    m_timer.cancel();
    std::error_code ignored;
    m_socket.close(ignored);
    dropConnections(mode);
    // After the connections: what they reported on the way out is counted, and a restart starts afresh.
    flushRepeatedErrors(std::chrono::steady_clock::now(), true);
    if (state() != EndpointState::Stopped) {
        EndpointStatus status;
        status.state = EndpointState::Stopped;
        setStatus(std::move(status));
    }
}

}  // namespace sockscope
