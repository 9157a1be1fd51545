#!/usr/bin/env bash
# The Debian package on a pristine Debian 12: a throw-away chroot made by fresh-run.sh (debootstrap
# minbase), `apt install ./sockscope_*.deb` (Depends resolved by apt alone), then the installed
# binary: `sockscope --version`, a headless run, the .desktop file validated, a screenshot under
# Xvfb of the installed demo profile (its ports moved to free ones), then `apt remove`. Needs root
# (chroot + namespaces) and network for apt; the CI cannot nest chroots, so this is
# `scripts/dev.sh package-test`, not part of `scripts/dev.sh test`.
#   tests/package/test_deb.sh [DEB]   default: build-package/sockscope_*.deb
# Environment: FRESH_RUN (path to fresh-run.sh), TIMEOUT (seconds, default 900).
# Leaves the chroot's screenshot in build-package/chroot-screenshot.png.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

deb=${1:-}
if [ -z "$deb" ]; then
  debs=("$root"/build-package/sockscope_*.deb)
  [ -f "${debs[0]}" ] || { echo "no build-package/sockscope_*.deb: run scripts/dev.sh package first" >&2; exit 2; }
  deb=${debs[-1]}
fi
[ -f "$deb" ] || { echo "no such package: $deb" >&2; exit 2; }

fresh=${FRESH_RUN:-}
if [ -z "$fresh" ]; then
  for candidate in "$root/../shared/tools/fresh-run.sh" /work/shared/tools/fresh-run.sh; do
    [ -x "$candidate" ] && { fresh=$candidate; break; }
  done
fi
[ -n "$fresh" ] || { echo "fresh-run.sh not found; set FRESH_RUN" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (chroot and namespaces)" >&2; exit 2; }
base=${BASE:-${TMPDIR:-/tmp}/fresh/bookworm-base.tar}
[ -f "$base" ] || "$fresh" --build-base

shared=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$shared" "$log"' EXIT
cp "$deb" "$shared/"
cat > "$shared/in_chroot.sh" <<'INNER'
set -euo pipefail
step() { printf '== %s (%ss)\n' "$*" "$SECONDS"; }
step "apt-get update"
apt-get update -q >/dev/null
step "apt install ./$(cd /shared && ls sockscope_*.deb)"
cd /shared
apt-get install -y -q ./sockscope_*.deb > apt.log 2>&1 || { cat apt.log; exit 1; }
grep -E '^(Setting up|Unpacking) sockscope' apt.log
echo "packages pulled in: $(grep -c '^Setting up' apt.log)"
cd /
step "sockscope --version"
version=$(sockscope --version)
echo "$version"
[[ "$version" == "sockscope "* ]]
command -v sockscope | grep -qx /usr/bin/sockscope

step "headless run of a one-endpoint profile (port 0)"
printf '{"version":1,"name":"t","endpoints":[{"name":"s","type":"tcp-server","bind":"127.0.0.1:0"}]}\n' > /tmp/p.json
timeout 30 sockscope --headless /tmp/p.json --for 0.5 > /tmp/headless.txt
grep -i listening /tmp/headless.txt

step "installed files"
test -f /usr/share/sockscope/profiles/demo.json
test -f /usr/share/icons/hicolor/scalable/apps/sockscope.svg
test -f /usr/share/icons/hicolor/48x48/apps/sockscope.png
test -f /usr/share/doc/sockscope/README.md
grep -qx 'Exec=sockscope %f' /usr/share/applications/sockscope.desktop
grep -qx 'Icon=sockscope' /usr/share/applications/sockscope.desktop
step "desktop-file-validate"
apt-get install -y -q --no-install-recommends desktop-file-utils > /dev/null 2>&1
desktop-file-validate /usr/share/applications/sockscope.desktop

step "screenshot under Xvfb (xvfb and xauth are the test's, not the package's)"
apt-get install -y -q --no-install-recommends xvfb xauth > /dev/null 2>&1
# The demo profile with its fixed ports moved to free ones (the chroot shares the host's network).
python3 - <<'PY'
import json, re, socket
profile = json.load(open("/usr/share/sockscope/profiles/demo.json"))
moved = {}
def free_port(kind):
    s = socket.socket(socket.AF_INET, kind); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
for e in profile["endpoints"]:
    kind = socket.SOCK_DGRAM if e["type"] == "udp" else socket.SOCK_STREAM
    for key in ("bind", "remote"):
        if key in e:
            host, port = e[key].rsplit(":", 1)
            if port not in moved: moved[port] = str(free_port(kind))
            e[key] = host + ":" + moved[port]
json.dump(profile, open("/tmp/demo.json", "w"))
PY
HOME=/tmp/home timeout 120 xvfb-run -a -s "-screen 0 1400x900x24" \
  sockscope --screenshot /tmp/shot.png --frames 30 /tmp/demo.json > /tmp/gui.txt 2>&1 || { cat /tmp/gui.txt; exit 1; }
if grep -q 'ERROR: ImGui_ImplOpenGL3' /tmp/gui.txt; then cat /tmp/gui.txt; exit 1; fi
# The installed app finds its examples from its own location (core/util/data_dir).
grep -x 'sockscope: example profiles in /usr/share/sockscope/profiles' /tmp/gui.txt || { cat /tmp/gui.txt; exit 1; }
python3 - <<'PY'
import struct, zlib
data = open("/tmp/shot.png", "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
idat, pos = b"", 8
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8]); pos += 8
    if kind == b"IDAT": idat += data[pos:pos + n]
    pos += n + 4
distinct = len(set(zlib.decompress(idat)))
print(f"screenshot {w}x{h}, {len(data)} bytes, {distinct} distinct byte values")
assert w >= 800 and h >= 600 and distinct > 64, "blank or tiny screenshot"
PY
echo "== screenshot base64 begin"
base64 -w0 /tmp/shot.png; echo
echo "== screenshot base64 end"
step "apt remove"
apt-get remove -y -q sockscope > /dev/null
if [ -e /usr/bin/sockscope ] || [ -e /usr/share/sockscope/profiles/demo.json ]; then
  echo "files left after apt remove"; exit 1
fi
step "all package checks passed"
INNER

start=$(date +%s)
set +e
SHARED_DIR=$shared TIMEOUT=${TIMEOUT:-900} LOG=$log "$fresh" "$root" 'bash /shared/in_chroot.sh' |
  sed '/^== screenshot base64 begin/,/^== screenshot base64 end/d'
rc=${PIPESTATUS[0]}
set -e
mkdir -p "$root/build-package"
sed -n '/^== screenshot base64 begin/,/^== screenshot base64 end/p' "$log" | sed '1d;$d' |
  base64 -d > "$root/build-package/chroot-screenshot.png" 2>/dev/null || true
echo "package test: exit $rc after $(( $(date +%s) - start )) s ($(basename "$deb"), $(stat -c %s "$deb") bytes)"
exit "$rc"
