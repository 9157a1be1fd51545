#include "app/command_channel.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <span>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/codec/payload_template.hpp"
#include "core/net/address.hpp"
#include "core/net/file_send.hpp"
#include "core/profile/json_reader.hpp"
#include "core/profile/payload_json.hpp"
#include "core/registry/endpoint_registry.hpp"
#include "core/profile/profile.hpp"
#include "core/registry/shapes.hpp"

#if defined(_WIN32)
#include <io.h>
#else
#include <poll.h>
#include <unistd.h>
#endif

namespace sockscope {
namespace {

using Json = jsonio::Json;   // as payload_json reads it

/// Lines read but not yet taken by the run; beyond it the reader waits (the writer is held back).
constexpr std::size_t kMaxQueued = 1024;

/// Where a line being read stands in JSON terms, so that objects written back to back without a
/// newline (two FIFO writers in quick succession: `{...}{...}`) become separate lines.
class TopLevelSplitter {
public:
    /// Whether `c` starts a new top-level object right after a complete one (split before it).
    bool startsNewObject(char c) const { return c == '{' && m_complete && !m_inString && m_depth == 0; }
    void take(char c) {
        if (m_inString) {
            if (m_escaped) m_escaped = false;
            else if (c == '\\') m_escaped = true;
            else if (c == '"') m_inString = false;
            return;
        }
        const bool closes_object = c == '}' && m_depth == 1;
        if (c == '"') m_inString = true;
        else if (c == '{' || c == '[') ++m_depth;
        else if ((c == '}' || c == ']') && m_depth > 0) --m_depth;
        if (c != ' ' && c != '\t' && c != '\r') m_complete = closes_object;
    }
    void reset() { *this = TopLevelSplitter{}; }

private:
    int m_depth = 0;
    bool m_inString = false, m_escaped = false;
    bool m_complete = false;   // the text so far ends with a whole top-level object (and blanks)
};

#if defined(_WIN32)
int readSome(int fd, char* buffer, unsigned size) { return ::_read(fd, buffer, size); }
#else
ssize_t readSome(int fd, char* buffer, std::size_t size) { return ::read(fd, buffer, size); }
#endif

}  // namespace

std::unique_ptr<CommandReader> CommandReader::open(const std::string& source, std::string& error) {
    if (source == "-") return std::unique_ptr<CommandReader>(new CommandReader(0, false, source));
    std::error_code ec;
    if (std::filesystem::is_directory(source, ec)) {   // open() would take it, and read() fail later
        error = "--commands: \"" + source + "\" is a directory; give a file, a FIFO or - (stdin)";
        return nullptr;
    }
    bool fifo = false;
#if !defined(_WIN32)
    struct stat info {};
    fifo = ::stat(source.c_str(), &info) == 0 && S_ISFIFO(info.st_mode);
#endif
    // A FIFO is opened read-write: opening never waits for a writer, and the last writer leaving
    // is not an end of input (the channel stays open for the next one).
    const int fd = ::open(source.c_str(), fifo ? O_RDWR : O_RDONLY);
    if (fd < 0) {
        error = "--commands: cannot open \"" + source + "\": " + std::strerror(errno);
        return nullptr;
    }
    return std::unique_ptr<CommandReader>(new CommandReader(fd, fifo, source));
}

CommandReader::CommandReader(int fd, bool fifo, std::string path)
    : m_fd(fd), m_fifo(fifo), m_path(std::move(path)) {
    m_thread = std::thread([fd, fifo, shared = m_shared] { run(fd, fifo, *shared); });
}

CommandReader::~CommandReader() {
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->stop = true;
    }
    m_shared->room.notify_all();
#if defined(_WIN32)
    m_thread.detach();   // a blocking console read cannot be interrupted; the process is ending
#else
    m_thread.join();     // the reader polls with a timeout and sees the stop
    if (m_fd != 0) ::close(m_fd);
#endif
}

