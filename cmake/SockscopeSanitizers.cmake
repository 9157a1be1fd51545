# SOCKSCOPE_SANITIZE=address -> ASan+UBSan, =thread -> TSan. Applied to every target of the tree.
if(SOCKSCOPE_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(SOCKSCOPE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # asio's fenced block trips g++'s -Wtsan; harmless (see shared toolchain notes)
    add_compile_options(-Wno-tsan)
  endif()
elseif(NOT SOCKSCOPE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "SOCKSCOPE_SANITIZE must be '', 'address' or 'thread'")
endif()

# Fuzz builds: coverage instrumentation + ASan/UBSan on every unit; the fuzz targets link libFuzzer.
if(SOCKSCOPE_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SOCKSCOPE_BUILD_FUZZERS needs clang (CC=clang CXX=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
