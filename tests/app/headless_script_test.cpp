// Scripted exchanges as CI runs them: the real binary with --run/--report against python3 devices
// on 127.0.0.1 (port 0, read back), the JUnit report parsed by python3's xml.etree, the exit codes
// of docs/headless.md (0 passed, 3 an expectation failed or timed out, 2 usage).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "app/headless_support.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::Process;
using test::writeProfile;
using namespace std::chrono_literals;

// A Modbus RTU + PING device: prints its port, serves one client. argv[1]: good | wrong | late.
const char* const kDevice = R"PY(
import socket, struct, sys, time
mode = sys.argv[1]
def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return struct.pack('<H', crc)
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = b''
while True:
    d = c.recv(4096)
    if not d: break
    buf += d
    while True:
        if buf.startswith(b'\x01\x03') and len(buf) >= 8:
            req, buf = buf[:8], buf[8:]
            if req[6:] != crc16(req[:6]): body = b'\x01\x83\x03'
            else: body = b'\x01\x03\x02\x00\x2a' if mode != 'wrong' else b'\x01\x83\x02'
            if mode == 'late': time.sleep(1.5)
            c.sendall(body + crc16(body))
        elif b'\r\n' in buf:
            line, buf = buf.split(b'\r\n', 1)
            c.sendall(b'PONG ' + line + b'\r\n' if mode == 'good' else b'NOPE\r\n')
        else: break
)PY";

/// `named`: the repeated steps get names, the send's beginning with "expect" (a name says nothing
/// of a step's kind).
std::string deviceProfile(int port, int repeat, bool named = false) {
    const std::string send_name = named ? R"(, "name": "expect the device to wake")" : "";
    const std::string expect_name = named ? R"(, "name": "answer")" : "";
    return R"({"version": 1, "name": "t", "endpoints": [
      { "name": "dev", "type": "tcp-client", "remote": "127.0.0.1:)" + std::to_string(port) + R"(",
        "framing": { "type": "idle", "gap_ms": 5 },
        "scripts": [ { "name": "read register", "steps": [
          { "send": { "hex": "01 03 00 00 00 01", "checksum": { "type": "crc16-modbus", "order": "little" } } },
          { "expect": { "hex": "01 03 02 ?? ?? ?? ??" }, "timeout_ms": 500 },
          { "repeat": )" + std::to_string(repeat) + R"(, "steps": [ { "send": { "text": "PING\r\n" })" + send_name + R"( },
                { "expect": { "text": "PONG", "mode": "prefix" }, "timeout_ms": 200)" + expect_name + R"( } ] } ] } ] } ] })";
}

struct Junit {
    int tests = -1, failures = -1, errors = -1, testcases = -1;
    std::string first_failure;   // "type|message|text"
};

/// The report as python3's xml.etree reads it (a foreign parser: the XML must be well formed).
Junit parseJunit(const std::string& path) {
    Process py({"/usr/bin/env", "python3", "-c", R"PY(
import sys, json, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
cases = list(root.iter('testcase'))
f = [x for c in cases for x in c if x.tag in ('failure', 'error')]
print(json.dumps({"tests": int(root.get("tests")), "failures": int(root.get("failures")),
    "errors": int(root.get("errors")), "testcases": len(cases),
    "first": (f[0].get("type") + "|" + f[0].get("message") + "|" + (f[0].text or "")) if f else ""}))
)PY", path});
    EXPECT_EQ(py.wait(20s), 0) << py.err();
    Junit j;
    const auto lines = jsonLines(py.out());
    if (lines.empty()) return j;
    j.tests = lines[0]["tests"];
    j.failures = lines[0]["failures"];
    j.errors = lines[0]["errors"];
    j.testcases = lines[0]["testcases"];
    j.first_failure = lines[0]["first"];
    return j;
}

struct Outcome {
    int exit = -1;
    std::string out, err;
    Junit junit;
};

Outcome runAgainst(const char* mode, int repeat, const std::string& name, bool named = false) {
    Outcome o;
    Process device({"/usr/bin/env", "python3", "-c", kDevice, mode});
    if (!device.waitForOutput("\n")) return o;
    const int port = std::stoi(device.out());
    const auto profile = writeProfile(name + ".json", deviceProfile(port, repeat, named));
    const auto report = std::filesystem::temp_directory_path() / ("sockscope-" + std::to_string(::getpid()) + "-" + name + ".xml");
    std::filesystem::remove(report);
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--run", "read register", "--report",
                 report.string(), "--for", "60"});
    o.exit = app.wait(90s);
    o.out = app.out();
    o.err = app.err();
    if (std::filesystem::exists(report)) o.junit = parseJunit(report.string());
    device.wait(10s);
    return o;
}

