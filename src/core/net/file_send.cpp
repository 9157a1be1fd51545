#include "core/net/file_send.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "core/net/error_text.hpp"
#include "core/net/error_throttle.hpp"

namespace sockscope {
namespace {

// The reader's unit (rounded down to whole chunks): a block the size of the payload log's chunk,
// so that the log keeps the sent chunks as slices of it instead of copying them.
constexpr std::size_t kReadBlock = 1u << 20;
constexpr std::size_t kReadAhead = 2u << 20;       // read but not yet sent, per transfer
constexpr std::size_t kWriteWindow = 2u << 20;     // queued toward a target before we wait for it
// The front end is behind when the queue holds more than this share of its budget: wait (tx
// events hold the file's bytes; the rest of the budget stays for what other endpoints receive).
constexpr std::size_t kEventBacklogDivisor = 4;
constexpr int kChunksPerPump = 64;                 // then yield to other handlers (fairness)
constexpr auto kTick = std::chrono::milliseconds(100);
constexpr auto kReportEvery = std::chrono::milliseconds(250);
constexpr auto kBacklogRetry = std::chrono::milliseconds(2);
constexpr auto kAckPoll = std::chrono::milliseconds(5);   // all sent: how often to ask whether the peer has it all

/// What the reader thread and the I/O side share. The reader posts `notify` on `io` when it has
/// something new; `io` is cleared when the transfer goes away, and the reader then posts nothing.
struct ReaderShared {
    std::mutex mutex;
    std::condition_variable room;
    std::deque<SharedBytes> blocks;
    std::size_t buffered = 0;
    std::size_t capacity = kReadAhead;
    std::size_t block_size = kReadBlock;
    bool opened = false;
    std::uint64_t size = 0;
    bool eof = false;
    std::optional<ErrorInfo> error;
    bool stop = false;
    bool probe_only = false;   // a refused send: open to learn the error or the size, read nothing
    asio::io_context* io = nullptr;
    std::function<void()> notify;
    bool notify_pending = false;

    void postLocked() {
        if (io && !notify_pending) {
            notify_pending = true;
            asio::post(*io, notify);
        }
    }
};

std::error_code lastError(int fallback = EIO) { return {errno ? errno : fallback, std::generic_category()}; }

/// The reader thread: opens the file, then reads blocks while the shared buffer has room.
void readFile(const std::shared_ptr<ReaderShared>& shared, const std::string& path) {
    auto failed = [&](const ErrorInfo& error) {
        std::lock_guard lock(shared->mutex);
        shared->error = error;
        shared->postLocked();
    };
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return failed(describeFileError(std::make_error_code(std::errc::is_a_directory), path, FileOp::Read));
    const auto opened = [&](std::uint64_t size) {
        std::lock_guard lock(shared->mutex);
        shared->opened = true;
        shared->size = size;
        shared->postLocked();
    };
    // A FIFO's open waits for a writer: a refused send must not wait for one.
    if (shared->probe_only && std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
        return opened(0);
    errno = 0;
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return failed(describeFileError(lastError(ENOENT), path, FileOp::Read));
    const auto size = std::filesystem::file_size(path, ec);
    // A regular file's size is a promise: one that ends short was cut while sent (not "done").
    const bool sized = !ec && std::filesystem::is_regular_file(path, ec);
    std::uint64_t read_total = 0;
    opened(ec ? 0 : size);
    if (shared->probe_only) {
        std::fclose(file);
        return;
    }
    const std::size_t block_size = shared->block_size;
    for (;;) {
        {
            std::unique_lock lock(shared->mutex);
            shared->room.wait(lock, [&] { return shared->stop || shared->buffered < shared->capacity; });
            if (shared->stop) break;
        }
        // Uninitialised: fread overwrites what is published; zeroing 1 GiB cost 10 % of a send.
        ByteBlockWriter writer(block_size);
        std::size_t got = 0;
        errno = 0;
        while (got < block_size) {
            const std::size_t n = std::fread(writer.tail() + got, 1, block_size - got, file);
            if (n == 0) break;
            got += n;
        }
        const bool read_error = got < block_size && std::ferror(file);
        const std::error_code error = read_error ? lastError() : std::error_code{};
        SharedBytes block = writer.commit(got);
        std::lock_guard lock(shared->mutex);
        if (got > 0) {
            shared->buffered += got;
            shared->blocks.push_back(std::move(block));
        }
        read_total += got;
        if (read_error) shared->error = describeFileError(error, path, FileOp::Read);
        else if (got < block_size && sized && read_total < size)
            shared->error = ErrorInfo{"EIO",
                                      "cannot read " + path + ": the file got shorter while it was being sent (" +
                                          bytesText(size) + " when the send began, " + groupDigits(read_total) +
                                          " could be read)",
                                      "无法读取 " + path + "：文件在发送过程中变短了（开始时 " + groupDigits(size) +
                                          " 字节，只读到 " + groupDigits(read_total) + " 字节）"};
        else if (got < block_size) shared->eof = true;
        shared->postLocked();
        if (got < block_size) break;
    }
    std::fclose(file);
}

}  // namespace

/// One transfer, on the I/O thread.
class FileSender : public std::enable_shared_from_this<FileSender> {
public:
    FileSender(EngineContext& context, EndpointId endpoint, const SendFile& command,
               std::vector<std::unique_ptr<FileSink>> sinks)
        : m_ctx(context), m_endpoint(endpoint), m_command(command), m_sinks(std::move(sinks)), m_sinkQueued(m_sinks.size(), 0),
          m_timer(context.io), m_tick(context.io), m_shared(std::make_shared<ReaderShared>()) {
        const std::size_t chunk = command.chunk;
        m_shared->block_size = chunk >= kReadBlock ? chunk : (kReadBlock / chunk) * chunk;   // whole chunks
        m_shared->capacity = std::max(kReadAhead, 2 * m_shared->block_size);
    }

