#pragma once
// The session of a datagram socket (a UDP endpoint's one session), on the I/O thread: the datagram
// twin of session/stream_session.hpp. The transport (transport/datagram_transport.hpp) owns the
// socket; the session runs the stages:
//
//   transport read (datagrams + sender) --> responders.onReceived (echo: each datagram to its sender)
//        --> receive pipeline: framer within each datagram --> responders.onMessage (rules, scripts)
//                                                           --> tap: the event queue (DataEvent rx)
//   sources / responders --sendTo--> transport write queue --onSent--> tap (DataEvent tx)
//
// Responders answer the sender of the datagram being handled (after it, the last sender
// answered; before any, the configured remote): the session is their ReplyChannel. UDP cannot
// slow a sender: a datagram the event queue refuses is dropped and counted, and so is a reply the
// write queue cannot take. While responders are attached, one datagram is read at a time, so that
// each one's answer follows it (a log or a recording reads rx, tx, rx, tx).
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/endpoint_config.hpp"
#include "core/net/engine_context.hpp"
#include "core/session/connection_host.hpp"
#include "core/session/delayed_actions.hpp"
#include "core/session/faults.hpp"
#include "core/session/receive_pipeline.hpp"
#include "core/session/responder.hpp"
#include "core/transport/datagram_transport.hpp"

namespace sockscope {

class DatagramSession final : public std::enable_shared_from_this<DatagramSession>,
                              public ReplyChannel,
                              public DatagramHandler {
public:
    struct Settings {
        ResponderStages responders;                // attached in start(), in order (echo first)
        FramingConfig framing;                     // within each datagram (raw: one message each)
        FaultsRef faults;                          // the endpoint's fault injection (split, duplicate)
        std::optional<DatagramAddress> remote;     // where replies go before any datagram came
    };

    DatagramSession(EngineContext& context, EndpointId endpoint, std::shared_ptr<DatagramTransport> transport,
                    Settings settings, std::weak_ptr<ConnectionHost> host);

    /// Attaches the responders and starts reading.
    void start();
    /// Ends the session: responders and delayed actions first, then the transport closes.
    /// Nothing more reaches the host.
    void stop();
    /// Queues one datagram to `destination` (`faults` null: the endpoint's). The error when refused.
    [[nodiscard]] std::optional<ErrorInfo> sendTo(const DatagramAddress& destination, SharedBytes payload,
                                                  const FaultsRef& faults = nullptr,
                                                  std::shared_ptr<SendReceipt> receipt = nullptr);
    /// A responder joins the running session. False when the session ended.
    bool attachResponder(std::shared_ptr<Responder> responder);
    bool closed() const { return m_transport->closed(); }
    /// True once a responder is attached: only then does each frame reach the responders.
    bool watchingMessages() const { return m_rx.observing(); }
    std::size_t queuedBytes() const { return m_transport->queuedBytes(); }

    // ReplyChannel (the responders' view: the sender being answered)
    [[nodiscard]] std::optional<ErrorInfo> send(Bytes bytes, const FaultsRef& faults = nullptr) override;
    [[nodiscard]] std::optional<ErrorInfo> sendToPeer(const std::string& peer, Bytes bytes) override;
    [[nodiscard]] bool sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults = nullptr) override;
    void close(CloseMode) override {}   // nothing to close: a datagram socket has no peer
    [[nodiscard]] bool closeLater(std::chrono::milliseconds, CloseMode) override { return true; }
    [[nodiscard]] bool after(std::chrono::milliseconds delay, std::function<void()> fn) override;
    [[nodiscard]] bool writable() const override { return !closed(); }
    [[nodiscard]] std::size_t room() const override;
    [[nodiscard]] std::size_t queueLimit() const override { return m_transport->queueLimit(); }
    void replyDropped(ErrorInfo why) override;
    void reportError(ErrorContext context, ErrorInfo error) override;
    EndpointId endpoint() const override { return m_endpoint; }
    ConnectionId connection() const override { return 0; }
    const std::string& peer() const override { return m_replyToName; }
    asio::io_context& io() override { return m_ctx.io; }

    // DatagramHandler (what the transport tells this session)
    std::size_t readLimit(std::size_t most) override { return m_responders.empty() ? most : 1; }
    void onDatagrams(const SharedBytes& bytes, std::vector<FrameSpan> datagrams, const DatagramAddress& sender,
                     const std::string& sender_name, const std::string& local_name) override;
    void onSent(const DatagramAddress& destination, SharedBytes sent) override;
    void onWriteDone() override;
    void onError(ErrorContext context, ErrorInfo error) override { reportError(context, std::move(error)); }

private:
    void setReplyTo(const DatagramAddress& to, const std::string& name);
    void watchMessages();

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    const std::shared_ptr<DatagramTransport> m_transport;
    Settings m_settings;
    std::weak_ptr<ConnectionHost> m_host;
    ReceivePipeline m_rx;
    ResponderChain m_responders;
    DelayedActions m_delayed;
    std::optional<DatagramAddress> m_replyTo;   // where responders' sends go
    std::string m_replyToName;
    /// The remote and the last senders, newest first (sendToPeer finds a run's device by name).
    static constexpr std::size_t kKnownPeers = 16;
    std::deque<std::pair<std::string, DatagramAddress>> m_knownPeers;
};

}  // namespace sockscope
