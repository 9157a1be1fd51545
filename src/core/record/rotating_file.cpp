#include "core/record/rotating_file.hpp"

#include <cerrno>
#include <vector>

#if !defined(_WIN32)
#include <climits>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#endif

#include "core/net/error_text.hpp"

namespace sockscope {

namespace fs = std::filesystem;

RotatingFile::RotatingFile(fs::path path, RotationPolicy policy, bool append)
    : m_path(std::move(path)), m_policy(policy), m_append(append) {}

RotatingFile::~RotatingFile() { close(); }

fs::path RotatingFile::numbered(const fs::path& path, std::uint32_t n) {
    fs::path out = path.parent_path() / path.stem();
    out += "." + std::to_string(n);
    out += path.extension();
    return out;
}

std::error_code RotatingFile::open() {
    std::error_code ec;
    const fs::path dir = m_path.parent_path();
    // Missing directories are made for the first file only: one that vanishes later is an error
    // the user must hear about, not something to paper over.
    if (m_files == 0 && !dir.empty() && !fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec) return ec;
    }
    // A previous run's file becomes .1 — a regular file only: a FIFO or a device (/dev/null) is
    // written as it is, never moved.
    if (!m_append && m_files == 0 && fs::is_regular_file(m_path, ec)) {
        const auto size = fs::file_size(m_path, ec);
        // The previous run's file is kept (as .1) whatever `keep` says; older numbered files still
        // count against it, so restarts do not pile files up without end.
        if (!ec && size > 0)
            if (auto shifted = shift(false)) return shifted;
    }
    errno = 0;
#if defined(_WIN32)
    m_file = ::_wfopen(m_path.c_str(), m_append ? L"ab" : L"wb");
#else
    m_file = std::fopen(m_path.c_str(), m_append ? "ab" : "wb");
#endif
    if (!m_file) return std::error_code(errno ? errno : EIO, std::generic_category());
    std::setvbuf(m_file, nullptr, _IONBF, 0);   // our buffers are whole records: one write each
    m_size = m_append && fs::is_regular_file(m_path, ec) ? static_cast<std::uint64_t>(fs::file_size(m_path, ec)) : 0;
    if (ec) m_size = 0;
    ++m_files;
    m_openedAt = std::chrono::steady_clock::now();
    return {};
}

std::error_code RotatingFile::write(std::string_view bytes) { return write(bytes, {}); }

std::error_code RotatingFile::write(std::string_view bytes, std::span<const std::size_t> ends) {
    if (!m_file) return std::make_error_code(std::errc::bad_file_descriptor);
    const std::uint64_t whole = m_size;   // a record boundary: every buffer holds whole records
    if (const int error = writeFully(bytes.data(), bytes.size())) return failed(error, whole, ends);
    return {};
}

int RotatingFile::writeFully(const void* data, std::size_t size) {
    const auto* at = static_cast<const char*>(data);
    while (size > 0) {
        errno = 0;
        const std::size_t n = std::fwrite(at, 1, size, m_file);
        m_size += n;
        at += n;
        size -= n;
        if (n == 0 || std::ferror(m_file)) {
            const int error = errno ? errno : EIO;
            if (error != EINTR) return error;
            std::clearerr(m_file);
        }
    }
    return 0;
}

std::error_code RotatingFile::failed(int error, std::uint64_t whole, std::span<const std::size_t> ends) {
    // Keep the last record that reached the file whole (what stdio still held is lost).
    std::fflush(m_file);
    std::error_code size_error;
    const std::uint64_t actual = std::filesystem::file_size(m_path, size_error);
    std::uint64_t keep = whole;
    if (!size_error)
        for (const std::size_t end : ends)
            if (whole + end <= actual) keep = whole + end;
    cutBackTo(keep);
    return std::error_code(error, std::generic_category());
}

