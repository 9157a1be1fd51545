#include "core/util/atomic_file.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#endif

namespace sockscope {
namespace {

std::error_code fail(std::error_code ec, std::string* error, const std::string& what,
                     bool with_reason = true) {
    if (error != nullptr) *error = with_reason ? what + ": " + ec.message() : what;
    return ec;
}

// Unique within the process (counter) and across processes (pid), hidden on POSIX, and clearly
// ours if a crash ever leaves one behind.
std::filesystem::path tempPathFor(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
#ifdef _WIN32
    const unsigned long pid = GetCurrentProcessId();
#else
    const unsigned long pid = static_cast<unsigned long>(getpid());
#endif
    std::string name = ".";
    name += target.filename().string();
    name += ".tmp-";
    name += std::to_string(pid);
    name += '-';
    name += std::to_string(counter.fetch_add(1));
    return target.parent_path() / name;
}

/// The file a save lands in: through symbolic links, so that a linked profile (dotfiles) stays a
/// link and its target gets the new contents; at most 40 deep, as the kernel allows.
/// `via_fd` is set when the way passes a process's open file (/dev/stdout, /proc/self/fd/N).
std::error_code resolveLinks(std::filesystem::path& path, bool& via_fd) {
    namespace fs = std::filesystem;
    via_fd = false;
    for (int depth = 0; depth < 40; ++depth) {
        std::error_code ec;
        if (!fs::is_symlink(fs::symlink_status(path, ec))) return {};
        const std::string text = path.generic_string();
        via_fd = via_fd || text.rfind("/proc/", 0) == 0 || text.rfind("/dev/fd/", 0) == 0;
        const fs::path link = fs::read_symlink(path, ec);
        if (ec) return ec;
        path = link.is_absolute() ? link : path.parent_path() / link;
    }
    return std::make_error_code(std::errc::too_many_symbolic_link_levels);
}

#ifdef _WIN32

std::error_code lastError() { return {static_cast<int>(GetLastError()), std::system_category()}; }

std::error_code writeAndReplace(const std::filesystem::path& temp, const std::filesystem::path& target,
                                std::string_view contents, std::string* error) {
    HANDLE file = CreateFileW(temp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                              FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        return fail(lastError(), error, "cannot create a temporary file next to " + target.string());
    std::error_code ec;
    std::size_t done = 0;
    while (!ec && done < contents.size()) {
        const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(contents.size() - done, 1u << 30));
        DWORD written = 0;
        if (!WriteFile(file, contents.data() + done, chunk, &written, nullptr)) ec = lastError();
        done += written;
    }
    if (!ec && !FlushFileBuffers(file)) ec = lastError();
    if (!CloseHandle(file) && !ec) ec = lastError();
    if (ec) {
        DeleteFileW(temp.c_str());
        return fail(ec, error, "cannot write " + target.string());
    }
    if (!MoveFileExW(temp.c_str(), target.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        ec = lastError();
        DeleteFileW(temp.c_str());
        return fail(ec, error, "cannot replace " + target.string());
    }
    return {};
}

#else

std::error_code lastErrno() { return {errno, std::generic_category()}; }

std::error_code writeAndReplace(const std::filesystem::path& temp, const std::filesystem::path& target,
                                std::string_view contents, std::string* error) {
    // Keep the permissions of the file being replaced (e.g. a user's 0600); new files get 0666 & ~umask.
    mode_t mode = 0666;
    struct stat st {};
    const bool existed = ::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return fail(lastErrno(), error, "cannot create a temporary file next to " + target.string());
    if (existed) (void)::fchmod(fd, st.st_mode & 07777);

    std::error_code ec;
    std::size_t done = 0;
    while (done < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            ec = lastErrno();
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    if (!ec && ::fsync(fd) != 0) ec = lastErrno();
    if (::close(fd) != 0 && !ec) ec = lastErrno();
    if (ec) {
        ::unlink(temp.c_str());
        return fail(ec, error, "cannot write " + target.string());
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        ec = lastErrno();
        ::unlink(temp.c_str());
        return fail(ec, error, "cannot replace " + target.string());
    }
    // Make the rename itself durable; failure here does not undo a completed replace.
    const std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        (void)::fsync(dir_fd);
        ::close(dir_fd);
    }
    return {};
}

/// A FIFO, a device (/dev/null, /dev/full, a terminal) or what /dev/stdout leads to cannot be
/// replaced by a rename (that would put a regular file in its place): it is written to as it is.
/// Never blocks for long: a FIFO nobody reads is an error at once, a reader that stops is one
/// after 10 s without progress.
std::error_code writeThrough(const std::filesystem::path& path, std::string_view contents, bool append,
                             std::string* error) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | (append ? O_APPEND : 0));
    if (fd < 0) {
        if (errno == ENXIO)
            return fail(lastErrno(), error, "cannot write " + path.string() + ": no process has this FIFO open for reading",
                        false);
        return fail(lastErrno(), error, "cannot write " + path.string());
    }
    std::error_code ec;
    std::size_t done = 0;
    auto last_progress = std::chrono::steady_clock::now();
    while (done < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            last_progress = std::chrono::steady_clock::now();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            ec = lastErrno();
            break;
        }
        if (std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(10)) {
            ec = std::make_error_code(std::errc::timed_out);
            break;
        }
        pollfd wait{fd, POLLOUT, 0};
        (void)::poll(&wait, 1, 100);
    }
    ::close(fd);
    if (ec == std::errc::timed_out)
        return fail(ec, error,
                    "cannot write " + path.string() + ": the reader took nothing for 10 s (" + std::to_string(done) +
                        " of " + std::to_string(contents.size()) + " bytes written)",
                    false);
    if (ec) return fail(ec, error, "cannot write " + path.string());
    return {};
}

