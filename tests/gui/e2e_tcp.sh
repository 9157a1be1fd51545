#!/bin/bash
# End-to-end GUI test under Xvfb: sockscope runs a profile with a TCP server; a python3 peer
# connects; xdotool types a payload and presses Ctrl+Enter; the peer must receive it. The peer
# sends, the log must show it; Ctrl+1 in the send input sends saved command 1; the peer
# half-closes, the connection must show CLOSE_WAIT. The shortcuts are quick taps (press and
# release before the next frame), which ImGui 1.86 alone would miss.
# The app prints what it applies to its model (SOCKSCOPE_TRACE=1) and where its widgets are.
# Usage: e2e_tcp.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped (no Xvfb/xdotool/python3).
set -u
BIN=${1:?usage: e2e_tcp.sh SOCKSCOPE_BINARY [SOURCE_DIR]}

source "$(dirname "$0")/common.bash"
gui_require xvfb-run xdotool python3
gui_under_xvfb "$0" "$@"

# A free port below 32768 (ephemeral ports start there; a TIME_WAIT socket could squat above).
PORT=$(python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()
PY
)
[ -n "$PORT" ] || fail "no free port"

cat >"$WORK/profile.json" <<JSON
{ "version": 1, "name": "e2e",
  "endpoints": [ { "name": "e2e server", "type": "tcp-server", "bind": "127.0.0.1:$PORT",
                   "commands": [ { "name": "one", "text": "cmd-one" } ] } ] }
JSON

export XDG_CONFIG_HOME="$WORK/config" SOCKSCOPE_TRACE=1 ASAN_OPTIONS=detect_leaks=0
"$BIN" "$WORK/profile.json" >"$WORK/out" 2>"$WORK/err" &
APP_PID=$!

wait_for "$WORK/out" '^sockscope: ready' 20 || fail "the app did not start"
wait_for "$WORK/out" "status ep=[0-9]+ listening" 10 || fail "the server is not listening"
if grep -q "ERROR: ImGui_ImplOpenGL3_CreateDeviceObjects" "$WORK/err"; then fail "shader compile error"; fi

# The peer: connects, waits for the GUI's payload, sends one back, half-closes on request.
cat >"$WORK/peer.py" <<'PY'
import os, socket, sys, time
port, work = int(sys.argv[1]), sys.argv[2]
log = open(os.path.join(work, "peer.log"), "a", buffering=1)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
log.write("connected\n")
got = b""
deadline = time.time() + 30
while b"hello-from-gui" not in got and time.time() < deadline:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
log.write("received %r\n" % got)
s.sendall(b"ping-from-peer\n")
log.write("sent\n")
deadline = time.time() + 30
while b"cmd-one" not in got and time.time() < deadline:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
log.write("then %r\n" % got)
flag = os.path.join(work, "halfclose")
deadline = time.time() + 30
while not os.path.exists(flag) and time.time() < deadline:
    time.sleep(0.05)
s.shutdown(socket.SHUT_WR)
log.write("half-closed\n")
time.sleep(30)
PY
python3 "$WORK/peer.py" "$PORT" "$WORK" &
PEER_PID=$!
wait_for "$WORK/out" "trace: opened ep=[0-9]+ conn=[0-9]+" 10 || fail "the connection was not reported"
wait_for "$WORK/out" "trace: layout send.input " 10 || fail "no layout trace"

WID=$(xdotool search --name '^Sockscope' | head -n 1)
[ -n "$WID" ] || fail "window not found"
xdotool windowfocus --sync "$WID" 2>/dev/null || true
sleep 0.3
read -r X Y < <(grep "trace: layout send.input " "$WORK/out" | tail -n 1 | awk '{print $4, $5}')
# Each step waits until the app has drawn the previous one (slow under sanitizers and load).
n=$(idle_count)
xdotool mousemove --sync --window "$WID" "$X" "$Y"
xdotool click 1
wait_idle_since "$n" 20 || fail "the app did not settle after the click"
n=$(idle_count)
xdotool type --delay 20 'hello-from-gui'
wait_idle_since "$n" 20 || fail "the app did not settle after typing"
xdotool key ctrl+Return

# 1. The peer received what was typed.
wait_for "$WORK/peer.log" "received .*hello-from-gui" 10 || fail "the peer did not receive the typed payload"
wait_for "$WORK/out" "trace: tx ep=[0-9]+ conn=[0-9]+ len=14 hex=68656c6c6f2d66726f6d2d677569" 5 ||
    fail "the sent message is not in the log"
echo "ok: typed payload sent (Ctrl+Enter) and received by the peer"

# 2. The peer's message reached the log.
wait_for "$WORK/out" "trace: rx ep=[0-9]+ conn=[0-9]+ len=15 hex=70696e672d66726f6d2d706565720a" 10 ||
    fail "the peer's message is not in the log"
echo "ok: peer message shown in the log"

# 3. Ctrl+1 with the send input still focused: saved command 1 goes out.
xdotool key ctrl+1
wait_for "$WORK/peer.log" "then .*cmd-one" 10 || fail "Ctrl+1 did not send saved command 1"
echo "ok: Ctrl+1 sent saved command 1 from the focused send input"

# 4. The peer half-closes: the connection shows CLOSE_WAIT.
touch "$WORK/halfclose"
wait_for "$WORK/out" "trace: peer_fin ep=[0-9]+ conn=[0-9]+" 10 || fail "the peer's FIN was not reported"
wait_for "$WORK/out" "trace: tcp_state ep=[0-9]+ conn=[0-9]+ state=CLOSE_WAIT" 10 || fail "no CLOSE_WAIT"
echo "ok: half-closed connection shows CLOSE_WAIT"

if grep -q "ERROR: ImGui_ImplOpenGL3_CreateDeviceObjects" "$WORK/err"; then fail "shader compile error"; fi
stop_app
APP_PID=""
echo "PASS"
