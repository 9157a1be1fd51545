// The headless runner's stdout as CI uses it: a pipe that closes early (`| head -n 2`), a reader
// that falls behind and a stop while it is behind; and the command line's own checks.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <thread>

#include "app/headless_output.hpp"
#include "app/headless_support.hpp"
#include "app/piped_process.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::PipedProcess;
using test::portOf;
using test::Process;
using test::SocketPeer;
using test::writeProfile;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kExitOutputFailed = 3;   // docs/headless.md

/// A udp endpoint and a tcp-server on ports the OS picks: two lifecycle lines, then silence.
std::string quietProfile() {
    return writeProfile("two.json", R"({"version": 1, "endpoints": [
        {"name": "beacon", "type": "udp", "bind": "127.0.0.1:0"},
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
}

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

TEST(HeadlessOutput, AClosedIdleStdoutEndsTheRunWithExitCodeThree) {
    for (const char* format : {"jsonl", "text"}) {
        PipedProcess app({SOCKSCOPE_BINARY, "--headless", quietProfile(), "--log", format});
        ASSERT_TRUE(app.readLines(2)) << format << ": " << app.out() << app.err();
        app.closeRead();   // `| head -n 2`: the reader is gone, nothing more is being written
        const auto closed = Clock::now();
        EXPECT_EQ(app.wait(10s), kExitOutputFailed) << format << ": " << app.err();
        EXPECT_LT(secondsSince(closed), 3.0) << format;
        EXPECT_NE(app.err().find("stdout was closed"), std::string::npos) << app.err();
    }
}

TEST(HeadlessOutput, AStdoutThatIsClosedOrFullFromTheStartEndsTheRunWithExitCodeThree) {
    // `>&-`: fd 1 is closed; the runner must not let a socket take fd 1 and print into it.
    const std::string profile = quietProfile();
    Process closed({"/bin/sh", "-c", "exec \"$0\" --headless \"$1\" --for 5 >&-", SOCKSCOPE_BINARY, profile});
    EXPECT_EQ(closed.wait(5s), kExitOutputFailed) << closed.err();
    EXPECT_NE(closed.err().find("stdout is not open"), std::string::npos) << closed.err();
    Process full({"/bin/sh", "-c", "exec \"$0\" --headless \"$1\" --for 5 >/dev/full", SOCKSCOPE_BINARY, profile});
    EXPECT_EQ(full.wait(5s), kExitOutputFailed) << full.err();
    EXPECT_NE(full.err().find("No space left on device"), std::string::npos) << full.err();
}

TEST(HeadlessOutput, AClosedBusyStdoutEndsTheRunWithExitCodeThree) {
    const auto profile = writeProfile("busy-out.json", R"({"version": 1, "endpoints": [
        {"name": "sink", "type": "udp", "bind": "127.0.0.1:0"}]})");
    PipedProcess app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl"});
    ASSERT_TRUE(app.readLines(1)) << app.err();
    const auto port = portOf(jsonLines(app.out())[0]["local"].get<std::string>());
    // A sender that keeps the runner writing while and after the reader goes away.
    std::atomic<bool> sending{true};
    std::thread sender([&] {
        SocketPeer udp;
        if (!udp.bindUdp()) return;
        for (int i = 0; sending.load() && i < 200000; ++i) {
            (void)udp.sendTo("datagram " + std::to_string(i), port);
            if (i % 100 == 0) std::this_thread::sleep_for(1ms);
        }
    });
    const bool got = app.readLines(3);
    app.closeRead();
    const auto closed = Clock::now();
    const int code = app.wait(10s);
    const double took = secondsSince(closed);
    sending = false;
    sender.join();
    ASSERT_TRUE(got) << app.err();
    EXPECT_EQ(code, kExitOutputFailed) << app.err() << "after " << took << " s";
    EXPECT_LT(took, 3.0);
}