bool havePython() { return std::system("python3 -c pass") == 0; }

TEST(HeadlessScript, IssueExamplePassesAgainstAPythonDevice) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    const Outcome o = runAgainst("good", 100, "good");
    EXPECT_EQ(o.exit, 0) << o.err << o.out.substr(0, 4000);
    EXPECT_EQ(o.junit.tests, 101);
    EXPECT_EQ(o.junit.testcases, 101);
    EXPECT_EQ(o.junit.failures, 0);
    EXPECT_EQ(o.junit.errors, 0);
    int steps = 0;
    bool summary = false;
    for (const auto& line : jsonLines(o.out)) {
        if (line["event"] == "script" && line.contains("step")) {
            ++steps;
            if (line["step"] == 2) {
                EXPECT_EQ(line["status"], "passed");
            }
        }
        if (line["event"] == "script_summary") {
            summary = true;
            EXPECT_EQ(line["status"], "passed");
            EXPECT_EQ(line["passed"], 101);
            ASSERT_EQ(line["steps"].size(), 2u);
            EXPECT_EQ(line["steps"][1]["runs"], 100);
            EXPECT_LE(line["steps"][1]["min_us"], line["steps"][1]["median_us"]);
            EXPECT_LE(line["steps"][1]["p95_us"], line["steps"][1]["max_us"]);
        }
    }
    EXPECT_EQ(steps, 203);   // send, expect, repeat, then 100 x (send, expect)
    EXPECT_TRUE(summary);
}

// A step's name is a label: a named expect counts among the expects, with its latency, and a
// send named "expect ..." does not (both were told apart by the text of the step's line).
TEST(HeadlessScript, NamedStepsCountAsTheKindTheyAre) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    const Outcome o = runAgainst("good", 3, "named", true);
    EXPECT_EQ(o.exit, 0) << o.err << o.out.substr(0, 4000);
    EXPECT_EQ(o.junit.tests, 4);
    int latencies = 0;
    bool summary = false;
    for (const auto& line : jsonLines(o.out)) {
        if (line["event"] == "script" && line.contains("step")) {
            if (line["step"] == 4) {
                EXPECT_FALSE(line.contains("latency_us")) << "a send: " << line.dump();
            }
            if (line["step"] == 5 && line.contains("latency_us")) ++latencies;
        }
        if (line["event"] == "script_summary") {
            summary = true;
            EXPECT_EQ(line["expects"], 4) << line.dump();
            EXPECT_EQ(line["passed"], 4) << line.dump();
            ASSERT_EQ(line["steps"].size(), 2u) << line.dump();
            EXPECT_EQ(line["steps"][1]["step"], 5);
            EXPECT_EQ(line["steps"][1]["runs"], 3);
        }
    }
    EXPECT_EQ(latencies, 3);
    EXPECT_TRUE(summary);
}

TEST(HeadlessScript, WrongAnswerExits3WithAJunitFailure) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    const Outcome o = runAgainst("wrong", 5, "wrong");
    EXPECT_EQ(o.exit, 3) << o.err;
    EXPECT_EQ(o.junit.failures, 1);
    EXPECT_EQ(o.junit.tests, 1);   // the first failure ends the run
    // expected vs received in hex: 01 83 02 + its CRC came instead of 01 03 02 ?? ?? ?? ??
    EXPECT_NE(o.junit.first_failure.find("failed|"), std::string::npos) << o.junit.first_failure;
    EXPECT_NE(o.junit.first_failure.find("expected: 01 03 02 00 00 00 00"), std::string::npos) << o.junit.first_failure;
    EXPECT_NE(o.junit.first_failure.find("received: 01 83 02"), std::string::npos) << o.junit.first_failure;
    EXPECT_NE(o.err.find("script dev/read register"), std::string::npos) << o.err;
}

