#pragma once
// udp: binds host:port; every datagram is one message with its sender (or, when the endpoint
// asks for delimiter/fixed/length framing, the frames within each datagram; no state carries
// from one datagram to the next). Sends go to an explicit
// destination, the configured remote, or (reply_to_sender) the last sender. Broadcast and
// multicast (join/leave on a chosen interface, TTL, loopback). Datagrams the front end cannot take
// are dropped and counted; so are the kernel's own drops (Linux /proc/net/udp).
#include <asio/ip/udp.hpp>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/net/endpoint.hpp"
#include "core/session/datagram_session.hpp"
#include "core/transport/udp_transport.hpp"

namespace sockscope {

/// Configuration and wiring: binds the socket (options, multicast groups), then hands it to a
/// UdpTransport under a DatagramSession, which read, write and run the stages. The endpoint keeps
/// what spans runs and sessions: destinations (resolving names), statistics, multicast changes.
class UdpEndpoint final : public Endpoint, public ConnectionHost {
public:
    UdpEndpoint(EngineContext& context, EndpointId id, EndpointConfig config);

    void start() override;
    void stop(CloseMode mode) override;
    void send(Send command) override;
    bool canSend() const override { return state() == EndpointState::Bound; }
    void setMulticastMembership(const MulticastGroup& group, bool join) override;
    void refresh(std::chrono::steady_clock::time_point now, bool force) override;
    void collectWatchedPorts(SocketTableRequest& request) const override;
    void applySocketTable(const SocketTableResult& result) override;
    bool attachResponder(ConnectionId connection, std::shared_ptr<Responder> responder) override;

    // ConnectionHost (what the session tells this endpoint)
    void onConnectionClosed(ConnectionId, CloseReason, bool) override {}
    void onTraffic(Direction direction, std::size_t bytes) override { m_traffic.count(direction, bytes); }
    void onRepeatableError(ConnectionId, ErrorContext context, ErrorInfo error) override {
        reportRepeatable(context, std::move(error));
    }
    void onEchoDropped(std::size_t messages) override { m_echoDropped += messages; }
    void onWriteDone() override { m_fileSends->wake(); }
    void onReceiveDropped(std::size_t messages) override { m_dropped += messages; }

protected:
    void openFileSinks(const SendFile& command, FileSinksDone done) override;

private:
    friend class UdpFileSink;
    using DestinationDone = std::function<void(std::optional<asio::ip::udp::endpoint>, std::optional<ErrorInfo>)>;
    /// Where a send without an explicit address goes (`destination`, else the remote, else the
    /// last sender); a host name is resolved first (then `done` runs later).
    void withDestination(const std::string& destination, DestinationDone done);
    /// A send whose destination was still being resolved when the endpoint stopped (said, not lost).
    /// `name`: the host name `to` came from, said with it.
    [[nodiscard]] std::optional<ErrorInfo> familyMismatch(const asio::ip::address& to, const std::string& name = {}) const;
    static ErrorInfo stoppedWhileResolving(const std::string& target);
    /// `host` did not resolve for the socket's IP version: a second lookup tells "unknown" from
    /// "only the other IP version" (asynchronous, as the first).
    void explainUnresolved(const std::string& host, std::uint16_t port, asio::ip::udp protocol, const std::string& target,
                           std::error_code error, DestinationDone done);
    /// A name's lookup ended: every send waiting for it goes on (or is told why not), and the
    /// answer is kept a short while, so that a 1 ms timer to a name is not a lookup per tick.
    void settleName(const std::string& target, std::optional<asio::ip::udp::endpoint> to, std::optional<ErrorInfo> error);
    /// At a stop: the sends still waiting for a name are told they were not sent.
    void abandonPendingNames();
    void bindTo(const asio::ip::udp::endpoint& endpoint);
    void failToStart(ErrorInfo error);
    /// Open and bound: the session of this run.
    bool bound() const { return m_session && !m_session->closed(); }
    std::optional<ErrorInfo> changeMembership(const MulticastGroup& group, bool join);

    asio::ip::udp::resolver m_resolver;
    struct KnownName {
        std::optional<asio::ip::udp::endpoint> to;
        std::optional<ErrorInfo> error;
        std::chrono::steady_clock::time_point until;
    };
    std::unordered_map<std::string, std::vector<DestinationDone>> m_resolving;   // name -> sends waiting for it
    std::unordered_map<std::string, KnownName> m_knownNames;                     // recent answers, this run
    std::shared_ptr<UdpTransport> m_transport;     // this run's socket (null before the first bind)
    std::shared_ptr<DatagramSession> m_session;
    std::optional<asio::ip::udp::endpoint> m_lastSender;   // reply_to_sender: the last one of any run
    std::uint16_t m_port = 0;
    std::uint64_t m_dropped = 0;        // datagrams refused by the event queue (front end behind)
    std::uint64_t m_echoDropped = 0;    // datagrams not echoed: the send queue was full
    std::optional<std::uint64_t> m_kernelDropsAtStart;   // the port's drops before we bound it
    std::uint64_t m_kernelDrops = 0;
    bool m_ownDrops = false;            // SO_MEMINFO gives this socket's own drops (no table needed)
};

/// Parses /proc/net/udp text (exposed for tests): sum of the "drops" column for `port`.
std::uint64_t parseProcNetUdpDrops(std::string_view table_text, std::uint16_t port);

}  // namespace sockscope