    ~FileSender() { stopReader(); }

    void begin() {
        m_started = m_lastReport = std::chrono::steady_clock::now();
        m_shared->io = &m_ctx.io;
        m_shared->notify = [weak = weak_from_this(), shared = std::weak_ptr<ReaderShared>(m_shared)] {
            if (auto s = shared.lock()) {
                std::lock_guard lock(s->mutex);
                s->notify_pending = false;
            }
            if (auto self = weak.lock()) self->pump();
        };
        try {
            std::thread(readFile, m_shared, m_command.path).detach();   // holds the shared state, not us
        } catch (const std::system_error& e) {
            return finish(FileSendState::Failed,
                          ErrorInfo{"EAGAIN", "cannot start a thread to read \"" + m_command.path + "\": " + e.what(),
                                    "无法启动读取“" + m_command.path + "”的线程：" + e.what()});
        }
        armTick();
    }

    /// No target: the reader only opens the file; then it fails with `why` (or the file's error).
    void refuseOnceOpened(ErrorInfo why) {
        m_noTarget = std::move(why);
        m_shared->probe_only = true;
    }

    void wake() {
        if (m_pumpPosted || m_finished) return;
        m_pumpPosted = true;
        // A weak reference: a transfer never outlives its endpoint in the io_context's queue.
        asio::post(m_ctx.io, [weak = weak_from_this()] {
            if (auto self = weak.lock()) {
                self->m_pumpPosted = false;
                self->pump();
            }
        });
    }

    void finish(FileSendState state, std::optional<ErrorInfo> error = std::nullopt) {
        if (m_finished) return;
        m_finished = true;
        stopReader();
        m_timer.cancel();
        m_tick.cancel();
        m_state = state;
        m_error = std::move(error);
        report(true);
    }

    bool finished() const { return m_finished; }
    void connectionEnded(ConnectionId connection, bool clean) {
        for (auto& sink : m_sinks) sink->ended(connection, clean);
    }
    std::uint64_t transfer() const { return m_command.transfer; }
    std::uint64_t sent() const { return m_sent; }

private:
    void stopReader() {
        std::lock_guard lock(m_shared->mutex);
        m_shared->stop = true;
        m_shared->io = nullptr;
        m_shared->blocks.clear();
        m_shared->room.notify_all();
    }

    void armTick() {
        m_tick.expires_after(kTick);
        m_tick.async_wait([weak = weak_from_this()](std::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->m_finished) return;
            self->pump();   // notices a target that went away while we waited, and a drained queue
            if (!self->m_finished) {
                self->maybeReport();
                self->armTick();
            }
        });
    }

