// The headless runner as a user (or CI) runs it: a real process, real sockets, exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <atomic>
#include <set>
#include <thread>

#include "app/headless_runner.hpp"
#include "app/headless_support.hpp"
#include "app/piped_process.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::portOf;
using test::Process;
using test::writeProfile;
using test::SocketPeer;
using namespace std::chrono_literals;

/// The port a jsonl run's first tcp-server listens on (its profile binds port 0); 0 on timeout.
std::uint16_t listeningPort(Process& app) {
    if (!app.waitForOutput("\"listening\"")) return 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "listening") return portOf(line["local"].get<std::string>());
    return 0;
}

// Tester item: "0x10" ran 16 s and " 5" ran 5 s while "5 " was refused: a number of seconds is
// digits (a fraction, an exponent), nothing around them, read the same in every locale.
TEST(HeadlessForOption, SecondsAreAPlainDecimalNumber) {
    std::string error;
    EXPECT_EQ(parseRunSeconds("5", error), 5.0);
    EXPECT_EQ(parseRunSeconds("0.25", error), 0.25);
    EXPECT_EQ(parseRunSeconds("1e3", error), 1000.0);
    for (const char* bad : {"0x10", " 5", "5 ", "+5", "0", "-1", "inf", "nan", "", "5s", "1e10", "2,5"}) {
        error.clear();
        EXPECT_FALSE(parseRunSeconds(bad, error)) << bad;
        EXPECT_NE(error.find("--for: expected a number of seconds"), std::string::npos) << bad;
    }
}

