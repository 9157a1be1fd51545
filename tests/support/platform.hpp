#pragma once
// Test helper: where the tests run, for expectations that differ by OS (and under Wine, whose
// sockets are the Linux host's under a Windows API).
#if defined(_WIN32)
#include <windows.h>
#endif

namespace sockscope::test {

/// True when this Windows build runs under Wine (ntdll exports wine_get_version there).
inline bool underWine() {
#if defined(_WIN32)
    const HMODULE ntdll = ::GetModuleHandleA("ntdll.dll");
    return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
    return false;
#endif
}

}  // namespace sockscope::test
