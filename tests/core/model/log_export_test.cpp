// Export of log rows: CSV quoting (RFC 4180), the JSON-lines schema, the text blocks, pcapng read
// back by tshark, the atomic write (no half file under the final name) and the failures in words.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/model/log_export.hpp"
#include "core/model/log_recorder.hpp"
#include "support/pcapng_reader.hpp"
#include "support/sanitizers.hpp"
#include "support/temp_files.hpp"

#if !defined(_WIN32)
#include <unistd.h>
#endif

namespace sockscope {
namespace {

namespace fs = std::filesystem;

fs::path testDir(const std::string& name) { return test::freshDir("export", name); }

/// This thread's CPU time (a loaded machine's preemption is not the step's cost); wall time on
/// Windows, with a wider bound there.
double threadCpuUs() {
#if defined(_WIN32)
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
#else
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
#endif
}
#if defined(_WIN32)
constexpr double kStepLimitUs = 500'000;
#else
constexpr double kStepLimitUs = test::kUnderSanitizer ? 2'000'000 : 50'000;   // sanitizers: 10-40x slower
#endif

std::span<const std::uint8_t> bytesOf(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

ExportLookup lookup() {
    return [](EndpointId endpoint, ConnectionId) {
        ExportNames n;
        n.endpoint = endpoint == 1 ? "srv, \"main\"" : "udp";
        n.type = endpoint == 1 ? EndpointType::TcpServer : EndpointType::Udp;
        n.local = endpoint == 1 ? "127.0.0.1:502" : "127.0.0.1:9000";
        n.peer = "127.0.0.1:40000";
        return n;
    };
}

ExportRows allRows(const PayloadLog& log) {
    ExportRows rows;
    rows.range = true;
    rows.from = log.firstSeq();
    rows.to = log.nextSeq();
    return rows;
}

/// Runs an export to the end (bounded) and returns the job.
std::unique_ptr<LogExportJob> runExport(const PayloadLog& log, const fs::path& path, ExportFormat format,
                                        ExportRows rows, TextEncoding encoding = TextEncoding::Utf8) {
    auto job = std::make_unique<LogExportJob>(ExportRequest{path, format, encoding, std::move(rows)}, lookup());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!job->finished() && std::chrono::steady_clock::now() < deadline) {
        job->step(log);
        if (job->done() == job->total()) job->wait();
    }
    EXPECT_TRUE(job->finished());
    return job;
}

TEST(LogExport, CsvFieldQuoting) {
    std::string out;
    appendCsvField(out, "plain");
    out += '|';
    appendCsvField(out, "a,b");
    out += '|';
    appendCsvField(out, "say \"hi\"");
    out += '|';
    appendCsvField(out, "two\r\nlines");
    EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\r\nlines\"");
}

TEST(LogExport, CsvRowsHaveEveryColumnQuotedByRfc4180) {
    PayloadLog log;
    log.append(1'764'490'000'123'456, 1, 3, LogKind::Rx, bytesOf("a,\"b\"\r\n"));
    log.appendText(1'764'490'000'200'000, 1, 3, LogKind::Info, "peer sent FIN");
    const std::string gbk = "\xc4\xe3\xba\xc3";   // 你好 in GBK
    log.append(1'764'490'000'300'000, 2, 0, LogKind::Tx, bytesOf(gbk), "127.0.0.1:9001");
    const fs::path file = testDir("csv") / "out.csv";
    const auto job = runExport(log, file, ExportFormat::Csv, allRows(log), TextEncoding::Gbk);
    EXPECT_EQ(job->state(), ExportSink::State::Done) << job->error();
    EXPECT_EQ(job->exported(), 3u);
    const std::string csv = test::readFile(file);
    EXPECT_EQ(csv,
              "time,endpoint,connection,direction,peer,length,hex,text\r\n"
              "2025-11-30T08:06:40.123456Z,\"srv, \"\"main\"\"\",3,rx,127.0.0.1:40000,7,61 2C 22 62 22 0D 0A,\"a,\"\"b\"\"\\r\\n\"\r\n"
              "2025-11-30T08:06:40.200000Z,\"srv, \"\"main\"\"\",3,info,127.0.0.1:40000,,,peer sent FIN\r\n"
              "2025-11-30T08:06:40.300000Z,udp,,tx,127.0.0.1:9001,4,C4 E3 BA C3,\xe4\xbd\xa0\xe5\xa5\xbd\r\n");
}

TEST(LogExport, JsonLinesFollowTheHeadlessSchema) {
    PayloadLog log;
    log.append(1'764'490'000'000'001, 1, 7, LogKind::Rx, bytesOf("hi\n"));
    log.appendText(1'764'490'000'000'002, 1, 7, LogKind::Error, "connection reset by peer");
    const fs::path file = testDir("jsonl") / "out.jsonl";
    const auto job = runExport(log, file, ExportFormat::Jsonl, allRows(log));
    ASSERT_EQ(job->state(), ExportSink::State::Done) << job->error();
    std::istringstream in(test::readFile(file));
    std::string line;
    ASSERT_TRUE(std::getline(in, line));
    const auto rx = nlohmann::json::parse(line);
    EXPECT_EQ(rx["time"], "2025-11-30T08:06:40.000001Z");
    EXPECT_EQ(rx["endpoint"], "srv, \"main\"");
    EXPECT_EQ(rx["event"], "rx");
    EXPECT_EQ(rx["conn"], 7);
    EXPECT_EQ(rx["len"], 3);
    EXPECT_EQ(rx["hex"], "68690a");
    EXPECT_EQ(rx["text"], "hi\\n");
    ASSERT_TRUE(std::getline(in, line));
    const auto err = nlohmann::json::parse(line);
    EXPECT_EQ(err["event"], "error");
    EXPECT_EQ(err["conn"], 7);
    EXPECT_EQ(err["message"], "connection reset by peer");
    EXPECT_FALSE(std::getline(in, line));
}

TEST(LogExport, AnExportThroughASymbolicLinkReplacesWhatItPointsToAndKeepsTheLink) {
    PayloadLog log;
    log.append(1'764'490'000'000'001, 1, 7, LogKind::Rx, bytesOf("hi\n"));
    const fs::path dir = testDir("link");
    std::ofstream(dir / "real.jsonl") << "old\n";
    std::error_code link_error;
    fs::create_symlink("real.jsonl", dir / "link.jsonl", link_error);
    if (link_error) GTEST_SKIP() << "no symbolic links here: " << link_error.message();   // Windows without the privilege
    const auto job = runExport(log, dir / "link.jsonl", ExportFormat::Jsonl, allRows(log));
    ASSERT_EQ(job->state(), ExportSink::State::Done) << job->error();
    EXPECT_TRUE(fs::is_symlink(dir / "link.jsonl"));
    EXPECT_NE(test::readFile(dir / "real.jsonl").find("\"hex\":\"68690a\""), std::string::npos);
}

TEST(LogExport, TextIsTheRecordersHexDump) {
    PayloadLog log;
    log.append(1'764'490'000'000'000, 1, 2, LogKind::Tx, bytesOf("hello"));
    const fs::path file = testDir("text") / "out.txt";
    const auto job = runExport(log, file, ExportFormat::Text, allRows(log));
    ASSERT_EQ(job->state(), ExportSink::State::Done) << job->error();
    const std::string text = test::readFile(file);
    EXPECT_NE(text.find("2025-11-30T08:06:40.000000Z  srv, \"main\"  #2 tx  5 B\n"), std::string::npos) << text;
    EXPECT_NE(text.find("|hello|"), std::string::npos) << text;
}

TEST(LogExport, SelectedSeqsOnlyAndEvictedRowsCounted) {
    PayloadLog log;
    for (int i = 0; i < 10; ++i) log.append(1'000'000 + i, 2, 0, LogKind::Rx, bytesOf("row" + std::to_string(i)), "127.0.0.1:1");
    ExportRows rows;
    rows.seqs = {2, 5, 42};   // 42 never existed: counted as gone
    const fs::path file = testDir("sel") / "out.csv";
    const auto job = runExport(log, file, ExportFormat::Csv, rows);
    ASSERT_EQ(job->state(), ExportSink::State::Done);
    EXPECT_EQ(job->exported(), 2u);
    EXPECT_EQ(job->evicted(), 1u);
    const std::string csv = test::readFile(file);
    EXPECT_NE(csv.find(",row2\r\n"), std::string::npos);
    EXPECT_NE(csv.find(",row5\r\n"), std::string::npos);
    EXPECT_EQ(csv.find("row3"), std::string::npos);
}

TEST(LogExport, MissingDirectoryIsAPlainErrorAndNoFileAppears) {
    PayloadLog log;
    log.append(1, 1, 1, LogKind::Rx, bytesOf("x"));
    const fs::path file = testDir("missing") / "gone" / "out.csv";
    const auto job = runExport(log, file, ExportFormat::Csv, allRows(log));
    EXPECT_EQ(job->state(), ExportSink::State::Failed);
    EXPECT_NE(job->error().find("does not exist"), std::string::npos) << job->error();
    EXPECT_FALSE(fs::exists(file));
}

#if !defined(_WIN32)
TEST(LogExport, PermissionDeniedInPlainWords) {
    if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
    const fs::path dir = testDir("ro");
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    PayloadLog log;
    log.append(1, 1, 1, LogKind::Rx, bytesOf("x"));
    const auto job = runExport(log, dir / "out.csv", ExportFormat::Csv, allRows(log));
    fs::permissions(dir, fs::perms::owner_all);
    EXPECT_EQ(job->state(), ExportSink::State::Failed);
    EXPECT_NE(job->error().find("permission denied"), std::string::npos) << job->error();
}

#endif

TEST(LogExport, PathThroughAFileIsAPlainError) {
    const fs::path dir = testDir("notdir");
    { std::ofstream(dir / "plain") << "x"; }
    PayloadLog log;
    log.append(1, 1, 1, LogKind::Rx, bytesOf("x"));
    const auto job = runExport(log, dir / "plain" / "out.csv", ExportFormat::Csv, allRows(log));
    EXPECT_EQ(job->state(), ExportSink::State::Failed);
    EXPECT_NE(job->error().find("out.csv"), std::string::npos) << job->error();
}

TEST(LogExport, CancelRemovesTheTemporaryFileAndKeepsTheOldTarget) {
    PayloadLog log;
    std::string big(4096, 'x');
    for (int i = 0; i < 2000; ++i) log.append(i, 1, 1, LogKind::Rx, bytesOf(big));
    const fs::path dir = testDir("cancel");
    const fs::path file = dir / "out.csv";
    { std::ofstream(file) << "old"; }
    LogExportJob job(ExportRequest{file, ExportFormat::Csv, TextEncoding::Utf8, allRows(log)}, lookup());
    job.step(log, std::chrono::microseconds(1000));
    EXPECT_LT(job.done(), job.total());
    job.cancel();
    job.wait();
    EXPECT_EQ(job.state(), ExportSink::State::Cancelled);
    EXPECT_EQ(test::readFile(file), "old");
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
    EXPECT_EQ(entries, 1u) << "the temporary file is gone";
}

TEST(LogExport, LargeExportStepsStayWithinTheirBudget) {
    PayloadLog log;
    for (int i = 0; i < 200'000; ++i) log.append(i, 1, 1, LogKind::Rx, bytesOf("message number " + std::to_string(i)));
    const fs::path file = testDir("large") / "out.jsonl";
    LogExportJob job(ExportRequest{file, ExportFormat::Jsonl, TextEncoding::Utf8, allRows(log)}, lookup());
    double worst_us = 0;
    int steps = 0;
    while (job.done() < job.total() && steps < 100'000) {
        const double start = threadCpuUs();
        job.step(log, std::chrono::microseconds(6000));
        worst_us = std::max(worst_us, threadCpuUs() - start);
        ++steps;
    }
    job.wait();
    ASSERT_EQ(job.state(), ExportSink::State::Done) << job.error();
    EXPECT_EQ(job.exported(), 200'000u);
    EXPECT_GT(steps, 1);
    EXPECT_LT(worst_us, kStepLimitUs) << "one step, the frame's share";
    std::printf("200,000 rows to JSON lines: %d steps, slowest %.1f ms, %llu bytes\n", steps, worst_us / 1000.0,
                static_cast<unsigned long long>(job.bytesWritten()));
    std::ifstream in(file);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    EXPECT_EQ(lines, 200'000u);
}

#if !defined(_WIN32)
TEST(LogExportTshark, PcapngReadsBackLikeARecording) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
    PayloadLog log;
    std::string up(100'000, 'u'), down = "reply";
    for (std::size_t i = 0; i < up.size(); ++i) up[i] = static_cast<char>('a' + i % 26);
    log.appendText(1'000'000, 1, 4, LogKind::Info, "accepted 127.0.0.1:40000");
    log.append(1'000'100, 1, 4, LogKind::Rx, bytesOf(up));
    log.append(1'000'200, 1, 4, LogKind::Tx, bytesOf(down));
    log.append(1'000'300, 2, 0, LogKind::Rx, bytesOf("dgram"), "127.0.0.1:9001");
    const fs::path file = testDir("pcapng") / "out.pcapng";
    const auto job = runExport(log, file, ExportFormat::Pcapng, allRows(log));
    ASSERT_EQ(job->state(), ExportSink::State::Done) << job->error();
    EXPECT_EQ(job->exported(), 3u);
    EXPECT_EQ(job->omitted(), 1u) << "the event row has no packet";
    const auto [from_peer, from_local] = test::tsharkFollow(file.string());
    EXPECT_TRUE(from_peer == up);
    EXPECT_EQ(from_local, down);
    EXPECT_EQ(test::runCommand("tshark -r '" + file.string() + "' -Y '_ws.malformed || _ws.expert.severity >= error'"), "");
    EXPECT_EQ(test::runCommand("tshark -r '" + file.string() + "' -Y udp -T fields -E separator=, -e udp.srcport -e udp.dstport -e data.data"),
              "9001,9000,646772616d\n");
}
/// The lifecycle rows become packets: the handshake, the FINs of both sides in the order they
/// happened, and a peer's RST (before, pcapng exports ended every connection without a FIN).
TEST(LogExportTshark, PcapngCarriesTheHandshakeFinAndRstOfEachConnection) {
    if (!test::haveTshark()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
    PayloadLog log;
    const auto data = [](ConnectionId c, Direction d, TimestampUs t, std::string_view text) {
        return DataEvent{1, c, d, t, {}, Bytes(text.begin(), text.end())};
    };
    const std::vector<Event> events{
        ConnectionOpened{1, 4, "127.0.0.1:40004", "127.0.0.1:502", 1'000'000},
        data(4, Direction::Rx, 1'000'100, "ping"),
        data(4, Direction::Tx, 1'000'200, "pong"),
        PeerHalfClosed{1, 4, 1'000'300},
        ConnectionClosed{1, 4, CloseReason::PeerClosed, std::nullopt, 1'000'400},
        ConnectionOpened{1, 5, "127.0.0.1:40005", "127.0.0.1:502", 1'000'500},
        data(5, Direction::Rx, 1'000'600, "x"),
        ConnectionClosed{1, 5, CloseReason::PeerReset, std::nullopt, 1'000'700},
    };
    for (const Event& e : events) ASSERT_TRUE(recordEvent(log, e));
    const fs::path file = testDir("pcapng-close") / "out.pcapng";
    auto job = std::make_unique<LogExportJob>(
        ExportRequest{file, ExportFormat::Pcapng, TextEncoding::Utf8, allRows(log)},
        [](EndpointId, ConnectionId c) {
            return ExportNames{"srv", EndpointType::TcpServer, "127.0.0.1:502", "127.0.0.1:4000" + std::to_string(c)};
        });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!job->finished() && std::chrono::steady_clock::now() < deadline) {
        job->step(log);
        if (job->done() == job->total()) job->wait();
    }
    ASSERT_EQ(job->state(), ExportSink::State::Done) << job->error();
    EXPECT_EQ(job->omitted(), 0u) << "every row is a packet";
    const std::string packets = test::runCommand(
        "tshark -r '" + file.string() + "' -T fields -E separator=, -e tcp.srcport -e tcp.dstport -e tcp.flags.str");
    // tshark writes flags as e.g. "·······A···F" (U+00B7 for unset): keep the letters.
    std::string letters;
    for (const char ch : packets)
        if (ch == '\n' || ch == ',' || std::isalnum(static_cast<unsigned char>(ch))) letters += ch;
    EXPECT_EQ(letters,
              "40004,502,S\n502,40004,AS\n40004,502,A\n"       // handshake
              "40004,502,AP\n502,40004,AP\n"                    // ping, pong
              "40004,502,AF\n502,40004,A\n"                     // the peer's FIN first
              "502,40004,AF\n40004,502,A\n"                     // then ours
              "40005,502,S\n502,40005,AS\n40005,502,A\n40005,502,AP\n"
              "40005,502,AR\n")                                  // the peer's RST
        << packets;
    EXPECT_EQ(test::runCommand("tshark -r '" + file.string() + "' -Y '_ws.malformed || _ws.expert.severity >= error'"), "");
}
#endif

}  // namespace
}  // namespace sockscope