TEST(Headless, JsonLinesShowTheWholeConversation) {
    const auto profile = writeProfile("conv.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "3"});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("AT\r\n"));
    EXPECT_EQ(peer.receive(4), "AT\r\n");
    peer.shutdownSend();
    ASSERT_TRUE(app.waitForOutput("CLOSE_WAIT"));
    EXPECT_EQ(app.wait(), 0) << app.err();

    std::map<std::string, nlohmann::json> first;
    for (const auto& line : jsonLines(app.out())) {
        ASSERT_TRUE(line.contains("time") && line.contains("event")) << line.dump();
        EXPECT_EQ(line["time"].get<std::string>().size(), 27u) << "RFC 3339 UTC with µs: " << line["time"];
        first.emplace(line["event"].get<std::string>(), line);
    }
    ASSERT_TRUE(first.count("accepted"));
    EXPECT_EQ(first["accepted"]["peer"], "127.0.0.1:" + std::to_string(peer.localPort()));
    ASSERT_TRUE(first.count("rx"));
    EXPECT_EQ(first["rx"]["endpoint"], "device");
    EXPECT_EQ(first["rx"]["len"], 4);
    EXPECT_EQ(first["rx"]["hex"], "41540d0a");
    EXPECT_EQ(first["rx"]["text"], "AT\\r\\n");
    ASSERT_TRUE(first.count("tx"));
    ASSERT_TRUE(first.count("peer_closed"));
    ASSERT_TRUE(first.count("tcp_state"));
    ASSERT_TRUE(first.count("summary"));
    EXPECT_EQ(first["summary"]["endpoints"][0]["rx_bytes"], 4);
}

TEST(Headless, PortInUseExitsWithOneAndSaysWhy) {
    SocketPeer squatter;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const auto port = std::to_string(ntohs(addr.sin_port));
    const auto profile = writeProfile("busy.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:)" + port + R"("}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--for", "5"});
    EXPECT_EQ(app.wait(), 1);
    EXPECT_NE(app.err().find("device: could not start: port " + port), std::string::npos) << app.err();
    EXPECT_NE(app.err().find("listening"), std::string::npos) << app.err();
    ::close(fd);
}

TEST(Headless, ProfileErrorsExitWithTwoAndNameThePath) {
    const auto profile = writeProfile("bad.json", R"({"version": 1, "endpoints": [
        {"name": "a", "type": "udp", "bind": "9000"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile});
    EXPECT_EQ(app.wait(), 2);
    EXPECT_NE(app.err().find("endpoints[0].bind: expected \"host:port\", got \"9000\""), std::string::npos)
        << app.err();

    Process missing({SOCKSCOPE_BINARY, "--headless", "/nonexistent/profile.json"});
    EXPECT_EQ(missing.wait(), 2);
    EXPECT_NE(missing.err().find("/nonexistent/profile.json"), std::string::npos) << missing.err();

    const auto corrupt = writeProfile("corrupt.json", "{\"version\": 1, \"endpoints\": [");
    Process broken({SOCKSCOPE_BINARY, "--headless", corrupt});
    EXPECT_EQ(broken.wait(), 2);
    EXPECT_FALSE(broken.err().empty());

    Process usage({SOCKSCOPE_BINARY, "--headless", corrupt, "--log", "xml"});
    EXPECT_EQ(usage.wait(), 2);

    // An empty file and a profile without endpoints both suggest one a run accepts (tester item:
    // the empty file's hint was a profile without endpoints, itself refused).
    for (const char* text : {"", R"({"version": 1, "endpoints": []})"}) {
        Process none({SOCKSCOPE_BINARY, "--headless", writeProfile("none.json", text), "--for", "1"});
        EXPECT_EQ(none.wait(), 2) << text;
        const std::string err = none.err();
        const auto start = err.find('{');
        ASSERT_NE(start, std::string::npos) << err;
        std::string example = err.substr(start, err.rfind('}') + 1 - start);
        const auto port = example.find(":9000\"");
        ASSERT_NE(port, std::string::npos) << example;
        example.replace(port, 5, ":0");   // no fixed port in a test
        Process runs({SOCKSCOPE_BINARY, "--headless", writeProfile("suggested.json", example), "--for", "0.2"});
        EXPECT_EQ(runs.wait(), 0) << err << runs.err();
    }
}

TEST(Headless, DocumentErrorsExitWithTwoAndNameTheFileAndThePlace) {
    const auto duplicate = writeProfile("dup.json", R"({"version": 1, "endpoints": [
        {"name": "a", "name": "b", "type": "udp", "bind": "127.0.0.1:0"}]})");
    Process dup({SOCKSCOPE_BINARY, "--headless", duplicate});
    EXPECT_EQ(dup.wait(), 2);
    EXPECT_NE(dup.err().find(duplicate + ": endpoints[0].name: the key \"name\" appears more than once"), std::string::npos)
        << dup.err();
    const auto nul = writeProfile("nul.json", std::string("{\"version\": 1, \"endpoints\": []}\0garbage", 39));
    Process trailing({SOCKSCOPE_BINARY, "--headless", nul});
    EXPECT_EQ(trailing.wait(), 2);
    EXPECT_NE(trailing.err().find(nul + ":1:32: invalid JSON: a NUL byte"), std::string::npos) << trailing.err();
    const auto huge = writeProfile("huge.json", R"({"version": 1, "endpoints": [{"name": "a", "type": "udp", "bind": "127.0.0.1:0", "multicast": {"ttl": 1e400}}]})");
    Process range({SOCKSCOPE_BINARY, "--headless", huge});
    EXPECT_EQ(range.wait(), 2);
    EXPECT_NE(range.err().find(huge + ":1:103: endpoints[0].multicast.ttl: invalid JSON: the number 1e400 is out of range"),
              std::string::npos) << range.err();
}

TEST(Headless, SigtermStopsCleanlyWithASummary) {
    const auto profile = writeProfile("sig.json", R"({"version": 1, "endpoints": [
        {"name": "beacon", "type": "udp", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--quiet"});
    ASSERT_TRUE(app.waitForOutput("bound to"));
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(5s), 0) << app.err();
    EXPECT_NE(app.out().find("summary"), std::string::npos);
}

TEST(Headless, QuietPrintsLifecycleButNoPayloads) {
    const auto profile = writeProfile("quiet.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--quiet", "--for", "2"});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("secret payload"));
    EXPECT_EQ(app.wait(), 0);
    const auto out = app.out();
    EXPECT_NE(out.find("\"accepted\""), std::string::npos);
    EXPECT_EQ(out.find("\"rx\""), std::string::npos);
    const auto lines = jsonLines(out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back()["event"], "summary");
    EXPECT_EQ(lines.back()["endpoints"][0]["rx_bytes"], 14) << "payloads still went through the engine and log";
    EXPECT_GE(lines.back()["log"]["records"].get<int>(), 1);
}

