// The endpoint editor and the profile loader read one field table (core/registry): the editor
// draws every field of a kind through it, and what a user types beyond a field's range ends up as
// the nearest value the loader accepts (issue 6 item 27: two validators disagreed).
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <string>

#include "core/profile/profile.hpp"
#include "core/registry/endpoint_registry.hpp"
#include "headless.hpp"
#include "ui/i18n.hpp"
#include "ui/views/endpoint_editor.hpp"
#include "ui/views/endpoint_editor_fields.hpp"
#include "ui/views/workspace_view.hpp"

namespace sockscope::ui {
namespace {

using registry::FieldDescriptor;
using registry::FieldType;

class EditorFieldsTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
    }

    void clickProbe(const std::string& name) {
        ASSERT_TRUE(probe.has(name)) << name << " was not drawn";
        const ProbeRect r = probe.at(name);
        ui.click(r.cx(), r.cy());
    }

    /// Clicks the field's widget, replaces its text with `text`, then leaves it (Enter).
    void typeInto(const std::string& key, const std::string& text) {
        clickProbe("editor.field." + key);
        ui.key(GLFW_KEY_A, true);
        ui.key(GLFW_KEY_DELETE);
        ui.type(text);
        ui.key(GLFW_KEY_ENTER);
    }

    /// The issues validateEndpoint finds at `key`.
    static std::string issuesAt(const EndpointConfig& c, std::string_view key) {
        std::string out;
        for (const ConfigIssue& issue : validateEndpoint(c))
            if (issue.path == key) out += issue.message + "\n";
        return out;
    }

    test::Headless ui;
    UiProbe probe;
    UiModel model;
    CommandSink sink = [](Command) {};
};

TEST_F(EditorFieldsTest, EditorDrawsEveryFieldOfEachKindThroughTheTable) {
    for (const registry::KindDescriptor& kind : registry::kinds()) {
        SCOPED_TRACE(std::string(kind.name));
        EndpointConfig config = Workspace::defaultConfig(kind.type, 0);
        EndpointEditor editor;
        editor.openNew(kind.type, model.workspace);
        editor.config() = config;
        ui.setDraw([&] { editor.draw(model, sink); });
        ui.frames(3);
        std::size_t drawn = 0;
        for (const FieldDescriptor& f : registry::endpointFields()) {
            if (f.type == FieldType::Stage || (f.type == FieldType::Custom && f.write == nullptr)) continue;
            const bool shown = probe.has("editor.field." + std::string(f.key));
            EXPECT_EQ(shown, registry::appliesTo(f, kind.type)) << f.key;
            drawn += shown ? 1 : 0;
        }
        EXPECT_GE(drawn, 15u);
        probe.rects.clear();
    }
}

// Every integer field: one below its minimum and (where an int can hold it) one above its maximum
// become the minimum and the maximum, which the loader accepts; the loader refuses the typed value.
TEST_F(EditorFieldsTest, TypedIntegersOutsideTheRangeBecomeTheNearestValueTheLoaderAccepts) {
    std::size_t checked = 0;
    for (const FieldDescriptor& f : registry::endpointFields()) {
        if (f.type != FieldType::Int) continue;
        SCOPED_TRACE(std::string(f.key));
        const EndpointType type = (f.kinds & registry::kTcpClient) ? EndpointType::TcpClient
                                  : (f.kinds & registry::kTcpServer) ? EndpointType::TcpServer
                                                                     : EndpointType::Udp;
        EndpointConfig config = Workspace::defaultConfig(type, 0);
        config.reconnect.initial_ms = 1;        // the cap may go down to 1 ...
        config.reconnect.max_ms = INT_MAX;      // ... and the first delay up to INT_MAX
        ui.setDraw([&] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(400, 100));
            ImGui::Begin("field", nullptr, ImGuiWindowFlags_NoDecoration);
            fieldInputInt(model, "##value", f.key, config);
            ImGui::End();
        });
        ui.frames(2);
        std::vector<std::pair<std::int64_t, std::int64_t>> typed_expected{{f.min - 1, f.min}, {f.min, f.min}};
        if (f.max < INT_MAX) typed_expected.push_back({f.max + 1, f.max});
        else typed_expected.push_back({INT_MAX, INT_MAX});
        for (const auto& [typed, expected] : typed_expected) {
            typeInto(std::string(f.key), std::to_string(typed));
            EXPECT_EQ(registry::intValue(f, config), expected) << "typed " << typed;
            EXPECT_EQ(issuesAt(config, f.key), "") << "typed " << typed;
            if (typed != expected) {
                EndpointConfig refused = config;
                registry::setInt(f, refused, typed);
                EXPECT_NE(issuesAt(refused, f.key), "") << "the loader refuses " << typed;
            }
            ++checked;
        }
    }
    EXPECT_EQ(checked, 3u * 13);   // three values for each of the 13 integer fields
}

