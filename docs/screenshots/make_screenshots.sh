#!/bin/bash
# Regenerates the screenshots in this folder: a demo workspace under Xvfb (1600x1000) with real
# peers (python3): a TCP server with three clients (one half-closed: CLOSE_WAIT), a UDP endpoint
# receiving GBK text, and a client waiting to reconnect. Usage: make_screenshots.sh SOCKSCOPE_BINARY
set -eu
BIN=$(realpath "${1:?usage: make_screenshots.sh SOCKSCOPE_BINARY}")
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Fault injection (docs/profile-format.md, "Fault injection"): an echoing server that answers late,
# in 3-byte pieces, dropping 20 %; a python3 client keeps writing while its connection is told to
# stop reading from the row menu (the Recv-Q grows, the "not reading" badge), then the editor's
# Faults section with the counts (xdotool; optional). FAULTS_ONLY=1 makes just these.
faults_shots() {
    command -v xdotool >/dev/null && command -v import >/dev/null && command -v python3 >/dev/null || return 0
    cat >"$WORK/faults.json" <<'JSON'
{ "version": 1, "name": "flaky device",
  "endpoints": [
    { "name": "Flaky device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true,
      "faults": { "delay_ms": [20, 200], "split": { "size": 3, "gap_ms": 10 }, "drop": 0.2, "seed": 42 } } ] }
JSON
    cat >"$WORK/faults.sh" <<'INNER'
set -u
BIN=$1 WORK=$2 OUT=$3
mkdir -p "$WORK/cfg-faults/sockscope"
echo '{"theme":"dark","language":"en"}' >"$WORK/cfg-faults/sockscope/settings.json"
SOCKSCOPE_TRACE=1 XDG_CONFIG_HOME="$WORK/cfg-faults" "$BIN" "$WORK/faults.json" >"$WORK/faults.out" 2>&1 &
APP=$!
for _ in $(seq 100); do grep -q "trace: layout tree.ep.1 " "$WORK/faults.out" && break; sleep 0.1; done
PORT=$(grep -o '127.0.0.1:[0-9][0-9]*' "$WORK/faults.out" | head -n 1 | sed 's/.*://')
python3 - "$PORT" <<'PY' &
import socket, sys, time
a = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
b = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for i in range(6):
    a.sendall(b"PING %d\r\n" % i); time.sleep(0.25)
time.sleep(1.0)
b.setblocking(False)
end = time.time() + 30
while time.time() < end:
    try: b.send(b"x" * 4096)
    except BlockingIOError: time.sleep(0.05)
PY
CLIENT=$!
sleep 1.0
WID=$(xdotool search --name '^Sockscope' | head -n 1)
read -r X Y < <(grep "trace: layout tree.ep.1 " "$WORK/faults.out" | tail -n 1 | awk '{print $4, $5}')
xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2; xdotool click 1; sleep 1.0
read -r X Y < <(grep "trace: layout conn.row.2 " "$WORK/faults.out" | tail -n 1 | awk '{print $4, $5}')
if [ -n "${X:-}" ]; then
    xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2; xdotool click 3; sleep 0.5
    read -r X Y < <(grep "trace: layout conn.menu.reading " "$WORK/faults.out" | tail -n 1 | awk '{print $4, $5}')
    [ -n "${X:-}" ] && { xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2; xdotool click 1; }
fi
sleep 3.0
xdotool mousemove --sync --window "$WID" 5 995; sleep 0.5
# (the editor shot below shows the badges and the queues too)
read -r X Y < <(grep "trace: layout tree.ep.1 " "$WORK/faults.out" | tail -n 1 | awk '{print $4, $5}')
xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2; xdotool click --repeat 2 --delay 80 1; sleep 1.0
read -r X Y < <(grep "trace: layout editor.options " "$WORK/faults.out" | tail -n 1 | awk '{print $4, $5}')
[ -n "${X:-}" ] && { xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2; xdotool click 1; sleep 0.5; }
xdotool mousemove --sync --window "$WID" 800 500; sleep 0.2
xdotool click --repeat 6 --delay 20 5; sleep 1.0
import -window root "$OUT/faults-editor.png"
kill $APP $CLIENT; sleep 0.5; kill -9 $APP 2>/dev/null
INNER
    xvfb-run -a -s "-screen 0 1600x1000x24" bash "$WORK/faults.sh" "$BIN" "$WORK" "$OUT" || true
}
if [ "${FAULTS_ONLY:-0}" = 1 ]; then faults_shots; exit 0; fi