/// A socket on 127.0.0.1 the test holds: a listener, a full listener or a bound udp socket.
struct HeldSocket {
    int fd = -1;
    std::uint16_t port = 0;
    explicit HeldSocket(int type, int backlog = 1) : fd(::socket(AF_INET, type, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        if (type == SOCK_STREAM) ::listen(fd, backlog);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
    }
    ~HeldSocket() { ::close(fd); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

std::vector<nlohmann::json> eventsOf(const std::vector<nlohmann::json>& lines, const std::string& event) {
    std::vector<nlohmann::json> found;
    for (const auto& line : lines)
        if (line["event"] == event) found.push_back(line);
    return found;
}

TEST(HeadlessExitCodes, EveryWayAnEndpointCannotStartExitsOneWithItsReasonWhileTheOthersKeepRunning) {
    const HeldSocket busy_tcp(SOCK_STREAM), busy_udp(SOCK_DGRAM);
    // A listener whose backlog of 0 is already full: further SYNs are dropped, connects time out.
    const HeldSocket full(SOCK_STREAM, 0);
    SocketPeer filler;
    ASSERT_TRUE(filler.connectTcp(full.port));
    const std::string refused = "127.0.0.1:" + std::to_string(test::refusedPort());
    const auto profile = writeProfile("fail.json", R"({"version": 1, "endpoints": [
        {"name": "beacon", "type": "udp", "bind": "127.0.0.1:0"},
        {"name": "refused", "type": "tcp-client", "remote": ")" + refused + R"("},
        {"name": "timeout", "type": "tcp-client", "remote": ")" + full.address() + R"(", "connect_timeout_ms": 300},
        {"name": "unknown-host", "type": "tcp-client", "remote": "no-such-host.invalid:80"},
        {"name": "gave-up", "type": "tcp-client", "remote": ")" + refused + R"(",
         "reconnect": {"enabled": true, "initial_ms": 10, "max_ms": 20, "max_attempts": 3}},
        {"name": "busy-server", "type": "tcp-server", "bind": ")" + busy_tcp.address() + R"("},
        {"name": "unknown-bind-host", "type": "tcp-server", "bind": "no-such-host.invalid:0"},
        {"name": "busy-udp", "type": "udp", "bind": ")" + busy_udp.address() + R"(", "options": {"reuse_address": false}}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl"});
    const std::vector<std::string> failing = {"refused", "timeout", "unknown-host", "gave-up",
                                              "busy-server", "unknown-bind-host", "busy-udp"};
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && eventsOf(jsonLines(app.out()), "failed").size() < failing.size())
        std::this_thread::sleep_for(20ms);
    ASSERT_EQ(eventsOf(jsonLines(app.out()), "failed").size(), failing.size()) << app.out() << app.err();
    EXPECT_EQ(app.err(), "") << "reasons are given at the end";

    // The healthy endpoint still runs after every other one failed.
    const auto bound = eventsOf(jsonLines(app.out()), "bound");
    ASSERT_EQ(bound.size(), 1u);
    SocketPeer udp;
    ASSERT_TRUE(udp.bindUdp());
    ASSERT_TRUE(udp.sendTo("still here", portOf(bound[0]["local"].get<std::string>())));
    ASSERT_TRUE(app.waitForOutput("\"rx\"")) << app.out();
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 1) << app.err();

    const std::string err = app.err();
    for (const auto& name : failing) EXPECT_NE(err.find("sockscope: " + name + ": "), std::string::npos) << name << "\n" << err;
    EXPECT_NE(err.find("refused: could not start: connection refused by " + refused), std::string::npos) << err;
    EXPECT_NE(err.find("timeout: could not start: "), std::string::npos) << err;
    EXPECT_NE(err.find("no-such-host.invalid"), std::string::npos) << err;
    EXPECT_NE(err.find("gave-up: could not start (after 3 attempts): "), std::string::npos) << err;
    EXPECT_EQ(err.find("beacon"), std::string::npos) << err;
    const auto summary = jsonLines(app.out()).back();
    ASSERT_EQ(summary["event"], "summary");
    for (const auto& e : summary["endpoints"])
        EXPECT_EQ(e["state"], e["endpoint"] == "beacon" ? "bound" : "failed") << e.dump();
}

TEST(HeadlessExitCodes, WhenEveryEndpointFailedTheRunEndsAtOnce) {
    const auto profile = writeProfile("allfail.json", R"({"version": 1, "endpoints": [
        {"name": "gw", "type": "tcp-client", "remote": "127.0.0.1:)" + std::to_string(test::refusedPort()) + R"("}]})");
    const auto start = std::chrono::steady_clock::now();
    Process app({SOCKSCOPE_BINARY, "--headless", profile});   // no --for: nothing is left to wait for
    EXPECT_EQ(app.wait(10s), 1) << app.err();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_NE(app.err().find("sockscope: gw: could not start: connection refused"), std::string::npos) << app.err();
}

