#pragma once
// Whole-file writes that never leave a half-written target: the contents go to a temporary file
// in the same directory, are flushed to disk, then renamed over the target in one step. A reader
// (or a crash) sees either the old file or the new one, never a mix.
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace sockscope {

/// Writes `contents` to `path` atomically (temp file + fsync + rename; MoveFileEx on Windows).
/// Refuses empty contents (std::errc::invalid_argument): an empty settings/profile file is
/// always a bug upstream, and overwriting a good file with nothing loses the user's work.
/// On failure the target is untouched, the temporary file is removed, and `error` (if not
/// null) receives a sentence naming the file and the reason. A symbolic link is followed (its
/// target is replaced, the link stays); a FIFO or a device (/dev/stdout, /dev/null) is written
/// to as it is, never replaced by a regular file.
std::error_code writeFileAtomic(const std::filesystem::path& path, std::string_view contents,
                                std::string* error = nullptr);

/// The file a save of `path` replaces: `path` itself, or what its symbolic links lead to (the
/// links stay links). `path` when a link cannot be read or the chain is too deep.
std::filesystem::path followLinks(const std::filesystem::path& path);

}  // namespace sockscope