TEST(HeadlessScript, LateAnswerTimesOutWithExit3) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    const Outcome o = runAgainst("late", 5, "late");
    EXPECT_EQ(o.exit, 3) << o.err;
    EXPECT_EQ(o.junit.failures, 1);
    EXPECT_NE(o.junit.first_failure.find("timeout|timed out after 500 ms: nothing received"), std::string::npos)
        << o.junit.first_failure;
    EXPECT_NE(o.junit.first_failure.find("received: (nothing)"), std::string::npos) << o.junit.first_failure;
}

TEST(HeadlessScript, NamesAreResolvedOrRefusedAsUsageErrors) {
    const auto profile = writeProfile("names.json", R"({"version": 1, "name": "t", "endpoints": [
      { "name": "a", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:9",
        "scripts": [ { "name": "smoke", "steps": [ { "wait_ms": 1 } ] } ] },
      { "name": "b", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:9",
        "scripts": [ { "name": "smoke", "steps": [ { "wait_ms": 1 } ] }, { "name": "only-b", "steps": [] } ] } ]})");
    Process ambiguous({SOCKSCOPE_BINARY, "--headless", profile, "--run", "smoke"});
    EXPECT_EQ(ambiguous.wait(20s), 2);
    EXPECT_NE(ambiguous.err().find("\"smoke\" is ambiguous"), std::string::npos) << ambiguous.err();
    EXPECT_NE(ambiguous.err().find("a/smoke, b/smoke"), std::string::npos) << ambiguous.err();
    Process unknown({SOCKSCOPE_BINARY, "--headless", profile, "--run", "c/smoke"});
    EXPECT_EQ(unknown.wait(20s), 2);
    EXPECT_NE(unknown.err().find("no script named \"c/smoke\""), std::string::npos) << unknown.err();
    // Disambiguated, and a unique name alone: both run (udp: on the socket) and pass.
    Process both({SOCKSCOPE_BINARY, "--headless", profile, "--run", "b/smoke", "--run", "only-b", "--log", "jsonl",
                  "--for", "30"});
    EXPECT_EQ(both.wait(40s), 0) << both.err();
    std::vector<std::string> done;
    for (const auto& line : jsonLines(both.out()))
        if (line["event"] == "script_summary") done.push_back(line["endpoint"].get<std::string>() + "/" +
                                                             line["script"].get<std::string>() + ":" +
                                                             line["status"].get<std::string>());
    EXPECT_EQ(done, (std::vector<std::string>{"b/smoke:passed", "b/only-b:passed"}));
    Process report_alone({SOCKSCOPE_BINARY, "--headless", profile, "--report", "x.xml"});
    EXPECT_EQ(report_alone.wait(20s), 2);
}