/// Saves `contents` to `path`: replaced atomically when it is (or will be) a regular file,
/// written through when it is something else.
std::error_code save(const std::filesystem::path& path, std::string_view contents, std::string* error) {
    struct stat followed {};
    const bool exists = ::stat(path.c_str(), &followed) == 0;
    if (exists && S_ISDIR(followed.st_mode))
        return fail(std::make_error_code(std::errc::is_a_directory), error, "cannot write " + path.string());
    if (exists && !S_ISREG(followed.st_mode)) return writeThrough(path, contents, false, error);
    std::filesystem::path target = path;
    bool via_fd = false;
    if (const auto ec = resolveLinks(target, via_fd)) return fail(ec, error, "cannot write " + path.string());
    // /dev/stdout redirected to a file: added to what the process writes there, not replaced.
    if (exists && via_fd) return writeThrough(path, contents, true, error);
    return writeAndReplace(tempPathFor(target), target, contents, error);
}

#endif

}  // namespace

std::filesystem::path followLinks(const std::filesystem::path& path) {
    std::filesystem::path target = path;
    bool via_fd = false;
    return resolveLinks(target, via_fd) ? path : target;
}

std::error_code writeFileAtomic(const std::filesystem::path& path, std::string_view contents,
                                std::string* error) {
    if (path.empty() || !path.has_filename())
        return fail(std::make_error_code(std::errc::invalid_argument), error,
                    "cannot write \"" + path.string() + "\": not a file path", false);
    if (contents.empty())
        return fail(std::make_error_code(std::errc::invalid_argument), error,
                    "refusing to write an empty file to " + path.string(), false);
#ifdef _WIN32
    std::filesystem::path target = path;
    bool via_fd = false;
    if (const auto ec = resolveLinks(target, via_fd)) return fail(ec, error, "cannot write " + path.string());
    return writeAndReplace(tempPathFor(target), target, contents, error);
#else
    return save(path, contents, error);
#endif
}

}  // namespace sockscope
