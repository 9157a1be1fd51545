// libFuzzer target: the settings.json loader (src/ui/settings_store.cpp, no ImGui). Whatever the
// file holds, parsing returns (no throw, no abort) and what it loaded saves and loads back
// without problems.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ui/settings_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope::ui;
    if (size > kMaxSettingsFileBytes) return 0;
    const SettingsLoad load = parseSettings(std::string_view(reinterpret_cast<const char*>(data), size));
    const SettingsLoad again = parseSettings(settingsToText(load.settings, load.layout, load.state));
    if (!again.problems.empty()) std::abort();   // what we write, we read back
    if (again.settings.recent != load.settings.recent) std::abort();
    return 0;
}