std::error_code RotatingFile::write(const RecordBuffer& buffer, std::span<const std::size_t> ends) {
    if (buffer.refs().empty()) return write(buffer.bytes(), ends);
    if (!m_file) return std::make_error_code(std::errc::bad_file_descriptor);
    const std::uint64_t whole = m_size;
    // The pieces in file order: bytes up to a reference, the referenced payload, ... the rest.
    std::vector<std::span<const std::uint8_t>> pieces;
    pieces.reserve(2 * buffer.refs().size() + 1);
    const auto* text = reinterpret_cast<const std::uint8_t*>(buffer.bytes().data());
    std::size_t at = 0;
    for (const RecordBuffer::Ref& ref : buffer.refs()) {
        if (ref.at > at) pieces.emplace_back(text + at, ref.at - at);
        pieces.push_back(ref.bytes.view());
        at = ref.at;
    }
    if (buffer.bytes().size() > at) pieces.emplace_back(text + at, buffer.bytes().size() - at);
#if defined(_WIN32)
    for (const auto piece : pieces)   // no writev: the unbuffered FILE writes each piece as it comes
        if (const int error = writeFully(piece.data(), piece.size())) return failed(error, whole, ends);
#else
    const int fd = ::fileno(m_file);   // unbuffered FILE: nothing of ours waits in stdio
    std::vector<iovec> iov;
    std::size_t next = 0, skip = 0;    // the first piece not fully written, and its bytes written
    while (next < pieces.size()) {
        iov.clear();
        for (std::size_t i = next; i < pieces.size() && iov.size() < IOV_MAX; ++i) {
            const std::size_t from = i == next ? skip : 0;
            iov.push_back({const_cast<std::uint8_t*>(pieces[i].data() + from), pieces[i].size() - from});
        }
        errno = 0;
        const ssize_t n = ::writev(fd, iov.data(), static_cast<int>(iov.size()));
        if (n <= 0) {
            const int error = n < 0 && errno ? errno : EIO;
            if (error == EINTR) continue;
            return failed(error, whole, ends);
        }
        m_size += static_cast<std::uint64_t>(n);
        std::size_t left = static_cast<std::size_t>(n);
        while (left > 0) {
            const std::size_t rest = pieces[next].size() - skip;
            if (left < rest) {
                skip += left;
                break;
            }
            left -= rest;
            ++next;
            skip = 0;
        }
    }
#endif
    return {};
}

void RotatingFile::cutBackTo(std::uint64_t size) {
    close();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(m_path, ec)) return;   // a FIFO or a device keeps what it got
    std::filesystem::resize_file(m_path, size, ec);   // best effort: on failure the torn tail stays
    if (!ec) m_size = size;
}

bool RotatingFile::deleted() const {
#if defined(_WIN32)
    return false;
#else
    struct stat st {};
    return m_file && ::fstat(::fileno(m_file), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0;
#endif
}

bool RotatingFile::due(std::chrono::steady_clock::time_point now) const {
    if (!m_file) return false;
    if (m_policy.max_bytes > 0 && m_size >= m_policy.max_bytes) return true;
    return m_policy.max_age.count() > 0 && now - m_openedAt >= m_policy.max_age;
}

std::error_code RotatingFile::shift(bool prune) {
    std::error_code ec;
    std::uint32_t last = 1;   // the first free number (keep 0: keep them all)
    while (fs::exists(numbered(m_path, last), ec)) ++last;
    // At a rotation FILE and .1 … .keep-1 stay; at the start the previous run's file (.1) stays too.
    const std::uint32_t most = prune ? m_policy.keep - 1 : std::max<std::uint32_t>(m_policy.keep, 2) - 1;
    if (m_policy.keep > 0 && last > most) {
        // Those past `most` go, also ones an earlier run with a larger keep left behind.
        for (std::uint32_t n = std::max<std::uint32_t>(most, 1) + 1; n < last; ++n) fs::remove(numbered(m_path, n), ec);
        last = most;
    }
    if (prune && m_policy.keep == 1) return fs::remove(m_path, ec), ec;   // only the current one is kept
    fs::remove(numbered(m_path, last), ec);
    for (std::uint32_t n = last; n > 1; --n) {
        const fs::path from = numbered(m_path, n - 1);
        if (fs::exists(from, ec)) fs::rename(from, numbered(m_path, n), ec);
        if (ec) return ec;
    }
    fs::rename(m_path, numbered(m_path, 1), ec);
    return ec;
}

std::error_code RotatingFile::rotate() {
    close();
    std::error_code probe;
    if (!fs::is_regular_file(m_path, probe)) return open();   // a FIFO or a device: nothing to move
    if (auto ec = shift(true)) return ec;
    const bool append = m_append;
    m_append = false;
    const auto ec = open();
    m_append = append;
    return ec;
}

void RotatingFile::close() {
    if (m_file) std::fclose(m_file);
    m_file = nullptr;
}

}  // namespace sockscope
