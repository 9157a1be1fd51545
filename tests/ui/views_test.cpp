// View tests in a headless ImGui context: simulated clicks and typing, commands captured.
#include <gtest/gtest.h>

#include "core/codec/utf8.hpp"

#include <unistd.h>

#include <fstream>
#include <functional>
#include <vector>

#include "core/codec/hex.hpp"
#include "core/profile/profile.hpp"
#include "headless.hpp"
#include "model_fixtures.hpp"
#include "ui/i18n.hpp"
#include "ui/main_window.hpp"
#include "ui/settings_store.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/connections_view.hpp"
#include "ui/views/endpoint_editor.hpp"
#include "ui/views/send_panel.hpp"
#include "ui/views/sources_strip.hpp"

namespace sockscope::ui {
namespace {

class ViewsTest : public ::testing::Test {
protected:
    void SetUp() override {
        setLanguage(Language::English);
        model.probe = &probe;
        sink = [this](Command c) { commands.push_back(std::move(c)); };
    }

    /// A listening TCP server (id returned) with `n` open connections (ids 101, 102, ...).
    EndpointId addServer(int n) { return test::addListeningServer(model, n, nowUs()); }

    // One window per panel so tests see exactly one view.
    void drawSend() {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(1200, 300));
        ImGui::Begin("send", nullptr, ImGuiWindowFlags_NoDecoration);
        send.draw(model, sink);
        ImGui::End();
    }
    void drawConnections() {
        ImGui::SetNextWindowPos(ImVec2(0, 300));
        ImGui::SetNextWindowSize(ImVec2(1500, 300));
        ImGui::Begin("connections", nullptr, ImGuiWindowFlags_NoDecoration);
        connections.draw(model, sink);
        ImGui::End();
    }

    void clickProbe(const std::string& name) {
        ASSERT_TRUE(probe.has(name)) << name << " was not drawn";
        const ProbeRect r = probe.at(name);
        ui.click(r.cx(), r.cy());
    }
    /// Opens a combo and clicks one of its items (a popup settles its place over two frames).
    void pick(const std::string& combo, const std::string& item) {
        clickProbe(combo);
        ui.frames(2);
        clickProbe(item);
        ui.frames(1);
    }
    void focusInput() {
        clickProbe("send.input");
        // Select all and delete whatever is there.
        ui.key(GLFW_KEY_A, true);
        ui.key(GLFW_KEY_DELETE);
    }

    template <typename T>
    std::vector<T> posted() const {
        std::vector<T> out;
        for (const auto& c : commands)
            if (const T* t = std::get_if<T>(&c)) out.push_back(*t);
        return out;
    }

    test::Headless ui;
    UiModel model;
    UiProbe probe;
    CommandSink sink;
    std::vector<Command> commands;
    SendPanel send;
    ConnectionsView connections;
};

TEST_F(ViewsTest, InvalidHexDisablesSendAndShowsTheError) {
    addServer(1);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    clickProbe("send.mode_hex");
    EXPECT_EQ(send.mode(), SendMode::Hex);
    focusInput();
    ui.type("01 0G");
    EXPECT_EQ(send.input(), "01 0G");
    EXPECT_NE(send.statusText().find("'G' is not a hex digit"), std::string::npos) << send.statusText();
    // The place as the user counts it: the fifth character they typed (not "byte 4", which reads
    // like the fifth byte of the payload).
    EXPECT_NE(send.statusText().find("at character 5"), std::string::npos) << send.statusText();

    clickProbe("send.button");
    ui.key(GLFW_KEY_ENTER, true);
    EXPECT_TRUE(posted<Send>().empty()) << "invalid input is never sent";

    // Fixing the input enables Send.
    focusInput();
    ui.type("01 0F");
    EXPECT_EQ(send.input(), "01 0F");
    EXPECT_EQ(send.statusText(), "2 bytes");
    clickProbe("send.button");
    const auto sends = posted<Send>();
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].payload, (Bytes{0x01, 0x0F}));
}

// Issue 7: the send panel uses the payload language; the status line shows the final bytes,
// checksum included, before they are sent, and Send puts exactly those bytes on the wire.
TEST_F(ViewsTest, ChecksumIsPreviewedAndSent) {
    addServer(1);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    clickProbe("send.mode_hex");
    focusInput();
    ui.type("01 03 00 00 00 01");
    EXPECT_EQ(send.previewHex(), "01 03 00 00 00 01");
    EXPECT_EQ(send.previewChecksumHex(), "");

    pick("send.checksum", "send.checksum.crc16-modbus");
    ASSERT_TRUE(send.checksum());
    EXPECT_EQ(send.checksum()->kind, ChecksumKind::Crc16Modbus);
    ui.frames(1);
    EXPECT_EQ(send.statusText(), "8 bytes");
    EXPECT_EQ(send.previewHex(), "01 03 00 00 00 01 84 0A");
    EXPECT_EQ(send.previewChecksumHex(), "84 0A");

    // The byte order is chosen beside it.
    pick("send.checksum_order", "send.checksum_order.big");
    ui.frames(1);
    EXPECT_EQ(send.previewHex(), "01 03 00 00 00 01 0A 84");
    pick("send.checksum_order", "send.checksum_order.little");
    ui.frames(1);

    clickProbe("send.button");
    auto sends = posted<Send>();
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].payload, (Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A}));

    // Left out at the start: a header; with the line ending after the checksum.
    send.setChecksum(ChecksumSpec{ChecksumKind::Sum8, ChecksumByteOrder::Conventional, 2});
    send.setLineEnding(LineEnding::CrLf);
    focusInput();
    ui.type("AA 55 01 02");
    EXPECT_EQ(send.previewHex(), "AA 55 01 02 03 0D 0A");
    EXPECT_EQ(send.previewChecksumHex(), "03");

    // Back to none.
    pick("send.checksum", "send.checksum.none");
    ui.frames(1);
    EXPECT_FALSE(send.checksum());
    EXPECT_EQ(send.previewHex(), "AA 55 01 02 0D 0A");
}

// Templates are rendered for the preview without counting; each Send counts once.
TEST_F(ViewsTest, TemplatesPreviewAndCountPerSend) {
    addServer(1);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    focusInput();
    ui.type("HB {{counter:04}}");
    EXPECT_EQ(send.previewHex(), "48 42 20 30 30 30 30");
    ui.frames(3);
    EXPECT_EQ(send.previewHex(), "48 42 20 30 30 30 30") << "previewing counts nothing";
    clickProbe("send.button");
    clickProbe("send.button");
    const auto sends = posted<Send>();
    ASSERT_EQ(sends.size(), 2u);
    EXPECT_EQ(sends[0].payload, (Bytes{'H', 'B', ' ', '0', '0', '0', '0'}));
    EXPECT_EQ(sends[1].payload, (Bytes{'H', 'B', ' ', '0', '0', '0', '1'}));
    EXPECT_EQ(send.previewHex(), "48 42 20 30 30 30 32");

    // An unclosed template is an error at its place, like any other.
    focusInput();
    ui.type("HB {{counter");
    EXPECT_NE(send.statusText().find("at character 4"), std::string::npos) << send.statusText();
    EXPECT_NE(send.statusText().find("never closed"), std::string::npos) << send.statusText();
}

// Switching Text <-> Hex keeps what the input means (issue 7: the send panel converts typed text).
TEST_F(ViewsTest, ModeSwitchConvertsTheInput) {
    addServer(1);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    focusInput();
    ui.type("AT\\r\\n{{x");
    clickProbe("send.mode_hex");
    EXPECT_EQ(send.mode(), SendMode::Hex);
    EXPECT_EQ(send.input(), "AT\\r\\n{{x") << "an unclosed template has no bytes: kept as typed";
    clickProbe("send.mode_text");
    focusInput();
    ui.type("AT\\r\\n");
    clickProbe("send.mode_hex");
    EXPECT_EQ(send.input(), "41 54 0D 0A");
    focusInput();
    ui.type("7B 7B 00 41 5C");
    clickProbe("send.mode_text");
    EXPECT_EQ(send.mode(), SendMode::Text);
    EXPECT_EQ(send.input(), "\\{{\\0A\\\\") << "braces that would open a template are escaped";
    EXPECT_EQ(send.parsed(model).bytes, (Bytes{0x7B, 0x7B, 0x00, 0x41, 0x5C}));
    // Templates stay templates: they have no fixed bytes, so the mode stays and says why.
    focusInput();
    ui.type("HB {{counter}}");
    clickProbe("send.mode_hex");
    EXPECT_EQ(send.input(), "HB {{counter}}");
    EXPECT_EQ(send.mode(), SendMode::Text);
    EXPECT_NE(send.statusText().find("Not switched"), std::string::npos) << send.statusText();
    focusInput();
    ui.type("x");
    EXPECT_EQ(send.modeNotice(), "") << "the notice goes once the input changes";
}

