// The rules section of the endpoint editor in a headless ImGui frame: the "try it" box shows
// which rule answers a pasted message and the exact reply bytes; rules are added and deleted;
// live hit counts and the storm guard's pause are shown with a Resume button that posts the command.
#include <gtest/gtest.h>

#include "headless.hpp"
#include "item_recorder.hpp"
#include "core/profile/profile.hpp"
#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/rules_view.hpp"

namespace sockscope::ui {
namespace {

class RulesViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
        const ProfileLoadResult loaded = loadProfile(SOCKSCOPE_SOURCE_DIR "/assets/profiles/rtu-device.json");
        ASSERT_TRUE(loaded.profile) << loaded.error;
        config = loaded.profile->endpoints[0];
        ui.setDraw([this] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(1400, 900));
            ImGui::Begin("rules", nullptr, ImGuiWindowFlags_NoDecoration);
            editor.draw(model, config, 0);
            ImGui::End();
        });
        ui.frames(2);
    }
    void clickProbe(const std::string& name) {
        ASSERT_TRUE(probe.has(name)) << name << " was not drawn";
        ui.click(probe.at(name).cx(), probe.at(name).cy());
    }
    void typeInto(const std::string& probe_name, const std::string& text) {
        clickProbe(probe_name);
        ui.key(GLFW_KEY_A, true);
        ui.key(GLFW_KEY_DELETE);
        ui.type(text);
        ui.frames(2);
    }
    /// Whether a text containing `part` was drawn in the last frame.
    bool drawn(const std::string& part) {
        test::ItemRecorder::clear();
        test::ItemRecorder::recording = true;
        ui.frames(1);
        test::ItemRecorder::recording = false;
        for (const auto& t : test::ItemRecorder::texts)
            if (t.text.find(part) != std::string::npos) return true;
        return false;
    }

    /// From now on each frame draws only the counts strip of `id`; commands land in `commands`.
    void drawCountsOf(EndpointId id) {
        ui.setDraw([this, id] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(1400, 200));
            ImGui::Begin("counts", nullptr, ImGuiWindowFlags_NoDecoration);
            drawRuleCounts(model, [this](Command c) { commands.push_back(std::move(c)); }, id, config);
            ImGui::End();
        });
        ui.frames(2);
    }

    test::Headless ui;
    std::vector<Command> commands;
    UiModel model;
    UiProbe probe;
    EndpointConfig config;
    RulesEditor editor;
};

TEST_F(RulesViewTest, TryItShowsTheMatchingRuleAndTheExactReplyBytes) {
    clickProbe("rules.try.hex");
    ui.frames(1);
    typeInto("rules.try.input", "01 03 00 00 00 01 84 0A");
    EXPECT_EQ(editor.tryInput(), "01 03 00 00 00 01 84 0A");
    ASSERT_TRUE(editor.tryResult().rule);
    EXPECT_EQ(*editor.tryResult().rule, 0u);
    EXPECT_EQ(editor.tryResult().reply, (Bytes{0x01, 0x03, 0x02, 0x00, 0x2A, 0x39, 0x9B}));
#if SOCKSCOPE_ITEM_HOOK
    EXPECT_TRUE(drawn("rule 1 \"read holding register\" matches"));
    EXPECT_TRUE(drawn("reply (hex): 01 03 02 00 2A 39 9B"));
#endif

    clickProbe("rules.try.hex");   // back to text: the same box answers text messages
    ui.frames(1);
    typeInto("rules.try.input", "PING\\r\\n");
    ASSERT_TRUE(editor.tryResult().rule);
    EXPECT_EQ(*editor.tryResult().rule, 1u);
    EXPECT_EQ(editor.tryResult().reply, (Bytes{'P', 'O', 'N', 'G', ' ', '1', '\r', '\n'}));
#if SOCKSCOPE_ITEM_HOOK
    EXPECT_TRUE(drawn("reply (text): PONG 1\\r\\n"));
#endif

    typeInto("rules.try.input", "HELLO");
    EXPECT_FALSE(editor.tryResult().rule);
#if SOCKSCOPE_ITEM_HOOK
    EXPECT_TRUE(drawn("no rule matches"));
#endif
}

TEST_F(RulesViewTest, EditingARuleChangesWhatTheTryItBoxAnswers) {
    typeInto("rules.try.input", "PING");
    ASSERT_TRUE(editor.tryResult().rule);
    typeInto("rules.1.reply", "PONG {{echo}}!");
    EXPECT_EQ(config.rules[1].reply->text, "PONG {{echo}}!");
    ui.frames(1);
    EXPECT_EQ(editor.tryResult().reply, (Bytes{'P', 'O', 'N', 'G', ' ', 'P', 'I', 'N', 'G', '!'}));
    // A bad hex match says why, in the box and under the rule.
    typeInto("rules.0.match", "01 0G");
    EXPECT_NE(editor.tryResult().error.find("'G' is not a hex digit"), std::string::npos) << editor.tryResult().error;
    clickProbe("rules.0.delete");
    ui.frames(2);
    ASSERT_EQ(config.rules.size(), 1u);
    EXPECT_EQ(config.rules[0].name, "ping");
    clickProbe("rules.add");
    ui.frames(2);
    EXPECT_EQ(config.rules.size(), 2u);
}

TEST_F(RulesViewTest, LiveHitsAndAPausedRuleWithResume) {
    config.name = "dev";
    const EndpointId id = model.workspace.add(config);
    model.apply(RuleStatus{id, {{"read holding register", 12, false}, {"ping", 3456, true}}, nowUs()});
    drawCountsOf(id);
#if SOCKSCOPE_ITEM_HOOK
    EXPECT_TRUE(drawn("read holding register: 12 hits"));
    EXPECT_TRUE(drawn("ping: 3456 hits !"));
#endif
    clickProbe("rules.resume.1");
    ASSERT_EQ(commands.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<ResumeRules>(commands[0]));
    EXPECT_EQ(std::get<ResumeRules>(commands[0]).rule, "ping");
}

/// Thousands of rules (a generated profile): the editor draws the rules in view, not all of them,
/// and the counts strip names a few and sums the rest, with one Resume for the paused ones.
TEST_F(RulesViewTest, TwentyThousandRulesDrawOnlyWhatIsInView) {
    config.rules.resize(1);
    for (int i = 1; i < 20000; ++i) {
        ReplyRule rule = config.rules[0];
        rule.name = "r" + std::to_string(i);
        config.rules.push_back(std::move(rule));
    }
    config.name = "big";
    const EndpointId id = model.workspace.add(config);
    RuleStatus status{id, {}, nowUs()};
    for (int i = 1; i < 20000; ++i) status.rules.push_back({"r" + std::to_string(i), 2, i == 19999});
    model.apply(status);
#if SOCKSCOPE_ITEM_HOOK
    ui.frames(2);   // the first frame measures a rule's height
    test::ItemRecorder::clear();
    test::ItemRecorder::recording = true;
    ui.frames(1);
    test::ItemRecorder::recording = false;
    EXPECT_LT(test::ItemRecorder::items.size(), 2000u) << "the editor drew rules out of view";
    EXPECT_TRUE(probe.has("rules.0.name"));
#endif
    drawCountsOf(id);
#if SOCKSCOPE_ITEM_HOOK
    EXPECT_TRUE(drawn("r19999: 2 hits !")) << "a paused rule is named wherever it is";
    EXPECT_TRUE(drawn("+19987 more: 39974 hits, 0 paused"));
#endif
    EXPECT_FALSE(probe.has("rules.resume_all")) << "the one paused rule has its own Resume";
}

}  // namespace
}  // namespace sockscope::ui
