// Import and replay as a user runs it: a pcap written by python3's struct module (a device
// conversation with a retransmission and out-of-order segments), listed and converted by
// `sockscope --import-capture`, the produced script pasted into a profile and run with --run
// against a python3 device that answers as the captured one did (exit 0) and a wrong one (exit 3).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "app/headless_support.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::Process;
using test::writeProfile;
using namespace std::chrono_literals;

// Answers like the captured device (argv[1] good) or wrongly (wrong); prints its port first.
const char* const kDevice = R"PY(
import socket, sys
good = sys.argv[1] == 'good'
answers = [(b'HELLO\r\n', b'WORLD 1\r\n'), (bytes.fromhex('010300000001840a'), bytes.fromhex('010302002a385b')),
           (b'BYE {x}\\\r\n', b'OK\r\n')]
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
buf = b''
while True:
    d = c.recv(4096)
    if not d: break
    buf += d
    for request, answer in answers:
        if buf.startswith(request):
            buf = buf[len(request):]
            c.sendall(answer if good else b'NOPE\r\n')
)PY";

std::string tempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("sockscope-" + std::to_string(::getpid()) + "-" + name)).string();
}

bool havePython() { return std::system("python3 -c pass") == 0; }

std::string writeConversation(const std::string& name, const char* format) {
    const std::string path = tempPath(name);
    Process py({"/usr/bin/env", "python3", SOCKSCOPE_SOURCE_DIR "/tests/support/capture_writer.py", "conversation",
                path, format});
    EXPECT_EQ(py.wait(20s), 0) << py.err();
    return path;
}

// An echo device (argv[1] good) or one that answers NOPE (wrong); prints its port first.
const char* const kEcho = R"PY(
import socket, sys
good = sys.argv[1] == 'good'
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
while True:
    d = c.recv(4096)
    if not d: break
    c.sendall(d if good else b'NOPE\r\n')
)PY";

int replay(const std::string& script_json, const char* mode, std::string& out, const char* device_code = kDevice) {
    Process device({"/usr/bin/env", "python3", "-c", device_code, mode});
    if (!device.waitForOutput("\n")) return -1;
    const int port = std::stoi(device.out());
    nlohmann::json profile = {{"version", 1}, {"name", "replay"},
                              {"endpoints", nlohmann::json::array({{{"name", "dev"}, {"type", "tcp-client"},
                                  {"remote", "127.0.0.1:" + std::to_string(port)},
                                  {"scripts", nlohmann::json::array({nlohmann::json::parse(script_json)})}}})}};
    const auto path = writeProfile(std::string("replay-") + mode + ".json", profile.dump(2));
    Process app({SOCKSCOPE_BINARY, "--headless", path, "--log", "jsonl", "--run", "replay", "--for", "60"});
    const int exit = app.wait(90s);
    out = app.out() + app.err();
    device.wait(10s);
    return exit;
}

TEST(ImportCapture, ListsTheFlowOfAPcapAndOfAPcapng) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    for (const char* format : {"pcap", "pcapng"}) {
        const std::string file = writeConversation(std::string("list.") + format, format);
        Process list({SOCKSCOPE_BINARY, "--import-capture", file});
        ASSERT_EQ(list.wait(30s), 0) << list.err();
        const std::string out = list.out();
        EXPECT_EQ(out.rfind("1  tcp 10.0.0.1:40000 -> 10.0.0.2:502  packets 9/6  bytes 25/20", 0), 0u) << out;
        EXPECT_NE(out.find("handshake  closed (fin both ways)  retransmitted 4 bytes"), std::string::npos) << out;
        EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
        std::filesystem::remove(file);
    }
}

