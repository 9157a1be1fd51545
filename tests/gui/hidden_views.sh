#!/bin/bash
# Issue 7 under Xvfb: View > Panels > Connections hides the connections pane (the log moves up
# into its room); settings.json keeps it hidden after a restart, and the same menu shows it again.
# Usage: hidden_views.sh SOCKSCOPE_BINARY [SOURCE_DIR]. Exit 77 = skipped (no Xvfb/xdotool).
set -u
BIN=${1:?usage: hidden_views.sh SOCKSCOPE_BINARY [SOURCE_DIR]}
source "$(dirname "$0")/common.bash"
gui_require xvfb-run xdotool
gui_under_xvfb "$0" "$@"

CONF="$WORK/config/sockscope"
mkdir -p "$CONF"
cat >"$WORK/p.json" <<JSON
{ "version": 1, "name": "p", "endpoints": [ { "name": "quiet", "type": "udp", "bind": "127.0.0.1:0", "auto_start": false } ] }
JSON
start_app() {
    : >"$WORK/out"
    XDG_CONFIG_HOME="$WORK/config" SOCKSCOPE_TRACE=layout ASAN_OPTIONS=detect_leaks=0 \
        "$BIN" "$WORK/p.json" >"$WORK/out" 2>"$WORK/err" &
    APP_PID=$!
    wait_for "$WORK/out" '^sockscope: ready' 20 || fail "the app did not start"
    wait_for "$WORK/out" '^trace: idle' 20 || fail "the app never went idle"
    WID=$(xdotool search --name '^Sockscope' | head -n 1)
    [ -n "$WID" ] || fail "no window"
}
# The latest position of a probed widget: "X Y".
where() { grep "^trace: layout $1 " "$WORK/out" | tail -n 1 | awk '{print $4, $5}'; }
# Moves to a probed widget (and clicks it unless "hover"); waits until the app has drawn that.
act() {
    wait_for "$WORK/out" "^trace: layout $1 " 10 || fail "$1 is not shown"
    local n X Y
    read -r X Y < <(where "$1")
    n=$(idle_count)
    xdotool mousemove --sync --window "$WID" "$X" "$Y"
    [ "${2:-}" = hover ] || xdotool click 1
    wait_idle_since "$n" 20 || fail "the app did not settle after $1"
}
toggle_connections() {
    act menu.view
    act menu.view.panels hover
    act menu.view.connections
}

# 1. Shown by default; hidden from the menu: the log moves up.
start_app
wait_for "$WORK/out" '^trace: layout conn.reset_counters ' 10 || fail "the connections pane is not shown at first"
read -r _ LOG_Y < <(where log.scope)
toggle_connections
read -r _ LOG_Y2 < <(where log.scope)
[ "$LOG_Y2" -lt "$LOG_Y" ] || fail "the log did not take the hidden pane's room ($LOG_Y -> $LOG_Y2)"
stop_app
grep -A2 '"hidden_views"' "$CONF/settings.json" | grep -q '"connections"' || fail "settings.json does not keep it hidden"
echo "ok: hidden from View > Panels, kept in settings.json"

# 2. After a restart: still hidden (no connections widget is laid out), then shown again.
start_app
wait_for "$WORK/out" '^trace: layout log.scope ' 10 || fail "no log after the restart"
grep -q '^trace: layout conn\.' "$WORK/out" && fail "the connections pane is back after the restart"
read -r _ LOG_Y3 < <(where log.scope)
[ "$LOG_Y3" -eq "$LOG_Y2" ] || fail "the log is not where it was ($LOG_Y2, now $LOG_Y3)"
toggle_connections
wait_for "$WORK/out" '^trace: layout conn.reset_counters ' 10 || fail "the connections pane did not come back"
stop_app
grep -q '"hidden_views": \[\]' "$CONF/settings.json" || fail "settings.json still hides it"
echo "ok: still hidden after a restart; shown again from the same menu"
echo "PASS"
