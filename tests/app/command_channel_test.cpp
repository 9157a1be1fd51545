// The headless command channel: each line interpreted (unit), and a real run driven through a
// FIFO while a real TCP peer watches the wire.
#include "app/command_channel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>

#include "app/headless_support.hpp"
#include "app/piped_process.hpp"
#include "support/process.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::jsonLines;
using test::portOf;
using test::Process;
using test::SocketPeer;
using test::writeProfile;
using namespace std::chrono_literals;

const ChannelEndpoints kEndpoints = {{"dev", {1, EndpointType::TcpServer, {"read reg"}, {"hb"}}},
                                     {"udp", {2, EndpointType::Udp, {}, {"beacon"}}}};

TEST(CommandChannel, SendWithAModbusChecksumPutsTheFullFrameOnTheWire) {
    const auto action = interpretCommand(
        R"({"send": {"endpoint": "dev", "conn": 3, "hex": "01 03 00 00 00 01", "checksum": {"type": "crc16-modbus", "order": "little"}}})",
        kEndpoints);
    ASSERT_EQ(action.error, "");
    ASSERT_EQ(action.commands.size(), 1u);
    const auto& send = std::get<Send>(action.commands[0]);
    EXPECT_EQ(send.endpoint, 1u);
    EXPECT_EQ(send.connection, 3u);
    EXPECT_EQ(send.payload, (Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A}));
    EXPECT_EQ(action.bytes, 8u);
}

