// The headless runner as a user (or CI) runs it: a real process, real sockets, exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::Process;
using test::SocketPeer;
using namespace std::chrono_literals;

std::string writeProfile(const std::string& name, const std::string& json) {
    const auto path = std::filesystem::temp_directory_path() / ("sockscope-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path) << json;
    return path.string();
}

/// A free TCP port below the ephemeral range, so no TIME_WAIT client socket squats on it.
std::uint16_t freePort() {
    for (std::uint16_t port = 20000 + static_cast<std::uint16_t>(::getpid() % 5000); port < 32000; port += 7) {
        SocketPeer probe;
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (ok) return port;
    }
    return 0;
}

std::vector<nlohmann::json> jsonLines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

TEST(Headless, JsonLinesShowTheWholeConversation) {
    const auto port = freePort();
    const auto profile = writeProfile("conv.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:)" + std::to_string(port) + R"(", "echo": true}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "3"});
    ASSERT_TRUE(app.waitForOutput("\"listening\"")) << app.err();
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
    const auto port = freePort();
    const auto profile = writeProfile("quiet.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:)" + std::to_string(port) + R"("}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--quiet", "--for", "2"});
    ASSERT_TRUE(app.waitForOutput("\"listening\""));
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

TEST(Headless, TheBundledDemoProfileRuns) {
    Process app({SOCKSCOPE_BINARY, "--headless", SOCKSCOPE_SOURCE_DIR "/assets/profiles/demo.json", "--for", "1"});
    const int code = app.wait();
    if (code == 1 && app.err().find("EADDRINUSE") != std::string::npos)
        GTEST_SKIP() << "a demo port is taken on this machine: " << app.err();
    EXPECT_EQ(code, 0) << app.err();
    EXPECT_NE(app.out().find("listening on 127.0.0.1:60000"), std::string::npos) << app.out();
}

}  // namespace
}  // namespace sockscope
