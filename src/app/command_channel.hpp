#pragma once
// The headless command channel (`--commands SOURCE`): JSON lines from stdin ("-"), a file or a
// FIFO, one command per line. A thread of its own reads them (a blocked read never stalls the
// run); the run takes the lines, interprets them and answers each with an `ack` or `error` line.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/commands.hpp"

namespace sockscope {

/// One line as read, numbered from 1.
struct ChannelLine {
    std::uint64_t number = 0;
    std::string text;
    bool too_long = false;   // over kMaxChannelLine: `text` holds its start only
};

/// The longest command line taken whole (a hex payload of ~1.3 MB); longer ones are an error.
constexpr std::size_t kMaxChannelLine = 4u << 20;

class CommandReader {
public:
    /// "-" reads stdin; anything else is opened as a file or FIFO (a FIFO is reopened after each
    /// writer leaves, so several writers may come and go). Returns nullptr and sets `error`.
    static std::unique_ptr<CommandReader> open(const std::string& source, std::string& error);
    ~CommandReader();
    CommandReader(const CommandReader&) = delete;
    CommandReader& operator=(const CommandReader&) = delete;

    /// The lines read since the last call (at most `max`).
    std::vector<ChannelLine> take(std::size_t max = 256);
    /// The source ended (end of a file or stdin) and every line was taken. The run goes on.
    bool ended() const;

private:
    /// What the reader thread and the run share, held by both: on Windows the thread is detached
    /// at exit (a blocking console read cannot be interrupted) and must not outlive what it uses.
    struct Shared {
        mutable std::mutex mutex;
        std::condition_variable room;
        std::deque<ChannelLine> lines;   // bounded: the reader waits when kMaxQueued are unread
        bool eof = false;
        bool stop = false;
    };
    CommandReader(int fd, bool fifo, std::string path);
    static void run(int fd, bool fifo, Shared& shared);
    static void push(Shared& shared, ChannelLine line);

    int m_fd;
    bool m_fifo;
    std::string m_path;
    std::shared_ptr<Shared> m_shared = std::make_shared<Shared>();
    std::thread m_thread;
};

/// Endpoint names of the run, for commands that name one.
struct ChannelEndpoint {
    EndpointId id = 0;
    EndpointType type = EndpointType::TcpServer;
    std::vector<std::string> commands;   // its saved commands' names
    std::vector<std::string> timers;     // its timers' names
    /// The run's view of the connections open now (tcp), so that a command naming one that does
    /// not exist is an error instead of an ack; unset: not tracked, any number is taken.
    std::optional<std::set<std::uint64_t>> connections = std::nullopt;
    /// The channel's file sends (numbered by their line): "" while running, else how each ended;
    /// unset: not tracked.
    std::optional<std::map<std::uint64_t, std::string>> transfers = std::nullopt;
};
using ChannelEndpoints = std::map<std::string, ChannelEndpoint, std::less<>>;

/// What one command line asks for.
struct ChannelAction {
    std::string verb;                  // "send", "close", ... ("" when the line is not a command)
    std::string endpoint;              // the endpoint named, if any
    std::vector<Command> commands;     // for the engine, in order
    bool quit = false;
    std::size_t bytes = 0;             // send: the payload's size
    std::string error;                 // set: nothing is done; the run answers with this
};

/// Interprets one line: {"send": {...}}, {"command": {...}}, {"close": {...}}, {"start": {...}},
/// {"stop": {...}}, {"send_file": {...}}, {"timer": {...}}, {"quit": {}} (docs/headless.md).
/// `counter` backs {{counter}} in the payloads of `send` (one counter per channel); may be null.
ChannelAction interpretCommand(std::string_view line, const ChannelEndpoints& endpoints,
                               CounterState* counter = nullptr);

}  // namespace sockscope
