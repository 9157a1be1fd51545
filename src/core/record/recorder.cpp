#include "core/record/recorder.hpp"

#include "core/registry/endpoint_registry.hpp"

#include <future>
#include <map>
#include <vector>

#include "core/record/rotating_file.hpp"
#include "core/thread_name.hpp"

namespace sockscope {

namespace {
constexpr std::size_t kWriteChunk = 256u << 10;   // formatted bytes gathered before a write
constexpr auto kIdleWake = std::chrono::milliseconds(250);   // time rotation while nothing comes

/// How often the writer asks whether its file still exists.
constexpr std::chrono::milliseconds kDeletedCheck{250};

/// The recorder's file (or its directory) was deleted while open: what was written is gone.
ErrorInfo fileDeleted(const std::filesystem::path& path) {
    std::error_code ec;
    const std::filesystem::path dir = path.parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        return describeFileError(std::make_error_code(std::errc::no_such_file_or_directory), path.string(), FileOp::Write);
    return {"ENOENT",
            "cannot write " + path.string() + ": the file was deleted while it was being recorded (what it held is gone); the recorder stopped",
            "无法写入 " + path.string() + "：录制中的文件被删除了（其中的内容已丢失）；录制已停止"};
}

/// What a record counts as in `records` and `dropped`: its messages (a batch of datagrams or of
/// frames is several), so that the counts read like the log's rows.
std::uint64_t messagesIn(const TapRecord& record) {
    if (const auto* d = std::get_if<DataEvent>(&record.event)) return d->frames.empty() ? 1 : d->frames.size();
    return 1;
}
}  // namespace

struct Recorder::Shared {
    Shared(RecordingId recording, RecordingConfig cfg, std::function<void()> on_resume)
        : id(recording), config(std::move(cfg)), resume(std::move(on_resume)) {}

    const RecordingId id;
    const RecordingConfig config;
    std::function<void()> resume;     // under resume_mutex: cleared when the recorder is left behind
    std::mutex resume_mutex;
    void callResume() {
        std::lock_guard lock(resume_mutex);
        if (resume) resume();
    }

    struct Entry {
        QueuedRecord item;
        std::size_t bytes;
    };
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Entry> queue;
    std::size_t queued_bytes = 0;
    bool stop = false;

    std::atomic<bool> pause_requested{false};
    std::atomic<bool> failed{false};
    std::atomic<bool> abandoned{false};   // given up while stuck: what it does later is not counted
    std::atomic<bool> finished{false};
    std::atomic<std::uint64_t> bytes{0}, records{0}, dropped{0}, pauses{0};
    std::atomic<std::uint64_t> accepted{0};   // messages queued: those neither recorded nor dropped are in hand
    std::atomic<std::uint32_t> files{0};

    mutable std::mutex status_mutex;
    RecordingState state = RecordingState::Running;
    std::optional<ErrorInfo> error;

    // I/O thread only: bytes dropped per connection (endpoint, connection) → {rx, tx}
    std::map<std::pair<EndpointId, ConnectionId>, std::pair<std::uint64_t, std::uint64_t>> gaps;

    /// Counts what waits in the queue as dropped and empties it (with `mutex` held).
    void dropQueued() {
        for (const Entry& entry : queue) dropped.fetch_add(messagesIn(*entry.item.record), std::memory_order_relaxed);
        queue.clear();
        queued_bytes = 0;
    }

