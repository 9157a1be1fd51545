#include "ui/render_threads.hpp"

#include <cstdlib>
#include <thread>

namespace sockscope::ui {

std::optional<std::string> rasteriserThreadsSetting(const char* user_setting, unsigned cpus) {
    if (user_setting != nullptr) return std::nullopt;   // the user's choice, even an empty one
    if (cpus == 0 || cpus > kFewCpus) return std::nullopt;
    return std::string("0");
}

bool applyRasteriserThreadsSetting() {
#if defined(__linux__)
    const auto value = rasteriserThreadsSetting(std::getenv("LP_NUM_THREADS"), std::thread::hardware_concurrency());
    return value && setenv("LP_NUM_THREADS", value->c_str(), 0) == 0;
#else
    return false;
#endif
}

void clearRasteriserThreadsSetting() {
#if defined(__linux__)
    unsetenv("LP_NUM_THREADS");
#endif
}

}  // namespace sockscope::ui
