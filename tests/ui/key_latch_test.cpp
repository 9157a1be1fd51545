// A key tapped between two frames (pressed and released before ImGui saw it) still counts once.
#include <gtest/gtest.h>

#include "headless.hpp"
#include "ui/key_latch.hpp"

namespace sockscope::ui {
namespace {

/// What the GLFW backend does for one key event (it derives the modifiers from the keys).
void backendKey(int key, bool down) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[key] = down;
    io.KeyCtrl = io.KeysDown[GLFW_KEY_LEFT_CONTROL] || io.KeysDown[GLFW_KEY_RIGHT_CONTROL];
}

struct Frame {
    bool ctrl_one = false;
    bool ctrl_held = false;
};

Frame runFrame(test::Headless& ui, KeyLatch& latch) {
    latch.apply(ImGui::GetIO(), [](int) { return false; });
    Frame seen;
    ui.setDraw([&] {
        seen.ctrl_one = ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_1, false);
        seen.ctrl_held = ImGui::GetIO().KeyCtrl;
    });
    ui.frame();
    return seen;
}

TEST(KeyLatch, ACtrlOneTappedBetweenFramesIsSeenOnceThenLetGo) {
    test::Headless ui;
    KeyLatch latch;
    ui.frame();
    // xdotool key ctrl+1: all four events arrive before the next frame.
    latch.notePress(GLFW_KEY_LEFT_CONTROL, 0);
    backendKey(GLFW_KEY_LEFT_CONTROL, true);
    latch.notePress(GLFW_KEY_1, GLFW_MOD_CONTROL);
    backendKey(GLFW_KEY_1, true);
    backendKey(GLFW_KEY_1, false);
    backendKey(GLFW_KEY_LEFT_CONTROL, false);
    const Frame first = runFrame(ui, latch);
    EXPECT_TRUE(first.ctrl_one) << "the tap is seen";
    const Frame second = runFrame(ui, latch);
    EXPECT_FALSE(second.ctrl_one) << "once";
    EXPECT_FALSE(second.ctrl_held) << "and let go";
    EXPECT_FALSE(ImGui::GetIO().KeysDown[GLFW_KEY_1]);
}

TEST(KeyLatch, AKeyStillHeldIsLeftToTheBackend) {
    test::Headless ui;
    KeyLatch latch;
    ui.frame();
    latch.notePress(GLFW_KEY_LEFT_CONTROL, 0);
    backendKey(GLFW_KEY_LEFT_CONTROL, true);
    latch.notePress(GLFW_KEY_1, GLFW_MOD_CONTROL);
    backendKey(GLFW_KEY_1, true);
    bool pressed = false;
    EXPECT_FALSE(latch.apply(ImGui::GetIO(), [](int) { return true; })) << "nothing to hold: both are down";
    ui.setDraw([&] { pressed = ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_1, false); });
    ui.frame();
    EXPECT_TRUE(pressed);
    EXPECT_TRUE(ImGui::GetIO().KeysDown[GLFW_KEY_1]) << "still down: the latch does not release it";
}

TEST(KeyLatch, CtrlLetGoBeforeTheFrameStillCountsForTheKeyItWasHeldFor) {
    test::Headless ui;
    KeyLatch latch;
    latch.notePress(GLFW_KEY_LEFT_CONTROL, 0);   // frame 1 sees Ctrl alone
    backendKey(GLFW_KEY_LEFT_CONTROL, true);
    EXPECT_FALSE(runFrame(ui, latch).ctrl_one);
    latch.notePress(GLFW_KEY_1, GLFW_MOD_CONTROL);   // then 1 goes down and Ctrl up, before frame 2
    backendKey(GLFW_KEY_1, true);
    backendKey(GLFW_KEY_LEFT_CONTROL, false);
    EXPECT_TRUE(runFrame(ui, latch).ctrl_one) << "1 was pressed with Ctrl";
}

}  // namespace
}  // namespace sockscope::ui
