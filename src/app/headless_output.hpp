#pragma once
// The headless runner's stdout: whole lines, written without ever blocking the runner's loop, so a
// slow reader cannot stall it and a vanished reader (`| head -n 2`) is noticed at once.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace sockscope {

/// Lines wait in a buffer bounded in bytes (the limit plus one line) while the reader is slow; the
/// caller holds back while there is no room, and once the reader has stalled (no progress for
/// kStallTimeout) lines are refused (the caller counts them as unprinted) instead of blocking or
/// growing the buffer. On a
/// pipe, every write() holds whole lines of at most PIPE_BUF bytes, which the kernel writes whole
/// or not at all, so a reader never sees half a line unless a line is longer than that.
class LineOutput {
public:
    /// `fd` is written non-blocking: a pipe or socket gets O_NONBLOCK (restored by the destructor),
    /// a terminal is reopened privately (its flags are shared with the shell), a file is left as is.
    explicit LineOutput(int fd, std::size_t max_buffered_bytes = std::size_t(4) << 20);
    ~LineOutput();
    LineOutput(const LineOutput&) = delete;
    LineOutput& operator=(const LineOutput&) = delete;

    /// The reader made no progress for this long while the buffer was full: it has stalled.
    static constexpr std::chrono::milliseconds kStallTimeout{1000};

    /// Queues `line` + '\n' while the buffer is below its limit (whatever the line's size).
    /// `weight` 0 marks a line that discardUnstarted keeps. False when refused.
    [[nodiscard]] bool tryWrite(std::string_view line, std::uint64_t weight = 1);
    /// Room beyond the limit kept for the answers to command lines: they are never refused for
    /// data events' sake; when even this is full the run stops taking command lines (the channel
    /// waits, not the runner) until the reader has taken some.
    static constexpr std::size_t kAnswerRoom = std::size_t(256) << 10;
    /// Queues an answer (weight 0: kept by discardUnstarted) while there is answer room.
    [[nodiscard]] bool tryWriteAnswer(std::string_view line);
    /// The next tryWriteAnswer succeeds.
    bool hasAnswerRoom() const { return !failed() && bufferedBytes() < m_maxBytes + kAnswerRoom; }
    /// Room over the limit for the rest of an event begun below it: the lines of all the frames of
    /// one read (1-byte frames of a 256 KiB read are ~40 MB of JSON: the rest is unprinted).
    static constexpr std::size_t kEventOverrun = std::size_t(32) << 20;
    /// Starts an event's lines: true when there is room, and then the stall clock starts afresh
    /// (the reader gets kStallTimeout from here, however long the event's lines are).
    [[nodiscard]] bool beginEvent();
    /// Queues a line of an event begun with room, over the limit by up to kEventOverrun.
    [[nodiscard]] bool tryWriteOfEvent(std::string_view line, std::uint64_t weight);
    /// The event's lines are queued: the reader's kStallTimeout starts now (the time spent
    /// formatting them was the runner's, not the reader's).
    void endEvent() { m_lastProgress = std::chrono::steady_clock::now(); }
    /// Queues `line` whatever the buffer holds: for the few lines a stopping run must print.
    void forceWrite(std::string_view line, std::uint64_t weight = 0);

    /// Writes what the descriptor takes now, without waiting.
    void flush();
    /// Waits until the descriptor can take more (at most `timeout`), then flushes.
    void waitWritable(std::chrono::milliseconds timeout);
    /// Flushes until the buffer is empty or `deadline`; true when everything was written.
    bool drain(std::chrono::steady_clock::time_point deadline);
    /// Notices a reader that went away while nothing is being written (closed pipe, hang-up).
    void checkReader();
    /// Drops the buffered lines of weight > 0 not yet begun (a partly written line stays, to be
    /// finished); returns the sum of their weights.
    std::uint64_t discardUnstarted();

    /// Below the limit: the next tryWrite succeeds.
    bool hasRoom() const { return !failed() && bufferedBytes() < m_maxBytes; }
    /// Full, and nothing was written for kStallTimeout.
    bool stalled() const;

    bool failed() const { return !m_failure.empty(); }
    /// Why the output failed, in plain words ("" while it works).
    const std::string& failure() const { return m_failure; }
    std::size_t bufferedBytes() const { return m_buffer.size() - m_head; }

private:
    struct Line {
        std::size_t size;        // with its '\n'
        std::uint64_t weight;
    };
    void append(std::string_view line, std::uint64_t weight);
    std::size_t nextChunk() const;
    void consume(std::size_t bytes);
    void fail(int error);

    int m_fd;
    int m_ownFd = -1;            // a terminal reopened with O_NONBLOCK
    int m_savedFlags = -1;       // flags to restore on m_fd
    std::size_t m_maxBytes;
    std::string m_buffer;        // unwritten bytes from m_head on
    std::size_t m_head = 0;
    std::deque<Line> m_lines;    // the lines in the buffer; the front one may be partly written
    std::size_t m_frontWritten = 0;
    std::string m_failure;
    std::chrono::steady_clock::time_point m_lastProgress = std::chrono::steady_clock::now();
};

}  // namespace sockscope