    void waitTimer(std::chrono::milliseconds delay) {
        m_waiting = true;
        m_timer.expires_after(delay);
        m_timer.async_wait([weak = weak_from_this()](std::error_code ec) {
            auto self = weak.lock();
            if (ec || !self) return;
            self->m_waiting = false;
            self->pump();
        });
    }

    /// The reader's news: its size once open, or its error. False when the transfer ended.
    bool checkReader(bool& eof) {
        std::lock_guard lock(m_shared->mutex);
        if (m_shared->opened && !m_opened) {
            m_opened = true;
            m_total = m_shared->size;
            report(true);   // the first event: running, with the file's size
        }
        if (m_shared->error && m_shared->blocks.empty() && m_block.size() == m_offset) {
            ErrorInfo error = *m_shared->error;
            if (m_sent > 0) error.message += " (after " + groupDigits(m_sent) + " bytes were sent)";
            m_pendingError = std::move(error);
            return false;
        }
        eof = m_shared->eof && m_shared->blocks.empty();
        return true;
    }

    bool takeBlock() {
        std::lock_guard lock(m_shared->mutex);
        if (m_shared->blocks.empty()) return false;
        m_block = std::move(m_shared->blocks.front());
        m_shared->blocks.pop_front();
        m_shared->buffered -= m_block.size();
        m_offset = 0;
        m_shared->room.notify_one();
        return true;
    }

    /// Drops targets that went away (each said once); false when none is left (the send failed).
    bool checkSinks() {
        for (std::size_t i = 0; i < m_sinks.size();) {
            ErrorInfo why;
            if (m_sinks[i]->queued(why)) {
                if (!m_allWritten) m_sinkQueued[i] = m_sinks[i]->unsent();   // after: acknowledged() keeps it
                ++i;
                continue;
            }
            if (m_sinks[i]->endedCleanly()) {
                // Our FIN left after every queued byte, and the kernel delivers them: all it was
                // handed arrived. Having had the whole file, it is done with, not dropped.
                m_sinkQueued[i] = 0;
                if (m_opened && m_sent >= m_total) {
                    m_sinks.erase(m_sinks.begin() + static_cast<std::ptrdiff_t>(i));
                    m_sinkQueued.erase(m_sinkQueued.begin() + static_cast<std::ptrdiff_t>(i));
                    continue;
                }
            }
            dropSink(i, std::move(why));
        }
        // None left without the last one's error (dropSink): the last ones were delivered.
        return !m_sinks.empty() || !m_pendingError;
    }

    /// A target that went away: what it still held in its send queue when last seen (a peer
    /// that did not read, then reset) never left, so it does not count as sent to it.
    void dropSink(std::size_t index, ErrorInfo why) {
        const std::uint64_t unsent = std::min<std::uint64_t>(m_sinkQueued[index], m_sent);
        why.message += ": the file send to it stopped after " + groupDigits(m_sent - unsent) + " of " + bytesText(m_total);
        if (unsent > 0) why.message += " (up to " + groupDigits(unsent) + " more were in its send queue and were not sent)";
        const ConnectionId connection = m_sinks[index]->connection();
        m_sinks.erase(m_sinks.begin() + static_cast<std::ptrdiff_t>(index));
        m_sinkQueued.erase(m_sinkQueued.begin() + static_cast<std::ptrdiff_t>(index));
        if (m_sinks.empty()) {
            m_sent -= unsent;   // the transfer's end reports what left, not what was handed over
            m_pendingError = std::move(why);
            return;
        }
        m_ctx.emit(ErrorEvent{m_endpoint, connection, ErrorContext::Write, std::move(why), nowUs()});
    }

    bool roomFor(std::size_t size) const {
        for (const auto& sink : m_sinks) {
            ErrorInfo why;
            const std::size_t queued = sink->queued(why).value_or(0);
            if (queued >= kWriteWindow || queued + size > sink->queueLimit()) return false;
        }
        return true;
    }

    /// The most any target still holds in its write queue (at most what this send handed over).
    std::uint64_t waitingInQueue() const {
        std::uint64_t most = 0;
        for (std::size_t i = 0; i < m_sinks.size(); ++i) {
            ErrorInfo why;
            if (!m_sinks[i]->queued(why)) continue;
            if (!m_allWritten) m_sinkQueued[i] = m_sinks[i]->unsent();   // after: not yet acknowledged
            most = std::max<std::uint64_t>(most, m_sinkQueued[i]);
        }
        return std::min(most, m_sent);
    }

