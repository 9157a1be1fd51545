#include "app/gui_present.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#if !defined(_WIN32) && !defined(__APPLE__)
#define SOCKSCOPE_PARTIAL_PRESENT_GLX 1
#include <dlfcn.h>
#endif
#include <GL/gl.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sockscope {

#if defined(SOCKSCOPE_PARTIAL_PRESENT_GLX)
namespace {

// X11 and GLX are reached through GLFW's native access functions, looked up at run time: no X11
// headers at build time, and a GLFW built without X11 (Wayland only) simply has none of them.
struct Display;
using GLXDrawable = unsigned long;   // an XID
using GetX11Display = Display* (*)();
using GetGlxWindow = GLXDrawable (*)(GLFWwindow*);
using CopySubBuffer = void (*)(Display*, GLXDrawable, int, int, int, int);

class GlxPartialPresenter final : public PartialPresenter {
public:
    GlxPartialPresenter(Display* display, GLXDrawable drawable, CopySubBuffer copy)
        : m_display(display), m_drawable(drawable), m_copy(copy) {}
    void copy(int x, int y, int width, int height) override { m_copy(m_display, m_drawable, x, y, width, height); }

private:
    Display* m_display;
    GLXDrawable m_drawable;
    CopySubBuffer m_copy;
};

bool softwareRenderer() {
    const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    if (renderer == nullptr) return false;
    for (const char* name : {"llvmpipe", "softpipe", "swrast", "Software Rasterizer"})
        if (std::strstr(renderer, name) != nullptr) return true;
    return false;
}

}  // namespace
#endif

std::unique_ptr<PartialPresenter> PartialPresenter::create([[maybe_unused]] GLFWwindow* window) {
    const char* setting = std::getenv("SOCKSCOPE_PARTIAL_PRESENT");
    const std::string wanted = setting ? setting : "";
    if (wanted == "0") return nullptr;
#if defined(SOCKSCOPE_PARTIAL_PRESENT_GLX)
    // glfwGetGLXWindow fails (returns None) when the window's context is not GLX (EGL).
    auto get_display = reinterpret_cast<GetX11Display>(dlsym(RTLD_DEFAULT, "glfwGetX11Display"));
    auto get_window = reinterpret_cast<GetGlxWindow>(dlsym(RTLD_DEFAULT, "glfwGetGLXWindow"));
    if (get_display == nullptr || get_window == nullptr) return nullptr;
    Display* display = get_display();
    const GLXDrawable drawable = display ? get_window(window) : 0;
    if (display == nullptr || drawable == 0 || !glfwExtensionSupported("GLX_MESA_copy_sub_buffer")) return nullptr;
    auto copy = reinterpret_cast<CopySubBuffer>(glfwGetProcAddress("glXCopySubBufferMESA"));
    if (copy == nullptr || (wanted != "1" && !softwareRenderer())) return nullptr;
    return std::make_unique<GlxPartialPresenter>(display, drawable, copy);
#else
    return nullptr;
#endif
}

}  // namespace sockscope
