// File > Import capture in a headless ImGui frame: a pcapng written by Sockscope's own writer is
// read off the UI thread, its flows are listed, and Import adds the chosen side as a script to
// the chosen endpoint (UpdateEndpoint), as saved commands (UpdateSources), or to a new endpoint
// aimed at the captured peer (AddEndpoint); a bad file is an error in the window; the dialog fits
// at font scales 1.0-2.0 in English and Chinese.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/record/pcapng.hpp"
#include "headless.hpp"
#include "item_recorder.hpp"
#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/import_view.hpp"

namespace sockscope::ui {
namespace {

using test::ItemRecorder;

std::span<const std::uint8_t> bytesOf(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// Two flows: a TCP exchange 10.0.0.1:40000 -> 10.0.0.2:502 ("HELLO\r\n" / "WORLD\r\n" / 01 02 /
/// 03 04) and a UDP datagram.
std::string writeCapture(const std::string& name) {
    pcapng::SocketAddress c, s;
    c.ip = {10, 0, 0, 1};
    c.port = 40000;
    s.ip = {10, 0, 0, 2};
    s.port = 502;
    std::string out, frame;
    pcapng::appendSectionHeader(out);
    pcapng::appendInterface(out, "capture");
    TimestampUs t = 1'700'000'000'000'000;
    auto tcp = [&](bool from_client, std::uint32_t seq, std::uint8_t flags, const std::string& payload) {
        pcapng::buildTcpFrame(frame, from_client ? c : s, from_client ? s : c, seq, 0, flags, bytesOf(payload));
        pcapng::appendPacket(out, 0, t += 10'000, bytesOf(frame), "");
    };
    using namespace pcapng;
    tcp(true, 100, kSyn, "");
    tcp(false, 500, kSyn | kAck, "");
    tcp(true, 101, kPsh | kAck, "HELLO\r\n");
    tcp(false, 501, kPsh | kAck, "WORLD\r\n");
    tcp(true, 108, kPsh | kAck, std::string("\x01\x02", 2));
    tcp(false, 508, kPsh | kAck, std::string("\x03\x04", 2));
    pcapng::buildUdpFrame(frame, c, s, bytesOf(std::string("dgram")));
    pcapng::appendPacket(out, 0, t += 10'000, bytesOf(frame), "");
    const auto path = std::filesystem::temp_directory_path() / ("sockscope-ui-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << out;
    return path.string();
}

class ImportViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
        sink = [this](Command c) { commands.push_back(std::move(c)); };
        ui.setDraw([this] {
            probe.rects.clear();   // what the last frame drew, as MainWindow does
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(1200, 800));
            view.draw(model, sink);
        });
        view.open();
        path = writeCapture("flows.pcapng");
    }
    void TearDown() override {
        ItemRecorder::recording = false;
        setLanguage(Language::English);
        ImGui::GetIO().FontGlobalScale = 1.0f;
        std::filesystem::remove(path);
    }
    /// Frames until the view's background read is done (bounded in count and time).
    void settle() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        for (int i = 0; i < 20000 && std::chrono::steady_clock::now() < deadline; ++i) {
            ui.frame();
            if (!view.busy()) break;
            std::this_thread::yield();
        }
        ASSERT_FALSE(view.busy());
        ui.frames(2);
    }
    void clickProbe(const std::string& name) {
        ASSERT_TRUE(probe.has(name)) << name << " was not drawn";
        const ProbeRect r = probe.at(name);
        ui.click(r.cx(), r.cy());
    }
    template <typename T>
    std::vector<T> posted() const {
        std::vector<T> out;
        for (const auto& c : commands)
            if (const T* t = std::get_if<T>(&c)) out.push_back(*t);
        return out;
    }
    EndpointId addEndpoint(EndpointType type, const std::string& name) {
        EndpointConfig config = model.workspace.newConfig(type);
        config.name = name;
        return model.workspace.add(config);
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    CommandSink sink;
    std::vector<Command> commands;
    ImportCaptureView view;
    std::string path;
};

TEST_F(ImportViewTest, ReadsListsAndImportsTheClientSideAsAScript) {
    addEndpoint(EndpointType::TcpServer, "other");
    const EndpointId dev = addEndpoint(EndpointType::TcpClient, "dev");
    view.read(path);
    settle();
    ASSERT_EQ(view.flows().size(), 2u);
    ASSERT_TRUE(probe.has("import.flow.1"));
    ASSERT_TRUE(probe.has("import.flow.2"));
    ASSERT_TRUE(probe.has("import.preview"));
    clickProbe("import.flow.1");
    ui.frames(1);
    // The target: "dev" from the combo.
    clickProbe("import.target");
    ui.frames(2);
    clickProbe("import.target.dev");
    ui.frames(2);
    commands.clear();
    clickProbe("import.import");
    settle();
    const auto updates = posted<UpdateEndpoint>();
    ASSERT_EQ(updates.size(), 1u) << view.error();
    EXPECT_EQ(updates[0].endpoint, dev);
    ASSERT_EQ(updates[0].config.scripts.size(), 1u);
    const Script& script = updates[0].config.scripts[0];
    EXPECT_EQ(script.name, "imported");
    ASSERT_EQ(script.steps.size(), 4u);
    EXPECT_EQ(script.steps[0].kind, ScriptStepKind::Send);
    EXPECT_EQ(script.steps[0].send.text, "HELLO\\r\\n");
    EXPECT_EQ(script.steps[1].kind, ScriptStepKind::Expect);
    EXPECT_EQ(script.steps[1].expect.text, "WORLD\\r\\n");
    EXPECT_EQ(script.steps[1].timeout_ms, 500);
    EXPECT_EQ(script.steps[2].send.text, "01 02");
    EXPECT_EQ(script.steps[3].expect.text, "03 04");
    EXPECT_EQ(model.workspace.find(dev)->config.scripts.size(), 1u);
    EXPECT_NE(view.summary().find("Script \"imported\" on dev: 2 send(s), 2 expect(s), 0 wait(s)"), std::string::npos)
        << view.summary();
}

TEST_F(ImportViewTest, ServerSideAsCommandsToANewEndpoint) {
    view.read(path);
    settle();
    clickProbe("import.flow.1");
    ui.frames(1);
    clickProbe("import.side.server");
    ui.frames(1);
    clickProbe("import.as.commands");
    ui.frames(1);
    clickProbe("import.import");
    settle();
    const auto added = posted<AddEndpoint>();
    ASSERT_EQ(added.size(), 1u) << view.error();
    EXPECT_EQ(added[0].config.type, EndpointType::TcpServer);
    EXPECT_EQ(added[0].config.bind.substr(added[0].config.bind.rfind(':')), ":502");
    const auto sources = posted<UpdateSources>();
    ASSERT_EQ(sources.size(), 1u);
    EXPECT_EQ(sources[0].endpoint, added[0].endpoint);
    ASSERT_EQ(sources[0].commands.size(), 2u);
    EXPECT_EQ(sources[0].commands[0].name, "msg 1");
    EXPECT_EQ(sources[0].commands[0].payload.text, "WORLD\\r\\n");
    EXPECT_EQ(sources[0].commands[1].payload.text, "03 04");
    EXPECT_NE(view.summary().find("2 command(s) added to"), std::string::npos) << view.summary();
}

TEST_F(ImportViewTest, UdpFlowToANewEndpointAimsAtThePeer) {
    view.read(path);
    settle();
    clickProbe("import.flow.2");
    ui.frames(1);
    clickProbe("import.import");
    settle();
    const auto added = posted<AddEndpoint>();
    ASSERT_EQ(added.size(), 1u) << view.error();
    EXPECT_EQ(added[0].config.type, EndpointType::Udp);
    EXPECT_EQ(added[0].config.remote, "10.0.0.2:502");
    const auto updates = posted<UpdateEndpoint>();
    ASSERT_EQ(updates.size(), 1u);
    ASSERT_EQ(updates[0].config.scripts.size(), 1u);
    EXPECT_EQ(updates[0].config.scripts[0].steps.at(0).send.text, "dgram");
}

TEST_F(ImportViewTest, ABadFileIsAnErrorInTheWindow) {
    const auto junk = std::filesystem::temp_directory_path() / ("sockscope-ui-" + std::to_string(::getpid()) + "-junk");
    std::ofstream(junk, std::ios::binary) << "not a capture";
    view.read(junk.string());
    settle();
    EXPECT_TRUE(view.flows().empty());
    EXPECT_NE(view.error().find("at offset 0: not a pcap or pcapng file"), std::string::npos) << view.error();
    std::filesystem::remove(junk);
}

TEST_F(ImportViewTest, FitsAtFontScalesOneToTwoInBothLanguages) {
#if !SOCKSCOPE_ITEM_HOOK
    GTEST_SKIP() << "ImGui::ItemAdd cannot be wrapped on this platform";
#endif
    model.workspace.add(model.workspace.newConfig(EndpointType::TcpClient));
    view.read(path);
    settle();
    clickProbe("import.flow.1");
    for (const float scale : {1.0f, 1.5f, 2.0f}) {
        ImGui::GetIO().FontGlobalScale = scale;
        for (const Language language : {Language::English, Language::Chinese}) {
            setLanguage(language);
            ui.frames(2);
            ItemRecorder::clear();
            ItemRecorder::recording = true;
            ui.frame();
            ItemRecorder::recording = false;
            const float slack = ImGui::GetStyle().ItemSpacing.x + 1;
            for (const auto& item : ItemRecorder::items) {
                if (item.clipped || item.window->ScrollbarX) continue;
                const ImRect& r = item.rect;
                if (r.GetHeight() < 2) continue;   // a separator spans the whole window by design
                if (r.Min.x >= item.clip.Max.x || r.Max.y <= item.clip.Min.y || r.Min.y >= item.clip.Max.y) continue;
                EXPECT_LE(r.Max.x, item.clip.Max.x + slack)
                    << item.window->Name << " item (" << r.Min.x << "," << r.Min.y << ")-(" << r.Max.x << "," << r.Max.y << ") clip (" << item.clip.Min.x << "," << item.clip.Min.y << ") cut off at x" << scale << (language == Language::Chinese ? " zh" : " en");
            }
        }
    }
}

}  // namespace
}  // namespace sockscope::ui
