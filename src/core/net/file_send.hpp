#pragma once
// Sending a file (SendFile) on the I/O thread, through the endpoint's own send path.
//
// The file is read on a helper thread of its own (a slow disk or a 1 GiB file never stalls the
// I/O thread or other endpoints) into a small bounded buffer of blocks; the I/O side cuts the
// blocks into chunks and hands a chunk to the endpoint only while the target's write queue has
// room (back-pressure) and the event queue is not behind. Memory per transfer stays near
// kReadAhead + kWriteWindow whatever the file's size. The file is read into uninitialised 1 MiB
// blocks (ByteBlockWriter); a chunk is a SharedBytes slice of its block, so the write queue, the
// tx DataEvent and the payload log all hold the bytes the reader read, never a copy. Progress is reported coalesced (a few
// FileSendStatus events a second), never one event per chunk.
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/commands.hpp"
#include "core/events.hpp"
#include "core/net/engine_context.hpp"
#include "core/session/source_stage.hpp"
#include "core/shared_bytes.hpp"

namespace sockscope {

/// One target of a file send: a TCP connection, or a UDP destination. Implemented by the endpoint
/// kinds over their own write queues.
class FileSink {
public:
    virtual ~FileSink() = default;
    /// Bytes waiting in the target's write queue; nullopt when the target is gone (`why` says how).
    virtual std::optional<std::size_t> queued(ErrorInfo& why) const = 0;
    /// Of those, the file's own bytes the kernel has not taken yet (the queue's bookkeeping and a
    /// write's part already sent left out): what a progress report says is still waiting.
    virtual std::size_t unsent() const {
        ErrorInfo ignored;
        return queued(ignored).value_or(0);
    }
    /// The target's write queue cap (a chunk is handed over only when it fits under it).
    virtual std::size_t queueLimit() const = 0;
    /// Queues one chunk (one write / one datagram), a slice of the reader's block that the write
    /// queue, the tx event and the log share (no copy); the error when refused.
    [[nodiscard]] virtual std::optional<ErrorInfo> write(SharedBytes chunk) = 0;
    /// Bytes handed to the kernel that the peer has not acknowledged yet (tcp; 0 where unknown):
    /// a file send is done only when they are, not when the last chunk left our queue.
    virtual std::size_t unacknowledged() { return 0; }
    /// Its connection ended (`clean`: with FIN both ways or ours, not a reset or error). Told by
    /// the endpoint as it closes: the session is gone by the time the send looks again.
    void ended(ConnectionId connection, bool clean) {
        if (connection == this->connection()) m_endedCleanly = clean;
    }
    /// Gone with a clean close: our FIN followed every queued byte, so what it was given arrives.
    bool endedCleanly() const { return m_endedCleanly; }
    /// The connection it writes to (0 for udp).
    virtual ConnectionId connection() const { return 0; }

private:
    bool m_endedCleanly = false;
};

/// Limits of a SendFile's chunk: tcp up to 1 MiB per write, udp up to 65,507 (one datagram).
constexpr std::uint32_t kMaxTcpFileChunk = 1u << 20;
constexpr std::uint32_t kMaxUdpFileChunk = 65507;
constexpr std::uint32_t kMaxFileGapMs = 3'600'000;

class FileSender;

/// The file sends of one endpoint; made by the "file_send" stage's factory
/// (registry/endpoint_registry.cpp), started by SendFile commands.
class FileSends final : public SourceStage {
public:
    FileSends(EngineContext& context, EndpointId endpoint);
    explicit FileSends(const SourceContext& c) : FileSends(c.engine, c.endpoint) {}
    ~FileSends() override;   // cancels silently: the readers stop, nothing more is emitted
    FileSends(const FileSends&) = delete;
    FileSends& operator=(const FileSends&) = delete;

    /// Starts a transfer to `sinks` (non-empty; the endpoint checked the command).
    void start(const SendFile& command, std::vector<std::unique_ptr<FileSink>> sinks);
    /// A send with nowhere to go (`why`): the file is still opened first (by the reader, off
    /// this thread), so a file that cannot be read says so, and one that can fails with `why`
    /// and its size as the total.
    void refuse(const SendFile& command, ErrorInfo why);
    /// Cancels one transfer (0: all); an unknown id is an error event.
    void cancel(std::uint64_t transfer);
    /// A write queue made room: pump the transfers (coalesced into one post).
    void wake() {
        if (!m_senders.empty()) wakeSlow();
    }
    /// A connection closed (`clean`: with FIN): its sends' targets learn how, then wake.
    void connectionEnded(ConnectionId connection, bool clean);
    /// The endpoint stopped: every transfer fails with this error.
    void failAll(const ErrorInfo& error);

private:
    void wakeSlow();
    void reap();

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    std::vector<std::shared_ptr<FileSender>> m_senders;
};

/// Reports a SendFile that could not start (bad chunk, no target, ...) as a failed FileSendStatus.
void reportFileSendRefused(EngineContext& context, const SendFile& command, ErrorInfo error);

}  // namespace sockscope
