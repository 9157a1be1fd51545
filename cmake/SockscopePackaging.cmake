# CPack: a Debian package of what SockscopeInstall.cmake installs (scripts/dev.sh package).
#   cpack --config <build>/CPackConfig.cmake -B build-package  ->  sockscope_<version>_<arch>.deb
# Depends is computed by dpkg-shlibdeps from the stripped binary's NEEDED libraries, never listed
# by hand; the prefix is /usr whatever CMAKE_INSTALL_PREFIX the build dir was configured with.
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()   # Windows ships a zip (scripts/dev.sh windows); macOS nothing yet
endif()

set(SOCKSCOPE_MAINTAINER "Sockscope maintainers <maintainers@sockscope.invalid>" CACHE STRING
  "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sockscope)
set(CPACK_PACKAGE_VENDOR "Sockscope")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SOCKSCOPE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "socket debugging tool: TCP server/client and UDP workspace")
# Debian's extended description: lines under 80 columns (CPack indents each one).
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "Sockscope is a desktop tool for debugging sockets: TCP servers, TCP clients"
  "and UDP endpoints side by side, every byte sent and received in hex and text"
  "(UTF-8, GBK), and each connection's live kernel TCP state (ESTABLISHED,"
  "CLOSE_WAIT, TIME_WAIT, RTT, retransmits, queues). Workspaces are saved as"
  "JSON profiles that also run without a window (sockscope --headless) in"
  "scripts and CI.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)   # the RelWithDebInfo build's debug info stays in the build dir

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Chinese text needs a CJK font (ui/fonts.cpp looks for Noto Sans CJK); without one it shows as "?".
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "fonts-noto-cjk")
# Files are root-owned in the package whatever user built it.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
