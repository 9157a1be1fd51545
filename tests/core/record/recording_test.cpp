// Recorders through the real engine and real loopback sockets: what tshark reads back, rotation,
// the bounded queue with a slow writer (drop and count, or pause TCP), failures in plain words,
// receive to file.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/model/event_json.hpp"
#include "core/model/log_export.hpp"
#include "core/model/log_recorder.hpp"
#include "core/record/recorder.hpp"
#include "core/record/rotating_file.hpp"
#include "core/thread_name.hpp"
#include "support/engine_harness.hpp"
#include "support/pcapng_reader.hpp"
#include "support/socket_peer.hpp"
#include "support/temp_files.hpp"

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace sockscope {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::EngineHarness;
using test::SocketPeer;
using test::bytesOf;

// Some helpers serve only the tests Windows does not build (tshark, FIFOs): unused there.
fs::path testDir(const std::string& name) { return test::freshDir("rec", name); }

[[maybe_unused]] RecordingConfig recording(const fs::path& path, RecordFormat format) {
    RecordingConfig c;
    c.path = path.string();
    c.format = format;
    return c;
}

/// Stops the recorder and waits for its final status.
[[maybe_unused]] std::optional<RecordingStatus> stopRecording(EngineHarness& h, RecordingId id) {
    h.engine.submit(StopRecording{id});
    return h.waitFor<RecordingStatus>(
        [&](const RecordingStatus& s) { return s.recording == id && s.state != RecordingState::Running; }, 10s);
}

[[maybe_unused]] std::string pattern(std::size_t size, int seed) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) s[i] = char((i * 31 + seed) & 0xff);
    return s;
}

TEST(RotatingFile, RotatesBySizeKeepingNFiles) {
    const fs::path dir = testDir("rotate");
    RotatingFile file(dir / "s.jsonl", RotationPolicy{100, 0ms, 3}, false);
    ASSERT_FALSE(file.open());
    for (int i = 0; i < 10; ++i) {
        ASSERT_FALSE(file.write(std::string(60, char('a' + i)) + "\n"));
        if (file.due(std::chrono::steady_clock::now())) {
            ASSERT_FALSE(file.rotate());
        }
    }
    file.close();
    EXPECT_TRUE(fs::exists(dir / "s.jsonl"));
    EXPECT_TRUE(fs::exists(dir / "s.1.jsonl"));
    EXPECT_TRUE(fs::exists(dir / "s.2.jsonl"));
    EXPECT_FALSE(fs::exists(dir / "s.3.jsonl")) << "keep 3: the current file and two older ones";
    EXPECT_EQ(file.filesBegun(), 6u) << "a new file every two writes of 61 bytes (over 100)";
    // The last write filled the file that became .1; the one before is .2.
    EXPECT_EQ(test::readFile(dir / "s.jsonl"), "");
    EXPECT_EQ(test::readFile(dir / "s.1.jsonl"), std::string(60, 'i') + "\n" + std::string(60, 'j') + "\n");
    EXPECT_EQ(test::readFile(dir / "s.2.jsonl").substr(0, 1), "g");
}

TEST(RotatingFile, AnExistingFileIsMovedAsideNotOverwritten) {
    const fs::path dir = testDir("aside");
    std::ofstream(dir / "r.txt", std::ios::binary) << "earlier run\n";   // binary: no CRLF on Windows
    RotatingFile file(dir / "r.txt", RotationPolicy{}, false);
    ASSERT_FALSE(file.open());
    ASSERT_FALSE(file.write("new\n"));
    file.close();
    EXPECT_EQ(test::readFile(dir / "r.1.txt"), "earlier run\n");
    EXPECT_EQ(test::readFile(dir / "r.txt"), "new\n");
}

// keep 1 used to rotate an earlier run's file to .1 and delete it at once: a previous
// recording is never deleted at start; later rotations prune as `keep` says.
/// The previous run's file is never deleted at the start, whatever `keep` says (it becomes .1),
/// and restarts do not pile files up: older numbered files count against `keep`.
TEST(RotatingFile, APreviousRunsFileIsKeptAtStartAndRestartsStayWithinKeep) {
    const fs::path dir = testDir("aside-keep");
    std::ofstream(dir / "k.txt", std::ios::binary) << "run 2\n";
    std::ofstream(dir / "k.1.txt", std::ios::binary) << "run 1\n";
    RotatingFile file(dir / "k.txt", RotationPolicy{10, 0ms, 1}, false);
    ASSERT_FALSE(file.open());
    ASSERT_FALSE(file.write("new\n"));
    EXPECT_EQ(test::readFile(dir / "k.1.txt"), "run 2\n") << "the previous run's file";
    EXPECT_FALSE(fs::exists(dir / "k.2.txt")) << "keep 1: the run before that is past keep";
    ASSERT_FALSE(file.write("more than ten bytes\n"));
    ASSERT_TRUE(file.due(std::chrono::steady_clock::now()));
    ASSERT_FALSE(file.rotate());   // in the run, keep 1 keeps only the file being written
    ASSERT_FALSE(file.write("last\n"));
    file.close();
    EXPECT_EQ(test::readFile(dir / "k.txt"), "last\n");
    EXPECT_EQ(test::readFile(dir / "k.1.txt"), "run 2\n") << "the previous run's file was left alone";

    // Ten restarts with keep 3: the current file and two numbered ones, the newest runs.
    for (int run = 0; run < 10; ++run) {
        RotatingFile again(dir / "r.txt", RotationPolicy{0, 0ms, 3}, false);
        ASSERT_FALSE(again.open());
        ASSERT_FALSE(again.write("run " + std::to_string(run) + "\n"));
        again.close();
    }
    EXPECT_EQ(test::readFile(dir / "r.txt"), "run 9\n");
    EXPECT_EQ(test::readFile(dir / "r.1.txt"), "run 8\n");
    EXPECT_EQ(test::readFile(dir / "r.2.txt"), "run 7\n");
    EXPECT_FALSE(fs::exists(dir / "r.3.txt"));
}

// Tester item: numbered files an earlier run with a larger keep left stayed, and the newest of them
// was deleted instead (keep 1 left FILE, .1, .2 and .3; keep 3 deleted .2 and kept .3).
TEST(RotatingFile, FilesPastKeepThatAnEarlierRunLeftGoAtTheStart) {
    for (const std::uint32_t keep : {1u, 2u, 3u, 4u}) {
        SCOPED_TRACE("keep " + std::to_string(keep));
        const fs::path dir = testDir("past-keep-" + std::to_string(keep));
        std::ofstream(dir / "r.txt", std::ios::binary) << "old\n";
        for (int n = 1; n <= 5; ++n)
            std::ofstream(dir / ("r." + std::to_string(n) + ".txt"), std::ios::binary) << "old." << n << "\n";
        RotatingFile file(dir / "r.txt", RotationPolicy{0, 0ms, keep}, false);
        ASSERT_FALSE(file.open());
        ASSERT_FALSE(file.write("new\n"));
        file.close();
        EXPECT_EQ(test::readFile(dir / "r.txt"), "new\n");
        EXPECT_EQ(test::readFile(dir / "r.1.txt"), "old\n") << "the previous run's file";
        const std::uint32_t most = std::max(keep, 2u) - 1;   // numbered files kept at a start
        for (std::uint32_t n = 2; n <= most; ++n)
            EXPECT_EQ(test::readFile(dir / ("r." + std::to_string(n) + ".txt")), "old." + std::to_string(n - 1) + "\n") << n;
        for (std::uint32_t n = most + 1; n <= 6; ++n)
            EXPECT_FALSE(fs::exists(dir / ("r." + std::to_string(n) + ".txt"))) << n;
    }
}