TEST(ImportCapture, ScriptReplaysAgainstTheDeviceAndFailsAgainstAWrongOne) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    const std::string file = writeConversation("replay.pcap", "pcap");
    Process convert({SOCKSCOPE_BINARY, "--import-capture", file, "--flow", "1", "--side", "client", "--as", "script",
                     "--name", "replay"});
    ASSERT_EQ(convert.wait(30s), 0) << convert.err();
    const auto script = nlohmann::json::parse(convert.out());
    EXPECT_EQ(script["name"], "replay");
    ASSERT_EQ(script["steps"].size(), 6u) << script.dump(2);
    EXPECT_EQ(script["steps"][0]["send"]["text"], "HELLO\\r\\n");
    EXPECT_EQ(script["steps"][1]["expect"]["text"], "WORLD 1\\r\\n");
    EXPECT_EQ(script["steps"][1]["timeout_ms"], 500);   // max(500, 3 x 20 ms captured)
    EXPECT_EQ(script["steps"][2]["send"]["hex"], "01 03 00 00 00 01 84 0A");
    EXPECT_EQ(script["steps"][3]["expect"]["hex"], "01 03 02 00 2A 38 5B");   // out of order in the capture
    EXPECT_NE(convert.err().find("3 send(s), 3 expect(s), 0 wait(s)"), std::string::npos) << convert.err();

    std::string out;
    EXPECT_EQ(replay(convert.out(), "good", out), 0) << out.substr(0, 4000);
    EXPECT_NE(out.find("\"script_summary\""), std::string::npos) << out.substr(0, 4000);
    EXPECT_EQ(replay(convert.out(), "wrong", out), 3) << out.substr(0, 4000);
    std::filesystem::remove(file);
}

TEST(ImportCapture, ServerSideAsSavedCommands) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    const std::string file = writeConversation("commands.pcapng", "pcapng");
    Process convert({SOCKSCOPE_BINARY, "--import-capture", file, "--flow", "1", "--side", "server", "--as", "commands"});
    ASSERT_EQ(convert.wait(30s), 0) << convert.err();
    const auto commands = nlohmann::json::parse(convert.out());
    EXPECT_EQ(commands, nlohmann::json::parse(R"([{"name": "msg 1", "text": "WORLD 1\\r\\n"},
        {"name": "msg 2", "hex": "01 03 02 00 2A 38 5B"}, {"name": "msg 3", "text": "OK\\r\\n"}])"));
    // Pasted into a profile, it loads and runs.
    nlohmann::json profile = {{"version", 1}, {"name", "cmds"},
                              {"endpoints", nlohmann::json::array({{{"name", "dev"}, {"type", "tcp-server"},
                                  {"bind", "127.0.0.1:0"}, {"commands", commands}}})}};
    const auto path = writeProfile("commands.json", profile.dump());
    Process app({SOCKSCOPE_BINARY, "--headless", path, "--for", "0.3"});
    EXPECT_EQ(app.wait(30s), 0) << app.err();
    std::filesystem::remove(file);
}

// Sockscope's own recording: a python3-style client (SocketPeer) talks to an echoing tcp-server
// recorded with --record x.pcapng; the client's side becomes a script that passes against an
// echo device and fails against a wrong one.
TEST(ImportCapture, OwnPcapngRecordingReplays) {
    if (!havePython()) GTEST_SKIP() << "python3 not found";
    const std::string file = tempPath("own.pcapng");
    std::filesystem::remove(file);
    const auto profile = writeProfile("own-rec.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "2", "--record", file});
    ASSERT_TRUE(app.waitForOutput("\"listening\"")) << app.err();
    std::uint16_t port = 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "listening") port = test::portOf(line["local"].get<std::string>());
    ASSERT_NE(port, 0);
    test::SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    for (const std::string request : {"PING 1\r\n", "STATUS?\r\n"}) {
        ASSERT_TRUE(peer.sendAll(request));
        ASSERT_EQ(peer.receive(request.size(), 10000), request);
        // The engine reports a send when the write completes: on loopback a fast peer's next
        // request can be read before that, and the recording would show it first. Wait until the
        // echo's tx event is out (the recorder saw it before stdout did) to keep one turn each.
        std::string hex;
        for (const unsigned char c : request) {
            static const char* digits = "0123456789abcdef";
            hex += digits[c >> 4];
            hex += digits[c & 15];
        }
        ASSERT_TRUE(app.waitForOutput("\"event\":\"tx\",\"conn\":1,\"len\":" + std::to_string(request.size()) +
                                      ",\"hex\":\"" + hex + "\""))
            << app.out();
    }
    peer.close();
    ASSERT_EQ(app.wait(30s), 0) << app.err();

    Process list({SOCKSCOPE_BINARY, "--import-capture", file});
    ASSERT_EQ(list.wait(30s), 0) << list.err();
    EXPECT_NE(list.out().find("1  tcp 127.0.0.1:"), std::string::npos) << list.out();
    EXPECT_NE(list.out().find("-> 127.0.0.1:" + std::to_string(port) + "  packets"), std::string::npos) << list.out();
    EXPECT_NE(list.out().find("bytes 17/17"), std::string::npos) << list.out();
    EXPECT_NE(list.out().find("  handshake  "), std::string::npos) << list.out();
    Process convert({SOCKSCOPE_BINARY, "--import-capture", file, "--flow", "1", "--side", "client", "--name", "replay"});
    ASSERT_EQ(convert.wait(30s), 0) << convert.err();
    const auto script = nlohmann::json::parse(convert.out());
    ASSERT_EQ(script["steps"].size(), 4u) << script.dump(2);
    EXPECT_EQ(script["steps"][0]["send"]["text"], "PING 1\\r\\n");
    EXPECT_EQ(script["steps"][3]["expect"]["text"], "STATUS?\\r\\n");
    std::string out;
    EXPECT_EQ(replay(convert.out(), "good", out, kEcho), 0) << out.substr(0, 4000);
    EXPECT_EQ(replay(convert.out(), "wrong", out, kEcho), 3) << out.substr(0, 4000);
    std::filesystem::remove(file);
}

