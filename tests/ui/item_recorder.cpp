#include "item_recorder.hpp"

#include <cstring>
#include <map>
#include <sstream>

namespace sockscope::ui::test {
bool ItemRecorder::recording = false;
std::vector<RecordedItem> ItemRecorder::items;
std::vector<ItemRecorder::Text> ItemRecorder::texts;

/// IDs used by two different rectangles in one frame: "window: id (x,y) and (x,y)".
std::vector<std::string> duplicateIds() {
    std::map<ImGuiID, ImRect> any_window;
    std::vector<std::string> out;
    for (const auto& item : ItemRecorder::items) {
        if (item.id == 0) continue;
        auto [it, inserted] = any_window.emplace(item.id, item.rect);
        if (inserted) continue;
        const ImRect& a = it->second;
        const ImRect& b = item.rect;
        // The same item added twice at the same place (e.g. a group's end) is not a collision.
        if (a.Min.x == b.Min.x && a.Min.y == b.Min.y) continue;
        if (a.Contains(b) || b.Contains(a)) continue;   // a widget and its own frame (multi-line input)
        std::ostringstream text;
        text << item.window->Name << ": id " << item.id << " at (" << a.Min.x << "," << a.Min.y << ") and ("
             << b.Min.x << "," << b.Min.y << ")";
        out.push_back(text.str());
    }
    return out;
}


// Item 21: items cut off on the right by their window or table column (no horizontal scrollbar to
// reach them): "window: (x0,y0)-(x1,y1) past x" per item.
std::vector<std::string> clippedItems() {
    const float slack = ImGui::GetStyle().ItemSpacing.x + 1;   // selectables/headers reach into the padding
    std::vector<std::string> out;
    for (const auto& item : ItemRecorder::items) {
        if (item.clipped || item.window->ScrollbarX) continue;
        const ImRect& r = item.rect;
        if (r.Min.x >= item.clip.Max.x || r.Max.y <= item.clip.Min.y || r.Min.y >= item.clip.Max.y) continue;
        if (r.Max.x <= item.clip.Max.x + slack) continue;
        std::ostringstream text;
        text << item.window->Name << ": (" << r.Min.x << "," << r.Min.y << ")-(" << r.Max.x << "," << r.Max.y
             << ") past " << item.clip.Max.x;
        out.push_back(text.str());
    }
    return out;
}
}  // namespace sockscope::ui::test

#if SOCKSCOPE_ITEM_HOOK
// The mangled name of ImGui::ItemAdd(const ImRect&, ImGuiID, const ImRect*, ImGuiItemFlags).
extern "C" bool __real__ZN5ImGui7ItemAddERK6ImRectjPS1_i(const ImRect& bb, ImGuiID id, const ImRect* nav_bb,
                                                        ImGuiItemFlags flags);
extern "C" bool __wrap__ZN5ImGui7ItemAddERK6ImRectjPS1_i(const ImRect& bb, ImGuiID id, const ImRect* nav_bb,
                                                        ImGuiItemFlags flags) {
    const bool visible = __real__ZN5ImGui7ItemAddERK6ImRectjPS1_i(bb, id, nav_bb, flags);
    using sockscope::ui::test::ItemRecorder;
    if (ItemRecorder::recording && ItemRecorder::items.size() < 1'000'000)
        ItemRecorder::items.push_back(
            {id, bb, ImGui::GetCurrentWindow(), ImGui::GetCurrentWindow()->ClipRect, !visible});
    return visible;
}

namespace {
void recordText(const char* begin, const char* end) {
    using sockscope::ui::test::ItemRecorder;
    if (!ItemRecorder::recording || !begin || ItemRecorder::texts.size() >= 100'000) return;
    const ImGuiWindow* window = ImGui::GetCurrentContext() ? ImGui::GetCurrentWindowRead() : nullptr;
    ItemRecorder::texts.push_back({window ? window->Name : "", std::string(begin, end ? end : begin + std::strlen(begin))});
}
}  // namespace

// ImDrawList::AddText, both overloads: every text ImGui (and the views) draw.
extern "C" void __real__ZN10ImDrawList7AddTextEPK6ImFontfRK6ImVec2jPKcS7_fPK6ImVec4(
    ImDrawList* self, const ImFont* font, float size, const ImVec2& pos, ImU32 col, const char* begin, const char* end,
    float wrap, const ImVec4* clip);
extern "C" void __wrap__ZN10ImDrawList7AddTextEPK6ImFontfRK6ImVec2jPKcS7_fPK6ImVec4(
    ImDrawList* self, const ImFont* font, float size, const ImVec2& pos, ImU32 col, const char* begin, const char* end,
    float wrap, const ImVec4* clip) {
    recordText(begin, end);
    __real__ZN10ImDrawList7AddTextEPK6ImFontfRK6ImVec2jPKcS7_fPK6ImVec4(self, font, size, pos, col, begin, end, wrap, clip);
}
extern "C" void __real__ZN10ImDrawList7AddTextERK6ImVec2jPKcS4_(ImDrawList* self, const ImVec2& pos, ImU32 col,
                                                               const char* begin, const char* end);
extern "C" void __wrap__ZN10ImDrawList7AddTextERK6ImVec2jPKcS4_(ImDrawList* self, const ImVec2& pos, ImU32 col,
                                                               const char* begin, const char* end) {
    recordText(begin, end);
    __real__ZN10ImDrawList7AddTextERK6ImVec2jPKcS4_(self, pos, col, begin, end);
}
#endif