void CommandReader::run(int fd, bool fifo, Shared& shared) {
    std::string partial;
    std::uint64_t number = 0;
    bool skipping = false;   // inside a line that was too long: drop up to its end
    TopLevelSplitter json;
    char buffer[64 * 1024];
    const auto line = [&](bool too_long) {
        push(shared, ChannelLine{++number, std::move(partial), too_long});
        partial.clear();
        json.reset();
    };
    for (;;) {
        {
            std::lock_guard lock(shared.mutex);
            if (shared.stop) return;
        }
#if !defined(_WIN32)
        pollfd in{fd, POLLIN, 0};
        const int ready = ::poll(&in, 1, 100);
        if (ready < 0 && errno != EINTR) break;
        // A FIFO never ends, so a writer that left without a final newline would glue its last
        // line to the next writer's first: after 100 ms of silence a complete object is a line.
        if (ready == 0 && fifo && !skipping && !partial.empty() && Json::accept(partial)) line(false);
        if (ready <= 0) continue;
#else
        (void)fifo;
#endif
        const auto n = readSome(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;   // end of input (a FIFO opened read-write never ends)
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
            const char c = buffer[i];
            if (c == '\n') {
                if (!skipping) line(false);
                partial.clear();
                skipping = false;
                json.reset();
            } else if (!skipping) {
                if (json.startsNewObject(c)) line(false);   // `}{`: two objects glued, two command lines
                partial.push_back(c);
                json.take(c);
                if (partial.size() > kMaxChannelLine) {
                    partial.resize(64);
                    line(true);
                    skipping = true;
                }
            }
        }
    }
    if (!partial.empty() && !skipping) push(shared, ChannelLine{++number, std::move(partial), false});
    std::lock_guard lock(shared.mutex);
    shared.eof = true;
}

void CommandReader::push(Shared& shared, ChannelLine line) {
    if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();   // CRLF from Windows tools
    std::unique_lock lock(shared.mutex);
    shared.room.wait(lock, [&] { return shared.stop || shared.lines.size() < kMaxQueued; });
    if (!shared.stop) shared.lines.push_back(std::move(line));
}

std::vector<ChannelLine> CommandReader::take(std::size_t max) {
    std::vector<ChannelLine> out;
    {
        std::lock_guard lock(m_shared->mutex);
        while (!m_shared->lines.empty() && out.size() < max) {
            out.push_back(std::move(m_shared->lines.front()));
            m_shared->lines.pop_front();
        }
    }
    m_shared->room.notify_all();
    return out;
}

bool CommandReader::ended() const {
    std::lock_guard lock(m_shared->mutex);
    return m_shared->eof && m_shared->lines.empty();
}

// ---- interpreting one line ------------------------------------------------------------------

