#pragma once
// A captured flow -> what replays it: one side's messages as a script (send steps, optionally the
// other side's replies as expect steps with timeouts from the captured latency, and wait_ms steps
// for the captured gaps) or as saved commands ("msg 1", "msg 2", ...). A message is a turn of the
// conversation (a contiguous run of payload in one direction) or, if asked, one per packet; a UDP
// datagram is always its own message. Payloads are text when printable, else hex.
#include <cstddef>
#include <string>
#include <vector>

#include "core/capture/capture_flows.hpp"
#include "core/endpoint_config.hpp"
#include "core/profile/json_reader.hpp"
#include "core/script/script.hpp"

namespace sockscope::capture {

enum class MessageSplit : std::uint8_t { Turns, Packets };
enum class ExpectKind : std::uint8_t { None, Exact, Prefix, Any };

struct ConvertOptions {
    int side = 0;                       // the flow side whose messages are sent (Flow::client / server())
    MessageSplit split = MessageSplit::Turns;
    ExpectKind expect = ExpectKind::None;
    std::size_t prefix_bytes = 8;       // ExpectKind::Prefix
    bool keep_gaps = false;             // wait_ms steps before sends, as captured
    int min_timeout_ms = 500;           // expect timeout: max(min_timeout_ms, factor x captured latency)
    int timeout_factor = 3;
    std::string name = "imported";      // the script's name
};

struct CapturedMessage {
    int from = 0;
    std::int64_t first_ns = 0, last_ns = 0;
    Bytes data;
};

/// Chunks (in capture order) -> messages.
std::vector<CapturedMessage> buildMessages(const std::vector<PayloadChunk>& chunks, Transport transport,
                                           MessageSplit split);

/// Text with escapes when every byte is printable ASCII or CR/LF/TAB, else spaced hex.
PayloadSpec payloadFor(std::span<const std::uint8_t> bytes);

struct ConvertResult {
    Script script;
    std::vector<SavedCommand> commands;
    std::size_t sends = 0, expects = 0, waits = 0;
    std::vector<std::string> warnings;   // cut at the step limit, ...
};

ConvertResult toScript(const std::vector<CapturedMessage>& messages, const ConvertOptions& options);
/// Only `options.side`'s messages, named "msg 1", "msg 2", ...
ConvertResult toCommands(const std::vector<CapturedMessage>& messages, const ConvertOptions& options);

/// The JSON a profile takes: a script object ({"name", "steps"}) or the "commands" array.
jsonio::Json scriptJson(const Script& script);
jsonio::Json commandsJson(const std::vector<SavedCommand>& commands);

}  // namespace sockscope::capture
