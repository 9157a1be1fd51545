#pragma once
// What a recorder is told: where, in which format, which traffic, when to rotate, and what to do
// when the disk is slower than the traffic (docs/profile-format.md, "recording").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace sockscope {

using RecordingId = std::uint32_t;   ///< given by the front end; 0 is never valid
/// An endpoint's receive-to-file recorder has the id kReceiveToFileBase + the endpoint's id
/// (front ends number their own recorders below it).
constexpr RecordingId kReceiveToFileBase = 0x80000000u;

enum class RecordFormat : std::uint8_t {
    Text,      // human readable: time, endpoint, conn, direction, hex dump + text
    Jsonl,     // the headless `--log jsonl` schema, one event per line
    Pcapng,    // synthesized Ethernet/IP/TCP/UDP packets for Wireshark
    Raw,       // receive to file: the received bytes only, back to back
    RawFramed, // receive to file: each received message as a 4-byte big-endian length + its bytes
};
const char* toString(RecordFormat format);   // "text", "jsonl", "pcapng", "raw", "raw-framed"
std::optional<RecordFormat> recordFormatFromString(std::string_view text);
/// From the file name's extension: .pcapng, .jsonl (also .json), .txt (also .log); nullopt otherwise.
std::optional<RecordFormat> recordFormatFromPath(std::string_view path);

/// When the writer cannot keep up: pause TCP reads (the peers slow down) or drop and count.
enum class RecordOnFull : std::uint8_t { Pause, Drop };
const char* toString(RecordOnFull mode);     // "pause", "drop"

struct RecordingConfig {
    std::string path;                  // resolved by the front end (profile-relative paths)
    RecordFormat format = RecordFormat::Pcapng;
    double rotate_mb = 0;              // start a new file after this many MB (0: never)
    double rotate_s = 0;               // ... or after this many seconds (0: never)
    std::uint32_t keep = 10;           // files kept, the one being written included (0: all)
    std::string scope = "all";         // "all", an endpoint name, or "endpoint/conn"
    RecordOnFull on_full = RecordOnFull::Pause;
    std::size_t queue_bytes = 16u << 20;   // the writer's bounded queue

    bool operator==(const RecordingConfig&) const = default;
};

/// A parsed scope: which endpoint (empty: all) and which connection (0: all).
struct RecordScope {
    std::string endpoint;
    ConnectionId connection = 0;
};
/// "all" | "name" | "name/17"; nullopt (with `error`) for an empty scope or a bad connection id.
std::optional<RecordScope> parseRecordScope(std::string_view scope, std::string& error);

/// Receive to file (an endpoint's profile field): the raw received bytes appended to `path`.
struct ReceiveToFileConfig {
    std::string path;
    bool framed = false;               // each message as a 4-byte big-endian length + its bytes

    bool operator==(const ReceiveToFileConfig&) const = default;
};

}  // namespace sockscope
