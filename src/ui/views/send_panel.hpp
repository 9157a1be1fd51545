#pragma once
// The send panel: multi-line input in text or hex, errors shown as you type (position and
// reason; invalid input cannot be sent), escapes, line ending, a checksum (type, byte order,
// range), target (the selected connection, all connections of a server, a UDP destination),
// Ctrl+Enter, a history per endpoint. The input is the payload language of every sender
// (core/codec/payload_template.hpp: templates such as {{counter}}); the status line previews the
// final bytes, checksum included, before they are sent.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/codec/escape.hpp"
#include "core/codec/parse_result.hpp"
#include "core/codec/payload_template.hpp"
#include "ui/ui_model.hpp"
#include "ui/view.hpp"
#include "ui/views/file_dialog.hpp"

struct ImVec2;
struct ImGuiInputTextCallbackData;

namespace sockscope::ui {

enum class SendMode : std::uint8_t { Text, Hex };

struct SendHistoryItem {
    std::string input;
    SendMode mode = SendMode::Text;
    bool operator==(const SendHistoryItem&) const = default;
};

class SendPanel : public View {
public:
    void draw(ViewContext& ctx) override { draw(ctx.model, ctx.submit); }
    void draw(UiModel& model, const CommandSink& submit);

    /// The pane height (from its top) that shows every row above the input, the input at two
    /// lines and the status line, as drawn last frame: the layout keeps the pane at least this tall.
    float fitHeight() const { return m_fitHeight; }

    // State, exposed for tests and the main window's shortcuts.
    std::string& input() { return m_input; }
    SendMode mode() const { return m_mode; }
    void setMode(SendMode mode) { m_mode = mode; }
    /// What the Text/Hex buttons do: switch and convert the input so it means exactly the same
    /// bytes ("AT\r\n" <-> "41 54 0D 0A"; bytes the text encoding cannot show as \xHH). Input
    /// with errors has no bytes and is taken as typed. Input with templates cannot be converted:
    /// the mode stays, modeNotice() says why, and false is returned.
    bool switchMode(const UiModel& model, SendMode mode);
    /// Why the last mode switch (or the selected endpoint's remembered mode) was not applied;
    /// empty when it was. Shown on the status line until the input changes.
    const std::string& modeNotice() const { return m_modeNotice; }
    void setLineEnding(LineEnding ending) { m_ending = ending; }
    LineEnding lineEnding() const { return m_ending; }
    /// The encoding typed text is sent in: chosen in the panel, else the display encoding.
    TextEncoding encoding(const UiModel& model) const { return m_encoding.value_or(model.settings.encoding); }
    void setEncoding(std::optional<TextEncoding> encoding) { m_encoding = encoding; }
    bool clearAfterSend() const { return m_clearAfterSend; }
    void setClearAfterSend(bool on) { m_clearAfterSend = on; }
    void setEscapes(bool on) { m_escapes = on; }
    /// The checksum appended to (or inserted into) what is sent; nullopt for none.
    void setChecksum(std::optional<ChecksumSpec> checksum) { m_checksum = checksum; }
    const std::optional<ChecksumSpec>& checksum() const { return m_checksum; }
    /// The payload spec the panel's input and options make.
    PayloadSpec spec(const UiModel& model) const;
    std::string& udpDestination() { return m_udpDestination; }

    /// The payload the current input gives (compiled when input or options change; templates
    /// rendered for a preview that does not advance the counter).
    const ParseResult& parsed(const UiModel& model);
    /// Why Send is disabled right now, or empty when it can send.
    std::string blocker(const UiModel& model);
    /// Posts the Send command if possible; returns whether it did.
    bool send(UiModel& model, const CommandSink& submit);
    /// Walks the selected endpoint's history: -1 older, +1 newer.
    void historyStep(const UiModel& model, int direction);
    const std::vector<SendHistoryItem>& history(EndpointId id) const;
    /// The status line drawn under the input last frame (the parse error, why Send is disabled,
    /// or the size of what will be sent).
    const std::string& statusText() const { return m_statusText; }
    /// The bytes previewed on the status line last frame, as hex ("01 03 00 00 00 01 84 0A"),
    /// and the checksum's part of them ("84 0A"; empty without a checksum).
    const std::string& previewHex() const { return m_previewHex; }
    const std::string& previewChecksumHex() const { return m_previewChecksum; }
    /// Where the input box is on screen (for xdotool tests; printed in trace mode).
    float inputX() const { return m_inputPos[0]; }
    float inputY() const { return m_inputPos[1]; }

