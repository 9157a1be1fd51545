// libFuzzer target for the capture importer (src/core/capture): arbitrary bytes as a pcap/pcapng
// file, read with and without a known size; then the first flows are collected and converted to a
// script and to saved commands, which must load back through the profile's script loader. A
// corrupt file must end in an error or a warning, never a crash, a hang or unbounded memory.
// Seeds are written by tests/support/capture_writer.py (scripts/dev.sh run_fuzzers calls it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "core/capture/capture_convert.hpp"
#include "core/profile/script_json.hpp"
#include "core/profile/payload_json.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    using namespace sockscope::capture;
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    std::istringstream unsized(bytes);
    const CaptureAnalysis first = analyzeCapture(unsized, 0);
    std::istringstream sized(bytes);
    const CaptureAnalysis list = analyzeCapture(sized, size);
    check(list.flows.size() == first.flows.size());
    check(list.flows.size() <= kMaxFlows);
    check(list.warnings.size() <= 21);
    for (std::size_t index = 0; index < list.flows.size() && index < 3; ++index) {
        const Flow& flow = list.flows[index];
        check(!describeFlow(flow).empty());
        AnalyzeOptions options;
        options.collect_flow = index;
        std::istringstream again(bytes);
        const CaptureAnalysis collected = analyzeCapture(again, size, options);
        std::uint64_t total = 0;
        for (const PayloadChunk& chunk : collected.chunks) total += chunk.data.size();
        check(total == flow.dir[0].bytes + flow.dir[1].bytes);
        for (const MessageSplit split : {MessageSplit::Turns, MessageSplit::Packets}) {
            ConvertOptions convert;
            convert.side = flow.client;
            convert.split = split;
            convert.expect = split == MessageSplit::Turns ? ExpectKind::Exact : ExpectKind::Prefix;
            convert.keep_gaps = true;
            const auto messages = buildMessages(collected.chunks, flow.transport, split);
            const ConvertResult script = toScript(messages, convert);
            const auto type = flow.transport == Transport::Udp ? EndpointType::Udp : EndpointType::TcpClient;
            const ScriptsJsonResult loaded = scriptsFromJson(jsonio::Json::array({scriptJson(script.script)}), type);
            check(loaded.error.empty());
            check(loaded.scripts.size() == 1 && loaded.scripts[0] == script.script);
            const ConvertResult commands = toCommands(messages, convert);
            for (const auto& item : commandsJson(commands.commands))
                check(payloadFromJson(item, "commands[0]", {"name"}).payload.has_value());
        }
    }
    return 0;
}