// Tester B1: Hex -> Text must never change the bytes. GBK's four-byte sequences (81 30 81 30)
// and bytes GBK cannot decode did not round-trip, and an input over 64 KiB was not converted at
// all, while the mode flipped anyway: the hex digits were then sent as ASCII text.
TEST_F(ViewsTest, HexToTextKeepsTheBytesWhateverTheEncodingAndSize) {
    addServer(1);
    send.setEncoding(TextEncoding::Gbk);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    clickProbe("send.mode_hex");
    for (const std::string hex : {"81 30 81 30", "A2 E3", "80 81 30 81 30 FF 41 A1", "D6 D0 CE C4"}) {
        focusInput();
        ui.type(hex);
        const Bytes bytes = send.parsed(model).bytes;
        ASSERT_FALSE(bytes.empty()) << hex;
        clickProbe("send.mode_text");
        EXPECT_EQ(send.mode(), SendMode::Text) << hex;
        EXPECT_EQ(send.parsed(model).bytes, bytes) << hex << " became text " << send.input();
        clickProbe("send.mode_hex");
        EXPECT_EQ(send.input(), hex) << "and back";
    }
    // Characters GBK has stay characters.
    focusInput();
    ui.type("D6 D0 CE C4");
    clickProbe("send.mode_text");
    EXPECT_EQ(send.input(), "\xE4\xB8\xAD\xE6\x96\x87") << "中文 (what the device shows)";

    // UTF-16: an odd byte count cannot be characters; escaped, still the same bytes.
    send.setEncoding(TextEncoding::Utf16Le);
    clickProbe("send.mode_hex");
    focusInput();
    ui.type("41 42 43");
    clickProbe("send.mode_text");
    EXPECT_EQ(send.mode(), SendMode::Text);
    EXPECT_EQ(send.parsed(model).bytes, (Bytes{0x41, 0x42, 0x43})) << send.input();

    // Over 64 KiB (a pasted capture): converted too, both ways.
    send.setEncoding(TextEncoding::Utf8);
    clickProbe("send.mode_hex");
    Bytes big(30000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>((i * 7919u) >> 3);
    send.input() = formatHex(big);
    ASSERT_GT(send.input().size(), SendPanel::kEditableInputMax);
    send.switchMode(model, SendMode::Text);
    EXPECT_EQ(send.mode(), SendMode::Text);
    EXPECT_EQ(send.parsed(model).bytes, big);
    send.input() = std::string(70000, 'a');
    send.switchMode(model, SendMode::Hex);
    EXPECT_EQ(send.mode(), SendMode::Hex);
    EXPECT_EQ(send.parsed(model).bytes, Bytes(70000, 'a'));
}

TEST_F(ViewsTest, SendPostsTextWithEscapesAndLineEnding) {
    const EndpointId id = addServer(2);
    send.setLineEnding(LineEnding::CrLf);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    focusInput();
    ui.type("AT\\x01");
    ui.key(GLFW_KEY_ENTER, true);   // Ctrl+Enter
    const auto sends = posted<Send>();
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].endpoint, id);
    EXPECT_EQ(sends[0].connection, 0u) << "no connection selected: every connection of the server";
    EXPECT_EQ(sends[0].payload, (Bytes{'A', 'T', 0x01, '\r', '\n'}));
    EXPECT_EQ(send.history(id).size(), 1u);
}

TEST_F(ViewsTest, SelectingAConnectionTargetsIt) {
    const EndpointId id = addServer(2);
    ui.setDraw([this] {
        drawConnections();
        drawSend();
    });
    ui.frames(2);
    clickProbe("conn.row.102");
    EXPECT_EQ(model.selection.connection, 102u);
    focusInput();
    ui.type("hi");
    clickProbe("send.button");
    auto sends = posted<Send>();
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].endpoint, id);
    EXPECT_EQ(sends[0].connection, 102u);
    EXPECT_EQ(sends[0].payload, (Bytes{'h', 'i'}));

    // Clicking it again goes back to "all connections".
    clickProbe("conn.row.102");
    EXPECT_EQ(model.selection.connection, 0u);
}

TEST_F(ViewsTest, CloseHalfCloseAndResetPostTheirCloseModes) {
    const EndpointId id = addServer(2);
    ui.setDraw([this] { drawConnections(); });
    ui.frames(2);
    clickProbe("conn.close.101");
    clickProbe("conn.half.102");
    clickProbe("conn.reset.101");
    clickProbe("conn.close_all");
    const auto closes = posted<CloseConnection>();
    ASSERT_EQ(closes.size(), 3u);
    EXPECT_EQ(closes[0].endpoint, id);
    EXPECT_EQ(closes[0].connection, 101u);
    EXPECT_EQ(closes[0].mode, CloseMode::Graceful);
    EXPECT_EQ(closes[1].connection, 102u);
    EXPECT_EQ(closes[1].mode, CloseMode::HalfClose);
    EXPECT_EQ(closes[2].connection, 101u);
    EXPECT_EQ(closes[2].mode, CloseMode::Abort);
    const auto all = posted<CloseAllConnections>();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].mode, CloseMode::Graceful);
}

// Tester item: after our FIN (FIN_WAIT_2 here) Half-close has nothing left to do.
TEST_F(ViewsTest, HalfCloseIsOffOnceOurFinWent) {
    const EndpointId id = addServer(1);
    TcpInfo info;
    info.state = TcpState::FinWait2;
    model.apply(TcpStateChanged{id, 101, info});
    ui.setDraw([this] { drawConnections(); });
    ui.frames(2);
    clickProbe("conn.half.101");
    ui.frames(1);
    EXPECT_TRUE(posted<CloseConnection>().empty()) << "disabled";
    clickProbe("conn.reset.101");
    ASSERT_EQ(posted<CloseConnection>().size(), 1u) << "a reset still ends it";
}

// Tester item: closed rows stay listed, and in arrival order they pushed a new CLOSE_WAIT below
// the fold of a short pane. Open rows come first, then closed ones, each in arrival order.
TEST_F(ViewsTest, OpenConnectionsAreListedAboveClosedOnes) {
    const EndpointId id = addServer(3);   // 101, 102, 103
    model.apply(ConnectionClosed{id, 101, CloseReason::PeerClosed, std::nullopt, nowUs()});
    model.apply(ConnectionClosed{id, 102, CloseReason::PeerReset, std::nullopt, nowUs()});
    model.apply(ConnectionOpened{id, 104, "127.0.0.1:40004", "127.0.0.1:9000", nowUs()});
    TcpInfo info;
    info.state = TcpState::CloseWait;
    model.apply(TcpStateChanged{id, 104, info});
    ui.setDraw([this] { drawConnections(); });
    ui.frames(2);
    const auto y = [&](int conn) { return probe.at("conn.row." + std::to_string(conn)).cy(); };
    EXPECT_LT(y(103), y(104)) << "open rows in arrival order";
    EXPECT_LT(y(104), y(101)) << "the new CLOSE_WAIT above the rows that ended";
    EXPECT_LT(y(101), y(102)) << "closed rows in arrival order";
    clickProbe("conn.row.104");
    EXPECT_EQ(model.selection.connection, 104u) << "a click selects the row drawn there";
}

TEST_F(ViewsTest, CloseWaitRowAndClosedConnectionsHaveNoActions) {
    const EndpointId id = addServer(2);
    TcpInfo info;
    info.state = TcpState::CloseWait;
    model.apply(TcpStateChanged{id, 101, info});
    model.apply(ConnectionClosed{id, 102, CloseReason::PeerReset, std::nullopt, nowUs()});
    ui.setDraw([this] { drawConnections(); });
    ui.frames(2);
    EXPECT_TRUE(probe.has("conn.close.101"));
    EXPECT_FALSE(probe.has("conn.close.102")) << "a closed connection cannot be closed again";
}

