#!/usr/bin/env bash
# Quick checks of the built .deb, bounded and without root (CI runs this in `scripts/dev.sh test`):
# the control fields (Depends computed by dpkg-shlibdeps, Section, Maintainer), the files at
# their installed paths, and the packaged binary run from the unpacked tree: --version, and the GUI
# under Xvfb finding its example profiles relative to itself (<tree>/usr/share/sockscope).
#   tests/package/check_deb.sh [DEB]   default: build-package/sockscope_*.deb
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deb=${1:-$(ls "$root"/build-package/sockscope_*.deb 2>/dev/null | tail -n 1)}
[ -f "$deb" ] || { echo "FAIL: no .deb (scripts/dev.sh package makes one)" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[[ "$(basename "$deb")" =~ ^sockscope_[0-9][^_]*_[a-z0-9]+\.deb$ ]] || fail "file name $(basename "$deb")"
depends=$(dpkg-deb -f "$deb" Depends)
names=$(tr ',' '\n' <<<"$depends" | awk '{ print $1 }')   # package names without versions
for lib in libc6 libstdc++6 libglfw3; do
  grep -qxF "$lib" <<<"$names" || fail "Depends lacks $lib: $depends"
done
[ "$(dpkg-deb -f "$deb" Section)" = net ] || fail "Section is not net"
[ -n "$(dpkg-deb -f "$deb" Maintainer)" ] || fail "no Maintainer"

files=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/bin/sockscope ./usr/share/applications/sockscope.desktop \
         ./usr/share/icons/hicolor/scalable/apps/sockscope.svg \
         ./usr/share/icons/hicolor/256x256/apps/sockscope.png \
         ./usr/share/sockscope/profiles/demo.json ./usr/share/doc/sockscope/README.md; do
  grep -qxF "$f" <<<"$files" || fail "$f is not in the package"
done
if grep -v -e '^\./usr/' -e '^\./$' <<<"$files" | grep -q .; then fail "files outside /usr"; fi

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
dpkg-deb -x "$deb" "$tree"
version=$(dpkg-deb -f "$deb" Version)
[ "$("$tree/usr/bin/sockscope" --version)" = "sockscope $version" ] || fail "--version does not say $version"
grep -qx 'Exec=sockscope %f' "$tree/usr/share/applications/sockscope.desktop" || fail "desktop Exec"
grep -qx 'Icon=sockscope' "$tree/usr/share/applications/sockscope.desktop" || fail "desktop Icon"

if command -v xvfb-run >/dev/null; then
  mkdir -p "$tree/home"
  HOME=$tree/home XDG_CONFIG_HOME=$tree/home/.config timeout 60 xvfb-run -a -s "-screen 0 1024x768x24" \
    "$tree/usr/bin/sockscope" --screenshot "$tree/shot.png" --frames 2 >"$tree/out" 2>&1 ||
    { cat "$tree/out"; fail "the packaged GUI did not run"; }
  grep -qxF "sockscope: example profiles in $tree/usr/share/sockscope/profiles" "$tree/out" ||
    { cat "$tree/out"; fail "the packaged GUI did not find its example profiles"; }
fi
echo "package OK: $(basename "$deb"), $(stat -c %s "$deb") bytes; Depends: $depends"