namespace {

/// Thrown inside the interpreter only; becomes ChannelAction::error.
struct BadCommand {
    std::string message;
};

const Json& field(const Json& args, const char* name) {
    const auto it = args.find(name);
    if (it == args.end()) throw BadCommand{std::string("\"") + name + "\" is missing"};
    return *it;
}

std::string stringField(const Json& args, const char* name) {
    const Json& value = field(args, name);
    if (!value.is_string()) throw BadCommand{std::string("\"") + name + "\" must be a string"};
    return value.get<std::string>();
}

/// A udp endpoint has no connections: "conn" there would be ignored, so it is refused.
constexpr const char* kUdpHasNoConn = "\"conn\" applies to tcp endpoints; use \"to\" for udp";

std::optional<std::uint64_t> connectionField(const Json& args) {
    const auto it = args.find("conn");
    if (it == args.end() || it->is_null()) return std::nullopt;
    const auto value = jsonio::asInteger(*it);
    if (!value || *value <= 0)
        throw BadCommand{"\"conn\" must be a connection number (1 or more), as in the accepted/connected events"};
    return static_cast<std::uint64_t>(*value);
}

/// A connection named by a command must be open now (when the run tracks them).
void requireConnection(const ChannelEndpoint& e, std::uint64_t conn, const std::string& endpoint) {
    if (conn == 0 || !e.connections || e.connections->count(conn)) return;
    std::string open;
    for (const std::uint64_t id : *e.connections) open += (open.empty() ? "" : ", ") + std::to_string(id);
    throw BadCommand{"endpoint \"" + endpoint + "\" has no connection #" + std::to_string(conn) + " (" +
                     (open.empty() ? std::string("none is open") : "open: " + open) + "): nothing was done"};
}

/// A file send named by cancel_file must be one of the endpoint's, still running.
void requireTransfer(const ChannelEndpoint& e, std::uint64_t transfer, const std::string& endpoint) {
    if (transfer == 0 || !e.transfers) return;
    const auto it = e.transfers->find(transfer);
    if (it == e.transfers->end())
        throw BadCommand{"endpoint \"" + endpoint + "\" has no file send #" + std::to_string(transfer) +
                         " (a transfer is the line number of a send_file command to it): nothing was done"};
    if (!it->second.empty())
        throw BadCommand{"file send #" + std::to_string(transfer) + " has already ended (" + it->second +
                         "): nothing was done"};
}

/// A udp destination, checked before anything is sent: "host:port" with a port from 1 to 65535
/// (a name is looked up later, when sending).
std::string destinationField(const Json& args) {
    const std::string to = stringField(args, "to");
    if (const auto parsed = parseHostPort(to)) {
        if (parsed->port == 0)
            throw BadCommand{"\"to\": port 0 is not a destination (a port from 1 to 65535), got \"" + to + "\""};
        return to;
    }
    const auto colon = to.rfind(':');
    const std::string port = colon == std::string::npos ? std::string() : to.substr(colon + 1);
    if (!port.empty() && port.size() <= 9 && port.find_first_not_of("0123456789") == std::string::npos &&
        std::stoul(port) > 65535)
        throw BadCommand{"\"to\": port " + port + " is out of range (1 to 65535), got \"" + to + "\""};
    throw BadCommand{"\"to\" must be \"host:port\" (e.g. \"127.0.0.1:5000\" or \"[::1]:5000\"), got \"" + to + "\""};
}

const ChannelEndpoint& endpointField(const Json& args, const ChannelEndpoints& endpoints, ChannelAction& action) {
    action.endpoint = stringField(args, "endpoint");
    const auto it = endpoints.find(action.endpoint);
    if (it == endpoints.end()) {
        std::string known;
        for (const auto& [name, e] : endpoints) known += (known.empty() ? "\"" : ", \"") + name + "\"";
        throw BadCommand{"no endpoint named \"" + action.endpoint + "\" (the profile has " + known + ")"};
    }
    return it->second;
}

void rejectUnknownKeys(const Json& args, std::span<const std::string_view> known) {
    for (const auto& [key, value] : args.items()) {
        bool ok = false;
        for (const auto k : known) ok = ok || key == k;
        if (!ok) throw BadCommand{"unknown field \"" + key + "\""};
    }
}

/// The payload of a send: the payload object of docs/profile-format.md ("Payloads"), with the
/// send's own keys beside it.
PayloadSpec payloadFields(const Json& args) {
    PayloadJsonResult read = payloadFromJson(args, "", {"endpoint", "conn", "to"});
    if (!read.payload) throw BadCommand{read.error};
    // A profile warns of an unknown key and goes on; a command is refused, as every level of the
    // channel refuses them: a checksum's misspelt "order" would put other bytes on the wire.
    if (!read.warnings.empty()) {
        std::string why = read.warnings.front();
        for (const std::string_view ignored : {" (ignored)", "ignored; "})
            if (const auto at = why.find(ignored); at != std::string::npos) why.erase(at, ignored.size());
        throw BadCommand{why};
    }
    return std::move(*read.payload);
}

/// A close's mode: "half-close" as in a script's close step is "half" too.
CloseMode closeMode(const std::string& mode) {
    if (mode == "fin" || mode == "all") return CloseMode::Graceful;
    if (mode == "half" || mode == "half-close") return CloseMode::HalfClose;
    if (mode == "rst") return CloseMode::Abort;
    throw BadCommand{"\"mode\" must be fin, half, rst or all"};
}

/// A stop closes every connection and the socket: FIN or RST (a half-close would leave them open).
CloseMode stopMode(const Json& args) {
    const std::string mode = args.contains("mode") ? stringField(args, "mode") : "fin";
    if (mode == "fin" || mode == "all") return CloseMode::Graceful;
    if (mode == "rst") return CloseMode::Abort;
    throw BadCommand{"a stop's \"mode\" must be fin or rst (a stop closes every connection; half-close one with close)"};
}

void interpretSend(const Json& args, const ChannelEndpoints& endpoints, ChannelAction& action, CounterState* counter) {
    const std::span<const std::string_view> payload_keys = registry::shapeKeys("payload");
    std::vector<std::string_view> known(payload_keys.begin(), payload_keys.end());
    for (const std::string_view key : {"endpoint", "conn", "to"}) known.push_back(key);
    rejectUnknownKeys(args, known);
    const ChannelEndpoint& e = endpointField(args, endpoints, action);
    Send send{e.id, connectionField(args).value_or(0), {}, {}};
    if (args.contains("to")) {
        if (e.type != EndpointType::Udp) throw BadCommand{"\"to\" applies to udp endpoints; use \"conn\" for tcp"};
        send.destination = destinationField(args);
    }
    if (e.type == EndpointType::Udp && send.connection) throw BadCommand{kUdpHasNoConn};
    requireConnection(e, send.connection, action.endpoint);
    const PayloadSpec spec = payloadFields(args);
    PayloadCompileResult compiled = compilePayload(spec);   // payloadFromJson compiled it: cannot fail
    if (!compiled.ok()) throw BadCommand{(spec.mode == PayloadMode::Hex ? "hex: " : "text: ") + describe(*compiled.error, spec.text)};
    RenderContext context;
    context.counter = counter;
    send.payload = renderPayload(*compiled.payload, context);
    action.bytes = send.payload.size();
    action.commands.push_back(std::move(send));
}

void interpretClose(const Json& args, const ChannelEndpoints& endpoints, ChannelAction& action) {
    rejectUnknownKeys(args, std::array<std::string_view, 3>{"endpoint", "conn", "mode"});
    const ChannelEndpoint& e = endpointField(args, endpoints, action);
    const std::string mode = args.contains("mode") ? stringField(args, "mode") : "fin";
    const CloseMode how = closeMode(mode);
    const auto conn = connectionField(args);
    if (e.type == EndpointType::Udp)
        throw BadCommand{"udp endpoints have no connections to close; \"stop\" closes the socket"};
    if (conn && mode == "all") throw BadCommand{"\"mode\": \"all\" closes every connection: leave \"conn\" out, or use fin"};
    if (conn) requireConnection(e, *conn, action.endpoint);
    if (conn) action.commands.push_back(CloseConnection{e.id, *conn, how});
    else action.commands.push_back(CloseAllConnections{e.id, how});
}

/// An optional whole number in [min, max].
std::optional<std::uint64_t> optionalUnsigned(const Json& args, const char* name, std::uint64_t min, std::uint64_t max) {
    const auto it = args.find(name);
    if (it == args.end() || it->is_null()) return std::nullopt;
    // 1000.0 is a whole number too (as the profile loader reads it).
    const auto value = jsonio::asInteger(*it);
    if (!value || *value < 0 || static_cast<std::uint64_t>(*value) < min || static_cast<std::uint64_t>(*value) > max)
        throw BadCommand{std::string("\"") + name + "\" must be a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max)};
    return static_cast<std::uint64_t>(*value);
}

/// {"send_file": {"endpoint", "path", "chunk", "gap_ms", "conn" | "to"}}: the file is read by the
/// engine (relative paths from the current directory); progress comes as send_file events.
void interpretSendFile(const Json& args, const ChannelEndpoints& endpoints, ChannelAction& action) {
    rejectUnknownKeys(args, std::array<std::string_view, 6>{"endpoint", "path", "chunk", "gap_ms", "conn", "to"});
    const ChannelEndpoint& e = endpointField(args, endpoints, action);
    const bool udp = e.type == EndpointType::Udp;
    SendFile send;
    send.endpoint = e.id;
    send.path = stringField(args, "path");
    if (send.path.empty()) throw BadCommand{"\"path\" is empty"};
    // The ranges of the "file_send" stage's fields (registry), as the engine and the send panel take them.
    const registry::StageField& chunk = registry::stageField("file_send", "chunk");
    const registry::StageField& gap = registry::stageField("file_send", "gap_ms");
    send.chunk = static_cast<std::uint32_t>(
        optionalUnsigned(args, "chunk", static_cast<std::uint64_t>(chunk.min), static_cast<std::uint64_t>(chunk.maxFor(udp)))
            .value_or(send.chunk));
    send.gap_ms = static_cast<std::uint32_t>(
        optionalUnsigned(args, "gap_ms", static_cast<std::uint64_t>(gap.min), static_cast<std::uint64_t>(gap.max)).value_or(0));
    send.connection = connectionField(args).value_or(0);
    if (args.contains("to")) {
        if (!udp) throw BadCommand{"\"to\" applies to udp endpoints; use \"conn\" for tcp"};
        send.destination = destinationField(args);
    }
    if (udp && send.connection) throw BadCommand{kUdpHasNoConn};
    requireConnection(e, send.connection, action.endpoint);
    action.commands.push_back(std::move(send));
}

/// A saved command's or timer's name, checked against the endpoint's.
std::string namedSource(const Json& args, const std::vector<std::string>& names, const char* what,
                        const std::string& endpoint) {
    const std::string name = stringField(args, "name");
    for (const auto& known : names)
        if (known == name) return name;
    std::string list;
    for (const auto& known : names) list += (list.empty() ? "\"" : ", \"") + known + "\"";
    throw BadCommand{"endpoint \"" + endpoint + "\" has no " + what + " named \"" + name + "\" (" +
                     (list.empty() ? std::string("it has none") : "it has " + list) + ")"};
}

ChannelAction interpret(const Json& line, const ChannelEndpoints& endpoints, CounterState* counter) {
    ChannelAction action;
    if (!line.is_object() || line.size() != 1)
        throw BadCommand{"a command is an object with one key, e.g. {\"send\": {\"endpoint\": \"dev\", \"text\": \"hi\"}}"};
    const std::string verb = line.begin().key();
    const Json& args = line.begin().value();
    action.verb = verb;
    if (!args.is_object()) throw BadCommand{"the arguments of \"" + verb + "\" must be an object"};
    if (verb == "send") {
        interpretSend(args, endpoints, action, counter);
    } else if (verb == "close") {
        interpretClose(args, endpoints, action);
    } else if (verb == "start" || verb == "stop") {
        rejectUnknownKeys(args, std::array<std::string_view, 2>{"endpoint", "mode"});
        const ChannelEndpoint& e = endpointField(args, endpoints, action);
        if (verb == "start") action.commands.push_back(StartEndpoint{e.id});
        else action.commands.push_back(StopEndpoint{e.id, stopMode(args)});
    } else if (verb == "quit") {
        rejectUnknownKeys(args, std::span<const std::string_view>{});
        action.quit = true;
    } else if (verb == "command") {
        rejectUnknownKeys(args, std::array<std::string_view, 4>{"endpoint", "name", "conn", "to"});
        const ChannelEndpoint& e = endpointField(args, endpoints, action);
        const std::uint64_t conn = connectionField(args).value_or(0);
        if (e.type == EndpointType::Udp && conn) throw BadCommand{kUdpHasNoConn};
        std::string to;
        if (args.contains("to")) {
            if (e.type != EndpointType::Udp) throw BadCommand{"\"to\" applies to udp endpoints; use \"conn\" for tcp"};
            to = destinationField(args);
        }
        requireConnection(e, conn, action.endpoint);
        const std::string name = namedSource(args, e.commands, "saved command", action.endpoint);
        action.commands.push_back(SendSavedCommand{e.id, name, conn, to});
    } else if (verb == "timer") {
        rejectUnknownKeys(args, std::array<std::string_view, 4>{"endpoint", "name", "run", "conn"});
        const ChannelEndpoint& e = endpointField(args, endpoints, action);
        const std::string name = namedSource(args, e.timers, "timer", action.endpoint);
        bool run = true;
        if (const auto it = args.find("run"); it != args.end()) {
            if (!it->is_boolean()) throw BadCommand{"\"run\" must be true (start) or false (stop)"};
            run = it->get<bool>();
        }
        const std::uint64_t conn = connectionField(args).value_or(0);
        if (conn && e.type == EndpointType::Udp)
            throw BadCommand{"\"conn\" applies to tcp endpoints; a udp timer sends to the \"to\" of its profile entry"};
        if (conn && !run) throw BadCommand{"\"conn\" chooses where a starting timer sends; a stop takes none"};
        requireConnection(e, conn, action.endpoint);
        action.commands.push_back(RunTimer{e.id, name, run, conn});
    } else if (verb == "send_file") {
        interpretSendFile(args, endpoints, action);
    } else if (verb == "cancel_file") {
        rejectUnknownKeys(args, std::array<std::string_view, 2>{"endpoint", "transfer"});
        const ChannelEndpoint& e = endpointField(args, endpoints, action);
        const std::uint64_t transfer = optionalUnsigned(args, "transfer", 0, UINT64_MAX).value_or(0);
        requireTransfer(e, transfer, action.endpoint);
        action.commands.push_back(CancelFileSend{e.id, transfer});
    } else if (verb == "stop_reading") {
        rejectUnknownKeys(args, std::array<std::string_view, 3>{"endpoint", "conn", "on"});
        const ChannelEndpoint& e = endpointField(args, endpoints, action);
        if (e.type == EndpointType::Udp)
            throw BadCommand{"\"stop_reading\" applies to tcp connections; udp endpoint \"" + action.endpoint +
                             "\" has none"};
        bool on = true;
        if (const auto it = args.find("on"); it != args.end()) {
            if (!it->is_boolean()) throw BadCommand{"\"on\" must be true (stop reading) or false (resume)"};
            on = it->get<bool>();
        }
        const std::uint64_t conn = connectionField(args).value_or(0);
        requireConnection(e, conn, action.endpoint);
        action.commands.push_back(StopReading{e.id, conn, on});
    } else {
        throw BadCommand{"unknown command \"" + verb +
                         "\" (send, command, timer, send_file, cancel_file, close, start, stop, stop_reading, quit)"};
    }
    return action;
}

/// No command nests deeper than a payload's checksum object; a line of 100,000 '[' must not
/// reach the (recursive) JSON parser.
constexpr int kMaxNesting = 16;

int nestingDepth(std::string_view line) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (const char c : line) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
}

}  // namespace

