#!/bin/bash
# Issue 6 item 19 under Xvfb: closing the window with unsaved changes shows the question at once,
# without a mouse move. The window manager's close request (WM_DELETE_WINDOW, sent with libX11
# through python3 ctypes) must be followed by the frames that lay out and then show the modal
# before the app goes idle again (SOCKSCOPE_TRACE=layout prints "trace: idle" when it sleeps).
# Usage: close_prompt.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped.
set -u
BIN=${1:?usage: close_prompt.sh SOCKSCOPE_BINARY [SOURCE_DIR]}
source "$(dirname "$0")/common.bash"
gui_require xvfb-run xdotool python3
gui_under_xvfb "$0" "$@"

# The last workspace, restored with its unsaved mark; a stopped endpoint: no engine events.
CONF="$WORK/config/sockscope"
mkdir -p "$CONF"
cat >"$CONF/workspace.json" <<JSON
{ "version": 1, "name": "w", "endpoints": [ { "name": "quiet", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false } ] }
JSON
echo '{"workspace_dirty": true, "workspace_name": "w"}' >"$CONF/settings.json"
XDG_CONFIG_HOME="$WORK/config" SOCKSCOPE_TRACE=layout ASAN_OPTIONS=detect_leaks=0 "$BIN" >"$WORK/out" 2>"$WORK/err" &
APP_PID=$!
wait_for "$WORK/out" '^sockscope: ready' 20 || fail "the app did not start"
wait_for "$WORK/out" '^trace: idle' 20 || fail "the app never went idle"
WID=$(xdotool search --name '^Sockscope' | head -n 1)
[ -n "$WID" ] || fail "no window"
lines=$(wc -l <"$WORK/out")
send_close_request "$WID" || fail "could not send WM_DELETE_WINDOW"
wait_for "$WORK/out" '^trace: layout confirm.discard ' 10 || fail "no close prompt"
# After the request: the modal is laid out (its first frame is hidden while it measures itself),
# then drawn where it will stay, before the app sleeps. Before the fix the second frame waited
# for the next input or the idle timeout.
python3 - "$WORK/out" "$lines" <<'PY' || fail "the prompt was not drawn before the app went idle"
import sys, time
path, skip = sys.argv[1], int(sys.argv[2])
for _ in range(100):   # until the app sleeps again after the prompt (bounded: 10 s)
    after = [l.strip() for l in open(path).read().splitlines()[skip:]]
    first = next((i for i, l in enumerate(after) if l.startswith("trace: layout confirm.discard ")), None)
    idle = next((i for i, l in enumerate(after) if first is not None and i > first and l == "trace: idle"), None)
    if idle is not None:
        break
    time.sleep(0.1)
else:
    sys.exit(1)
moved = [l for l in after[first + 1:idle] if l.startswith("trace: layout confirm.discard ")]
sys.exit(0 if moved else 1)
PY
kill -0 "$APP_PID" 2>/dev/null || fail "the app quit without asking"
echo "PASS"
