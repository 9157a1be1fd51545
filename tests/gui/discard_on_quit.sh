#!/bin/bash
# Quit ▸ Discard under Xvfb: the discarded change must not come back at the next start. The
# autosave (workspace.json) goes back to the saved profile, and the settings no longer mark it
# unsaved. (A tester found the discarded change restored, marked as saved, so that the next Save
# would have written it into the profile.)
# Usage: discard_on_quit.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped.
set -u
BIN=${1:?usage: discard_on_quit.sh SOCKSCOPE_BINARY [SOURCE_DIR]}
source "$(dirname "$0")/common.bash"
gui_require xvfb-run xdotool python3
gui_under_xvfb "$0" "$@"

CONF="$WORK/config/sockscope"
mkdir -p "$CONF"
cat >"$WORK/saved.json" <<JSON
{ "version": 1, "name": "w", "endpoints": [ { "name": "saved one", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false } ] }
JSON
cat >"$CONF/workspace.json" <<JSON
{ "version": 1, "name": "w", "endpoints": [ { "name": "saved one", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false },
  { "name": "not saved", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false } ] }
JSON
echo "{\"workspace_dirty\": true, \"workspace_name\": \"w\", \"workspace_path\": \"$WORK/saved.json\"}" >"$CONF/settings.json"
XDG_CONFIG_HOME="$WORK/config" SOCKSCOPE_TRACE=layout ASAN_OPTIONS=detect_leaks=0 "$BIN" >"$WORK/out" 2>"$WORK/err" &
APP_PID=$!
wait_for "$WORK/out" '^sockscope: ready' 20 || fail "the app did not start"
wait_for "$WORK/out" '^trace: idle' 20 || fail "the app never went idle"
WID=$(xdotool search --name '^Sockscope' | head -n 1)
[ -n "$WID" ] || fail "no window"
send_close_request "$WID" || fail "could not send WM_DELETE_WINDOW"
wait_for "$WORK/out" '^trace: layout confirm.discard ' 10 || fail "no close prompt"
n=$(idle_count)
wait_idle_since "$n" 10 || fail "the prompt never settled"
read -r x y < <(grep '^trace: layout confirm.discard ' "$WORK/out" | tail -n 1 | awk '{print $4, $5}')
n=$(idle_count)
xdotool mousemove --sync --window "$WID" "$x" "$y"
wait_idle_since "$n" 10 || fail "the app did not settle after the mouse move"
xdotool click 1
for _ in $(seq 100); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$APP_PID" 2>/dev/null && fail "the app did not quit after Discard"
wait "$APP_PID"
APP_PID=""
grep -q '"not saved"' "$CONF/workspace.json" && fail "the discarded endpoint is still in the autosave"
grep -q '"saved one"' "$CONF/workspace.json" || fail "the saved profile is not the workspace"
grep -q '"workspace_dirty": false' "$CONF/settings.json" || fail "the settings still mark the workspace unsaved"
grep -q '"not saved"' "$WORK/saved.json" && fail "the profile itself was changed"
echo "PASS"
