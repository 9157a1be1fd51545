# Every dependency comes from the system (Debian packages) or vcpkg; nothing is downloaded.
find_package(Threads REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)

# Standalone Asio is header-only and ships no CMake or pkg-config file on Debian.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(asio_standalone INTERFACE)
target_include_directories(asio_standalone SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
# ASIO_DISABLE_STD_ALIGNED_ALLOC: asio 1.22 decides between aligned_alloc and operator new from
# _GLIBCXX_HAVE_ALIGNED_ALLOC, which is only defined once a standard header came first. Translation
# units that include asio first then disagree with the rest, and a handler block allocated in one
# is freed in another (ASan: alloc-dealloc-mismatch). One choice for every unit.
target_compile_definitions(asio_standalone INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED
  ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(asio_standalone INTERFACE Threads::Threads)
if(WIN32)
  target_link_libraries(asio_standalone INTERFACE ws2_32 mswsock iphlpapi)
  target_compile_definitions(asio_standalone INTERFACE _WIN32_WINNT=0x0A00)
endif()

find_package(CLI11 CONFIG QUIET)
if(NOT CLI11_FOUND)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 SYSTEM INTERFACE ${CLI11_INCLUDE_DIR})
endif()

# PCRE2, 8-bit: the message matcher's regular expressions (never std::regex: its recursion overflows
# the stack on a long message). Debian ships a pkg-config file, vcpkg a CMake package.
add_library(sockscope_pcre2 INTERFACE)
find_package(PCRE2 CONFIG QUIET COMPONENTS 8BIT)
if(TARGET PCRE2::8BIT)
  target_link_libraries(sockscope_pcre2 INTERFACE PCRE2::8BIT)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SOCKSCOPE_PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
  target_link_libraries(sockscope_pcre2 INTERFACE PkgConfig::SOCKSCOPE_PCRE2)
endif()

if(SOCKSCOPE_BUILD_GUI)
  include(SockscopeImGui)
endif()

if(SOCKSCOPE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