TEST(RotatingFile, ErrorsAreInPlainWords) {
    const auto full = describeFileError(std::make_error_code(std::errc::no_space_on_device), "/x/s.pcapng", FileOp::Write);
    EXPECT_EQ(full.code, "ENOSPC");
    EXPECT_EQ(full.message, "cannot write /x/s.pcapng: the disk is full");
    const auto gone = describeFileError(std::make_error_code(std::errc::no_such_file_or_directory), "/x/s.pcapng", FileOp::Open);
    EXPECT_NE(gone.message.find("the directory /x does not exist and could not be created"), std::string::npos)
        << gone.message;   // a first open: the recorder tried to make it
    const auto vanished = describeFileError(std::make_error_code(std::errc::no_such_file_or_directory), "/x/s.pcapng", FileOp::NewFile);
    EXPECT_NE(vanished.message.find("the directory /x does not exist"), std::string::npos) << vanished.message;
    EXPECT_EQ(vanished.message.find("created"), std::string::npos) << vanished.message;
    // ENOENT in a directory that exists (creating a file in /proc): the directory is not blamed.
    const fs::path here = testDir("enoent");
    const auto refused = describeFileError(std::make_error_code(std::errc::no_such_file_or_directory),
                                           (here / "s.jsonl").string(), FileOp::Open);
    EXPECT_EQ(refused.message.find("does not exist"), std::string::npos) << refused.message;
    EXPECT_NE(refused.message.find("no file can be created in that directory"), std::string::npos) << refused.message;
}

TEST(Recording, ProfileScopeParses) {
    std::string error;
    EXPECT_TRUE(parseRecordScope("all", error)->endpoint.empty());
    EXPECT_EQ(parseRecordScope("srv", error)->endpoint, "srv");
    const auto conn = parseRecordScope("srv/12", error);
    EXPECT_EQ(conn->endpoint, "srv");
    EXPECT_EQ(conn->connection, 12u);
    EXPECT_EQ(parseRecordScope("a/b", error)->endpoint, "a/b");
    EXPECT_FALSE(parseRecordScope("", error));
    EXPECT_EQ(recordFormatFromPath("logs/x.PCAPNG"), RecordFormat::Pcapng);
    EXPECT_EQ(recordFormatFromPath("x.jsonl"), RecordFormat::Jsonl);
    EXPECT_EQ(recordFormatFromPath("x.txt"), RecordFormat::Text);
    EXPECT_FALSE(recordFormatFromPath("x.bin"));
    EXPECT_FALSE(recordFormatFromPath("dir.pcapng/x"));
}

#if !defined(_WIN32)

/// A TCP exchange recorded to pcapng reads back in tshark: both directions byte for byte (one
/// message bigger than a segment), the handshake, the close, no malformed packet or error.
void tcpRoundTrip(bool v6) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed (Debian package tshark; scripts/dev.sh deps)";
    const fs::path dir = testDir(v6 ? "tshark6" : "tshark4");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "s.pcapng", RecordFormat::Pcapng)});
    EndpointConfig server;
    server.bind = v6 ? "[::1]:0" : "127.0.0.1:0";
    const auto port = h.startServer(1, server);
    ASSERT_NE(port, 0);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port, v6));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    const std::string up = pattern(200000, 1), down = pattern(70000, 2) + "tail";
    ASSERT_TRUE(peer.sendAll(up));
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1).size() == up.size(); }, 10s));
    h.engine.submit(Send{1, opened->connection, Bytes(down.begin(), down.end()), {}});
    EXPECT_EQ(peer.receive(down.size(), 10000), down);
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    h.engine.submit(CloseConnection{1, opened->connection, CloseMode::Graceful});
    ASSERT_TRUE(h.waitFor<ConnectionClosed>());
    const auto final_status = stopRecording(h, 1);
    ASSERT_TRUE(final_status);
    EXPECT_EQ(final_status->state, RecordingState::Stopped);
    EXPECT_EQ(final_status->dropped, 0u);

    const std::string file = (dir / "s.pcapng").string();
    const auto [from_peer, from_server] = test::tsharkFollow(file);
    EXPECT_EQ(from_peer.size(), up.size());
    EXPECT_TRUE(from_peer == up) << "the peer's bytes as tshark reassembles them";
    EXPECT_TRUE(from_server == down) << "the server's bytes";
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y '_ws.malformed || _ws.expert.severity >= error'"), "");
    const std::string syn = test::runCommand("tshark -r '" + file + "' -Y 'tcp.flags.syn==1' -T fields -e tcp.srcport");
    EXPECT_EQ(syn, std::to_string(peer.localPort()) + "\n" + std::to_string(port) + "\n") << "SYN, SYN-ACK";
    EXPECT_NE(test::runCommand("tshark -r '" + file + "' -Y 'tcp.flags.fin==1'"), "") << "the close as a FIN";
    const std::string comments = test::runCommand("tshark -r '" + file + "' -T fields -e frame.comment");
    EXPECT_NE(comments.find("server #" + std::to_string(opened->connection) + " rx"), std::string::npos);
}

TEST(RecordingTshark, TcpIpv4RoundTrip) { tcpRoundTrip(false); }
TEST(RecordingTshark, TcpIpv6RoundTrip) { tcpRoundTrip(true); }

TEST(RecordingTshark, UdpDatagramsReadBackWithTheirPorts) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    const fs::path dir = testDir("tshark-udp");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "u.pcapng", RecordFormat::Pcapng)});
    EndpointConfig udp;
    udp.type = EndpointType::Udp;
    udp.name = "u";
    udp.bind = "127.0.0.1:0";
    udp.echo = true;
    h.engine.submit(AddEndpoint{1, udp});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    const auto port = static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)));
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    ASSERT_TRUE(peer.sendTo("first", port));
    EXPECT_EQ(peer.receiveDatagram(), "first");
    ASSERT_TRUE(peer.sendTo("second datagram", port));
    EXPECT_EQ(peer.receiveDatagram(), "second datagram");
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<DataEvent>() == 4; }));
    ASSERT_TRUE(stopRecording(h, 1));
    const std::string file = (dir / "u.pcapng").string();
    const std::string text =
        test::runCommand("tshark -r '" + file + "' -T fields -E separator=, -e udp.srcport -e udp.dstport -e data.data");
    std::multiset<std::string> rows;
    for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
        rows.insert(text.substr(at, end - at));
    const std::string p = std::to_string(peer.localPort()), e = std::to_string(port);
    // The order of an echo's tx and the next rx is the engine's; the set is what matters.
    const std::multiset<std::string> expected{p + "," + e + ",6669727374", e + "," + p + ",6669727374",
                                              p + "," + e + ",7365636f6e6420646174616772616d",
                                              e + "," + p + ",7365636f6e6420646174616772616d"};
    EXPECT_EQ(rows, expected);
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y '_ws.malformed || _ws.expert.severity >= error'"), "");
}

