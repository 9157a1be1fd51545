#pragma once
// Rendering a frame and putting it on screen, drawing and presenting only the part of the window
// that changed where that is possible. Under a software rasteriser (Mesa llvmpipe: Xvfb, VNC, a VM
// without a GPU) most of a frame's cost is fixed per frame: clearing, tile passes and copying the
// whole window to the X server (docs/benchmarks.md). With GLX_MESA_copy_sub_buffer the presenter
// draws into the back buffer only inside the damaged rectangle (ui/draw_damage.hpp) and copies
// just that rectangle to the window, never swapping: the back buffer keeps the rest of the last
// picture. Everywhere else (Windows, macOS, Wayland/EGL, no extension, a hardware renderer) it
// draws the whole frame and swaps, as before.
#include <cstdint>
#include <memory>
#include <vector>

#include "ui/draw_damage.hpp"

struct GLFWwindow;
struct ImDrawData;

namespace sockscope {

class FramePresenter {
public:
    /// `window`'s context must be current. SOCKSCOPE_PARTIAL_PRESENT=0 turns partial presenting
    /// off, =1 uses it with any renderer that has the extension (by default only with a software
    /// one: with a GPU a full frame costs little, and a copy is not synchronised with the display).
    explicit FramePresenter(GLFWwindow* window);
    ~FramePresenter();
    FramePresenter(const FramePresenter&) = delete;
    FramePresenter& operator=(const FramePresenter&) = delete;

    [[nodiscard]] bool partial() const { return m_copy != nullptr; }
    /// The window, the kept back buffer or the textures no longer show the last picture: the next
    /// frame is drawn whole.
    void invalidate() { m_damage.invalidate(); }
    /// Draws `data` into the back buffer (clipping its commands to the damage when partial).
    /// Returns the share of the window drawn: 0 when nothing changed, 1 for a whole frame.
    double render(ImDrawData& data, std::uint32_t clear_rgba, int width, int height);
    /// Puts what render() drew on screen (after a screenshot read it from the back buffer).
    void present();

private:
    struct Glx;
    /// Framebuffer pixels, origin bottom left (glScissor's and glXCopySubBufferMESA's convention).
    struct PixelRect {
        int x = 0, y = 0, width = 0, height = 0;
    };
    static PixelRect toPixels(const ui::DamageRect& damage, const ImDrawData& data, int width, int height);

    GLFWwindow* m_window;
    std::unique_ptr<Glx> m_copy;   // set when partial presenting is in use
    ui::DrawDamage m_damage;
    std::vector<ui::DamageRect> m_originalClips;    // the frame's clip rectangles before clipping
    std::vector<PixelRect> m_drawn;                 // drawn by the last render(), to present
    int m_windowWidth = 0, m_windowHeight = 0;      // the last rendered frame's size
    bool m_swap = false;                            // present() swaps (whole frame)
};

}  // namespace sockscope
