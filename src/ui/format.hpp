#pragma once
// Small text helpers shared by the views: sizes, rates, durations, log times.
#include <cstdint>
#include <string>

#include "core/types.hpp"

namespace sockscope::ui {

std::string formatBytes(double bytes);            // "0 B", "1.2 KiB", "3.4 MiB"
std::string formatCount(std::uint64_t n);         // "1,234,567"
std::string formatDuration(std::int64_t us);      // "850 ms", "12 s", "3m 05s", "2h 01m"
std::string formatClock(TimestampUs us);          // local "14:03:07.123"
std::string formatSeconds(std::int64_t us);       // "+12.345"

/// ImGui 1.86 (16-bit ImWchar, as Debian builds it) draws only the Basic Multilingual Plane: a
/// character beyond it (emoji, CJK Extension B) would be a "?". Shows it as its code point,
/// "\u{1F600}", so the user still sees which character the device sent.
void showBeyondBmpAsCodePoints(std::string& utf8);

}  // namespace sockscope::ui
