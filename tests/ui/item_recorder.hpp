#pragma once
// Every item ImGui adds in a frame (its ID, rectangle and window), recorded by wrapping
// ImGui::ItemAdd at link time (-Wl,--wrap, see tests/CMakeLists.txt): ImGui 1.86 has no hook of
// its own for this. Widgets live in imgui_widgets.o/imgui_tables.o and call ItemAdd in imgui.o,
// so every widget the views draw passes through the wrapper. SOCKSCOPE_ITEM_HOOK is 0 where the
// linker cannot wrap; tests skip then.
#include <imgui.h>
#include <imgui_internal.h>

#include <string>
#include <vector>

namespace sockscope::ui::test {

struct RecordedItem {
    ImGuiID id = 0;
    ImRect rect;
    ImGuiWindow* window = nullptr;
    ImRect clip;            // the window's clip rectangle then (a table cell's, inside a table)
    bool clipped = false;   // ItemAdd returned false (not visible)
};

/// Items of the frames since the last clear(); on only while `recording` is set.
struct ItemRecorder {
    static bool recording;
    static std::vector<RecordedItem> items;
    struct Text {
        std::string window;   // the window being drawn then
        std::string text;
    };
    static std::vector<Text> texts;   // every text drawn (ImDrawList::AddText, wrapped too)
    static void clear() {
        items.clear();
        texts.clear();
    }
};

/// IDs used by two different rectangles in the recorded frames: "window: id N at (x,y) and (x,y)".
std::vector<std::string> duplicateIds();
/// Items cut off on the right by their window or table column (no horizontal scrollbar to reach
/// them): "window: (x0,y0)-(x1,y1) past x" per item.
std::vector<std::string> clippedItems();

}  // namespace sockscope::ui::test