/// 1000.0 is a whole number, as the profile loader reads it: the channel takes it too.
TEST(CommandChannel, AWholeNumberWrittenWithADecimalPointIsTaken) {
    const auto action = interpretCommand(
        R"({"send_file": {"endpoint": "dev", "conn": 2.0, "path": "a", "chunk": 1000.0, "gap_ms": 5.0}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    const auto& send = std::get<SendFile>(action.commands.at(0));
    EXPECT_EQ(send.chunk, 1000u);
    EXPECT_EQ(send.gap_ms, 5u);
    EXPECT_EQ(send.connection, 2u);
}

TEST(CommandChannel, TextEscapesEncodingsAndUdpDestinations) {
    auto action = interpretCommand(R"({"send": {"endpoint": "dev", "text": "hello\\r\\n"}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<Send>(action.commands[0]).payload, (Bytes{'h', 'e', 'l', 'l', 'o', '\r', '\n'}));
    EXPECT_EQ(std::get<Send>(action.commands[0]).connection, 0u) << "no conn: every connection";

    action = interpretCommand(R"({"send": {"endpoint": "dev", "text": "中", "encoding": "gbk"}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<Send>(action.commands[0]).payload, (Bytes{0xD6, 0xD0}));

    action = interpretCommand(R"({"send": {"endpoint": "udp", "to": "127.0.0.1:9", "hex": "ff"}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<Send>(action.commands[0]).destination, "127.0.0.1:9");
}

TEST(CommandChannel, SavedCommandsAndTimersByName) {
    auto action = interpretCommand(R"({"command": {"endpoint": "dev", "name": "read reg", "conn": 2}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    const auto& command = std::get<SendSavedCommand>(action.commands[0]);
    EXPECT_EQ(command.name, "read reg");
    EXPECT_EQ(command.connection, 2u);
    action = interpretCommand(R"({"timer": {"endpoint": "dev", "name": "hb", "run": false}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_FALSE(std::get<RunTimer>(action.commands[0]).run);
    action = interpretCommand(R"({"timer": {"endpoint": "dev", "name": "hb"}})", kEndpoints);
    EXPECT_TRUE(std::get<RunTimer>(action.commands[0]).run) << "run defaults to true";
    EXPECT_EQ(std::get<RunTimer>(action.commands[0]).connection, 0u) << "no conn: every connection";
    action = interpretCommand(R"({"timer": {"endpoint": "dev", "name": "hb", "conn": 4}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<RunTimer>(action.commands[0]).connection, 4u);
    EXPECT_NE(interpretCommand(R"({"timer": {"endpoint": "dev", "name": "hb", "run": false, "conn": 4}})", kEndpoints)
                  .error.find("a stop takes none"),
              std::string::npos);
}

// The profile loader refuses a key given twice ("only one value can count"); the channel too,
// naming the key, instead of silently sending the last value.
TEST(CommandChannel, ADuplicatedKeyIsRefusedByName) {
    auto action = interpretCommand(
        R"({"send": {"endpoint": "dev", "text": "x"}, "send": {"endpoint": "dev", "text": "y"}})", kEndpoints);
    EXPECT_TRUE(action.commands.empty());
    EXPECT_NE(action.error.find("the key \"send\" appears more than once"), std::string::npos) << action.error;
    action = interpretCommand(R"({"send": {"endpoint": "dev", "text": "x", "text": "y"}})", kEndpoints);
    EXPECT_TRUE(action.commands.empty());
    EXPECT_NE(action.error.find("send.text: the key \"text\" appears more than once"), std::string::npos) << action.error;
    EXPECT_EQ(action.verb, "send");
    action = interpretCommand(R"({"send": {"endpoint": "dev", "text": "x"}})", kEndpoints);
    EXPECT_EQ(action.error, "");
}

TEST(CommandChannel, ACounterInAChannelSendCountsPerSend) {
    CounterState counter;
    for (const char* expected : {"n0", "n1", "n2"}) {
        const auto action = interpretCommand(R"({"send": {"endpoint": "dev", "text": "n{{counter}}"}})", kEndpoints, &counter);
        ASSERT_EQ(action.error, "");
        EXPECT_EQ(std::get<Send>(action.commands[0]).payload, Bytes(expected, expected + 2));
    }
    // A send without the template still counts: {{counter}} is the channel's sends so far.
    ASSERT_EQ(interpretCommand(R"({"send": {"endpoint": "dev", "text": "plain"}})", kEndpoints, &counter).error, "");
    const auto action = interpretCommand(R"({"send": {"endpoint": "dev", "text": "n{{counter}}"}})", kEndpoints, &counter);
    EXPECT_EQ(std::get<Send>(action.commands[0]).payload, Bytes({'n', '4'}));
}

TEST(CommandChannel, CloseStartStopAndQuit) {
    auto action = interpretCommand(R"({"close": {"endpoint": "dev", "conn": 3, "mode": "rst"}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<CloseConnection>(action.commands[0]).mode, CloseMode::Abort);
    action = interpretCommand(R"({"close": {"endpoint": "dev", "conn": 3, "mode": "half"}})", kEndpoints);
    EXPECT_EQ(std::get<CloseConnection>(action.commands[0]).mode, CloseMode::HalfClose);
    action = interpretCommand(R"({"close": {"endpoint": "dev", "conn": 3, "mode": "half-close"}})", kEndpoints);
    EXPECT_EQ(std::get<CloseConnection>(action.commands[0]).mode, CloseMode::HalfClose) << "as a script's close step says it";
    action = interpretCommand(R"({"close": {"endpoint": "dev", "mode": "all"}})", kEndpoints);
    EXPECT_EQ(std::get<CloseAllConnections>(action.commands[0]).mode, CloseMode::Graceful);
    action = interpretCommand(R"({"stop": {"endpoint": "dev", "mode": "rst"}})", kEndpoints);
    EXPECT_EQ(std::get<StopEndpoint>(action.commands[0]).mode, CloseMode::Abort);
    action = interpretCommand(R"({"close": {"endpoint": "dev"}})", kEndpoints);
    EXPECT_TRUE(std::holds_alternative<CloseAllConnections>(action.commands[0]));
    action = interpretCommand(R"({"stop": {"endpoint": "dev"}})", kEndpoints);
    EXPECT_EQ(std::get<StopEndpoint>(action.commands[0]).endpoint, 1u);
    action = interpretCommand(R"({"start": {"endpoint": "udp"}})", kEndpoints);
    EXPECT_EQ(std::get<StartEndpoint>(action.commands[0]).endpoint, 2u);
    action = interpretCommand(R"({"quit": {}})", kEndpoints);
    EXPECT_TRUE(action.quit);
    EXPECT_EQ(action.error, "");
}

TEST(CommandChannel, SendFileTakesPathChunkGapAndATarget) {
    auto action = interpretCommand(R"({"send_file": {"endpoint": "dev", "path": "fw.bin", "chunk": 1024, "gap_ms": 0}})",
                                   kEndpoints);
    ASSERT_EQ(action.error, "");
    auto send = std::get<SendFile>(action.commands.at(0));
    EXPECT_EQ(send.endpoint, 1u);
    EXPECT_EQ(send.path, "fw.bin");
    EXPECT_EQ(send.chunk, 1024u);
    EXPECT_EQ(send.gap_ms, 0u);
    EXPECT_EQ(send.connection, 0u);
    action = interpretCommand(R"({"send_file": {"endpoint": "dev", "path": "a", "conn": 4, "gap_ms": 20}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    send = std::get<SendFile>(action.commands.at(0));
    EXPECT_EQ(send.connection, 4u);
    EXPECT_EQ(send.gap_ms, 20u);
    EXPECT_EQ(send.chunk, 1024u) << "the default chunk";
    action = interpretCommand(R"({"send_file": {"endpoint": "udp", "path": "a", "chunk": 65507, "to": "127.0.0.1:9"}})",
                              kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<SendFile>(action.commands.at(0)).destination, "127.0.0.1:9");
    action = interpretCommand(R"({"cancel_file": {"endpoint": "dev", "transfer": 3}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<CancelFileSend>(action.commands.at(0)).transfer, 3u);
}

TEST(CommandChannel, StopReadingStopsAndResumesAConnection) {
    auto action = interpretCommand(R"({"stop_reading": {"endpoint": "dev", "conn": 3, "on": true}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    const auto& stop = std::get<StopReading>(action.commands.at(0));
    EXPECT_EQ(stop.endpoint, 1u);
    EXPECT_EQ(stop.connection, 3u);
    EXPECT_TRUE(stop.stop);
    action = interpretCommand(R"({"stop_reading": {"endpoint": "dev", "on": false}})", kEndpoints);
    ASSERT_EQ(action.error, "");
    EXPECT_EQ(std::get<StopReading>(action.commands.at(0)).connection, 0u) << "no conn: every connection";
    EXPECT_FALSE(std::get<StopReading>(action.commands.at(0)).stop);
    EXPECT_TRUE(std::get<StopReading>(interpretCommand(R"({"stop_reading": {"endpoint": "dev"}})", kEndpoints)
                                          .commands.at(0)).stop) << "on defaults to true";
    EXPECT_NE(interpretCommand(R"({"stop_reading": {"endpoint": "udp"}})", kEndpoints).error.find("applies to tcp connections"),
              std::string::npos);
    EXPECT_NE(interpretCommand(R"({"stop_reading": {"endpoint": "dev", "on": 1}})", kEndpoints).error.find("\"on\" must be true"),
              std::string::npos);
}

TEST(CommandChannel, EveryMalformedLineSaysWhatIsWrongAndDoesNothing) {
    const std::pair<const char*, const char*> cases[] = {
        {"send hello", "not JSON"},
        {R"(["send"])", "one key"},
        {R"({"send": {}, "quit": {}})", "one key"},
        {R"({"launch": {"endpoint": "dev"}})", "unknown command \"launch\""},
        {R"({"send": "dev"})", "must be an object"},
        {R"({"send": {"text": "x"}})", "\"endpoint\" is missing"},
        {R"({"send": {"endpoint": "nope", "text": "x"}})", "no endpoint named \"nope\""},
        {R"({"send": {"endpoint": "dev"}})", "missing \"text\" or \"hex\""},
        {R"({"send": {"endpoint": "dev", "text": "a", "hex": "61"}})", "not both"},
        {R"({"send": {"endpoint": "dev", "hex": "01 0G"}})", "'G' is not a hex digit"},
        {R"({"send": {"endpoint": "dev", "text": "x", "encoding": "ebcdic"}})", "unknown encoding"},
        {R"({"send": {"endpoint": "dev", "hex": "01", "checksum": {"type": "crc17"}}})", "unknown checksum 'crc17'"},
        {R"({"send": {"endpoint": "dev", "hex": "01", "checksum": {"type": "crc32", "order": "middle"}}})", "checksum.order"},
        {R"({"send": {"endpoint": "dev", "conn": -1, "text": "x"}})", "\"conn\" must be a connection number"},
        {R"({"send": {"endpoint": "dev", "conn": 0, "text": "x"}})", "\"conn\" must be a connection number"},
        {R"({"send": {"endpoint": "dev", "to": "127.0.0.1:9", "text": "x"}})", "\"to\" applies to udp"},
        {R"({"send": {"endpoint": "udp", "conn": 2, "text": "x"}})", "\"conn\" applies to tcp endpoints"},
        {R"({"command": {"endpoint": "udp", "name": "x", "conn": 2}})", "\"conn\" applies to tcp endpoints"},
        {R"({"timer": {"endpoint": "udp", "name": "beacon", "conn": 2}})",
         "\"conn\" applies to tcp endpoints; a udp timer sends to the \"to\" of its profile entry"},
        {R"({"send": {"endpoint": "dev", "text": "x", "colour": "red"}})", "unknown field \"colour\""},
        // Tester item: a misspelt checksum field was acknowledged and the default order went out.
        {R"({"send": {"endpoint": "dev", "hex": "01", "checksum": {"type": "crc16-modbus", "ordr": "big"}}})",
         "checksum: unknown key \"ordr\" (did you mean \"order\"?)"},
        {R"({"send": {"endpoint": "dev", "hex": "01", "checksum": {"type": "crc16-modbus", "strat": 2}}})",
         "checksum: unknown key \"strat\""},
        {R"({"send": {"endpoint": 7, "text": "x"}})", "\"endpoint\" must be a string"},
        {R"({"close": {"endpoint": "dev", "mode": "gently"}})", "\"mode\" must be fin, half, rst or all"},
        // Tester items: these were acknowledged, and did something else or nothing.
        {R"({"close": {"endpoint": "dev", "conn": 3, "mode": "all"}})", "\"mode\": \"all\" closes every connection: leave \"conn\" out"},
        {R"({"close": {"endpoint": "udp"}})", "udp endpoints have no connections to close; \"stop\" closes the socket"},
        {R"({"stop": {"endpoint": "dev", "mode": "half"}})", "a stop's \"mode\" must be fin or rst"},
        {R"({"quit": {"now": true}})", "unknown field \"now\""},
        {R"({"command": {"endpoint": "dev", "name": "nope"}})", "has no saved command named \"nope\" (it has \"read reg\")"},
        {R"({"timer": {"endpoint": "udp", "name": "hb"}})", "has no timer named \"hb\" (it has \"beacon\")"},
        {R"({"timer": {"endpoint": "dev", "name": "hb", "run": "yes"}})", "\"run\" must be true"},
        {R"({"send": {"endpoint": "dev", "conn": 1e400, "text": "x"}})", "not JSON"},   // found by fuzz_command
        {"1055549e9499998", "not JSON"},
        {R"({"send_file": {"endpoint": "dev"}})", "\"path\" is missing"},
        {R"({"send_file": {"endpoint": "dev", "path": ""}})", "\"path\" is empty"},
        {R"({"send_file": {"endpoint": "dev", "path": "a", "chunk": 0}})", "\"chunk\" must be a whole number from 1 to 1048576"},
        {R"({"send_file": {"endpoint": "dev", "path": "a", "chunk": 100.5}})", "\"chunk\" must be a whole number from 1 to 1048576"},
        {R"({"send": {"endpoint": "dev", "conn": 1.5, "text": "x"}})", "\"conn\" must be a connection number"},
        {R"({"send_file": {"endpoint": "udp", "path": "a", "chunk": 65508}})", "from 1 to 65507"},
        {R"({"send_file": {"endpoint": "dev", "path": "a", "gap_ms": -1}})", "\"gap_ms\" must be"},
        {R"({"send_file": {"endpoint": "dev", "path": "a", "to": "127.0.0.1:9"}})", "\"to\" applies to udp"},
        {R"({"send_file": {"endpoint": "udp", "path": "a", "conn": 2}})", "\"conn\" applies to tcp"},
        {R"({"send_file": {"endpoint": "dev", "path": "a", "speed": 2}})", "unknown field \"speed\""},
        {R"({"cancel_file": {"endpoint": "dev", "transfer": "all"}})", "\"transfer\" must be"},
        {R"({"send": {"endpoint": "udp", "to": "nonsense", "text": "x"}})", "\"to\" must be \"host:port\""},
        {R"({"send": {"endpoint": "udp", "to": "127.0.0.1:0", "text": "x"}})", "port 0 is not a destination"},
        {R"({"send": {"endpoint": "udp", "to": "127.0.0.1:99999", "text": "x"}})", "port 99999 is out of range"},
        {R"({"command": {"endpoint": "dev", "name": "read reg", "to": "127.0.0.1:5"}})", "\"to\" applies to udp"},
    };
    for (const auto& [line, expected] : cases) {
        const auto action = interpretCommand(line, kEndpoints);
        EXPECT_NE(action.error.find(expected), std::string::npos) << line << " -> " << action.error;
        EXPECT_TRUE(action.commands.empty()) << line;
        EXPECT_FALSE(action.quit) << line;
    }
    // With the run's view of connections and file sends, naming one that is not there is an error.
    ChannelEndpoints tracked = kEndpoints;
    tracked["dev"].connections = std::set<std::uint64_t>{1, 2};
    tracked["dev"].transfers = std::map<std::uint64_t, std::string>{{5, ""}, {6, "done"}};
    EXPECT_TRUE(interpretCommand(R"({"send": {"endpoint": "dev", "conn": 2, "text": "x"}})", tracked).error.empty());
    EXPECT_NE(interpretCommand(R"({"send": {"endpoint": "dev", "conn": 3, "text": "x"}})", tracked).error.find("open: 1, 2"),
              std::string::npos);
    EXPECT_TRUE(interpretCommand(R"({"cancel_file": {"endpoint": "dev", "transfer": 5}})", tracked).error.empty());
    EXPECT_NE(interpretCommand(R"({"cancel_file": {"endpoint": "dev", "transfer": 6}})", tracked).error.find("already ended (done)"),
              std::string::npos);
    // A line nested 100,000 deep never reaches the recursive parser.
    const auto deep = interpretCommand(std::string(100'000, '['), kEndpoints);
    EXPECT_NE(deep.error.find("nested deeper"), std::string::npos) << deep.error;
}

/// A FIFO in a fresh temporary directory, removed afterwards.
class Fifo {
public:
    Fifo() {
        m_dir = std::filesystem::temp_directory_path() / ("sockscope-fifo-" + std::to_string(::getpid()));
        std::filesystem::create_directories(m_dir);
        m_path = (m_dir / "commands").string();
        ::mkfifo(m_path.c_str(), 0600);
    }
    ~Fifo() {
        if (m_fd >= 0) ::close(m_fd);
        std::filesystem::remove_all(m_dir);
    }
    const std::string& path() const { return m_path; }
    /// Opens the writing end without waiting for a reader (the app opens it read-write first).
    bool open() {
        for (int i = 0; i < 500 && m_fd < 0; ++i) {   // bounded: ENXIO until the reader exists
            m_fd = ::open(m_path.c_str(), O_WRONLY | O_NONBLOCK);
            if (m_fd < 0) std::this_thread::sleep_for(10ms);
        }
        return m_fd >= 0;
    }
    bool write(const std::string& line) { return writeRaw(line + "\n"); }
    bool writeRaw(const std::string& text) {
        return ::write(m_fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    }
    void close() {
        ::close(m_fd);
        m_fd = -1;
    }

private:
    std::filesystem::path m_dir;
    std::string m_path;
    int m_fd = -1;
};

/// The first output line whose "event" is `event` (and, if given, "line" is `number`).
std::optional<nlohmann::json> findEvent(Process& app, const std::string& event, std::uint64_t number = 0) {
    for (int turn = 0; turn < 500; ++turn) {   // bounded: 10 s
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == event && (number == 0 || line.value("line", std::uint64_t{0}) == number)) return line;
        std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
}

TEST(CommandChannelRun, AFifoDrivesARunCommandByCommand) {
    Fifo fifo;
    const auto profile = writeProfile("channel.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    const auto listening = findEvent(app, "listening");
    ASSERT_TRUE(listening) << app.err();
    ASSERT_TRUE(fifo.open());
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(portOf((*listening)["local"].get<std::string>())));
    ASSERT_TRUE(findEvent(app, "accepted"));

    ASSERT_TRUE(fifo.write(R"({"send": {"endpoint": "dev", "conn": 1, "hex": "01 03 00 00 00 01", "checksum": {"type": "crc16-modbus", "order": "little"}}})"));
    EXPECT_EQ(peer.receive(8), std::string("\x01\x03\x00\x00\x00\x01\x84\x0A", 8));
    const auto ack = findEvent(app, "ack", 1);
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["command"], "send");
    EXPECT_EQ((*ack)["bytes"], 8);

    ASSERT_TRUE(fifo.write("this is not json"));   // line 2: an error, and the run goes on
    const auto error = findEvent(app, "error", 2);
    ASSERT_TRUE(error);
    EXPECT_NE((*error)["error"]["message"].get<std::string>().find("not JSON"), std::string::npos);
    ASSERT_TRUE(fifo.write(R"({"send": {"endpoint": "dev", "text": "still here\r\n"}})"));   // line 3
    EXPECT_EQ(peer.receive(12), "still here\r\n");

    ASSERT_TRUE(fifo.write(R"({"close": {"endpoint": "dev", "conn": 1, "mode": "rst"}})"));   // line 4
    EXPECT_EQ(peer.waitForClose(), ECONNRESET);
    ASSERT_TRUE(findEvent(app, "closed"));
    ASSERT_TRUE(fifo.write(R"({"stop": {"endpoint": "dev"}})"));    // line 5
    ASSERT_TRUE(findEvent(app, "stopped"));
    ASSERT_TRUE(fifo.write(R"({"start": {"endpoint": "dev"}})"));   // line 6: the run outlived it
    ASSERT_TRUE(findEvent(app, "ack", 6));
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    const auto lines = jsonLines(app.out());
    std::size_t listenings = 0;
    for (const auto& line : lines) listenings += line["event"] == "listening";
    EXPECT_EQ(listenings, 2u) << "started again after the stop";
    EXPECT_EQ(lines.back()["event"], "summary");
}

TEST(CommandChannelRun, AFifoWriterThatLeavesWithoutANewlineDoesNotGlueItsLineToTheNextWriters) {
    // `printf '{"send": ...}' > fifo` (no final newline), then another writer: two commands.
    Fifo fifo;
    const auto profile = writeProfile("channel-nonl.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    const auto listening = findEvent(app, "listening");
    ASSERT_TRUE(listening) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(portOf((*listening)["local"].get<std::string>())));
    ASSERT_TRUE(findEvent(app, "accepted"));
    ASSERT_TRUE(fifo.open());
    ASSERT_TRUE(fifo.writeRaw(R"({"send": {"endpoint": "dev", "text": "A"}})"));
    fifo.close();
    EXPECT_EQ(peer.receive(1), "A") << "the writer's last line was carried out without waiting for another writer";
    ASSERT_TRUE(fifo.open());
    ASSERT_TRUE(fifo.write(R"({"send": {"endpoint": "dev", "text": "B"}})"));
    EXPECT_EQ(peer.receive(1), "B");
    ASSERT_TRUE(findEvent(app, "ack", 2)) << app.out();
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    for (const auto& line : jsonLines(app.out())) EXPECT_NE(line["event"], "error") << line.dump();
}

TEST(CommandChannelRun, ProfileSourcesRunHeadlessAndAnswerTheChannel) {
    Fifo fifo;
    const auto profile = writeProfile("channel-sources.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0",
         "on_connect": {"text": "HELLO\r\n"},
         "commands": [{"name": "read reg", "hex": "01 03 00 00 00 01", "checksum": {"type": "crc16-modbus", "order": "little"}}],
         "timers": [{"name": "hb", "every_ms": 5, "count": 3, "send": {"text": "HB{{counter}};"}}]}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    const auto listening = findEvent(app, "listening");
    ASSERT_TRUE(listening) << app.err();
    ASSERT_TRUE(fifo.open());
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(portOf((*listening)["local"].get<std::string>())));
    EXPECT_EQ(peer.receive(7), "HELLO\r\n") << "on_connect comes first";
    ASSERT_TRUE(fifo.write(R"({"command": {"endpoint": "dev", "name": "read reg"}})"));
    EXPECT_EQ(peer.receive(8), std::string("\x01\x03\x00\x00\x00\x01\x84\x0A", 8));
    ASSERT_TRUE(fifo.write(R"({"timer": {"endpoint": "dev", "name": "hb", "run": true}})"));
    EXPECT_EQ(peer.receive(12), "HB0;HB1;HB2;");
    const auto stopped = findEvent(app, "timer");
    ASSERT_TRUE(stopped);
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    bool finished = false;
    for (const auto& line : jsonLines(app.out()))
        finished = finished || (line["event"] == "timer" && line["running"] == false && line["sent"] == 3);
    EXPECT_TRUE(finished) << app.out();
}

TEST(CommandChannelRun, SendFileIsAckedThenReportsItsEnd) {
    Fifo fifo;
    const auto profile = writeProfile("channel-file.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    const std::string path = profile + ".bin";
    std::string content;
    for (std::uint32_t i = 0; i < 300'000; ++i) content.push_back(static_cast<char>((i * 7919u) >> 3));
    std::ofstream(path, std::ios::binary) << content;
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--quiet", "--commands", fifo.path(), "--for", "60"});
    const auto listening = findEvent(app, "listening");
    ASSERT_TRUE(listening) << app.err();
    ASSERT_TRUE(fifo.open());
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(portOf((*listening)["local"].get<std::string>())));
    ASSERT_TRUE(findEvent(app, "accepted"));
    ASSERT_TRUE(fifo.write(R"({"send_file": {"endpoint": "dev", "path": ")" + path + R"(", "chunk": 1024, "gap_ms": 0}})"));
    const std::string received = peer.receive(content.size(), 10'000);
    ASSERT_EQ(received.size(), content.size()) << app.out() << app.err();
    EXPECT_TRUE(received == content) << "byte-exact at the peer";
    const auto ack = findEvent(app, "ack", 1);
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["command"], "send_file");
    EXPECT_EQ((*ack)["transfer"], 1);
    std::optional<nlohmann::json> done;
    for (int turn = 0; turn < 500 && !done; ++turn) {   // bounded: 10 s
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "send_file" && line["state"] != "running") done = line;
        if (!done) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(done) << app.out();
    EXPECT_EQ((*done)["state"], "done");
    EXPECT_EQ((*done)["transfer"], 1);
    EXPECT_EQ((*done)["sent"], content.size());
    EXPECT_EQ((*done)["total"], content.size());
    // A missing file: acked (the engine reads it), then a failed send_file naming it in plain words.
    ASSERT_TRUE(fifo.write(R"({"send_file": {"endpoint": "dev", "path": "/nonexistent/fw.bin"}})"));
    std::optional<nlohmann::json> failed;
    for (int turn = 0; turn < 500 && !failed; ++turn) {
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "send_file" && line["state"] == "failed") failed = line;
        if (!failed) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(failed) << app.out();
    EXPECT_EQ((*failed)["transfer"], 2);
    EXPECT_EQ((*failed)["error"]["code"], "ENOENT");
    EXPECT_NE((*failed)["error"]["message"].get<std::string>().find("/nonexistent/fw.bin"), std::string::npos);
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    std::remove(path.c_str());
}

// Tester item: a quit right after 5,000 udp sends printed a summary short of them (the last
// counts were taken before the stop sent what was queued, which it then dropped and said so).
// A graceful stop now hands the kernel what it takes, and the summary counts it.
TEST(CommandChannelRun, AQuitRightAfterManyUdpSendsSendsThemAndCountsThemAll) {
    SocketPeer device;
    ASSERT_TRUE(device.bindUdp());
    const auto profile = writeProfile("channel-burst.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "u", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:)" + std::to_string(device.localPort()) + R"("}]})");
    constexpr int kSends = 20000;   // enough that the queue is rarely empty at the quit
    const std::string commands = profile + ".commands";
    {
        std::ofstream out(commands);
        for (int i = 0; i < kSends; ++i) out << R"({"send": {"endpoint": "u", "text": "m)" << i << "\"}}\n";
        out << R"({"quit": {}})" << '\n';
    }
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--quiet", "--commands", commands, "--for", "60"});
    EXPECT_EQ(app.wait(20s), 0) << app.err();
    const auto lines = jsonLines(app.out());
    ASSERT_FALSE(lines.empty());
    const auto& summary = lines.back();
    ASSERT_EQ(summary["event"], "summary");
    EXPECT_EQ(summary["endpoints"][0]["tx_messages"], kSends) << summary.dump();
    EXPECT_EQ(summary["endpoints"][0]["errors"], 0) << app.out().substr(0, 2000);
    std::remove(commands.c_str());
}

TEST(CommandChannelRun, TheEndOfTheInputDoesNotEndTheRun) {
    const auto profile = writeProfile("channel-eof.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    const auto started = std::chrono::steady_clock::now();
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", "/dev/null", "--for", "1"});
    EXPECT_EQ(app.wait(20s), 0) << app.err();
    EXPECT_GE(std::chrono::steady_clock::now() - started, 1s) << "ran until --for, not until the input ended";
    EXPECT_EQ(jsonLines(app.out()).back()["event"], "summary");
}

TEST(CommandChannelRun, LineTimesNeverGoBackwardsWhenAnswersAndTheirSendsInterleave) {
    // Many command lines read at once: their acks and the tx events of their sends (stamped by
    // the I/O thread between two acks) share stdout; each line's time is >= the line before.
    SocketPeer sink;
    ASSERT_TRUE(sink.bindUdp());
    const auto profile = writeProfile("channel-order.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "u", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:)" +
                                                              std::to_string(sink.localPort()) + R"("}]})");
    const std::string commands = profile + ".commands";
    {
        std::ofstream file(commands);
        for (int i = 0; i < 300; ++i) file << R"({"send": {"endpoint": "u", "text": "n{{counter}}"}})" << '\n';
    }
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", commands, "--for", "2"});
    EXPECT_EQ(app.wait(20s), 0) << app.err();
    std::string previous;
    std::size_t acks = 0, txs = 0;
    for (const auto& line : jsonLines(app.out())) {
        const std::string time = line["time"].get<std::string>();   // RFC 3339 UTC, fixed width: ordered as text
        EXPECT_GE(time, previous) << line.dump();
        previous = time;
        acks += line["event"] == "ack";
        txs += line["event"] == "tx";
    }
    EXPECT_EQ(acks, 300u);
    EXPECT_EQ(txs, 300u);
    std::remove(commands.c_str());
}

/// A TCP client that streams bytes to 127.0.0.1:port from a thread of its own until destroyed
/// (non-blocking writes: a peer that stops reading never holds the thread).
class Flood {
public:
    explicit Flood(std::uint16_t port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        if (!m_connected) return;
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
        m_thread = std::thread([this] {
            std::string block(64 * 1024, '\0');
            for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>((i * 7919u) >> 3);
            while (!m_stop.load()) {
                pollfd p{m_fd, POLLOUT, 0};
                if (::poll(&p, 1, 50) > 0) (void)::send(m_fd, block.data(), block.size(), MSG_NOSIGNAL);
            }
        });
    }
    ~Flood() {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
        ::close(m_fd);
    }
    bool connected() const { return m_connected; }

private:
    int m_fd = -1;
    bool m_connected = false;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

/// Commands whose answer lines (`ack`, by line number) are complete in `out`.
std::set<std::uint64_t> ackedLines(const std::string& out) {
    std::set<std::uint64_t> acked;
    std::size_t begin = 0;
    for (std::size_t end; (end = out.find('\n', begin)) != std::string::npos; begin = end + 1) {
        const std::string_view line(out.data() + begin, end - begin);
        if (line.find("\"event\":\"ack\"") == std::string_view::npos) continue;
        acked.insert(nlohmann::json::parse(line)["line"].get<std::uint64_t>());
    }
    return acked;
}

TEST(CommandChannelRun, EveryCommandIsAnsweredWhileBulkDataFillsTheOutput) {
    // A peer streams bulk data (its rx lines keep the 4 MiB output buffer full) while a reader
    // takes stdout slowly but steadily; every command line must still get its ack.
    Fifo fifo;
    const auto profile = writeProfile("channel-bulk.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    test::PipedProcess app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "120"});
    ASSERT_TRUE(app.readUntil("\"event\":\"listening\"")) << app.err();
    std::uint16_t port = 0;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "listening") port = portOf(line["local"].get<std::string>());
    ASSERT_NE(port, 0);
    ASSERT_TRUE(fifo.open());
    Flood flood(port);
    ASSERT_TRUE(flood.connected());
    constexpr auto kPause = 5ms;   // ~64 KiB per read: far slower than the runner prints rx lines
    ASSERT_TRUE(app.readBytes(app.out().size() + (8u << 20), 30s, kPause)) << "the flood reaches stdout";
    constexpr std::uint64_t kCommands = 20;
    for (std::uint64_t i = 1; i <= kCommands; ++i) {
        ASSERT_TRUE(fifo.write(R"({"send": {"endpoint": "dev", "text": "c)" + std::to_string(i) + R"("}})"));
        ASSERT_TRUE(app.readBytes(app.out().size() + (512u << 10), 30s, kPause));
    }
    std::set<std::uint64_t> acked;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (acked.size() < kCommands && std::chrono::steady_clock::now() < deadline) {
        if (!app.readBytes(app.out().size() + (1u << 20), 5s, kPause)) break;
        acked = ackedLines(app.out());
    }
    acked = ackedLines(app.out());
    EXPECT_EQ(acked.size(), kCommands) << "every command line is answered, whatever the data traffic";
    for (std::uint64_t i = 1; i <= kCommands; ++i) EXPECT_TRUE(acked.count(i)) << "line " << i;
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_TRUE(app.readToEnd(60s));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
}

/// The answer (`ack` or `error`) to command line `number`, once it is in the output (bounded).
std::optional<nlohmann::json> answerTo(Process& app, std::uint64_t number) {
    for (int turn = 0; turn < 500; ++turn) {   // bounded: 10 s
        for (const auto& line : jsonLines(app.out()))
            if ((line["event"] == "ack" || line["event"] == "error") && line.value("line", std::uint64_t{0}) == number)
                return line;
        std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
}

TEST(CommandChannelRun, ACommandNamingWhatDoesNotExistGetsAnErrorInsteadOfAnAck) {
    Fifo fifo;
    SocketPeer sink;
    ASSERT_TRUE(sink.bindUdp());
    const auto profile = writeProfile("channel-exists.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0", "commands": [{"name": "q", "text": "Q"}]},
        {"name": "u", "type": "udp", "bind": "127.0.0.1:0", "commands": [{"name": "q", "text": "Q"}]}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    ASSERT_TRUE(findEvent(app, "listening")) << app.err();
    ASSERT_TRUE(findEvent(app, "bound")) << app.err();
    ASSERT_TRUE(fifo.open());
    const std::vector<std::pair<std::string, std::string>> refused = {
        {R"({"send": {"endpoint": "dev", "conn": 99, "text": "x"}})", "no connection #99"},
        {R"({"close": {"endpoint": "dev", "conn": 99}})", "no connection #99"},
        {R"({"stop_reading": {"endpoint": "dev", "conn": 99}})", "no connection #99"},
        {R"({"command": {"endpoint": "dev", "name": "q", "conn": 99}})", "no connection #99"},
        {R"({"send_file": {"endpoint": "dev", "path": "/etc/hostname", "conn": 99}})", "no connection #99"},
        {R"({"send": {"endpoint": "u", "to": "nonsense", "text": "x"}})", "\"host:port\""},
        {R"({"send": {"endpoint": "u", "to": "127.0.0.1:99999", "text": "x"}})", "port 99999 is out of range"},
        {R"({"send": {"endpoint": "u", "to": "127.0.0.1:0", "text": "x"}})", "port 0"},
        {R"({"send_file": {"endpoint": "u", "path": "/etc/hostname", "to": "127.0.0.1:0"}})", "port 0"},
        {R"({"cancel_file": {"endpoint": "dev", "transfer": 42}})", "no file send #42"},
    };
    for (const auto& [line, expected] : refused) ASSERT_TRUE(fifo.write(line));
    for (std::uint64_t i = 1; i <= refused.size(); ++i) {
        const auto answer = answerTo(app, i);
        ASSERT_TRUE(answer) << "line " << i << ": " << app.out();
        EXPECT_EQ((*answer)["event"], "error") << refused[i - 1].first << " -> " << answer->dump();
        EXPECT_EQ((*answer)["error"]["code"], "bad_command");
        EXPECT_NE((*answer)["error"]["message"].get<std::string>().find(refused[i - 1].second), std::string::npos)
            << answer->dump();
    }
    // A saved command on udp takes "to" as send does; a connection that exists is taken.
    const auto line = refused.size() + 1;
    ASSERT_TRUE(fifo.write(R"({"command": {"endpoint": "u", "name": "q", "to": "127.0.0.1:)" +
                           std::to_string(sink.localPort()) + R"("}})"));
    const auto ack = answerTo(app, line);
    ASSERT_TRUE(ack);
    EXPECT_EQ((*ack)["event"], "ack") << ack->dump();
    EXPECT_EQ(sink.receiveDatagram(), "Q");
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    for (const auto& out : jsonLines(app.out()))
        EXPECT_FALSE(out["event"] == "ack" && out["line"].get<std::uint64_t>() < line) << out.dump();
}

TEST(CommandChannelRun, TwoObjectsGluedWithoutANewlineAreTwoCommands) {
    // Two FIFO writers in quick succession, each without a final newline: `{...}{...}`, and the
    // next writer's well-formed lines after them. All four are carried out.
    Fifo fifo;
    const auto profile = writeProfile("channel-glue.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    const auto listening = findEvent(app, "listening");
    ASSERT_TRUE(listening) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(portOf((*listening)["local"].get<std::string>())));
    ASSERT_TRUE(findEvent(app, "accepted"));
    ASSERT_TRUE(fifo.open());
    ASSERT_TRUE(fifo.writeRaw(R"({"send": {"endpoint": "dev", "text": "p1"}}{"send": {"endpoint": "dev", "text": "p2"}})"));
    ASSERT_TRUE(fifo.writeRaw(R"({"send": {"endpoint": "dev", "text": "e1"}})" "\n"
                              R"({"send": {"endpoint": "dev", "text": "e2"}})" "\n"));
    EXPECT_EQ(peer.receive(8), "p1p2e1e2");
    for (std::uint64_t i = 1; i <= 4; ++i) {
        const auto answer = answerTo(app, i);
        ASSERT_TRUE(answer) << app.out();
        EXPECT_EQ((*answer)["event"], "ack") << answer->dump();
    }
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
}

TEST(CommandChannelRun, BracesInsideStringsDoNotSplitALine) {
    SocketPeer sink;
    ASSERT_TRUE(sink.bindUdp());
    const auto profile = writeProfile("channel-split.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "u", "type": "udp", "bind": "127.0.0.1:0", "remote": "127.0.0.1:)" +
                                                              std::to_string(sink.localPort()) + R"("}]})");
    const std::string commands = profile + ".commands";
    // One line holding two objects (a blank between them); the first one's text has `}{` and an
    // escaped quote inside its string. The second line is one object with `}{` in its text only.
    std::ofstream(commands) << R"({"send": {"endpoint": "u", "text": "a}{\"b"}} {"send": {"endpoint": "u", "text": "2"}})" "\n"
                            << R"({"send": {"endpoint": "u", "text": "{}{"}})" "\n";
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", commands, "--for", "60"});
    EXPECT_EQ(sink.receiveDatagram(), "a}{\"b");
    EXPECT_EQ(sink.receiveDatagram(), "2");
    EXPECT_EQ(sink.receiveDatagram(), "{}{");
    for (std::uint64_t i = 1; i <= 3; ++i) {
        const auto answer = answerTo(app, i);
        ASSERT_TRUE(answer) << app.out();
        EXPECT_EQ((*answer)["event"], "ack") << answer->dump();
    }
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    std::remove(commands.c_str());
}

TEST(CommandChannelRun, QuitDuringAFileSendPrintsItsEnd) {
    Fifo fifo;
    const auto profile = writeProfile("channel-quitfile.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    const std::string path = profile + ".bin";
    std::ofstream(path, std::ios::binary) << std::string(1'000'000, 'f');
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--quiet", "--commands", fifo.path(), "--for", "60"});
    const auto listening = findEvent(app, "listening");
    ASSERT_TRUE(listening) << app.err();
    SocketPeer peer;
    ASSERT_TRUE(peer.connectTcp(portOf((*listening)["local"].get<std::string>())));
    ASSERT_TRUE(findEvent(app, "accepted"));
    ASSERT_TRUE(fifo.open());
    // 1,000 chunks with a gap of 50 ms each: still running when the quit comes.
    ASSERT_TRUE(fifo.write(R"({"send_file": {"endpoint": "dev", "path": ")" + path + R"(", "chunk": 1000, "gap_ms": 50}})"));
    ASSERT_TRUE(findEvent(app, "send_file"));
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    std::optional<nlohmann::json> end;
    for (const auto& line : jsonLines(app.out()))
        if (line["event"] == "send_file" && line["state"] != "running") end = line;
    ASSERT_TRUE(end) << app.out();
    EXPECT_EQ((*end)["state"], "cancelled");
    EXPECT_EQ((*end)["transfer"], 1);
    EXPECT_LT((*end)["sent"].get<std::uint64_t>(), 1'000'000u);
    std::remove(path.c_str());
}

TEST(CommandChannelRun, ADirectoryAsTheSourceIsAUsageError) {
    const auto profile = writeProfile("channel-dir.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    const std::string dir = std::filesystem::temp_directory_path().string();
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--commands", dir, "--for", "5"});
    EXPECT_EQ(app.wait(20s), 2);
    EXPECT_NE(app.err().find("is a directory"), std::string::npos) << app.err();
}

TEST(CommandChannelRun, ATimerWhoseSendsAreRefusedCountsThemFailedNotSent) {
    // udp, no remote and nobody has sent yet: every tick's send is refused (no destination).
    const auto profile = writeProfile("channel-timerfail.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "u", "type": "udp", "bind": "127.0.0.1:0",
         "timers": [{"name": "t", "every_ms": 10, "count": 3, "auto_start": true, "send": {"text": "x"}}]}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", "/dev/null", "--for", "60"});
    std::optional<nlohmann::json> end;
    for (int turn = 0; turn < 500 && !end; ++turn) {   // bounded: 10 s
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "timer" && line["running"] == false) end = line;
        if (!end) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(end) << app.out();
    EXPECT_EQ((*end)["sent"], 0) << end->dump();
    EXPECT_EQ((*end)["failed"], 3) << end->dump();
    app.signal(SIGTERM);
    EXPECT_EQ(app.wait(10s), 0) << app.err();
}

TEST(CommandChannelRun, ATimerDestinationThatIsNotHostPortIsRefusedAtLoad) {
    for (const std::string to : {"nohost", "127.0.0.1:0", "127.0.0.1:99999"}) {
        const auto profile = writeProfile("channel-timerto.json", R"({"version": 1, "name": "t", "endpoints": [
            {"name": "u", "type": "udp", "bind": "127.0.0.1:0",
             "timers": [{"name": "t", "to": ")" + to + R"(", "every_ms": 100, "send": {"text": "x"}}]}]})");
        Process app({SOCKSCOPE_BINARY, "--headless", profile, "--for", "5"});
        EXPECT_EQ(app.wait(20s), 2) << to;
        EXPECT_NE(app.err().find("endpoints[0].timers[0].to"), std::string::npos) << app.err();
        EXPECT_NE(app.err().find("host:port"), std::string::npos) << app.err();
    }
}

TEST(CommandChannelRun, AnUnreadableSourceIsAUsageError) {
    const auto profile = writeProfile("channel-missing.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--commands", "/nonexistent/commands.jsonl"});
    EXPECT_EQ(app.wait(20s), 2);
    EXPECT_NE(app.err().find("cannot open \"/nonexistent/commands.jsonl\""), std::string::npos) << app.err();
}

// Issue 7: a timer "to a connection, all connections, or a UDP destination". Started with a
// conn, only that client gets its ticks; it stops when that connection closes.
TEST(CommandChannelRun, ATimerStartedWithAConnSendsToThatConnectionOnly) {
    Fifo fifo;
    const auto profile = writeProfile("channel-timer-conn.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0",
         "timers": [{"name": "hb", "every_ms": 5, "send": {"text": "T"}}]}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    const auto listening = findEvent(app, "listening");
    ASSERT_TRUE(listening) << app.err();
    ASSERT_TRUE(fifo.open());
    const auto port = portOf((*listening)["local"].get<std::string>());
    SocketPeer first, second;
    ASSERT_TRUE(first.connectTcp(port));
    ASSERT_TRUE(findEvent(app, "accepted"));
    ASSERT_TRUE(second.connectTcp(port));
    std::optional<std::uint64_t> second_id;
    for (int turn = 0; turn < 500 && !second_id; ++turn) {   // bounded: 10 s
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "accepted" && line["conn"] != 1) second_id = line["conn"].get<std::uint64_t>();
        if (!second_id) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(second_id) << app.out();
    ASSERT_TRUE(fifo.write(R"({"timer": {"endpoint": "dev", "name": "hb", "conn": )" + std::to_string(*second_id) + "}}"));
    EXPECT_EQ(second.receive(3), "TTT");
    EXPECT_EQ(first.receive(1, 100), "") << "the other client gets none of its ticks";
    ASSERT_TRUE(fifo.write(R"({"close": {"endpoint": "dev", "conn": )" + std::to_string(*second_id) + "}}"));
    std::optional<nlohmann::json> stopped;
    for (int turn = 0; turn < 500 && !stopped; ++turn) {
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "timer" && line["running"] == false) stopped = line;
        if (!stopped) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(stopped) << "its connection closed: the timer stopped\n" << app.out();
    EXPECT_EQ((*stopped)["conn"], *second_id);
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
}

// The summary's state is the state the run ended in: "stopped" after a stop over the channel;
// "listening" for an endpoint still listening at the quit, whose "stopped" line (the run's own
// stop) says "reason": "end of run" so that it does not contradict the summary.
TEST(CommandChannelRun, TheSummaryStateAgreesWithTheStoppedLines) {
    Fifo fifo;
    const auto profile = writeProfile("channel-stop-summary.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"},
        {"name": "other", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    ASSERT_TRUE(findEvent(app, "listening")) << app.err();
    ASSERT_TRUE(fifo.open());
    ASSERT_TRUE(fifo.write(R"({"stop": {"endpoint": "dev"}})"));
    ASSERT_TRUE(findEvent(app, "stopped"));
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    const auto lines = jsonLines(app.out());
    ASSERT_FALSE(lines.empty());
    ASSERT_EQ(lines.back()["event"], "summary");
    std::map<std::string, nlohmann::json> stopped;   // the last "stopped" line of each endpoint
    for (const auto& line : lines)
        if (line["event"] == "stopped") stopped[line["endpoint"].get<std::string>()] = line;
    ASSERT_EQ(stopped.size(), 2u) << app.out();
    EXPECT_FALSE(stopped["dev"].contains("reason")) << "stopped by a command: " << stopped["dev"].dump();
    EXPECT_EQ(stopped["other"]["reason"], "end of run") << stopped["other"].dump();
    for (const auto& e : lines.back()["endpoints"])
        EXPECT_EQ(e["state"], e["endpoint"] == "dev" ? "stopped" : "listening") << lines.back().dump();
}

/// A `stop` and a `quit` that arrive together: the stopped line says what stopped the endpoint.
/// stop, then quit: the stop's line (no "end of run"), before the summary, which says "stopped"
/// (the label comes with the status from the engine: the run's own stop is the engine's shutdown,
/// however late the runner drains the command's status). quit, then stop: quit is the last line
/// the run takes, so the stop is neither carried out nor answered and the endpoint stops with the
/// run ("end of run"; before, it was stopped by a command that came after the run had ended).
TEST(CommandChannelRun, AStopAndAQuitInOneBatchAreLabelledByWhatStoppedTheEndpoint) {
    const std::string stop = R"({"stop": {"endpoint": "dev"}})", quit = R"({"quit": {}})";
    for (const bool stop_first : {true, true, true, false}) {
        SCOPED_TRACE(stop_first ? "stop, then quit" : "quit, then stop");
        Fifo fifo;
        const auto profile = writeProfile("channel-stop-quit.json", R"({"version": 1, "name": "t", "endpoints": [
            {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"},
            {"name": "other", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
        Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
        bool both = false;
        for (int turn = 0; turn < 500 && !both; ++turn) {   // bounded: 10 s
            std::size_t listening = 0;
            for (const auto& line : jsonLines(app.out())) listening += line["event"] == "listening";
            both = listening == 2;
            if (!both) std::this_thread::sleep_for(20ms);
        }
        ASSERT_TRUE(both) << app.err();
        ASSERT_TRUE(fifo.open());
        ASSERT_TRUE(fifo.writeRaw(stop_first ? stop + "\n" + quit + "\n" : quit + "\n" + stop + "\n"));
        EXPECT_EQ(app.wait(10s), 0) << app.err();
        const auto lines = jsonLines(app.out());
        ASSERT_FALSE(lines.empty());
        ASSERT_EQ(lines.back()["event"], "summary") << app.out();
        std::vector<nlohmann::json> dev_stopped, answers;
        std::size_t first_end_of_run = lines.size();
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto& line = lines[i];
            if (line["event"] == "ack" || line["event"] == "error") answers.push_back(line);
            if (line["event"] != "stopped") continue;
            if (line.value("reason", "") == "end of run") first_end_of_run = std::min(first_end_of_run, i);
            if (line["endpoint"] == "dev") dev_stopped.push_back(line);
        }
        ASSERT_EQ(dev_stopped.size(), 1u) << app.out();
        std::map<std::string, std::string> state;
        for (const auto& e : lines.back()["endpoints"]) state[e["endpoint"].get<std::string>()] = e["state"];
        EXPECT_EQ(state["other"], "listening") << lines.back().dump();
        if (stop_first) {
            ASSERT_EQ(answers.size(), 2u) << app.out();
            EXPECT_EQ(answers[0]["command"], "stop");
            EXPECT_EQ(answers[1]["command"], "quit");
            EXPECT_FALSE(dev_stopped[0].contains("reason")) << "stopped by the command: " << dev_stopped[0].dump();
            EXPECT_EQ(state["dev"], "stopped") << lines.back().dump();
            std::size_t dev_at = 0;
            for (std::size_t i = 0; i < lines.size(); ++i)
                if (lines[i]["event"] == "stopped" && lines[i]["endpoint"] == "dev") dev_at = i;
            EXPECT_LT(dev_at, first_end_of_run) << "the command's stop comes before the run's own: " << app.out();
        } else {
            ASSERT_EQ(answers.size(), 1u) << "the line after quit is not taken: " << app.out();
            EXPECT_EQ(answers[0]["command"], "quit");
            EXPECT_EQ(dev_stopped[0].value("reason", ""), "end of run") << dev_stopped[0].dump();
            EXPECT_EQ(state["dev"], "listening") << "the run's own stop does not count: " << lines.back().dump();
        }
    }
}

// send_file with nobody connected: the file is checked first (ENOENT for a missing one), and a
// readable one fails ENOTCONN with its size as the total.
TEST(CommandChannelRun, SendFileWithNoClientChecksTheFileFirst) {
    Fifo fifo;
    const auto profile = writeProfile("channel-file-noclient.json", R"({"version": 1, "name": "t", "endpoints": [
        {"name": "dev", "type": "tcp-server", "bind": "127.0.0.1:0"}]})");
    const std::string path = profile + ".bin";
    std::ofstream(path, std::ios::binary) << std::string(4321, 'f');
    Process app({SOCKSCOPE_BINARY, "--headless", profile, "--log", "jsonl", "--commands", fifo.path(), "--for", "60"});
    ASSERT_TRUE(findEvent(app, "listening")) << app.err();
    ASSERT_TRUE(fifo.open());
    ASSERT_TRUE(fifo.write(R"({"send_file": {"endpoint": "dev", "path": "/nonexistent/fw.bin"}})"));
    ASSERT_TRUE(fifo.write(R"({"send_file": {"endpoint": "dev", "path": ")" + path + R"("}})"));
    std::map<std::uint64_t, nlohmann::json> ends;
    for (int turn = 0; turn < 500 && ends.size() < 2; ++turn) {   // bounded: 10 s
        for (const auto& line : jsonLines(app.out()))
            if (line["event"] == "send_file" && line["state"] != "running") ends[line["transfer"].get<std::uint64_t>()] = line;
        if (ends.size() < 2) std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(ends.size(), 2u) << app.out();
    EXPECT_EQ(ends[1]["error"]["code"], "ENOENT") << ends[1].dump();
    EXPECT_EQ(ends[2]["error"]["code"], "ENOTCONN") << ends[2].dump();
    EXPECT_EQ(ends[2]["total"], 4321) << ends[2].dump();
    ASSERT_TRUE(fifo.write(R"({"quit": {}})"));
    EXPECT_EQ(app.wait(10s), 0) << app.err();
    std::remove(path.c_str());
}

}  // namespace
}  // namespace sockscope
