#pragma once
// Font loading: a CJK-capable UI face and a monospaced face for hex, from the system's fonts
// (Noto Sans CJK on Linux, Microsoft YaHei/Consolas on Windows, PingFang/Menlo on macOS), with
// ImGui's built-in font as the last fallback. Sizes follow the monitor's content scale.
#include <imgui.h>

#include <cstdint>
#include <set>
#include <vector>

#include "ui/ui_model.hpp"

namespace sockscope::ui {

/// Both faces in a new atlas, texture data made (any thread: it uses no ImGui context).
struct BuiltFonts {
    ImFontAtlas* atlas = nullptr;   // IM_NEW'd; installFonts() hands it to the context
    Fonts fonts;
};
BuiltFonts buildFonts(float pixel_size, const std::vector<ImWchar>& extra_glyphs = {});
/// Makes `built` the context's atlas and frees the old one (between frames; the caller then
/// re-creates the renderer's font texture).
Fonts installFonts(BuiltFonts built);

/// Builds and installs at once: loads both faces at `pixel_size` (already scaled) and returns them; the UI
/// face gets `extra_glyphs` beyond its built-in ranges. Call before the renderer builds its font
/// texture (or rebuild the texture after).
Fonts loadFonts(float pixel_size, const std::vector<ImWchar>& extra_glyphs = {});

/// The code points the UI face cannot draw yet.
std::vector<ImWchar> missingGlyphs(const Fonts& fonts, const std::vector<std::uint16_t>& codepoints);

/// The characters added to the atlas at run time, bounded (the texture grows with each).
class FontGlyphs {
public:
    static constexpr std::size_t kMaxExtraGlyphs = 3000;
    /// Adds the ones `fonts` lacks; true when the atlas must be rebuilt with extra().
    bool add(const Fonts& fonts, const std::vector<std::uint16_t>& codepoints);
    const std::vector<ImWchar>& extra() const { return m_extra; }

private:
    std::vector<ImWchar> m_extra;
    std::set<ImWchar> m_tried;
};

}  // namespace sockscope::ui
