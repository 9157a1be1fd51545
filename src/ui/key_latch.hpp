#pragma once
// ImGui 1.86 reads the keyboard as "which keys are down now" (io.KeysDown): a key pressed and
// released between two frames — a quick tap while the app idles or renders slowly, xdotool, a
// remote desktop — is never seen, so its shortcut does nothing. The latch keeps such a key down
// for one frame, with the modifiers it was pressed with, then lets it go.
#include <utility>
#include <vector>

struct ImGuiIO;

namespace sockscope::ui {

class KeyLatch {
public:
    /// From the window's key callback, for every press (key: the io.KeysDown index, GLFW's key
    /// code; mods: GLFW_MOD_* bits).
    void notePress(int key, int mods);
    /// Before ImGui::NewFrame. `down(key)` says whether the key is physically down now. Returns
    /// true when it holds a key for this frame: one more frame must follow to release it.
    template <typename IsDown>
    bool apply(ImGuiIO& io, IsDown down) {
        releaseHeld(io, [&](int key) { return down(key); });
        return holdTapped(io);
    }

private:
    template <typename IsDown>
    void releaseHeld(ImGuiIO& io, IsDown down) {
        for (int key : m_held) setKey(io, key, down(key));
        m_held.clear();
    }
    bool holdTapped(ImGuiIO& io);
    static void setKey(ImGuiIO& io, int key, bool down);

    std::vector<std::pair<int, int>> m_pressed;   // key, mods: pressed since the last frame
    std::vector<int> m_held;                      // held down by the latch for the last frame
};

}  // namespace sockscope::ui