// An endpoint name may hold '/', a script name may not: ENDPOINT/SCRIPT splits at the last '/'.
TEST(HeadlessScript, AnEndpointNameWithASlashIsNamedInFull) {
    const auto profile = writeProfile("slash.json", R"({"version": 1, "name": "t", "endpoints": [
      { "name": "plc/1", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:9",
        "scripts": [ { "name": "s", "steps": [ { "wait_ms": 1 } ] } ] },
      { "name": "x", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:9",
        "scripts": [ { "name": "s", "steps": [ { "wait_ms": 1 } ] } ] } ]})");
    Process ambiguous({SOCKSCOPE_BINARY, "--headless", profile, "--run", "s"});
    EXPECT_EQ(ambiguous.wait(20s), 2);
    EXPECT_NE(ambiguous.err().find("plc/1/s, x/s"), std::string::npos) << ambiguous.err();
    Process run({SOCKSCOPE_BINARY, "--headless", profile, "--run", "plc/1/s", "--log", "jsonl", "--for", "30"});
    EXPECT_EQ(run.wait(40s), 0) << run.err();
    std::vector<std::string> done;
    for (const auto& line : jsonLines(run.out()))
        if (line["event"] == "script_summary") done.push_back(line["endpoint"].get<std::string>() + "/" +
                                                             line["script"].get<std::string>() + ":" +
                                                             line["status"].get<std::string>());
    EXPECT_EQ(done, (std::vector<std::string>{"plc/1/s:passed"}));
    Process wrong({SOCKSCOPE_BINARY, "--headless", profile, "--run", "plc/s"});
    EXPECT_EQ(wrong.wait(20s), 2);
    EXPECT_NE(wrong.err().find("no script named \"plc/s\""), std::string::npos) << wrong.err();
}

// udp: the run starts on the socket and talks to `remote`; a python3 echo answers "ACK " + data.
TEST(HeadlessScript, UdpScriptTalksToItsRemote) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    Process echo({"/usr/bin/env", "python3", "-c", R"PY(
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1], flush=True)
s.settimeout(30)
while True:
    d, a = s.recvfrom(2000); s.sendto(b'ACK ' + d, a)
)PY"});
    ASSERT_TRUE(echo.waitForOutput("\n"));
    const auto profile = writeProfile("udp-script.json", R"({"version": 1, "name": "t", "endpoints": [
      { "name": "u", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:)" + std::to_string(std::stoi(echo.out())) + R"(",
        "scripts": [ { "name": "probe", "steps": [ { "repeat": 50, "steps": [ { "send": { "hex": "AA {{counter:02}}" } },
            { "expect": { "hex": "41 43 4B 20 AA ?? ??" }, "timeout_ms": 2000 } ] } ] } ] } ]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--run", "probe", "--log", "jsonl", "--quiet", "--for", "60"});
    EXPECT_EQ(app.wait(90s), 0) << app.err();
    bool passed = false;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "script_summary") passed = line["status"] == "passed" && line["passed"] == 50;
    EXPECT_TRUE(passed) << app.out().substr(0, 3000);
}

// An echo server for many clients one after the other: prints its port, then "conn" per accept.
const char* const kEchoServer = R"PY(
import socket, threading
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
s.settimeout(60)
def serve(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        try: d = c.recv(4096)
        except OSError: break
        if not d: break
        c.sendall(d)
    c.close()
while True:
    try: c, _ = s.accept()
    except OSError: break
    print('conn', flush=True)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
)PY";

std::string reportPath(const std::string& name) {
    const auto path = std::filesystem::temp_directory_path() / ("sockscope-" + std::to_string(::getpid()) + "-" + name + ".xml");
    std::filesystem::remove(path);
    return path.string();
}

