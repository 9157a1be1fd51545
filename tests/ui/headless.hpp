#pragma once
// A headless ImGui context for view tests: no window, no GPU. Frames are driven by hand with a
// simulated mouse and keyboard (ImGui 1.86 input: io.MousePos/MouseDown/KeysDown/AddInputCharacter).
#include <imgui.h>
#include <GLFW/glfw3.h>

#include <functional>
#include <string>

namespace sockscope::ui::test {

class Headless {
public:
    Headless() {
        m_context = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(1600, 1000);
        io.DeltaTime = 1.0f / 60.0f;
        io.IniFilename = nullptr;
        io.Fonts->AddFontDefault();
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
        // The GLFW backend's key map, so views' GLFW_KEY_* checks work.
        io.KeyMap[ImGuiKey_Tab] = GLFW_KEY_TAB;
        io.KeyMap[ImGuiKey_LeftArrow] = GLFW_KEY_LEFT;
        io.KeyMap[ImGuiKey_RightArrow] = GLFW_KEY_RIGHT;
        io.KeyMap[ImGuiKey_UpArrow] = GLFW_KEY_UP;
        io.KeyMap[ImGuiKey_DownArrow] = GLFW_KEY_DOWN;
        io.KeyMap[ImGuiKey_Backspace] = GLFW_KEY_BACKSPACE;
        io.KeyMap[ImGuiKey_Delete] = GLFW_KEY_DELETE;
        io.KeyMap[ImGuiKey_Enter] = GLFW_KEY_ENTER;
        io.KeyMap[ImGuiKey_Escape] = GLFW_KEY_ESCAPE;
        io.KeyMap[ImGuiKey_A] = GLFW_KEY_A;
        io.KeyMap[ImGuiKey_C] = GLFW_KEY_C;
        io.KeyMap[ImGuiKey_V] = GLFW_KEY_V;
        io.KeyMap[ImGuiKey_X] = GLFW_KEY_X;
        io.KeyMap[ImGuiKey_Home] = GLFW_KEY_HOME;
        io.KeyMap[ImGuiKey_End] = GLFW_KEY_END;
    }
    ~Headless() { ImGui::DestroyContext(m_context); }
    Headless(const Headless&) = delete;
    Headless& operator=(const Headless&) = delete;

    void setDraw(std::function<void()> draw) { m_draw = std::move(draw); }

    void frame() {
        ImGui::NewFrame();
        if (m_draw) m_draw();
        ImGui::Render();
    }
    void frames(int n) {
        for (int i = 0; i < n; ++i) frame();
    }

    /// Moves there, presses, releases: one click, over three frames (`button` 1: the right one).
    void click(float x, float y, int button = 0) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = ImVec2(x, y);
        frame();
        io.MouseDown[button] = true;
        frame();
        io.MouseDown[button] = false;
        frame();
    }

    void type(const std::string& text) {
        for (char c : text) {
            ImGui::GetIO().AddInputCharacter(static_cast<unsigned char>(c));
            frame();
        }
    }

    /// Holds a key (with Ctrl if asked) for one frame, then releases it.
    void key(int glfw_key, bool ctrl = false) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeyCtrl = ctrl;
        io.KeysDown[glfw_key] = true;
        frame();
        io.KeysDown[glfw_key] = false;
        frame();
        io.KeyCtrl = false;
        frame();
    }

private:
    ImGuiContext* m_context = nullptr;
    std::function<void()> m_draw;
};

}  // namespace sockscope::ui::test