TEST(ImportCapture, BadFileOrFlowExits2WithAClearMessage) {
    const std::string junk = tempPath("junk.pcap");
    {
        std::ofstream(junk, std::ios::binary) << "this is not a capture at all";
    }
    Process bad({SOCKSCOPE_BINARY, "--import-capture", junk});
    EXPECT_EQ(bad.wait(30s), 2);
    EXPECT_NE(bad.err().find("at offset 0: not a pcap or pcapng file"), std::string::npos) << bad.err();
    Process missing({SOCKSCOPE_BINARY, "--import-capture", junk + ".missing"});
    EXPECT_EQ(missing.wait(30s), 2);
    EXPECT_NE(missing.err().find("no such file"), std::string::npos) << missing.err();
    std::filesystem::remove(junk);
    if (!havePython()) return;
    const std::string file = writeConversation("flows.pcap", "pcap");
    Process flow({SOCKSCOPE_BINARY, "--import-capture", file, "--flow", "7", "--side", "client"});
    EXPECT_EQ(flow.wait(30s), 2);
    EXPECT_NE(flow.err().find("has 1 flow(s), numbered from 1"), std::string::npos) << flow.err();
    Process side({SOCKSCOPE_BINARY, "--import-capture", file, "--flow", "1"});
    EXPECT_EQ(side.wait(30s), 2);
    EXPECT_NE(side.err().find("--side client or --side server"), std::string::npos) << side.err();
    // What shapes one flow's script, given without --flow, would be ignored: said instead.
    for (const char* option : {"--side", "--name", "--expect", "--as"}) {
        const char* value = std::string(option) == "--side" ? "client" : std::string(option) == "--expect" ? "any"
                          : std::string(option) == "--as"   ? "commands" : "x";
        Process unused({SOCKSCOPE_BINARY, "--import-capture", file, option, value});
        EXPECT_EQ(unused.wait(30s), 2) << option;
        EXPECT_NE(unused.err().find(std::string(option) + " needs --flow N"), std::string::npos) << unused.err();
    }
    Process gaps({SOCKSCOPE_BINARY, "--import-capture", file, "--keep-gaps"});
    EXPECT_EQ(gaps.wait(30s), 2);
    EXPECT_NE(gaps.err().find("--keep-gaps needs --flow N"), std::string::npos) << gaps.err();
    // A name the profile loader would refuse is refused here, in its words.
    Process slash({SOCKSCOPE_BINARY, "--import-capture", file, "--flow", "1", "--side", "client", "--name", "a/b"});
    EXPECT_EQ(slash.wait(30s), 2);
    EXPECT_NE(slash.err().find("a script name cannot hold '/'"), std::string::npos) << slash.err();
    Process stray({SOCKSCOPE_BINARY, "--flow", "1"});
    EXPECT_EQ(stray.wait(30s), 2);
    EXPECT_NE(stray.err().find("applies to --import-capture only"), std::string::npos) << stray.err();
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace sockscope
