#pragma once
// The file a recorder writes, on its writer thread only: whole buffers at a time (unbuffered
// FILE, one write per batch, so after a kill -9 the file ends at a record boundary or in the
// last record), rotation by size and/or age with N files kept:
//   session.pcapng (being written), session.1.pcapng (the previous), ... session.<keep-1>.pcapng
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <span>
#include <string_view>
#include <system_error>

#include "core/net/error_text.hpp"
#include "core/record/record_buffer.hpp"

namespace sockscope {

struct RotationPolicy {
    std::uint64_t max_bytes = 0;            // 0: no size limit
    std::chrono::milliseconds max_age{0};   // 0: no time limit
    std::uint32_t keep = 10;                // files kept with the current one; 0: all
};

class RotatingFile {
public:
    /// `append`: keep adding to an existing file (receive to file); otherwise an existing file is
    /// rotated away (it becomes .1) so nothing recorded before is overwritten — nor deleted: that
    /// first move prunes nothing; the files it moved count against `keep` at later rotations.
    RotatingFile(std::filesystem::path path, RotationPolicy policy, bool append);
    ~RotatingFile();
    RotatingFile(const RotatingFile&) = delete;
    RotatingFile& operator=(const RotatingFile&) = delete;

    /// Creates missing parent directories, then opens the file.
    [[nodiscard]] std::error_code open();
    /// Writes all of `bytes` or fails (ENOSPC, EACCES, EIO...). A failed write closes the file and
    /// cuts it back to where this write began, so a full disk leaves whole records only (pcapng
    /// blocks, JSON lines) that every reader takes without complaint.
    [[nodiscard]] std::error_code write(std::string_view bytes);
    /// write() of whole records ending at `ends` (offsets into `bytes`, ascending): a failed write
    /// (disk full) keeps the records it completed, not only what the file held before.
    [[nodiscard]] std::error_code write(std::string_view bytes, std::span<const std::size_t> ends);
    /// The same for a gather buffer (its bytes with the referenced payloads in place, `ends` in
    /// its size()): one writev per up to 1,024 pieces, no copy into one string first.
    [[nodiscard]] std::error_code write(const RecordBuffer& buffer, std::span<const std::size_t> ends);
    /// True when the current file is over its size or age.
    bool due(std::chrono::steady_clock::time_point now) const;
    /// The open file was deleted (or its directory): writing on would only fill a file nobody can
    /// see any more. False where the OS keeps open files from being deleted (Windows).
    [[nodiscard]] bool deleted() const;
    /// Closes the current file, shifts the numbered ones (dropping the oldest past `keep`), opens a new one.
    [[nodiscard]] std::error_code rotate();
    void close();

    const std::filesystem::path& path() const { return m_path; }
    std::uint64_t size() const { return m_size; }
    std::uint32_t filesBegun() const { return m_files; }
    /// The name of the n-th older file: session.pcapng → session.<n>.pcapng.
    static std::filesystem::path numbered(const std::filesystem::path& path, std::uint32_t n);

private:
    /// Moves the current file to .1 (and .1 to .2 ...); `prune`: drops what is past `keep`.
    [[nodiscard]] std::error_code shift(bool prune);
    void cutBackTo(std::uint64_t size);
    /// fwrite all of it, again after EINTR; 0 or the errno of the failure (m_size counts what left).
    [[nodiscard]] int writeFully(const void* data, std::size_t size);
    /// After a failed write: keep the records of `ends` (from `whole` on) that reached the file.
    std::error_code failed(int error, std::uint64_t whole, std::span<const std::size_t> ends);

    std::filesystem::path m_path;
    RotationPolicy m_policy;
    bool m_append;
    std::FILE* m_file = nullptr;
    std::uint64_t m_size = 0;
    std::uint32_t m_files = 0;
    std::chrono::steady_clock::time_point m_openedAt;
};

}  // namespace sockscope