std::size_t countOf(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// A tcp-client script that closes and connects again (each close mode): the run goes on after the
// close (the client "stops" then, but its script still runs) and each `connect` step reconnects.
TEST(HeadlessScript, CloseThenConnectReconnectsAndTheRunWaitsForTheScript) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    for (const std::string mode : {"fin", "half-close", "rst"}) {
        SCOPED_TRACE(mode);
        Process server({"/usr/bin/env", "python3", "-c", kEchoServer});
        ASSERT_TRUE(server.waitForOutput("\n"));
        const int port = std::stoi(server.out());
        const auto profile = writeProfile("reconnect.json", R"({"version": 1, "name": "t", "endpoints": [
          { "name": "cli", "type": "tcp-client", "remote": "127.0.0.1:)" + std::to_string(port) + R"(", "auto_start": false,
            "scripts": [ { "name": "s", "steps": [
              { "connect": true, "timeout_ms": 5000 }, { "send": { "text": "A" } }, { "expect": { "text": "A" }, "timeout_ms": 5000 },
              { "close": ")" + mode + R"(" }, { "wait_ms": 50 },
              { "connect": true, "timeout_ms": 5000 }, { "send": { "text": "B" } }, { "expect": { "text": "B" }, "timeout_ms": 5000 },
              { "close": { "mode": "rst" } },
              { "connect": true, "timeout_ms": 5000 }, { "send": { "text": "C" } }, { "expect": { "text": "C" }, "timeout_ms": 5000 }
            ] } ] } ] })");
        const std::string report = reportPath("reconnect");
        Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--run", "s", "--report", report,
                     "--for", "60"});
        EXPECT_EQ(app.wait(90s), 0) << app.err() << app.out().substr(0, 6000);
        bool summary = false;
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "script_summary") {
                summary = true;
                EXPECT_EQ(line["status"], "passed") << line.dump();
                EXPECT_EQ(line["expects"], 3);
                EXPECT_EQ(line["passed"], 3);
            }
        EXPECT_TRUE(summary) << app.out().substr(0, 6000);
        EXPECT_EQ(countOf(server.out(), "conn"), 3u) << "each connect step opens a new connection";
        const Junit junit = parseJunit(report);
        EXPECT_EQ(junit.tests, 3);
        EXPECT_EQ(junit.failures, 0);
        EXPECT_EQ(junit.errors, 0);
    }
}

/// The report's test cases: (name, type of its failure or error, or "").
std::vector<std::pair<std::string, std::string>> junitCases(const std::string& path) {
    Process py({"/usr/bin/env", "python3", "-c", R"PY(
import sys, json, xml.etree.ElementTree as E
for c in E.parse(sys.argv[1]).getroot().iter('testcase'):
    f = [x.get('type') + '|' + x.get('message') for x in c if x.tag in ('failure', 'error')]
    print(json.dumps([c.get('name'), f[0] if f else '', float(c.get('time'))]))
)PY", path});
    EXPECT_EQ(py.wait(20s), 0) << py.err();
    std::vector<std::pair<std::string, std::string>> cases;
    for (const auto& line : jsonLines(py.out())) cases.emplace_back(line[0], line[1]);
    return cases;
}

// A script cut short by --for keeps what it ran: the summary's per-step statistics and elapsed
// time up to the stop, one JUnit testcase per executed expect, and the `run` error.
TEST(HeadlessScript, AScriptCutShortByForReportsWhatRan) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    Process server({"/usr/bin/env", "python3", "-c", kEchoServer});
    ASSERT_TRUE(server.waitForOutput("\n"));
    const auto profile = writeProfile("cut-short.json", R"({"version": 1, "name": "t", "endpoints": [
      { "name": "cli", "type": "tcp-client", "remote": "127.0.0.1:)" + std::to_string(std::stoi(server.out())) + R"(",
        "scripts": [ { "name": "s", "steps": [ { "repeat": 1000000, "steps": [
          { "send": { "text": "A" } }, { "expect": { "text": "A" }, "timeout_ms": 5000 }, { "wait_ms": 2 } ] } ] } ] } ] })");
    const std::string report = reportPath("cut-short");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--quiet", "--run", "s", "--report", report,
                 "--for", "1.5"});
    EXPECT_EQ(app.wait(60s), 3) << app.err();
    EXPECT_NE(app.err().find("script cli/s: did not finish before the run ended"), std::string::npos) << app.err();
    std::uint64_t passed = 0;
    bool summary = false;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "script_summary") {
            summary = true;
            EXPECT_EQ(line["status"], "unfinished") << line.dump();
            passed = line["passed"];
            EXPECT_GE(passed, 10u) << line.dump();
            EXPECT_EQ(line["expects"], passed);
            EXPECT_EQ(line["failed"], 0);
            EXPECT_GE(line["elapsed_us"], 1'000'000u) << line.dump();
            EXPECT_LE(line["elapsed_us"], 20'000'000u) << line.dump();
            ASSERT_EQ(line["steps"].size(), 1u) << line.dump();
            EXPECT_EQ(line["steps"][0]["step"], 3);
            EXPECT_EQ(line["steps"][0]["runs"], passed);
            EXPECT_LE(line["steps"][0]["min_us"], line["steps"][0]["max_us"]);
            EXPECT_GT(line["steps"][0]["max_us"], 0u);
            EXPECT_EQ(line["error"], "the script did not finish before the run ended");
        }
    EXPECT_TRUE(summary) << app.out().substr(0, 4000);
    const auto cases = junitCases(report);
    ASSERT_EQ(cases.size(), passed + 1);
    for (std::size_t i = 0; i + 1 < cases.size(); ++i) {
        EXPECT_EQ(cases[i].first, "step 3: expect exact \"A\" within 5000 ms #" + std::to_string(i + 1));
        EXPECT_EQ(cases[i].second, "");
    }
    EXPECT_EQ(cases.back().first, "run");
    EXPECT_EQ(cases.back().second, "unfinished|the script did not finish before the run ended");
    const Junit junit = parseJunit(report);
    EXPECT_EQ(junit.tests, static_cast<int>(passed) + 1);
    EXPECT_EQ(junit.failures, 0);
    EXPECT_EQ(junit.errors, 1);
}

