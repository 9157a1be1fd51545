#pragma once
// The endpoint editor's widgets for the registry's fields (core/registry/endpoint_registry.hpp):
// a checkbox for a Bool, an InputInt for an Int, an InputDouble or slider for a Double, each
// clamped to the field's own range, the one the profile loader checks. The editor keeps its layout
// (labels, tooltips, rows) and draws each value through these, so it cannot disagree with the
// loader. Each widget is probed as "editor.field.<key>" (tests check every field a kind uses).
#include <cstdint>
#include <string_view>

#include "core/registry/endpoint_registry.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {

/// A Bool field as a checkbox labelled `label`.
bool fieldCheckbox(UiModel& model, const char* label, std::string_view key, EndpointConfig& config);
/// An Int field as an InputInt; `scale` shows the value divided by it (bytes as KiB: 1024).
bool fieldInputInt(UiModel& model, const char* label, std::string_view key, EndpointConfig& config, int scale = 1);
/// A Double field as a slider over its range.
bool fieldSlider(UiModel& model, const char* label, std::string_view key, EndpointConfig& config, const char* format);
/// A stage's numeric field (registry::stageField: framing's "length", "max", ...) as an InputInt
/// clamped to its range; probed as "editor.field.<stage>.<key>".
bool stageInputInt64(UiModel& model, const char* label, std::string_view stage, std::string_view key,
                     std::int64_t& value);
template <typename T>
bool stageInputInt(UiModel& model, const char* label, std::string_view stage, std::string_view key, T& value) {
    std::int64_t v = static_cast<std::int64_t>(value);
    const bool changed = stageInputInt64(model, label, stage, key, v);
    if (changed) value = static_cast<T>(v);
    return changed;
}

/// A value held apart while editing (linger with its checkbox, the CLOSE_WAIT seconds with its
/// policy), brought into the field's range.
int clampToField(std::string_view key, int value);
double clampToField(std::string_view key, double value, double lowest);

}  // namespace sockscope::ui
