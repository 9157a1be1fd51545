#!/usr/bin/env python3
"""Headless conformance: one set of checks of `sockscope --headless` against real python3 peers,
run on the Linux binary (ctest) and on the Windows .exe under Wine (scripts/windows.sh test), so
the two builds are held to the same behaviour: echo byte-exact, FIN and RST told apart, UDP
datagrams kept whole, the command channel, and the exit codes of docs/headless.md.

    headless_conformance.py [--wine] [-k SUBSTRING] SOCKSCOPE

Only 127.0.0.1 and ports the kernel picks (port 0); every wait is bounded.
"""
import argparse
import hashlib
import json
import os
import queue
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

WAIT_S = float(os.environ.get("CONFORMANCE_WAIT_S", "30"))


class Run:
    """One headless process: JSON lines read on a thread, commands written to its stdin."""

    def __init__(self, ctx, profile, *extra, commands=True):
        self.lines = []
        self._queue = queue.Queue()
        args = ctx.command + ["--headless", ctx.path(profile), "--log", "jsonl", *extra]
        if commands:
            args += ["--commands", "-"]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr = []
        # Read on a thread: a child that keeps the pipe open (Wine's helpers) must not hang us.
        self._stderr_reader = threading.Thread(target=lambda: self._stderr.append(self.proc.stderr.read()),
                                               daemon=True)
        self._stderr_reader.start()
        self.stderr = b""

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                event = {"event": "<not json>", "line": line}
            self._queue.put(event)
        self._queue.put(None)

    def wait_for(self, what, predicate, timeout=WAIT_S):
        """The first event (new or already seen) for which predicate holds."""
        for event in self.lines:
            if predicate(event):
                return event
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; "
                                     f"last lines: {self.lines[-8:]}")
            try:
                event = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if event is None:
                self._queue.put(None)
                raise AssertionError(f"the process ended before {what}; lines: {self.lines[-8:]}")
            self.lines.append(event)
            if predicate(event):
                return event

    def event(self, name, endpoint=None, **fields):
        def matches(e):
            return (e.get("event") == name and (endpoint is None or e.get("endpoint") == endpoint)
                    and all(e.get(k) == v for k, v in fields.items()))
        return self.wait_for(f"event {name} {fields or ''}", matches)

    def local_port(self, endpoint):
        e = self.wait_for(f"{endpoint} listening or bound",
                          lambda e: e.get("endpoint") == endpoint and e.get("event") in
                          ("listening", "bound", "failed"))
        assert e["event"] != "failed", f"{endpoint} failed: {e}"
        return int(e["local"].rsplit(":", 1)[1])

    def send_command(self, obj):
        self.proc.stdin.write((json.dumps(obj) + "\n").encode())
        self.proc.stdin.flush()

    def finish(self, timeout=WAIT_S):
        """Ends the run (quit on the channel when it has one) and returns the exit code."""
        try:
            if self.proc.stdin and not self.proc.stdin.closed:
                try:
                    self.send_command({"quit": {}})
                except (BrokenPipeError, OSError):
                    pass
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the run did not end within {timeout:.0f} s")
        self._reader.join(timeout=5)
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                break
            if event is not None:
                self.lines.append(event)
        self._stderr_reader.join(timeout=5)
        self.stderr = b"".join(self._stderr)
        return self.proc.returncode

    def summary(self, endpoint):
        for e in reversed(self.lines):
            if e.get("event") == "summary":
                return next(s for s in e["endpoints"] if s["endpoint"] == endpoint)
        raise AssertionError("no summary line")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                print("  (the process did not end after SIGKILL)", flush=True)


class Context:
    def __init__(self, exe, wine):
        self.command = ["wine", exe] if wine else [exe]
        self.wine = wine
        self.dir = tempfile.mkdtemp(prefix="sockscope-conformance-")

    def path(self, p):
        return "Z:" + p if self.wine else p

    def profile(self, name, endpoints):
        path = os.path.join(self.dir, name + ".json")
        with open(path, "w") as f:
            json.dump({"version": 1, "name": name, "endpoints": endpoints}, f)
        return path


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)


