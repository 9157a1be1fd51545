#!/bin/bash
# Issue 6 item 9/8 under Xvfb: a settings.json with a wrong type and a corrupt workspace.json do
# not stop the app; both are set aside (renamed, kept) and reported in the window. An autosave
# that cannot write is shown in the window (SOCKSCOPE_TRACE=layout prints where the banner is).
# Usage: file_problems.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped (no Xvfb).
set -u
BIN=${1:?usage: file_problems.sh SOCKSCOPE_BINARY [SOURCE_DIR]}
source "$(dirname "$0")/common.bash"
gui_require xvfb-run
gui_under_xvfb "$0" "$@"

start_app() {
    : >"$WORK/out"
    XDG_CONFIG_HOME="$WORK/config" SOCKSCOPE_TRACE=layout ASAN_OPTIONS=detect_leaks=0 \
        "$BIN" "$@" >"$WORK/out" 2>"$WORK/err" &
    APP_PID=$!
    wait_for "$WORK/out" '^sockscope: ready' 20 || fail "the app did not start"
}
CONF="$WORK/config/sockscope"
mkdir -p "$CONF"

# 1. Wrong type in settings.json, garbage in workspace.json.
echo '{"workspace_dirty": 3, "theme": "light"}' >"$CONF/settings.json"
printf '{"version":1,"endpoints":[\x00\xff' >"$CONF/workspace.json"
start_app
wait_for "$WORK/out" '^trace: layout problem.settings_file ' 10 || fail "the settings problem is not shown"
wait_for "$WORK/out" '^trace: layout problem.workspace_file ' 10 || fail "the workspace problem is not shown"
ls "$CONF"/settings.json.broken-* >/dev/null 2>&1 || fail "settings.json was not set aside"
ls "$CONF"/workspace.json.broken-* >/dev/null 2>&1 || fail "workspace.json was not set aside"
grep -q 'workspace_dirty' "$CONF"/settings.json.broken-* || fail "the set-aside copy is not the original"
stop_app
grep -q '"theme": "light"' "$CONF/settings.json" || fail "the valid values were not kept"

# 2. The autosave cannot write (workspace.json is a non-empty directory): shown in the window.
rm -f "$CONF/workspace.json"
mkdir -p "$CONF/workspace.json/keep"
cat >"$WORK/p.json" <<JSON
{ "version": 1, "name": "p", "endpoints": [ { "name": "u", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false } ] }
JSON
start_app "$WORK/p.json"
wait_for "$WORK/out" '^trace: layout problem.autosave ' 10 || fail "the autosave failure is not shown"
stop_app

# 3. A corrupt profile on the command line changes nothing: the last workspace (and its unsaved
#    mark) comes back, and the failure is shown.
rm -rf "$CONF/workspace.json"
cat >"$CONF/workspace.json" <<JSON
{ "version": 1, "name": "w", "endpoints": [ { "name": "keep me", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false } ] }
JSON
echo '{"workspace_dirty": true, "workspace_name": "w"}' >"$CONF/settings.json"
printf '{"version": 1, "endpoints": [' >"$WORK/corrupt.json"
start_app "$WORK/corrupt.json"
wait_for "$WORK/out" '^trace: layout problem.open ' 10 || fail "the failed open is not shown"
wait_for "$WORK/out" '^trace: layout tree.ep.1 ' 10 || fail "the last workspace was not restored"
stop_app
grep -q '"keep me"' "$CONF/workspace.json" || fail "the last workspace was overwritten"
grep -q '"workspace_dirty": true' "$CONF/settings.json" || fail "the unsaved mark was lost"
echo "PASS"