TEST_F(ViewsTest, SendFileChoosesAFileAndShowsProgressRateAndCancel) {
    const EndpointId id = addServer(2);
    model.selection.connection = 102;
    const std::string path = "/tmp/sockscope-views-send-file-" + std::to_string(::getpid()) + ".bin";
    std::ofstream(path, std::ios::binary) << std::string(5000, 'x');
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    EXPECT_FALSE(probe.has("send.file_progress")) << "nothing sent yet: no progress bar";
    // Chunk and gap, then "Send file..." opens the file dialog; the chosen file is sent.
    clickProbe("send.file_chunk");
    ui.key(GLFW_KEY_A, true);
    ui.key(GLFW_KEY_DELETE);
    ui.type("512");
    clickProbe("send.file_gap");
    ui.key(GLFW_KEY_A, true);
    ui.key(GLFW_KEY_DELETE);
    ui.type("5");
    clickProbe("send.file");
    ui.frames(2);
    clickProbe("filedialog.path");
    ui.key(GLFW_KEY_A, true);
    ui.key(GLFW_KEY_DELETE);
    ui.type(path);
    ui.frames(1);
    clickProbe("filedialog.ok");
    auto files = posted<SendFile>();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].endpoint, id);
    EXPECT_EQ(files[0].path, path);
    EXPECT_EQ(files[0].chunk, 512u);
    EXPECT_EQ(files[0].gap_ms, 5u);
    EXPECT_EQ(files[0].connection, 102u) << "the selected connection";
    std::remove(path.c_str());

    // The engine reports progress: a bar, bytes of total and the rate, and Cancel.
    const std::uint64_t transfer = files[0].transfer;
    model.apply(FileSendStatus{id, transfer, path, FileSendState::Running, 2048, 5000, 4096, std::nullopt, nowUs()});
    ui.frames(2);
    EXPECT_TRUE(probe.has("send.file_progress"));
    EXPECT_EQ(send.fileStatusText(), "2.0 KiB of 4.9 KiB, 4.0 KiB/s");
    clickProbe("send.file_cancel");
    const auto cancels = posted<CancelFileSend>();
    ASSERT_EQ(cancels.size(), 1u);
    EXPECT_EQ(cancels[0].endpoint, id);
    EXPECT_EQ(cancels[0].transfer, transfer);

    // A chunk in flight while the peer reads at a steady rate is not a peer that does not read.
    FileSendStatus flowing{id, transfer, path, FileSendState::Running, 3072, 5000, 4096, std::nullopt, nowUs()};
    flowing.waiting = 1024;
    model.apply(flowing);
    ui.frames(2);
    EXPECT_EQ(send.fileStatusText(), "3.0 KiB of 4.9 KiB, 4.0 KiB/s");

    // All handed over while the peer is not reading: not "done", and the panel says what waits.
    FileSendStatus queued{id, transfer, path, FileSendState::Running, 5000, 5000, 0, std::nullopt, nowUs()};
    queued.waiting = 3000;
    model.apply(queued);
    ui.frames(2);
    EXPECT_EQ(send.fileStatusText(), "4.9 KiB of 4.9 KiB, 0 B/s; 2.9 KiB still queued: the peer is not reading");

    // How it ended stays on the row; a failure in plain words.
    model.apply(FileSendStatus{id, transfer, path, FileSendState::Cancelled, 2048, 5000, 0, std::nullopt, nowUs()});
    ui.frames(1);
    probe.rects.clear();   // what the next frame draws
    ui.frames(1);
    EXPECT_FALSE(probe.has("send.file_progress"));
    EXPECT_NE(send.fileStatusText().find("cancelled after 2.0 KiB"), std::string::npos) << send.fileStatusText();
    model.apply(FileSendStatus{id, transfer + 1, "/nope", FileSendState::Failed, 0, 0, 0,
                               ErrorInfo{"ENOENT", "cannot read file \"/nope\": it does not exist", "无法读取文件“/nope”：文件不存在"}, nowUs()});
    ui.frames(2);
    EXPECT_EQ(send.fileStatusText(), "failed: cannot read file \"/nope\": it does not exist");

    // Both languages draw it.
    setLanguage(Language::Chinese);
    model.apply(FileSendStatus{id, transfer + 2, path, FileSendState::Running, 10, 100, 5, std::nullopt, nowUs()});
    ui.frames(2);
    EXPECT_TRUE(probe.has("send.file_progress"));
    EXPECT_NE(send.fileStatusText().find("，"), std::string::npos) << send.fileStatusText();
    setLanguage(Language::English);
}

TEST_F(ViewsTest, SendPanelRemembersItsOptionsPerEndpointAcrossRestarts) {
    const EndpointId a = addServer(1);
    EndpointConfig udp;
    udp.name = "beacon";
    udp.type = EndpointType::Udp;
    udp.bind = "127.0.0.1:9001";
    const EndpointId b = model.workspace.add(udp);
    model.selection = Selection{a, 0};
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    // Endpoint a: hex, CRLF, GBK, clear after send.
    clickProbe("send.mode_hex");
    pick("send.ending", "send.ending.crlf");
    pick("send.encoding", "send.encoding.gbk");
    clickProbe("send.clear_after_send");
    EXPECT_EQ(send.mode(), SendMode::Hex);
    EXPECT_EQ(send.lineEnding(), LineEnding::CrLf);
    EXPECT_EQ(send.encoding(model), TextEncoding::Gbk);
    EXPECT_TRUE(send.clearAfterSend());
    // Clear after send: the input empties once sent (the history keeps it).
    focusInput();
    ui.type("01 02");
    clickProbe("send.button");
    ASSERT_EQ(posted<Send>().size(), 1u);
    EXPECT_EQ(posted<Send>()[0].payload, (Bytes{0x01, 0x02, '\r', '\n'}));
    EXPECT_EQ(send.input(), "");
    EXPECT_EQ(send.history(a).back().input, "01 02");

    // Endpoint b gets its own options; a's come back when a is selected again.
    model.selection = Selection{b, 0};
    ui.frames(2);
    clickProbe("send.mode_text");
    pick("send.ending", "send.ending.lf");
    clickProbe("send.clear_after_send");
    EXPECT_FALSE(send.clearAfterSend());
    model.selection = Selection{a, 0};
    ui.frames(2);
    EXPECT_EQ(send.mode(), SendMode::Hex);
    EXPECT_EQ(send.lineEnding(), LineEnding::CrLf);
    EXPECT_EQ(send.encoding(model), TextEncoding::Gbk);
    EXPECT_TRUE(send.clearAfterSend());

    // A restart: the settings are saved and loaded into a new panel and model.
    EXPECT_GT(model.settings.revision, 0u) << "the app saves settings when the revision moves";
    const SettingsLoad load = parseSettings(settingsToText(model.settings, Layout{}, StoredState{}));
    EXPECT_TRUE(load.problems.empty());
    EXPECT_EQ(load.settings.send_memory, model.settings.send_memory);
    model.settings = load.settings;
    SendPanel restarted;
    model.selection = Selection{b, 0};
    ui.setDraw([&] {
        ImGui::Begin("send2");
        restarted.draw(model, sink);
        ImGui::End();
    });
    ui.frames(2);
    EXPECT_EQ(restarted.mode(), SendMode::Text);
    EXPECT_EQ(restarted.lineEnding(), LineEnding::Lf);
    EXPECT_FALSE(restarted.clearAfterSend());
    model.selection = Selection{a, 0};
    ui.frames(2);
    EXPECT_EQ(restarted.mode(), SendMode::Hex);
    EXPECT_EQ(restarted.lineEnding(), LineEnding::CrLf);
    EXPECT_EQ(restarted.encoding(model), TextEncoding::Gbk);
    EXPECT_TRUE(restarted.clearAfterSend());
}

// Tester B11: selecting another endpoint applied its remembered Text/Hex mode (and encoding) to
// the input as typed: "41 42" typed in Hex went to the next endpoint as 5 ASCII bytes.
TEST_F(ViewsTest, AnEndpointsRememberedModeConvertsTheInputInsteadOfChangingItsBytes) {
    const EndpointId a = addServer(1);
    EndpointConfig udp;
    udp.name = "beacon";
    udp.type = EndpointType::Udp;
    udp.bind = "127.0.0.1:9001";
    const EndpointId b = model.workspace.add(udp);
    ui.setDraw([this] { drawSend(); });
    model.selection = Selection{b, 0};
    ui.frames(2);
    clickProbe("send.mode_text");
    model.selection = Selection{a, 0};
    ui.frames(2);
    clickProbe("send.mode_hex");
    focusInput();
    ui.type("41 42");
    clickProbe("send.mode_hex");   // leave the input
    EXPECT_EQ(send.parsed(model).bytes, (Bytes{0x41, 0x42}));
    model.selection = Selection{b, 0};
    ui.frames(2);
    EXPECT_EQ(send.mode(), SendMode::Text) << "b's remembered mode";
    EXPECT_EQ(send.input(), "AB");
    EXPECT_EQ(send.parsed(model).bytes, (Bytes{0x41, 0x42})) << "the same bytes";
    model.selection = Selection{a, 0};
    ui.frames(2);
    EXPECT_EQ(send.mode(), SendMode::Hex);
    EXPECT_EQ(send.input(), "41 42");

    // The remembered encoding too: text for a GBK endpoint keeps its GBK bytes elsewhere.
    clickProbe("send.mode_text");
    pick("send.encoding", "send.encoding.gbk");
    send.input() = "\xE4\xB8\xAD";   // 中: D6 D0 in GBK
    ui.frames(1);
    EXPECT_EQ(send.parsed(model).bytes, (Bytes{0xD6, 0xD0}));
    model.selection = Selection{b, 0};
    ui.frames(2);
    EXPECT_EQ(send.encoding(model), TextEncoding::Utf8);
    EXPECT_EQ(send.parsed(model).bytes, (Bytes{0xD6, 0xD0})) << send.input();
    model.selection = Selection{a, 0};
    ui.frames(2);
    EXPECT_EQ(send.encoding(model), TextEncoding::Gbk);
    EXPECT_EQ(send.input(), "\xE4\xB8\xAD") << "and back to the characters";

    // A template cannot be converted: the input keeps its own mode and the panel says so.
    send.input() = "{{counter}}";
    ui.frames(1);
    model.selection = Selection{b, 0};
    ui.frames(2);
    EXPECT_EQ(send.input(), "{{counter}}");
    EXPECT_NE(send.modeNotice(), "");
}

// Tester B15: when the targeted connection closed, the target silently became "All connections"
// and Send went to every other client.
TEST_F(ViewsTest, AClosedTargetConnectionStaysTheTargetAndBlocksSend) {
    const EndpointId id = addServer(3);
    ui.setDraw([this] {
        drawConnections();
        drawSend();
    });
    ui.frames(2);
    clickProbe("conn.row.102");
    focusInput();
    ui.type("hi");
    model.apply(ConnectionClosed{id, 102, CloseReason::PeerReset, std::nullopt, nowUs()});
    ui.frames(2);
    EXPECT_EQ(model.selection.connection, 102u);
    EXPECT_NE(send.statusText().find("#102 is closed"), std::string::npos) << send.statusText();
    clickProbe("send.button");
    ui.key(GLFW_KEY_ENTER, true);
    EXPECT_FALSE(send.send(model, sink));
    EXPECT_TRUE(posted<Send>().empty()) << "nothing sent, and never to every connection";
    // Widening is the user's choice.
    model.selection.connection = 0;
    ui.frames(1);
    EXPECT_TRUE(send.send(model, sink));
    ASSERT_EQ(posted<Send>().size(), 1u);
    EXPECT_EQ(posted<Send>()[0].connection, 0u);
}