    void fail(ErrorInfo info) {
        {
            std::lock_guard lock(status_mutex);
            state = RecordingState::Failed;
            error = std::move(info);
        }
        failed = true;
        if (pause_requested.exchange(false)) callResume();   // readers must not wait on us
    }
};

Recorder::Recorder(RecordingId id, RecordingConfig config, std::function<void()> resume)
    : m_id(id), m_config(config), m_shared(std::make_shared<Shared>(id, std::move(config), std::move(resume))) {
    m_thread = std::thread(&Recorder::run, m_shared);
}

Recorder::~Recorder() { stop(std::chrono::milliseconds(2000)); }

OfferResult Recorder::offer(QueuedRecord item, std::size_t bytes, bool data, bool pausable) {
    Shared& s = *m_shared;
    if (s.failed.load(std::memory_order_relaxed)) {
        if (data) s.dropped.fetch_add(messagesIn(*item.record), std::memory_order_relaxed);
        return OfferResult::Dropped;
    }
    const auto* d = std::get_if<DataEvent>(&item.record->event);
    const auto key = std::make_pair(endpointOf(item.record->event), d ? d->connection : ConnectionId{0});
    bool notify = false;
    OfferResult result = OfferResult::Queued;
    {
        std::lock_guard lock(s.mutex);
        if (s.stop) return OfferResult::Dropped;
        const bool over = s.queued_bytes + bytes > m_config.queue_bytes && s.queued_bytes > 0;
        if (data && over && (m_config.on_full == RecordOnFull::Drop || !pausable)) {
            s.dropped.fetch_add(messagesIn(*item.record), std::memory_order_relaxed);
            if (d && d->connection) {
                auto& gap = s.gaps[key];
                (d->direction == Direction::Rx ? gap.first : gap.second) += messageBytes(*d);
            }
            return OfferResult::Dropped;
        }
        if (!s.gaps.empty()) {   // a connection's next record carries the hole before it
            std::visit([&](const auto& e) {
                if constexpr (requires { e.connection; }) {
                    auto it = s.gaps.find({e.endpoint, e.connection});
                    if (it == s.gaps.end()) return;
                    item.gap_rx = it->second.first;
                    item.gap_tx = it->second.second;
                    s.gaps.erase(it);
                }
            }, item.record->event);
        }
        notify = s.queue.empty();
        s.accepted.fetch_add(messagesIn(*item.record), std::memory_order_relaxed);
        s.queue.push_back({std::move(item), bytes});
        s.queued_bytes += bytes;
        if (data && over && pausable) {
            if (!s.pause_requested.exchange(true)) s.pauses.fetch_add(1, std::memory_order_relaxed);
            result = OfferResult::QueuedPause;
        }
    }
    if (notify) s.wake.notify_one();
    return result;
}

bool Recorder::pauseIfOverBudget() {
    Shared& s = *m_shared;
    if (m_config.on_full != RecordOnFull::Pause || s.failed.load(std::memory_order_relaxed)) return false;
    std::lock_guard lock(s.mutex);
    if (s.stop || s.queued_bytes <= m_config.queue_bytes) return false;
    if (!s.pause_requested.exchange(true)) s.pauses.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void Recorder::requestStop() {
    if (!m_stopAsked) m_stopAsked = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->stop = true;
    }
    m_shared->wake.notify_one();
}

bool Recorder::finished() const { return m_shared->finished.load(); }

bool Recorder::stop(std::chrono::milliseconds grace) {
    if (!m_thread.joinable()) return true;
    requestStop();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!finished() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (finished()) {
        m_thread.join();
        return true;
    }
    {
        std::lock_guard lock(m_shared->resume_mutex);   // the engine it would post to goes away
        m_shared->resume = nullptr;
    }
    // Stuck in a write (a FIFO nobody reads, a hung network disk): say so, and count what it
    // will not write, rather than end as if all were well.
    {   // what it holds unwritten (its batch in hand and the queue) counts as dropped
        std::lock_guard lock(m_shared->mutex);
        m_shared->queue.clear();
        m_shared->queued_bytes = 0;
        const std::uint64_t accepted = m_shared->accepted.load(), done = m_shared->records.load();
        if (accepted > done) m_shared->dropped.fetch_add(accepted - done, std::memory_order_relaxed);
    }
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - *m_stopAsked);
    const std::string seconds = std::to_string(waited.count() / 1000) + "." + std::to_string(waited.count() % 1000 / 100);
    m_shared->abandoned = true;
    m_shared->fail({"ETIMEDOUT",
                    "a write to " + m_config.path + " did not return within " + seconds +
                        " s of the stop (a FIFO nobody reads, a hung disk?): the records still queued were not written",
                    "停止后 " + seconds + " 秒内写入 " + m_config.path + " 仍未返回（无人读取的 FIFO？挂起的磁盘？）：队列中的记录未写入"});
    m_thread.detach();   // it holds its own share of the state
    return false;
}

RecordingStatus Recorder::status() const {
    const Shared& s = *m_shared;
    RecordingStatus status;
    status.recording = m_id;
    status.path = m_config.path;
    status.format = m_config.format;
    status.on_full = m_config.on_full;
    status.bytes_written = s.bytes.load();
    status.records = s.records.load();
    status.dropped = s.dropped.load();
    status.pauses = s.pauses.load();
    status.files = s.files.load();
    std::lock_guard lock(s.status_mutex);
    status.state = s.state;
    status.error = s.error;
    return status;
}