cat >"$WORK/demo.json" <<'JSON'
{ "version": 1, "name": "demo",
  "endpoints": [
    { "name": "PLC gateway", "type": "tcp-server", "bind": "127.0.0.1:15020" },
    { "name": "Sensor UDP", "type": "udp", "bind": "127.0.0.1:15021", "remote": "127.0.0.1:15022" },
    { "name": "Modbus client", "type": "tcp-client", "remote": "127.0.0.1:15029",
      "reconnect": { "enabled": true, "initial_ms": 4000, "max_ms": 8000 } }
  ] }
JSON

peers() {
python3 - <<'PY'
import socket, time
for _ in range(200):
    try:
        a = socket.create_connection(("127.0.0.1", 15020)); break
    except OSError:
        time.sleep(0.02)
b = socket.create_connection(("127.0.0.1", 15020))
c = socket.create_connection(("127.0.0.1", 15020))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.sendall(b"AT+GMR\r\n"); time.sleep(0.05)
a.sendall("+GMR: v2.1.0 设备就绪 (UTF-8)\r\n".encode("utf-8")); time.sleep(0.05)
a.sendall("+GMR: v2.1.0 设备就绪 (GBK)\r\n".encode("gbk")); time.sleep(0.05)
b.sendall(bytes([0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD])); time.sleep(0.05)
for i in range(3):
    u.sendto(("温度=%d.5C 湿度=40%%" % (21 + i)).encode("gbk"), ("127.0.0.1", 15021)); time.sleep(0.05)
    b.sendall(bytes([0x01, 0x03, 0x14]) + bytes(range(20)) + b"\x5a\xa5"); time.sleep(0.05)
c.sendall(b"bye\n"); time.sleep(0.05)
c.shutdown(socket.SHUT_WR)     # the server side stays half-open: CLOSE_WAIT
a.sendall(b"{\"id\":7,\"temp\":21.5,\"status\":\"ok\"}\n")
time.sleep(20)
PY
}