TEST_F(ViewsTest, SendIsDisabledWithoutConnections) {
    addServer(0);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    focusInput();
    ui.type("x");
    EXPECT_EQ(send.input(), "x");
    EXPECT_EQ(send.statusText(), tr(Str::NoConnectionsToSend));
    clickProbe("send.button");
    EXPECT_TRUE(posted<Send>().empty());
}

TEST_F(ViewsTest, EditorValidatesAddressesAndAddsEndpoint) {
    EndpointEditor editor;
    editor.openNew(EndpointType::TcpClient, model.workspace);
    editor.config().remote = "300.1.1.1:80";
    EXPECT_FALSE(editor.remoteError().empty());
    EXPECT_EQ(editor.apply(model, sink), 0u) << "invalid input is not applied";
    editor.config().remote = "[::1]:9000";
    editor.config().bind = "9000";
    EXPECT_FALSE(editor.bindError().empty());
    editor.config().bind = "";
    EXPECT_TRUE(editor.valid());
    const EndpointId id = editor.apply(model, sink);
    ASSERT_NE(id, 0u);
    const auto adds = posted<AddEndpoint>();
    ASSERT_EQ(adds.size(), 1u);
    EXPECT_EQ(adds[0].endpoint, id);
    EXPECT_EQ(adds[0].config.remote, "[::1]:9000");
    EXPECT_TRUE(model.workspace.dirty);
    EXPECT_EQ(model.selection.endpoint, id);
}

TEST_F(ViewsTest, WholeWindowDrawsInBothLanguagesAndThemes) {
    addServer(2);
    model.apply(DataEvent{model.selection.endpoint, 101, Direction::Rx, nowUs(), {}, Bytes{'h', 'i', 0xe4, 0xbd, 0xa0}});
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    ui.frames(3);
    EXPECT_TRUE(probe.has("send.input"));
    EXPECT_EQ(window.logView().index().size(), 4u) << "status, two accepts and one message";
    setLanguage(Language::Chinese);
    model.settings.theme = ThemeKind::Light;
    ui.frames(3);
    EXPECT_TRUE(probe.has("send.input"));
    setLanguage(Language::English);
}

