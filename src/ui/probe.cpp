#include "ui/probe.hpp"

#include <imgui.h>

#include "ui/ui_model.hpp"

namespace sockscope::ui {

void probeItem(UiModel& model, const std::string& name) {
    if (!model.probe) return;
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    model.probe->rects[name] = ProbeRect{min.x, min.y, max.x, max.y};
}

void probeItem(UiModel& model, const char* name) {
    if (model.probe) probeItem(model, std::string(name));
}

}  // namespace sockscope::ui
