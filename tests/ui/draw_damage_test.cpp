// Issue 6, item 24: the damaged rectangle of a frame (ui/draw_damage.hpp), on headless ImGui frames:
// what changed is inside it, what did not change stays outside, and clipping keeps every command
// inside it.
#include <gtest/gtest.h>

#include <string>

#include "headless.hpp"
#include "ui/draw_damage.hpp"

namespace sockscope::ui {
namespace {

constexpr std::uint32_t kClear = 0xff000000u;

bool contains(const DamageRect& outer, const DamageRect& inner) {
    return inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 && inner.y1 <= outer.y1;
}

bool overlaps(const DamageRect& a, const DamageRect& b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

class DrawDamageTest : public ::testing::Test {
protected:
    void SetUp() override {
        ui.setDraw([this] {
            window("left", ImVec2(0, 0), left_text);
            if (show_right) window("right", right_pos, "right window");
        });
    }
    void window(const char* name, ImVec2 pos, const std::string& text) {
        ImGui::SetNextWindowPos(pos);
        ImGui::SetNextWindowSize(ImVec2(300, 200));
        ImGui::Begin(name, nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::TextUnformatted(text.c_str());
        ImGui::End();
    }
    DamageRect frame() {
        ui.frame();
        return damage.update(*ImGui::GetDrawData(), kClear);
    }

    test::Headless ui;
    DrawDamage damage;
    std::string left_text = "hello";
    bool show_right = true;
    ImVec2 right_pos{800, 500};
    const DamageRect display{0, 0, 1600, 1000};
    const DamageRect left_area{0, 0, 300, 200};
    const DamageRect right_area{800, 500, 1100, 700};
};

TEST_F(DrawDamageTest, TheFirstFrameIsWholeAnUnchangedOneIsEmpty) {
    EXPECT_EQ(frame(), display);
    EXPECT_TRUE(frame().empty()) << "the same picture again";
    damage.invalidate();
    EXPECT_EQ(frame(), display) << "after invalidate() everything is damaged";
    EXPECT_TRUE(frame().empty());
}

TEST_F(DrawDamageTest, AChangedTextDamagesItsWindowOnly) {
    frame();
    frame();
    left_text = "hellp";
    const DamageRect changed = frame();
    ASSERT_FALSE(changed.empty());
    EXPECT_TRUE(contains(left_area, changed)) << changed.x0 << "," << changed.y0 << " " << changed.x1 << "," << changed.y1;
    EXPECT_FALSE(overlaps(changed, right_area));
    EXPECT_LT((changed.x1 - changed.x0) * (changed.y1 - changed.y0), 300 * 200 / 4) << "about the text's line, not the window";
    EXPECT_TRUE(frame().empty());
}

TEST_F(DrawDamageTest, AMovedOrRemovedWindowDamagesWhereItWasAndWhereItIs) {
    frame();
    frame();
    right_pos = ImVec2(1200, 100);
    const DamageRect moved = frame();
    EXPECT_TRUE(overlaps(moved, right_area)) << "where it was";
    EXPECT_TRUE(overlaps(moved, {1200, 100, 1500, 300})) << "where it is";
    EXPECT_FALSE(overlaps(moved, left_area));
    frame();
    show_right = false;   // a draw list less
    const DamageRect removed = frame();
    EXPECT_TRUE(contains(removed, {1200, 100, 1500, 300}));
    EXPECT_FALSE(overlaps(removed, left_area));
    show_right = true;    // and back
    EXPECT_TRUE(contains(frame(), {1200, 100, 1500, 300}));
}

TEST_F(DrawDamageTest, ANewDisplaySizeOrBackgroundDamagesEverything) {
    frame();
    frame();
    ui.frame();
    EXPECT_EQ(damage.update(*ImGui::GetDrawData(), 0xff202020u), display) << "another clear colour (theme)";
    ImGui::GetIO().DisplaySize = ImVec2(1200, 800);
    EXPECT_EQ(frame(), (DamageRect{0, 0, 1200, 800})) << "resized";
    EXPECT_TRUE(frame().empty());
}

TEST_F(DrawDamageTest, ClippingKeepsEveryCommandInsideTheDamage) {
    frame();
    frame();
    left_text = "hello, world";
    const DamageRect changed = frame();
    ImDrawData& data = *ImGui::GetDrawData();
    clipDrawData(data, changed);
    int drawn = 0, skipped = 0;
    for (int n = 0; n < data.CmdListsCount; ++n) {
        for (const ImDrawCmd& cmd : data.CmdLists[n]->CmdBuffer) {
            const DamageRect clip{cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w};
            if (clip.empty()) {
                ++skipped;   // the OpenGL3 backend draws nothing for it
                continue;
            }
            ++drawn;
            EXPECT_TRUE(contains(changed, clip));
        }
    }
    EXPECT_GT(drawn, 0) << "the left window's text is drawn again";
    EXPECT_GT(skipped, 0) << "the right window is not";
}

}  // namespace
}  // namespace sockscope::ui