// Issue 6, item 24: with 10,000 connections a frame submits the rows that are visible (the
// Connections table is clipped, the tree lists at most 64 per endpoint), whatever the count.
TEST_F(ViewsTest, TenThousandConnectionsDrawOnlyTheVisibleRows) {
    const EndpointId id = addServer(10'000);
    StatsEvent stats{};
    stats.endpoint = id;
    stats.open_connections = 10'000;
    for (ConnectionId c = 101; c < 101 + 10'000; ++c) stats.connections.push_back({c, TrafficCounters{}});
    model.apply(stats);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    ui.frames(3);
    std::size_t table_rows = 0, tree_rows = 0;
    for (const auto& [name, rect] : probe.rects) {
        table_rows += name.rfind("conn.row.", 0) == 0 ? 1 : 0;
        tree_rows += name.rfind("tree.conn.", 0) == 0 ? 1 : 0;
    }
    EXPECT_GT(table_rows, 0u);
    EXPECT_LT(table_rows, 100u) << "the Connections table must draw only its visible rows";
    EXPECT_LE(tree_rows, 64u);
    EXPECT_LT(ImGui::GetDrawData()->TotalVtxCount, 65'000);
    EXPECT_EQ(model.table.openConnections(), 10'000u);
}

TEST_F(ViewsTest, UnsavedChangesAreNeverDroppedSilently) {
    addServer(0);   // the workspace is dirty now
    int quits = 0;
    std::vector<std::string> saved;
    AppHooks hooks;
    hooks.quit = [&] { ++quits; };
    hooks.save = [&](const std::string& path, const std::string&, const std::vector<EndpointConfig>& e, std::string&) {
        saved.push_back(path);
        return !e.empty();
    };
    MainWindow window(model, sink, hooks);
    ui.setDraw([&] { window.draw(); });
    ui.frames(2);

    window.requestQuit();
    ui.frames(2);
    EXPECT_EQ(quits, 0) << "asks first";
    clickProbe("confirm.cancel");
    ui.frames(2);
    EXPECT_EQ(quits, 0);
    EXPECT_TRUE(model.workspace.dirty);

    model.workspace.path = "/tmp/sockscope-test-profile.json";
    window.requestQuit();
    ui.frames(2);
    clickProbe("confirm.save");
    EXPECT_EQ(quits, 1) << "saved, then quit";
    ASSERT_EQ(saved.size(), 1u);
    EXPECT_EQ(saved[0], "/tmp/sockscope-test-profile.json");
    EXPECT_FALSE(model.workspace.dirty);

    // Not dirty: quits at once.
    window.requestQuit();
    EXPECT_EQ(quits, 2);
}

// Issue 6 item 7: a failed open changes nothing, the unsaved mark included, by every path that
// opens (menu/Ctrl+O/recent/drop all go through requestOpen), synchronous or in the background.
TEST_F(ViewsTest, AFailedOpenKeepsTheUnsavedChangesAndTheMark) {
    for (const bool background : {false, true}) {
        SCOPED_TRACE(background ? "open in the background" : "open at once");
        UiModel local;
        local.probe = &probe;
        EndpointConfig config = Workspace::defaultConfig(EndpointType::TcpServer, 0);
        local.workspace.add(config);   // an unsaved change
        int quits = 0;
        std::vector<std::function<std::function<void()>()>> queued;
        AppHooks hooks;
        hooks.quit = [&] { ++quits; };
        hooks.load = [](const std::string& path, LoadedProfile&, std::string& error) {
            error = path + ": line 1, column 2: syntax error";
            return false;
        };
        if (background) hooks.background = [&](std::function<std::function<void()>()> job) { queued.push_back(job); };
        MainWindow window(local, sink, hooks);
        ui.setDraw([&] { window.draw(); });
        ui.frames(2);

        window.requestOpen("/tmp/corrupt.json");
        ui.frames(2);
        clickProbe("confirm.discard");
        EXPECT_TRUE(local.workspace.dirty) << "the open has not succeeded (yet)";
        for (auto& job : queued) job()();   // the worker's part, then the UI thread's
        queued.clear();
        ui.frames(2);
        EXPECT_TRUE(local.workspace.dirty) << "a failed open keeps the unsaved mark";
        ASSERT_EQ(local.workspace.endpoints().size(), 1u) << "and the endpoints";
        EXPECT_TRUE(local.problem("open")) << "the failure is shown";
        EXPECT_TRUE(probe.has("problem.open"));

        window.requestQuit();
        ui.frames(2);
        EXPECT_EQ(quits, 0) << "closing still asks about the unsaved changes";
        EXPECT_TRUE(probe.has("confirm.cancel"));
        clickProbe("confirm.cancel");
        ui.setDraw({});
    }
}

// Issue 10: File > Example profiles lists the profiles shipped with the app by name and opens the
// one clicked like any other profile (the app fills example_profiles from its data directory).
TEST_F(ViewsTest, ExampleProfilesMenuOpensTheChosenExample) {
    const std::string demo = SOCKSCOPE_SOURCE_DIR "/assets/profiles/demo.json";
    model.example_profiles = {"/usr/share/sockscope/profiles/a-first.json", demo};
    std::vector<std::string> loaded;
    AppHooks hooks;
    hooks.load = [&](const std::string& path, LoadedProfile& out, std::string&) {
        loaded.push_back(path);
        out.name = "Loopback demo";
        out.endpoints = {Workspace::defaultConfig(EndpointType::TcpServer, 0)};
        return true;
    };
    MainWindow window(model, sink, hooks);
    ui.setDraw([&] { window.draw(); });
    ui.frames(2);

    clickProbe("menu.file");
    ui.frames(2);
    clickProbe("menu.examples");
    ui.frames(2);
    EXPECT_TRUE(probe.has("menu.examples.a-first")) << "listed by name, in the given order";
    clickProbe("menu.examples.demo");
    ui.frames(2);
    ASSERT_EQ(loaded, std::vector<std::string>{demo});
    EXPECT_EQ(model.workspace.name, "Loopback demo");
    EXPECT_EQ(model.workspace.path, demo);
    EXPECT_EQ(model.workspace.endpoints().size(), 1u);
    ui.setDraw({});
}

// Item 8: a failed save is shown in the window until a save succeeds.
TEST_F(ViewsTest, AFailedSaveStaysOnScreenUntilASaveSucceeds) {
    addServer(0);
    model.workspace.path = "/tmp/sockscope-test-save.json";
    bool fail = true;
    AppHooks hooks;
    hooks.save = [&](const std::string&, const std::string&, const std::vector<EndpointConfig>&, std::string& error) {
        if (fail) error = "No space left on device";
        return !fail;
    };
    MainWindow window(model, sink, hooks);
    ui.setDraw([&] { window.draw(); });
    window.save();
    ui.frames(2);
    ASSERT_TRUE(model.problem("save"));
    EXPECT_NE(model.problem("save")->text.find("No space left"), std::string::npos);
    EXPECT_FALSE(probe.has("problem.dismiss.save")) << "not dismissible: it stays until resolved";
    model.notice.until_us = 0;   // long after the 6 s notice
    ui.frames(2);
    EXPECT_TRUE(probe.has("problem.save"));
    EXPECT_TRUE(model.workspace.dirty);
    fail = false;
    window.save();
    ui.frames(2);
    EXPECT_FALSE(model.problem("save"));
    EXPECT_FALSE(probe.has("problem.save"));
    EXPECT_FALSE(model.workspace.dirty);
}

// Tester B6: at font size 2.0 the 36-em editor was taller than a 1000-pixel window, its Apply
// button below the edge. It now fits the window; its form scrolls.
TEST_F(ViewsTest, TheEditorFitsTheWindowAtFontSizeTwo) {
    const EndpointId server = addServer(0);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    ImGui::GetIO().FontGlobalScale = 2.0f;
    const ImVec2 display(1280, 800);   // a laptop's window: 36 em at font size 2.0 is taller
    ImGui::GetIO().DisplaySize = display;
    window.editor().openEdit(*model.workspace.find(server), model.workspace);
    ui.frames(3);
    const ProbeRect apply = probe.at("editor.apply");
    ImGui::GetIO().FontGlobalScale = 1.0f;
    EXPECT_GE(apply.y0, 0.0f);
    EXPECT_LE(apply.y1, display.y) << "Apply is inside the window";
}

// Item 8: names are unique by construction and the editor refuses a duplicate as you type.
TEST_F(ViewsTest, EditorRefusesADuplicateNameAsYouType) {
    const EndpointId server = addServer(0);   // named "server"
    EndpointConfig other = Workspace::defaultConfig(EndpointType::Udp, 1);
    const EndpointId udp = model.workspace.add(other);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    window.editor().openEdit(*model.workspace.find(udp), model.workspace);
    ui.frames(3);
    clickProbe("editor.name");
    ui.key(GLFW_KEY_A, true);
    ui.key(GLFW_KEY_DELETE);
    ui.type("server");
    EXPECT_EQ(window.editor().config().name, "server");
    EXPECT_EQ(window.editor().nameError(), tr(Str::NameTaken));
    EXPECT_FALSE(window.editor().valid());
    clickProbe("editor.apply");
    EXPECT_TRUE(posted<UpdateEndpoint>().empty()) << "a duplicate name is never applied";
    EXPECT_EQ(model.workspace.find(server)->config.name, "server");
    clickProbe("editor.name");
    ui.key(GLFW_KEY_END);
    ui.type(" 2");
    EXPECT_TRUE(window.editor().nameError().empty());
    clickProbe("editor.apply");
    ASSERT_EQ(posted<UpdateEndpoint>().size(), 1u);
    EXPECT_EQ(model.workspace.find(udp)->config.name, "server 2");
}

// Item 18: the Auto-reconnect checkbox toggles (its ID collided with the section header).
TEST_F(ViewsTest, AutoReconnectCheckboxToggles) {
    EndpointConfig client = Workspace::defaultConfig(EndpointType::TcpClient, 0);
    client.reconnect.enabled = false;
    const EndpointId id = model.workspace.add(client);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    window.editor().openEdit(*model.workspace.find(id), model.workspace);
    ui.frames(3);
    clickProbe("editor.reconnect");
    EXPECT_TRUE(window.editor().config().reconnect.enabled);
    clickProbe("editor.reconnect");
    EXPECT_FALSE(window.editor().config().reconnect.enabled);
    clickProbe("editor.reconnect");
    clickProbe("editor.apply");
    ASSERT_EQ(posted<UpdateEndpoint>().size(), 1u);
    EXPECT_TRUE(posted<UpdateEndpoint>()[0].config.reconnect.enabled);
}

// The peer-FIN policy (close_wait_timeout_s) is chosen in the editor, for servers and clients,
// and the combo keeps close_on_peer_fin in step with it.
TEST_F(ViewsTest, EditorChoosesWhatHappensOnPeerFin) {
    const EndpointId server = addServer(0);
    EndpointConfig client_config = Workspace::defaultConfig(EndpointType::TcpClient, 0);
    client_config.close_on_peer_fin = true;   // wins over the 30 s timeout: shown as "at once"
    const EndpointId client = model.workspace.add(client_config);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    auto choose = [&](EndpointId id, int policy) {
        window.editor().openEdit(*model.workspace.find(id), model.workspace);
        ui.frames(3);
        clickProbe("editor.peer_fin");
        ui.frames(2);
        clickProbe("editor.peer_fin." + std::to_string(policy));
        ui.frames(2);
    };
    auto applied = [&] {
        EXPECT_EQ(window.editor().profileError(), "") << "the validator accepts the policy";
        clickProbe("editor.apply");
        const auto updates = posted<UpdateEndpoint>();
        return updates.empty() ? EndpointConfig{} : updates.back().config;
    };

    choose(server, 2);   // keep CLOSE_WAIT until I close
    EndpointConfig c = applied();
    EXPECT_EQ(c.close_wait_timeout_s, -1.0);
    EXPECT_FALSE(c.close_on_peer_fin);

    choose(server, 1);   // close at once
    c = applied();
    EXPECT_EQ(c.close_wait_timeout_s, 0.0);
    EXPECT_TRUE(c.close_on_peer_fin);

    choose(client, 0);   // from close_on_peer_fin: keep CLOSE_WAIT for a typed timeout
    clickProbe("editor.close_wait");
    ui.key(GLFW_KEY_A, true);
    ui.type("2.5");
    ui.key(GLFW_KEY_ENTER);
    c = applied();
    ASSERT_EQ(posted<UpdateEndpoint>().size(), 3u);
    EXPECT_EQ(posted<UpdateEndpoint>().back().endpoint, client);
    EXPECT_EQ(c.close_wait_timeout_s, 2.5);
    EXPECT_FALSE(c.close_on_peer_fin) << "it would win over the timeout";

    // Reopened, the editor shows what was applied: no edit, and Apply keeps it as is.
    window.editor().openEdit(*model.workspace.find(client), model.workspace);
    ui.frames(3);
    EXPECT_FALSE(window.editor().edited());
    EXPECT_EQ(window.editor().apply(model, sink), client);
    EXPECT_EQ(posted<UpdateEndpoint>().back().config.close_wait_timeout_s, 2.5);
}

// Item 19: Apply on an endpoint in error restarts it.
TEST_F(ViewsTest, ApplyOnAFailedEndpointRestartsIt) {
    const EndpointId id = addServer(0);
    EndpointStatus failed{};
    failed.endpoint = id;
    failed.state = EndpointState::Failed;
    failed.error = ErrorInfo{"EADDRINUSE", "port in use", "端口已被占用"};
    model.apply(failed);
    EndpointEditor editor;
    editor.openEdit(*model.workspace.find(id), model.workspace);
    editor.config().bind = "127.0.0.1:9001";
    ASSERT_EQ(editor.apply(model, sink), id);
    ASSERT_EQ(commands.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<UpdateEndpoint>(commands[0]));
    ASSERT_TRUE(std::holds_alternative<StartEndpoint>(commands[1])) << "the failed endpoint starts again";
    EXPECT_EQ(std::get<StartEndpoint>(commands[1]).endpoint, id);
}

// Item 19: Ctrl+Up/Down walk the history while typing in the input.
TEST_F(ViewsTest, CtrlUpAndDownWalkTheHistoryInTheInput) {
    addServer(1);
    ui.setDraw([this] { drawSend(); });
    ui.frames(2);
    focusInput();
    ui.type("first");
    ui.key(GLFW_KEY_ENTER, true);
    focusInput();
    ui.type("second");
    ui.key(GLFW_KEY_ENTER, true);
    ASSERT_EQ(posted<Send>().size(), 2u);
    focusInput();
    ui.type("draft");
    ui.key(GLFW_KEY_UP, true);
    EXPECT_EQ(send.input(), "second");
    ui.key(GLFW_KEY_UP, true);
    EXPECT_EQ(send.input(), "first");
    ui.frames(3);
    EXPECT_EQ(send.input(), "first") << "the active input keeps the history entry";
    ui.key(GLFW_KEY_DOWN, true);
    EXPECT_EQ(send.input(), "second");
    ui.type("!");
    EXPECT_EQ(send.input(), "second!") << "the entry is editable like typed text";
}

// Item 23: Delete asks first; Escape in the editor asks before dropping edits.
TEST_F(ViewsTest, DeleteAndEscapeWithEditsAskFirst) {
    const EndpointId id = addServer(0);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    ui.frames(2);
    clickProbe("tree.delete");
    ui.frames(2);
    EXPECT_TRUE(posted<RemoveEndpoint>().empty()) << "asks first";
    clickProbe("confirm_delete.cancel");
    ui.frames(2);
    EXPECT_TRUE(posted<RemoveEndpoint>().empty());
    EXPECT_TRUE(model.workspace.find(id));
    clickProbe("tree.delete");
    ui.frames(2);
    clickProbe("confirm_delete.delete");
    ASSERT_EQ(posted<RemoveEndpoint>().size(), 1u);
    EXPECT_FALSE(model.workspace.find(id));

    const EndpointId udp = model.workspace.add(Workspace::defaultConfig(EndpointType::Udp, 0));
    window.editor().openEdit(*model.workspace.find(udp), model.workspace);
    ui.frames(3);
    ui.key(GLFW_KEY_ESCAPE);
    EXPECT_FALSE(window.editor().isOpen()) << "no edits: Escape closes";
    window.editor().openEdit(*model.workspace.find(udp), model.workspace);
    ui.frames(3);
    clickProbe("editor.auto_start");   // an edit
    ui.key(GLFW_KEY_ESCAPE);
    ui.frames(2);
    EXPECT_TRUE(window.editor().isOpen()) << "edits: Escape asks";
    EXPECT_TRUE(window.editor().confirmingDiscard());
    clickProbe("editor.keep");
    ui.frames(2);
    EXPECT_TRUE(window.editor().isOpen());
    EXPECT_TRUE(window.editor().edited());
    clickProbe("editor.cancel");
    ui.frames(2);
    clickProbe("editor.discard");
    ui.frames(2);
    EXPECT_FALSE(window.editor().isOpen());
    EXPECT_TRUE(posted<UpdateEndpoint>().empty());
}

// Item 27: the editor validates through the profile validator and clamps the jitter.
TEST_F(ViewsTest, EditorUsesTheProfileValidator) {
    EndpointEditor editor;
    editor.openNew(EndpointType::TcpClient, model.workspace);
    editor.config().reconnect.initial_ms = 5000;
    editor.config().reconnect.max_ms = 1000;   // the loader refuses max < initial
    EXPECT_NE(editor.profileError().find("max_ms"), std::string::npos) << editor.profileError();
    EXPECT_FALSE(editor.valid());
    EXPECT_EQ(editor.apply(model, sink), 0u);
    editor.config().reconnect.max_ms = 8000;
    editor.config().reconnect.jitter = -0.5;
    EXPECT_FALSE(editor.profileError().empty()) << "negative jitter is refused";
    editor.config().reconnect.jitter = 0.5;
    EXPECT_EQ(editor.profileError(), "");
    EXPECT_NE(editor.apply(model, sink), 0u);
}

TEST(I18n, EveryStringHasBothLanguagesAndLocaleDetection) {
    for (int i = 0; i < static_cast<int>(Str::Count); ++i) {
        EXPECT_STRNE(tr(static_cast<Str>(i), Language::English), "");
        EXPECT_STRNE(tr(static_cast<Str>(i), Language::Chinese), "");
    }
    EXPECT_STREQ(tr(Str::Send, Language::Chinese), "发送");
    EXPECT_EQ(languageFromLocale("zh_CN.UTF-8"), Language::Chinese);
    EXPECT_EQ(languageFromLocale("en_US.UTF-8"), Language::English);
    EXPECT_EQ(languageFromLocale(nullptr), Language::English);
}

// Issue 7, receive framing: the editor's Framing section shows the fields of the chosen type,
// parses the delimiter as typed (hex here) and refuses what the profile loader would refuse.
TEST_F(ViewsTest, EditorFramingSectionEditsTheDelimiter) {
    EndpointConfig server = Workspace::defaultConfig(EndpointType::TcpServer, 0);
    server.framing.type = FramingType::Delimiter;
    server.framing.delimiter = {0x0d, 0x0a};
    server.framing.delimiter_is_text = false;
    const EndpointId id = model.workspace.add(server);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    window.editor().openEdit(*model.workspace.find(id), model.workspace);
    ui.frames(3);
    clickProbe("editor.options");   // fold the socket options: the Framing section comes into view
    ui.frames(2);
    ASSERT_TRUE(probe.has("editor.framing.type"));
    ASSERT_TRUE(probe.has("editor.framing.delimiter"));
    clickProbe("editor.framing.delimiter");
    ui.key(GLFW_KEY_A, true);
    ui.key(GLFW_KEY_DELETE);
    ui.type("0d 0g");
    EXPECT_FALSE(window.editor().valid()) << "an unparsable delimiter is never applied";
    clickProbe("editor.apply");
    EXPECT_TRUE(posted<UpdateEndpoint>().empty());
    clickProbe("editor.framing.delimiter");
    ui.key(GLFW_KEY_A, true);
    ui.key(GLFW_KEY_DELETE);
    ui.type("03");
    EXPECT_TRUE(window.editor().valid());
    clickProbe("editor.apply");
    ASSERT_EQ(posted<UpdateEndpoint>().size(), 1u);
    EXPECT_EQ(posted<UpdateEndpoint>()[0].config.framing.delimiter, (Bytes{0x03}));
    EXPECT_EQ(posted<UpdateEndpoint>()[0].config.framing.type, FramingType::Delimiter);

    // Another type shows its own fields only (the loader's field table).
    window.editor().openEdit(*model.workspace.find(id), model.workspace);
    window.editor().config().framing.type = FramingType::Length;
    window.editor().config().framing.size = 3;
    ui.frames(3);
    EXPECT_FALSE(probe.has("editor.framing.delimiter"));
    EXPECT_FALSE(window.editor().valid()) << "size 3 is refused as the loader refuses it";
    EXPECT_NE(window.editor().profileError().find("framing.size: must be 1, 2 or 4"), std::string::npos)
        << window.editor().profileError();
    window.editor().config().framing.size = 2;
    EXPECT_TRUE(window.editor().valid());
}

}  // namespace
}  // namespace sockscope::ui

namespace sockscope::ui {
namespace {

/// The quick-send strip drawn above the send panel, as the main window does.
class SourcesStripTest : public ViewsTest {
protected:
    void drawStrip() {
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(1200, 300));
        ImGui::Begin("send", nullptr, ImGuiWindowFlags_NoDecoration);
        strip.draw(model, sink, send);
        send.draw(model, sink);
        ImGui::End();
    }
    SourcesStrip strip;
};

TEST_F(SourcesStripTest, SaveTheInputAsACommandThenSendItByButtonAndShortcut) {
    const EndpointId id = addServer(2);
    model.selection.connection = 102;
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    clickProbe("send.mode_hex");
    focusInput();
    ui.type("01 03 00 00 00 01");
    pick("send.checksum", "send.checksum.crc16-modbus");
    clickProbe("send.save_command");
    ui.frames(1);
    const auto updates = posted<UpdateSources>();
    ASSERT_EQ(updates.size(), 1u) << "the engine gets the new command without a restart";
    EXPECT_TRUE(posted<UpdateEndpoint>().empty());
    ASSERT_EQ(model.workspace.find(id)->config.commands.size(), 1u);
    EXPECT_TRUE(model.workspace.dirty) << "an unsaved change";
    EXPECT_EQ(buildPayload(model.workspace.find(id)->config.commands[0].payload).bytes,
              (Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A}));

    ui.frames(1);
    clickProbe("send.command.0");
    auto sends = posted<SendSavedCommand>();
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].connection, 102u) << "to the selected connection";
    EXPECT_EQ(sends[0].name, model.workspace.find(id)->config.commands[0].name);
    ui.key(GLFW_KEY_1, true);   // Ctrl+1
    EXPECT_EQ(posted<SendSavedCommand>().size(), 2u);
    focusInput();               // while typing in the send box too
    ui.key(GLFW_KEY_1, true);
    EXPECT_EQ(posted<SendSavedCommand>().size(), 3u) << "Ctrl+1 with the input focused";
}

