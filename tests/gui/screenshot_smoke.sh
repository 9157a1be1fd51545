#!/bin/bash
# Screenshot smoke test under Xvfb: `sockscope --screenshot` renders a profile with a TCP server
# that a python3 peer talks to, writes a PNG of the window and exits 0; no shader errors.
# Usage: screenshot_smoke.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped (no Xvfb/python3).
set -u
BIN=${1:?usage: screenshot_smoke.sh SOCKSCOPE_BINARY [SOURCE_DIR]}
for tool in xvfb-run python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
WORK=$(mktemp -d)
trap 'kill $PEER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
PEER_PID=""

PORT=$(python3 -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000); s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()')
cat >"$WORK/profile.json" <<JSON
{ "version": 1, "name": "smoke",
  "endpoints": [ { "name": "smoke server", "type": "tcp-server", "bind": "127.0.0.1:$PORT" },
                 { "name": "smoke udp", "type": "udp", "bind": "127.0.0.1:0" } ] }
JSON

# A peer that connects once the server listens and sends a line (best effort; bounded).
python3 - "$PORT" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2); break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit(0)
s.sendall(b"hello \xe4\xbd\xa0\xe5\xa5\xbd\r\n")
time.sleep(10)
PY
PEER_PID=$!

export XDG_CONFIG_HOME="$WORK/config" ASAN_OPTIONS=detect_leaks=0
timeout 120 xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$BIN" --screenshot "$WORK/shot.png" --frames 60 "$WORK/profile.json" >"$WORK/out" 2>"$WORK/err"
status=$?
cat "$WORK/out"
if [ $status -ne 0 ]; then echo "FAIL: exit status $status"; cat "$WORK/err"; exit 1; fi
if grep -q "ERROR: ImGui_ImplOpenGL3_CreateDeviceObjects" "$WORK/err"; then
    echo "FAIL: shader compile error"; cat "$WORK/err"; exit 1
fi
grep -q '^sockscope: ready' "$WORK/out" || { echo "FAIL: no ready line"; exit 1; }
[ -s "$WORK/shot.png" ] || { echo "FAIL: no PNG written"; exit 1; }
# A PNG of the window's size, not a blank image.
python3 - "$WORK/shot.png" <<'PY' || exit 1
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1600, 1000), "unexpected size %dx%d" % (w, h)
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw[1:1 + w * 4 * 40])) > 1 or len(set(raw)) > 16, "blank image"
print("ok: %dx%d PNG, %d distinct bytes" % (w, h, len(set(raw))))
PY
echo "PASS"
