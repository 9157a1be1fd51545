#pragma once
// Where key widgets were drawn this frame, by name, for view tests (simulated clicks) and for
// the xdotool end-to-end tests (printed in trace mode). Off (no cost) unless UiModel::probe is set.
#include <map>
#include <string>

namespace sockscope::ui {

struct ProbeRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    float cx() const { return (x0 + x1) / 2; }
    float cy() const { return (y0 + y1) / 2; }
    bool operator==(const ProbeRect&) const = default;
};

struct UiProbe {
    std::map<std::string, ProbeRect> rects;   // rebuilt every frame
    bool has(const std::string& name) const { return rects.count(name) != 0; }
    const ProbeRect& at(const std::string& name) const { return rects.at(name); }
};

struct UiModel;
/// Records the last ImGui item's rectangle under `name` when probing is on.
void probeItem(UiModel& model, const char* name);
void probeItem(UiModel& model, const std::string& name);

}  // namespace sockscope::ui
