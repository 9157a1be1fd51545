#pragma once
// Where the app's read-only data (the demo and example profiles) is, found from the executable's
// own location so that any install prefix works without a compiled-in path:
//   <prefix>/bin/sockscope      -> <prefix>/share/sockscope   (cmake --install, the .deb)
//   <build>/src/sockscope       -> <build>/share/sockscope    (copied there at build time)
//   <dir>/sockscope.exe         -> <dir>                      (the Windows zip: profiles/ next to the .exe)
#include <filesystem>
#include <optional>
#include <vector>

namespace sockscope {

/// The running executable's absolute path (symlinks resolved on Linux); empty when the OS
/// cannot say.
[[nodiscard]] std::filesystem::path executablePath();

/// The first candidate data directory for `executable` (see above) that has a profiles/
/// subdirectory; nullopt when none has.
[[nodiscard]] std::optional<std::filesystem::path> findDataDirectory(const std::filesystem::path& executable);

/// The *.json files in `data_dir`/profiles, sorted by file name; empty when there are none or
/// the directory cannot be read.
[[nodiscard]] std::vector<std::filesystem::path> listExampleProfiles(const std::filesystem::path& data_dir);

}  // namespace sockscope
