#pragma once
// The TCP transport of one connection (accepted by a server or made by a client), on the I/O thread.
//
//   open --peer FIN--> peer half-closed (CLOSE_WAIT; we may still send) --close()--> closed
//        (a RST from the peer is still seen: an error watch, and the kernel's CLOSE state)
//   open --half-close--> local half-closed (FIN_WAIT_2; still reading) --peer FIN--> closed
//   open --graceful--> flush queued writes, close() (FIN) --> closed
//        (linger_s > 0: FIN, then wait up to linger_s for the peer to acknowledge it, without
//         blocking: close() itself always runs with linger off, so the I/O thread never blocks)
//   open --abort--> SO_LINGER{1,0} + close() (RST) --> closed
//
// Reads wait for readability and then read into the engine's shared arena, so an idle connection
// owns no read buffer. Writes: one in flight (up to 64 queued messages in one gather write, up to
// 1 MiB per sendmsg), the rest queued up to a byte cap; fault injection "split" leaves a message in
// pieces with a gap.
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <vector>

#include "core/net/engine_context.hpp"
#include "core/transport/transport.hpp"

namespace sockscope {

class TcpTransport final : public Transport, public std::enable_shared_from_this<TcpTransport> {
public:
    struct Settings {
        std::size_t write_queue_limit = 16u << 20;
        std::optional<int> linger_s;             // SO_LINGER as the user set it
    };

    /// `known_peer`: what accept() said (a peer that reset at once has no remote_endpoint()).
    TcpTransport(EngineContext& context, asio::ip::tcp::socket socket, Settings settings,
                 std::optional<asio::ip::tcp::endpoint> known_peer = std::nullopt);

    void start(std::weak_ptr<TransportHandler> handler) override;
    [[nodiscard]] std::optional<ErrorInfo> send(SharedBytes bytes, FaultInjector* shape,
                                                std::shared_ptr<SendReceipt> receipt = {}) override;
    void close(CloseMode mode) override;
    void shutdownForStop(CloseMode mode) override;
    void setGracefulReason(CloseReason reason) override { m_gracefulReason = reason; }
    void setCloseNote(ErrorInfo note) override { m_closeNote = std::move(note); }
    void resumeReading() override { readSoon(); }
    void watchAfterPeerFin() override;
    std::optional<TcpInfo> refreshKernelView() override;

    bool closed() const override { return m_closed; }
    bool writable() const override { return !m_closed && !m_sentFin && !m_pendingClose && !m_lingering; }
    bool sentFin() const override { return m_sentFin; }
    /// What the queue holds against write_queue_limit: its bytes, and each message's bookkeeping
    /// (a flood of 4-byte replies must not hold 40 times its byte count in memory).
    std::size_t queuedBytes() const override { return m_queuedBytes + m_writeQueue.size() * kQueuedMessageCost; }
    std::size_t unsentBytes() const override {
        return m_queuedBytes > m_inFlightWritten ? m_queuedBytes - m_inFlightWritten : 0;
    }
    bool closePending() const override { return m_pendingClose.has_value() && !m_closed; }
    static constexpr std::size_t kQueuedMessageCost = 128;
    /// An empty queue takes one message of up to the whole limit; after that, one more message
    /// pays for its own bookkeeping too.
    std::size_t room() const override {
        if (m_writeQueue.empty()) return m_settings.write_queue_limit;
        const std::size_t used = queuedBytes() + kQueuedMessageCost;
        return m_settings.write_queue_limit > used ? m_settings.write_queue_limit - used : 0;
    }
    std::size_t queueLimit() const override { return m_settings.write_queue_limit; }
    const std::string& peerName() const override { return m_peer; }
    const std::string& localName() const override { return m_local; }

private:
    std::shared_ptr<TransportHandler> handler() const { return m_handler.lock(); }
    void armRead();      // wait for readiness: only after a read found the kernel buffer empty
    void readSoon();     // read again after other handlers ran (data may be waiting)
    void onReadable(std::error_code ec);
    void onPeerFinAfterWrites(int deferrals);
    static constexpr int kFinDeferrals = 4;
    static constexpr int kWriteFirstDeferrals = 2;   // reads wait for a posted write completion
    void onPeerFin();
    void onErrorAfterFin(std::error_code ec);
    bool endIfResetAfterFin(const std::optional<TcpInfo>& info);
    void startWrite();
    void writePiece();
    void onWriteError(std::error_code ec);
    void wrote(SharedBytes sent);
    void applyPendingClose();
    void shutdownSend();
    void startLinger();
    void pollLinger(std::chrono::steady_clock::time_point deadline);
    /// A reset asked for after what is queued: once the peer acknowledged it (or the deadline
    /// passed), so that the reply before the RST reaches it.
    void resetWhenAcknowledged(std::chrono::steady_clock::time_point deadline);
    void abort(std::optional<ErrorInfo> why = std::nullopt);
    void failWith(std::error_code ec, ErrorContext context);
    void finish(CloseReason reason, std::optional<ErrorInfo> error = std::nullopt);
    /// A close that the kernel turns into RST because received bytes were not read: why.
    ErrorInfo unreadNote(std::optional<ErrorInfo> error, std::size_t unread) const;
    [[nodiscard]] ErrorInfo withUnsent(std::optional<ErrorInfo> error, CloseReason reason) const;

    EngineContext& m_ctx;
    asio::ip::tcp::socket m_socket;
    const Settings m_settings;
    std::weak_ptr<TransportHandler> m_handler;
    std::string m_peer, m_local;

    bool m_closed = false;
    bool m_readArmed = false;
    bool m_errorWatch = false;          // after EOF: waiting for a RST / error
    bool m_lingering = false;           // FIN sent, waiting up to linger_s before close()
    bool m_abortive = false;            // SO_LINGER{1,0} set: close() sends RST
    bool m_peerFin = false;             // we read EOF
    bool m_sentFin = false;             // we shut down our sending side
    std::optional<CloseMode> m_pendingClose;   // graceful/half-close/reset waiting for the queue to flush
    std::chrono::steady_clock::time_point m_resetDeadline;   // ResetAfterQueued: the latest reset
    CloseReason m_gracefulReason = CloseReason::LocalGraceful;
    std::optional<ErrorInfo> m_closeNote;
    int m_quietErrorWakes = 0;                 // error watch woke with nothing wrong (bounded)

    /// A queued send. `piece` > 0 (fault injection "split"): it leaves `piece` bytes per write,
    /// `gap` after each, from `offset` on.
    struct QueuedWrite {
        SharedBytes bytes;
        std::size_t offset = 0;
        std::uint32_t piece = 0;
        std::chrono::milliseconds gap{0};
        std::shared_ptr<SendReceipt> receipt;   // marked `left` when written; a clear drops it unsent
    };
    std::deque<QueuedWrite> m_writeQueue;
    asio::steady_timer m_gapTimer;      // between split pieces
    static constexpr std::size_t kMaxGather = 64;   // queued messages per write
    std::vector<asio::const_buffer> m_gather;       // the write in flight (its buffers stay put)
    std::size_t m_queuedBytes = 0;
    std::size_t m_inFlightWritten = 0;  // bytes of the gather write in flight that already left
    bool m_writing = false;
    bool m_unsentSaid = false;          // the close's own words already count the queued bytes
    std::uint64_t m_writesStarted = 0;  // did handling a read start a write?
    int m_readDeferrals = 0;            // reads put behind a write in flight, in a row
    asio::steady_timer m_lingerTimer;
};

}  // namespace sockscope
