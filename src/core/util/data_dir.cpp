#include "core/util/data_dir.hpp"

#include <algorithm>
#include <system_error>

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <string>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>

#include <cstdint>
#include <string>
#endif

namespace sockscope {
namespace fs = std::filesystem;

fs::path executablePath() {
#if defined(_WIN32)
    std::wstring buffer(MAX_PATH, L'\0');
    for (int attempt = 0; attempt < 8; ++attempt) {   // 260 doubled up to 33,280: past 32,767, the longest path
        const DWORD n = GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
        if (n == 0) return {};
        if (n < buffer.size()) {
            buffer.resize(n);
            return fs::path(buffer);
        }
        buffer.resize(buffer.size() * 2);
    }
    return {};
#elif defined(__APPLE__)
    std::uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);   // asks for the size
    std::string buffer(size, '\0');
    if (_NSGetExecutablePath(buffer.data(), &size) != 0) return {};
    buffer.resize(buffer.find('\0') == std::string::npos ? buffer.size() : buffer.find('\0'));
    std::error_code ec;
    fs::path path = fs::weakly_canonical(buffer, ec);
    return ec ? fs::path(buffer) : path;
#else
    std::error_code ec;
    fs::path path = fs::read_symlink("/proc/self/exe", ec);   // Linux; other systems: empty
    return ec ? fs::path() : path;
#endif
}

std::optional<fs::path> findDataDirectory(const fs::path& executable) {
    if (executable.empty()) return std::nullopt;
    const fs::path dir = executable.parent_path();
    for (const fs::path& candidate : {dir.parent_path() / "share" / "sockscope", dir}) {
        std::error_code ec;
        if (fs::is_directory(candidate / "profiles", ec)) return candidate.lexically_normal();
    }
    return std::nullopt;
}

std::vector<fs::path> listExampleProfiles(const fs::path& data_dir) {
    std::vector<fs::path> profiles;
    std::error_code ec;
    fs::directory_iterator it(data_dir / "profiles", ec);
    // Bounded: a data directory holds a handful of examples; a huge one must not stall startup.
    for (std::size_t seen = 0; !ec && it != fs::directory_iterator() && seen < 1000; it.increment(ec), ++seen) {
        std::error_code type_ec;
        if (it->path().extension() == ".json" && it->is_regular_file(type_ec)) profiles.push_back(it->path());
    }
    std::sort(profiles.begin(), profiles.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    return profiles;
}

}  // namespace sockscope
