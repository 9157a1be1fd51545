// `--record` and the profile's "recording" with the real binary: files that tshark and a JSON
// parser read back, the same JSON lines as stdout, rotation, usage errors, and kill -9 while
// recording (every complete record before the kill is readable).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "app/headless_support.hpp"
#include "support/pcapng_reader.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"
#include "support/temp_files.hpp"

namespace sockscope {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::jsonLines;
using test::portOf;
using test::Process;
using test::SocketPeer;
using test::writeProfile;

fs::path freshDir(const std::string& name) { return test::freshDir("hrec", name); }

std::uint16_t listeningPort(Process& app) {
    if (!app.waitForOutput("\"listening\"")) return 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "listening") return portOf(line["local"].get<std::string>());
    return 0;
}

std::string pattern(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) s[i] = char('a' + i % 26);
    return s;
}

TEST(HeadlessRecord, RecordsPcapngJsonlAndTextAtOnce) {
    const fs::path dir = freshDir("three");
    const auto profile = writeProfile("rec3.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "3",
                 "--record", (dir / "s.pcapng").string(), "--record", (dir / "s.jsonl").string(),
                 "--record", (dir / "s.txt").string()});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const std::string big = pattern(100000);
    ASSERT_TRUE(peer.sendAll(big));
    EXPECT_EQ(peer.receive(big.size(), 10000).size(), big.size());
    peer.close();
    EXPECT_EQ(app.wait(), 0) << app.err();

    // JSON lines: the data lines are the ones stdout printed.
    std::vector<std::string> printed, recorded;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "rx" || line["event"] == "tx") printed.push_back(line.dump());
    for (const auto& line : jsonLines(test::readFile(dir / "s.jsonl")))
        if (line["event"] == "rx" || line["event"] == "tx") recorded.push_back(line.dump());
    EXPECT_FALSE(recorded.empty());
    EXPECT_EQ(recorded, printed);
    // The recorders said they ran and stopped, at the end of the run (tester item: the endpoints'
    // lines said so, the recorders' did not).
    int stopped = 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "recording" && line["state"] == "stopped") {
            ++stopped;
            EXPECT_EQ(line.value("reason", ""), "end of run") << line.dump();
        }
    EXPECT_EQ(stopped, 3);
    // The recorded endpoint's stop says the same as stdout's (tester item: it lacked the reason).
    int recorded_stops = 0;
    for (const auto& line : jsonLines(test::readFile(dir / "s.jsonl")))
        if (line["event"] == "stopped") {
            ++recorded_stops;
            EXPECT_EQ(line.value("reason", ""), "end of run") << line.dump();
        }
    EXPECT_EQ(recorded_stops, 1);
    // Text: a header line and hexdump rows.
    const std::string text = test::readFile(dir / "s.txt");
    EXPECT_NE(text.find("  device  stopped (end of the run)\n"), std::string::npos) << text.substr(text.size() > 300 ? text.size() - 300 : 0);
    EXPECT_NE(text.find("  device  #1 rx  "), std::string::npos) << text.substr(0, 300);
    EXPECT_NE(text.find("  00000000  61 62 63 64 65 66 67 68  69 6a 6b 6c 6d 6e 6f 70  |abcdefghijklmnop|"),
              std::string::npos);
    // pcapng: tshark gives both directions back.
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed: the pcapng was not read back";
    const auto [up, down] = test::tsharkFollow((dir / "s.pcapng").string());
    EXPECT_TRUE(up == big);
    EXPECT_TRUE(down == big);
}

TEST(HeadlessRecord, ProfileRecordingIsRelativeToTheProfileAndRotates) {
    const fs::path dir = freshDir("profile");
    const fs::path profile = dir / "p.json";
    std::ofstream(profile) << R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true}],
        "recording": [{ "path": "logs/session.pcapng", "format": "pcapng", "rotate_mb": 0.05, "keep": 3, "scope": "all" }]})";
    Process app({SOCKSCOPE_BINARY, "--headless", profile.string(), "--log", "jsonl", "--quiet", "--for", "3",
                 "--record", (dir / "cli.jsonl").string(), "--record-rotate-mb", "0.02", "--record-keep", "2"});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(peer.sendAll(pattern(10000)));
        EXPECT_EQ(peer.receive(10000).size(), 10000u);
    }
    EXPECT_EQ(app.wait(), 0) << app.err();
    EXPECT_TRUE(fs::exists(dir / "logs" / "session.pcapng")) << "relative to the profile's directory";
    EXPECT_TRUE(fs::exists(dir / "logs" / "session.1.pcapng"));
    EXPECT_TRUE(fs::exists(dir / "logs" / "session.2.pcapng"));
    EXPECT_FALSE(fs::exists(dir / "logs" / "session.3.pcapng")) << "keep 3";
    EXPECT_TRUE(fs::exists(dir / "cli.jsonl"));
    EXPECT_TRUE(fs::exists(dir / "cli.1.jsonl"));
    EXPECT_FALSE(fs::exists(dir / "cli.2.jsonl")) << "--record-keep 2";
    for (const auto& line : jsonLines(test::readFile(dir / "cli.jsonl"))) EXPECT_TRUE(line.contains("event"));
}

