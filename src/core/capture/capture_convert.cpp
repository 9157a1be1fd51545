#include "core/capture/capture_convert.hpp"

#include <algorithm>

#include "core/codec/hex.hpp"
#include "core/profile/script_json.hpp"
#include "core/profile/sources_json.hpp"

namespace sockscope::capture {
namespace {

bool printable(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return false;
    return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) {
        return (b >= 0x20 && b <= 0x7E) || b == '\r' || b == '\n' || b == '\t';
    });
}

/// The text a payload or matcher reads back as `bytes` (escapes on, templates quoted).
std::string escapeText(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (const std::uint8_t b : bytes) {
        switch (b) {
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\\': out += "\\\\"; break;
        case '{': out += "\\{"; break;
        default: out += static_cast<char>(b);
        }
    }
    return out;
}

int msFromNs(std::int64_t ns) {
    const std::int64_t ms = std::max<std::int64_t>(0, ns / 1'000'000 + (ns % 1'000'000 >= 500'000 ? 1 : 0));
    return static_cast<int>(std::min<std::int64_t>(ms, kMaxScriptTimeoutMs));
}

ScriptMatchSpec matchFor(std::span<const std::uint8_t> bytes, const ConvertOptions& options) {
    ScriptMatchSpec spec;
    if (options.expect == ExpectKind::Any || bytes.empty()) return spec;   // body Any
    std::span<const std::uint8_t> wanted = bytes;
    if (options.expect == ExpectKind::Prefix && bytes.size() > options.prefix_bytes) {
        wanted = bytes.first(std::max<std::size_t>(1, options.prefix_bytes));
        spec.mode = MatchMode::Prefix;
    }
    if (printable(wanted)) {
        spec.body = MatchBody::Text;
        spec.text = escapeText(wanted);
    } else {
        spec.body = MatchBody::Hex;
        spec.text = formatHex(wanted);
    }
    return spec;
}

}  // namespace

std::vector<CapturedMessage> buildMessages(const std::vector<PayloadChunk>& chunks, Transport transport,
                                           MessageSplit split) {
    std::vector<CapturedMessage> messages;
    const bool merge = split == MessageSplit::Turns && transport == Transport::Tcp;
    for (const PayloadChunk& chunk : chunks) {
        // An empty UDP datagram is a message (a probe, a keep-alive): sent empty, expected as any.
        if (chunk.data.empty() && transport != Transport::Udp) continue;
        if (merge && !messages.empty() && messages.back().from == chunk.from) {
            CapturedMessage& m = messages.back();
            m.data.insert(m.data.end(), chunk.data.begin(), chunk.data.end());
            m.last_ns = std::max(m.last_ns, chunk.time_ns);
            continue;
        }
        messages.push_back(CapturedMessage{chunk.from, chunk.time_ns, chunk.time_ns, chunk.data});
    }
    return messages;
}

PayloadSpec payloadFor(std::span<const std::uint8_t> bytes) {
    PayloadSpec spec;
    if (printable(bytes)) {
        spec.mode = PayloadMode::Text;
        spec.text = escapeText(bytes);
    } else {
        spec.mode = PayloadMode::Hex;
        spec.text = formatHex(bytes);
    }
    return spec;
}

ConvertResult toScript(const std::vector<CapturedMessage>& messages, const ConvertOptions& options) {
    ConvertResult result;
    result.script.name = options.name.empty() ? "imported" : options.name;
    std::vector<ScriptStep>& steps = result.script.steps;
    const bool expects = options.expect != ExpectKind::None;
    // The time the script's previous step happened in the capture: a wait or a timeout counts from it.
    std::int64_t previous = messages.empty() ? 0 : messages.front().first_ns;
    bool any_before = false;
    std::size_t skipped = 0;
    for (const CapturedMessage& m : messages) {
        const bool ours = m.from == options.side;
        if (!ours && !expects) continue;
        const std::size_t needed = ours && options.keep_gaps && any_before ? 2 : 1;
        if (steps.size() + needed > kMaxScriptSteps) {
            ++skipped;
            continue;
        }
        if (ours) {
            const int gap = msFromNs(elapsedNs(previous, m.first_ns));
            if (options.keep_gaps && any_before && gap > 0) {
                ScriptStep wait;
                wait.kind = ScriptStepKind::Wait;
                wait.wait_ms = gap;
                steps.push_back(std::move(wait));
                ++result.waits;
            }
            ScriptStep send;
            send.kind = ScriptStepKind::Send;
            send.send = payloadFor(m.data);
            // Templates stay off in hex too: captured bytes are literal.
            steps.push_back(std::move(send));
            ++result.sends;
        } else {
            ScriptStep expect;
            expect.kind = ScriptStepKind::Expect;
            expect.expect = matchFor(m.data, options);
            const std::int64_t latency = elapsedNs(previous, m.first_ns);
            const std::int64_t scaled = static_cast<std::int64_t>(msFromNs(latency)) * std::max(1, options.timeout_factor);
            expect.timeout_ms = static_cast<int>(std::clamp<std::int64_t>(scaled, std::max(1, options.min_timeout_ms),
                                                                          kMaxScriptTimeoutMs));
            steps.push_back(std::move(expect));
            ++result.expects;
        }
        previous = m.last_ns;
        any_before = true;
    }
    if (skipped != 0)
        result.warnings.push_back(std::to_string(skipped) + " message(s) left out: a script holds at most " +
                                  std::to_string(kMaxScriptSteps) + " steps");
    if (result.sends == 0) result.warnings.push_back("the chosen side sent no payload in this flow");
    return result;
}

ConvertResult toCommands(const std::vector<CapturedMessage>& messages, const ConvertOptions& options) {
    ConvertResult result;
    std::size_t skipped = 0;
    for (const CapturedMessage& m : messages) {
        if (m.from != options.side) continue;
        if (result.commands.size() >= kMaxScriptSteps) {
            ++skipped;
            continue;
        }
        result.commands.push_back(SavedCommand{"msg " + std::to_string(result.commands.size() + 1), payloadFor(m.data)});
        ++result.sends;
    }
    if (skipped != 0)
        result.warnings.push_back(std::to_string(skipped) + " message(s) left out: at most " +
                                  std::to_string(kMaxScriptSteps) + " commands are made");
    if (result.sends == 0) result.warnings.push_back("the chosen side sent no payload in this flow");
    return result;
}

jsonio::Json scriptJson(const Script& script) { return scriptsToJson({script}).at(0); }

jsonio::Json commandsJson(const std::vector<SavedCommand>& commands) {
    EndpointConfig config;
    config.commands = commands;
    jsonio::Json j = jsonio::Json::object();
    writeSources(config, j);
    return j.contains("commands") ? j["commands"] : jsonio::Json::array();
}

}  // namespace sockscope::capture