/// A UDP endpoint bound to 0.0.0.0 or [::] is recorded with the address each datagram was sent
/// to and its answers left from (127.0.0.1), never the wildcard; an IPv4 peer of a dual-stack
/// socket is IPv4 on both sides.
void wildcardUdpRecording(const std::string& bind) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
#if !defined(__linux__)
    GTEST_SKIP() << "the destination address of a datagram is read on Linux only (IP_PKTINFO)";
#endif
    const fs::path dir = testDir(std::string("tshark-udp-any") + (bind[0] == '[' ? "6" : "4"));
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "u.pcapng", RecordFormat::Pcapng)});
    EndpointConfig udp;
    udp.type = EndpointType::Udp;
    udp.name = "u";
    udp.bind = bind;
    udp.echo = true;
    h.engine.submit(AddEndpoint{1, udp});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    const auto port = static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)));
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    ASSERT_TRUE(peer.sendTo("ping", port));
    EXPECT_EQ(peer.receiveDatagram(), "ping");
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<DataEvent>() == 2; }));
    ASSERT_TRUE(stopRecording(h, 1));
    const std::string file = (dir / "u.pcapng").string();
    const std::string p = std::to_string(peer.localPort()), e = std::to_string(port);
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -T fields -E separator=, -e ip.src -e udp.srcport -e ip.dst "
                               "-e udp.dstport -e ipv6.src"),
              "127.0.0.1," + p + ",127.0.0.1," + e + ",\n127.0.0.1," + e + ",127.0.0.1," + p + ",\n");
}
TEST(RecordingTshark, AUdpEndpointOn0000IsRecordedWithTheRealAddresses) { wildcardUdpRecording("0.0.0.0:0"); }
TEST(RecordingTshark, AUdpEndpointOnIpv6AnyIsRecordedWithTheRealAddresses) {
    if (!test::ipv6LoopbackWorks()) GTEST_SKIP() << test::kNoIpv6Loopback;
    wildcardUdpRecording("[::]:0");
}

/// A framed endpoint's pcapng holds the bytes as they crossed the wire, not the frames: the
/// delimiters and the garbage a resync dropped are in the TCP stream, and a UDP datagram framed
/// into three messages is still one datagram.
TEST(RecordingTshark, AFramedEndpointIsRecordedAsTheBytesOnTheWire) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    const fs::path dir = testDir("tshark-framed");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "f.pcapng", RecordFormat::Pcapng)});
    EndpointConfig server;
    server.framing.type = FramingType::Delimiter;
    server.framing.delimiter = {'\r', '\n'};
    server.framing.max = 8;
    server.echo = true;
    const auto port = h.startServer(1, server);
    EndpointConfig udp;
    udp.type = EndpointType::Udp;
    udp.name = "u";
    udp.bind = "127.0.0.1:0";
    udp.framing = server.framing;
    h.engine.submit(AddEndpoint{2, udp});
    const auto bound = h.waitForState(2, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer, datagrams;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    const std::string up = "AB\r\nC", up2 = "DE\r\nTOO-LONG-GARBAGE\r\nFG\r\n";
    ASSERT_TRUE(peer.sendAll(up));
    EXPECT_EQ(peer.receive(up.size()), up);   // the echo: one read each, as it came
    ASSERT_TRUE(peer.sendAll(up2));
    EXPECT_EQ(peer.receive(up2.size()), up2);
    ASSERT_TRUE(datagrams.bindUdp());
    ASSERT_TRUE(datagrams.sendTo("a\r\nbb\r\nccc", static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)))));
    ASSERT_TRUE(h.pumpUntil([&] {   // the frames a, bb, ccc
        std::size_t messages = 0;
        for (const auto& e : h.events)
            if (const auto* d = std::get_if<DataEvent>(&e); d && d->endpoint == 2) messages += messageCount(*d);
        return messages == 3;
    }));
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    h.engine.submit(CloseConnection{1, opened->connection, CloseMode::Graceful});
    ASSERT_TRUE(h.waitFor<ConnectionClosed>());
    ASSERT_TRUE(stopRecording(h, 1));
    const std::string file = (dir / "f.pcapng").string();
    const auto [from_peer, from_server] = test::tsharkFollow(file);
    EXPECT_EQ(from_peer, up + up2) << "the delimiters and the dropped garbage are on the wire";
    EXPECT_EQ(from_server, up + up2);
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y udp -T fields -e data.data"), "610d0a62620d0a636363\n")
        << "one datagram, as it was sent";
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y '_ws.malformed || _ws.expert.severity >= error'"), "");
}

/// The GUI's File > Export to pcapng of a log fed `events` (as the front end feeds it), every row,
/// with the names and addresses the GUI's lookup gives (`lookup`). False when it did not finish.
bool exportLog(const std::vector<Event>& events, const fs::path& file, ExportLookup lookup) {
    PayloadLog log;
    for (const Event& e : events) recordEvent(log, e);
    ExportRows rows;
    rows.range = true;
    rows.from = log.firstSeq();
    rows.to = log.nextSeq();
    LogExportJob job(ExportRequest{file, ExportFormat::Pcapng, TextEncoding::Utf8, rows}, std::move(lookup));
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!job.finished() && std::chrono::steady_clock::now() < deadline) {
        job.step(log);
        if (job.done() == job.total()) job.wait();
    }
    EXPECT_EQ(job.state(), ExportSink::State::Done) << job.error();
    return job.state() == ExportSink::State::Done;
}

/// A log export of a UDP endpoint on a wildcard address has the addresses the live recording has:
/// the one each datagram was sent to and our answers left from (127.0.0.1), not the bound
/// wildcard the endpoint's row shows (before, the export wrote 0.0.0.0 / :: there).
void wildcardUdpExport(const std::string& bind) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
#if !defined(__linux__)
    GTEST_SKIP() << "the destination address of a datagram is read on Linux only (IP_PKTINFO)";