    /// Inputs longer than this show as a read-only summary until "Edit anyway" (see send_panel.cpp).
    static constexpr std::size_t kEditableInputMax = 64 * 1024;
    static constexpr std::size_t kPreviewBytes = 1024;
    bool editingLargeInput() const { return m_editLarge; }

    /// Sending a file: the chunk size and gap the next "Send file..." uses, and the command it
    /// posts for `path` (to the panel's current target); returns its transfer id.
    std::uint32_t& fileChunk() { return m_fileChunk; }
    std::uint32_t& fileGapMs() { return m_fileGapMs; }
    std::uint64_t sendFile(const UiModel& model, const std::string& path, const CommandSink& submit);
    /// The transfer the file row shows for the selected endpoint (running, or the last one), if any.
    const FileSendStatus* shownFileSend(const UiModel& model) const;
    /// The file row's text last frame: progress and rate, or how the last send ended.
    const std::string& fileStatusText() const { return m_fileStatus; }

private:
    void drawFileRow(UiModel& model, const CommandSink& submit);
    /// Per endpoint (by name, in Settings::send_memory): mode, encoding, line ending, clear after
    /// send. Loaded when the selected endpoint changes; stored when they change.
    void loadMemory(const UiModel& model);
    /// Converts the input to `mode` and `encoding` so it gives the same bytes; false (nothing
    /// changed, m_modeNotice says why) when that cannot be done exactly.
    bool convertInput(const UiModel& model, SendMode mode, std::optional<TextEncoding> encoding);
    void storeMemory(UiModel& model);
    void drawLargeInput(UiModel& model, ImVec2 size);
    void drawChecksumOptions(UiModel& model);
    void drawPreview(UiModel& model, const ParseResult& result);
    bool m_editLarge = false;   // the user chose to edit an input above kEditableInputMax
    static int inputCallback(ImGuiInputTextCallbackData* data);

    std::string m_input;
    bool m_replaceInput = false;   // a history step waits for the active input to take it
    SendMode m_mode = SendMode::Text;
    bool m_escapes = true;
    LineEnding m_ending = LineEnding::None;
    std::string m_udpDestination;
    bool m_refocus = false;

    // What the cached result was made from: compared each frame, copied only when it changes
    // (building a key string copied the whole input, megabytes for a large paste, every frame).
    bool m_parsedValid = false;
    std::string m_parsedInput;
    SendMode m_parsedMode = SendMode::Text;
    bool m_parsedEscapes = true;
    LineEnding m_parsedEnding = LineEnding::None;
    TextEncoding m_parsedEncoding = TextEncoding::Utf8;
    std::optional<ChecksumSpec> m_parsedChecksum;
    std::optional<CompiledPayload> m_compiled;   // set when the input compiles
    ParseResult m_parsed;

    std::optional<ChecksumSpec> m_checksum;
    std::map<EndpointId, CounterState> m_counters;   // {{counter}}: the panel counts per endpoint
    std::string m_previewHex;
    std::string m_previewChecksum;

    std::map<EndpointId, std::vector<SendHistoryItem>> m_history;   // newest last, bounded
    const std::vector<SendHistoryItem> m_noHistory{};
    int m_historyPos = -1;                                            // -1 = not browsing
    float m_inputPos[2] = {0, 0};
    float m_fitHeight = 0;
    std::string m_statusText;
    std::string m_modeNotice;    // why the mode was not switched (see modeNotice())
    std::string m_noticeInput;   // the input it was about: the notice goes when the input changes
    std::vector<std::size_t> m_openRows;   // target list: positions of the open connections

    std::optional<TextEncoding> m_encoding;
    bool m_clearAfterSend = false;
    EndpointId m_memoryFor = 0;
    FileDialog m_fileDialog;
    std::uint32_t m_fileChunk = 1024;
    std::uint32_t m_fileGapMs = 0;
    std::uint64_t m_nextTransfer = 1;
    std::string m_fileStatus;
};

}  // namespace sockscope::ui
