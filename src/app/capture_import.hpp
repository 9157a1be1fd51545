#pragma once
// `sockscope --import-capture FILE [--flow N --side client|server [--as script|commands] [--name NAME]]`:
// the flow list of a pcap/pcapng, or one flow's side as a script / saved commands in JSON
// (docs/headless.md, "Import a capture"). Exit 0, or 2 with a message on a bad file or flow.
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

#include "core/capture/capture_convert.hpp"

namespace sockscope {

struct ImportCaptureOptions {
    std::string file;
    std::optional<std::size_t> flow;       // 1-based, as listed
    std::string side;                      // "client" or "server"
    bool as_commands = false;
    std::string name = "imported";
    std::string expect = "exact";          // none | exact | any | prefix:N
    bool keep_gaps = false;
    bool per_packet = false;
};

/// Parses "--expect" text into the options; false with `error` set when it is not understood.
[[nodiscard]] bool parseExpectOption(const std::string& text, capture::ConvertOptions& options, std::string& error);

int runImportCapture(const ImportCaptureOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sockscope
