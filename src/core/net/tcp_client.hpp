#pragma once
// tcp-client: resolves host:port, tries each address in turn with a connect timeout, optionally
// from a fixed local address, and reconnects with exponential backoff when enabled.
//
//   stopped --start--> resolving --> connecting --ok--> connected --peer closed/reset/error--+
//                                       |  fail                                              |
//                                       v                                                    |
//                             reconnect? waiting_retry --timer--> resolving  <---------------+
//                                   no: failed
// A close the user asks for ends in "stopped": no reconnect fights the user.
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <random>

#include "core/net/tcp_endpoint.hpp"

namespace sockscope {

class TcpClient final : public TcpEndpoint {
public:
    TcpClient(EngineContext& context, EndpointId id, EndpointConfig config);

    void start() override;
    void stop(CloseMode mode) override;
    void closeConnection(ConnectionId connection, CloseMode mode) override;
    void closeAll(CloseMode mode) override;

    /// Delay before reconnect attempt number `failures` (1-based), without jitter.
    static std::uint32_t backoffMs(const ReconnectOptions& options, std::uint32_t failures);

private:
    void beginAttempt();
    void tryAddress(asio::ip::tcp::resolver::results_type results, std::size_t index, std::error_code last);
    void attemptFailed(std::error_code ec, ErrorContext context);
    void attemptFailed(ErrorInfo error, ErrorContext context);
    /// Where to connect from the `bind` address: `to` as is, v4-mapped for a dual-stack [::]
    /// bind, or nullopt (with m_familyMismatch said) when the bind's IP version cannot reach it.
    std::optional<asio::ip::tcp::endpoint> reachableFromBind(const asio::ip::tcp::endpoint& to);
    /// The first address of `results` from index `from` on that the bind can reach, as text.
    std::optional<std::string> nextReachable(const asio::ip::tcp::resolver::results_type& results, std::size_t from);
    void scheduleRetry(std::optional<ErrorInfo> error);
    void connectionGone(ConnectionId connection, CloseReason reason, bool for_bad_frames) override;
    std::uint16_t watchedPort() const override { return m_boundLocalPort; }

    asio::ip::tcp::resolver m_resolver;
    asio::ip::tcp::socket m_socket;       // the attempt in flight
    asio::steady_timer m_timer;           // connect timeout, then retry delay
    std::string m_target;                 // what the user typed ("localhost:80")
    std::string m_resolvedTarget;         // the address being tried ("[::1]:80")
    std::optional<ErrorInfo> m_familyMismatch;   // an address of the name the bind cannot reach
    std::uint32_t m_attempt = 0;          // attempts since start()
    std::uint32_t m_failures = 0;         // consecutive failures (backoff exponent)
    bool m_timedOut = false;
    bool m_userClosed = false;
    std::uint16_t m_boundLocalPort = 0;   // only when the user fixed a local port
    std::minstd_rand m_random;
};

}  // namespace sockscope