TEST_F(SourcesStripTest, TimersShowTheirStateAndToggle) {
    const EndpointId id = addServer(1);
    EndpointConfig config = model.workspace.find(id)->config;
    TimerConfig timer;
    timer.name = "hb";
    timer.send.text = "HB";
    config.timers = {timer};
    model.workspace.update(id, config);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    clickProbe("send.timer.0");
    auto runs = posted<RunTimer>();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_TRUE(runs[0].run);
    model.apply(TimerStatus{id, "hb", true, 3, 0, nowUs()});
    ui.frames(1);
    clickProbe("send.timer.0");
    runs = posted<RunTimer>();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_FALSE(runs[1].run) << "a running timer's button stops it";
}

// Issue 7: a server's timer goes to every connection unless aimed at one: the right-click menu
// starts it on the selected connection, and the button then says so.
TEST_F(SourcesStripTest, ATimerCanBeAimedAtTheSelectedConnection) {
    const EndpointId id = addServer(2);
    EndpointConfig config = model.workspace.find(id)->config;
    TimerConfig timer;
    timer.name = "hb";
    timer.send.text = "HB";
    config.timers = {timer};
    model.workspace.update(id, config);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    EXPECT_FALSE(probe.has("send.timer.0.to_connection"));
    clickProbe("send.timer.0");
    ASSERT_EQ(posted<RunTimer>().size(), 1u);
    EXPECT_EQ(posted<RunTimer>()[0].connection, 0u) << "the button: every connection, even with one selected";
    model.selection.connection = 102;
    ui.frames(1);
    const ProbeRect r = probe.at("send.timer.0");
    ui.click(r.cx(), r.cy(), 1);   // right-click: the menu
    ui.frames(2);
    clickProbe("send.timer.0.to_connection");
    auto runs = posted<RunTimer>();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_TRUE(runs[1].run);
    EXPECT_EQ(runs[1].connection, 102u) << "the selected connection only";
    model.apply(TimerStatus{id, "hb", true, 1, 0, nowUs()});
    ui.frames(2);
    const float to_all = probe.at("send.timer.0").x1 - probe.at("send.timer.0").x0;
    TimerStatus status{id, "hb", true, 2, 0, nowUs()};
    status.connection = 102;
    model.apply(status);
    ui.frames(2);
    EXPECT_GT(probe.at("send.timer.0").x1 - probe.at("send.timer.0").x0, to_all) << "the button names its connection";
}