// --record-keep 1 rotated an earlier run's file to .1 and deleted it at once, silently: it is
// kept now, and stderr names where it went.
TEST(HeadlessRecord, AnEarlierRecordingIsKeptAndTheMoveIsSaid) {
    const fs::path dir = freshDir("earlier");
    const auto profile = writeProfile("earlier.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    std::ofstream(dir / "k1.jsonl", std::ios::binary) << "{\"event\": \"from the earlier run\"}\n";
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "0.5", "--record",
                 (dir / "k1.jsonl").string(), "--record-keep", "1"});
    EXPECT_EQ(app.wait(), 0) << app.err();
    EXPECT_EQ(test::readFile(dir / "k1.1.jsonl"), "{\"event\": \"from the earlier run\"}\n") << "not deleted";
    EXPECT_TRUE(fs::exists(dir / "k1.jsonl"));
    EXPECT_NE(app.err().find("note: " + (dir / "k1.jsonl").string() + " holds an earlier recording: it is kept as " +
                             (dir / "k1.1.jsonl").string()),
              std::string::npos)
        << app.err();
}

TEST(HeadlessRecord, UsageErrors) {
    const auto profile = writeProfile("recu.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process bad_ext({SOCKSCOPE_BINARY, "--headless", profile, "--record", "/tmp/x.bin"});
    EXPECT_EQ(bad_ext.wait(), 2);
    EXPECT_NE(bad_ext.err().find(".pcapng, .jsonl or .txt"), std::string::npos) << bad_ext.err();
    const auto bad_profile = writeProfile("recb.json", R"({"version": 1, "endpoints": [
        {"name": "d", "type": "tcp-server", "bind": "127.0.0.1:0"}], "recording": [{"path": "x.bin"}]})");
    Process bad({SOCKSCOPE_BINARY, "--headless", bad_profile});
    EXPECT_EQ(bad.wait(), 2);
    EXPECT_NE(bad.err().find("recording[0].format"), std::string::npos) << bad.err();
    for (const char* option : {"--record-keep", "--record-rotate-mb"}) {   // they shape --record files
        Process alone({SOCKSCOPE_BINARY, "--headless", profile, "--for", "1", option, "3"});
        EXPECT_EQ(alone.wait(), 2) << option;
        EXPECT_NE(alone.err().find("give --record FILE too"), std::string::npos) << alone.err();
    }
    // Tester item: NaN passed the range check and turned rotation off without a word.
    for (const char* mb : {"nan", "NaN", "-1", "inf"}) {
        Process nan({SOCKSCOPE_BINARY, "--headless", profile, "--for", "1", "--record", "/tmp/x.jsonl",
                     "--record-rotate-mb", mb});
        EXPECT_EQ(nan.wait(), 2) << mb;
        EXPECT_NE(nan.err().find("--record-rotate-mb"), std::string::npos) << nan.err();
    }
    // Tester item: a fraction was "not in range 0 to 100000".
    for (const char* keep : {"1.5", "abc", "-1", "100001"}) {
        Process fraction({SOCKSCOPE_BINARY, "--headless", profile, "--for", "1", "--record", "/tmp/x.jsonl",
                          "--record-keep", keep});
        EXPECT_EQ(fraction.wait(), 2) << keep;
        EXPECT_NE(fraction.err().find("--record-keep: expected a whole number from 0 to 100000, got " + std::string(keep)),
                  std::string::npos)
            << fraction.err();
    }
    // Decimal, as the check read it: CLI11 took "010" as octal 8 after the check passed it as 10.
    // Seen in what a start keeps of an earlier run's numbered files: keep 10 leaves o.1 to o.9.
    const fs::path octal = freshDir("octal");
    for (int n = 0; n <= 12; ++n)
        std::ofstream(octal / (n == 0 ? std::string("o.jsonl") : "o." + std::to_string(n) + ".jsonl")) << "old\n";
    Process leading({SOCKSCOPE_BINARY, "--headless", profile, "--for", "0.2", "--record", (octal / "o.jsonl").string(),
                     "--record-keep", "010"});
    EXPECT_EQ(leading.wait(), 0) << leading.err();
    EXPECT_TRUE(fs::exists(octal / "o.9.jsonl")) << "kept as 8";
    EXPECT_FALSE(fs::exists(octal / "o.10.jsonl"));
    // Two recorders on one file would move each other's file aside: refused before the run, by name.
    const fs::path dir = freshDir("twice");
    const std::string same = (dir / "c.jsonl").string();
    Process twice({SOCKSCOPE_BINARY, "--headless", profile, "--for", "1", "--record", same, "--record",
                   (dir / "." / "c.jsonl").string()});
    EXPECT_EQ(twice.wait(), 2);
    EXPECT_NE(twice.err().find("recorded twice"), std::string::npos) << twice.err();
    EXPECT_FALSE(fs::exists(same)) << "nothing was started";
    std::ofstream(dir / "p.json") << R"({"version": 1, "endpoints": [{"name": "d", "type": "tcp-server",
        "bind": "127.0.0.1:0"}], "recording": [{"path": "c.jsonl"}]})";
    Process both({SOCKSCOPE_BINARY, "--headless", (dir / "p.json").string(), "--for", "1", "--record", same});
    EXPECT_EQ(both.wait(), 2);
    EXPECT_NE(both.err().find("recording[0] of the profile and --record"), std::string::npos) << both.err();
}

