# Dependencies of the Windows cross-build (scripts/dev.sh windows, toolchain cmake/mingw-w64-x86_64.cmake).
# SOCKSCOPE_WINDOWS_DEPS is the build directory's _deps: the Debian *source* packages of GLFW 3.3.8,
# ImGui 1.86 and PCRE2 10.42 unpacked there at build time, and include/ with symlinks to the header-only
# libraries of the build machine (asio, nlohmann, CLI11, stb_image_write: never /usr/include itself,
# whose glibc headers break mingw). GoogleTest builds from /usr/src/googletest. Nothing is committed.
set(_deps ${SOCKSCOPE_WINDOWS_DEPS})
find_package(Threads REQUIRED)

add_library(sockscope_headers INTERFACE)
target_include_directories(sockscope_headers SYSTEM INTERFACE ${_deps}/include)

add_library(asio_standalone INTERFACE)
target_link_libraries(asio_standalone INTERFACE sockscope_headers Threads::Threads ws2_32 mswsock iphlpapi)
target_compile_definitions(asio_standalone INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED
  ASIO_DISABLE_STD_ALIGNED_ALLOC _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
add_library(nlohmann_json::nlohmann_json ALIAS sockscope_headers)
add_library(CLI11::CLI11 ALIAS sockscope_headers)

# PCRE2 (the matcher's regular expressions): the 8-bit library, static, with JIT; no tools, no tests.
set(BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
set(BUILD_STATIC_LIBS ON CACHE BOOL "" FORCE)
foreach(_off PCRE2_BUILD_PCRE2GREP PCRE2_BUILD_TESTS PCRE2_SHOW_REPORT PCRE2_SUPPORT_LIBBZ2 PCRE2_SUPPORT_LIBZ
             PCRE2_SUPPORT_LIBEDIT PCRE2_SUPPORT_LIBREADLINE)
  set(${_off} OFF CACHE BOOL "" FORCE)
endforeach()
set(PCRE2_SUPPORT_JIT ON CACHE BOOL "" FORCE)
add_subdirectory(${_deps}/pcre2-10.42 ${CMAKE_BINARY_DIR}/_pcre2 SYSTEM EXCLUDE_FROM_ALL)
add_library(sockscope_pcre2 INTERFACE)
target_link_libraries(sockscope_pcre2 INTERFACE pcre2-8-static)   # PUBLIC PCRE2_STATIC comes with it

if(SOCKSCOPE_BUILD_GUI)
  set(GLFW_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
  set(GLFW_BUILD_TESTS OFF CACHE BOOL "" FORCE)
  set(GLFW_BUILD_DOCS OFF CACHE BOOL "" FORCE)
  set(GLFW_INSTALL OFF CACHE BOOL "" FORCE)
  add_subdirectory(${_deps}/glfw3-3.3.8 ${CMAKE_BINARY_DIR}/_glfw SYSTEM EXCLUDE_FROM_ALL)

  set(_imgui ${_deps}/imgui-1.86+ds)
  add_library(sockscope_imgui_lib STATIC
    ${_imgui}/imgui.cpp ${_imgui}/imgui_draw.cpp ${_imgui}/imgui_tables.cpp
    ${_imgui}/imgui_widgets.cpp ${_imgui}/imgui_demo.cpp
    ${_imgui}/backends/imgui_impl_glfw.cpp ${_imgui}/backends/imgui_impl_opengl3.cpp
    ${_imgui}/misc/cpp/imgui_stdlib.cpp
    ${CMAKE_CURRENT_LIST_DIR}/windows/stb_image_write_impl.c)
  # <imgui.h>, <backends/imgui_impl_glfw.h> and <imgui_stdlib.h> as on Debian.
  target_include_directories(sockscope_imgui_lib SYSTEM PUBLIC ${_imgui} ${_imgui}/misc/cpp)
  target_link_libraries(sockscope_imgui_lib PUBLIC glfw opengl32 sockscope_headers)
  add_library(sockscope_imgui INTERFACE)
  target_link_libraries(sockscope_imgui INTERFACE sockscope_imgui_lib)
endif()

if(SOCKSCOPE_BUILD_TESTS)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(gtest_force_shared_crt ON CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/_googletest SYSTEM EXCLUDE_FROM_ALL)
endif()
