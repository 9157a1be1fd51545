#include "core/net/fd_limits.hpp"

#include <cstdint>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/resource.h>
#endif
#if defined(__linux__)
#include <dirent.h>
#include <cstdlib>
#endif

namespace sockscope {

std::size_t openFileLimit() {
#if defined(__unix__) || defined(__APPLE__)
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
    return static_cast<std::size_t>(limit.rlim_cur);
#else
    return 0;
#endif
}

std::size_t openFileCount() {
#if defined(__linux__)
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) return 0;
    const int own_fd = ::dirfd(dir);
    std::size_t count = 0;
    while (const dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;  // ".", ".."
        if (std::atoi(entry->d_name) == own_fd) continue;
        ++count;
    }
    ::closedir(dir);
    return count;
#else
    return 0;
#endif
}

}  // namespace sockscope
