#!/bin/bash
# End-to-end GUI test under Xvfb (issue 6 item 1): one message of 30,000 bytes in one TCP write
# (and then 1 MiB) used to abort the app ("Too many vertices in ImDrawList using 16-bit indices"),
# because the detail pane drew the newest row's whole text. A python3 peer sends them to a
# tcp-server (bound to port 0; the port is read from the trace); the app must apply them, draw
# frames with them in the detail pane, and still be alive to receive a last "END" message.
# Usage: e2e_large_message.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped (no Xvfb/python3).
set -u
BIN=${1:?usage: e2e_large_message.sh SOCKSCOPE_BINARY [SOURCE_DIR]}

source "$(dirname "$0")/common.bash"
gui_require xvfb-run python3
gui_under_xvfb "$0" "$@"

cat >"$WORK/profile.json" <<JSON
{ "version": 1, "name": "e2e-large",
  "endpoints": [ { "name": "big", "type": "tcp-server", "bind": "127.0.0.1:0" } ] }
JSON

export XDG_CONFIG_HOME="$WORK/config" SOCKSCOPE_TRACE=1 ASAN_OPTIONS=detect_leaks=0
"$BIN" "$WORK/profile.json" >"$WORK/out" 2>"$WORK/err" &
APP_PID=$!

wait_for "$WORK/out" '^sockscope: ready' 20 || fail "the app did not start"
wait_for "$WORK/out" "status ep=[0-9]+ listening 127.0.0.1:[0-9]+" 10 || fail "the server is not listening"
PORT=$(grep -Eo "status ep=[0-9]+ listening 127.0.0.1:[0-9]+" "$WORK/out" | head -n 1 | sed 's/.*://')
[ -n "$PORT" ] && [ "$PORT" != 0 ] || fail "no port in the trace"

# Each message in one write; the peer waits for the app to report it before the next one, so
# the app draws frames with each as the newest row (the detail pane shows it).
python3 - "$PORT" "$WORK/out" >"$WORK/peer.log" 2>&1 <<'PY' || fail "peer: $(cat "$WORK/peer.log")"
import re, socket, sys, time
port, trace = int(sys.argv[1]), sys.argv[2]
def received():
    total = 0
    for line in open(trace, errors="replace"):
        m = re.search(r"trace: rx ep=\d+ conn=\d+ len=(\d+)", line)
        if m: total += int(m.group(1))
    return total
s = socket.create_connection(("127.0.0.1", port))
expected = 0
for size in (30000, 1 << 20):
    s.sendall(b"A" * (size // 2) + bytes(range(256)) * (size // 512))
    expected += size // 2 + 256 * (size // 512)
    deadline = time.time() + 20
    while received() < expected:
        if time.time() > deadline: sys.exit("app received %d of %d bytes" % (received(), expected))
        time.sleep(0.05)
s.sendall(b"END")
PY
wait_for "$WORK/out" "trace: rx ep=[0-9]+ conn=[0-9]+ len=3 hex=454e44" 20 || fail "the app did not survive the large messages"
kill -0 "$APP_PID" 2>/dev/null || fail "the app exited"
grep -q "Assertion\|Too many vertices" "$WORK/err" && fail "an assertion fired"
echo "PASS: 30,000 bytes and 1 MiB in one write each, the app alive"
exit 0
