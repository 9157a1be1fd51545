#pragma once
// The UDP transport of one bound socket, on the I/O thread (transport/datagram_transport.hpp).
//
// Reads wait for readability, then take several datagrams per system call straight into the
// engine's shared arena (net/datagram_reader.hpp: recvmmsg on Linux), up to kReadsPerWake reads
// per wake-up, then yield to the other endpoints. A read whose handling queued a send (an echo)
// yields at once, so that the send's completion (its tx) is published before the next rx.
// Writes: one datagram in flight, the rest queued up to a byte cap (reported, not dropped, at a close); fault injection "split" sends
// a datagram as several smaller ones with a gap after each, "duplicate" queues it twice.
#include <asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <set>

#include "core/net/datagram_reader.hpp"
#include "core/net/engine_context.hpp"
#include "core/transport/datagram_transport.hpp"

namespace sockscope {

class UdpTransport final : public DatagramTransport, public std::enable_shared_from_this<UdpTransport> {
public:
    struct Settings {
        std::size_t write_queue_limit = 16u << 20;
        std::string default_peer;   // named by a read error before any datagram came (the remote)
    };

    // UDP payload limits: 65,535 minus the UDP header, and over IPv4 minus its 20-byte header too.
    static constexpr std::size_t kMaxDatagramV4 = 65507;
    static constexpr std::size_t kMaxDatagramV6 = 65527;
    static constexpr std::size_t kDatagramsPerRead = 64;   // one recvmmsg
    static constexpr int kReadsPerWake = 4;

    /// `socket`: open and bound (the endpoint applied its options, joined its groups).
    UdpTransport(EngineContext& context, asio::ip::udp::socket socket, Settings settings);
    ~UdpTransport() override;

    void start(std::weak_ptr<DatagramHandler> handler) override;
    [[nodiscard]] std::optional<ErrorInfo> sendTo(const DatagramAddress& destination, SharedBytes bytes,
                                                  FaultInjector* shape,
                                                  std::shared_ptr<SendReceipt> receipt = nullptr) override;
    void resumeReading() override { readSoon(); }
    void close() override;
    void flushQueued() override;
    std::optional<std::uint64_t> kernelDrops() const override;

    bool closed() const override { return m_closed; }
    std::size_t queuedBytes() const override { return m_queuedBytes; }
    std::size_t queueLimit() const override { return m_settings.write_queue_limit; }
    const std::optional<DatagramAddress>& lastSender() const override { return m_lastSender; }
    const std::string& localName() const override { return m_local; }
    /// The bound address and port, read once at construction (nullopt if the OS would not say).
    const std::optional<DatagramAddress>& localEndpoint() const { return m_localEndpoint; }

    /// The socket itself, for what only UDP has (multicast membership). Do not read or write it.
    asio::ip::udp::socket& socket() { return m_socket; }

private:
    /// "127.0.0.1:9000" for a run whose destination address is known, else empty.
    const std::string& localNameOf(const DatagramReader::Run& run);
    std::shared_ptr<DatagramHandler> handler() const { return m_handler.lock(); }
    void armRead();    // wait for readiness: only after a read found nothing waiting
    void readSoon();   // read again after other handlers ran (datagrams may be waiting)
    void onReadable(std::error_code ec);
    void startWrite();
    void onWritten(std::error_code ec);

    /// Pops the datagram in progress and tells `h` how it went.
    void reportFront(const std::shared_ptr<DatagramHandler>& h, std::error_code ec);
    [[nodiscard]] ErrorInfo notSentAtClose() const;   // ECANCELED for what is still queued

    /// A queued datagram; `cost` is what it counts against write_queue_limit.
    struct Datagram {
        DatagramAddress destination;
        SharedBytes payload;
        std::chrono::milliseconds gap{0};   // split: wait this long before the next datagram
        std::size_t cost = 0;
        std::shared_ptr<SendReceipt> receipt;   // told when it left (timers' `sent`)
    };
    /// One datagram to the kernel, from the address its destination last wrote to when known.
    void sendNow(const Datagram& datagram, std::error_code& ec);
    void noteReplyFrom(const DatagramAddress& sender, const asio::ip::address& local);

    EngineContext& m_ctx;
    asio::ip::udp::socket m_socket;
    const Settings m_settings;
    std::weak_ptr<DatagramHandler> m_handler;
    std::string m_local;
    bool m_closed = false;
    bool m_inGap = false;   // waiting out a split's gap before the next datagram
    bool m_readArmed = false;           // a readiness wait or a posted read is pending
    std::optional<DatagramAddress> m_lastSender;
    std::string m_lastSenderName;       // m_lastSender formatted once
    std::optional<asio::ip::address> m_lastLocal;   // wildcard binds: the address last written to
    std::string m_lastLocalName;        // m_lastLocal formatted with our port
    std::optional<DatagramAddress> m_localEndpoint;
    /// Wildcard binds: the address each peer last wrote to. Answers leave from it, as a device
    /// expects (a host's other address is not the one it asked). Bounded: cleared when full.
    std::map<DatagramAddress, asio::ip::address> m_replyFrom;
    static constexpr std::size_t kReplyFromMax = 4096;
    std::set<asio::ip::address> m_notASource;   // written to, but the kernel refused it as a source
    std::uint16_t m_localPort = 0;
    DatagramReader m_reader{kDatagramsPerRead};
    std::deque<Datagram> m_writeQueue;
    std::size_t m_queuedBytes = 0;
    bool m_writing = false;
    bool m_handed = false;              // the queue's front went to the kernel; its completion is posted
    std::error_code m_handedResult;     // what the kernel said
    std::uint64_t m_sendsQueued = 0;    // every datagram ever queued: did handling a read send?
    asio::steady_timer m_gapTimer;      // between split pieces
    asio::steady_timer m_readRetry;     // after the wait for readability itself failed
};

}  // namespace sockscope
