// The shipped device simulators (assets/profiles/rtu-device.json, mbtcp-device.json) run by the
// real binary and answered byte-exactly to python3 clients. The profiles' fixed ports are moved
// to 0 (tests never use fixed ports); nothing else is changed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>

#include "app/headless_support.hpp"
#include "support/process.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::portOf;
using test::Process;
using test::writeProfile;
using namespace std::chrono_literals;

/// The shipped profile with every bind port set to 0.
std::string withPortZero(const std::string& name) {
    std::ifstream in(SOCKSCOPE_SOURCE_DIR "/assets/profiles/" + name);
    nlohmann::ordered_json profile = nlohmann::ordered_json::parse(in);
    for (auto& e : profile["endpoints"]) {
        const std::string bind = e["bind"];
        e["bind"] = bind.substr(0, bind.rfind(':') + 1) + "0";
    }
    return writeProfile(name, profile.dump(2));
}

std::uint16_t listeningPort(Process& app) {
    if (!app.waitForOutput("\"listening\"")) return 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "listening") return portOf(line["local"].get<std::string>());
    return 0;
}

// A Modbus RTU request with its CRC, then two PINGs (the idle framing needs 20 ms of silence
// between messages: the client waits for each answer).
const char* const kRtuClient = R"PY(
import socket, sys
def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc.to_bytes(2, "little")
def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk: break
        data += chunk
    return data
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
s.sendall(bytes.fromhex("0103000000018 40A".replace(" ", "")))
expected = bytes.fromhex("010302002A"); expected += crc16(expected)
got = recv_exact(s, len(expected))
assert got == expected, ("modbus", got.hex(), expected.hex())
for n in (1, 2):
    s.sendall(b"PING\r\n")
    want = b"PONG %d\r\n" % n
    got = recv_exact(s, len(want))
    assert got == want, ("ping", got, want)
print("ok")
)PY";

TEST(HeadlessRules, RtuDeviceProfileAnswersAPythonClient) {
    if (std::system("python3 -c pass") != 0) GTEST_SKIP() << "python3 not found";
    Process app({SOCKSCOPE_BINARY, "--headless", withPortZero("rtu-device.json"), "--log", "jsonl", "--for", "30"});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.out() << app.err();
    Process client({"/usr/bin/env", "python3", "-c", kRtuClient, std::to_string(port)});
    EXPECT_EQ(client.wait(20s), 0) << client.out() << client.err() << app.out();
    EXPECT_NE(client.out().find("ok"), std::string::npos);
    // The hit counts reach the output as "rules" lines.
    ASSERT_TRUE(app.waitForOutput("\"hits\":2")) << app.out();
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();

    // --quiet: lifecycle events and the summary only, not the hit counts (tester item).
    Process quiet({SOCKSCOPE_BINARY, "--headless", withPortZero("rtu-device.json"), "--log", "jsonl", "--quiet", "--for", "30"});
    const auto quiet_port = listeningPort(quiet);
    ASSERT_NE(quiet_port, 0) << quiet.out() << quiet.err();
    Process again({"/usr/bin/env", "python3", "-c", kRtuClient, std::to_string(quiet_port)});
    EXPECT_EQ(again.wait(20s), 0) << again.out() << again.err();
    quiet.signal(SIGTERM);
    EXPECT_EQ(quiet.wait(10s), 0) << quiet.err();
    EXPECT_EQ(quiet.out().find("\"event\":\"rules\""), std::string::npos) << quiet.out();
    EXPECT_NE(quiet.out().find("\"event\":\"summary\""), std::string::npos) << quiet.out();
}

// A Modbus TCP master reading holding register 0 of unit 1 (function 3), several transactions
// with different ids; one request split over two writes, two glued in one.
const char* const kMbtcpMaster = R"PY(
import socket, struct, sys, time
def request(tid, unit=1, fn=3, addr=0, count=1):
    pdu = struct.pack(">BHH", fn, addr, count)
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu
def read_response(s):
    head = b""
    while len(head) < 6: head += s.recv(6 - len(head))
    tid, proto, length = struct.unpack(">HHH", head)
    body = b""
    while len(body) < length: body += s.recv(length - len(body))
    return tid, proto, body
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.settimeout(10)
def check(tid):
    rtid, proto, body = read_response(s)
    assert (rtid, proto) == (tid, 0), (rtid, proto)
    unit, fn, nbytes = body[0], body[1], body[2]
    value = struct.unpack(">H", body[3:5])[0]
    assert (unit, fn, nbytes, value) == (1, 3, 2, 42), body.hex()
s.sendall(request(0x1234)); check(0x1234)
r = request(0xBEEF); s.sendall(r[:5]); time.sleep(0.05); s.sendall(r[5:]); check(0xBEEF)
s.sendall(request(7) + request(8)); check(7); check(8)
print("ok")
)PY";

TEST(HeadlessRules, ModbusTcpDeviceProfileAnswersAPythonMaster) {
    if (std::system("python3 -c pass") != 0) GTEST_SKIP() << "python3 not found";
    Process app({SOCKSCOPE_BINARY, "--headless", withPortZero("mbtcp-device.json"), "--log", "jsonl", "--for", "30"});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.out() << app.err();
    Process master({"/usr/bin/env", "python3", "-c", kMbtcpMaster, std::to_string(port)});
    EXPECT_EQ(master.wait(20s), 0) << master.out() << master.err() << app.out();
    EXPECT_NE(master.out().find("ok"), std::string::npos);
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
}

}  // namespace
}  // namespace sockscope
