// Issue 6 item 22: every character a peer sends can be drawn. The atlas starts with the common
// Chinese set; characters outside it (豸 in UTF-8, 磐 in GBK, ...) are added when text brings them.
#include <gtest/gtest.h>

#include <chrono>

#include "headless.hpp"
#include "ui/fonts.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {
namespace {

constexpr ImWchar kXie = 0x8C78;   // 豸
constexpr ImWchar kPan = 0x78D0;   // 磐

class GlyphsTest : public ::testing::Test {
protected:
    void SetUp() override {
        fonts = loadFonts(15.0f);
        if (!missingGlyphs(fonts, {0x4E2D}).empty()) GTEST_SKIP() << "no CJK system font (Noto Sans CJK)";
    }
    void data(const Bytes& bytes, TextEncoding encoding) {
        model.settings.encoding = encoding;
        model.glyphs.newFrame();
        model.apply(DataEvent{1, 1, Direction::Rx, nowUs(), {}, bytes});
    }
    test::Headless ui;
    Fonts fonts;
    UiModel model;
};

TEST_F(GlyphsTest, RareCharactersFromPeersAreAddedToTheAtlas) {
    ASSERT_EQ(missingGlyphs(fonts, {kXie, kPan}).size(), 2u) << "the common set lacks both (else the test proves nothing)";
    data(Bytes{'a', 0xE8, 0xB1, 0xB8}, TextEncoding::Utf8);   // 豸
    data(Bytes{0xC5, 0xCD, 'b'}, TextEncoding::Gbk);           // 磐
    data(Bytes{0x78, 0x8C}, TextEncoding::Utf16Le);            // 豸 again: noted once
    FontGlyphs extra;
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(extra.add(fonts, model.glyphs.take()));
    EXPECT_EQ(extra.extra(), (std::vector<ImWchar>{kXie, kPan}));
    fonts = loadFonts(15.0f, extra.extra());
    const double rebuild_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    EXPECT_TRUE(missingGlyphs(fonts, {kXie, kPan}).empty()) << "both can be drawn now";
    EXPECT_TRUE(missingGlyphs(fonts, {0x4E2D}).empty()) << "and the common set is still there";
    std::printf("atlas rebuild with 2 extra glyphs: %.1f ms\n", rebuild_ms);
    EXPECT_FALSE(extra.add(fonts, {kXie, kPan})) << "present now: no further rebuild";
}

TEST_F(GlyphsTest, ExtraGlyphsAreBoundedAndAskedForOnce) {
    // Every CJK Extension A and unified ideograph: far more than the atlas may grow by.
    std::string text;
    for (char32_t c = 0x3400; c < 0x9FFF; ++c) {
        text += static_cast<char>(0xE0 | (c >> 12));
        text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        text += static_cast<char>(0x80 | (c & 0x3F));
    }
    model.glyphs.note(text);
    FontGlyphs extra;
    EXPECT_TRUE(extra.add(fonts, model.glyphs.take()));
    EXPECT_EQ(extra.extra().size(), FontGlyphs::kMaxExtraGlyphs);
    model.glyphs.note(text.substr(0, 3 * 1000));
    EXPECT_TRUE(model.glyphs.take().empty()) << "each character is queued once";
    // A character no font has (a private-use code point) is asked for once, not every frame.
    FontGlyphs once;
    EXPECT_TRUE(once.add(fonts, {0xE123}));
    EXPECT_FALSE(once.add(fonts, {0xE123}));
}

TEST_F(GlyphsTest, AFloodIsLookedAtWithinABudget) {
    model.settings.encoding = TextEncoding::Gbk;
    model.glyphs.newFrame();
    Bytes big(GlyphCollector::kFrameBudgetBytes, 0);
    for (std::size_t i = 0; i + 1 < big.size(); i += 2) {
        big[i] = 0xC5;
        big[i + 1] = 0xCD;
    }
    for (int i = 0; i < 100; ++i) model.apply(DataEvent{1, 1, Direction::Rx, nowUs(), {}, big});
    // Only the first message's first kMessageBytes were decoded; the rest waited for a frame.
    EXPECT_EQ(model.glyphs.take(), (std::vector<std::uint16_t>{kPan}));
}

}  // namespace
}  // namespace sockscope::ui
