#!/bin/bash
# Regenerates log-filter.png and log-export.png: the app under Xvfb (1600x1000) with a python3 peer
# sending sensor lines, driven with xdotool through the widget positions the app prints
# (SOCKSCOPE_TRACE=layout): Find "temp=2" with Filter on, Next (the match highlighted in the row
# and the detail pane), then Export of the filtered view to pcapng.
# Usage: make_log_screenshots.sh SOCKSCOPE_BINARY   (needs xvfb-run, xdotool, ImageMagick's import)
set -eu
if [ "${LOGSHOT_INNER:-}" != 1 ]; then
    export LOGSHOT_INNER=1
    exec xvfb-run -a -s "-screen 0 1600x1000x24" bash "$0" "$@"
fi
BIN=$(realpath "${1:?usage: make_log_screenshots.sh SOCKSCOPE_BINARY}")
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat >"$WORK/demo.json" <<'JSON'
{ "version": 1, "name": "sensors",
  "endpoints": [ { "name": "Sensor gateway", "type": "tcp-server", "bind": "127.0.0.1:15040" } ] }
JSON
mkdir -p "$WORK/cfg/sockscope"
echo '{"theme":"dark","language":"en","encoding":"utf-8"}' >"$WORK/cfg/sockscope/settings.json"

cd "$WORK"   # the export's default path is the working directory
SOCKSCOPE_TRACE=layout XDG_CONFIG_HOME="$WORK/cfg" "$BIN" "$WORK/demo.json" >"$WORK/out" 2>"$WORK/err" &
APP=$!
python3 - <<'PY' &
import socket, time
for _ in range(300):
    try:
        s = socket.create_connection(("127.0.0.1", 15040)); break
    except OSError:
        time.sleep(0.05)
for i in range(400):
    if i % 5 == 0:
        s.sendall(("id=%d temp=%d.%d status=ok\r\n" % (i, 18 + i % 9, i % 10)).encode())
    elif i % 5 == 1:
        s.sendall(bytes([0x01, 0x03, 0x02, i % 256, 0x2A, 0xB8, 0x44]))
    else:
        s.sendall(("AT+CSQ=%d,%d\r\n" % (i % 31, i % 7)).encode())
    time.sleep(0.002)
time.sleep(120)
PY
pos() { grep "trace: layout $1 " "$WORK/out" | tail -n 1 | awk '{print $4, $5}'; }
for _ in $(seq 100); do [ -n "$(pos log.search)" ] && break; sleep 0.2; done
sleep 3
WID=$(xdotool search --name '^Sockscope' | head -n 1)
xdotool windowfocus --sync "$WID" 2>/dev/null || true
click() { read -r X Y < <(pos "$1"); xdotool mousemove --sync --window "$WID" "$X" "$Y"; xdotool click 1; sleep 0.5; }

click log.search
xdotool type --delay 30 'temp=2'
sleep 0.5
xdotool key Return
sleep 0.5
xdotool key Return
xdotool mousemove --sync --window "$WID" 1500 900   # no tooltip over the toolbar
sleep 1
import -window root "$OUT/log-filter.png"

click log.export
sleep 1
click export.format.pcapng
click export.scope.1
click export.start
sleep 3
import -window root "$OUT/log-export.png"
kill $APP