/// A tcp-server and a client that sends `bytes` as fast as the runner reads: several MB of rx
/// lines, far more than a pipe and the runner's buffer hold.
struct Flood {
    std::uint16_t port;
    SocketPeer peer;
    bool start(const std::string& listening_line, std::size_t bytes) {
        port = portOf(nlohmann::json::parse(listening_line)["local"].get<std::string>());
        if (!peer.connectTcp(port)) return false;
        const std::string chunk(64 * 1024, 'x');
        for (std::size_t sent = 0; sent < bytes; sent += chunk.size())
            if (!peer.sendAll(chunk)) return false;
        return true;
    }
};

std::string floodProfile() {
    return writeProfile("flood.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
}

/// Every line complete JSON; returns them.
std::vector<nlohmann::json> parseAll(const PipedProcess& app) {
    std::vector<nlohmann::json> parsed;
    for (const auto& line : app.lines()) {
        EXPECT_TRUE(nlohmann::json::accept(line)) << "not one JSON object: " << line.substr(0, 200);
        if (nlohmann::json::accept(line)) parsed.push_back(nlohmann::json::parse(line));
    }
    EXPECT_EQ(app.out().back(), '\n') << "the output ends mid-line";
    return parsed;
}

TEST(HeadlessOutput, AStopWhileStdoutIsBackedUpStillPrintsWholeLinesTheUnprintedCountAndTheSummary) {
    PipedProcess app({SOCKSCOPE_BINARY, "--headless", floodProfile(), "--log", "jsonl"});
    ASSERT_TRUE(app.readLines(1)) << app.err();
    Flood flood;
    // 16 MB of 'x' is ~50 MB of JSON lines: the pipe (64 KiB) and the runner's buffer fill up
    // while this test reads nothing.
    ASSERT_TRUE(flood.start(app.lines()[0], 16u << 20));
    app.signal(SIGTERM);
    const auto stopped = Clock::now();
    // The runner says when it gives up on the buffered lines to make room for the summary.
    ASSERT_TRUE(app.waitForError("stdout is not being read", 8s * test::kSanitizerSlowdown)) << app.err();
    ASSERT_TRUE(app.readToEnd(10s * test::kSanitizerSlowdown));
    EXPECT_EQ(app.wait(5s), 0) << app.err();
    EXPECT_LT(secondsSince(stopped), 9.0 * test::kSanitizerSlowdown);

    const auto lines = parseAll(app);
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(lines.back()["event"], "summary");
    std::uint64_t unprinted = 0;
    for (const auto& line : lines)
        if (line["event"] == "unprinted") unprinted += line["count"].get<std::uint64_t>();
    EXPECT_GT(unprinted, 0u);
    EXPECT_EQ(lines.back()["unprinted"].get<std::uint64_t>(), unprinted) << "the summary's total is the sum";
    EXPECT_EQ(lines[lines.size() - 2]["event"], "unprinted") << "the count comes right before the summary";
    EXPECT_GT(lines.back()["endpoints"][0]["rx_bytes"].get<std::uint64_t>(), 0u);
}

TEST(HeadlessOutput, TextOutputBackedUpAtAStopAlsoEndsWithTheUnprintedCountAndTheSummary) {
    PipedProcess app({SOCKSCOPE_BINARY, "--headless", floodProfile(), "--log", "text"});
    ASSERT_TRUE(app.readLines(1)) << app.err();
    const std::string first = app.lines()[0];
    Flood flood;
    const std::string local = first.substr(first.rfind(' ') + 1);
    ASSERT_TRUE(flood.start(R"({"local": ")" + local + R"("})", 16u << 20)) << first;
    app.signal(SIGTERM);
    ASSERT_TRUE(app.waitForError("stdout is not being read", 8s * test::kSanitizerSlowdown)) << app.err();
    ASSERT_TRUE(app.readToEnd(10s));
    EXPECT_EQ(app.wait(5s), 0) << app.err();
    const auto lines = app.lines();
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(app.out().back(), '\n');
    EXPECT_NE(app.out().find("  -  unprinted: "), std::string::npos);
    EXPECT_NE(app.out().find("  summary\n"), std::string::npos);
    EXPECT_EQ(lines.back().rfind("  output: ", 0), 0u) << lines.back();
}

TEST(HeadlessOutput, AStopWhenStdoutNeverDrainsGivesUpWithinTheBudgetWithCodeThree) {
    PipedProcess app({SOCKSCOPE_BINARY, "--headless", floodProfile(), "--log", "jsonl"});
    ASSERT_TRUE(app.readLines(1)) << app.err();
    Flood flood;
    ASSERT_TRUE(flood.start(app.lines()[0], 16u << 20));
    app.signal(SIGTERM);
    const auto stopped = Clock::now();
    EXPECT_EQ(app.wait(15s * test::kSanitizerSlowdown), kExitOutputFailed) << app.err();
    EXPECT_LT(secondsSince(stopped), 9.0 * test::kSanitizerSlowdown) << "5 s budget, then the exit (measured 5.2 s; more under ASan and load)";
    EXPECT_NE(app.err().find("stdout did not drain"), std::string::npos) << app.err();
    // What did reach the pipe is whole lines: a pipe write of whole lines <= PIPE_BUF is atomic.
    ASSERT_TRUE(app.readToEnd(5s));
    for (const auto& line : app.lines()) EXPECT_TRUE(nlohmann::json::accept(line)) << line.substr(0, 200);
}

/// Sends `bytes` and a FIN to the run's server while a reader keeps reading the run's output
/// until the peer_closed line, then stops the run and reads the rest: whether all of that worked.
::testing::AssertionResult floodWhileReadingThenStop(PipedProcess& app, const std::string& listening, std::size_t bytes) {
    bool fin_seen = false;
    std::thread reader([&] { fin_seen = app.readUntil("\"peer_closed\"", 60s); });   // sole user of `app`
    Flood flood;
    const bool sent = flood.start(listening, bytes);
    flood.peer.shutdownSend();
    reader.join();
    if (!sent) return ::testing::AssertionFailure() << "the flood was not sent";
    if (!fin_seen) return ::testing::AssertionFailure() << "no peer_closed line: " << app.err();
    app.signal(SIGTERM);
    if (!app.readToEnd(10s)) return ::testing::AssertionFailure() << "the output did not end";
    const int code = app.wait(5s);
    if (code != 0) return ::testing::AssertionFailure() << "exit " << code << ": " << app.err();
    return ::testing::AssertionSuccess();
}

// Tester item: one read cut into thousands of frames is one event; its lines past the buffer's
// limit were counted "unprinted" though the reader (a pipe here) kept up. 1 MiB in 8-byte frames.
// The run is quiet for longer than the stall timeout first: a stall is measured from when the
// buffer filled up (review: from the last line before, it made the next events unprinted).
TEST(HeadlessOutput, EveryFrameOfALargeReadIsPrintedToAReaderThatKeepsUp) {
    const std::string profile = writeProfile("fixed8.json", R"({"version": 1, "endpoints": [
        {"name": "device", "type": "tcp-server", "bind": "127.0.0.1:0", "framing": {"type": "fixed", "length": 8}}]})");
    PipedProcess app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl"});
    ASSERT_TRUE(app.readLines(1)) << app.err();
    const std::string listening = app.lines()[0];
    std::this_thread::sleep_for(LineOutput::kStallTimeout + 500ms);   // the quiet time is the case
    ASSERT_TRUE(floodWhileReadingThenStop(app, listening, 1u << 20));
    std::uint64_t frames = 0;
    const auto lines = parseAll(app);
    for (const auto& line : lines) {
        EXPECT_NE(line["event"], "unprinted");
        if (line["event"] == "rx") frames += line["len"] == 8 ? 1 : 0;
    }
    EXPECT_EQ(frames, (1u << 20) / 8);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back()["unprinted"], 0);
}

