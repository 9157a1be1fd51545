#include "app/gui_present.hpp"

#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#if defined(__APPLE__)
#define GL_SILENCE_DEPRECATION
#include <OpenGL/gl.h>
#else
#include <GL/gl.h>
#endif
#if !defined(_WIN32) && !defined(__APPLE__)
#define SOCKSCOPE_PARTIAL_PRESENT_GLX 1
#include <dlfcn.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace sockscope {

// X11 and GLX are reached through GLFW's native access functions, looked up at run time: no X11
// headers at build time, and a GLFW without X11 (Windows, macOS, Wayland only) has none of them.
struct FramePresenter::Glx {
    struct Display;
    using Drawable = unsigned long;   // an XID
    using CopySubBuffer = void (*)(Display*, Drawable, int, int, int, int);
    Display* display = nullptr;
    Drawable drawable = 0;
    CopySubBuffer copy = nullptr;
};

namespace {

[[maybe_unused]] bool softwareRenderer() {   // used on X11 only
    const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    if (renderer == nullptr) return false;
    for (const char* name : {"llvmpipe", "softpipe", "swrast", "Software Rasterizer"})
        if (std::strstr(renderer, name) != nullptr) return true;
    return false;
}

}  // namespace

FramePresenter::FramePresenter(GLFWwindow* window) : m_window(window) {
    const char* setting = std::getenv("SOCKSCOPE_PARTIAL_PRESENT");
    const std::string wanted = setting ? setting : "";
    if (wanted == "0") return;
#if defined(SOCKSCOPE_PARTIAL_PRESENT_GLX)
    using GetDisplay = Glx::Display* (*)();
    using GetWindow = Glx::Drawable (*)(GLFWwindow*);
    // Ask only an X11 window with a GLX context: GLFW reports an error for any other question
    // (GLFW 3.4 on Wayland; an EGL context). glfwGetPlatform exists from 3.4 on.
    using GetPlatform = int (*)();
    constexpr int kPlatformX11 = 0x00060004;   // GLFW_PLATFORM_X11
    if (auto get_platform = reinterpret_cast<GetPlatform>(dlsym(RTLD_DEFAULT, "glfwGetPlatform")))
        if (get_platform() != kPlatformX11) return;
    if (glfwGetWindowAttrib(window, GLFW_CONTEXT_CREATION_API) != GLFW_NATIVE_CONTEXT_API) return;
    auto get_display = reinterpret_cast<GetDisplay>(dlsym(RTLD_DEFAULT, "glfwGetX11Display"));
    auto get_window = reinterpret_cast<GetWindow>(dlsym(RTLD_DEFAULT, "glfwGetGLXWindow"));
    if (get_display == nullptr || get_window == nullptr) return;
    auto glx = std::make_unique<Glx>();
    glx->display = get_display();
    glx->drawable = glx->display ? get_window(window) : 0;
    if (glx->display == nullptr || glx->drawable == 0 || !glfwExtensionSupported("GLX_MESA_copy_sub_buffer")) return;
    glx->copy = reinterpret_cast<Glx::CopySubBuffer>(glfwGetProcAddress("glXCopySubBufferMESA"));
    if (glx->copy == nullptr || (wanted != "1" && !softwareRenderer())) return;
    m_copy = std::move(glx);
#endif
}

FramePresenter::~FramePresenter() = default;

double FramePresenter::render(ImDrawData& data, std::uint32_t clear_rgba, int width, int height) {
    // A new window size: Mesa's software winsys picks up the new buffer size at a swap, and the
    // back buffer's contents are undefined after one. Draw it whole and swap; the next frame whole.
    const bool resized = width != m_windowWidth || height != m_windowHeight;
    m_swap = !partial() || resized;
    m_drawn.clear();
    glViewport(0, 0, width, height);
    const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(clear_rgba);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    if (!partial()) {
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(&data);
        m_drawn.push_back({0, 0, width, height});
        return 1;
    }
    if (resized) m_damage.invalidate();
    const std::vector<ui::DamageRect> damage = m_damage.update(data, clear_rgba);
    if (resized) m_damage.invalidate();
    m_originalClips.clear();
    double pixels = 0;
    for (const ui::DamageRect& rect : damage) {   // each rectangle: clear it, draw what falls in it
        const PixelRect drawn = toPixels(rect, data, width, height);
        if (drawn.width <= 0 || drawn.height <= 0) continue;
        ui::clipDrawData(data, rect, m_originalClips);
        glEnable(GL_SCISSOR_TEST);   // llvmpipe clears only the tiles the scissor covers
        glScissor(drawn.x, drawn.y, drawn.width, drawn.height);
        glClear(GL_COLOR_BUFFER_BIT);
        glDisable(GL_SCISSOR_TEST);
        ImGui_ImplOpenGL3_RenderDrawData(&data);
        m_drawn.push_back(drawn);
        pixels += static_cast<double>(drawn.width) * drawn.height;
    }
    m_windowWidth = width;
    m_windowHeight = height;
    return pixels / std::max(1.0, static_cast<double>(width) * height);
}

FramePresenter::PixelRect FramePresenter::toPixels(const ui::DamageRect& damage, const ImDrawData& data, int width,
                                                   int height) {
    const ImVec2 pos = data.DisplayPos, scale = data.FramebufferScale;
    const auto pixel = [](float v, float origin, float factor, int limit, bool up) {
        const float scaled = (v - origin) * factor;
        return std::clamp(static_cast<int>(up ? std::ceil(scaled) : std::floor(scaled)), 0, limit);
    };
    const int x0 = pixel(damage.x0, pos.x, scale.x, width, false), x1 = pixel(damage.x1, pos.x, scale.x, width, true);
    const int top = pixel(damage.y0, pos.y, scale.y, height, false), bottom = pixel(damage.y1, pos.y, scale.y, height, true);
    return {x0, height - bottom, x1 - x0, bottom - top};   // GL's origin is the bottom left
}

void FramePresenter::present() {
    if (m_drawn.empty()) return;
#if defined(SOCKSCOPE_PARTIAL_PRESENT_GLX)
    if (!m_swap) {   // never a swap: the back buffer keeps the picture for the next frame
        for (const PixelRect& r : m_drawn) m_copy->copy(m_copy->display, m_copy->drawable, r.x, r.y, r.width, r.height);
        m_drawn.clear();
        return;
    }
#endif
    glfwSwapBuffers(m_window);
    m_drawn.clear();
}

}  // namespace sockscope
