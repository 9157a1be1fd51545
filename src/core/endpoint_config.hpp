#pragma once
// What the user configures for one endpoint. Plain data: profiles serialize it, the engine runs it.
// Every field has the default a user gets when the profile leaves it out (docs/profile-format.md).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/codec/payload_template.hpp"
#include "core/framing/framing_config.hpp"
#include "core/match/message_matcher.hpp"
#include "core/script/script.hpp"
#include "core/record/recording_config.hpp"

namespace sockscope {

enum class EndpointType : std::uint8_t { TcpServer, TcpClient, Udp };

struct KeepaliveOptions {
    bool enabled = false;    // SO_KEEPALIVE
    int idle_s = 60;         // TCP_KEEPIDLE: idle time before the first probe
    int interval_s = 10;     // TCP_KEEPINTVL: time between probes
    int count = 5;           // TCP_KEEPCNT: unanswered probes before the connection drops

    bool operator==(const KeepaliveOptions&) const = default;
};

struct SocketOptions {
    bool reuse_address = true;            // SO_REUSEADDR (restart over TIME_WAIT leftovers)
    bool reuse_port = false;              // SO_REUSEPORT, where the OS has it
    bool no_delay = false;                // TCP_NODELAY (disable Nagle)
    KeepaliveOptions keepalive;
    std::optional<int> linger_s;          // SO_LINGER on close; unset = OS default
    int recv_buffer = 0;                  // SO_RCVBUF in bytes; 0 = OS default
    int send_buffer = 0;                  // SO_SNDBUF in bytes; 0 = OS default
    std::optional<bool> v6_only;          // IPV6_V6ONLY; unset = dual-stack for "[::]"
    int backlog = 128;                    // listen backlog (tcp-server)

    bool operator==(const SocketOptions&) const = default;
};

struct ReconnectOptions {
    bool enabled = false;
    int initial_ms = 500;     // first retry delay
    int max_ms = 8000;        // delay cap; doubles after each failed attempt
    double jitter = 0.2;      // +/- fraction of the delay chosen at random
    int max_attempts = 0;     // 0 = unlimited

    bool operator==(const ReconnectOptions&) const = default;
};

struct MulticastGroup {
    std::string group;        // e.g. "239.1.2.3" or "ff02::1:3"
    std::string interface;    // IPv4 address or interface name; empty = OS default

    bool operator==(const MulticastGroup&) const = default;
};

struct MulticastOptions {
    std::vector<MulticastGroup> groups;
    int ttl = 1;              // IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS
    bool loopback = true;     // IP_MULTICAST_LOOP