void Recorder::run(std::shared_ptr<Shared> shared) {
    nameThisThread(kRecorderThreadName);
    Shared& s = *shared;
    const RecordingConfig& config = s.config;
    RotationPolicy policy;
    policy.max_bytes = static_cast<std::uint64_t>(config.rotate_mb * 1e6);
    policy.max_age = std::chrono::milliseconds(static_cast<std::int64_t>(config.rotate_s * 1000));
    policy.keep = config.keep;
    const registry::TapDescriptor& kind = registry::tapKind(config.format);
    RotatingFile file(config.path, policy, kind.append);
    auto formatter = kind.create();   // the tap kind's factory (registry/endpoint_registry.cpp)
    RecordBuffer buffer;             // formatted bytes, large payloads by reference (one gather write)
    std::vector<std::size_t> ends;   // where each record ends in `buffer`: a full disk keeps the whole ones
    std::vector<std::uint64_t> messages;   // the messages of each record (counted in `records` when formatted)

    auto write = [&]() -> bool {
        if (buffer.empty()) return true;
        const std::uint64_t before = file.size();
        const auto ec = file.write(buffer, ends);
        if (ec) {
            // What reached the file whole is written; the records after it are dropped, not "written".
            const std::uint64_t kept = file.size() > before ? file.size() - before : 0;
            std::uint64_t lost = 0;
            for (std::size_t i = 0; i < ends.size(); ++i)
                if (ends[i] > kept) lost += messages[i];
            s.bytes.fetch_add(kept, std::memory_order_relaxed);
            s.records.fetch_sub(lost, std::memory_order_relaxed);
            s.dropped.fetch_add(lost, std::memory_order_relaxed);
            ends.clear();
            messages.clear();
            s.fail(describeFileError(ec, file.path().string(), FileOp::Write));
            return false;
        }
        ends.clear();
        messages.clear();
        s.bytes.fetch_add(buffer.size(), std::memory_order_relaxed);
        buffer.clear();
        return true;
    };
    std::uint64_t in_file = 0;   // records in the current file: a quiet one is not rotated (no empty files)
    bool rotate_due = false;     // its time is up: rotate before the next record
    auto begin = [&](bool rotating) -> bool {
        in_file = 0;
        if (auto ec = rotating ? file.rotate() : file.open()) {
            s.fail(describeFileError(ec, file.path().string(), rotating ? FileOp::NewFile : FileOp::Open));
            return false;
        }
        s.files = file.filesBegun();
        formatter->beginFile(buffer.bytes());
        return write();
    };

    bool ok = begin(false);
    std::deque<Shared::Entry> batch;
    auto next_check = std::chrono::steady_clock::now();
    while (ok) {
        bool stopping = false;
        {
            std::unique_lock lock(s.mutex);
            s.wake.wait_for(lock, kIdleWake, [&] { return !s.queue.empty() || s.stop; });
            batch.swap(s.queue);
            s.queued_bytes = 0;
            stopping = s.stop;
        }
        // Everything queued is ours now: a paused reader may go on while we write.
        if (s.pause_requested.exchange(false)) s.callResume();
        std::size_t taken = 0;   // entries of the batch formatted (the rest is lost if a write fails)
        for (auto& entry : batch) {
            ++taken;
            if (rotate_due) {   // the file's time is up: the new one begins with this record
                rotate_due = false;
                if (!(ok = write() && begin(true))) break;
            }
            const TapRecord& record = *entry.item.record;
            if (entry.item.gap_rx || entry.item.gap_tx) formatter->gap(record, entry.item.gap_rx, entry.item.gap_tx);
            formatter->appendRecord(record, buffer);
            ends.push_back(buffer.size());
            messages.push_back(messagesIn(record));
            ++in_file;
            s.records.fetch_add(messages.back(), std::memory_order_relaxed);
            if (policy.max_bytes > 0 && file.size() + buffer.size() >= policy.max_bytes) {
                if (!(ok = write() && begin(true))) break;
            } else if (buffer.size() >= kWriteChunk && !(ok = write())) {
                break;
            }
        }
        if (!ok)
            for (std::size_t i = taken; i < batch.size(); ++i)
                s.dropped.fetch_add(messagesIn(*batch[i].item.record), std::memory_order_relaxed);
        batch.clear();
        if (ok) ok = write();
        const auto now = std::chrono::steady_clock::now();
        if (ok && now >= next_check) {   // a few times a second: an fstat, not per write
            next_check = now + kDeletedCheck;
            if (file.deleted()) {
                s.fail(fileDeleted(file.path()));
                ok = false;
            }
        }
        // Time rotation: the next file begins with the next record, never empty — a quiet interval
        // would leave a file with only its header, which counts against `keep` and could push out a
        // file with data.
        if (ok && in_file > 0 && file.due(now)) rotate_due = true;
        if (stopping) break;
    }
    file.close();
    if (!ok) {   // what was queued is lost: count it
        std::lock_guard lock(s.mutex);
        s.dropQueued();
    } else if (!s.abandoned) {
        std::lock_guard lock(s.status_mutex);
        s.state = RecordingState::Stopped;
    }
    s.finished = true;
}

}  // namespace sockscope
