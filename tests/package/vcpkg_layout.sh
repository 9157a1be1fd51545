#!/usr/bin/env bash
# The vcpkg build path, approximated on Debian (vcpkg itself is not available here): a stand-in
# `imgui` CONFIG package with vcpkg's flat header layout (imgui.h and imgui_impl_glfw.h side by
# side, no backends/ folder) over Debian's libimgui.a, and a FindStb module like vcpkg's. Builds
# the app in build-vcpkg-layout (cmake/SockscopeImGui.cmake's vcpkg branch: forwarding headers for
# <backends/...>, stb_image_write compiled from the header) and takes a screenshot under Xvfb.
# Not part of CI: it is a whole extra build (~4 min on 2 cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
sim=$(mktemp -d)
trap 'rm -rf "$sim"' EXIT
mkdir -p "$sim/prefix/include" "$sim/prefix/share/imgui" "$sim/modules"
for f in /usr/include/imgui/*.h /usr/include/imgui/backends/imgui_impl_{glfw,opengl3,opengl3_loader}.h; do
  ln -s "$f" "$sim/prefix/include/"
done
cat > "$sim/prefix/share/imgui/imgui-config.cmake" <<CFG
add_library(imgui::imgui STATIC IMPORTED)
set_target_properties(imgui::imgui PROPERTIES
  IMPORTED_LOCATION /usr/lib/x86_64-linux-gnu/libimgui.a
  INTERFACE_INCLUDE_DIRECTORIES $sim/prefix/include
  INTERFACE_LINK_LIBRARIES "stb;glfw;dl")
CFG
printf 'set(Stb_INCLUDE_DIR /usr/include/stb)\nset(Stb_FOUND TRUE)\n' > "$sim/modules/FindStb.cmake"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
rm -rf build-vcpkg-layout
cmake -S . -B build-vcpkg-layout -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSOCKSCOPE_BUILD_TESTS=OFF -DSOCKSCOPE_BUILD_BENCH=OFF \
  -DCMAKE_PREFIX_PATH="$sim/prefix" -DCMAKE_MODULE_PATH="$sim/modules" >/dev/null
[ -f build-vcpkg-layout/imgui_compat/backends/imgui_impl_glfw.h ] || { echo "FAIL: no forwarding headers"; exit 1; }
cmake --build build-vcpkg-layout -j "${JOBS:-2}" --target sockscope
XDG_CONFIG_HOME="$sim/config" timeout 60 xvfb-run -a -s "-screen 0 1600x1000x24" \
  build-vcpkg-layout/src/sockscope --screenshot "$sim/shot.png" --frames 3 assets/profiles/demo.json
[ -s "$sim/shot.png" ] || { echo "FAIL: no screenshot"; exit 1; }
echo "vcpkg layout: built and rendered"
