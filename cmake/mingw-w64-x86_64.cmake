# Cross-build for 64-bit Windows with Debian's mingw-w64 (posix thread model: std::thread works).
# Used by `scripts/dev.sh windows`; the dependencies come from cmake/SockscopeWindowsDeps.cmake.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_AR /usr/bin/x86_64-w64-mingw32-gcc-ar-posix CACHE FILEPATH "")
set(CMAKE_RANLIB /usr/bin/x86_64-w64-mingw32-gcc-ranlib-posix CACHE FILEPATH "")
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Static libgcc/libstdc++/winpthread: the .exe imports only system DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# Tests run the .exe through Wine (gtest discovery, ctest).
set(CMAKE_CROSSCOMPILING_EMULATOR wine CACHE STRING "")
