#!/usr/bin/env bash
# The Windows build, made and tested on Debian 12 (called by scripts/dev.sh):
#   scripts/windows.sh build   install what is missing, fetch the Debian source packages of GLFW
#                              3.3.8 and ImGui 1.86 into build-windows/_deps, cross-build
#                              build-windows/sockscope.exe and the Windows test executables
#   scripts/windows.sh test    build, then run the core and headless tests under Wine
#   scripts/windows.sh shot    build, then a GUI screenshot of the .exe under Wine + Xvfb
#   scripts/windows.sh zip     build, then build-windows/sockscope-windows-x86_64.zip
# Environment: JOBS (default: nproc), WINE_TEST_TIMEOUT (seconds per test executable, default 300).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
out=build-windows
deps=$root/$out/_deps

packages=(
  cmake ninja-build ccache dpkg-dev debian-archive-keyring
  g++-mingw-w64-x86-64-posix wine64 wine
  libasio-dev nlohmann-json3-dev libcli11-dev libstb-dev googletest
  xvfb xauth libgl1-mesa-dri python3 zip
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing: ${missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get -o DPkg::Lock::Timeout=600 install -y \
    --no-install-recommends "${missing[@]}"
}

# Debian's source packages, fetched with a private apt state (the system's sources list is untouched).
fetch_sources() {
  [ -f "$deps/glfw3-3.3.8/CMakeLists.txt" ] && [ -f "$deps/imgui-1.86+ds/imgui.cpp" ] && return 0
  say "fetching the Debian source packages of GLFW 3.3.8 and ImGui 1.86 into $out/_deps"
  local apt=$deps/apt uri
  mkdir -p "$apt/lists/partial"
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" > "$apt/src.sources"
  local opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt" -o Dir::State::Lists="$apt/lists")
  apt-get "${opts[@]}" -q update >/dev/null
  (cd "$deps" && apt-get "${opts[@]}" source --download-only glfw3=3.3.8-1 imgui=1.86+ds-1 >/dev/null)
  rm -rf "$deps/glfw3-3.3.8" "$deps/imgui-1.86+ds"
  (cd "$deps" && dpkg-source -x glfw3_3.3.8-1.dsc >/dev/null 2>&1 && dpkg-source -x imgui_1.86+ds-1.dsc >/dev/null 2>&1)
}

# Header-only libraries of the build machine, by symlink (never all of /usr/include: glibc's
# headers break mingw).
link_headers() {
  local inc=$deps/include
  mkdir -p "$inc"
  ln -sfn /usr/include/asio.hpp "$inc/asio.hpp"
  ln -sfn /usr/include/asio "$inc/asio"
  ln -sfn /usr/include/nlohmann "$inc/nlohmann"
  ln -sfn /usr/include/CLI "$inc/CLI"
  ln -sfn /usr/include/stb/stb_image_write.h "$inc/stb_image_write.h"
}

build() {
  install_missing "${packages[@]}"
  fetch_sources
  link_headers
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  say "cross-building for Windows (mingw-w64) in $out"
  cmake -S . -B "$out" -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" -DSOCKSCOPE_WINDOWS_DEPS="$deps" \
    -DSOCKSCOPE_BUILD_BENCH=OFF >/dev/null
  cmake --build "$out" -j "$jobs" --target sockscope sockscope_core_tests sockscope_app_tests
  cp "$out/src/sockscope.exe" "$out/sockscope.exe"
  check_imports "$out/sockscope.exe"
}

# The .exe must run on a bare Windows: it may import only DLLs every Windows has.
check_imports() {
  local dll bad=()
  for dll in $(x86_64-w64-mingw32-objdump -p "$1" | awk '/DLL Name:/{print $3}'); do
    case "${dll,,}" in
      kernel32.dll|user32.dll|gdi32.dll|shell32.dll|msvcrt.dll|opengl32.dll|ws2_32.dll|mswsock.dll|\
      iphlpapi.dll|advapi32.dll|ole32.dll|ucrtbase.dll|api-ms-win-*) ;;
      *) bad+=("$dll") ;;
    esac
  done
  if [ ${#bad[@]} -ne 0 ]; then echo "$1 imports non-system DLLs: ${bad[*]}"; return 1; fi
  echo "$1 imports: $(x86_64-w64-mingw32-objdump -p "$1" | awk '/DLL Name:/{printf "%s ", $3}')"
}

# A private Wine prefix in the build directory, one persistent wineserver, no window manager.
export WINEPREFIX=$root/$out/wineprefix
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;winedbg.exe=d"
wine_up() {
  if [ ! -f "$WINEPREFIX/.sockscope-ready" ]; then
    say "creating the Wine prefix $WINEPREFIX"
    rm -rf "$WINEPREFIX"
    mkdir -p "$WINEPREFIX"
    wineserver -p
    wine wineboot --init >/dev/null 2>&1 || true
    # A virtual desktop: without a window manager, closing a window otherwise costs 2 s.
    wine reg add 'HKCU\Software\Wine\Explorer' /v Desktop /t REG_SZ /d Default /f >/dev/null 2>&1
    wine reg add 'HKCU\Software\Wine\Explorer\Desktops' /v Default /t REG_SZ /d 1280x800 /f >/dev/null 2>&1
    wineserver -w
    touch "$WINEPREFIX/.sockscope-ready"
  fi
  wineserver -p
}
wine_down() { wineserver -k 2>/dev/null || true; }

run_tests() {
  local limit=${WINE_TEST_TIMEOUT:-300} exe status=0
  wine_up
  trap wine_down EXIT
  for exe in "$out/tests/sockscope_core_tests.exe" "$out/tests/sockscope_app_tests.exe"; do
    say "under Wine: $(basename "$exe")"
    timeout -k 10 "$limit" wine "$exe" --gtest_brief=1 ${GTEST_FILTER:+--gtest_filter="$GTEST_FILTER"} \
      2>&1 | grep -v 'syswow64\\rundll32' || status=1
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
  done
  return $status
}

cmd=${1:-build}
case "$cmd" in
  build) build ;;
  test) build; run_tests ;;
  *) sed -n '2,9p' "$0"; exit 2 ;;
esac
