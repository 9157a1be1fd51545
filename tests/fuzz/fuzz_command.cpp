// libFuzzer target for the headless command channel: any line interprets to either an error and
// nothing to do, or commands and no error — never a crash, a hang or an escaping exception.
// Built by tests/fuzz/CMakeLists.txt; run by `scripts/dev.sh fuzz` (corpus: tests/fuzz/corpus/command).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/command_channel.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    static const ChannelEndpoints endpoints = [] {
        ChannelEndpoints known;
        known["dev"].id = 1;
        known["dev"].type = EndpointType::TcpServer;
        known["udp"].id = 2;
        known["udp"].type = EndpointType::Udp;
        return known;
    }();
    const ChannelAction action = interpretCommand(std::string_view(reinterpret_cast<const char*>(data), size), endpoints);
    if (!action.error.empty() && (!action.commands.empty() || action.quit)) std::abort();
    return 0;
}
