# Warnings for our own targets only (dependencies are included as SYSTEM).
add_library(sockscope_warnings INTERFACE)
if(MSVC)
  target_compile_options(sockscope_warnings INTERFACE /W4 /permissive-)
elseif(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(sockscope_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local)
else()
  target_compile_options(sockscope_warnings INTERFACE -Wall -Wextra -Wpedantic)
endif()
