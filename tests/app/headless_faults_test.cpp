// Fault injection run by the real binary: a python3 client sees the delayed, split echo byte for
// byte and the output carries `faults` lines and the summary's counts; the command channel's
// stop_reading verb makes a connection a slow reader (the peer's send queue grows until its send
// would block), and resuming delivers every byte. A script waiting for a connection that never
// comes ends when its endpoint is stopped through the channel.
#include <gtest/gtest.h>

#include <thread>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/sockios.h>

#include <csignal>

#include "app/headless_support.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::portOf;
using test::Process;
using test::writeProfile;
using namespace std::chrono_literals;

/// A FIFO for --commands, and a writer to it (opened once the app holds it open).
struct CommandFifo {
    std::string path;
    int fd = -1;
    explicit CommandFifo(const std::string& name) {
        path = (std::filesystem::temp_directory_path() / ("sockscope-" + std::to_string(::getpid()) + "-" + name)).string();
        ::unlink(path.c_str());
        EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
    }
    ~CommandFifo() {
        if (fd >= 0) ::close(fd);
        ::unlink(path.c_str());
    }
    bool send(const std::string& line) {
        if (fd < 0) fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);   // the app holds it open read-write
        const std::string text = line + "\n";
        return fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    }
};

std::optional<nlohmann::json> lineWhere(Process& app, const std::function<bool(const nlohmann::json&)>& match,
                                        std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string out = app.out();
        for (const auto& line : jsonLines(out))
            if (match(line)) return line;
        // Nothing yet: wait (bounded) until the app has printed more.
        while (app.out().size() == out.size() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
}

const char* const kEchoClient = R"PY(
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
t = time.monotonic()
s.sendall(b"abcdef")
got = b""
while len(got) < 6:
    chunk = s.recv(6 - len(got))
    if not chunk: break
    got += chunk
assert got == b"abcdef", got
assert time.monotonic() - t >= 0.04, "the delay"
print("ok")
)PY";

TEST(HeadlessFaults, DelayedSplitEchoAndCounts) {
    if (std::system("python3 -c pass") != 0) GTEST_SKIP() << "python3 not found";
    const std::string profile = writeProfile("faults.json", R"({"version": 1, "name": "f", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true,
         "faults": {"delay_ms": 40, "split": {"size": 2, "gap_ms": 5}, "seed": 1}}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "30"});
    const auto listening = lineWhere(app, [](const nlohmann::json& l) { return l["event"] == "listening"; });
    ASSERT_TRUE(listening) << app.out() << app.err();
    Process client({"/usr/bin/env", "python3", "-c", kEchoClient,
                    std::to_string(portOf((*listening)["local"].get<std::string>()))});
    EXPECT_EQ(client.wait(20s), 0) << client.out() << client.err() << app.out();
    // Echo of one read (or a few): delayed each, split into 2-byte pieces: 3 pieces for 6 bytes
    // when it came in one read.
    const auto faults = lineWhere(app, [](const nlohmann::json& l) {
        return l["event"] == "faults" && l["delayed"].get<int>() >= 1 && l["split_pieces"].get<int>() >= 3;
    });
    ASSERT_TRUE(faults) << app.out();
    EXPECT_EQ((*faults)["endpoint"], "dev");
    EXPECT_EQ((*faults)["dropped"], 0);
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    const auto lines = jsonLines(app.out());
    ASSERT_FALSE(lines.empty());
    const auto& summary = lines.back();
    ASSERT_EQ(summary["event"], "summary");
    EXPECT_GE(summary["endpoints"][0]["faults"]["split_pieces"].get<int>(), 3) << summary.dump();
    std::size_t tx_pieces = 0;
    for (const auto& l : lines)
        if (l["event"] == "tx") {
            EXPECT_LE(l["len"].get<int>(), 2);
            ++tx_pieces;
        }
    EXPECT_EQ(tx_pieces, 3u);
}