// Issue 7: a timer is made in the GUI from the input (NetAssist's "send every N ms"), with its
// interval and count, started at once; edited and deleted from its right-click menu.
TEST_F(SourcesStripTest, ATimerIsMadeFromTheInputAndStarted) {
    const EndpointId id = addServer(1);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    focusInput();
    ui.type("PING");
    clickProbe("send.timer.add");
    ui.frames(2);
    clickProbe("send.timer.every");
    ui.key(GLFW_KEY_A, true);
    ui.type("250");
    clickProbe("send.timer.count");
    ui.key(GLFW_KEY_A, true);
    ui.type("3");
    clickProbe("send.timer.ok");
    ui.frames(1);
    const auto& timers = model.workspace.find(id)->config.timers;
    ASSERT_EQ(timers.size(), 1u);
    EXPECT_EQ(timers[0].name, "timer");
    EXPECT_EQ(timers[0].every_ms, 250);
    EXPECT_EQ(timers[0].count, 3u);
    EXPECT_EQ(buildPayload(timers[0].send).bytes, (Bytes{'P', 'I', 'N', 'G'}));
    EXPECT_TRUE(model.workspace.dirty);
    const auto updates = posted<UpdateSources>();
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].timers, timers) << "the engine gets it without a restart";
    const auto runs = posted<RunTimer>();
    ASSERT_EQ(runs.size(), 1u) << "and it starts at once";
    EXPECT_EQ(runs[0].name, "timer");
    EXPECT_TRUE(runs[0].run);

    // A second one gets a name of its own; the editor refuses a taken name.
    clickProbe("send.timer.add");
    ui.frames(2);
    clickProbe("send.timer.name");
    ui.key(GLFW_KEY_A, true);
    ui.type("timer");
    clickProbe("send.timer.ok");
    ui.frames(1);
    EXPECT_EQ(model.workspace.find(id)->config.timers.size(), 1u) << "OK is disabled for a taken name";
}

// Tester B13: the timer dialog took any UDP "To" ("abc"), and a command's "Replace with the
// input" took an invalid input ("GG"): the workspace then failed the loader's validation and was
// no longer autosaved. Both are checked where they are entered, with the loader's own rules.
TEST_F(SourcesStripTest, TheTimerDialogAndReplaceRefuseWhatTheProfileLoaderWouldRefuse) {
    EndpointConfig udp;
    udp.name = "u";
    udp.type = EndpointType::Udp;
    udp.bind = "127.0.0.1:9001";
    const EndpointId id = model.workspace.add(udp);
    model.selection = Selection{id, 0};
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    focusInput();
    ui.type("PING");
    clickProbe("send.timer.add");
    ui.frames(2);
    clickProbe("send.timer.to");
    ui.type("abc");
    EXPECT_NE(strip.timerProblem().find("to: expected \"host:port\""), std::string::npos) << strip.timerProblem();
    clickProbe("send.timer.ok");
    ui.frames(1);
    EXPECT_TRUE(model.workspace.find(id)->config.timers.empty()) << "OK is disabled while To is invalid";
    EXPECT_TRUE(posted<UpdateSources>().empty());
    clickProbe("send.timer.to");
    ui.key(GLFW_KEY_A, true);
    ui.type("127.0.0.1:9002");
    EXPECT_EQ(strip.timerProblem(), "");
    clickProbe("send.timer.ok");
    ui.frames(1);
    ASSERT_EQ(model.workspace.find(id)->config.timers.size(), 1u);
    EXPECT_EQ(model.workspace.find(id)->config.timers[0].to, "127.0.0.1:9002");

    // A saved command's "Replace with the input" is disabled while the input does not parse.
    clickProbe("send.save_command");
    ui.frames(1);
    ASSERT_EQ(model.workspace.find(id)->config.commands.size(), 1u);
    clickProbe("send.mode_hex");
    focusInput();
    ui.type("GG");
    const ProbeRect r = probe.at("send.command.0");
    ui.click(r.cx(), r.cy(), 1);   // right-click: the menu
    ui.frames(2);
    clickProbe("send.command.0.replace");
    ui.frames(1);
    EXPECT_EQ(model.workspace.find(id)->config.commands[0].payload.text, "PING") << "kept: GG is no payload";
    Profile profile;
    profile.endpoints = {model.workspace.find(id)->config};
    EXPECT_EQ(validateProfile(profile, ""), "");
}

// Tester B3: "+ Save" names the command from the input's first 16 characters, never half of one
// (a Chinese input gave a name ending in U+FFFD).
TEST_F(SourcesStripTest, ACommandNamedFromChineseInputIsCutAtACharacter) {
    const EndpointId id = addServer(1);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    std::string input;
    for (int i = 0; i < 10; ++i) input += "\xe6\xb8\xa9";   // 温 x 10: 30 bytes
    send.input() = input;
    ui.frames(1);
    clickProbe("send.save_command");
    ui.frames(1);
    ASSERT_EQ(model.workspace.find(id)->config.commands.size(), 1u);
    EXPECT_EQ(model.workspace.find(id)->config.commands[0].name, input) << "10 characters: all of them";
    send.input() = input + input;   // 20 characters
    ui.frames(1);
    clickProbe("send.save_command");
    ui.frames(1);
    ASSERT_EQ(model.workspace.find(id)->config.commands.size(), 2u);
    const std::string name = model.workspace.find(id)->config.commands[1].name;
    EXPECT_EQ(name.substr(0, 48), (input + input).substr(0, 48)) << "16 whole characters first";
    EXPECT_FALSE(utf8::firstInvalid(name)) << name;
}

// Tester B3: a saved command named from its input ("AT+GMR") could not be renamed.
TEST_F(SourcesStripTest, ASavedCommandIsRenamedFromItsMenu) {
    const EndpointId id = addServer(1);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    for (const char* input : {"READ", "WRITE"}) {
        send.input() = input;
        ui.frames(1);
        clickProbe("send.save_command");
        ui.frames(1);
    }
    ASSERT_EQ(model.workspace.find(id)->config.commands.size(), 2u);
    const auto rename = [&](const std::string& name) {
        const ProbeRect r = probe.at("send.command.0");
        ui.click(r.cx(), r.cy(), 1);   // right-click: the menu
        ui.frames(2);
        clickProbe("send.command.0.rename");
        ui.frames(2);
        ui.key(GLFW_KEY_A, true);
        ui.key(GLFW_KEY_DELETE);
        ui.type(name);
        ui.frames(1);
    };
    rename("WRITE");   // the other command's name: refused
    clickProbe("send.command.rename.ok");
    ui.frames(1);
    EXPECT_EQ(model.workspace.find(id)->config.commands[0].name, "READ") << "two commands may not share a name";
    ui.key(GLFW_KEY_ESCAPE);
    ui.frames(2);
    rename("read holding registers");
    clickProbe("send.command.rename.ok");
    ui.frames(2);
    const EndpointConfig& config = model.workspace.find(id)->config;
    EXPECT_EQ(config.commands[0].name, "read holding registers");
    EXPECT_EQ(config.commands[0].payload.text, "READ") << "the payload stays";
    EXPECT_EQ(config.commands[1].name, "WRITE");
    const auto updates = posted<UpdateSources>();
    ASSERT_FALSE(updates.empty());
    EXPECT_EQ(updates.back().commands[0].name, "read holding registers") << "the engine knows the new name";
}

// Tester item: "Replace with the input" kept the name "+ Save" had made from the old payload, so
// the button said "STATUS?" and sent "hello". Such a name follows the new payload; a name the user
// chose stays.
TEST_F(SourcesStripTest, ReplacingAPayloadRenamesACommandNamedFromItNotOneTheUserNamed) {
    const EndpointId id = addServer(1);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    for (const char* input : {"STATUS?", "STATUS?", "RESET"}) {   // "STATUS?", "STATUS? (2)", "RESET"
        send.input() = input;
        ui.frames(1);
        clickProbe("send.save_command");
        ui.frames(1);
    }
    ASSERT_EQ(model.workspace.find(id)->config.commands[1].name, "STATUS? (2)");
    EndpointConfig named = model.workspace.find(id)->config;
    named.commands[2].name = "reboot";   // chosen by the user
    model.workspace.update(id, named);
    ui.frames(1);
    const auto replaceWith = [&](int index, const std::string& input) {
        send.input() = input;
        ui.frames(1);
        const ProbeRect r = probe.at("send.command." + std::to_string(index));
        ui.click(r.cx(), r.cy(), 1);   // right-click: the menu
        ui.frames(2);
        clickProbe("send.command." + std::to_string(index) + ".replace");
        ui.frames(1);
    };
    replaceWith(1, "hello {{counter:04}}");
    replaceWith(2, "RESET 1");
    const EndpointConfig& config = model.workspace.find(id)->config;
    EXPECT_EQ(config.commands[1].name, "hello {{counter:") << "named from its new input";
    EXPECT_EQ(config.commands[1].payload.text, "hello {{counter:04}}");
    EXPECT_EQ(config.commands[2].name, "reboot") << "the user's name stays";
    EXPECT_EQ(config.commands[2].payload.text, "RESET 1");
    replaceWith(0, "hello {{counter:04}}");
    EXPECT_EQ(model.workspace.find(id)->config.commands[0].name, "hello {{counter: (2)") << "still unique";
}

