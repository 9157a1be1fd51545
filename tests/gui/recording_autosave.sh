#!/bin/bash
# Issue 9: a profile's "recording" survives a restart. Opened from the command line, the profile's
# recorder starts; the autosaved workspace carries "recording"; the next start without a profile
# brings the recorder back (its file appears again at the path relative to the profile). File ▸
# New is covered by a view test: it stops the previous profile's recorders.
# Usage: recording_autosave.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped (no Xvfb).
set -u
BIN=${1:?usage: recording_autosave.sh SOCKSCOPE_BINARY [SOURCE_DIR]}
source "$(dirname "$0")/common.bash"
gui_require xvfb-run
gui_under_xvfb "$0" "$@"

start_app() {
    : >"$WORK/out"
    XDG_CONFIG_HOME="$WORK/config" ASAN_OPTIONS=detect_leaks=0 "$BIN" "$@" >"$WORK/out" 2>"$WORK/err" &
    APP_PID=$!
    wait_for "$WORK/out" '^sockscope: ready' 20 || fail "the app did not start"
}
wait_for_file() {   # FILE SECONDS
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        [ -e "$1" ] && return 0
        kill -0 "$APP_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

mkdir -p "$WORK/profile"
cat >"$WORK/profile/p.json" <<JSON
{ "version": 1, "name": "p",
  "endpoints": [ { "name": "u", "type": "udp", "bind": "127.0.0.1:0" } ],
  "recording": [ { "path": "logs/session.jsonl", "format": "jsonl" } ] }
JSON
start_app "$WORK/profile/p.json"
wait_for_file "$WORK/profile/logs/session.jsonl" 20 || fail "the profile's recorder did not start"
CONF="$WORK/config/sockscope"
for _ in $(seq 100); do grep -q '"recording"' "$CONF/workspace.json" 2>/dev/null && break; sleep 0.1; done
stop_app
grep -q '"logs/session.jsonl"' "$CONF/workspace.json" || fail "the autosaved workspace lacks the recording: $(cat "$CONF/workspace.json")"

rm -rf "$WORK/profile/logs"
start_app
wait_for_file "$WORK/profile/logs/session.jsonl" 20 || fail "the recorder did not come back after a restart"
stop_app
echo "PASS"