// An event's lines go over the limit, by kEventOverrun at most; the reader gets kStallTimeout from
// the event's start, not from the last line written before a quiet spell.
TEST(LineOutputTest, AnEventBegunWithRoomGoesOverTheLimitBoundedAndRestartsTheStallClock) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    {
        LineOutput out(fds[1], 1024);
        std::this_thread::sleep_for(LineOutput::kStallTimeout + 100ms);   // the quiet time is the case
        ASSERT_TRUE(out.beginEvent());
        const std::string line(1000, 'x');
        std::size_t written = 0;
        while (written < 100'000 && out.tryWriteOfEvent(line, 1)) ++written;   // nothing reads the pipe
        EXPECT_FALSE(out.hasRoom());
        EXPECT_FALSE(out.stalled()) << "the clock starts at the event";
        EXPECT_LT(written, 100'000u) << "bounded";
        EXPECT_GE(out.bufferedBytes(), 1024 + LineOutput::kEventOverrun);
        EXPECT_LT(out.bufferedBytes(), 1024 + LineOutput::kEventOverrun + 2 * line.size());
        EXPECT_FALSE(out.beginEvent()) << "the next event waits for room";
    }
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(HeadlessOutput, AReaderThatKeepsUpSeesEveryEventAndNoUnprintedLine) {
    PipedProcess app({SOCKSCOPE_BINARY, "--headless", floodProfile(), "--log", "jsonl"});
    ASSERT_TRUE(app.readLines(1)) << app.err();
    const std::string listening = app.lines()[0];
    ASSERT_TRUE(floodWhileReadingThenStop(app, listening, 2u << 20));
    std::uint64_t rx = 0;
    const auto lines = parseAll(app);
    for (const auto& line : lines) {
        EXPECT_NE(line["event"], "unprinted");
        if (line["event"] == "rx") rx += line["len"].get<std::uint64_t>();
    }
    EXPECT_EQ(rx, 2u << 20);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back()["unprinted"], 0);
}

TEST(HeadlessCommandLine, ForRejectsWhatIsNotAPositiveFiniteNumberOfSeconds) {
    const auto profile = quietProfile();
    for (const char* value : {"1e10", "nan", "NaN", "inf", "-inf", "-1", "0", "-0", "1e400", "abc", "5s", ""}) {
        Process app({SOCKSCOPE_BINARY, "--headless", profile, "--for", value});
        EXPECT_EQ(app.wait(5s), 2) << "--for '" << value << "': " << app.err();
        EXPECT_NE(app.err().find("--for"), std::string::npos) << value << ": " << app.err();
        EXPECT_EQ(app.out(), "") << value << ": nothing ran";
    }
}

TEST(HeadlessCommandLine, ForAcceptsFractionsAndEndsOnTime) {
    const auto start = Clock::now();
    Process app({SOCKSCOPE_BINARY, "--headless", quietProfile(), "--for", "0.5"});
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    EXPECT_GE(secondsSince(start), 0.5);
    EXPECT_NE(app.out().find("summary"), std::string::npos);
}

TEST(HeadlessCommandLine, AnExtraPositionalArgumentIsAUsageError) {
    const auto profile = quietProfile();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{SOCKSCOPE_BINARY, "--headless", profile, "extra"},
          std::vector<std::string>{SOCKSCOPE_BINARY, "--headless", profile, "--for", "1", "extra"},
          std::vector<std::string>{SOCKSCOPE_BINARY, "extra", "--headless", profile},
          std::vector<std::string>{SOCKSCOPE_BINARY, profile, profile}}) {
        Process app(args);
        EXPECT_EQ(app.wait(5s), 2) << args.back() << ": " << app.err();
        EXPECT_NE(app.err().find(args[1] == profile ? profile : "extra"), std::string::npos) << app.err();
        EXPECT_EQ(app.out().find("summary"), std::string::npos) << "nothing ran";
    }
}

}  // namespace
}  // namespace sockscope
