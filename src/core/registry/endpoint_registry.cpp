#include "core/registry/endpoint_registry.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/net/file_send.hpp"
#include "core/net/sources.hpp"
#include "core/net/tcp_client.hpp"
#include "core/net/tcp_server.hpp"
#include "core/net/udp_endpoint.hpp"
#include "core/profile/endpoint_json.hpp"
#include "core/registry/choices.hpp"
#include "core/record/record_format.hpp"
#include "core/script/script.hpp"
#include "core/script/script_stage.hpp"
#include "core/session/responder.hpp"
#include "core/session/rules.hpp"
#include "core/session/source_stage.hpp"

namespace sockscope::registry {
namespace {

constexpr std::int64_t kIntMax = INT_MAX;
// write_queue_limit is a size_t read through int64.
constexpr std::int64_t kSizeMax = static_cast<std::int64_t>(
    std::min<std::uint64_t>(std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::int64_t>::max()));

// ---- kinds -------------------------------------------------------------------------------------
template <typename T>
std::shared_ptr<Endpoint> create(EngineContext& context, EndpointId id, EndpointConfig config) {
    return std::make_shared<T>(context, id, std::move(config));
}

constexpr std::array<KindDescriptor, 3> kKinds{{
    {EndpointType::TcpServer, "tcp-server", "TCP server",
     "missing; a tcp-server needs the \"host:port\" to listen on, e.g. \"127.0.0.1:9000\"", nullptr,
     create<TcpServer>},
    {EndpointType::TcpClient, "tcp-client", "TCP client", nullptr,
     "missing; a tcp-client needs the \"host:port\" to connect to, e.g. \"127.0.0.1:9000\"", create<TcpClient>},
    {EndpointType::Udp, "udp", "UDP", "missing; a udp endpoint needs the \"host:port\" to bind, e.g. \"0.0.0.0:9000\"",
     nullptr, create<UdpEndpoint>},
}};

// ---- stages ------------------------------------------------------------------------------------
// A source stage's factory: T is made from the SourceContext (session/source_stage.hpp).
template <typename T>
std::unique_ptr<SourceStage> source(const SourceContext& context) {
    return std::make_unique<T>(context);
}

constexpr std::array<std::string_view, 1> kFramingKeys{"framing"};
constexpr std::array<std::string_view, 3> kSourcesKeys{"commands", "on_connect", "timers"};
constexpr std::array<std::string_view, 2> kRulesKeys{"rules", "storm_limit"};
constexpr std::array<std::string_view, 1> kScriptsKeys{"scripts"};
constexpr std::array<std::string_view, 1> kReceiveKeys{"receive_to_file"};
constexpr std::array<std::string_view, 1> kFaultsKeys{"faults"};

constexpr auto kFrameLimit = static_cast<std::int64_t>(kMaxFrameLimit);
constexpr std::array<StageField, 5> kFramingFields{{
    {"length", 1, kFrameLimit, "fixed: the length of every message in bytes."},
    {"offset", 0, kFrameLimit, "length: where the length field starts, in bytes from the frame's start."},
    {"adjust", -(std::int64_t{1} << 30), std::int64_t{1} << 30,
     "length: the frame's total length = the field's value + adjust."},
    {"gap_ms", 1, 3'600'000, "idle: a message ends after this many milliseconds of silence."},
    {"max", 1, kFrameLimit, "The largest frame in bytes; a longer one is a framing error."},
}};

constexpr std::int64_t kHour = 3'600'000;   // ms
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::array<StageField, 2> kSourcesFields{{
    {"timers.every_ms", 1, kTimerEveryMsMax, "A timer sends every this many milliseconds."},
    {"timers.count", 0, kInt64Max, "How many times a timer sends; 0: until it is stopped."},
}};
// A file send is a command (SendFile), not a profile key: the command channel's reader and the
// send panel's inputs take these ranges.
constexpr std::array<StageField, 2> kFileSendFields{{
    {.key = "chunk", .min = 1, .max = kMaxTcpFileChunk, .help = "Bytes per write (udp: per datagram).",
     .udp_max = kMaxUdpFileChunk},
    {"gap_ms", 0, kMaxFileGapMs, "Milliseconds between two chunks."},
}};
constexpr std::array<StageField, 3> kRulesFields{{
    {"storm_limit", 0, 1'000'000'000,
     "Firings per second one rule may make (TCP: per connection; UDP: over the socket) before the storm guard "
     "pauses it; 0: no guard."},
    {"rules.delay_ms", 0, kHour, "A rule's reply leaves this many milliseconds after the message."},
    {"rules.times", 1, kInt64Max, "How many times a rule answers (\"once\", \"always\" or a count)."},
}};
constexpr std::array<StageField, 3> kScriptsFields{{
    {"steps.timeout_ms", 1, kMaxScriptTimeoutMs, "How long an expect (or a connect) waits, in milliseconds."},
    {"steps.wait_ms", 0, kMaxScriptTimeoutMs, "A wait step's pause in milliseconds."},
    {"steps.repeat", 0, kMaxRepeatCount, "How many times a repeat step runs its steps."},
}};
constexpr std::array<StageField, 6> kFaultsFields{{
    {"delay_ms", 0, kFaultDelayMaxMs, "Replies leave after this delay (or a random one in [min, max])."},
    {.key = "split.size", .min = 1, .max = 16 << 20, .help = "Every send leaves in pieces of this many bytes.",
     .udp_max = 65'507},   // udp: one datagram per piece
    {"split.gap_ms", 0, kFaultGapMaxMs, "Milliseconds between two pieces of a split send."},
    {.key = "drop", .help = "The probability that a reply is not sent.", .real = true, .min_d = 0, .max_d = 1,
     .range_text = "(a probability) from 0 to 1"},
    {.key = "duplicate", .help = "The probability that a send leaves twice.", .real = true, .min_d = 0, .max_d = 1,
     .range_text = "(a probability) from 0 to 1"},
    {"seed", 0, kInt64Max, "Seeds the random decisions: the same seed repeats them exactly."},
}};

// Responders first-to-last: echo answers before framing (raw bytes), rules before scripts.
// Sources (`source`) are made in this order too.
const std::array<StageDescriptor, 8> kStages{{
    {"echo", {}, nullptr, nullptr, {}, addEchoStage},   // "echo": a Bool row in makeFields()
    {"framing", kFramingKeys, endpoint_json::readFramingStage, endpoint_json::writeFramingStage, kFramingFields},
    {"sources", kSourcesKeys, endpoint_json::readSourcesStage, endpoint_json::writeSourcesStage, kSourcesFields,
     nullptr, source<Sources>},
    {"file_send", {}, nullptr, nullptr, kFileSendFields, nullptr, source<FileSends>},   // no profile keys: commands
    {"rules", kRulesKeys, endpoint_json::readRulesStage, endpoint_json::writeRulesStage, kRulesFields, addRulesStage},
    {"scripts", kScriptsKeys, endpoint_json::readScriptsStage, endpoint_json::writeScriptsStage, kScriptsFields,
     addScriptStage},
    {"receive_to_file", kReceiveKeys, endpoint_json::readReceiveToFileStage, endpoint_json::writeReceiveToFileStage},
    {"faults", kFaultsKeys, endpoint_json::readFaultsStage, endpoint_json::writeFaultsStage, kFaultsFields},
}};

// ---- tap kinds (recorder formats) --------------------------------------------------------------
constexpr std::array<std::string_view, 1> kPcapngExtensions{"pcapng"};
constexpr std::array<std::string_view, 2> kJsonlExtensions{"jsonl", "json"};
constexpr std::array<std::string_view, 2> kTextExtensions{"txt", "log"};

// The recording formats first, in the order the profile's message and the editor's combo list them.
constexpr std::array<TapDescriptor, 5> kTapKinds{{
    {RecordFormat::Pcapng, "pcapng", kPcapngExtensions, true, true, false, makePcapngFormatter,
     "Synthesized Ethernet/IP/TCP/UDP packets for Wireshark."},
    {RecordFormat::Jsonl, "jsonl", kJsonlExtensions, false, true, false, makeJsonlFormatter,
     "The headless --log jsonl schema, one event per line."},
    {RecordFormat::Text, "text", kTextExtensions, false, true, false, makeTextFormatter,
     "Readable: time, endpoint, connection, direction, a hex dump of each message."},
    {RecordFormat::Raw, "raw", {}, true, false, true, makeRawFormatter,
     "receive_to_file: the received bytes only, back to back."},
    {RecordFormat::RawFramed, "raw-framed", {}, false, false, true, makeRawFramedFormatter,
     "receive_to_file \"framed\": each message as a 4-byte big-endian length and its bytes."},
}};

// ---- profile sections --------------------------------------------------------------------------
constexpr std::array<StageField, 3> kRecordingFields{{
    {.key = "rotate_mb", .help = "A new file after this many MB; 0: no rotation by size.", .real = true,
     .min_d = 0, .max_d = 1e9, .range_text = "of MB from 0 (no rotation by size) to 1e9"},
    {.key = "rotate_s", .help = "A new file after this many seconds; 0: no rotation by time.", .real = true,
     .min_d = 0, .max_d = 1e9, .range_text = "of seconds from 0 (no rotation by time) to 1e9"},
    {"keep", 0, 100'000, "Rotated files kept besides the current one; 0: all."},
}};
const std::array<SectionDescriptor, 1> kSections{{{"recording", kRecordingFields}}};

// ---- fields ------------------------------------------------------------------------------------
// The member a field reads and writes.
#define SOCKSCOPE_FIELD(member) (+[](EndpointConfig& c) -> auto& { return c.member; })

FieldDescriptor boolField(std::string_view key, KindMask kinds, FieldAccess access, const char* help) {
    return FieldDescriptor{key, FieldType::Bool, kinds, access, 0, 0, 0, 0, "", help};
}
FieldDescriptor intField(std::string_view key, KindMask kinds, FieldAccess access, std::int64_t min, std::int64_t max,
                         const char* help, FieldType type = FieldType::Int) {
    return FieldDescriptor{key, type, kinds, access, min, max, 0, 0, "", help};
}
FieldDescriptor stageRow(std::string_view name) {
    const StageDescriptor& stage = *findStage(name);
    FieldDescriptor f{stage.name, FieldType::Stage, kAllKinds};
    f.stage = &stage;
    return f;
}
FieldDescriptor customField(std::string_view key, FieldType type, KindMask kinds, FieldAccess access, StageRead read,
                            StageWrite write, const char* help) {
    FieldDescriptor f{key, type, kinds, access};
    f.read = read;
    f.write = write;
    f.help = help;
    return f;
}

std::vector<FieldDescriptor> makeFields() {
    namespace ej = endpoint_json;
    FieldDescriptor close_wait = customField(
        "close_wait_timeout_s", FieldType::Double, kTcp, SOCKSCOPE_FIELD(close_wait_timeout_s), ej::readCloseWaitTimeout,
        ej::writeCloseWaitTimeout,
        "After the peer's FIN: seconds to stay half-open (CLOSE_WAIT); 0 closes at once, -1 keeps it until you close.");
    close_wait.min_d = -1;
    close_wait.max_d = 1e9;
    close_wait.range_text = "of seconds from 0 to 1e9, or -1 or null to keep CLOSE_WAIT until you close";
    FieldDescriptor jitter{"reconnect.jitter", FieldType::Double, kTcpClient, SOCKSCOPE_FIELD(reconnect.jitter)};
    jitter.min_d = 0;
    jitter.max_d = 1;
    jitter.range_text = "from 0 to 1";
    jitter.help = "Each delay varies by +/- this fraction, chosen at random.";

    return {
        customField("name", FieldType::String, kAllKinds, SOCKSCOPE_FIELD(name), ej::readName, ej::writeName,
                    "A unique name: the log, the command channel and --run refer to the endpoint by it."),
        customField("type", FieldType::Custom, kAllKinds, {}, ej::readType, ej::writeType,
                    "The endpoint kind: tcp-server, tcp-client or udp."),
        FieldDescriptor{"bind", FieldType::Address, kAllKinds, SOCKSCOPE_FIELD(bind), 0, 0, 0, 0, "",
                        "\"host:port\" to listen on or bind; a tcp-client's optional local address."},
        FieldDescriptor{"remote", FieldType::Address, kTcpClient | kUdp, SOCKSCOPE_FIELD(remote), 0, 0, 0, 0, "",
                        "\"host:port\": a tcp-client's target; a udp endpoint's default destination."},
        boolField("echo", kAllKinds, SOCKSCOPE_FIELD(echo), "Send every received message back to its sender."),
        boolField("auto_start", kAllKinds, SOCKSCOPE_FIELD(auto_start), "Start when the profile is opened."),
        stageRow("framing"),
        intField("max_connections", kTcpServer, SOCKSCOPE_FIELD(max_connections), 1, kIntMax,
                 "Further clients are accepted and closed at once (and reported)."),
        boolField("close_on_peer_fin", kTcp, SOCKSCOPE_FIELD(close_on_peer_fin),
                  "Close our side as soon as the peer closes its side."),
        close_wait,
        intField("write_queue_limit", kTcp, SOCKSCOPE_FIELD(write_queue_limit), 1, kSizeMax,
                 "Bytes queued per connection before further sends fail."),
        intField("connect_timeout_ms", kTcpClient, SOCKSCOPE_FIELD(connect_timeout_ms), 1, kIntMax,
                 "Give up a connect attempt after this many milliseconds."),
        boolField("reconnect.enabled", kTcpClient, SOCKSCOPE_FIELD(reconnect.enabled),
                  "Reconnect after a failed attempt or a lost connection."),
        intField("reconnect.initial_ms", kTcpClient, SOCKSCOPE_FIELD(reconnect.initial_ms), 1, kIntMax,
                 "Delay before the first retry, in milliseconds."),
        intField("reconnect.max_ms", kTcpClient, SOCKSCOPE_FIELD(reconnect.max_ms), 1, kIntMax,
                 "Delay cap in milliseconds (at least initial_ms); the delay doubles after each failed attempt."),
        customField("reconnect.(max_ms >= initial_ms)", FieldType::Custom, kTcpClient, {}, ej::checkReconnectOrder,
                    nullptr, "The delay cap is at least the first delay."),
        jitter,
        intField("reconnect.max_attempts", kTcpClient, SOCKSCOPE_FIELD(reconnect.max_attempts), 0, kIntMax,
                 "Give up after this many attempts; 0 = never."),
        boolField("broadcast", kUdp, SOCKSCOPE_FIELD(broadcast), "Allow sending to broadcast addresses (SO_BROADCAST)."),
        boolField("reply_to_sender", kUdp, SOCKSCOPE_FIELD(reply_to_sender),
                  "A send without a destination (and no remote) goes to the last sender."),
        customField("multicast.groups", FieldType::Custom, kUdp, {}, ej::readMulticastGroups, ej::writeMulticastGroups,
                    "Multicast groups to join, each with an optional interface."),
        intField("multicast.ttl", kUdp, SOCKSCOPE_FIELD(multicast.ttl), 0, 255,
                 "IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS of sends (1 = local network)."),
        boolField("multicast.loopback", kUdp, SOCKSCOPE_FIELD(multicast.loopback),
                  "IP_MULTICAST_LOOP: receive our own multicast sends on this host."),
        boolField("options.reuse_address", kAllKinds, SOCKSCOPE_FIELD(options.reuse_address),
                  "SO_REUSEADDR: a restarted listener can bind over TIME_WAIT leftovers."),
        boolField("options.reuse_port", kAllKinds, SOCKSCOPE_FIELD(options.reuse_port), "SO_REUSEPORT, where the OS has it."),
        boolField("options.no_delay", kTcp, SOCKSCOPE_FIELD(options.no_delay),
                  "TCP_NODELAY: send small writes at once (disable Nagle)."),
        boolField("options.keepalive.enabled", kTcp, SOCKSCOPE_FIELD(options.keepalive.enabled), "SO_KEEPALIVE."),
        intField("options.keepalive.idle_s", kTcp, SOCKSCOPE_FIELD(options.keepalive.idle_s), 1, kIntMax,
                 "TCP_KEEPIDLE: idle seconds before the first probe."),
        intField("options.keepalive.interval_s", kTcp, SOCKSCOPE_FIELD(options.keepalive.interval_s), 1, kIntMax,
                 "TCP_KEEPINTVL: seconds between probes."),
        intField("options.keepalive.count", kTcp, SOCKSCOPE_FIELD(options.keepalive.count), 1, kIntMax,
                 "TCP_KEEPCNT: unanswered probes before the connection drops."),
        intField("options.linger_s", kTcp, SOCKSCOPE_FIELD(options.linger_s), 0, kIntMax,
                 "SO_LINGER on close, in seconds; null = OS default.", FieldType::OptionalInt),
        intField("options.recv_buffer", kAllKinds, SOCKSCOPE_FIELD(options.recv_buffer), 0, kIntMax,
                 "SO_RCVBUF in bytes; 0 = OS default."),
        intField("options.send_buffer", kAllKinds, SOCKSCOPE_FIELD(options.send_buffer), 0, kIntMax,
                 "SO_SNDBUF in bytes; 0 = OS default."),
        FieldDescriptor{"options.v6_only", FieldType::OptionalBool, kAllKinds, SOCKSCOPE_FIELD(options.v6_only), 0, 0,
                        0, 0, "", "IPV6_V6ONLY; null = dual-stack for \"[::]\"."},
        intField("options.backlog", kTcpServer, SOCKSCOPE_FIELD(options.backlog), 1, kIntMax, "Listen backlog."),
        stageRow("sources"),   // commands, on_connect, timers
        stageRow("rules"),     // rules, storm_limit
        stageRow("scripts"),
        stageRow("receive_to_file"),
        stageRow("faults"),
    };
}

#undef SOCKSCOPE_FIELD

const std::vector<FieldDescriptor>& fieldTable() {
    static const std::vector<FieldDescriptor> table = makeFields();
    return table;
}

template <typename T>
T& ref(const FieldDescriptor& f, const EndpointConfig& c) {
    const Ref<T>* r = std::get_if<Ref<T>>(&f.access);
    if (r == nullptr) throw std::logic_error("field " + std::string(f.key) + " has another type");
    return (*r)(const_cast<EndpointConfig&>(c));   // read-only use below for const configs
}

}  // namespace

std::span<const KindDescriptor> kinds() { return kKinds; }

const KindDescriptor& kind(EndpointType type) { return kKinds.at(static_cast<std::size_t>(type)); }

const KindDescriptor* findKind(std::string_view name) {
    for (const KindDescriptor& k : kKinds)
        if (k.name == name) return &k;
    return nullptr;
}

std::string kindChoices() {
    std::vector<std::string> names;
    for (const KindDescriptor& k : kKinds) names.push_back("\"" + std::string(k.name) + "\"");
    return "expected " + joinAlternatives(names);
}

std::span<const StageDescriptor> stages() { return kStages; }

const StageDescriptor* findStage(std::string_view name) {
    for (const StageDescriptor& s : kStages)
        if (s.name == name) return &s;
    return nullptr;
}

std::span<const SectionDescriptor> profileSections() { return kSections; }

std::span<const TapDescriptor> tapKinds() { return kTapKinds; }

const TapDescriptor& tapKind(RecordFormat format) {
    for (const TapDescriptor& t : kTapKinds)
        if (t.format == format) return t;
    throw std::logic_error("no tap kind for the record format " + std::to_string(static_cast<int>(format)));
}

const TapDescriptor* findTapKind(std::string_view name) {
    for (const TapDescriptor& t : kTapKinds)
        if (t.name == name) return &t;
    return nullptr;
}

std::string recordingFormatChoices() {
    std::vector<std::string> names;
    for (const TapDescriptor& t : kTapKinds)
        if (t.recording) names.push_back("\"" + std::string(t.name) + "\"");
    return joinAlternatives(names);
}

const char* StageField::jsonKey() const {
    const std::size_t dot = key.rfind('.');
    return key.data() + (dot == std::string_view::npos ? 0 : dot + 1);
}

const StageField& stageField(std::string_view stage, std::string_view key) {
    std::span<const StageField> fields;
    if (const StageDescriptor* s = findStage(stage)) fields = s->fields;
    for (const SectionDescriptor& section : kSections)
        if (section.name == stage) fields = section.fields;
    for (const StageField& f : fields)
        if (f.key == key) return f;
    throw std::logic_error("no field " + std::string(key) + " in the stage " + std::string(stage));
}

std::span<const FieldDescriptor> endpointFields() { return fieldTable(); }

const FieldDescriptor* findField(std::string_view key) {
    for (const FieldDescriptor& f : fieldTable())
        if (f.key == key) return &f;
    return nullptr;
}

const FieldDescriptor& field(std::string_view key) {
    if (const FieldDescriptor* f = findField(key)) return *f;
    throw std::logic_error("no endpoint field " + std::string(key) + " in the registry");
}

std::optional<std::int64_t> intValue(const FieldDescriptor& f, const EndpointConfig& c) {
    if (f.type == FieldType::OptionalInt) {
        const std::optional<int>& v = ref<std::optional<int>>(f, c);
        return v ? std::optional<std::int64_t>(*v) : std::nullopt;
    }
    if (const auto* r = std::get_if<Ref<int>>(&f.access)) return (*r)(const_cast<EndpointConfig&>(c));
    if (const auto* r = std::get_if<Ref<std::uint32_t>>(&f.access)) return (*r)(const_cast<EndpointConfig&>(c));
    return static_cast<std::int64_t>(ref<std::size_t>(f, c));
}

void setInt(const FieldDescriptor& f, EndpointConfig& c, std::optional<std::int64_t> value) {
    if (f.type == FieldType::OptionalInt) {
        ref<std::optional<int>>(f, c) = value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
        return;
    }
    const std::int64_t v = value.value_or(f.min);
    if (const auto* r = std::get_if<Ref<int>>(&f.access)) (*r)(c) = static_cast<int>(v);
    else if (const auto* r32 = std::get_if<Ref<std::uint32_t>>(&f.access)) (*r32)(c) = static_cast<std::uint32_t>(v);
    else ref<std::size_t>(f, c) = static_cast<std::size_t>(v);
}

bool boolValue(const FieldDescriptor& f, const EndpointConfig& c) { return ref<bool>(f, c); }
void setBool(const FieldDescriptor& f, EndpointConfig& c, bool value) { ref<bool>(f, c) = value; }
std::optional<bool> optionalBoolValue(const FieldDescriptor& f, const EndpointConfig& c) {
    return ref<std::optional<bool>>(f, c);
}
void setOptionalBool(const FieldDescriptor& f, EndpointConfig& c, std::optional<bool> value) {
    ref<std::optional<bool>>(f, c) = value;
}
double doubleValue(const FieldDescriptor& f, const EndpointConfig& c) { return ref<double>(f, c); }
void setDouble(const FieldDescriptor& f, EndpointConfig& c, double value) { ref<double>(f, c) = value; }
std::string stringValue(const FieldDescriptor& f, const EndpointConfig& c) { return ref<std::string>(f, c); }
void setString(const FieldDescriptor& f, EndpointConfig& c, std::string value) { ref<std::string>(f, c) = std::move(value); }

std::int64_t clampInt(const FieldDescriptor& f, std::int64_t value) { return std::clamp(value, f.min, f.max); }

double clampDouble(const FieldDescriptor& f, double value) {
    return std::isnan(value) ? f.min_d : std::clamp(value, f.min_d, f.max_d);
}

}  // namespace sockscope::registry