#endif
    const fs::path dir = testDir(std::string("export-udp-any") + (bind[0] == '[' ? "6" : "4"));
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "live.pcapng", RecordFormat::Pcapng)});
    EndpointConfig udp;
    udp.type = EndpointType::Udp;
    udp.name = "u";
    udp.bind = bind;
    udp.echo = true;
    h.engine.submit(AddEndpoint{1, udp});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    const auto port = static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)));
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    ASSERT_TRUE(peer.sendTo("ping", port));
    EXPECT_EQ(peer.receiveDatagram(), "ping");
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<DataEvent>() == 2; }));
    ASSERT_TRUE(stopRecording(h, 1));
    const fs::path exported = dir / "export.pcapng";
    ASSERT_TRUE(exportLog(h.events, exported, [&](EndpointId, ConnectionId) {
        return ExportNames{"u", EndpointType::Udp, bound->local, ""};   // the endpoint row: the bound address
    }));
    const std::string p = std::to_string(peer.localPort()), e = std::to_string(port);
    const std::string fields = "' -T fields -E separator=, -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e ipv6.src";
    const std::string expected = "127.0.0.1," + p + ",127.0.0.1," + e + ",\n127.0.0.1," + e + ",127.0.0.1," + p + ",\n";
    EXPECT_EQ(test::runCommand("tshark -r '" + (dir / "live.pcapng").string() + fields), expected) << "the recording";
    EXPECT_EQ(test::runCommand("tshark -r '" + exported.string() + fields), expected) << "the export, as the recording";
}
TEST(RecordingTshark, ALogExportOfAUdpEndpointOn0000HasTheRealAddressesAsTheRecording) { wildcardUdpExport("0.0.0.0:0"); }
TEST(RecordingTshark, ALogExportOfAUdpEndpointOnIpv6AnyHasTheRealAddressesAsTheRecording) {
    if (!test::ipv6LoopbackWorks()) GTEST_SKIP() << test::kNoIpv6Loopback;
    wildcardUdpExport("[::]:0");
}

/// A log export to pcapng of a delimiter-framed endpoint (keep false) holds the bytes that were on
/// the wire, as the live recording does: each message that had its delimiter stripped has it
/// again (a message cut across two reads too), the unterminated rest of the stream has none; a
/// framed datagram's messages are a packet each, their bytes the datagram's (before, the export's
/// TCP stream was the messages run together: "ABCDEF").
TEST(RecordingTshark, ALogExportOfADelimiterFramedEndpointHasTheBytesOnTheWire) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    const fs::path dir = testDir("export-framed");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "live.pcapng", RecordFormat::Pcapng)});
    EndpointConfig server;
    server.name = "srv";
    server.framing.type = FramingType::Delimiter;
    server.framing.delimiter = {'\r', '\n'};
    server.framing.keep = false;
    server.echo = true;
    const auto port = h.startServer(1, server);
    EndpointConfig udp;
    udp.type = EndpointType::Udp;
    udp.name = "u";
    udp.bind = "127.0.0.1:0";
    udp.framing = server.framing;
    h.engine.submit(AddEndpoint{2, udp});
    const auto bound = h.waitForState(2, EndpointState::Bound);
    ASSERT_TRUE(bound);
    SocketPeer peer, datagrams;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    const std::string up = "AB\r\nC", up2 = "D\r\nEF";   // AB, CD (across two reads), EF (no delimiter)
    ASSERT_TRUE(peer.sendAll(up));
    EXPECT_EQ(peer.receive(up.size()), up);
    ASSERT_TRUE(peer.sendAll(up2));
    EXPECT_EQ(peer.receive(up2.size()), up2);
    ASSERT_TRUE(datagrams.bindUdp());
    ASSERT_TRUE(datagrams.sendTo("a\r\nbb\r\nccc",
                                 static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)))));
    ASSERT_TRUE(h.pumpUntil([&] {   // the frames a, bb, ccc
        std::size_t messages = 0;
        for (const auto& e : h.events)
            if (const auto* d = std::get_if<DataEvent>(&e); d && d->endpoint == 2) messages += messageCount(*d);
        return messages == 3;
    }));
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    h.engine.submit(CloseConnection{1, opened->connection, CloseMode::Graceful});
    ASSERT_TRUE(h.waitFor<ConnectionClosed>());
    ASSERT_TRUE(stopRecording(h, 1));
    const fs::path exported = dir / "export.pcapng";
    ASSERT_TRUE(exportLog(h.events, exported, [&](EndpointId endpoint, ConnectionId) {
        return endpoint == 1 ? ExportNames{"srv", EndpointType::TcpServer, opened->local, opened->peer}
                             : ExportNames{"u", EndpointType::Udp, bound->local, ""};
    }));
    const std::string live = (dir / "live.pcapng").string();
    EXPECT_EQ(test::tsharkFollow(live), std::make_pair(up + up2, up + up2)) << "the recording";
    const auto [from_peer, from_server] = test::tsharkFollow(exported.string());
    EXPECT_EQ(from_peer, up + up2) << "the export: the wire's bytes, delimiters included";
    EXPECT_EQ(from_server, up + up2);
    EXPECT_EQ(test::runCommand("tshark -r '" + exported.string() + "' -Y udp -T fields -e data.data"),
              "610d0a\n62620d0a\n636363\n")
        << "a packet per message, each with the delimiter it had";
    EXPECT_EQ(test::runCommand("tshark -r '" + exported.string() + "' -Y '_ws.malformed || _ws.expert.severity >= error'"), "");
}

/// Our half-close is a FIN in the capture when it happens: the peer's later bytes follow it and
/// acknowledge it, and Wireshark's analysis finds nothing amiss.
TEST(RecordingTshark, OurHalfCloseIsAFinWhenItHappens) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    const fs::path dir = testDir("tshark-half");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "h.pcapng", RecordFormat::Pcapng)});
    const auto port = h.startServer(1, {});
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const auto opened = h.waitFor<ConnectionOpened>();
    ASSERT_TRUE(opened);
    ASSERT_TRUE(peer.sendAll("req1"));
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1).size() == 4; }));
    h.engine.submit(Send{1, opened->connection, bytesOf("resp1"), {}});
    h.engine.submit(CloseConnection{1, opened->connection, CloseMode::HalfClose});
    EXPECT_EQ(peer.receive(100), "resp1");
    EXPECT_TRUE(peer.eof()) << "the peer saw our FIN";
    ASSERT_TRUE(h.waitFor<LocalHalfClosed>());
    ASSERT_TRUE(peer.sendAll("late-data"));
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1).size() == 13; }));
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<ConnectionClosed>());
    ASSERT_TRUE(stopRecording(h, 1));
    const std::string file = (dir / "h.pcapng").string();
    const auto [from_peer, from_server] = test::tsharkFollow(file);
    EXPECT_EQ(from_peer, "req1late-data");
    EXPECT_EQ(from_server, "resp1");
    const std::string server_fin = test::runCommand("tshark -r '" + file + "' -Y 'tcp.flags.fin==1 && tcp.srcport==" +
                                                    std::to_string(port) + "' -T fields -e frame.number");
    const std::string late = test::runCommand("tshark -r '" + file + "' -Y 'tcp.len==9' -T fields -e frame.number");
    ASSERT_FALSE(server_fin.empty());
    ASSERT_FALSE(late.empty());
    EXPECT_LT(std::stoi(server_fin), std::stoi(late)) << "our FIN before the peer's later bytes";
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y 'tcp.analysis.flags || _ws.malformed'"), "");
}