// Our own stop (--for, SIGTERM) while an expect waits is no device failure: the run is unfinished
// (a JUnit error), the expect neither passed nor failed, and nothing says a connection closed (udp has none).
TEST(HeadlessScript, AStopWhileAnExpectWaitsIsUnfinishedNotAFailure) {
    test::SocketPeer silent;   // the device: never answers
    ASSERT_TRUE(silent.bindUdp());
    const auto profile = writeProfile("stop-in-expect.json", R"({"version": 1, "name": "t", "endpoints": [
      { "name": "u", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:)" + std::to_string(silent.localPort()) + R"(",
        "scripts": [ { "name": "s", "steps": [ { "send": { "text": "P" } },
                                               { "expect": { "text": "P" }, "timeout_ms": 60000 } ] } ] } ] })");
    for (const bool by_signal : {false, true}) {
        SCOPED_TRACE(by_signal ? "SIGTERM" : "--for");
        const std::string report = reportPath(by_signal ? "stop-in-expect-sig" : "stop-in-expect-for");
        std::vector<std::string> args{SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--run", "s", "--report", report};
        if (!by_signal) args.insert(args.end(), {"--for", "1"});
        Process app(args);
        ASSERT_EQ(silent.receiveDatagram(10000), "P");   // the expect waits from here on
        if (by_signal) {
            std::this_thread::sleep_for(200ms);
            app.signal(SIGTERM);
        }
        EXPECT_EQ(app.wait(30s), 3) << app.err();
        EXPECT_NE(app.err().find("script u/s: did not finish before the run ended"), std::string::npos) << app.err();
        EXPECT_EQ(app.err().find("closed"), std::string::npos) << app.err();
        EXPECT_EQ(app.out().find("closed before a matching message"), std::string::npos) << app.out();
        bool summary = false;
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "script_summary") {
                summary = true;
                EXPECT_EQ(line["status"], "unfinished") << line.dump();
                EXPECT_EQ(line["failed"], 0) << line.dump();
            }
        EXPECT_TRUE(summary) << app.out();
        const Junit junit = parseJunit(report);
        EXPECT_EQ(junit.failures, 0);
        EXPECT_EQ(junit.errors, 1);
        const auto cases = junitCases(report);
        ASSERT_FALSE(cases.empty());
        EXPECT_EQ(cases.back().first, "run");
        EXPECT_EQ(cases.back().second, "unfinished|the script did not finish before the run ended");
    }
}

