#!/usr/bin/env bash
# Scripted exchanges against a C echo peer (issue 8 goal: a script of 10,000 request/response
# steps completes at >= 50 % of a plain C ping-pong's exchange rate, measured in the same run).
#   bench/script_bench.sh [path/to/sockscope] [exchanges]
set -euo pipefail
bin=${1:-build/src/sockscope}
n=${2:-10000}
work=$(mktemp -d)
trap 'kill $echo_pid 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/echo.c" <<'C'
/* One-client TCP echo on 127.0.0.1:0 (prints its port), TCP_NODELAY. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {0}; socklen_t len = sizeof a;
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, (struct sockaddr*)&a, sizeof a); listen(s, 8);
    getsockname(s, (struct sockaddr*)&a, &len);
    printf("%d\n", ntohs(a.sin_port)); fflush(stdout);
    for (;;) {
        int c = accept(s, 0, 0); char buf[65536]; ssize_t r;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        while ((r = read(c, buf, sizeof buf)) > 0) write(c, buf, (size_t)r);
        close(c);
    }
}
C
cat > "$work/pingpong.c" <<'C'
/* The floor: N blocking 64-byte exchanges with the echo; prints exchanges/s. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char** argv) {
    int port = atoi(argv[1]), n = atoi(argv[2]), s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr*)&a, sizeof a)) return 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char msg[64] = "PING", buf[64]; struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; ++i) {
        write(s, msg, 64);
        for (int got = 0; got < 64;) { ssize_t r = read(s, buf + got, 64 - got); if (r <= 0) return 1; got += r; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.0f\n", n / ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9));
    return 0;
}
C
cc -O2 -o "$work/echo" "$work/echo.c"
cc -O2 -o "$work/pingpong" "$work/pingpong.c"
"$work/echo" > "$work/port" & echo_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
floor=$("$work/pingpong" "$port" "$n")
payload=$(printf 'PING%060d' 0)
cat > "$work/p.json" <<J
{ "version": 1, "endpoints": [ { "name": "dev", "type": "tcp-client", "remote": "127.0.0.1:$port",
  "options": { "no_delay": true },
  "scripts": [ { "name": "bench", "steps": [ { "repeat": $n, "steps": [
    { "send": { "text": "$payload" } }, { "expect": { "text": "PING", "mode": "prefix" }, "timeout_ms": 2000 } ] } ] } ] } ] }
J
"$bin" --headless "$work/p.json" --run bench --log jsonl --quiet > "$work/out"
elapsed=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    if j.get("event") == "script_summary": print(j["elapsed_us"], j["status"], j["steps"][0]["median_us"], j["steps"][0]["p95_us"])' "$work/out")
set -- $elapsed
rate=$(python3 -c "print(round($n / ($1 / 1e6)))")
echo "exchanges=$n floor_c_pingpong=${floor}/s script=${rate}/s ratio=$(python3 -c "print(round($rate / $floor, 3))") status=$2 median_us=$3 p95_us=$4"
