# Warnings for our own targets only (dependencies are included as SYSTEM).
add_library(sockscope_warnings INTERFACE)
if(MSVC)
  target_compile_options(sockscope_warnings INTERFACE /W4 /permissive-)
else()
  target_compile_options(sockscope_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local)
endif()
