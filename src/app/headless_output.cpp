#include "app/headless_output.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#if defined(_WIN32)
#include <io.h>
#else
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sockscope {
namespace {

#if defined(PIPE_BUF)
constexpr std::size_t kAtomicWrite = PIPE_BUF;
#else
constexpr std::size_t kAtomicWrite = 512;   // the POSIX minimum
#endif

}  // namespace

#if defined(_WIN32)
// Windows consoles and pipes have no portable non-blocking mode: plain writes there.
LineOutput::LineOutput(int fd, std::size_t max_buffered_bytes) : m_fd(fd), m_maxBytes(max_buffered_bytes) {}
LineOutput::~LineOutput() = default;
void LineOutput::waitWritable(std::chrono::milliseconds) { flush(); }
void LineOutput::checkReader() {}
#else
LineOutput::LineOutput(int fd, std::size_t max_buffered_bytes) : m_fd(fd), m_maxBytes(max_buffered_bytes) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        fail(errno);
        return;
    }
    if (S_ISREG(info.st_mode) || S_ISBLK(info.st_mode)) return;   // never waits on a reader
    if (::isatty(fd)) {
        // The terminal's open file is shared with the shell: O_NONBLOCK on it would leak into the
        // shell. A private open of the same terminal has its own flags.
        if (const char* name = ::ttyname(fd)) {
            m_ownFd = ::open(name, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
            if (m_ownFd >= 0) {
                m_fd = m_ownFd;
                return;
            }
        }
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0) m_savedFlags = flags;
}

LineOutput::~LineOutput() {
    if (m_ownFd >= 0) ::close(m_ownFd);
    if (m_savedFlags >= 0) ::fcntl(m_fd, F_SETFL, m_savedFlags);
}

void LineOutput::waitWritable(std::chrono::milliseconds timeout) {
    if (failed()) return;
    pollfd p{m_fd, POLLOUT, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
    if (ready > 0 && (p.revents & POLLNVAL)) return fail(EBADF);
    flush();   // a POLLERR (reader gone) shows up as EPIPE here
}

void LineOutput::checkReader() {
    if (failed()) return;
    pollfd p{m_fd, POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0) return;
    if (p.revents & POLLNVAL) fail(EBADF);
    else if (p.revents & POLLERR) fail(EPIPE);
    else if ((p.revents & POLLHUP) && !(p.revents & POLLOUT)) fail(EPIPE);
}
#endif

bool LineOutput::tryWrite(std::string_view line, std::uint64_t weight) {
    if (!hasRoom()) return false;
    m_lastProgress = std::chrono::steady_clock::now();   // a stall is measured from when it filled up
    append(line, weight);
    return true;
}

bool LineOutput::tryWriteAnswer(std::string_view line) {
    if (!hasAnswerRoom()) return false;
    // Above the limit an answer does not restart the stall clock: only the reader's progress does.
    if (hasRoom()) m_lastProgress = std::chrono::steady_clock::now();
    append(line, 0);
    return true;
}

bool LineOutput::beginEvent() {
    if (!hasRoom()) return false;
    m_lastProgress = std::chrono::steady_clock::now();
    return true;
}

bool LineOutput::tryWriteOfEvent(std::string_view line, std::uint64_t weight) {
    if (failed() || bufferedBytes() >= m_maxBytes + kEventOverrun) return false;
    append(line, weight);
    return true;
}

bool LineOutput::stalled() const {
    return !hasRoom() && std::chrono::steady_clock::now() - m_lastProgress >= kStallTimeout;
}

void LineOutput::forceWrite(std::string_view line, std::uint64_t weight) {
    if (!failed()) append(line, weight);
}

void LineOutput::append(std::string_view line, std::uint64_t weight) {
    m_buffer.append(line);
    m_buffer += '\n';
    m_lines.push_back(Line{line.size() + 1, weight});
}

/// Bytes for the next write(): the rest of a partly written line alone, else as many whole lines
/// as fit in one atomic pipe write, else one long line.
std::size_t LineOutput::nextChunk() const {
    if (m_lines.empty()) return 0;
    if (m_frontWritten > 0) return m_lines.front().size - m_frontWritten;
    std::size_t chunk = 0;
    for (const Line& line : m_lines) {
        if (chunk + line.size > kAtomicWrite) break;
        chunk += line.size;
    }
    return chunk > 0 ? chunk : m_lines.front().size;
}

void LineOutput::flush() {
    while (!failed() && !m_lines.empty()) {
        const std::size_t chunk = nextChunk();
#if defined(_WIN32)
        const auto n = ::_write(m_fd, m_buffer.data() + m_head, static_cast<unsigned>(chunk));
#else
        const auto n = ::write(m_fd, m_buffer.data() + m_head, chunk);
#endif
        if (n > 0) {
            consume(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        return fail(n < 0 ? errno : EIO);
    }
}

void LineOutput::consume(std::size_t bytes) {
    m_lastProgress = std::chrono::steady_clock::now();
    m_head += bytes;
    while (bytes > 0) {
        const std::size_t rest = m_lines.front().size - m_frontWritten;
        if (bytes < rest) {
            m_frontWritten += bytes;
            break;
        }
        bytes -= rest;
        m_frontWritten = 0;
        m_lines.pop_front();
    }
    if (m_lines.empty()) {
        m_buffer.clear();
        m_head = 0;
    } else if (m_head > (std::size_t(1) << 20) && m_head * 2 > m_buffer.size()) {
        m_buffer.erase(0, m_head);   // amortised: at most once per buffer-size of output
        m_head = 0;
    }
}

bool LineOutput::drain(std::chrono::steady_clock::time_point deadline) {
    flush();
    while (!failed() && !m_lines.empty()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        waitWritable(std::min(left + std::chrono::milliseconds(1), std::chrono::milliseconds(100)));
    }
    return !failed();
}

std::uint64_t LineOutput::discardUnstarted() {
    std::uint64_t weight = 0;
    std::string kept;
    std::deque<Line> kept_lines;
    std::size_t at = m_head;
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        const Line& line = m_lines[i];
        const std::size_t rest = line.size - (i == 0 ? m_frontWritten : 0);
        if ((i == 0 && m_frontWritten > 0) || line.weight == 0) {
            kept.append(m_buffer, at, rest);
            kept_lines.push_back(line);
        } else {
            weight += line.weight;
        }
        at += rest;
    }
    m_buffer = std::move(kept);
    m_head = 0;
    m_lines = std::move(kept_lines);
    return weight;
}

void LineOutput::fail(int error) {
    if (error == EPIPE) m_failure = "stdout was closed by its reader";
    else if (error == EBADF) m_failure = "stdout is not open";
    else m_failure = std::string("cannot write to stdout: ") + std::strerror(error);
    m_buffer.clear();
    m_head = 0;
    m_lines.clear();
    m_frontWritten = 0;
}

}  // namespace sockscope