shot() {   # shot NAME SETTINGS_JSON
    mkdir -p "$WORK/cfg-$1/sockscope"
    echo "$2" >"$WORK/cfg-$1/sockscope/settings.json"
    [ "${SCALES_ONLY:-0}" = 1 ] && case $1 in scales/*) ;; *) return 0 ;; esac
    peers & local peer=$!
    XDG_CONFIG_HOME="$WORK/cfg-$1" xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$BIN" --screenshot "$OUT/$1.png" --frames 90 "$WORK/demo.json"
    kill $peer 2>/dev/null || true
    wait $peer 2>/dev/null || true
}

shot main-dark '{"theme":"dark","language":"en","encoding":"utf-8"}'
shot main-light-zh '{"theme":"light","language":"zh","encoding":"gbk"}'

# Every view must fit at font scales 1.0-2.0 in both languages (tests/ui/layout_test.cpp checks
# it in headless frames; these are for a person to look at). SCALES_ONLY=1 makes just these.
mkdir -p "$OUT/scales"
for scale in 1.0 1.5 2.0; do
    shot "scales/scale-$scale-en" "{\"theme\":\"dark\",\"language\":\"en\",\"font_scale\":$scale}"
    shot "scales/scale-$scale-zh" "{\"theme\":\"light\",\"language\":\"zh\",\"encoding\":\"gbk\",\"font_scale\":$scale}"
done
[ "${SCALES_ONLY:-0}" = 1 ] && exit 0

# Sending like a device: framing (CR LF), an on-connect greeting, saved commands and timers.
cat >"$WORK/sending.json" <<'JSON'
{ "version": 1, "name": "device simulator",
  "endpoints": [
    { "name": "PLC gateway", "type": "tcp-server", "bind": "127.0.0.1:15020",
      "framing": { "type": "delimiter", "delimiter": { "hex": "0d 0a" }, "keep": false },
      "on_connect": { "text": "WELCOME {{counter}}\r\n" },
      "commands": [
        { "name": "read reg", "hex": "01 03 00 00 00 01", "checksum": { "type": "crc16-modbus", "order": "little" } },
        { "name": "AT+GMR", "text": "AT+GMR\r\n" },
        { "name": "status", "text": "STATUS {{time}}\r\n" } ],
      "timers": [
        { "name": "heartbeat", "every_ms": 1000, "auto_start": true, "send": { "text": "HB {{counter:04}}\r\n" } },
        { "name": "poll", "every_ms": 200, "count": 50, "send": { "hex": "01 03 00 00 00 01", "checksum": "crc16-modbus" } } ] } ] }
JSON
python3 - <<'PY' &
import socket, time
for _ in range(200):
    try:
        a = socket.create_connection(("127.0.0.1", 15020)); break
    except OSError:
        time.sleep(0.02)
b = socket.create_connection(("127.0.0.1", 15020))
a.sendall(b"AT+GMR\r\n+GMR: v2.1.0\r\n"); time.sleep(0.05)
a.sendall(b"OK\r"); time.sleep(0.05); a.sendall(b"\nREADY\r\n")
b.sendall(bytes([0x01, 0x03, 0x02, 0x00, 0x2A]) + b"\r\n")
time.sleep(20)
PY
mkdir -p "$WORK/cfg-sending/sockscope"
echo '{"theme":"dark","language":"en","encoding":"utf-8"}' >"$WORK/cfg-sending/sockscope/settings.json"
XDG_CONFIG_HOME="$WORK/cfg-sending" xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$BIN" --screenshot "$OUT/sending.png" --frames 200 "$WORK/sending.json"
kill %1 2>/dev/null || true

# Under a flood: a 1,000,000-message log (pre-filled, bounded) taking ~50,000 datagrams/s.
cat >"$WORK/flood.json" <<'JSON'
{ "version": 1, "name": "flood",
  "endpoints": [ { "name": "Flooded UDP", "type": "udp", "bind": "127.0.0.1:15031" } ] }
JSON
python3 - <<'PY' &
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = bytes(range(48)) + b"seq=00000000\r\n\x00\x00"
end = time.time() + 12
n = 0
while time.time() < end:
    for _ in range(500):
        s.sendto(payload[:50] + b"%08d" % n + b"\r\n\x00\x00\x00\x00", ("127.0.0.1", 15031)); n += 1
    time.sleep(0.01)
PY
mkdir -p "$WORK/cfg-flood/sockscope"
echo '{"theme":"dark","language":"en","time_mode":"delta"}' >"$WORK/cfg-flood/sockscope/settings.json"
XDG_CONFIG_HOME="$WORK/cfg-flood" SOCKSCOPE_BENCH_PREFILL=1000000 SOCKSCOPE_LOG_RECORDS=1000000 \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$BIN" --screenshot "$OUT/flood.png" --frames 150 "$WORK/flood.json"

# The endpoint editor of the TCP server, opened with a double-click in the tree (xdotool; optional).
if command -v xdotool >/dev/null && command -v import >/dev/null; then
    cat >"$WORK/editor.sh" <<'INNER'
set -u
BIN=$1 WORK=$2 OUT=$3
SOCKSCOPE_TRACE=1 XDG_CONFIG_HOME="$WORK/cfg-editor" "$BIN" "$WORK/demo.json" >"$WORK/editor.out" 2>&1 &
APP=$!
for _ in $(seq 100); do grep -q "trace: layout tree.ep.1 " "$WORK/editor.out" && break; sleep 0.1; done
sleep 1.5   # the port table's first refresh (TIME_WAIT lines) may still move the tree
read -r X Y < <(grep "trace: layout tree.ep.1 " "$WORK/editor.out" | tail -n 1 | awk '{print $4, $5}')
WID=$(xdotool search --name '^Sockscope' | head -n 1)
xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2
xdotool click --repeat 2 --delay 80 1; sleep 1.0
xdotool mousemove --sync --window "$WID" 5 995; sleep 0.5
import -window root "$OUT/endpoint-editor.png"
kill $APP; sleep 0.5; kill -9 $APP 2>/dev/null
INNER
    xvfb-run -a -s "-screen 0 1600x1000x24" bash "$WORK/editor.sh" "$BIN" "$WORK" "$OUT" || true
fi
# The auto-reply rules of the shipped Modbus RTU simulator (bind moved to port 0): a python3 client
# is answered (live hit counts above the send panel), then the endpoint editor's rules section with
# a Modbus request pasted into the "try it" box (xdotool; optional).
if command -v xdotool >/dev/null && command -v import >/dev/null && command -v python3 >/dev/null; then
    python3 - "$OUT/../../assets/profiles/rtu-device.json" "$WORK/rtu.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for e in p["endpoints"]: e["bind"] = "127.0.0.1:0"
json.dump(p, open(sys.argv[2], "w"))
PY
    cat >"$WORK/rules.sh" <<'INNER'
set -u
BIN=$1 WORK=$2 OUT=$3
mkdir -p "$WORK/cfg-rules/sockscope"
echo '{"theme":"dark","language":"en"}' >"$WORK/cfg-rules/sockscope/settings.json"
SOCKSCOPE_TRACE=1 XDG_CONFIG_HOME="$WORK/cfg-rules" "$BIN" "$WORK/rtu.json" >"$WORK/rules.out" 2>&1 &
APP=$!
for _ in $(seq 100); do grep -q "trace: layout tree.ep.1 " "$WORK/rules.out" && break; sleep 0.1; done
PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$WORK/rules.out" | head -n 1 | sed 's/.*://')
[ -n "$PORT" ] || PORT=$(grep -o '127.0.0.1:[0-9][0-9]*' "$WORK/rules.out" | head -n 1 | sed 's/.*://')
python3 - "$PORT" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for i in range(3):
    s.sendall(bytes.fromhex("010300000001840A")); s.recv(100); time.sleep(0.05)
for i in range(5):
    s.sendall(b"PING\r\n"); s.recv(100); time.sleep(0.05)
time.sleep(30)
PY
CLIENT=$!
sleep 1.5
read -r X Y < <(grep "trace: layout tree.ep.1 " "$WORK/rules.out" | tail -n 1 | awk '{print $4, $5}')
WID=$(xdotool search --name '^Sockscope' | head -n 1)
xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2
xdotool click 1; sleep 1.0
import -window root "$OUT/rules-counts.png"
xdotool click --repeat 2 --delay 80 1; sleep 1.0
# Scroll the editor's form down to the rules section (the wheel over the form), then find the box.
xdotool mousemove --sync --window "$WID" 800 500; sleep 0.2
xdotool click --repeat 40 --delay 20 5; sleep 1.0
read -r X Y < <(grep "trace: layout rules.try.input " "$WORK/rules.out" | tail -n 1 | awk '{print $4, $5}')
if [ -n "${X:-}" ]; then
    xdotool mousemove --sync --window "$WID" "$X" "$Y"; sleep 0.2; xdotool click 1; sleep 0.3
    xdotool type --delay 20 'PING\r\n'; sleep 0.5
    xdotool mousemove --sync --window "$WID" 800 500; sleep 0.2
    xdotool click --repeat 10 --delay 20 5; sleep 0.5
    xdotool mousemove --sync --window "$WID" 5 995; sleep 0.8
fi
import -window root "$OUT/rules.png"
kill $APP $CLIENT; sleep 0.5; kill -9 $APP 2>/dev/null
INNER
    xvfb-run -a -s "-screen 0 1600x1000x24" bash "$WORK/rules.sh" "$BIN" "$WORK" "$OUT" || true
fi
faults_shots
exit 0
