#pragma once
// udp: binds host:port; every datagram is one message with its sender (or, when the endpoint
// asks for delimiter/fixed/length framing, the frames within each datagram; no state carries
// from one datagram to the next). Sends go to an explicit
// destination, the configured remote, or (reply_to_sender) the last sender. Broadcast and
// multicast (join/leave on a chosen interface, TTL, loopback). Datagrams the front end cannot take
// are dropped and counted; so are the kernel's own drops (Linux /proc/net/udp).
#include <asio/ip/udp.hpp>
#include <deque>
#include <optional>

#include "core/net/datagram_reader.hpp"
#include "core/net/endpoint.hpp"
#include "core/session/delayed_actions.hpp"
#include "core/session/receive_pipeline.hpp"

namespace sockscope {

/// The endpoint is its own ReplyChannel: the responders of its one session (the socket) answer
/// the sender of the datagram being handled (after it, the last sender; before any, the remote).
class UdpEndpoint final : public Endpoint, public ReplyChannel {
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

    // ReplyChannel
    [[nodiscard]] std::optional<ErrorInfo> send(Bytes bytes, const FaultsRef& faults = nullptr) override;
    [[nodiscard]] bool sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults = nullptr) override;
    void close(CloseMode) override {}
    [[nodiscard]] bool closeLater(std::chrono::milliseconds, CloseMode) override { return true; }
    [[nodiscard]] bool after(std::chrono::milliseconds delay, std::function<void()> fn) override;
    [[nodiscard]] bool writable() const override { return m_socket.is_open(); }
    [[nodiscard]] std::size_t room() const override;
    void replyDropped(ErrorInfo why) override;
    void reportError(ErrorContext context, ErrorInfo error) override { reportRepeatable(context, std::move(error)); }
    EndpointId endpoint() const override { return m_id; }
    ConnectionId connection() const override { return 0; }
    const std::string& peer() const override { return m_replyToText; }
    asio::io_context& io() override { return m_ctx.io; }

protected:
    void openFileSinks(const SendFile& command, FileSinksDone done) override;

private:
    friend class UdpFileSink;
    using DestinationDone = std::function<void(std::optional<asio::ip::udp::endpoint>, std::optional<ErrorInfo>)>;
    /// Where a send without an explicit address goes (`destination`, else the remote, else the
    /// last sender); a host name is resolved first (then `done` runs later).
    void withDestination(const std::string& destination, DestinationDone done);
    void bindTo(const asio::ip::udp::endpoint& endpoint);
    void failToStart(ErrorInfo error);
    void armRead();
    void onReadable(std::error_code ec);
    /// Queues one datagram (fault injection: maybe in split pieces, maybe twice; `faults` null:
    /// the endpoint's); the error when the send queue is full (nothing queued).
    [[nodiscard]] std::optional<ErrorInfo> sendTo(const asio::ip::udp::endpoint& destination, Bytes payload,
                                                  const FaultsRef& faults = nullptr);
    void sendOrReport(const asio::ip::udp::endpoint& destination, Bytes payload);
    void startWrite();
    std::optional<ErrorInfo> changeMembership(const MulticastGroup& group, bool join);

    struct Datagram {
        asio::ip::udp::endpoint destination;
        Bytes payload;
        std::chrono::milliseconds gap{0};   // split: wait this long before the next datagram
        std::size_t cost = 0;               // what it counts against write_queue_limit
    };

    asio::ip::udp::socket m_socket;
    asio::ip::udp::resolver m_resolver;
    std::optional<asio::ip::udp::endpoint> m_lastSender;
    std::string m_lastSenderText;       // m_lastSender formatted once
    std::optional<asio::ip::udp::endpoint> m_replyTo;   // where responders' sends go
    std::string m_replyToText;
    ResponderChain m_responders;
    std::unique_ptr<DelayedActions> m_delayed;
    std::deque<Datagram> m_writeQueue;
    std::size_t m_queuedBytes = 0;
    std::size_t m_delayedBytes = 0;     // replies waiting in delayed actions (count against room)
    std::unique_ptr<asio::steady_timer> m_gapTimer;   // between split pieces
    bool m_writing = false;
    std::uint64_t m_sendsQueued = 0;   // every datagram ever queued: did handling a read send?
    bool m_readArmed = false;
    std::uint16_t m_port = 0;
    std::uint64_t m_dropped = 0;        // datagrams refused by the event queue (front end behind)
    std::uint64_t m_echoDropped = 0;    // datagrams not echoed: the send queue was full
    std::optional<std::uint64_t> m_kernelDropsAtStart;   // the port's drops before we bound it
    std::uint64_t m_kernelDrops = 0;
    bool m_ownDrops = false;            // SO_MEMINFO gives this socket's own drops (no table needed)
    ReceivePipeline m_rx;
    DatagramReader m_reader{64};
};

/// Parses /proc/net/udp text (exposed for tests): sum of the "drops" column for `port`.
std::uint64_t parseProcNetUdpDrops(std::string_view table_text, std::uint16_t port);

}  // namespace sockscope