// A run that never started (its tcp-client could not connect) is unfinished with nothing run: no
// step statistics, elapsed 0, and the exit code of the failed endpoint (1).
// The device refused the connection: the summary and the JUnit report (what a CI dashboard shows)
// name that cause, not only that the run ended first (it ended at once, long before --for).
TEST(HeadlessScript, ARunThatNeverStartedIsUnfinishedWithNothingRun) {
    const std::uint16_t port = test::refusedPort();
    const std::string cause = "endpoint cli could not start: connection refused by 127.0.0.1:" + std::to_string(port);
    const auto profile = writeProfile("never-started.json", R"({"version": 1, "name": "t", "endpoints": [
      { "name": "cli", "type": "tcp-client", "remote": "127.0.0.1:)" + std::to_string(port) + R"(",
        "scripts": [ { "name": "s", "steps": [ { "send": { "text": "A" } }, { "expect": { "text": "A" } } ] } ] } ] })");
    const std::string report = reportPath("never-started");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--run", "s", "--report", report,
                 "--for", "30"});
    EXPECT_EQ(app.wait(60s), 1) << app.err();
    bool summary = false;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "script_summary") {
            summary = true;
            EXPECT_EQ(line["status"], "unfinished") << line.dump();
            EXPECT_EQ(line["expects"], 0);
            EXPECT_EQ(line["elapsed_us"], 0);
            EXPECT_EQ(line.value("error", "").rfind(cause, 0), 0u) << line.dump();
            for (const auto& step : line["steps"]) EXPECT_EQ(step["runs"], 0) << line.dump();
        }
    EXPECT_TRUE(summary) << app.out().substr(0, 4000);
    const auto cases = junitCases(report);
    ASSERT_EQ(cases.size(), 1u);
    EXPECT_EQ(cases[0].first, "run");
    EXPECT_EQ(cases[0].second.rfind("error|" + cause, 0), 0u) << cases[0].second;
}

// A device that reads the request and then ends its side: FIN (shutdown, the socket kept open) or
// RST. The script's expect ends at once with status `closed`, in the step line, the summary's
// stderr reason and the JUnit failure type, not after its 20 s timeout as `timeout`.
TEST(HeadlessScript, ThePeerEndingItsSideEndsAWaitingExpectAtOnceAsClosed) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    for (const std::string how : {"fin", "rst"}) {
        SCOPED_TRACE(how);
        Process device({"/usr/bin/env", "python3", "-c", R"PY(
import socket, struct, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
c.recv(100)
if sys.argv[1] == 'fin':
    c.shutdown(socket.SHUT_WR)
    time.sleep(30)
else:
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    c.close()
    time.sleep(30)
)PY", how});
        ASSERT_TRUE(device.waitForOutput("\n"));
        const auto profile = writeProfile("peer-close.json", R"({"version": 1, "name": "t", "endpoints": [
          { "name": "dev", "type": "tcp-client", "remote": "127.0.0.1:)" + std::to_string(std::stoi(device.out())) + R"(",
            "scripts": [ { "name": "s", "steps": [ { "send": { "text": "PING" } },
              { "expect": { "text": "PONG", "mode": "prefix" }, "timeout_ms": 20000 } ] } ] } ] })");
        const std::string report = reportPath("peer-close");
        const auto began = std::chrono::steady_clock::now();
        Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--run", "s", "--report", report,
                     "--for", "60"});
        EXPECT_EQ(app.wait(90s), 3) << app.err();
        EXPECT_LT(std::chrono::steady_clock::now() - began, 15s) << "the expect waited for its timeout";
        const std::string why = how == "fin" ? "the peer closed its side (FIN) before a matching message came"
                                             : "the connection closed before a matching message came";
        bool step = false;
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "script" && line.value("step", 0) == 2) {
                step = true;
                EXPECT_EQ(line["status"], "closed") << line.dump();
                EXPECT_EQ(line["message"], why) << line.dump();
                EXPECT_LT(line["latency_us"], 15'000'000u);
            }
        EXPECT_TRUE(step) << app.out().substr(0, 4000);
        EXPECT_NE(app.err().find("script dev/s: step 2 (expect prefix \"PONG\"): " + why), std::string::npos) << app.err();
        const Junit junit = parseJunit(report);
        EXPECT_EQ(junit.failures, 1);
        EXPECT_EQ(junit.first_failure.rfind("closed|" + why, 0), 0u) << junit.first_failure;
    }
}

}  // namespace
}  // namespace sockscope
