#pragma once
// When the frame loop renders. Input gets a frame at once (60 fps while the user interacts);
// traffic alone redraws at most 20 times a second, and less (down to 10) while frames are slow,
// so that traffic-driven drawing takes at most about a third of the time (a log scrolling under
// a flood needs no more, and under a software rasteriser every frame costs milliseconds of the
// CPUs the I/O thread needs); and a frame whose picture equals the one on screen is built but
// not rendered nor presented (rasterising and presenting are most of a frame's cost, see
// docs/benchmarks.md).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

struct ImDrawData;

namespace sockscope::ui {

/// A fingerprint of everything a frame puts on screen: display size, the clear colour, and every
/// draw command's vertices, indices, clip rectangle and texture. Equal fingerprints: equal pixels.
[[nodiscard]] std::uint64_t drawDataFingerprint(const ImDrawData& data, std::uint32_t clear_rgba);

class FramePacer {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::microseconds kInputPeriod{16'667};    // 60 fps while interacting
    static constexpr std::chrono::microseconds kTrafficPeriod{50'000};  // 20 fps for traffic alone...
    static constexpr std::chrono::microseconds kSlowTrafficPeriod{100'000};  // ...10 fps when frames are slow
    static constexpr std::chrono::milliseconds kInteractiveFor{500};    // input keeps 60 fps this long

    /// Input arrived (mouse, key, resize...): the next frame is due one input period after the last.
    void noteInput(Clock::time_point now) { m_lastInput = now; }
    [[nodiscard]] bool interactive(Clock::time_point now) const { return m_lastInput && now - *m_lastInput < kInteractiveFor; }
    /// When the next frame may start: never earlier than one period after the last one.
    [[nodiscard]] Clock::time_point nextFrame(Clock::time_point now, bool input_pending) const {
        if (!m_lastFrame) return now;
        return *m_lastFrame + (input_pending || interactive(now) ? kInputPeriod : trafficPeriod());
    }
    void frameStarted(Clock::time_point now) { m_lastFrame = now; }
    /// A presented frame took `cost` (events, UI, rendering, swap): slow frames space traffic out.
    void presented(std::chrono::microseconds cost) {
        m_costUs = m_costUs == 0 ? static_cast<double>(cost.count()) : 0.8 * m_costUs + 0.2 * static_cast<double>(cost.count());
    }
    /// Three times the recent frame cost, between 50 and 100 ms.
    [[nodiscard]] std::chrono::microseconds trafficPeriod() const {
        const auto wanted = std::chrono::microseconds(static_cast<std::int64_t>(3 * m_costUs));
        return std::clamp(wanted, kTrafficPeriod, kSlowTrafficPeriod);
    }

    /// After the UI was built: true when the picture differs from the one on screen (render and
    /// present it), false when the screen already shows it.
    [[nodiscard]] bool shouldPresent(std::uint64_t fingerprint) {
        if (m_shown && *m_shown == fingerprint) return false;
        m_shown = fingerprint;
        return true;
    }
    /// The screen may no longer show the last picture (window exposed, fonts or textures rebuilt,
    /// a screenshot wanted): the next frame is presented whatever it shows.
    void invalidate() { m_shown.reset(); }

private:
    std::optional<Clock::time_point> m_lastFrame;
    std::optional<Clock::time_point> m_lastInput;
    std::optional<std::uint64_t> m_shown;
    double m_costUs = 0;   // moving average of the presented frames' cost
};

}  // namespace sockscope::ui