def recv_exactly(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(min(65536, n - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


# --- the checks ---------------------------------------------------------------------------------

def tcp_server_echoes_every_byte_and_sees_the_fin(ctx):
    run = Run(ctx, ctx.profile("echo", [{"name": "srv", "type": "tcp-server", "bind": "127.0.0.1:0",
                                         "echo": True}]))
    try:
        port = run.local_port("srv")
        payload = os.urandom(256 * 1024)
        with connect(port) as c:
            sender = threading.Thread(target=c.sendall, args=(payload,))
            sender.start()
            echoed = recv_exactly(c, len(payload))
            sender.join()
            assert hashlib.sha256(echoed).digest() == hashlib.sha256(payload).digest(), \
                f"echo differs: {len(echoed)} of {len(payload)} bytes back"
            c.shutdown(socket.SHUT_WR)
            conn = run.event("peer_closed", "srv")["conn"]
            # Half-open is kept (close_wait_timeout_s), and the kernel says so.
            run.event("tcp_state", "srv", conn=conn, tcp_state="CLOSE_WAIT")
        assert run.finish() == 0
        s = run.summary("srv")
        assert s["rx_bytes"] == len(payload) and s["tx_bytes"] == len(payload), s
    finally:
        run.kill()


def tcp_server_tells_a_peer_reset(ctx):
    run = Run(ctx, ctx.profile("reset", [{"name": "srv", "type": "tcp-server", "bind": "127.0.0.1:0"}]))
    try:
        port = run.local_port("srv")
        seen = set()

        def reset_by_peer(sock):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

        def next_accepted():
            conn = run.wait_for("a new connection", lambda e: e.get("event") == "accepted" and
                                e.get("conn") not in seen)["conn"]
            seen.add(conn)
            return conn

        # Several rounds, each a peer that resets after data and one that resets before any.
        for round_no in range(4):
            c = connect(port)
            text = f"before reset {round_no}"
            c.sendall(text.encode())
            after_data = next_accepted()
            run.event("rx", "srv", conn=after_data, text=text)
            reset_by_peer(c)
            quiet = connect(port)
            next_accepted()
            reset_by_peer(quiet)
        for conn in sorted(seen):
            reset = run.wait_for(f"connection {conn} reset",
                                 lambda e: e.get("event") in ("reset", "closed") and e.get("conn") == conn)
            assert reset["event"] == "reset" and reset.get("reason") == "peer_reset", reset
        fins = [e["conn"] for e in run.lines if e.get("event") == "peer_closed"]
        # Wine's recv() returns 0 for some Linux RSTs (about one connection in ten, mostly those reset
        # before any data): nothing on the socket tells it from a FIN at that moment, and the reset
        # shows a moment later. Under Wine the reset must still be reported; on Linux never a FIN.
        if ctx.wine and fins:
            print(f"  (Wine read the RST of connection(s) {fins} as a FIN first, then reported the reset)")
        else:
            assert not fins, f"a RST was reported as a FIN on connection(s) {fins}"
        assert run.finish() == 0
    finally:
        run.kill()


def udp_echoes_datagrams_whole(ctx):
    run = Run(ctx, ctx.profile("udp", [{"name": "u", "type": "udp", "bind": "127.0.0.1:0", "echo": True}]))
    try:
        port = run.local_port("u")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(WAIT_S)
            for size in (1, 100, 1400, 8000, 65507):
                data = os.urandom(size)
                s.sendto(data, ("127.0.0.1", port))
                back, sender = s.recvfrom(70000)
                assert back == data, f"{size}-byte datagram came back as {len(back)} bytes"
                assert sender[1] == port
            run.event("rx", "u", len=65507, peer=f"127.0.0.1:{s.getsockname()[1]}")
        assert run.finish() == 0
        assert run.summary("u")["rx_messages"] == 5
    finally:
        run.kill()


def tcp_client_takes_channel_commands(ctx):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(WAIT_S)
        port = listener.getsockname()[1]
        run = Run(ctx, ctx.profile("client", [{"name": "dev", "type": "tcp-client",
                                               "remote": f"127.0.0.1:{port}"}]))
        try:
            peer, _ = listener.accept()
            peer.settimeout(WAIT_S)
            conn = run.event("connected", "dev")["conn"]
            # The kernel's view of the connection (TCP_INFO on Linux, the TCP table on Windows).
            run.event("tcp_state", "dev", conn=conn, tcp_state="ESTABLISHED")
            peer.sendall(b"hello from the peer\n")
            run.event("rx", "dev", text="hello from the peer\\n")
            run.send_command({"send": {"endpoint": "dev", "text": "AT\\r\\n"}})
            assert recv_exactly(peer, 4) == b"AT\r\n"
            run.send_command({"send": {"endpoint": "dev", "hex": "01 03 00 00 00 01",
                                       "checksum": {"type": "crc16-modbus", "order": "little"}}})
            assert recv_exactly(peer, 8) == bytes.fromhex("010300000001840a")
            run.send_command({"no such verb": {}})
            error = run.wait_for(
                "an error for the bad command line", lambda e: e.get("event") == "error" and
                (e.get("error") or {}).get("code") == "bad_command")
            assert error.get("line") == 3, error
            run.send_command({"close": {"endpoint": "dev", "conn": conn, "mode": "fin"}})
            assert peer.recv(10) == b"", "the peer did not see our FIN"
            run.event("closed", "dev", conn=conn)
            peer.close()
            assert run.finish() == 0
        finally:
            run.kill()


def a_refused_client_exits_1_with_the_reason(ctx):
    with socket.socket() as reserved:   # bound, not listening: a connect is refused
        reserved.bind(("127.0.0.1", 0))
        port = reserved.getsockname()[1]
        run = Run(ctx, ctx.profile("refused", [{"name": "dev", "type": "tcp-client",
                                                "remote": f"127.0.0.1:{port}"}]), commands=False)
        try:
            run.event("failed", "dev")
            rc = run.finish()
            assert rc == 1, f"exit {rc}"
            assert b"refused" in run.stderr, run.stderr
        finally:
            run.kill()


def a_port_in_use_exits_1_with_the_reason(ctx):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        run = Run(ctx, ctx.profile("in-use", [{"name": "srv", "type": "tcp-server",
                                               "bind": f"127.0.0.1:{port}"}]), commands=False)
        try:
            failed = run.event("failed", "srv")
            assert failed["error"]["code"] in ("EADDRINUSE", "WSAEADDRINUSE"), failed
            rc = run.finish()
            assert rc == 1, f"exit {rc}"
            assert b"already in use" in run.stderr, run.stderr
        finally:
            run.kill()


def usage_and_profile_errors_exit_2(ctx):
    good = ctx.profile("good", [{"name": "u", "type": "udp", "bind": "127.0.0.1:0"}])
    bad = os.path.join(ctx.dir, "bad.json")
    with open(bad, "w") as f:
        f.write('{"version": 1, "endpoints": [\n  {"name": "a",, }]}\n')
    for args, says in (([good, "--for", "nan"], b"--for"), ([bad], b"bad.json")):
        proc = subprocess.run(ctx.command + ["--headless", ctx.path(args[0])] + args[1:],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=WAIT_S)
        assert proc.returncode == 2, f"{args}: exit {proc.returncode}"
        assert says in proc.stderr, f"{args}: stderr {proc.stderr!r}"


def ipv6_loopback_echo(ctx):
    run = Run(ctx, ctx.profile("v6", [{"name": "srv", "type": "tcp-server", "bind": "[::1]:0", "echo": True}]))
    try:
        port = run.local_port("srv")
        with socket.create_connection(("::1", port), timeout=WAIT_S) as c:
            c.sendall(b"over IPv6")
            assert recv_exactly(c, 9) == b"over IPv6"
        run.event("rx", "srv", text="over IPv6")
        assert run.finish() == 0
    finally:
        run.kill()


def sources_and_framing_talk_like_a_device(ctx):
    """On-connect payload, an auto-started timer, a saved command by name, delimiter framing."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(WAIT_S)
        port = listener.getsockname()[1]
        run = Run(ctx, ctx.profile("device", [{
            "name": "dev", "type": "tcp-client", "remote": f"127.0.0.1:{port}",
            "framing": {"type": "delimiter", "delimiter": {"hex": "0d 0a"}},
            "on_connect": {"text": "LOGIN\\r\\n"},
            "commands": [{"name": "status", "text": "STATUS?\\r\\n"}],
            "timers": [{"name": "hb", "every_ms": 20, "count": 3, "auto_start": True,
                        "send": {"text": "HB {{counter}}\\r\\n"}}]}]))
        try:
            peer, _ = listener.accept()
            peer.settimeout(WAIT_S)
            expected = b"LOGIN\r\nHB 0\r\nHB 1\r\nHB 2\r\n"   # counters start at 0
            got = recv_exactly(peer, len(expected))
            assert got == expected, got
            run.send_command({"command": {"endpoint": "dev", "name": "status"}})
            assert recv_exactly(peer, 9) == b"STATUS?\r\n"
            peer.sendall(b"one\r\ntwo\r\nthr")
            peer.sendall(b"ee\r\n")
            for text in ("one", "two", "three"):
                run.event("rx", "dev", text=text)
            peer.close()
            assert run.finish() == 0
        finally:
            run.kill()


def for_ends_the_run_with_a_summary(ctx):
    run = Run(ctx, ctx.profile("for", [{"name": "u", "type": "udp", "bind": "127.0.0.1:0"}]),
              "--for", "0.5", commands=False)
    try:
        rc = run.finish()
        assert rc == 0, f"exit {rc}"
        assert run.lines and run.lines[-1].get("event") == "summary", run.lines[-3:]
    finally:
        run.kill()


def a_closed_stdout_ends_the_run_with_exit_3(ctx):
    """`sockscope --headless p.json | head -n 1`: the reader goes away, the run ends."""
    profile = ctx.profile("closed", [{"name": "u", "type": "udp", "bind": "127.0.0.1:0",
                                      "timers": [{"name": "t", "every_ms": 10, "auto_start": True,
                                                  "send": {"text": "x"}}],
                                      "remote": "127.0.0.1:9"}])
    proc = subprocess.Popen(ctx.command + ["--headless", ctx.path(profile), "--log", "jsonl"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdout.readline()
        proc.stdout.close()
        rc = proc.wait(timeout=WAIT_S)
        assert rc == 3, f"exit {rc}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


CHECKS = [tcp_server_echoes_every_byte_and_sees_the_fin, tcp_server_tells_a_peer_reset,
          udp_echoes_datagrams_whole, tcp_client_takes_channel_commands,
          a_refused_client_exits_1_with_the_reason, a_port_in_use_exits_1_with_the_reason,
          usage_and_profile_errors_exit_2, ipv6_loopback_echo, sources_and_framing_talk_like_a_device,
          for_ends_the_run_with_a_summary, a_closed_stdout_ends_the_run_with_exit_3]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sockscope")
    parser.add_argument("--wine", action="store_true", help="run the .exe under wine")
    parser.add_argument("-k", default="", help="run only checks whose name contains this")
    parser.add_argument("--expect-fail", action="append", default=[],
                        help="a check known to fail on this platform (reported, not fatal)")
    args = parser.parse_args()
    ctx = Context(os.path.abspath(args.sockscope), args.wine)
    failed = 0
    for check in CHECKS:
        if args.k not in check.__name__:
            continue
        start = time.monotonic()
        try:
            try:
                check(ctx)
                outcome = "ok"
            except Exception as first:   # noqa: BLE001
                # Wine's socket emulation is not deterministic (it may read a Linux peer's RST
                # as a FIN): under Wine a failed check runs once more, and a pass is reported
                # as flaky with the first failure. On Linux a failure is a failure.
                if not args.wine:
                    raise
                check(ctx)
                outcome = f"ok on the second run under Wine (flaky; the first: {first})"
        except Exception as e:   # noqa: BLE001 - every failure is reported by name
            if check.__name__ in args.expect_fail:
                outcome = f"known failure ({e})"
            else:
                failed += 1
                outcome = f"FAILED: {e}"
        print(f"{check.__name__}: {outcome} ({time.monotonic() - start:.1f} s)", flush=True)
    print(f"headless conformance: {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
