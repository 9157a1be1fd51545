#include "ui/virtual_list.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>

namespace sockscope::ui {
namespace {
constexpr std::int64_t kWheelRows = 3;
}

float VirtualList::scrollbarWidth() { return ImGui::GetStyle().ScrollbarSize; }

std::size_t VirtualList::begin(std::size_t count, float height, float estimated_row_height) {
    const float row_h = row_height > 1.0f ? row_height : std::max(1.0f, estimated_row_height);
    visible = static_cast<std::size_t>(std::max(1.0f, std::floor(height / row_h)));
    const auto n = static_cast<std::int64_t>(count);
    const std::int64_t last_first = std::max<std::int64_t>(0, n - static_cast<std::int64_t>(visible));
    const float wheel = ImGui::GetIO().MouseWheel;
    if (wheel != 0 && ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows)) {
        first -= static_cast<std::int64_t>(std::lround(wheel * kWheelRows));
        if (wheel > 0) follow = false;
        if (wheel < 0 && sticky && first >= last_first) follow = true;
    }
    first = std::clamp<std::int64_t>(first, 0, last_first);
    if (follow) first = last_first;
    return visible;
}

std::size_t VirtualList::end(std::size_t count) const {
    return std::min(count, static_cast<std::size_t>(first) + visible + 1);
}

void VirtualList::scrollbar(const char* id, std::size_t count, float x, float y, float height) {
    if (count <= visible) return;
    ImGuiWindow* window = ImGui::GetCurrentWindow();
    const ImRect bb(ImVec2(x, y), ImVec2(x + scrollbarWidth(), y + height));
    ImS64 scroll = first;
    const ImS64 before = scroll;
    ImGui::ScrollbarEx(bb, window->GetID(id), ImGuiAxis_Y, &scroll, static_cast<ImS64>(visible),
                       static_cast<ImS64>(count), ImDrawFlags_RoundCornersNone);
    if (scroll != before) {
        first = scroll;
        // Dragged to the end: follow again; anywhere else: stop following.
        follow = first + static_cast<std::int64_t>(visible) >= static_cast<std::int64_t>(count);
    }
}

void VirtualList::measured(std::size_t rows, float pixels) {
    if (rows >= 2 && pixels > 0) row_height = pixels / static_cast<float>(rows);
}

void VirtualList::reveal(std::size_t row) {
    const auto r = static_cast<std::int64_t>(row);
    if (r < first) first = r;
    else if (r >= first + static_cast<std::int64_t>(visible)) first = r - static_cast<std::int64_t>(visible) + 1;
}

}  // namespace sockscope::ui
