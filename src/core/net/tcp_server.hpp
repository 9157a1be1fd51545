#pragma once
// tcp-server: listens on host:port (IPv4, IPv6, or dual-stack "[::]" with v6only off) and accepts
// any number of clients up to max_connections; further clients are accepted and closed at once
// (reported as "rejected") so they are not left hanging in the backlog.
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "core/net/tcp_endpoint.hpp"

namespace sockscope {

class TcpServer final : public TcpEndpoint {
public:
    TcpServer(EngineContext& context, EndpointId id, EndpointConfig config);

    void start() override;
    void stop(CloseMode mode) override;

private:
    void listenOn(const asio::ip::tcp::endpoint& endpoint, const std::string& target);
    void acceptNext();
    void failToStart(std::error_code ec, ErrorContext context, const std::string& target);
    void failWith(ErrorInfo error, std::uint16_t port);
    std::uint16_t watchedPort() const override { return m_port; }

    asio::ip::tcp::acceptor m_acceptor;
    asio::ip::tcp::resolver m_resolver;
    asio::ip::tcp::endpoint m_acceptedPeer;   // filled by accept(): kept even when the peer reset at once
    asio::steady_timer m_acceptRetry;   // after EMFILE: retry accepting shortly instead of spinning
    std::uint16_t m_port = 0;           // port listened on (kept after stop: TIME_WAIT watch)
};

}  // namespace sockscope
