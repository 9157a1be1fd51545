#!/usr/bin/env bash
# Sockscope's two quick-start commands (README):
#   scripts/dev.sh demo   install what is missing, build, launch the app on the bundled demo profile
#   scripts/dev.sh test   install what is missing, build, run every test: plain, ASan+UBSan, and the
#                         engine tests under TSan
# Other subcommands: deps (install only), build (plain build only), bench (benchmark table),
#   fuzz (build the libFuzzer targets with clang, run each for FUZZ_SECONDS),
#   package (build-package/sockscope_<version>_<arch>.deb from the plain build, checked),
#   package-test (package, then install it on a pristine Debian 12 chroot and run it; root).
#   windows (cross-build build-windows/sockscope.exe + its zip with mingw-w64: docs/windows.md).
# Environment: JOBS (default: nproc), SOCKSCOPE_SKIP_SANITIZERS=1 (test: plain build only, no fuzzing),
#   FUZZ_SECONDS (default 30 per target), SOCKSCOPE_SKIP_WINDOWS=1 (test: no Windows stage),
#   WINDOWS_STAGE_TIMEOUT (seconds for the Windows build + Wine tests, default 900).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian 12 packages: build, GUI, tests (real peers, Xvfb), fonts for Chinese text.
packages=(
  build-essential cmake ninja-build pkg-config ccache
  libimgui-dev libstb-dev libglfw3-dev libgl-dev libasio-dev nlohmann-json3-dev
  libcli11-dev libgtest-dev libgmock-dev libpcre2-dev
  xvfb xauth libgl1-mesa-dri fonts-noto-cjk imagemagick xdotool
  socat ncat python3 iproute2 tshark
  file dpkg-dev
  clang libclang-rt-14-dev
)
bench_packages=(iperf3)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

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

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

configure_and_build() {   # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

run_ctest() {   # dir, extra ctest args...
  local dir=$1; shift
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"
}

# Every fuzz target runs for FUZZ_SECONDS on a scratch copy of its corpus (new inputs are not
# written into the repo); a crash fails the run and leaves the input in build-fuzz/crashes/.
run_fuzzers() {
  local seconds=${FUZZ_SECONDS:-30} fuzzer name scratch
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOCKSCOPE_DEBUG_INFO=lines \
    -DSOCKSCOPE_BUILD_FUZZERS=ON -DSOCKSCOPE_BUILD_GUI=OFF -DSOCKSCOPE_BUILD_BENCH=OFF >/dev/null
  cmake --build build-fuzz -j "$jobs" --target fuzzers
  mkdir -p build-fuzz/crashes
  for fuzzer in build-fuzz/tests/fuzz/fuzz_*; do
    [ -x "$fuzzer" ] || continue
    name=$(basename "$fuzzer"); name=${name#fuzz_}
    scratch=$(mktemp -d)
    # The capture importer's seeds are written by a script (no binary captures in the repo).
    [ "$name" != capture ] || python3 tests/support/capture_writer.py corpus "tests/fuzz/corpus/$name"
    say "fuzzing $name for ${seconds}s"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
        -artifact_prefix=build-fuzz/crashes/"$name"- "$scratch" "tests/fuzz/corpus/$name" 2>&1 |
      tail -n 3
    local status=${PIPESTATUS[0]}
    rm -rf "$scratch"
    [ "$status" = 0 ] || { echo "fuzz target $name failed (inputs in build-fuzz/crashes/)"; return 1; }
  done
}

# The .deb of the plain build dir (stripped RelWithDebInfo, prefix /usr, Depends from
# dpkg-shlibdeps), then its quick checks (tests/package/check_deb.sh).
build_package() {
  cmake -S . -B build -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$jobs" --target sockscope_installable
  rm -f build-package/sockscope_*.deb
  cpack --config build/CPackConfig.cmake -B build-package >/dev/null
  tests/package/check_deb.sh
}

cmd=${1:-}
case "$cmd" in
  deps)
    install_missing "${packages[@]}"
    ;;
  build)
    install_missing "${packages[@]}"
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ;;
  demo)
    install_missing "${packages[@]}"
    say "building"
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    demo=assets/profiles/demo.json
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      say "launching Sockscope on $demo"
      exec ./build/src/sockscope "$demo"
    fi
    say "no display found: running the demo profile headless (Ctrl+C stops it)"
    exec ./build/src/sockscope --headless "$demo"
    ;;
  test)
    install_missing "${packages[@]}"
    say "plain build + all tests"
    configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    run_ctest build
    say "Debian package"
    build_package
    if [ "${SOCKSCOPE_SKIP_SANITIZERS:-0}" != 1 ]; then
      say "ASan + UBSan build + all tests"
      configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DSOCKSCOPE_SANITIZE=address -DSOCKSCOPE_DEBUG_INFO=lines -DSOCKSCOPE_BUILD_BENCH=OFF
      # Mesa's unloaded driver leaks 112 bytes at exit: no leak checks for the GUI tests only.
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_ctest build-asan -LE gui
      ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_ctest build-asan -L gui
      say "TSan build + engine tests"
      configure_and_build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOCKSCOPE_SANITIZE=thread -DSOCKSCOPE_DEBUG_INFO=lines \
        -DSOCKSCOPE_BUILD_GUI=OFF -DSOCKSCOPE_BUILD_BENCH=OFF
      # Newer kernels randomize mmap more than TSan tolerates; run without ASLR when we can.
      norandom=()
      setarch "$(uname -m)" -R true 2>/dev/null && norandom=(setarch "$(uname -m)" -R)
      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "${norandom[@]}" \
        ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L core
      say "fuzz targets"
      run_fuzzers
    fi
    if [ "${SOCKSCOPE_SKIP_WINDOWS:-0}" != 1 ]; then
      say "Windows: mingw-w64 cross-build + tests under Wine"
      timeout -k 30 "${WINDOWS_STAGE_TIMEOUT:-900}" scripts/windows.sh test
    fi
    say "all tests passed"
    ;;
  fuzz)
    install_missing "${packages[@]}"
    run_fuzzers
    ;;
  package)
    install_missing "${packages[@]}"
    build_package
    ;;
  package-test)
    install_missing "${packages[@]}"
    build_package
    tests/package/test_deb.sh
    ;;
  windows)
    exec scripts/windows.sh build
    ;;
  bench)
    install_missing "${packages[@]}" "${bench_packages[@]}"
    configure_and_build build-bench -DCMAKE_BUILD_TYPE=Release -DSOCKSCOPE_BUILD_GUI=ON
    exec bench/run.sh build-bench
    ;;
  *)
    sed -n '2,10p' "$0"
    exit 2
    ;;
esac