TEST(HeadlessRecord, AFailedRecorderIsSaidAndTheRunGoesOn) {
    const fs::path dir = freshDir("fail");
    std::ofstream(dir / "file") << "x";   // a file where the recorder wants a directory
    const auto profile = writeProfile("recf.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--for", "2",
                 "--record", (dir / "file" / "s.jsonl").string()});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    ASSERT_TRUE(app.waitForOutput("\"failed\""));
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("ping"));
    EXPECT_EQ(peer.receive(4), "ping") << "the run goes on";
    EXPECT_EQ(app.wait(), 0) << "a recorder's failure does not change the exit code";
    EXPECT_NE(app.err().find("failed: cannot open"), std::string::npos) << app.err();

    // In words: it never had a file, so none is "kept" (tester item).
    Process text({SOCKSCOPE_BINARY, "--headless", profile, "--log", "text", "--for", "0.5",
                  "--record", (dir / "file" / "s.txt").string()});
    EXPECT_EQ(text.wait(), 0) << text.err();
    EXPECT_NE(text.out().find("a part of the path is a file, not a directory (no file was written)"), std::string::npos)
        << text.out();
    EXPECT_EQ(text.out().find("written so far are kept"), std::string::npos) << text.out();
}

/// The tmpfs the test mounts in a mount namespace of its own (`unshare -m`: nothing leaks to the
/// host, it vanishes with the process); "" when this machine cannot (not root, no unshare).
std::string tmpfsUnavailableReason(const fs::path& probe_dir) {
    int status = -1;
    if (!fs::exists("/usr/bin/unshare")) return "no /usr/bin/unshare (util-linux)";
    const std::string out = test::runCommand("/usr/bin/unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs \"" +
                                             probe_dir.string() + "\" && echo mounted'", &status);
    if (status == 0 && out.find("mounted") != std::string::npos) return "";
    return "cannot mount a tmpfs in a private mount namespace here (needs root and unshare -m)";
}

