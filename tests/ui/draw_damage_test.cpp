// Issue 6, item 24: the damaged rectangle of a frame (ui/draw_damage.hpp), on headless ImGui frames:
// what changed is inside it, what did not change stays outside, and clipping keeps every command
// inside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "headless.hpp"
#include "model_fixtures.hpp"
#include "ui/draw_damage.hpp"
#include "ui/i18n.hpp"
#include "ui/main_window.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {
namespace {

constexpr std::uint32_t kClear = 0xff000000u;

bool contains(const DamageRect& outer, const DamageRect& inner) {
    return inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 && inner.y1 <= outer.y1;
}

bool overlaps(const DamageRect& a, const DamageRect& b) {
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

bool overlaps(const std::vector<DamageRect>& rects, const DamageRect& b) {
    return std::any_of(rects.begin(), rects.end(), [&](const DamageRect& a) { return overlaps(a, b); });
}

/// The bounding box of all damage rectangles.
DamageRect bounds(const std::vector<DamageRect>& rects) {
    DamageRect all = rects.empty() ? DamageRect{} : rects[0];
    for (const DamageRect& r : rects)
        all = {std::min(all.x0, r.x0), std::min(all.y0, r.y0), std::max(all.x1, r.x1), std::max(all.y1, r.y1)};
    return all;
}

bool covered(const std::vector<DamageRect>& rects, const DamageRect& inner) {
    return std::any_of(rects.begin(), rects.end(), [&](const DamageRect& a) { return contains(a, inner); });
}

float area(const std::vector<DamageRect>& rects) {
    float sum = 0;
    for (const DamageRect& r : rects) sum += (r.x1 - r.x0) * (r.y1 - r.y0);
    return sum;
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
    std::vector<DamageRect> frame() {
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
    EXPECT_EQ(frame(), std::vector{display});
    EXPECT_TRUE(frame().empty()) << "the same picture again";
    damage.invalidate();
    EXPECT_EQ(frame(), std::vector{display}) << "after invalidate() everything is damaged";
    EXPECT_TRUE(frame().empty());
}

TEST_F(DrawDamageTest, AChangedTextDamagesItsWindowOnly) {
    frame();
    frame();
    left_text = "hellp";
    const std::vector<DamageRect> rects = frame();
    ASSERT_EQ(rects.size(), 1u);
    const DamageRect changed = rects[0];
    EXPECT_TRUE(contains(left_area, changed)) << changed.x0 << "," << changed.y0 << " " << changed.x1 << "," << changed.y1;
    EXPECT_FALSE(overlaps(changed, right_area));
    EXPECT_LT((changed.x1 - changed.x0) * (changed.y1 - changed.y0), 300 * 200 / 4) << "about the text's line, not the window";
    EXPECT_TRUE(frame().empty());
}

TEST_F(DrawDamageTest, OneChangedLineAmongManyDamagesThatLineOnly) {
    std::vector<std::string> lines(20, "a line of text");
    ui.setDraw([&] {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(400, 600));
        ImGui::Begin("lines", nullptr, ImGuiWindowFlags_NoDecoration);
        for (const std::string& line : lines) ImGui::TextUnformatted(line.c_str());
        ImGui::End();
    });
    frame();
    frame();
    lines[10] = "a line of texts";   // one glyph more, in the middle of one draw command
    const std::vector<DamageRect> rects = frame();
    ASSERT_EQ(rects.size(), 1u);
    const float line_height = ImGui::GetTextLineHeightWithSpacing();
    EXPECT_LT(rects[0].y1 - rects[0].y0, 2 * line_height) << "the line, not the window";
    EXPECT_GT(rects[0].y0, 9 * line_height);
    EXPECT_LT(rects[0].y1, 13 * line_height);
}

TEST_F(DrawDamageTest, AMovedOrRemovedWindowDamagesWhereItWasAndWhereItIs) {
    frame();
    frame();
    right_pos = ImVec2(1200, 100);
    const std::vector<DamageRect> moved = frame();
    EXPECT_TRUE(overlaps(moved, right_area)) << "where it was";
    EXPECT_TRUE(overlaps(moved, {1200, 100, 1500, 300})) << "where it is";
    EXPECT_FALSE(overlaps(moved, left_area));
    frame();
    show_right = false;   // a draw list less
    const std::vector<DamageRect> removed = frame();
    EXPECT_TRUE(covered(removed, {1200, 100, 1500, 300}));
    EXPECT_FALSE(overlaps(removed, left_area));
    show_right = true;    // and back
    EXPECT_TRUE(covered(frame(), {1200, 100, 1500, 300}));
}

TEST_F(DrawDamageTest, ANewDisplaySizeOrBackgroundDamagesEverything) {
    frame();
    frame();
    ui.frame();
    EXPECT_EQ(damage.update(*ImGui::GetDrawData(), 0xff202020u), std::vector{display}) << "another clear colour (theme)";
    ImGui::GetIO().DisplaySize = ImVec2(1200, 800);
    EXPECT_EQ(frame(), (std::vector{DamageRect{0, 0, 1200, 800}})) << "resized";
    EXPECT_TRUE(frame().empty());
}

TEST_F(DrawDamageTest, ClippingKeepsEveryCommandInsideTheDamage) {
    frame();
    frame();
    left_text = "hello, world";
    const std::vector<DamageRect> rects = frame();
    ASSERT_EQ(rects.size(), 1u);
    const DamageRect changed = rects[0];
    ImDrawData& data = *ImGui::GetDrawData();
    std::vector<DamageRect> original;
    clipDrawData(data, {0, 0, 10, 10}, original);   // another rectangle first: clipping starts from the original
    clipDrawData(data, changed, original);
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

// The whole main window with 10,000 connections: an idle frame damages nothing, hovering a tree
// row damages a small part of the window around that row (what the loop draws and presents).
TEST(DrawDamageMainWindow, HoveringATreeRowDamagesAroundItOnly) {
    setLanguage(Language::English);
    test::Headless ui;
    UiModel model;
    UiProbe probe;
    model.probe = &probe;
    MainWindow window(model, [](Command) {}, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    // Opened an hour ago: the Age column changes once a minute, not between two frames.
    test::addListeningServer(model, 10'000, nowUs() - 3'600'000'000, /*with_stats=*/true);
    DrawDamage damage;
    std::vector<DamageRect> last;
    for (int i = 0; i < 6; ++i) {   // settle (an age or a rate-plot second may tick: a few tries)
        ui.frame();
        last = damage.update(*ImGui::GetDrawData(), kClear);
        if (i >= 3 && last.empty()) break;
    }
    EXPECT_TRUE(last.empty()) << "an unchanged main window damages nothing";
    ASSERT_TRUE(probe.has("tree.conn.103"));
    const ProbeRect row = probe.at("tree.conn.103");
    ImGui::GetIO().MousePos = ImVec2(row.cx(), row.cy());
    ui.frame();
    const std::vector<DamageRect> hovered = damage.update(*ImGui::GetDrawData(), kClear);
    ASSERT_FALSE(hovered.empty()) << "the row is highlighted";
    EXPECT_TRUE(covered(hovered, {row.x0 + 4, row.y0 + 1, row.x1 - 4, row.y1 - 1}));
    // The highlight joins the draw command of the tree's rows; only the triangles from the first
    // to the last that differ are damaged: about the row, not the tree pane.
    EXPECT_LT(area(hovered), 400.0f * 3 * (row.y1 - row.y0)) << "a hover redraws about the row";
}

TEST(DrawDamageMerge, OverlappingRectanglesMergeAndAtMostMaxRemain) {
    // Two overlapping become one; far-apart ones stay apart while there are few.
    EXPECT_EQ(mergeRects({{0, 0, 10, 10}, {5, 5, 20, 20}}, 4), (std::vector<DamageRect>{{0, 0, 20, 20}}));
    EXPECT_EQ(mergeRects({{0, 0, 10, 10}, {100, 100, 110, 110}}, 4).size(), 2u);
    // Too many: the closest pair merges first (the least area added).
    const std::vector<DamageRect> five{{0, 0, 10, 10}, {12, 0, 22, 10}, {500, 0, 510, 10}, {0, 500, 10, 510}, {500, 500, 510, 510}};
    const std::vector<DamageRect> merged = mergeRects(five, 4);
    ASSERT_EQ(merged.size(), 4u);
    EXPECT_TRUE(covered(merged, {0, 0, 22, 10}));
    for (const DamageRect& r : five) EXPECT_TRUE(covered(merged, r));
    for (std::size_t i = 0; i < merged.size(); ++i)
        for (std::size_t j = i + 1; j < merged.size(); ++j) EXPECT_FALSE(overlaps(merged[i], merged[j]));
    EXPECT_EQ(bounds(mergeRects(five, 1)), (DamageRect{0, 0, 510, 510}));
    EXPECT_TRUE(mergeRects({}, 4).empty());
}

}  // namespace
}  // namespace sockscope::ui
