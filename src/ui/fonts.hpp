#pragma once
// Font loading: a CJK-capable UI face and a monospaced face for hex, from the system's fonts
// (Noto Sans CJK on Linux, Microsoft YaHei/Consolas on Windows, PingFang/Menlo on macOS), with
// ImGui's built-in font as the last fallback. Sizes follow the monitor's content scale.
#include "ui/ui_model.hpp"

namespace sockscope::ui {

/// Clears the atlas, loads both faces at `pixel_size` (already scaled) and returns them.
/// Call before the renderer builds its font texture (or rebuild the texture after).
Fonts loadFonts(float pixel_size);

}  // namespace sockscope::ui
