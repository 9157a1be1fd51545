#pragma once
// A list of equal-height rows scrolled in row units with its own scrollbar. ImGui's own scrolling
// (and ImGuiListClipper) positions rows in float pixels, which loses whole rows past ~16M pixels
// (a million rows at 2x font scale) and blanks or misplaces them; rows here are addressed by index,
// exact at any count. Only the visible rows are submitted.
#include <cstddef>
#include <cstdint>

namespace sockscope::ui {

struct VirtualList {
    std::int64_t first = 0;     // first row shown
    bool follow = false;        // keep the last row in view (cleared when the user scrolls up)
    float row_height = 0;       // measured from the previous frame (0 = use the estimate)
    bool sticky = false;        // scrolling down to the end turns follow on again

    /// Call inside a window/child that does not scroll itself (NoScrollbar | NoScrollWithMouse),
    /// before drawing rows: reserves `scrollbar_w()` on the right, applies the mouse wheel when the
    /// window is hovered, and returns how many rows fit in `height` pixels.
    std::size_t begin(std::size_t count, float height, float estimated_row_height);
    /// Rows to draw: [first, end). One extra row is included for a partly visible last row.
    std::size_t end(std::size_t count) const;
    /// Draws the scrollbar in the rectangle [x, y, x + scrollbar_w(), y + height) (screen pixels).
    void scrollbar(const char* id, std::size_t count, float x, float y, float height);
    /// Records the measured height of `rows` rows drawn in `pixels`.
    void measured(std::size_t rows, float pixels);
    /// Makes `row` visible (scrolling as little as possible).
    void reveal(std::size_t row);
    static float scrollbarWidth();

    std::size_t visible = 1;    // rows that fit (set by begin)
};

}  // namespace sockscope::ui
