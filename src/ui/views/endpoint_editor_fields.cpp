#include "ui/views/endpoint_editor_fields.hpp"

#include <imgui.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>

#include "ui/probe.hpp"

namespace sockscope::ui {
namespace {

void probeField(UiModel& model, std::string_view key) {
    if (model.probe) probeItem(model, "editor.field." + std::string(key));
}

void probeStage(UiModel& model, std::string_view stage, std::string_view key) {
    if (model.probe) probeItem(model, "editor.field." + std::string(stage) + "." + std::string(key));
}

}  // namespace

bool fieldCheckbox(UiModel& model, const char* label, std::string_view key, EndpointConfig& config) {
    const registry::FieldDescriptor& f = registry::field(key);
    bool value = registry::boolValue(f, config);
    const bool changed = ImGui::Checkbox(label, &value);
    if (changed) registry::setBool(f, config, value);
    probeField(model, key);
    return changed;
}

bool fieldInputInt(UiModel& model, const char* label, std::string_view key, EndpointConfig& config, int scale) {
    const registry::FieldDescriptor& f = registry::field(key);
    // InputInt holds an int: a larger value shows as INT_MAX until edited.
    const std::int64_t shown = registry::intValue(f, config).value_or(f.min) / scale;
    int value = static_cast<int>(std::clamp<std::int64_t>(shown, INT_MIN, INT_MAX));
    const bool changed = ImGui::InputInt(label, &value, 0);
    if (changed) registry::setInt(f, config, registry::clampInt(f, static_cast<std::int64_t>(value) * scale));
    probeField(model, key);
    return changed;
}

bool fieldSlider(UiModel& model, const char* label, std::string_view key, EndpointConfig& config, const char* format) {
    const registry::FieldDescriptor& f = registry::field(key);
    float value = static_cast<float>(registry::doubleValue(f, config));
    // AlwaysClamp: Ctrl+click typing is clamped too; the range is the loader's.
    const bool changed = ImGui::SliderFloat(label, &value, static_cast<float>(f.min_d), static_cast<float>(f.max_d),
                                            format, ImGuiSliderFlags_AlwaysClamp);
    if (changed) registry::setDouble(f, config, registry::clampDouble(f, value));
    probeField(model, key);
    return changed;
}

std::int64_t clampToStage(std::string_view stage, std::string_view key, std::int64_t value, bool udp, bool zero_is_off) {
    const registry::StageField& f = registry::stageField(stage, key);
    if (zero_is_off && value <= 0) return 0;
    return std::clamp<std::int64_t>(value, f.min, f.maxFor(udp));
}

bool stageInputInt64(UiModel& model, const char* label, std::string_view stage, std::string_view key,
                     std::int64_t& value, bool udp, bool zero_is_off) {
    int shown = static_cast<int>(std::clamp<std::int64_t>(value, INT_MIN, INT_MAX));
    const bool changed = ImGui::InputInt(label, &shown, 0);
    if (changed) value = clampToStage(stage, key, shown, udp, zero_is_off);
    probeStage(model, stage, key);
    return changed;
}

bool stageSlider(UiModel& model, const char* label, std::string_view stage, std::string_view key, double& value,
                 const char* format) {
    const registry::StageField& f = registry::stageField(stage, key);
    float shown = static_cast<float>(value);
    // AlwaysClamp: Ctrl+click typing is clamped too; the range is the loader's.
    const bool changed = ImGui::SliderFloat(label, &shown, static_cast<float>(f.min_d), static_cast<float>(f.max_d),
                                            format, ImGuiSliderFlags_AlwaysClamp);
    if (changed) value = std::clamp(static_cast<double>(shown), f.min_d, f.max_d);
    probeStage(model, stage, key);
    return changed;
}

bool stageInputDouble(UiModel& model, const char* label, std::string_view stage, std::string_view key, double& value,
                      const char* format) {
    const registry::StageField& f = registry::stageField(stage, key);
    const bool changed = ImGui::InputDouble(label, &value, 0, 0, format);
    if (changed) value = std::isnan(value) ? f.min_d : std::clamp(value, f.min_d, f.max_d);
    probeStage(model, stage, key);
    return changed;
}

int clampToField(std::string_view key, int value) {
    const registry::FieldDescriptor& f = registry::field(key);
    return static_cast<int>(std::clamp<std::int64_t>(registry::clampInt(f, value), INT_MIN, INT_MAX));
}

double clampToField(std::string_view key, double value, double lowest) {
    const registry::FieldDescriptor& f = registry::field(key);
    if (std::isnan(value)) return lowest;
    return std::clamp(value, std::max(lowest, f.min_d), f.max_d);
}

}  // namespace sockscope::ui
