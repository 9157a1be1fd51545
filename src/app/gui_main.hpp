#pragma once
// Entry point of the desktop front end (ImGui + GLFW + OpenGL3). main() parses the command line
// and hands over here; the headless runner (headless_runner.hpp) is the other front end.
#include <atomic>
#include <cstddef>
#include <optional>
#include <string>

namespace sockscope {

struct GuiOptions {
    std::optional<std::string> profile_path;     // open this profile instead of the last workspace
    std::optional<std::string> screenshot_path;  // render `frames` frames, save PNG, exit
    int frames = 30;                             // with screenshot_path
    int bench_frames = 0;                        // >0: print frame-time percentiles after N frames, exit
    int width = 1600, height = 1000;             // initial window size
    const std::atomic<bool>* stop = nullptr;     // set (e.g. by SIGINT/SIGTERM): leave the loop, save, exit 0
    std::size_t log_budget_bytes = 0;            // payload log byte budget; 0 = default (256 MiB)
};

/// Runs the GUI until the window closes. Returns the process exit code.
int runGui(const GuiOptions& options);

}  // namespace sockscope