    /// Every target's peer acknowledged what it was sent; what each has not is kept as its unsent
    /// part (a target that goes away now did not get it, dropSink says).
    bool acknowledged() {
        bool all = true;
        for (std::size_t i = 0; i < m_sinks.size(); ++i) {
            const std::size_t unacknowledged = m_sinks[i]->unacknowledged();   // may see it reset
            ErrorInfo why;
            if (!m_sinks[i]->queued(why)) return false;   // gone meanwhile: checkSinks says how
            m_sinkQueued[i] = m_sinks[i]->unsent() + unacknowledged;
            all = all && unacknowledged == 0;
        }
        return all;
    }

    bool drained() const {
        for (const auto& sink : m_sinks) {
            ErrorInfo why;
            if (sink->queued(why).value_or(0) != 0) return false;
        }
        return true;
    }

    /// A refused send waits for the reader's open: the file's own error first, else `why` with its size.
    void pumpRefused() {
        std::optional<ErrorInfo> error;
        {
            std::lock_guard lock(m_shared->mutex);
            if (m_shared->error) error = *m_shared->error;
            else if (m_shared->opened) m_total = m_shared->size;
            else return;   // the reader wakes us once it knows
        }
        finish(FileSendState::Failed, error ? std::move(error) : std::move(m_noTarget));
    }

    void pump() {
        if (m_finished || m_waiting) return;
        if (m_noTarget) return pumpRefused();
        for (int i = 0; i < kChunksPerPump; ++i) {
            // The reader's news (size, error, end) matters only before the first block and
            // between blocks: not locking its mutex per chunk spares the reader a contended lock.
            bool eof = false;
            const bool between_blocks = !m_opened || m_block.size() == m_offset;
            if ((between_blocks && !checkReader(eof)) || !checkSinks())
                return finish(FileSendState::Failed, std::move(m_pendingError));
            if (m_block.size() == m_offset && !takeBlock()) {
                // All read and queued: done once the targets wrote it all and their peers
                // acknowledged it (a peer that stops reading, then resets, did not get the rest).
                if (eof && drained()) {
                    m_allWritten = true;
                    if (acknowledged()) return finish(FileSendState::Done);
                    return waitTimer(kAckPoll);
                }
                return;   // the reader or a write completion wakes us
            }
            const std::size_t size = std::min<std::size_t>(m_command.chunk, m_block.size() - m_offset);
            if (!roomFor(size)) return;   // a write completion wakes us
            if (m_ctx.queue.queuedBytes() > m_ctx.queue.pauseBytes() / kEventBacklogDivisor) return waitTimer(kBacklogRetry);
            sendChunk(size);
            if (m_command.gap_ms > 0) {
                maybeReport();
                return waitTimer(std::chrono::milliseconds(m_command.gap_ms));
            }
        }
        maybeReport();
        wake();   // more to do: after the other handlers waiting now
    }

    void sendChunk(std::size_t size) {
        SharedBytes chunk = m_block.slice(m_offset, size);   // shares the block: no copy
        m_offset += size;
        if (m_offset == m_block.size()) {
            m_block = {};
            m_offset = 0;
        }
        m_sent += size;
        for (std::size_t i = 0; i < m_sinks.size();) {
            const bool last = i + 1 == m_sinks.size();
            if (auto error = m_sinks[i]->write(last ? std::move(chunk) : chunk)) {
                m_sinkQueued[i] += size;   // refused: it never left (dropSink takes it out of `sent`)
                dropSink(i, std::move(*error));
                continue;
            }
            // A chunk taken usually leaves at once (the write starts in the call); the queue is
            // seen again before the next chunk.
            ++i;
        }
    }

    void maybeReport() {
        if (std::chrono::steady_clock::now() - m_lastReport >= kReportEvery) report(false);
    }

