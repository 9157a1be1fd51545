#pragma once
// How many rasteriser threads Mesa's software renderer (llvmpipe) should start. By default it
// starts one per CPU and the thread that draws hands every frame's tiles to them and waits. On a
// machine with two CPUs that hand-off is what makes frames slow when the CPUs are busy (the I/O
// thread answering 10,000 connections, the X server): the UI thread's own work in a slow frame is
// ~4 ms, the rest is waiting until each rasteriser thread gets a CPU (docs/benchmarks.md, gui
// session 9). With LP_NUM_THREADS=0 llvmpipe rasterises on the drawing thread itself. Only the
// software renderer reads LP_NUM_THREADS; a value the user set is never changed.
#include <optional>
#include <string>

namespace sockscope::ui {

/// At most this many CPUs: rasterise on the drawing thread.
inline constexpr unsigned kFewCpus = 2;

/// The LP_NUM_THREADS value the app should set before its GL context exists, or nothing (the user
/// set one, or the machine has more than kFewCpus CPUs; `cpus` 0 = unknown: nothing).
[[nodiscard]] std::optional<std::string> rasteriserThreadsSetting(const char* user_setting, unsigned cpus);

/// Sets LP_NUM_THREADS as rasteriserThreadsSetting() says (Linux; elsewhere nothing). Returns true
/// when it set it: call clearRasteriserThreadsSetting() once the GL context exists, so that
/// processes the app starts do not inherit it.
[[nodiscard]] bool applyRasteriserThreadsSetting();
void clearRasteriserThreadsSetting();

}  // namespace sockscope::ui
