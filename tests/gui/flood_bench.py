#!/usr/bin/env python3
"""Frame-time benchmark of the GUI under a flood (not a ctest; run by hand, see docs/gui.md).
Also types into the send box with xdotool during the flood and reports keystroke-to-screen
latency measured inside the app (key callback -> end of the frame that shows it).

Starts `sockscope --bench-frames N` under Xvfb (1600x1000) on a profile with one UDP endpoint,
fills its log to LOG_RECORDS messages (SOCKSCOPE_BENCH_PREFILL), bounds the log at that many
records (SOCKSCOPE_LOG_RECORDS, so the flood also evicts), floods it with RATE 64-byte datagrams
per second from this process, and prints the app's frame-time percentiles and the rate achieved.

usage: flood_bench.py SOCKSCOPE_BINARY [--rate 100000] [--frames 600] [--log-records 1000000]
                      [--sender build/bench/bench_udp_sender]
"""
import argparse, os, random, shutil, socket, subprocess, sys, tempfile, threading, time

# Run inside our own X server so xdotool can reach the window.
if not os.environ.get("SOCKSCOPE_BENCH_INNER"):
    os.environ["SOCKSCOPE_BENCH_INNER"] = "1"
    os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable] + sys.argv)

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("--rate", type=int, default=100_000)
ap.add_argument("--frames", type=int, default=600)
ap.add_argument("--log-records", type=int, default=1_000_000)
ap.add_argument("--size", type=int, default=64)
ap.add_argument("--sender", help="bench/bench_udp_sender binary (sendmmsg; far cheaper than Python)")
args = ap.parse_args()

def free_udp_port():
    for _ in range(200):
        p = random.randint(20000, 32000)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            pass
        finally:
            s.close()
    sys.exit("no free port")

work = tempfile.mkdtemp()
port = free_udp_port()
profile = os.path.join(work, "bench.json")
with open(profile, "w") as f:
    f.write('{"version":1,"name":"bench","endpoints":[{"name":"flood","type":"udp","bind":"127.0.0.1:%d"}]}' % port)
env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(work, "cfg"),
           SOCKSCOPE_BENCH_PREFILL=str(args.log_records), SOCKSCOPE_LOG_RECORDS=str(args.log_records),
           SOCKSCOPE_TRACE="layout")
app = subprocess.Popen([args.binary, "--bench-frames", str(args.frames), profile],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

ready = threading.Event()
lines = []
def reader():
    for line in app.stdout:
        lines.append(line.rstrip())
        if line.startswith("sockscope: ready"):
            ready.set()
threading.Thread(target=reader, daemon=True).start()
if not ready.wait(60):
    app.kill()
    sys.exit("app did not start: " + app.stderr.read())

sent = 0
stop = threading.Event()
def flood():
    global sent
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    payload = bytes(range(args.size % 256)) * (args.size // 256) + bytes(range(args.size % 256))
    payload = payload[:args.size].ljust(args.size, b"x")
    start = time.perf_counter()
    batch = max(1, args.rate // 1000)      # paced in 1 ms steps
    while not stop.is_set():
        due = start + sent / args.rate
        now = time.perf_counter()
        if now < due:
            time.sleep(min(due - now, 0.001))
            continue
        for _ in range(batch):
            try:
                s.send(payload)
            except OSError:
                pass
        sent += batch
def typist():
    """Clicks the send box, then types a character every 250 ms (bounded)."""
    if not shutil.which("xdotool"):
        return
    pos = None
    for _ in range(100):
        for line in list(lines):
            if line.startswith("trace: layout send.input "):
                pos = line.split()[3:5]
        if pos:
            break
        time.sleep(0.05)
    if not pos:
        return
    wid = subprocess.run(["xdotool", "search", "--name", "^Sockscope"], capture_output=True, text=True).stdout.split()
    if not wid:
        return
    subprocess.run(["xdotool", "mousemove", "--sync", "--window", wid[0], pos[0], pos[1]])
    subprocess.run(["xdotool", "click", "1"])
    for i in range(400):
        if stop.is_set():
            break
        subprocess.run(["xdotool", "type", "--delay", "0", "abcdefghij"[i % 10]])
        time.sleep(0.25)

flood_start = time.time()
t = threading.Thread(target=flood, daemon=True)
sender = None
if args.rate > 0 and args.sender:
    sender = subprocess.Popen([args.sender, "--port", str(port), "--seconds", str(round((args.frames + 30) / 30 + 2, 1)), "--size", str(args.size),
                               "--rate", str(args.rate)], stdout=subprocess.PIPE, text=True)
elif args.rate > 0:
    t.start()
threading.Thread(target=typist, daemon=True).start()
app.wait(timeout=600)
stop.set()
elapsed = time.time() - flood_start
if sender:
    try:
        out = sender.communicate(timeout=30)[0].strip()
    except subprocess.TimeoutExpired:
        sender.kill()
        out = "(killed)"
    print("sender:", out)
    sent = int(args.rate * elapsed)   # approximate; the sender's own line has the exact count
for line in lines:
    if "bench" in line:
        print(line)
print("flood: %d datagrams of %d bytes in %.1f s = %.0f/s (target %d/s)" % (sent, args.size, elapsed, sent / max(elapsed, 1e-9), args.rate))
err = app.stderr.read()
if "ERROR: ImGui_ImplOpenGL3_CreateDeviceObjects" in err:
    sys.exit("shader error")