/// A real full disk: a 256 KiB tmpfs fills while an echo server records 1 MB each way. The
/// recorders fail in plain words, the echo loses nothing, the run ends with 0, and what was
/// written is whole records: every JSON line parses, tshark reads the pcapng without complaint.
TEST(HeadlessRecord, ASmallTmpfsFillsUpAndTheFilesStayReadable) {
    const fs::path mount_dir = freshDir("tmpfs");
    const fs::path out_dir = freshDir("tmpfs-out");
    if (auto why = tmpfsUnavailableReason(mount_dir); !why.empty()) GTEST_SKIP() << why;
    const auto profile = writeProfile("rect.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "echo": true}]})");
    // The shell mounts the tmpfs, runs the app, and copies the files out before the namespace goes.
    const std::string script =
        "mount -t tmpfs -o size=256k tmpfs \"$0\" || exit 90; \"$@\"; rc=$?; cp \"$0\"/* '" +
        out_dir.string() + "'/; exit $rc";
    const int seconds = 4 * test::kSanitizerSlowdown;
    Process app({"/usr/bin/unshare", "-m", "/bin/sh", "-c", script, mount_dir.string(), SOCKSCOPE_BINARY, "--headless", profile,
                 "--log", "jsonl", "--quiet", "--for", std::to_string(seconds),
                 "--record", (mount_dir / "s.pcapng").string(), "--record", (mount_dir / "s.jsonl").string()});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    std::string sent, echoed;
    for (int i = 0; i < 100; ++i) {
        const std::string chunk = pattern(10000 + i);
        ASSERT_TRUE(peer.sendAll(chunk));
        sent += chunk;
        echoed += peer.receive(chunk.size(), 10000);
    }
    EXPECT_TRUE(echoed == sent) << "echo loses nothing while the recorders fail: " << echoed.size() << " of " << sent.size();
    peer.close();
    ASSERT_EQ(app.wait(std::chrono::seconds(seconds + 20)), 0) << app.err();
    EXPECT_NE(app.err().find("the disk is full"), std::string::npos) << app.err();
    int failed = 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "recording" && line["state"] == "failed" && line["error"]["code"] == "ENOSPC") ++failed;
    EXPECT_EQ(failed, 2) << "both recorders report ENOSPC";

    const std::string jsonl = test::readFile(out_dir / "s.jsonl");
    ASSERT_GT(jsonl.size(), 0u);
    EXPECT_EQ(jsonl.back(), '\n') << "cut back to the last whole line";
    std::size_t lines = 0, at = 0;
    for (std::size_t end; (end = jsonl.find('\n', at)) != std::string::npos; at = end + 1, ++lines)
        ASSERT_TRUE(nlohmann::json::accept(jsonl.substr(at, end - at))) << "line " << lines + 1;
    EXPECT_GE(lines, 2u);
    // The last word of each recorder counts what is in its file: the bytes that landed, the
    // records whole in it (the rest is dropped, not "written").
    const std::uintmax_t pcapng_size = fs::file_size(out_dir / "s.pcapng");
    for (const auto& line : jsonLines(app.out())) {
        if (line["event"] != "recording" || line["state"] != "failed") continue;
        const bool is_jsonl = line["path"].get<std::string>().find("s.jsonl") != std::string::npos;
        EXPECT_EQ(line["bytes"].get<std::uintmax_t>(), is_jsonl ? jsonl.size() : pcapng_size) << line.dump();
        if (is_jsonl) {
            EXPECT_EQ(line["records"].get<std::size_t>(), lines) << line.dump();
        }
        EXPECT_GT(line["dropped"].get<std::size_t>(), 0u) << line.dump();
    }
    const auto capture = test::parsePcapng(test::readFile(out_dir / "s.pcapng"));
    EXPECT_TRUE(capture.complete) << "no torn block at the end";
    ASSERT_GT(capture.packets.size(), 3u);
    std::string stream;
    for (const auto& p : capture.packets)
        if (p.dport == port) stream += p.payload;
    EXPECT_EQ(sent.compare(0, stream.size(), stream), 0) << "the recorded bytes are a prefix of what was sent";
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    int status = -1;
    test::runCommand("tshark -r '" + (out_dir / "s.pcapng").string() + "' -q", &status);
    EXPECT_EQ(status, 0) << "tshark reads the whole file without an error";
}

/// kill -9 while recording: every complete JSON line parses, and tshark reads the pcapng
/// (all packets but possibly a torn last one), the stream a prefix of what was sent.
TEST(HeadlessRecord, KillNineLeavesReadableFiles) {
    const fs::path dir = freshDir("kill");
    const auto profile = writeProfile("reck.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--quiet",
                 "--record", (dir / "k.pcapng").string(), "--record", (dir / "k.jsonl").string()});
    const auto port = listeningPort(app);
    ASSERT_NE(port, 0) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    std::string sent;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (int i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
        const std::string chunk = pattern(1000 + i % 7);
        ASSERT_TRUE(peer.sendAll(chunk));
        sent += chunk;
        std::error_code ec;
        if (fs::file_size(dir / "k.jsonl", ec) > (1u << 20) && fs::file_size(dir / "k.pcapng", ec) > (512u << 10)) break;
    }
    app.signal(SIGKILL);
    app.wait();
    const std::string jsonl = test::readFile(dir / "k.jsonl");
    ASSERT_GT(jsonl.size(), 0u);
    std::size_t lines = 0, at = 0;
    for (std::size_t end; (end = jsonl.find('\n', at)) != std::string::npos; at = end + 1, ++lines)
        ASSERT_TRUE(nlohmann::json::accept(jsonl.substr(at, end - at))) << "line " << lines + 1;
    EXPECT_GE(lines, 3u) << "a TCP read of up to 256 KiB is one line";
    const auto capture = test::parsePcapng(test::readFile(dir / "k.pcapng"));
    ASSERT_GT(capture.packets.size(), 3u);
    std::string stream;
    for (const auto& p : capture.packets)
        if (p.dport != port) continue;
        else stream += p.payload;
    EXPECT_EQ(sent.compare(0, stream.size(), stream), 0) << "the recorded bytes are what was sent, in order";
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    const std::string count = test::runCommand("tshark -r '" + (dir / "k.pcapng").string() + "' -T fields -e frame.number | tail -1");
    EXPECT_GE(std::stoul(count.empty() ? "0" : count), capture.packets.size()) << "tshark reads every complete block";
}

}  // namespace
}  // namespace sockscope