    void report(bool force) {
        const auto now = std::chrono::steady_clock::now();
        // Nothing new: no event, but once to say the rate fell to 0 (a peer that stopped reading).
        if (!force && m_sent == m_sentAtReport && m_reportedRate == 0) return;
        FileSendStatus status{m_endpoint, m_command.transfer, m_command.path, m_state, m_sent,
                              std::max(m_total, m_state == FileSendState::Done ? m_sent : m_total), 0, m_error, nowUs()};
        const bool end = m_state != FileSendState::Running;
        const double seconds = std::chrono::duration<double>(now - (end ? m_started : m_lastReport)).count();
        const std::uint64_t bytes = end ? m_sent : m_sent - m_sentAtReport;
        if (seconds > 0) status.rate_bps = static_cast<double>(bytes) / seconds;
        status.waiting = waitingInQueue();
        m_lastReport = now;
        m_sentAtReport = m_sent;
        m_reportedRate = status.rate_bps;
        m_ctx.emit(std::move(status));
    }

    EngineContext& m_ctx;
    const EndpointId m_endpoint;
    const SendFile m_command;
    std::vector<std::unique_ptr<FileSink>> m_sinks;
    mutable std::vector<std::size_t> m_sinkQueued;   // per target: its send queue when last seen
    asio::steady_timer m_timer;   // the gap between chunks, or a wait for the front end
    asio::steady_timer m_tick;    // progress, and targets that went away while nothing moved
    std::shared_ptr<ReaderShared> m_shared;
    SharedBytes m_block;          // the block being cut into chunks (slices of it are sent)
    std::size_t m_offset = 0;
    bool m_opened = false, m_finished = false, m_waiting = false, m_pumpPosted = false;
    bool m_allWritten = false;    // every byte read and written: waiting for the peers' acknowledgements
    std::uint64_t m_sent = 0, m_total = 0, m_sentAtReport = 0;
    double m_reportedRate = 0;   // the last rate said: a stall is said once, as 0
    FileSendState m_state = FileSendState::Running;
    std::optional<ErrorInfo> m_error, m_pendingError, m_noTarget;
    std::chrono::steady_clock::time_point m_started, m_lastReport;
};

FileSends::FileSends(EngineContext& context, EndpointId endpoint) : m_ctx(context), m_endpoint(endpoint) {}

FileSends::~FileSends() = default;   // each sender stops its reader; their handlers hold weak refs

void FileSends::start(const SendFile& command, std::vector<std::unique_ptr<FileSink>> sinks) {
    reap();
    auto sender = std::make_shared<FileSender>(m_ctx, m_endpoint, command, std::move(sinks));
    m_senders.push_back(sender);
    sender->begin();
}

void FileSends::refuse(const SendFile& command, ErrorInfo why) {
    reap();
    auto sender = std::make_shared<FileSender>(m_ctx, m_endpoint, command, std::vector<std::unique_ptr<FileSink>>{});
    sender->refuseOnceOpened(std::move(why));
    m_senders.push_back(sender);
    sender->begin();
}

void FileSends::cancel(std::uint64_t transfer) {
    reap();
    bool found = false;
    for (auto& sender : m_senders) {
        if (transfer != 0 && sender->transfer() != transfer) continue;
        found = true;
        sender->finish(FileSendState::Cancelled);
    }
    reap();
    if (!found && transfer != 0)
        m_ctx.emit(ErrorEvent{m_endpoint, 0, ErrorContext::Other,
                              {"ENOENT", "no file send #" + std::to_string(transfer) + " is running",
                               "没有正在进行的文件发送 #" + std::to_string(transfer)}, nowUs()});
}

void FileSends::failAll(const ErrorInfo& error) {
    for (auto& sender : m_senders) sender->finish(FileSendState::Failed, error);
    m_senders.clear();
}

void FileSends::connectionEnded(ConnectionId connection, bool clean) {
    for (auto& sender : m_senders) sender->connectionEnded(connection, clean);
    wake();
}

void FileSends::wakeSlow() {
    reap();
    for (auto& sender : m_senders) sender->wake();
}

void FileSends::reap() {
    std::erase_if(m_senders, [](const auto& sender) { return sender->finished(); });
}

void reportFileSendRefused(EngineContext& context, const SendFile& command, ErrorInfo error) {
    context.emit(FileSendStatus{command.endpoint, command.transfer, command.path, FileSendState::Failed, 0, 0, 0,
                                std::move(error), nowUs()});
}

}  // namespace sockscope