// The framing section's numbers clamp to the framing stage's ranges, the ones its reader checks.
TEST_F(EditorFieldsTest, FramingNumbersClampToTheStagesRanges) {
    const registry::StageDescriptor* framing = registry::findStage("framing");
    ASSERT_NE(framing, nullptr);
    for (const registry::StageField& f : framing->fields) {
        SCOPED_TRACE(std::string(f.key));
        std::int64_t value = f.min;
        ui.setDraw([&] {
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(400, 100));
            ImGui::Begin("field", nullptr, ImGuiWindowFlags_NoDecoration);
            stageInputInt(model, "##value", "framing", f.key, value);
            ImGui::End();
        });
        ui.frames(2);
        typeInto("framing." + std::string(f.key), std::to_string(f.min - 1));
        EXPECT_EQ(value, f.min);
        typeInto("framing." + std::string(f.key), std::to_string(f.max + 1));
        EXPECT_EQ(value, f.max);
    }
}

// Every other stage's integer fields (timers, rules, scripts, faults) and the recording section's
// keep, as the views draw them: typed values outside the range become the nearest the loader
// accepts; a split size or a rule's times of 0 stays 0 ("off", "always").
TEST_F(EditorFieldsTest, EveryStageIntegerClampsToTheRegistrysRange) {
    std::vector<std::pair<std::string_view, const registry::StageField*>> fields;
    for (const registry::StageDescriptor& stage : registry::stages())
        for (const registry::StageField& f : stage.fields)
            if (stage.name != "framing" && !f.real) fields.emplace_back(stage.name, &f);
    for (const registry::SectionDescriptor& section : registry::profileSections())
        for (const registry::StageField& f : section.fields)
            if (!f.real) fields.emplace_back(section.name, &f);
    ASSERT_GE(fields.size(), 10u);
    for (const auto& [stage, field] : fields) {
        const registry::StageField& f = *field;
        SCOPED_TRACE(std::string(stage) + "." + std::string(f.key));
        for (const bool udp : {false, true}) {
            std::int64_t value = f.min;
            const bool zero_is_off = f.key == "split.size" || f.key == "rules.times";
            ui.setDraw([&] {
                ImGui::SetNextWindowPos(ImVec2(0, 0));
                ImGui::SetNextWindowSize(ImVec2(400, 100));
                ImGui::Begin("field", nullptr, ImGuiWindowFlags_NoDecoration);
                stageInputInt(model, "##value", stage, f.key, value, udp, zero_is_off);
                ImGui::End();
            });
            ui.frames(2);
            const std::string key = std::string(stage) + "." + std::string(f.key);
            typeInto(key, std::to_string(f.min - 1));
            EXPECT_EQ(value, zero_is_off && f.min - 1 <= 0 ? 0 : f.min);
            const std::int64_t max = std::min<std::int64_t>(f.maxFor(udp), INT_MAX);
            typeInto(key, std::to_string(std::min<std::int64_t>(f.maxFor(udp), INT_MAX - 1) + 1));
            EXPECT_EQ(value, f.maxFor(udp) < INT_MAX ? max : std::int64_t{INT_MAX});
        }
    }
    EXPECT_EQ(clampToStage("faults", "split.size", 70'000, true), 65'507) << "a udp piece is one datagram";
    EXPECT_EQ(clampToStage("faults", "split.size", 70'000, false), 70'000);
    EXPECT_EQ(clampToStage("faults", "split.size", -3, false, true), 0);
}

// The numbers (probabilities, rotation sizes) clamp to their ranges too.
TEST_F(EditorFieldsTest, StageNumbersClampToTheRegistrysRange) {
    double drop = 0.5, rotate = 100;
    ui.setDraw([&] {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(400, 100));
        ImGui::Begin("field", nullptr, ImGuiWindowFlags_NoDecoration);
        stageSlider(model, "##drop", "faults", "drop", drop, "%.2f");
        stageInputDouble(model, "##rotate", "recording", "rotate_mb", rotate, "%.0f");
        ImGui::End();
    });
    ui.frames(2);
    typeInto("recording.rotate_mb", "-5");
    EXPECT_EQ(rotate, 0.0);
    typeInto("recording.rotate_mb", "5e12");
    EXPECT_EQ(rotate, 1e9);
    // Ctrl+click types into a slider.
    clickProbe("editor.field.faults.drop");
    ui.frames(1);
    EXPECT_GE(drop, 0.0);
    EXPECT_LE(drop, 1.0);
}

// The values the editor keeps apart (linger with its checkbox, CLOSE_WAIT seconds beside the
// policy) and the jitter slider clamp to the table's range too.
TEST_F(EditorFieldsTest, HeldValuesAndTheSliderClampToTheTable) {
    EXPECT_EQ(clampToField("options.linger_s", -5), 0);
    EXPECT_EQ(clampToField("options.linger_s", 7200), 7200) << "the loader takes any seconds >= 0";
    EXPECT_EQ(clampToField("close_wait_timeout_s", 2e9, 0.0), 1e9);
    EXPECT_EQ(clampToField("close_wait_timeout_s", -3.0, 0.0), 0.0);
    EXPECT_EQ(clampToField("close_wait_timeout_s", std::nan(""), 0.0), 0.0);

    EndpointConfig config = Workspace::defaultConfig(EndpointType::TcpClient, 0);
    ui.setDraw([&] {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(400, 100));
        ImGui::Begin("field", nullptr, ImGuiWindowFlags_NoDecoration);
        fieldSlider(model, "##jitter", "reconnect.jitter", config, "%.2f");
        ImGui::End();
    });
    ui.frames(2);
    // Ctrl+click types into a slider.
    ImGui::GetIO().KeyCtrl = true;
    clickProbe("editor.field.reconnect.jitter");
    ImGui::GetIO().KeyCtrl = false;
    ui.key(GLFW_KEY_A, true);
    ui.key(GLFW_KEY_DELETE);
    ui.type("-0.5");
    ui.key(GLFW_KEY_ENTER);
    EXPECT_EQ(config.reconnect.jitter, 0.0);
    EXPECT_EQ(issuesAt(config, "reconnect.jitter"), "");
}

// The editor's write queue limit is shown in KiB; what is typed is stored in bytes, in range.
TEST_F(EditorFieldsTest, WriteQueueLimitInKibStaysInTheLoadersRange) {
    EndpointConfig config = Workspace::defaultConfig(EndpointType::TcpServer, 0);
    ui.setDraw([&] {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(400, 100));
        ImGui::Begin("field", nullptr, ImGuiWindowFlags_NoDecoration);
        fieldInputInt(model, "##wql", "write_queue_limit", config, 1024);
        ImGui::End();
    });
    ui.frames(2);
    typeInto("write_queue_limit", "64");
    EXPECT_EQ(config.write_queue_limit, 64u * 1024);
    typeInto("write_queue_limit", "-3");
    EXPECT_EQ(config.write_queue_limit, 1u);
    EXPECT_EQ(issuesAt(config, "write_queue_limit"), "");
}

}  // namespace
}  // namespace sockscope::ui
