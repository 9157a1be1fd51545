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
/// null) receives a sentence naming the file and the reason.
std::error_code writeFileAtomic(const std::filesystem::path& path, std::string_view contents,
                                std::string* error = nullptr);

}  // namespace sockscope
