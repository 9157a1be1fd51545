#include "item_recorder.hpp"

namespace sockscope::ui::test {
bool ItemRecorder::recording = false;
std::vector<RecordedItem> ItemRecorder::items;
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
#endif
