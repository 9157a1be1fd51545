#pragma once
// The endpoint editor's widgets for the registry's fields (core/registry/endpoint_registry.hpp):
// a checkbox for a Bool, an InputInt for an Int, an InputDouble or slider for a Double, each
// clamped to the field's own range, the one the profile loader checks. The editor keeps its layout
// (labels, tooltips, rows) and draws each value through these, so it cannot disagree with the
// loader. Each widget is probed as "editor.field.<key>" (tests check every field a kind uses).
#include <climits>
#include <cstdint>
#include <type_traits>
#include <algorithm>
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
/// A stage's numeric field (registry::stageField: framing's "length", a timer's "every_ms", ...)
/// as an InputInt clamped to its range (udp: its udp maximum); probed as
/// "editor.field.<stage>.<key>". `zero_is_off`: 0 is kept as "off" (a split size of 0, a rule's
/// times 0 = always) and the profile leaves the key out for it.
bool stageInputInt64(UiModel& model, const char* label, std::string_view stage, std::string_view key,
                     std::int64_t& value, bool udp = false, bool zero_is_off = false);
template <typename T>
bool stageInputInt(UiModel& model, const char* label, std::string_view stage, std::string_view key, T& value,
                   bool udp = false, bool zero_is_off = false) {
    std::int64_t v = static_cast<std::int64_t>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(value), static_cast<std::uint64_t>(INT64_MAX)));
    if constexpr (std::is_signed_v<T>) v = static_cast<std::int64_t>(value);
    const bool changed = stageInputInt64(model, label, stage, key, v, udp, zero_is_off);
    if (changed) value = static_cast<T>(v);
    return changed;
}
/// A stage's number (registry::StageField::real) as a slider over its range.
bool stageSlider(UiModel& model, const char* label, std::string_view stage, std::string_view key, double& value,
                 const char* format);
/// A stage's number as an InputDouble clamped to its range.
bool stageInputDouble(UiModel& model, const char* label, std::string_view stage, std::string_view key, double& value,
                      const char* format);
/// `value` brought into the stage field's range (as stageInputInt64 does).
std::int64_t clampToStage(std::string_view stage, std::string_view key, std::int64_t value, bool udp = false,
                          bool zero_is_off = false);

/// A value held apart while editing (linger with its checkbox, the CLOSE_WAIT seconds with its
/// policy), brought into the field's range.
int clampToField(std::string_view key, int value);
double clampToField(std::string_view key, double value, double lowest);

}  // namespace sockscope::ui