TEST(HeadlessJsonLines, TimeNeverGoesBackwards) {
    const std::string refused = "127.0.0.1:" + std::to_string(test::refusedPort());
    const auto profile = writeProfile("order.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true},
        {"name": "retrying", "type": "tcp-client", "remote": ")" + refused + R"(",
         "reconnect": {"enabled": true, "initial_ms": 5, "max_ms": 10}}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl"});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    // Data interleaved with the client's status events and the ~2 Hz TCP state refreshes.
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(peer.sendAll("ping " + std::to_string(i)));
        ASSERT_EQ(peer.receive(6), "ping " + std::to_string(i));
        if (i == 2) {
            ASSERT_TRUE(app.waitForOutput("\"port_table\""));   // a refresh between the messages
        }
    }
    peer.shutdownSend();
    ASSERT_TRUE(app.waitForOutput("CLOSE_WAIT"));
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    const auto lines = jsonLines(app.out());
    std::set<std::string> kinds;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        kinds.insert(lines[i]["event"].get<std::string>());
        if (i == 0) continue;
        EXPECT_LE(lines[i - 1]["time"].get<std::string>(), lines[i]["time"].get<std::string>())
            << "line " << i << ": " << lines[i - 1].dump() << "\nthen " << lines[i].dump();
    }
    for (const char* kind : {"listening", "reconnecting", "connecting", "accepted", "rx", "tx", "tcp_state",
                             "port_table", "peer_closed", "stopped", "summary"})
        EXPECT_TRUE(kinds.count(kind)) << kind;
}

TEST(HeadlessJsonLines, AnOverflowAddsNoPhantomEndpointToTheSummary) {
    const auto profile = writeProfile("overflow.json", R"({"version": 1, "endpoints": [
        {"name": "sink", "type": "udp", "bind": "127.0.0.1:0"}]})");
    test::PipedProcess app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl"});
    ASSERT_TRUE(app.readLines(1)) << app.err();
    const auto port = portOf(jsonLines(app.out())[0]["local"].get<std::string>());
    // A slow reader (64 KiB per read, 2 ms between reads) behind a flood of 60 KB datagrams: the runner's output
    // fills and it holds back, the engine's queue fills, datagrams are dropped and an `overflow`
    // event follows. On a loaded machine the runner may count that line as unprinted (its reader
    // looked stalled), so the proof that the queue overflowed is the summary's `dropped`.
    std::atomic<bool> seen{false};
    std::thread reader([&] { seen = app.readUntil("\"overflow\"", 12s, 2ms); });   // sole user of `app`
    SocketPeer udp;
    const bool bound = udp.bindUdp();
    const std::string datagram(60000, 'u');
    const auto flood_end = std::chrono::steady_clock::now() + 10s;
    for (int i = 0; bound && !seen && i < 100000 && std::chrono::steady_clock::now() < flood_end; ++i) {
        (void)udp.sendTo(datagram, port);
        if (i % 20 == 0) std::this_thread::sleep_for(2ms);   // let the engine read them
    }
    reader.join();
    ASSERT_TRUE(bound);
    app.signal(SIGTERM);
    ASSERT_TRUE(app.readToEnd(15s * test::kSanitizerSlowdown));
    EXPECT_EQ(app.wait(5s), 0) << app.err();
    const auto summary = jsonLines(app.out()).back();
    ASSERT_EQ(summary["event"], "summary");
    ASSERT_EQ(summary["endpoints"].size(), 1u) << summary.dump();
    EXPECT_EQ(summary["endpoints"][0]["endpoint"], "sink");
    EXPECT_GT(summary["endpoints"][0]["dropped"].get<std::uint64_t>(), 0u);
}

