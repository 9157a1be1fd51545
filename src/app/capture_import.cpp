#include "app/capture_import.hpp"

#include <ostream>

namespace sockscope {

bool parseExpectOption(const std::string& text, capture::ConvertOptions& options, std::string& error) {
    using capture::ExpectKind;
    if (text == "none") options.expect = ExpectKind::None;
    else if (text == "exact") options.expect = ExpectKind::Exact;
    else if (text == "any") options.expect = ExpectKind::Any;
    else if (text.rfind("prefix:", 0) == 0 && text.size() > 7 && text.size() <= 13 &&
             text.find_first_not_of("0123456789", 7) == std::string::npos && std::stoul(text.substr(7)) > 0) {
        options.expect = ExpectKind::Prefix;
        options.prefix_bytes = std::stoul(text.substr(7));
    } else {
        error = "--expect: expected none, exact, any or prefix:N (N > 0 bytes), got \"" + text + "\"";
        return false;
    }
    return true;
}

int runImportCapture(const ImportCaptureOptions& options, std::ostream& out, std::ostream& err) {
    capture::ConvertOptions convert;
    std::string error;
    if (!parseExpectOption(options.expect, convert, error)) {
        err << "sockscope: " << error << '\n';
        return 2;
    }
    if (options.name.find('/') != std::string::npos) {   // as the profile loader would refuse it
        err << "sockscope: --name: a script name cannot hold '/' (--run ENDPOINT/SCRIPT uses it)\n";
        return 2;
    }
    if (options.flow && options.side != "client" && options.side != "server") {
        err << "sockscope: --flow needs --side client or --side server (whose messages to send)\n";
        return 2;
    }
    const capture::CaptureAnalysis list = capture::analyzeCaptureFile(options.file);
    for (const std::string& warning : list.warnings) err << "sockscope: warning: " << warning << '\n';
    if (!list.error.empty()) {
        err << "sockscope: " << list.error << '\n';
        return 2;
    }
    if (!options.flow) {
        for (std::size_t i = 0; i < list.flows.size(); ++i)
            out << (i + 1) << "  " << capture::describeFlow(list.flows[i]) << '\n';
        const capture::CaptureStats& s = list.stats;
        err << "sockscope: " << list.flows.size() << " flow(s) in " << s.packets << " packet(s)";
        if (s.unsupported_link + s.not_tcp_udp != 0) err << "; " << (s.unsupported_link + s.not_tcp_udp) << " not TCP/UDP";
        if (s.fragments != 0) err << "; " << s.fragments << " IP fragment(s) not reassembled";
        if (s.malformed != 0) err << "; " << s.malformed << " malformed";
        if (s.truncated != 0) err << "; " << s.truncated << " cut short by the snap length";
        if (s.flows_over_cap != 0) err << "; " << s.flows_over_cap << " packet(s) of flows beyond " << capture::kMaxFlows << " not tracked";
        err << '\n';
        if (list.flows.empty()) err << "sockscope: " << options.file << " holds no TCP or UDP flow\n";
        return 0;
    }
    if (*options.flow == 0 || *options.flow > list.flows.size()) {
        err << "sockscope: --flow " << *options.flow << ": " << options.file << " has "
            << list.flows.size() << " flow(s), numbered from 1 (run without --flow to list them)\n";
        return 2;
    }
    const std::size_t index = *options.flow - 1;
    capture::AnalyzeOptions collect;
    collect.collect_flow = index;
    const capture::CaptureAnalysis data = capture::analyzeCaptureFile(options.file, collect);
    if (!data.error.empty() || data.flows.size() <= index) {
        err << "sockscope: " << (data.error.empty() ? "the file changed while it was read" : data.error) << '\n';
        return 2;
    }
    const capture::Flow& flow = data.flows[index];
    convert.side = options.side == "client" ? flow.client : flow.server();
    convert.split = options.per_packet ? capture::MessageSplit::Packets : capture::MessageSplit::Turns;
    convert.keep_gaps = options.keep_gaps;
    convert.name = options.name;
    const auto messages = capture::buildMessages(data.chunks, flow.transport, convert.split);
    const capture::ConvertResult result =
        options.as_commands ? capture::toCommands(messages, convert) : capture::toScript(messages, convert);
    for (const std::string& warning : result.warnings) err << "sockscope: warning: " << warning << '\n';
    if (data.stats.collected_dropped != 0)
        err << "sockscope: warning: " << data.stats.collected_dropped << " payload byte(s) beyond "
            << capture::kMaxCollectedBytes << " left out\n";
    const capture::FlowDirection& sent = flow.dir[static_cast<std::size_t>(convert.side)];
    const capture::FlowDirection& got = flow.dir[static_cast<std::size_t>(1 - convert.side)];
    if (sent.gaps + got.gaps != 0)
        err << "sockscope: warning: the capture misses " << (sent.gap_bytes + got.gap_bytes)
            << " byte(s) of this flow (packets not captured); the messages around them are incomplete\n";
    out << (options.as_commands ? capture::commandsJson(result.commands) : capture::scriptJson(result.script)).dump(2) << '\n';
    err << "sockscope: flow " << *options.flow << " (" << options.side << " " << flow.endpoint(convert.side) << "): "
        << result.sends << " send(s)";
    if (!options.as_commands) err << ", " << result.expects << " expect(s), " << result.waits << " wait(s)";
    err << '\n';
    return 0;
}

}  // namespace sockscope
