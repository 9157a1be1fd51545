#pragma once
// Test helper: a fresh, empty directory per test under the system's temp directory, named by
// the suite's prefix, the process id (parallel ctest runs) and the test; and a whole file read back.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#if defined(_WIN32)
#include <process.h>
#else
#include <unistd.h>
#endif

namespace sockscope::test {

inline std::filesystem::path freshDir(const std::string& prefix, const std::string& name) {
#if defined(_WIN32)
    const long pid = ::_getpid();
#else
    const long pid = ::getpid();
#endif
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sockscope-" + prefix + "-" + std::to_string(pid) + "-" + name);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir);
    return dir;
}

inline std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace sockscope::test