/// Two endpoints of one profile connected to each other (the demo's device and gateway) are one
/// TCP stream in the capture, recorded once: Follow TCP Stream reads it whole and Wireshark's
/// analysis sees no retransmission.
TEST(RecordingTshark, TwoOfOurEndpointsConnectedToEachOtherAreOneStream) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    const fs::path dir = testDir("tshark-self");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "self.pcapng", RecordFormat::Pcapng)});
    EndpointConfig device;
    device.name = "device";
    device.echo = true;
    device.close_on_peer_fin = true;
    const auto port = h.startServer(1, device);
    EndpointConfig gateway;
    gateway.name = "gateway";
    gateway.type = EndpointType::TcpClient;
    gateway.remote = "127.0.0.1:" + std::to_string(port);
    h.engine.submit(AddEndpoint{2, gateway});
    const auto opened = h.waitFor<ConnectionOpened>([](const ConnectionOpened& o) { return o.endpoint == 2; });
    ASSERT_TRUE(opened);
    ASSERT_TRUE(h.waitFor<ConnectionOpened>([](const ConnectionOpened& o) { return o.endpoint == 1; }));
    const std::string hello = "hello device\r\n";
    h.engine.submit(Send{2, opened->connection, bytesOf(hello), {}});
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(2).size() == hello.size(); }));
    h.engine.submit(CloseConnection{2, opened->connection, CloseMode::Graceful});
    ASSERT_TRUE(h.pumpUntil([&] { return h.count<ConnectionClosed>() == 2; }));
    ASSERT_TRUE(stopRecording(h, 1));
    const std::string file = (dir / "self.pcapng").string();
    const auto [from_client, from_server] = test::tsharkFollow(file);
    EXPECT_EQ(from_client, hello);
    EXPECT_EQ(from_server, hello);
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y 'tcp.flags.syn==1 && tcp.flags.ack==0' -T fields -e frame.number")
                  .size(), 2u) << "one handshake";
    EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y 'tcp.analysis.flags || _ws.malformed'"), "");
}

/// Two of our endpoints connected to each other: when one side closes first (its FIN) and the other
/// only later (here: when its endpoint stops), both FINs are in the capture, whichever side the
/// recorder saw first and whichever closes first.
TEST(RecordingTshark, TwoOfOurEndpointsClosingOneAfterTheOtherGiveBothFins) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed";
    for (const bool client_first : {true, false}) {
        const fs::path dir = testDir(client_first ? "tshark-self-client-first" : "tshark-self-server-first");
        EngineHarness h;
        h.engine.submit(StartRecording{1, recording(dir / "self.pcapng", RecordFormat::Pcapng)});
        EndpointConfig device;
        device.name = "device";
        const auto port = h.startServer(1, device);
        EndpointConfig gateway;
        gateway.name = "gateway";
        gateway.type = EndpointType::TcpClient;
        gateway.remote = "127.0.0.1:" + std::to_string(port);
        h.engine.submit(AddEndpoint{2, gateway});
        const auto client = h.waitFor<ConnectionOpened>([](const ConnectionOpened& o) { return o.endpoint == 2; });
        const auto server = h.waitFor<ConnectionOpened>([](const ConnectionOpened& o) { return o.endpoint == 1; });
        ASSERT_TRUE(client && server);
        const std::string hello = "hello device\r\n";
        h.engine.submit(Send{2, client->connection, bytesOf(hello), {}});
        ASSERT_TRUE(h.pumpUntil([&] { return h.received(1).size() == hello.size(); }));
        const EndpointId first = client_first ? 2 : 1, second = client_first ? 1 : 2;
        const ConnectionId first_conn = client_first ? client->connection : server->connection;
        // The first sends its last words and closes at once: its close is often recorded before
        // the other side reads them; they must be in the capture once, before the FIN.
        const std::string bye = client_first ? "bye from the client\r\n" : "bye from the server\r\n";
        h.engine.submit(Send{first, first_conn, bytesOf(bye), {}});
        h.engine.submit(CloseConnection{first, first_conn, CloseMode::Graceful});
        ASSERT_TRUE(h.pumpUntil([&] { return h.count<PeerHalfClosed>([&](const PeerHalfClosed& p) { return p.endpoint == second; }) == 1; }));
        h.engine.submit(StopEndpoint{second});   // its FIN, later
        ASSERT_TRUE(h.pumpUntil([&] { return h.count<ConnectionClosed>() == 2; }));
        ASSERT_TRUE(stopRecording(h, 1));
        const std::string file = (dir / "self.pcapng").string();
        const auto [from_client, from_server] = test::tsharkFollow(file);
        EXPECT_EQ(from_client, client_first ? hello + bye : hello) << client_first;
        EXPECT_EQ(from_server, client_first ? "" : bye) << client_first;
        const std::string fins = test::runCommand("tshark -r '" + file + "' -Y 'tcp.flags.fin==1' -T fields -e tcp.srcport");
        EXPECT_EQ(std::count(fins.begin(), fins.end(), '\n'), 2) << "one FIN from each side, client first " << client_first << ":\n" << fins;
        EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -Y 'tcp.analysis.flags || _ws.malformed'"), "") << client_first;
        EXPECT_EQ(test::runCommand("tshark -r '" + file + "' -T fields -e frame.interface_id | sort -u | wc -l"), "1\n")
            << "the stream stays on one interface";
    }
}

/// The writer blocked on a FIFO nobody reads: with on_full "drop" the traffic goes on in full and
/// the records that do not fit are counted; reading the FIFO lets the recorder finish.
// A recording starts with what happened, not with the "stopped" the engine announces each new
// endpoint with; a later stop is recorded.
TEST(Recording, ARecordingDoesNotBeginWithTheNewEndpointsStoppedAnnouncement) {
    const fs::path dir = testDir("announce");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "a.txt", RecordFormat::Text)});
    const auto port = h.startServer(1, EndpointConfig{});
    ASSERT_NE(port, 0);
    h.engine.submit(StopEndpoint{1});
    ASSERT_TRUE(h.waitFor<EndpointStatus>([](const EndpointStatus& s) { return s.state == EndpointState::Stopped; }, 10s));
    ASSERT_TRUE(stopRecording(h, 1));
    const std::string text = test::readFile(dir / "a.txt");
    const auto listening = text.find("listening");
    const auto stopped = text.find("stopped");
    ASSERT_NE(listening, std::string::npos) << text;
    ASSERT_NE(stopped, std::string::npos) << "the real stop is recorded:\n" << text;
    EXPECT_LT(listening, stopped) << "the first status is the start, not the announcement:\n" << text;
}

#if defined(__linux__)
/// The names of this process's threads now (/proc/self/task/*/comm).
std::multiset<std::string> threadNames() {
    std::multiset<std::string> names;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/self/task", ec)) {
        std::string name = test::readFile(task.path() / "comm");
        while (!name.empty() && name.back() == '\n') name.pop_back();
        names.insert(name);
    }
    return names;
}

/// Waits (bounded) until a thread named `name` exists.
bool threadNamed(const std::string& name) {
    for (int i = 0; i < 500; ++i) {
        if (threadNames().count(name)) return true;
        std::this_thread::sleep_for(10ms);   // polling a condition another thread sets; bounded
    }
    return false;
}