ChannelAction interpretCommand(std::string_view line, const ChannelEndpoints& endpoints, CounterState* counter) {
    Json parsed;
    if (nestingDepth(line) > kMaxNesting) {   // the recursive parser would exhaust the stack
        ChannelAction action;
        action.error = "not a command: nested deeper than " + std::to_string(kMaxNesting) + " levels";
        return action;
    }
    try {
        parsed = Json::parse(line.begin(), line.end());
    } catch (const Json::exception& e) {   // parse_error, or out_of_range for 1e400
        ChannelAction action;
        // nlohmann says "[json.exception.parse_error.101] parse error at line 1, column 5: ...":
        // the bracketed id means nothing to a user.
        std::string what = e.what();
        if (const auto end = what.find("] "); what.rfind("[json.exception", 0) == 0 && end != std::string::npos)
            what.erase(0, end + 2);
        action.error = "not JSON: " + what;
        return action;
    }
    // The last of two equal keys would silently win (nlohmann keeps it): refused, as the profile loader does.
    if (const auto duplicate = firstDuplicateKey(line)) {
        ChannelAction action;
        if (parsed.is_object() && parsed.size() == 1) action.verb = parsed.begin().key();
        action.error = *duplicate;
        return action;
    }
    ChannelAction action;
    try {
        action = interpret(parsed, endpoints, counter);
    } catch (const BadCommand& bad) {
        if (parsed.is_object() && parsed.size() == 1) action.verb = parsed.begin().key();
        action.commands.clear();
        action.error = (action.verb.empty() ? "" : action.verb + ": ") + bad.message;
    } catch (const Json::exception& e) {   // a type mismatch deep inside (e.g. a number as a name)
        action.commands.clear();
        action.error = std::string("bad command: ") + e.what();
    }
    return action;
}

}  // namespace sockscope
