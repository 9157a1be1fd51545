#pragma once
// Which part of the window a frame changes. Every draw command of the frame gets a fingerprint
// (clip rectangle, texture, its vertices and index pattern) and the rectangle it can touch (its
// clip rectangle met with its vertices' bounding box); comparing them with the last presented
// frame's, position by position in each draw list, gives the damage: the rectangles of the commands
// that differ, as they were and as they are (for a command whose clip and texture stayed, only the
// triangles between the run it shares with the last frame at its start and the one at its end:
// one changed cell of a table column, not the column), united per draw list (window) and then merged down to
// a few rectangles. Outside them, every pixel is drawn by the same commands in the same order as on
// screen, so it is already right. The frame loop then renders only inside each rectangle
// (clipDrawData) and presents those (app/gui_present.hpp). Several rectangles rather than one:
// a log scrolling in the middle and a status bar ticking at the bottom are not the whole window.
#include <cstdint>
#include <vector>

struct ImDrawData;
struct ImDrawList;
struct ImDrawCmd;

namespace sockscope::ui {

/// A rectangle in ImGui display coordinates (the coordinates of ImDrawCmd::ClipRect), integer
/// bounds; empty when x1 <= x0 or y1 <= y0.
struct DamageRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    [[nodiscard]] bool empty() const { return x1 <= x0 || y1 <= y0; }
    bool operator==(const DamageRect&) const = default;
};

class DrawDamage {
public:
    static constexpr std::size_t kMaxRects = 4;

    /// Compares `data` with the frame given to the last update() and remembers it. Returns at most
    /// kMaxRects disjoint rectangles whose pixels may differ: none when none do; the whole display
    /// on the first frame, after invalidate(), or when the display, its scale or the clear colour
    /// changed.
    [[nodiscard]] std::vector<DamageRect> update(const ImDrawData& data, std::uint32_t clear_rgba);
    /// The screen (or the buffer kept between frames) no longer shows the last frame, or textures
    /// changed under the same names: the next update() damages everything.
    void invalidate() { m_valid = false; }

    struct Triangle {
        std::uint64_t hash = 0;   // its three vertices: position, texture coordinates, colour
        DamageRect box;
    };

private:
    struct Command {
        std::uint64_t hash = 0;       // clip, texture and every triangle
        DamageRect rect;              // the pixels it may touch (empty when it draws none)
        DamageRect clip;
        std::uint64_t texture = 0;
        std::size_t first = 0, last = 0;   // its triangles
    };
    static Command commandFacts(const ImDrawList& list, const ImDrawCmd& cmd, const DamageRect& display,
                                std::vector<Triangle>& triangles);
    /// What differs between a command of the last frame and its counterpart in this one.
    DamageRect changedArea(const Command& before, const Command& after, const DamageRect& display) const;

    std::vector<Command> m_commands;     // the last frame's, list after list
    std::vector<std::size_t> m_listEnds; // end of each draw list's commands in m_commands
    std::vector<Triangle> m_triangles;   // the last frame's, command after command
    std::vector<Command> m_next;         // this frame's (kept to reuse their memory)
    std::vector<std::size_t> m_nextEnds;
    std::vector<Triangle> m_nextTriangles;
    DamageRect m_display;
    std::uint32_t m_clear = 0;
    bool m_valid = false;
};

/// Meets every command's clip rectangle with `damage`, so that rendering `data` touches no pixel
/// outside it (the OpenGL3 backend skips commands whose clip rectangle became empty). `original`
/// holds the clip rectangles before the first call (filled when empty, then used), so that the
/// same frame can be clipped to each rectangle of the damage in turn.
void clipDrawData(ImDrawData& data, const DamageRect& damage, std::vector<DamageRect>& original);

/// Merges overlapping rectangles, then the pair whose union adds the least area, until at most
/// `max` are left (each rectangle of the result is disjoint from the others).
[[nodiscard]] std::vector<DamageRect> mergeRects(std::vector<DamageRect> rects, std::size_t max);

}  // namespace sockscope::ui
