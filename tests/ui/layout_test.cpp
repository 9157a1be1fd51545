// Every view walked in headless frames (issue 6 items 18, 21): no two items share an ID in a
// frame (a shared ID makes the second one dead, as the editor's Auto-reconnect checkbox was).
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "headless.hpp"
#include "item_recorder.hpp"
#include "ui/main_window.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {
namespace {

using test::ItemRecorder;

// A workspace with every endpoint kind, connections and log rows, so every view has content.
void populate(UiModel& model) {
    const EndpointId server = model.workspace.add(model.workspace.newConfig(EndpointType::TcpServer));
    const EndpointId client = model.workspace.add(model.workspace.newConfig(EndpointType::TcpClient));
    EndpointConfig udp = model.workspace.newConfig(EndpointType::Udp);
    udp.multicast.groups.push_back({"239.1.2.3", ""});
    udp.multicast.groups.push_back({"239.1.2.4", ""});
    model.workspace.add(udp);
    EndpointStatus listening{};
    listening.endpoint = server;
    listening.state = EndpointState::Listening;
    listening.local = "0.0.0.0:9000";
    model.apply(listening);
    for (ConnectionId c = 1; c <= 3; ++c)
        model.apply(ConnectionOpened{server, c, "[2001:db8::1234:5678:9abc]:6" + std::to_string(c) + "000",
                                     "0.0.0.0:9000", nowUs()});
    EndpointStatus failed{};
    failed.endpoint = client;
    failed.state = EndpointState::Failed;
    failed.error = ErrorInfo{"ECONNREFUSED", "connection refused by 127.0.0.1:9001: nothing is listening on that port"};
    model.apply(failed);
    model.apply(DataEvent{server, 1, Direction::Rx, nowUs(), {}, Bytes{'h', 'i', 0xe4, 0xbd, 0xa0}});
    model.selection = Selection{server, 0};
}

/// IDs used by two different rectangles in one frame: "window: id (x,y) and (x,y)".
std::vector<std::string> duplicateIds() {
    std::map<std::pair<ImGuiWindow*, ImGuiID>, ImRect> seen;
    std::map<ImGuiID, ImRect> any_window;
    std::vector<std::string> out;
    for (const auto& item : ItemRecorder::items) {
        if (item.id == 0) continue;
        auto [it, inserted] = any_window.emplace(item.id, item.rect);
        if (inserted) continue;
        const ImRect& a = it->second;
        const ImRect& b = item.rect;
        // The same item added twice at the same place (e.g. a group's end) is not a collision.
        if (a.Min.x == b.Min.x && a.Min.y == b.Min.y) continue;
        if (a.Contains(b) || b.Contains(a)) continue;   // a widget and its own frame (multi-line input)
        std::ostringstream text;
        text << item.window->Name << ": id " << item.id << " at (" << a.Min.x << "," << a.Min.y << ") and ("
             << b.Min.x << "," << b.Min.y << ")";
        out.push_back(text.str());
    }
    return out;
}

class LayoutTest : public ::testing::Test {
protected:
    void SetUp() override {
#if !SOCKSCOPE_ITEM_HOOK
        GTEST_SKIP() << "ImGui::ItemAdd cannot be wrapped on this platform";
#endif
        setLanguage(Language::English);
        populate(model);
        model.probe = &probe;
    }
    void TearDown() override {
        ItemRecorder::recording = false;
        setLanguage(Language::English);
    }

    /// Draws `frames` frames and returns the collisions of the last one.
    std::vector<std::string> collisionsAfter(int frames) {
        ui.frames(frames - 1);
        ItemRecorder::clear();
        ItemRecorder::recording = true;
        ui.frame();
        ItemRecorder::recording = false;
        return duplicateIds();
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    std::vector<Command> commands;
    CommandSink sink = [this](Command c) { commands.push_back(std::move(c)); };
};

TEST_F(LayoutTest, NoTwoItemsShareAnIdInAnyView) {
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    for (Language language : {Language::English, Language::Chinese}) {
        setLanguage(language);
        EXPECT_EQ(collisionsAfter(3), std::vector<std::string>{}) << "main window";
        for (const auto& endpoint : model.workspace.endpoints()) {
            window.editor().openEdit(endpoint, model.workspace);
            EXPECT_EQ(collisionsAfter(3), std::vector<std::string>{}) << "editor of " << endpoint.config.name;
            window.editor().requestCancel();
            ui.frames(2);
        }
    }
}

}  // namespace
}  // namespace sockscope::ui