// perf, top -H and the bench tell the I/O thread and a recorder's writer apart by name.
TEST(Recording, TheWriterAndTheIoThreadAreNamed) {
    const fs::path dir = testDir("names");
    EngineHarness h;
    EXPECT_TRUE(threadNamed(kIoThreadName));
    h.engine.submit(StartRecording{1, recording(dir / "a.pcapng", RecordFormat::Pcapng)});
    EXPECT_TRUE(threadNamed(kRecorderThreadName));
    ASSERT_TRUE(stopRecording(h, 1));
}
#endif

TEST(RecordingQueue, SlowWriterDropsAndCounts) {
    const fs::path dir = testDir("drop");
    const fs::path fifo = dir / "slow.jsonl";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    EngineHarness h;
    RecordingConfig config = recording(fifo, RecordFormat::Jsonl);
    config.on_full = RecordOnFull::Drop;
    config.queue_bytes = 256u << 10;
    h.engine.submit(StartRecording{1, config});
    EndpointConfig server;
    server.echo = true;
    const auto port = h.startServer(1, server);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const std::string data = pattern(4u << 20, 3);
    std::thread sender([&] { peer.sendAll(data); });
    const std::string echoed = peer.receive(data.size(), 20000);
    sender.join();
    EXPECT_EQ(echoed.size(), data.size()) << "a slow recorder in drop mode never slows the traffic";
    const auto dropping = h.waitFor<RecordingStatus>([](const RecordingStatus& s) { return s.dropped > 0; }, 10s);
    ASSERT_TRUE(dropping);
    EXPECT_EQ(dropping->on_full, RecordOnFull::Drop);
    // Let the writer drain into our reader, then stop.
    h.engine.submit(StopRecording{1});
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    bool stopped = false;
    bool eof = false;
    while (!(stopped && eof) && std::chrono::steady_clock::now() < deadline) {
        char buffer[65536];
        const auto n = ::read(reader, buffer, sizeof buffer);
        if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
        eof = n == 0;   // the writer closed its end (after the last record)
        h.pump();
        stopped = h.count<RecordingStatus>([](const RecordingStatus& s) { return s.state == RecordingState::Stopped; }) > 0;
        if (n <= 0) h.engine.waitForEvents(5ms);
    }
    ::close(reader);
    EXPECT_TRUE(stopped);
    // Whatever was written is whole lines.
    std::size_t lines = 0;
    for (std::size_t at = 0, end; (end = got.find('\n', at)) != std::string::npos; at = end + 1, ++lines)
        EXPECT_TRUE(nlohmann::json::accept(got.substr(at, end - at)));
    EXPECT_GT(lines, 0u);
}

/// Reads a FIFO (opened non-blocking) to its end, then closes it: a writer given up while stuck
/// finishes its write and closes first (closing our end first would fail its write with EPIPE).
/// Bounded to 10 s.
void drainAndClose(int reader) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (char buffer[65536]; std::chrono::steady_clock::now() < deadline;) {
        const auto n = ::read(reader, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) std::this_thread::sleep_for(2ms);
    }
    ::close(reader);
}

/// A batch of datagrams (or of frames) is one record in the queue but several messages: the
/// counts say messages, as the log's rows and the JSON lines do.
TEST(RecordingQueue, RecordsAndDropsCountMessagesNotBatches) {
    const fs::path dir = testDir("count-messages");
    auto batch = [](std::uint32_t datagrams) {
        auto record = std::make_shared<TapRecord>();
        record->endpoint = "u";
        record->type = EndpointType::Udp;
        DataEvent d{1, 0, Direction::Rx, 1, "127.0.0.1:9", SharedBytes::copyOf(std::string(datagrams * 2, 'x'))};
        for (std::uint32_t i = 0; i < datagrams; ++i) d.frames.push_back({i * 2, 2});
        record->event = std::move(d);
        return QueuedRecord{record};
    };
    Recorder recorder(1, recording(dir / "c.jsonl", RecordFormat::Jsonl), [] {});
    for (int i = 0; i < 10; ++i) ASSERT_NE(recorder.offer(batch(30), 60, true, false), OfferResult::Dropped);
    ASSERT_TRUE(recorder.stop(10s));
    EXPECT_EQ(recorder.status().records, 300u);
    std::size_t lines = 0;
    for (const char c : test::readFile(dir / "c.jsonl")) lines += c == '\n';
    EXPECT_EQ(lines, 300u) << "one line per datagram, as counted";
}

#if !defined(_WIN32)
/// A write that never returns (a FIFO nobody reads) does not let the recorder end as if all were
/// well: after the grace, it is failed with a reason and what was still queued counts as dropped.
TEST(RecordingQueue, AWriterStuckAtTheStopIsSaidAndItsQueueCounted) {
    const fs::path dir = testDir("stuck");
    const fs::path fifo = dir / "stuck.jsonl";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);   // open, never read
    ASSERT_GE(reader, 0);
    std::signal(SIGPIPE, SIG_IGN);   // a write into the FIFO after we close it fails, it does not kill us
    RecordingConfig config = recording(fifo, RecordFormat::Jsonl);
    config.on_full = RecordOnFull::Drop;
    auto record = std::make_shared<TapRecord>();
    record->endpoint = "u";
    record->type = EndpointType::Udp;
    record->event = DataEvent{1, 0, Direction::Rx, 1, "127.0.0.1:9", SharedBytes::copyOf(std::string(4000, 'x'))};
    {
        Recorder recorder(1, config, [] {});
        // Far more than the pipe holds (64 KiB): the writer blocks in a write, the rest queues.
        std::size_t offered = 0;
        for (int i = 0; i < 200; ++i) offered += recorder.offer(QueuedRecord{record}, 4000, true, false) != OfferResult::Dropped;
        ASSERT_GT(offered, 40u);
        EXPECT_FALSE(recorder.stop(200ms)) << "still stuck in its write";
        const RecordingStatus status = recorder.status();
        EXPECT_EQ(status.state, RecordingState::Failed);
        ASSERT_TRUE(status.error);
        EXPECT_EQ(status.error->code, "ETIMEDOUT");
        EXPECT_NE(status.error->message.find("did not return within "), std::string::npos) << status.error->message;
        EXPECT_GT(status.dropped, 0u) << "the queue is counted as not written";
    }
    drainAndClose(reader);
}
#endif

