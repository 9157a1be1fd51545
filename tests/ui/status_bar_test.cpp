// The status bar in a narrow window (large fonts, a long error): unsaved work and the notice come
// before the frame time, the notice is cut at a character with "..." instead of running past the
// window's edge, and the frame time gives way.
#include <gtest/gtest.h>

#include "headless.hpp"
#include "item_recorder.hpp"
#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/status_bar.hpp"

namespace sockscope::ui {
namespace {

using test::ItemRecorder;

TEST(StatusBar, ALongNoticeIsCutToTheLineAndTheFrameTimeGivesWay) {
    for (const Language language : {Language::English, Language::Chinese}) {
        setLanguage(language);
        test::Headless ui;
        UiModel model;
        StatusBar bar;
        float width = 1600;
        ui.setDraw([&] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(width, 60));
            ImGui::Begin("status", nullptr, ImGuiWindowFlags_NoDecoration);
            bar.draw(model);
            ImGui::End();
        });
        model.workspace.dirty = true;
        model.notify("could not save /home/user/gateway.json: no space left on device, the previous file is kept", true);
        const auto texts = [&] {
            ItemRecorder::clear();
            ItemRecorder::recording = true;
            ui.frames(1);
            ItemRecorder::recording = false;
            std::string all;
            for (const auto& t : ItemRecorder::texts) all += t.text + "\n";
            return all;
        };
        ui.frames(2);
#if SOCKSCOPE_ITEM_HOOK
        std::string wide = texts();
        EXPECT_NE(wide.find("the previous file is kept"), std::string::npos) << "wide: the whole notice\n" << wide;
        EXPECT_NE(wide.find("256.0 MiB"), std::string::npos) << "wide: the log's size too\n" << wide;
        width = 600;
        ui.frames(2);
        const std::string narrow = texts();
        EXPECT_NE(narrow.find(tr(Str::StatusUnsaved)), std::string::npos) << narrow;
        EXPECT_NE(narrow.find("could not save"), std::string::npos) << narrow;
        EXPECT_NE(narrow.find("..."), std::string::npos) << "cut with dots\n" << narrow;
        EXPECT_EQ(narrow.find("the previous file is kept"), std::string::npos) << narrow;
        EXPECT_EQ(narrow.find("256.0 MiB"), std::string::npos) << "the log's size gave way\n" << narrow;
        EXPECT_TRUE(test::clippedItems().empty()) << test::clippedItems().front();
#endif
    }
    setLanguage(Language::English);
}

}  // namespace
}  // namespace sockscope::ui