    bool operator==(const MulticastOptions&) const = default;
};

/// A named payload saved with the endpoint: a quick-send button, `{"command": ...}` headless.
struct SavedCommand {
    std::string name;
    PayloadSpec payload;
    bool operator==(const SavedCommand&) const = default;
};

/// Sends a payload every `every_ms`, `count` times (0 = until stopped). tcp-server: to every
/// connection; tcp-client: to its connection; udp: to `to`, else the configured remote.
inline constexpr int kTimerEveryMsMax = 86'400'000;   // one day; the minimum is 1 ms

struct TimerConfig {
    std::string name;
    int every_ms = 1000;
    std::uint64_t count = 0;
    bool auto_start = false;           // starts with the endpoint
    std::string to;                    // udp only: "host:port"
    PayloadSpec send;
    bool operator==(const TimerConfig&) const = default;
};

/// Fault injection (docs/profile-format.md, "Fault injection"): an endpoint's "faults", or a
/// rule's own (which then replaces the endpoint's for that rule's replies). All off by default.
inline constexpr int kFaultDelayMaxMs = 3'600'000;   // one hour
inline constexpr int kFaultGapMaxMs = 3'600'000;

struct FaultConfig {
    int delay_min_ms = 0;              // "delay_ms": N, or [min, max] (uniform); replies only
    int delay_max_ms = 0;
    std::uint32_t split_size = 0;      // "split": {"size", "gap_ms"}: every send in pieces; 0 = off
    int split_gap_ms = 0;
    double drop = 0;                   // probability that a reply is not sent
    double duplicate = 0;              // probability that a send leaves twice (udp: the datagram)
    std::optional<std::uint64_t> seed; // the random decisions repeat exactly with a seed
    bool operator==(const FaultConfig&) const = default;
};

/// What a rule does to the connection after its reply.
enum class RuleClose : std::uint8_t { None, Fin, Rst };

/// An auto-reply rule (docs/profile-format.md, "Auto-reply rules"): when a received message
/// matches, send `reply` (rendered with the message: {{echo}}, {{rx[a:b]}}, {{N}} captures), after
/// `delay_ms`, at most `times` times per connection (0 = always; udp: per endpoint run), then close.
struct ReplyRule {
    std::string name;
    MatchSpec match;
    std::optional<PayloadSpec> reply;  // none: the rule only closes (or only counts)
    int delay_ms = 0;
    std::uint64_t times = 0;           // 0 = always ("always"), 1 = "once", N
    RuleClose close = RuleClose::None;
    bool continue_matching = false;    // "continue": the rules after it still see the message
    bool enabled = true;
    std::optional<FaultConfig> faults; // replaces the endpoint's faults for this rule's replies
    bool operator==(const ReplyRule&) const = default;
};

/// Fires per second at most before the storm guard pauses a rule (0 = no guard).
inline constexpr std::uint32_t kDefaultStormLimit = 1000;

struct EndpointConfig {
    std::string name;
    EndpointType type = EndpointType::TcpServer;
    std::string bind;                  // "host:port"; tcp-client: optional local address
    std::string remote;                // "host:port"; tcp-client: target; udp: default destination
    bool echo = false;                 // send every received message back to its sender
    bool auto_start = true;            // start when the profile is opened
    FramingConfig framing;             // how received bytes are cut into messages (raw: per read)
    // tcp-server
    int max_connections = 1000;        // further clients are accepted and closed at once (reported)
    // tcp (both)
    bool close_on_peer_fin = false;    // true: close as soon as the peer closes (close_wait_timeout_s 0)
    // After the peer's FIN: seconds to stay half-open (CLOSE_WAIT) before this side closes too;
    // 0 = at once, < 0 = until the user closes. Long enough to watch, short enough that a
    // headless server does not fill up with CLOSE_WAIT.
    double close_wait_timeout_s = 30;
    std::size_t write_queue_limit = 16u << 20;  // bytes queued per connection before sends fail
    // tcp-client
    int connect_timeout_ms = 5000;
    ReconnectOptions reconnect;
    // udp
    bool broadcast = false;            // SO_BROADCAST
    bool reply_to_sender = true;       // sends without a destination go to the last sender
    MulticastOptions multicast;

    SocketOptions options;
    // Sources of traffic (docs/profile-format.md, "Sending")
    std::vector<SavedCommand> commands;
    std::optional<PayloadSpec> on_connect;   // sent on every new connection (tcp)
    std::vector<TimerConfig> timers;
    // Auto-reply rules (docs/profile-format.md, "Auto-reply rules"): first match wins unless "continue"
    std::vector<ReplyRule> rules;
    std::uint32_t storm_limit = kDefaultStormLimit;   // a rule firing more often per second is paused
    // Scripted exchanges (docs/profile-format.md, "Scripts"): run on request (GUI, --run)
    std::vector<Script> scripts;
    // Receive to file: the received bytes appended to a file (docs/profile-format.md)
    std::optional<ReceiveToFileConfig> receive_to_file;
    // Fault injection (docs/profile-format.md, "Fault injection")
    std::optional<FaultConfig> faults;

    bool operator==(const EndpointConfig&) const = default;
};

const char* toString(EndpointType type);                    // "tcp-server", "tcp-client", "udp"
std::optional<EndpointType> endpointTypeFromString(const std::string& text);

}  // namespace sockscope
