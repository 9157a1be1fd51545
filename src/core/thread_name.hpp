#pragma once
// Names the calling thread so that top -H, perf and /proc/PID/task/*/comm tell the engine's
// threads apart (the bench reads the recorder writer's CPU time by its name). Linux only; on
// other systems a no-op: the name is a diagnostic and nothing depends on it.
#if defined(__linux__)
#include <pthread.h>
#endif

namespace sockscope {

/// `name`: up to 15 characters (the kernel's limit); a longer one is cut.
inline void nameThisThread(const char* name) noexcept {
#if defined(__linux__)
    char cut[16] = {};
    for (int i = 0; i < 15 && name[i] != '\0'; ++i) cut[i] = name[i];
    (void)pthread_setname_np(pthread_self(), cut);
#else
    (void)name;
#endif
}

/// The engine's I/O thread and a recorder's writer thread.
inline constexpr const char* kIoThreadName = "ss-io";
inline constexpr const char* kRecorderThreadName = "ss-record";

}  // namespace sockscope
