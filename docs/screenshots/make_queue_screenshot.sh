#!/bin/bash
# Regenerates send-queue.png: the Connections table of a server whose client does not read. A timer
# sends 300 x 64 KiB; then Close (FIN) is clicked and waits for the queue ("closing: ... to send").
# Usage: make_queue_screenshot.sh SOCKSCOPE_BINARY OUT.png   (needs xvfb-run, xdotool, ImageMagick import)
set -eu
if [ "${QSHOT_INNER:-}" != 1 ]; then export QSHOT_INNER=1; exec xvfb-run -a -s "-screen 0 1600x1000x24" bash "$0" "$@"; fi
BIN=$1; OUT=$2; WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/p.json" <<JSON
{ "version": 1, "name": "slow reader",
  "endpoints": [ { "name": "meter gateway", "type": "tcp-server", "bind": "127.0.0.1:$PORT", "write_queue_limit": 67108864,
    "timers": [ { "name": "bulk", "every_ms": 1, "count": 300, "auto_start": false,
                  "send": { "text": "{{random:65536}}" } } ] } ] }
JSON
mkdir -p "$WORK/cfg/sockscope"; echo '{"theme":"dark","language":"en"}' >"$WORK/cfg/sockscope/settings.json"
SOCKSCOPE_TRACE=layout XDG_CONFIG_HOME="$WORK/cfg" "$BIN" "$WORK/p.json" >"$WORK/out" 2>"$WORK/err" &
python3 - "$PORT" <<'PY' &
import socket, sys, time
for _ in range(300):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); break
    except OSError: time.sleep(0.05)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
time.sleep(120)
PY
pos() { grep "trace: layout $1 " "$WORK/out" | tail -n 1 | awk '{print $4, $5}'; }
for _ in $(seq 100); do [ -n "$(pos conn.close.1)" ] && break; sleep 0.2; done
WID=$(xdotool search --name '^Sockscope' | head -n 1)
xdotool windowfocus --sync "$WID" 2>/dev/null || true
click() { read -r X Y < <(pos "$1"); xdotool mousemove --sync --window "$WID" "$X" "$Y"; xdotool click 1; sleep 0.5; }
click send.timer.0        # the timer sends 300 x 64 KiB to the client, which does not read
sleep 2
click conn.close.1        # Close (FIN): it waits for the queue
xdotool mousemove --sync --window "$WID" 800 700
sleep 1.5
import -window root "$OUT"
