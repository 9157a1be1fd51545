#pragma once
// One recorder: a bounded queue filled on the I/O thread (the tap) and a writer thread that
// formats and writes whole records. Nothing here blocks the I/O thread: it only copies the record
// pointer into the queue. When the writer falls behind, TCP reads pause until it catches up
// (on_full "pause"; datagrams, which cannot be slowed, are dropped and counted) or records are
// dropped and counted (on_full "drop"). A write error stops the recorder with a plain-words
// error; the files written so far stay as they are.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/events.hpp"
#include "core/record/record_format.hpp"
#include "core/record/recording_config.hpp"

namespace sockscope {

/// One queued record. `gap_*`: bytes of this connection dropped just before it (on_full "drop"),
/// so a pcapng stream shows the hole instead of joining its two sides.
struct QueuedRecord {
    std::shared_ptr<const TapRecord> record;
    std::uint64_t gap_rx = 0, gap_tx = 0;
};

enum class OfferResult : std::uint8_t { Queued, QueuedPause, Dropped };

class Recorder {
public:
    /// `resume` is called (from the writer thread; it must only post) when a pause it asked for ends.
    Recorder(RecordingId id, RecordingConfig config, std::function<void()> resume);
    ~Recorder();   ///< stops, waiting at most 2 s for the writer
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    RecordingId id() const { return m_id; }
    const RecordingConfig& config() const { return m_config; }

    /// I/O thread. `data`: a data event (may be dropped over the budget); `pausable`: its source
    /// can be paused (TCP). Control records are always queued (their sources are bounded).
    OfferResult offer(QueuedRecord item, std::size_t bytes, bool data, bool pausable);
    /// I/O thread: the queue is over budget (on_full "pause"); the next drain below it resumes.
    [[nodiscard]] bool pauseIfOverBudget();

    /// Asks the writer to write what is queued and stop; returns at once.
    void requestStop();
    /// The writer has finished (after requestStop, or after a failure it reported).
    bool finished() const;
    /// requestStop, then waits up to `grace` for the writer; false when it is still stuck (in a
    /// write to a dead disk): it is then left to end on its own.
    bool stop(std::chrono::milliseconds grace);

    RecordingStatus status() const;

private:
    struct Shared;
    static void run(std::shared_ptr<Shared> shared);

    RecordingId m_id;
    RecordingConfig m_config;
    std::shared_ptr<Shared> m_shared;   // also held by the writer thread (it may outlive us)
    std::thread m_thread;
    std::optional<std::chrono::steady_clock::time_point> m_stopAsked;   // the first requestStop()
};

}  // namespace sockscope