TEST(HeadlessFaults, StopReadingVerbFillsThePeersSendQueueThenResumes) {
    CommandFifo fifo("faults-cmds");
    const std::string profile = writeProfile("sink.json", R"({"version": 1, "name": "f", "endpoints": [
        {"name": "sink", "type": "tcp-server", "bind": "127.0.0.1:0", "options": {"recv_buffer": 16384}}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "60", "--commands", fifo.path});
    const auto listening = lineWhere(app, [](const nlohmann::json& l) { return l["event"] == "listening"; });
    ASSERT_TRUE(listening) << app.out() << app.err();
    test::SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(portOf((*listening)["local"].get<std::string>())));
    const auto accepted = lineWhere(app, [](const nlohmann::json& l) { return l["event"] == "accepted"; });
    ASSERT_TRUE(accepted) << app.out();
    const int conn = (*accepted)["conn"].get<int>();
    ASSERT_TRUE(fifo.send(R"({"stop_reading": {"endpoint": "sink", "conn": )" + std::to_string(conn) + R"(, "on": true}})"));
    ASSERT_TRUE(lineWhere(app, [](const nlohmann::json& l) { return l["event"] == "reading" && l["stopped"] == true; }))
        << app.out();
    // Write until the send would block (bounded): nothing is read on the other side.
    const int small = 16384;
    ::setsockopt(peer.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    ASSERT_EQ(::fcntl(peer.fd(), F_SETFL, ::fcntl(peer.fd(), F_GETFL) | O_NONBLOCK), 0);
    std::string written;
    bool blocked = false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (int i = 0; i < 10000 && std::chrono::steady_clock::now() < deadline; ++i) {
        std::string chunk(1024, '\0');
        for (std::size_t k = 0; k < chunk.size(); ++k) chunk[k] = static_cast<char>('a' + (written.size() + k) % 26);
        const auto n = ::send(peer.fd(), chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            blocked = true;
            break;
        }
        ASSERT_GT(n, 0);
        written.append(chunk.data(), static_cast<std::size_t>(n));
    }
    ASSERT_TRUE(blocked) << written.size();
    int outq = 0;
    ASSERT_EQ(::ioctl(peer.fd(), SIOCOUTQ, &outq), 0);
    EXPECT_GT(outq, 0) << "the peer's send queue holds what we do not read";
    for (const auto& l : jsonLines(app.out())) EXPECT_NE(l["event"], "rx") << "nothing read while stopped";
    // Resume: every byte arrives, in order.
    ASSERT_TRUE(fifo.send(R"({"stop_reading": {"endpoint": "sink", "conn": )" + std::to_string(conn) + R"(, "on": false}})"));
    std::string received;
    const auto all = lineWhere(app, [&](const nlohmann::json&) {
        received.clear();
        for (const auto& l : jsonLines(app.out()))
            if (l["event"] == "rx") received += l["text"].get<std::string>();
        return received.size() >= written.size();
    }, 20s);
    ASSERT_TRUE(all) << received.size() << " of " << written.size();
    EXPECT_EQ(received, written);
    ASSERT_TRUE(fifo.send(R"({"stop_reading": {"endpoint": "nope", "on": true}})"));
    ASSERT_TRUE(lineWhere(app, [](const nlohmann::json& l) { return l["event"] == "error" && l.contains("line"); }));
    ASSERT_TRUE(fifo.send(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(20s), 0) << app.err();
}

TEST(HeadlessFaults, AScriptWaitingForAConnectionEndsWhenItsEndpointIsStopped) {
    CommandFifo fifo("script-stop-cmds");
    const std::string profile = writeProfile("script-stop.json", R"({"version": 1, "name": "s", "endpoints": [
        {"name": "client", "type": "tcp-client", "remote": "127.0.0.1:)" + std::to_string(test::refusedPort()) + R"(",
         "reconnect": {"enabled": true, "initial_ms": 60000, "max_ms": 60000},
         "scripts": [{"name": "s", "steps": [{"send": {"text": "hi"}}, {"expect": {"any": true}, "timeout_ms": 100}]}]}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--run", "s", "--commands", fifo.path});
    ASSERT_TRUE(lineWhere(app, [](const nlohmann::json& l) { return l["event"] == "reconnecting"; })) << app.out() << app.err();
    ASSERT_TRUE(fifo.send(R"({"stop": {"endpoint": "client"}})"));
    EXPECT_EQ(app.wait(20s), 3) << app.out() << app.err();
    EXPECT_NE(app.out().find("the endpoint was stopped while the script waited for a connection"), std::string::npos)
        << app.out();
}

}  // namespace
}  // namespace sockscope