/// A user's Stop of a recording whose writer is stuck (a FIFO nobody reads) ends it failed after
/// the grace, with the reason: it does not stay "running" for ever.
TEST(RecordingQueue, AStopOfAStuckRecordingEndsItFailedAfterTheGrace) {
    const fs::path dir = testDir("stuck-stop");
    const fs::path fifo = dir / "stuck.jsonl";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);   // open, never read (until the end)
    ASSERT_GE(reader, 0);
    std::signal(SIGPIPE, SIG_IGN);
    EngineHarness h;
    RecordingConfig config = recording(fifo, RecordFormat::Jsonl);
    config.on_full = RecordOnFull::Drop;
    h.engine.submit(StartRecording{1, config});
    EndpointConfig server;
    server.echo = true;
    const auto port = h.startServer(1, server);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const std::string data = pattern(1u << 20, 5);   // its JSON lines are far more than the pipe holds
    std::thread sender([&] { peer.sendAll(data); });
    EXPECT_EQ(peer.receive(data.size(), 20000).size(), data.size());
    sender.join();
    h.engine.submit(StopRecording{1});
    const auto failed = h.waitFor<RecordingStatus>(
        [](const RecordingStatus& s) { return s.recording == 1 && s.state == RecordingState::Failed; }, 15s);
    ASSERT_TRUE(failed) << "not left running";
    ASSERT_TRUE(failed->error);
    EXPECT_EQ(failed->error->code, "ETIMEDOUT");
    EXPECT_NE(failed->error->message.find("did not return within 2."), std::string::npos) << failed->error->message;
    drainAndClose(reader);
}

/// The writer blocked on a FIFO with on_full "pause": TCP reads stop (the peer's sends block)
/// instead of the queue growing; reading the FIFO resumes them and nothing is lost.
TEST(RecordingQueue, SlowWriterPausesTcpAndLosesNothing) {
    const fs::path dir = testDir("pause");
    const fs::path fifo = dir / "slow.txt";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    EngineHarness h;
    RecordingConfig config = recording(fifo, RecordFormat::Raw);   // the bytes, to compare
    config.queue_bytes = 256u << 10;
    h.engine.submit(StartRecording{1, config});
    const auto port = h.startServer(1);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const std::string data = pattern(16u << 20, 4);
    std::atomic<bool> sent{false};
    std::thread sender([&] {
        peer.sendAll(data);
        sent = true;
    });
    // Paused: the engine stops well short of the whole, and the recorder says it paused.
    ASSERT_TRUE(h.waitFor<RecordingStatus>([](const RecordingStatus& s) { return s.pauses > 0; }, 10s));
    ASSERT_TRUE(h.sync(1));
    const std::size_t while_paused = h.received(1).size();
    EXPECT_LT(while_paused, data.size());
    EXPECT_FALSE(sent.load());
    // Read the FIFO: the recorder catches up and the reads resume.
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (got.size() < data.size() && std::chrono::steady_clock::now() < deadline) {
        char buffer[65536];
        const auto n = ::read(reader, buffer, sizeof buffer);
        if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
        else std::this_thread::sleep_for(1ms);
        h.pump();
    }
    sender.join();
    ::close(reader);
    EXPECT_EQ(got.size(), data.size());
    EXPECT_TRUE(got == data) << "every byte recorded, in order";
    EXPECT_TRUE(h.pumpUntil([&] { return h.received(1).size() == data.size(); }, 10s));
}

/// /dev/full fails every write with ENOSPC: the recorder says "the disk is full", the engine goes on.
TEST(RecordingErrors, FullDiskIsAPlainWordsErrorAndTheEngineGoesOn) {
    if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
    // Through a link in our own directory: the recorder never gets the device's own name.
    const fs::path dir = testDir("full");
    fs::create_symlink("/dev/full", dir / "full.jsonl");
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "full.jsonl", RecordFormat::Jsonl)});
    EndpointConfig server;
    server.echo = true;
    const auto port = h.startServer(1, server);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(peer.sendAll("ping"));
    EXPECT_EQ(peer.receive(4), "ping");
    const auto failed = h.waitFor<RecordingStatus>(
        [](const RecordingStatus& s) { return s.state == RecordingState::Failed; }, 10s);
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    EXPECT_EQ(failed->error->code, "ENOSPC");
    EXPECT_NE(failed->error->message.find("the disk is full"), std::string::npos) << failed->error->message;
    ASSERT_TRUE(peer.sendAll("still here"));
    EXPECT_EQ(peer.receive(10), "still here") << "the traffic goes on";
}

TEST(RecordingErrors, UnwritableDirectoryIsAPlainWordsError) {
    const fs::path dir = testDir("notdir");
    std::ofstream(dir / "file") << "x";
    EngineHarness h;
    h.engine.submit(StartRecording{1, recording(dir / "file" / "s.pcapng", RecordFormat::Pcapng)});
    const auto failed = h.waitFor<RecordingStatus>(
        [](const RecordingStatus& s) { return s.state == RecordingState::Failed; }, 10s);
    ASSERT_TRUE(failed);
    ASSERT_TRUE(failed->error);
    EXPECT_NE(failed->error->message.find("cannot open"), std::string::npos) << failed->error->message;
    EXPECT_TRUE(failed->state_changed);
    EXPECT_GT(h.startServer(1), 0) << "the engine works on";
}

/// A directory removed while recording: the next file cannot be made; the files so far stay readable.
TEST(RecordingErrors, VanishedDirectoryStopsTheRecorderWithWords) {
    const fs::path dir = testDir("vanish") / "logs";
    EngineHarness h;
    RecordingConfig config = recording(dir / "v.jsonl", RecordFormat::Jsonl);
    config.rotate_mb = 0.0005;   // 500 bytes: every few lines a new file
    config.keep = 0;
    h.engine.submit(StartRecording{1, config});
    EndpointConfig server;
    server.echo = true;
    const auto port = h.startServer(1, server);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    ASSERT_TRUE(h.waitFor<RecordingStatus>([](const RecordingStatus& s) { return s.files >= 1; }));
    fs::remove_all(dir);
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(peer.sendAll(pattern(200, i)));
        EXPECT_EQ(peer.receive(200).size(), 200u);
    }
    const auto failed = h.waitFor<RecordingStatus>(
        [](const RecordingStatus& s) { return s.state == RecordingState::Failed; }, 10s);
    ASSERT_TRUE(failed);
    EXPECT_NE(failed->error->message.find("does not exist"), std::string::npos) << failed->error->message;
}

/// Without rotation too: a recording whose directory or file is deleted stops with words, not
/// by writing on into a file nobody can see (POSIX; Windows does not delete open files).
TEST(RecordingErrors, ADeletedFileOrDirectoryStopsTheRecorderWithoutRotation) {
    for (const bool whole_directory : {true, false}) {
        const fs::path dir = testDir(whole_directory ? "deleted-dir" : "deleted-file") / "logs";
        EngineHarness h;
        h.engine.submit(StartRecording{1, recording(dir / "d.pcapng", RecordFormat::Pcapng)});
        EndpointConfig server;
        server.echo = true;
        const auto port = h.startServer(1, server);
        SocketPeer peer;
        ASSERT_TRUE(peer.connectTcp(port));
        ASSERT_TRUE(peer.sendAll("before"));
        EXPECT_EQ(peer.receive(6), "before");
        ASSERT_TRUE(h.pumpUntil([&] { return fs::exists(dir / "d.pcapng") && fs::file_size(dir / "d.pcapng") > 0; }));
        if (whole_directory) fs::remove_all(dir);
        else fs::remove(dir / "d.pcapng");
        ASSERT_TRUE(peer.sendAll("after"));
        EXPECT_EQ(peer.receive(5), "after") << "the traffic goes on";
        const auto failed = h.waitFor<RecordingStatus>(
            [](const RecordingStatus& s) { return s.state == RecordingState::Failed; }, 10s);
        ASSERT_TRUE(failed) << whole_directory;
        EXPECT_EQ(failed->error->code, "ENOENT");
        EXPECT_NE(failed->error->message.find(whole_directory ? "does not exist" : "was deleted"),
                  std::string::npos) << failed->error->message;
    }
}

