# Shared by the GUI end-to-end scripts in this folder (sourced; ctest runs only the *.sh files).
#   source common.bash; gui_require TOOL...; gui_under_xvfb "$0" "$@"
# then: WORK (a temp dir, removed on exit), APP_PID / PEER_PID (stopped on exit),
#   fail MSG, wait_for FILE REGEX SECONDS, idle_count / wait_idle_since N SECONDS, stop_app,
#   send_close_request WINDOW_ID (what the window manager's close button sends).
# The app writes its stdout/stderr to $WORK/out and $WORK/err; a peer may log to $WORK/peer.log.

# Exit 77 (ctest: skipped) unless every tool is installed.
gui_require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
    done
}

# Re-runs the calling script once inside its own Xvfb server; there, makes WORK and the cleanup.
gui_under_xvfb() {
    if [ "${SOCKSCOPE_E2E_INNER:-}" != 1 ]; then
        export SOCKSCOPE_E2E_INNER=1
        exec xvfb-run -a -s "-screen 0 1600x1000x24" bash "$@"
    fi
    WORK=$(mktemp -d)
    APP_PID=""
    PEER_PID=""
    trap gui_cleanup EXIT
}

# SIGTERM (the app saves and exits), then SIGKILL after 5 s: bounded.
stop_app() {
    [ -n "$APP_PID" ] || return 0
    kill "$APP_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$APP_PID" 2>/dev/null
    wait "$APP_PID" 2>/dev/null
    APP_PID=""
}

gui_cleanup() {
    stop_app
    [ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}

fail() {
    echo "FAIL: $*"
    echo "--- app stdout (tail)"; tail -n 40 "$WORK/out" 2>/dev/null
    echo "--- app stderr (tail)"; tail -n 20 "$WORK/err" 2>/dev/null
    [ -f "$WORK/peer.log" ] && { echo "--- peer log"; cat "$WORK/peer.log"; }
    exit 1
}

# wait_for FILE REGEX SECONDS: polls (bounded) until a line of FILE matches; gives up at once
# when the app died.
wait_for() {
    local file=$1 regex=$2 seconds=$3 i
    for ((i = 0; i < seconds * 10; i++)); do
        grep -Eq -- "$regex" "$file" 2>/dev/null && return 0
        [ -n "$APP_PID" ] && ! kill -0 "$APP_PID" 2>/dev/null && return 1
        sleep 0.1
    done
    return 1
}

# The app (SOCKSCOPE_TRACE=1) prints "trace: idle" whenever it has drawn everything it was given
# and waits for input: a sync point between xdotool steps that does not depend on the machine's
# speed. n=$(idle_count); xdotool ...; wait_idle_since "$n" 10
idle_count() {
    grep -c "trace: idle" "$WORK/out" 2>/dev/null || true
}
wait_idle_since() {
    local before=$1 seconds=$2 i
    for ((i = 0; i < seconds * 10; i++)); do
        [ "$(idle_count)" -gt "$before" ] && return 0
        [ -n "$APP_PID" ] && ! kill -0 "$APP_PID" 2>/dev/null && return 1
        sleep 0.1
    done
    return 1
}

# send_close_request WID: the window manager's close request (WM_DELETE_WINDOW), sent with libX11
# through python3 ctypes (xdotool has no command for it).
send_close_request() {
    python3 - "$1" <<'PY'
import ctypes, sys
x = ctypes.cdll.LoadLibrary("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]
class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
d = x.XOpenDisplay(None)
if not d:
    sys.exit(1)
ev = XEvent()
ev.xclient.type = 33   # ClientMessage
ev.xclient.window = int(sys.argv[1])
ev.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
ev.xclient.format = 32
ev.xclient.data[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
x.XSendEvent(d, int(sys.argv[1]), 0, 0, ctypes.byref(ev))
x.XFlush(d)
x.XCloseDisplay(d)
PY
}
