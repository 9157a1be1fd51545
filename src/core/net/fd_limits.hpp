#pragma once
// How many files/sockets the process may open and how many it has open: for the EMFILE message
// and for tests that check no descriptor leaks.
#include <cstddef>

namespace sockscope {

/// The soft limit of open file descriptors (RLIMIT_NOFILE, "ulimit -n") on POSIX; 0 when the OS
/// has no such per-process limit or it cannot be read (Windows). SIZE_MAX when unlimited.
std::size_t openFileLimit();

/// The number of file descriptors the process has open right now (Linux: entries of
/// /proc/self/fd, not counting the one used to read it); 0 where it cannot be counted.
std::size_t openFileCount();

}  // namespace sockscope
