#include "item_recorder.hpp"

#include <cstring>

namespace sockscope::ui::test {
bool ItemRecorder::recording = false;
std::vector<RecordedItem> ItemRecorder::items;
std::vector<ItemRecorder::Text> ItemRecorder::texts;
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