/// Rotation through the engine: size-limited files, N kept, each a complete pcapng.
TEST(RecordingRotation, PcapngFilesRotateAndEachIsComplete) {
    const fs::path dir = testDir("rot-pcap");
    EngineHarness h;
    RecordingConfig config = recording(dir / "r.pcapng", RecordFormat::Pcapng);
    config.rotate_mb = 0.05;   // 50 kB
    config.keep = 3;
    h.engine.submit(StartRecording{1, config});
    EndpointConfig server;
    server.echo = true;
    const auto port = h.startServer(1, server);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(peer.sendAll(pattern(10000, i)));
        EXPECT_EQ(peer.receive(10000).size(), 10000u);
    }
    const auto final_status = stopRecording(h, 1);
    ASSERT_TRUE(final_status);
    EXPECT_GE(final_status->files, 5u);
    EXPECT_TRUE(fs::exists(dir / "r.pcapng"));
    EXPECT_TRUE(fs::exists(dir / "r.1.pcapng"));
    EXPECT_TRUE(fs::exists(dir / "r.2.pcapng"));
    EXPECT_FALSE(fs::exists(dir / "r.3.pcapng"));
    for (const char* name : {"r.pcapng", "r.1.pcapng", "r.2.pcapng"}) {
        const auto capture = test::parsePcapng(test::readFile(dir / name));
        EXPECT_TRUE(capture.complete) << name;
        ASSERT_FALSE(capture.block_types.empty());
        EXPECT_EQ(capture.block_types[0], 0x0A0D0D0Au) << name << " starts with its section header";
        EXPECT_EQ(capture.interface_names, std::vector<std::string>{"server"}) << name;
        EXPECT_LE(fs::file_size(dir / name), 50000u + 2 * 20000u) << name;
    }
}

/// Time rotation over a quiet spell: no file with nothing but its header (it would count against
/// `keep` and could push a file with data out).
TEST(RecordingRotation, AQuietIntervalLeavesNoEmptyFile) {
    const fs::path dir = testDir("rot-quiet");
    EngineHarness h;
    RecordingConfig config = recording(dir / "q.jsonl", RecordFormat::Jsonl);
    config.rotate_s = 0.05;
    config.keep = 0;   // all of them: every file the writer began is there to look at
    h.engine.submit(StartRecording{1, config});
    EndpointConfig udp;
    udp.type = EndpointType::Udp;
    udp.name = "u";
    udp.bind = "127.0.0.1:0";
    h.engine.submit(AddEndpoint{1, udp});
    const auto bound = h.waitForState(1, EndpointState::Bound);
    ASSERT_TRUE(bound);
    ASSERT_TRUE(h.settle(700ms, 1));   // quiet: many rotation periods, and the writer wakes every 250 ms
    SocketPeer peer;
    ASSERT_TRUE(peer.bindUdp());
    ASSERT_TRUE(peer.sendTo("late", static_cast<std::uint16_t>(std::stoi(bound->local.substr(bound->local.rfind(':') + 1)))));
    ASSERT_TRUE(h.waitFor<DataEvent>());
    const auto final_status = stopRecording(h, 1);
    ASSERT_TRUE(final_status);
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        ++files;
        EXPECT_GT(fs::file_size(entry.path()), 0u) << entry.path() << " was begun and left empty";
    }
    EXPECT_GE(files, 1u);
    EXPECT_LE(files, 3u) << "a new file only after records, not one per quiet period";
}

/// Receive to file: the raw received bytes appended; framed: each message after its length.
/// "framed": false keeps the bytes as they arrived even when the endpoint frames them.
TEST(ReceiveToFile, RawIsTheBytesAsReceivedWhateverTheFraming) {
    const fs::path dir = testDir("rtf-raw-framed");
    EngineHarness h;
    EndpointConfig server;
    server.framing.type = FramingType::Delimiter;
    server.framing.delimiter = {'\n'};
    server.framing.max = 4;
    server.receive_to_file = ReceiveToFileConfig{(dir / "rx.bin").string(), false};
    const auto port = h.startServer(1, server);
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(port));
    const std::string sent = "ab\nGARBAGEGARBAGE\ncd\npartial";
    ASSERT_TRUE(peer.sendAll(sent));
    peer.shutdownSend();
    ASSERT_TRUE(h.waitFor<PeerHalfClosed>());
    h.engine.submit(RemoveEndpoint{1});
    ASSERT_TRUE(h.waitFor<RecordingStatus>([](const RecordingStatus& s) {
        return s.recording == kReceiveToFileBase + 1 && s.state == RecordingState::Stopped; }, 10s));
    EXPECT_EQ(test::readFile(dir / "rx.bin"), sent);
}

TEST(ReceiveToFile, AppendsTheReceivedBytesRawOrFramed) {
    const fs::path dir = testDir("rtf");
    EngineHarness h;
    EndpointConfig server;
    server.receive_to_file = ReceiveToFileConfig{(dir / "rx.bin").string(), false};
    const auto port = h.startServer(1, server);
    EndpointConfig framed;
    framed.name = "framed";
    framed.framing.type = FramingType::Delimiter;
    framed.framing.delimiter = {'\n'};
    framed.framing.keep = true;
    framed.receive_to_file = ReceiveToFileConfig{(dir / "frames.bin").string(), true};
    const auto framed_port = h.startServer(2, framed);
    SocketPeer a, b;
    ASSERT_TRUE(a.connectTcp(port));
    ASSERT_TRUE(b.connectTcp(framed_port));
    const std::string data = pattern(300000, 5);
    ASSERT_TRUE(a.sendAll(data));
    ASSERT_TRUE(b.sendAll("one\ntwo\n"));
    ASSERT_TRUE(h.pumpUntil([&] { return h.received(1).size() == data.size() && h.received(2).size() >= 6; }));
    h.engine.submit(RemoveEndpoint{1});
    h.engine.submit(RemoveEndpoint{2});
    ASSERT_TRUE(h.waitFor<RecordingStatus>([](const RecordingStatus& s) {
        return s.recording == kReceiveToFileBase + 2 && s.state == RecordingState::Stopped; }, 10s));
    ASSERT_TRUE(h.waitFor<RecordingStatus>([](const RecordingStatus& s) {
        return s.recording == kReceiveToFileBase + 1 && s.state == RecordingState::Stopped; }, 10s));
    EXPECT_TRUE(test::readFile(dir / "rx.bin") == data);
    const std::string frames = test::readFile(dir / "frames.bin");
    EXPECT_EQ(frames, std::string("\0\0\0\x04one\n\0\0\0\x04two\n", 16));
}

#endif  // !_WIN32

}  // namespace
}  // namespace sockscope
