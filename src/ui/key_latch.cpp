#include "ui/key_latch.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

namespace sockscope::ui {

namespace {
constexpr bool inRange(int key) { return key >= 0 && key < static_cast<int>(IM_ARRAYSIZE(ImGuiIO{}.KeysDown)); }
}  // namespace

void KeyLatch::notePress(int key, int mods) {
    if (inRange(key) && m_pressed.size() < 64) m_pressed.emplace_back(key, mods);   // bounded per frame
}

void KeyLatch::setKey(ImGuiIO& io, int key, bool down) {
    if (inRange(key)) io.KeysDown[key] = down;
}

bool KeyLatch::holdTapped(ImGuiIO& io) {
    int mods = 0;
    for (const auto& [key, key_mods] : m_pressed) {
        mods |= key_mods;   // Ctrl may be up again by now (ctrl+1 typed fast): it held for the press
        if (io.KeysDown[key]) continue;   // still down: ImGui sees it anyway
        io.KeysDown[key] = true;
        m_held.push_back(key);
    }
    m_pressed.clear();
    // Modifiers follow the keys (as the backend derives them), plus those a tapped key came with.
    io.KeyCtrl = io.KeysDown[GLFW_KEY_LEFT_CONTROL] || io.KeysDown[GLFW_KEY_RIGHT_CONTROL] || (mods & GLFW_MOD_CONTROL) != 0;
    io.KeyShift = io.KeysDown[GLFW_KEY_LEFT_SHIFT] || io.KeysDown[GLFW_KEY_RIGHT_SHIFT] || (mods & GLFW_MOD_SHIFT) != 0;
    io.KeyAlt = io.KeysDown[GLFW_KEY_LEFT_ALT] || io.KeysDown[GLFW_KEY_RIGHT_ALT] || (mods & GLFW_MOD_ALT) != 0;
#ifdef _WIN32
    io.KeySuper = false;   // as the backend: Windows keeps the Windows key to itself
#else
    io.KeySuper = io.KeysDown[GLFW_KEY_LEFT_SUPER] || io.KeysDown[GLFW_KEY_RIGHT_SUPER] || (mods & GLFW_MOD_SUPER) != 0;
#endif
    return !m_held.empty();
}

}  // namespace sockscope::ui
