#pragma once
// Presenting only the part of the window that changed. Under a software rasteriser (Mesa llvmpipe,
// e.g. Xvfb, VNC, a VM without a GPU) most of a frame's cost is fixed per frame: clearing, tile
// passes and copying the whole window to the X server (docs/benchmarks.md). With
// GLX_MESA_copy_sub_buffer the loop renders into the back buffer only inside the damaged rectangle
// and copies just that rectangle to the screen, never swapping: the back buffer keeps the rest of
// the last picture. Everywhere else (Windows, macOS, Wayland/EGL, no extension) the loop renders
// the whole frame and swaps, as before.
#include <memory>

struct GLFWwindow;

namespace sockscope {

class PartialPresenter {
public:
    /// The presenter for `window` (its context current), or nullptr where partial presenting is not
    /// available or not worth it: no X11/GLX, no GLX_MESA_copy_sub_buffer, or a hardware renderer
    /// (there a full frame costs little, and a copy is not synchronised with the display).
    /// SOCKSCOPE_PARTIAL_PRESENT=0 turns it off, =1 uses it with any renderer that has the extension.
    [[nodiscard]] static std::unique_ptr<PartialPresenter> create(GLFWwindow* window);
    virtual ~PartialPresenter() = default;
    /// Copies a rectangle of the back buffer to the window (framebuffer pixels, origin bottom left).
    virtual void copy(int x, int y, int width, int height) = 0;
};

}  // namespace sockscope