// Tester item: the first rename selected the old name (typing replaced it); the next one left
// the caret mid-text and the typing went into the old name.
TEST_F(SourcesStripTest, EveryRenameStartsWithTheWholeNameSelected) {
    const EndpointId id = addServer(1);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    for (const char* input : {"01 03 00 00", "STATUS?"}) {
        send.input() = input;
        ui.frames(1);
        clickProbe("send.save_command");
        ui.frames(1);
    }
    const auto renameTyping = [&](int index, const std::string& name) {
        const ProbeRect r = probe.at("send.command." + std::to_string(index));
        ui.click(r.cx(), r.cy(), 1);   // right-click: the menu
        ui.frames(2);
        clickProbe("send.command." + std::to_string(index) + ".rename");
        ui.frames(2);
        ui.type(name);   // no select-all first: the name must already be selected
        ui.frames(1);
        clickProbe("send.command.rename.ok");
        ui.frames(2);
    };
    renameTyping(0, "read");
    renameTyping(1, "ping");
    const EndpointConfig& config = model.workspace.find(id)->config;
    ASSERT_EQ(config.commands.size(), 2u);
    EXPECT_EQ(config.commands[0].name, "read");
    EXPECT_EQ(config.commands[1].name, "ping");
}

// Tester B14: "+ Save" of a 17 MB input wrote a workspace.json over the loader's 16 MiB limit and
// the next start set the whole workspace aside. Large payloads are refused where they are saved.
TEST_F(SourcesStripTest, AHugeInputIsNotSavedAsACommandAndSaysWhy) {
    const EndpointId id = addServer(1);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    send.input() = std::string(SourcesStrip::kMaxSavedPayload + 1, 'A');
    ui.frames(1);
    clickProbe("send.save_command");
    ui.frames(1);
    EXPECT_TRUE(model.workspace.find(id)->config.commands.empty());
    EXPECT_TRUE(posted<UpdateSources>().empty());
    EXPECT_TRUE(model.notice.error);
    EXPECT_NE(model.notice.text.find("Not saved"), std::string::npos) << model.notice.text;
    EXPECT_NE(model.notice.text.find("over the 1 MiB a saved command"), std::string::npos) << model.notice.text;

    // At the limit it is kept, until the workspace as a whole would not fit a profile.
    EndpointConfig config = model.workspace.find(id)->config;
    PayloadSpec big;
    big.text = std::string(SourcesStrip::kMaxSavedPayload, 'B');
    for (int i = 0; i < 16; ++i) config.commands.push_back(SavedCommand{"c" + std::to_string(i), big});
    model.workspace.update(id, config);
    send.input() = std::string(SourcesStrip::kMaxSavedPayload, 'A');
    ui.frames(1);
    clickProbe("send.save_command");
    ui.frames(1);
    EXPECT_EQ(model.workspace.find(id)->config.commands.size(), 16u);
    EXPECT_NE(model.notice.text.find("over the 16 MiB a profile can be loaded with"), std::string::npos)
        << model.notice.text;
}

// Tester B15, saved commands: a closed selected connection stays their target too (the engine
// reports it closed) instead of widening to every connection.
TEST_F(SourcesStripTest, ASavedCommandGoesToTheSelectedConnectionEvenWhenItClosed) {
    const EndpointId id = addServer(2);
    EndpointConfig config = model.workspace.find(id)->config;
    PayloadSpec hb;
    hb.text = "HB";
    config.commands.push_back(SavedCommand{"hb", hb});
    model.workspace.update(id, config);
    model.selection.connection = 102;
    model.apply(ConnectionClosed{id, 102, CloseReason::PeerReset, std::nullopt, nowUs()});
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    clickProbe("send.command.0");
    ASSERT_EQ(posted<SendSavedCommand>().size(), 1u);
    EXPECT_EQ(posted<SendSavedCommand>()[0].connection, 102u);
}

TEST_F(SourcesStripTest, TheOnConnectPayloadIsSetFromTheInputAndCleared) {
    const EndpointId id = addServer(1);
    ui.setDraw([this] { drawStrip(); });
    ui.frames(2);
    focusInput();
    ui.type("LOGIN");
    clickProbe("send.on_connect");
    ui.frames(2);
    clickProbe("send.on_connect.set");
    ui.frames(1);
    ASSERT_TRUE(model.workspace.find(id)->config.on_connect);
    EXPECT_EQ(buildPayload(*model.workspace.find(id)->config.on_connect).bytes, (Bytes{'L', 'O', 'G', 'I', 'N'}));
    ASSERT_EQ(posted<UpdateSources>().size(), 1u);
    EXPECT_TRUE(posted<UpdateSources>()[0].on_connect);
    clickProbe("send.on_connect");
    ui.frames(2);
    clickProbe("send.on_connect.clear");
    ui.frames(1);
    EXPECT_FALSE(model.workspace.find(id)->config.on_connect);
}

// Issue 9: the profile's receive_to_file is edited in the endpoint editor, through the loader's rules.
TEST_F(ViewsTest, EditorReceiveToFileSectionEditsTheProfileField) {
    EndpointConfig server = Workspace::defaultConfig(EndpointType::TcpServer, 0);
    server.receive_to_file = ReceiveToFileConfig{"rx/device.bin", false};
    const EndpointId id = model.workspace.add(server);
    MainWindow window(model, sink, AppHooks{});
    ui.setDraw([&] { window.draw(); });
    window.editor().openEdit(*model.workspace.find(id), model.workspace);
    ui.frames(3);
    clickProbe("editor.options");   // fold the socket options: the section comes into view
    ui.frames(2);
    ASSERT_TRUE(probe.has("editor.receive_to_file")) << "the section starts open when it is on";
    ASSERT_TRUE(probe.has("editor.receive_to_file.path"));
    window.editor().config().receive_to_file->path.clear();
    ui.frames(1);
    EXPECT_FALSE(window.editor().valid()) << "an empty path is refused as the loader refuses it";
    EXPECT_NE(window.editor().profileError().find("receive_to_file.path"), std::string::npos)
        << window.editor().profileError();
    clickProbe("editor.receive_to_file.path");
    ui.type("capture.bin");
    EXPECT_TRUE(window.editor().valid());
    clickProbe("editor.apply");
    ASSERT_EQ(posted<UpdateEndpoint>().size(), 1u);
    ASSERT_TRUE(posted<UpdateEndpoint>()[0].config.receive_to_file);
    EXPECT_EQ(posted<UpdateEndpoint>()[0].config.receive_to_file->path, "capture.bin");

    // Unticked: the endpoint no longer receives to a file.
    window.editor().openEdit(*model.workspace.find(id), model.workspace);
    ui.frames(3);   // the socket options stay folded (ImGui keeps a header's state)
    clickProbe("editor.receive_to_file");
    EXPECT_FALSE(probe.has("editor.receive_to_file.path"));
    clickProbe("editor.apply");
    ASSERT_EQ(posted<UpdateEndpoint>().size(), 2u);
    EXPECT_FALSE(posted<UpdateEndpoint>()[1].config.receive_to_file);
}

/// A profile's recorder: JSON lines into logs/s.jsonl (relative to the profile).
RecordingConfig jsonlRecorder() {
    RecordingConfig recording;
    recording.path = "logs/s.jsonl";
    recording.format = RecordFormat::Jsonl;
    return recording;
}

// Issue 9: File > New leaves the open profile behind, its recorders included (the autosave of
// the new workspace must not carry them, and they must not keep writing).
TEST_F(ViewsTest, NewWorkspaceStopsTheProfilesRecorders) {
    MainWindow window(model, sink, AppHooks{});
    const RecordingConfig recording = jsonlRecorder();
    window.startProfileRecording({recording}, "/tmp/profile/p.json");
    ASSERT_EQ(posted<StartRecording>().size(), 1u);
    EXPECT_EQ(posted<StartRecording>()[0].config.path, "/tmp/profile/logs/s.jsonl") << "relative to the profile";
    ASSERT_EQ(model.profile_recording.size(), 1u);
    window.newWorkspace();
    ASSERT_EQ(posted<StopRecording>().size(), 1u);
    EXPECT_EQ(posted<StopRecording>()[0].recording, posted<StartRecording>()[0].recording);
    EXPECT_TRUE(model.profile_recording.empty());
    EXPECT_TRUE(model.workspace.endpoints().empty());
}

// A profile's recorder taken out of the profile goes on recording: the next profile's recorders
// neither stop it nor take its id.
TEST_F(ViewsTest, ARecorderTakenOutOfTheProfileSurvivesTheNextProfile) {
    MainWindow window(model, sink, AppHooks{});
    const RecordingConfig recording = jsonlRecorder();
    window.startProfileRecording({recording}, "/tmp/profile/p.json");
    ASSERT_EQ(posted<StartRecording>().size(), 1u);
    const RecordingId kept = posted<StartRecording>()[0].recording;
    RecordingStatus running;
    running.recording = kept;
    running.path = posted<StartRecording>()[0].config.path;
    running.state_changed = true;
    model.apply(running);
    ASSERT_TRUE(model.dropRecorderFromProfile(kept));
    window.startProfileRecording({recording}, "/tmp/other/q.json");
    EXPECT_TRUE(posted<StopRecording>().empty()) << "no longer the profile's: it is not stopped";
    ASSERT_EQ(posted<StartRecording>().size(), 2u);
    EXPECT_NE(posted<StartRecording>()[1].recording, kept);
    EXPECT_TRUE(model.recorderInProfile(posted<StartRecording>()[1].recording));
}

}  // namespace
}  // namespace sockscope::ui