TEST(HeadlessText, NamesAndMessagesReachTheTerminalEscaped) {
    const std::string refused = "127.0.0.1:" + std::to_string(test::refusedPort());
    // ESC ] 0 ; ... BEL sets a terminal's title; ESC [ 31 m turns it red; CSI (0x9B) in UTF-8.
    const auto profile = writeProfile("escape.json", R"({"version": 1, "endpoints": [
        {"name": "evil\u001b]0;owned\u0007\u001b[31m\u009b2J", "type": "tcp-client", "remote": ")" + refused + R"("},
        {"name": "ok\r\nfake line", "type": "udp", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--for", "1"});
    EXPECT_EQ(app.wait(10s), 1) << app.err();
    for (const std::string& stream : {app.out(), app.err()}) {
        EXPECT_EQ(stream.find('\x1b'), std::string::npos) << stream;
        EXPECT_EQ(stream.find('\x07'), std::string::npos) << stream;
        EXPECT_EQ(stream.find("\xc2\x9b"), std::string::npos) << stream;
        EXPECT_EQ(stream.find("\r"), std::string::npos) << stream;
        EXPECT_EQ(stream.find("\nfake line"), std::string::npos) << stream;
    }
    EXPECT_NE(app.out().find("evil\\x1B]0;owned\\x07\\x1B[31m"), std::string::npos) << app.out();
    EXPECT_NE(app.out().find("ok\\r\\nfake line  bound to"), std::string::npos) << app.out();
    EXPECT_NE(app.out().find("  ok\\r\\nfake line (udp, bound)"), std::string::npos) << "summary\n" << app.out();
    EXPECT_NE(app.err().find("sockscope: evil\\x1B]0;owned"), std::string::npos) << app.err();
}

/// The profile with every port replaced: a port some "remote" refers to by a free one of the
/// right type, any other bind port by 0. A user running the real demo cannot break the test.
std::string withFreePorts(const std::string& path) {
    std::ifstream in(path);
    nlohmann::ordered_json profile = nlohmann::ordered_json::parse(in);
    std::map<std::string, std::string> replaced;   // "host:port" -> the same host, another port
    auto& endpoints = profile["endpoints"];
    for (auto& e : endpoints)
        if (e.contains("remote")) {
            const std::string remote = e["remote"];
            if (replaced.count(remote)) continue;
            const int type = e["type"] == "udp" ? SOCK_DGRAM : SOCK_STREAM;
            replaced[remote] = remote.substr(0, remote.rfind(':') + 1) + std::to_string(test::freePort(type));
        }
    for (auto& e : endpoints)
        for (const char* key : {"bind", "remote"}) {
            if (!e.contains(key)) continue;
            const std::string address = e[key];
            const auto it = replaced.find(address);
            e[key] = it != replaced.end() ? it->second : address.substr(0, address.rfind(':') + 1) + "0";
        }
    return writeProfile("demo-free-ports.json", profile.dump(2));
}

/// Holds a port if it is free (a user's demo, say); nothing if it is not.
struct PortSquatter {
    int fd;
    PortSquatter(int type, std::uint16_t port) : fd(::socket(AF_INET, type, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && type == SOCK_STREAM) ::listen(fd, 1);
    }
    ~PortSquatter() { ::close(fd); }
};

TEST(Headless, TheBundledDemoProfileRuns) {
    // The demo's own ports are held, as when a user runs the demo beside the test suite.
    const PortSquatter device(SOCK_STREAM, 60000), beacon(SOCK_DGRAM, 9000), listener(SOCK_DGRAM, 9001);
    const auto profile = withFreePorts(SOCKSCOPE_SOURCE_DIR "/assets/profiles/demo.json");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "3"});
    ASSERT_TRUE(app.waitForOutput("\"tcp_state\"")) << "the gateway connected to the device\n" << app.out() << app.err();
    EXPECT_EQ(app.wait(), 0) << app.err();
    std::set<std::string> running;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "listening" || line["event"] == "bound" || line["event"] == "connected")
            running.insert(line["endpoint"].get<std::string>());
    EXPECT_EQ(running, (std::set<std::string>{"device", "gateway", "beacon", "listener"})) << app.out();
}

}  // namespace
}  // namespace sockscope
