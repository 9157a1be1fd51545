#pragma once
// Dialogs are sized in font units, and must still fit the app's window: at font size 2.0 on a
// 1000-pixel-high window a 36-em editor was taller than the window, its Apply button unreachable.
#include <imgui.h>

#include <algorithm>

namespace sockscope::ui {

/// `wanted`, shrunk to 94 % of the main viewport's work area where it is larger (the dialog's
/// own scrolling region takes the rest).
inline ImVec2 fitToWindow(ImVec2 wanted) {
    const ImVec2 work = ImGui::GetMainViewport()->WorkSize;
    return ImVec2(std::min(wanted.x, work.x * 0.94f), std::min(wanted.y, work.y * 0.94f));
}

}  // namespace sockscope::ui
