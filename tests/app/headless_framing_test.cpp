// Receive framing as a headless user sees it: a python3 peer writes Modbus-TCP-like frames split
// across writes and glued together; the rx events carry exactly the frames.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <thread>

#include "app/headless_support.hpp"
#include "support/process.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::portOf;
using test::Process;
using test::writeProfile;
using namespace std::chrono_literals;

// Three MBAP frames (12, 13 and 11 bytes) sent as: 3 bytes | 9 bytes + 13 + 4 glued | the rest,
// with TCP_NODELAY so the writes leave as written; then garbage whose length field is too big
// (dropped byte by byte; the stream ends inside it).
const char* const kPeer = R"PY(
import socket, sys
frames = [bytes.fromhex("000100000006010300000001"),
          bytes.fromhex("00020000000701030400 0a000b".replace(" ", "")),
          bytes.fromhex("0003000000050106000a")+b"\x2a"]
data = b"".join(frames)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for piece in (data[:3], data[3:29], data[29:]):
    s.sendall(piece)
s.sendall(bytes.fromhex("0004000012340103"))
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
)PY";

TEST(HeadlessFraming, RxEventsCarryFramesFromAPythonPeer) {
    if (std::system("python3 -c pass") != 0) GTEST_SKIP() << "python3 not found";
    const auto profile = writeProfile("framing.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "plc", "type": "tcp-server", "bind": "127.0.0.1:0",
         "framing": { "type": "length", "offset": 4, "size": 2, "endian": "big", "adjust": 6, "max": 260 }}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "20"});
    ASSERT_TRUE(app.waitForOutput("\"listening\"")) << app.err();
    std::uint16_t port = 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "listening") port = portOf(line["local"].get<std::string>());
    ASSERT_NE(port, 0);
    Process peer({"/usr/bin/env", "python3", "-c", kPeer, std::to_string(port)});
    ASSERT_TRUE(app.waitForOutput("\"peer_closed\"")) << app.out() << app.err();
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    EXPECT_EQ(peer.wait(10s), 0) << peer.err();

    std::vector<std::string> rx;
    std::vector<nlohmann::json> errors;
    for (const auto& line : jsonLines(app.out())) {
        if (line["event"] == "rx") {
            rx.push_back(line["hex"].get<std::string>());
            EXPECT_EQ(line["len"].get<std::size_t>() * 2, rx.back().size());
        }
        if (line["event"] == "error") errors.push_back(line);
        if (line["event"] == "summary") {
            EXPECT_EQ(line["endpoints"][0]["rx_bytes"], 44) << "raw bytes are counted";
        }
    }
    EXPECT_EQ(rx, (std::vector<std::string>{"000100000006010300000001", "000200000007010304000a000b",
                                            "0003000000050106000a2a",
                                            // the stream ended in the garbage: its last 5 bytes, said so
                                            "0012340103"}));
    ASSERT_EQ(errors.size(), 3u) << app.out();
    EXPECT_EQ(errors[1]["error"]["code"], "FRAMING_RESYNC");
    EXPECT_EQ(errors[2]["error"]["code"], "FRAME_INCOMPLETE");
    EXPECT_EQ(errors[0]["error"]["code"], "BAD_FRAME_LENGTH");
    EXPECT_NE(errors[0]["error"]["message"].get<std::string>().find("reads 4660, so the frame would be 4666 bytes: "
                                                                    "longer than max 260"),
              std::string::npos)
        << errors[0].dump();
}

TEST(HeadlessFraming, TextLogShowsFramingErrorsInPlainWords) {
    if (std::system("python3 -c pass") != 0) GTEST_SKIP() << "python3 not found";
    const auto profile = writeProfile("framing-text.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "term", "type": "tcp-server", "bind": "127.0.0.1:0",
         "framing": { "type": "delimiter", "delimiter": { "text": "\r\n" }, "max": 8, "on_error": "close" }}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--for", "20"});
    ASSERT_TRUE(app.waitForOutput("listening")) << app.err();
    const std::string out = app.out();
    const auto at = out.find("listening on 127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << out;
    const std::string port = std::to_string(std::stoi(out.substr(at + 23)));
    Process peer({"/usr/bin/env", "python3", "-c",
                  "import socket,sys\ns=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n"
                  "s.sendall(b'OK\\r\\nthis line is too long\\r\\n')\ns.recv(1)\n",
                  port});
    ASSERT_TRUE(app.waitForOutput("closed")) << app.out();
    EXPECT_EQ(peer.wait(10s), 0) << peer.err();
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    const std::string text = app.out();
    EXPECT_NE(text.find("rx #1 2 B  \"OK\""), std::string::npos) << text;
    EXPECT_NE(text.find("FRAME_TOO_LONG: no delimiter (0D 0A) within max 8 bytes; closing the connection "
                        "(on_error: close)"),
              std::string::npos)
        << text;
}

// A second framing error within the repeat window is held back and counted; when the run ends
// (SIGINT, the connection still open) the held-back count is printed, not only counted.
TEST(HeadlessFraming, AFramingErrorHeldBackAtTheEndIsPrinted) {
    if (std::system("python3 -c pass") != 0) GTEST_SKIP() << "python3 not found";
    const auto profile = writeProfile("framing-held.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0",
         "framing": { "type": "delimiter", "delimiter": { "hex": "0a" }, "max": 8 }}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "30"});
    ASSERT_TRUE(app.waitForOutput("listening")) << app.err();
    const auto port = portOf(jsonLines(app.out())[0]["local"].get<std::string>());
    Process peer({"/usr/bin/env", "python3", "-c",
                  "import socket,sys\ns=socket.create_connection(('127.0.0.1',int(sys.argv[1])))\n"
                  "s.sendall(b'A'*20+b'\\nok\\n')\ns.sendall(b'B'*20+b'\\nok\\n')\ns.recv(1)\n",
                  std::to_string(port)});   // the second episode, within the window: held back
    for (int turn = 0; turn < 500; ++turn) {   // bounded: both "ok" frames arrived
        const std::string out = app.out();
        std::size_t oks = 0;
        for (std::size_t at = out.find("\"text\":\"ok\""); at != std::string::npos; at = out.find("\"text\":\"ok\"", at + 1))
            ++oks;
        if (oks >= 2) break;
        std::this_thread::sleep_for(20ms);
    }
    app.signal(SIGINT);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    std::size_t too_long = 0, repeated = 0;
    for (const auto& line : jsonLines(app.out())) {
        if (line["event"] != "error" || line["error"]["code"] != "FRAME_TOO_LONG") continue;
        ++too_long;
        repeated += line["error"]["message"].get<std::string>().find("(repeated 1 time in") != std::string::npos;
    }
    EXPECT_EQ(too_long, 2u) << app.out();
    EXPECT_EQ(repeated, 1u) << "the held-back episode was printed at the end\n" << app.out();
}

}  // namespace
}  // namespace sockscope
