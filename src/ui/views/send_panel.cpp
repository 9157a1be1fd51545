#include "ui/views/send_panel.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <span>

#include "core/codec/hex.hpp"
#include "core/codec/text_encoding.hpp"
#include "core/net/address.hpp"
#include "core/net/file_send.hpp"
#include "core/registry/endpoint_registry.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"
#include "ui/views/choice_combo.hpp"

namespace sockscope::ui {
namespace {
constexpr std::size_t kHistoryMax = 50;

std::size_t openConnections(const EndpointRow* row) {
    return row ? row->connections.openCount() : 0;
}
}  // namespace

const std::vector<SendHistoryItem>& SendPanel::history(EndpointId id) const {
    auto it = m_history.find(id);
    return it == m_history.end() ? m_noHistory : it->second;
}

PayloadSpec SendPanel::spec(const UiModel& model) const {
    PayloadSpec spec;
    spec.mode = m_mode == SendMode::Hex ? PayloadMode::Hex : PayloadMode::Text;
    spec.text = m_input;
    spec.encoding = encoding(model);   // the panel's choice, else the display encoding (GBK devices get GBK)
    spec.escapes = m_escapes;
    spec.checksum = m_checksum;
    spec.line_ending = m_ending;
    return spec;
}

const ParseResult& SendPanel::parsed(const UiModel& model) {
    const TextEncoding encoding = this->encoding(model);
    if (!(m_parsedValid && m_parsedMode == m_mode && m_parsedEscapes == m_escapes && m_parsedEnding == m_ending &&
          m_parsedEncoding == encoding && m_parsedChecksum == m_checksum && m_parsedInput == m_input)) {
        m_parsedValid = true;
        m_parsedInput = m_input;
        m_parsedMode = m_mode;
        m_parsedEscapes = m_escapes;
        m_parsedEnding = m_ending;
        m_parsedEncoding = encoding;
        m_parsedChecksum = m_checksum;
        PayloadCompileResult compiled = compilePayload(spec(model));
        m_compiled = std::move(compiled.payload);
        m_parsed = ParseResult{};
        m_parsed.error = std::move(compiled.error);
        if (m_compiled && m_compiled->isStatic()) m_parsed.bytes = m_compiled->staticBytes();
    }
    if (m_compiled && !m_compiled->isStatic()) {
        // Templates render differently each time ({{time}}, {{counter}}): a preview that counts
        // nothing and shows stable random bytes.
        const auto it = m_counters.find(model.selection.endpoint);
        CounterState preview = it == m_counters.end() ? CounterState{} : it->second;
        RenderContext context;
        context.counter = &preview;
        context.random_state = 1;
        renderPayloadInto(*m_compiled, context, m_parsed.bytes);
    }
    return m_parsed;
}

namespace {
/// `{{` in text means a template: the first brace is escaped so the text stays literal.
std::string escapeTemplateBraces(const std::string& shown) {
    std::string text;
    text.reserve(shown.size());
    for (std::size_t i = 0; i < shown.size(); ++i) {
        if (shown[i] == '{' && i + 1 < shown.size() && shown[i + 1] == '{') text += '\\';   // not a template
        text += shown[i];
    }
    return text;
}

/// Text (escapes on) that gives exactly `bytes` in `encoding`: the characters where they round-trip,
/// else every non-ASCII byte as \xHH, else every byte as \xHH (UTF-16); nullopt if none does.
std::optional<std::string> exactText(const Bytes& bytes, PayloadSpec body, TextEncoding encoding) {
    body.mode = PayloadMode::Text;
    body.escapes = true;
    body.encoding = encoding;
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (attempt == 0) {
            body.text = escapeTemplateBraces(decodeForDisplay(bytes, encoding));
        } else if (attempt == 1) {
            body.text = escapeTemplateBraces(escapeForDisplay(bytes, NonAscii::Escape));
        } else {
            body.text.clear();
            body.text.reserve(bytes.size() * 4);
            for (std::uint8_t b : bytes) appendByteEscape(body.text, b);
        }
        const PayloadCompileResult back = compilePayload(body);
        if (back.ok() && back.payload->isStatic() && back.payload->staticBytes() == bytes) return std::move(body.text);
    }
    return std::nullopt;
}
}  // namespace

bool SendPanel::convertInput(const UiModel& model, SendMode mode, std::optional<TextEncoding> encoding) {
    const TextEncoding from = this->encoding(model);
    const TextEncoding to = encoding.value_or(model.settings.encoding);
    if (mode == m_mode && (mode == SendMode::Hex || to == from)) {
        m_encoding = encoding;
        return true;
    }
    PayloadSpec body = spec(model);
    body.checksum.reset();
    body.line_ending = LineEnding::None;
    const PayloadCompileResult compiled = compilePayload(body);
    if (!compiled.ok()) {
        // Nothing can be sent as it is: the input is taken as typed in the new mode (the status
        // line says what it means there).
        m_mode = mode;
        m_encoding = encoding;
        return true;
    }
    if (!compiled.payload->isStatic()) {
        // Templates have no fixed bytes to convert: stay, and say why.
        m_modeNotice = tr(Str::ModeKeptTemplates);
        m_noticeInput = m_input;
        return false;
    }
    const Bytes& bytes = compiled.payload->staticBytes();
    if (mode == SendMode::Hex) {
        m_input = formatHex(bytes);
    } else {
        std::optional<std::string> text = exactText(bytes, body, to);
        if (!text) {
            m_modeNotice = tr(Str::ModeKeptNotText);
            m_noticeInput = m_input;
            return false;
        }
        if (text->find('\\') != std::string::npos) m_escapes = true;
        m_input = std::move(*text);
    }
    m_mode = mode;
    m_encoding = encoding;
    m_modeNotice.clear();
    return true;
}

bool SendPanel::switchMode(const UiModel& model, SendMode mode) {
    if (mode == m_mode) return true;
    return convertInput(model, mode, m_encoding);
}

std::string SendPanel::blocker(const UiModel& model) {
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    if (!endpoint) return tr(Str::NoTarget);
    const ParseResult& result = parsed(model);
    if (!result.ok()) return describe(*result.error, m_input);
    if (result.bytes.empty()) return tr(Str::EmptyPayload);
    const EndpointRow* row = model.table.endpoint(endpoint->id);
    switch (endpoint->config.type) {
        case EndpointType::TcpServer:
            if (model.selection.connection != 0) {
                // A chosen connection that closed stays the target: sending never widens to every
                // connection on its own (the user picks another target or "All connections").
                const ConnectionRow* c = row ? model.table.connection(endpoint->id, model.selection.connection) : nullptr;
                if (!c || !c->open) {
                    char text[200];
                    std::snprintf(text, sizeof text, tr(Str::TargetClosedBlocker),
                                  static_cast<unsigned long long>(model.selection.connection));
                    return text;
                }
            }
            if (openConnections(row) == 0) return tr(Str::NoConnectionsToSend);
            break;
        case EndpointType::TcpClient:
            if (!row || row->status.state != EndpointState::Connected) return tr(Str::NotConnected);
            break;
        case EndpointType::Udp:
            if (!m_udpDestination.empty() && !parseHostPort(m_udpDestination))
                return std::string(tr(Str::UdpDestination)) + ": " + tr(Str::AddrInvalid);
            break;
    }
    return {};
}

bool SendPanel::send(UiModel& model, const CommandSink& submit) {
    if (!blocker(model).empty()) return false;
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    Send command;
    command.endpoint = endpoint->id;
    if (m_compiled && !m_compiled->isStatic()) {
        RenderContext context;
        context.counter = &m_counters[endpoint->id];
        command.payload = renderPayload(*m_compiled, context);
    } else {
        command.payload = parsed(model).bytes;
    }
    if (endpoint->config.type == EndpointType::TcpServer) {
        // The selected connection (blocker() refuses a closed one), otherwise every connection.
        command.connection = model.selection.connection;
    } else if (endpoint->config.type == EndpointType::Udp) {
        command.destination = m_udpDestination;
    }
    submit(std::move(command));

    auto& items = m_history[endpoint->id];
    SendHistoryItem item{m_input, m_mode};
    if (items.empty() || !(items.back() == item)) items.push_back(std::move(item));
    if (items.size() > kHistoryMax) items.erase(items.begin());
    m_historyPos = -1;
    if (m_clearAfterSend) m_input.clear();   // the history keeps it (Ctrl+Up brings it back)
    return true;
}

void SendPanel::historyStep(const UiModel& model, int direction) {
    const auto& items = history(model.selection.endpoint);
    if (items.empty()) return;
    const int n = static_cast<int>(items.size());
    int pos = m_historyPos < 0 ? n : m_historyPos;
    pos += direction;
    if (pos < 0) pos = 0;
    if (pos >= n) {
        m_historyPos = -1;
        m_input.clear();
        return;
    }
    m_historyPos = pos;
    m_input = items[static_cast<std::size_t>(pos)].input;
    m_mode = items[static_cast<std::size_t>(pos)].mode;
    m_replaceInput = true;
}

// While the input is active ImGui edits its own copy of the text and writes it back every frame:
// a history step must replace that copy, or the old text comes straight back.
int SendPanel::inputCallback(ImGuiInputTextCallbackData* data) {
    auto* panel = static_cast<SendPanel*>(data->UserData);
    if (panel->m_replaceInput) {
        panel->m_replaceInput = false;
        const std::string text = panel->m_input;   // the buffer may alias m_input
        data->DeleteChars(0, data->BufTextLen);
        data->InsertChars(0, text.c_str(), text.c_str() + text.size());
    }
    return 0;
}

// --- Large input (issue 6 item 1) ---------------------------------------------------------------
// ImGui's multi-line input walks the whole buffer every frame (cursor, line count, selection) and
// reserves draw buffers for all of it: a pasted payload of megabytes makes every frame slow. Above
// kEditableInputMax the input shows as a read-only summary; it can still be sent, cleared, or
// edited on request.
void SendPanel::drawLargeInput(UiModel& model, ImVec2 size) {
    const Palette& pal = palette(model.settings.theme);
    ImGui::BeginChild("##input", size, true);
    char line[160];
    std::snprintf(line, sizeof line, tr(Str::LargeInput), formatBytes(static_cast<double>(m_input.size())).c_str());
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(pal.warn, "%s", line);
    ImGui::PopTextWrapPos();
    if (ImGui::Button(tr(Str::EditAnyway))) m_editLarge = true;
    probeItem(model, "send.edit_anyway");
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::ClearInput))) {
        m_input.clear();
        m_historyPos = -1;
    }
    probeItem(model, "send.clear_input");
    // A bounded preview (the start of the input, cut on a character boundary).
    std::size_t cut = std::min(m_input.size(), kPreviewBytes);
    while (cut > 0 && cut < m_input.size() && (static_cast<unsigned char>(m_input[cut]) & 0xC0) == 0x80) --cut;
    std::string preview = m_input.substr(0, cut);
    for (char& c : preview)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    preview += " ...";
    ImGui::PushStyleColor(ImGuiCol_Text, pal.dim);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(preview.data(), preview.data() + preview.size());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::EndChild();
}
// --- end large input ---------------------------------------------------------------------------

// Checksum type, byte order, the bytes left out at either end and where it goes.
void SendPanel::drawChecksumOptions(UiModel& model) {
    const float font = ImGui::GetFontSize();
    sameLineIfFits(ImGui::CalcTextSize(tr(Str::Checksum)).x + ImGui::GetStyle().ItemSpacing.x + font * 9);
    ImGui::TextUnformatted(tr(Str::Checksum));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 9);
    if (ImGui::BeginCombo("##checksum", m_checksum ? displayName(m_checksum->kind) : tr(Str::ChecksumNone))) {
        if (ImGui::Selectable(tr(Str::ChecksumNone), !m_checksum)) m_checksum.reset();
        probeItem(model, "send.checksum.none");
        for (const ChoiceItem& item : choiceItems("checksum.type")) {
            const auto kind = static_cast<ChecksumKind>(item.choice->value);
            if (ImGui::Selectable(item.label, m_checksum && m_checksum->kind == kind)) {
                if (!m_checksum) m_checksum = ChecksumSpec{};
                m_checksum->kind = kind;
            }
            probeItem(model, "send.checksum." + std::string(item.choice->name));
        }
        ImGui::EndCombo();
    }
    probeItem(model, "send.checksum");
    if (!m_checksum) return;
    sameLineIfFits(font * 7);
    ImGui::SetNextItemWidth(font * 7);
    choiceCombo(model, "##order", "checksum.order", m_checksum->order, "send.checksum_order");
    sameLineIfFits(ImGui::CalcTextSize(tr(Str::ChecksumSkip)).x + font * 9);
    ImGui::TextUnformatted(tr(Str::ChecksumSkip));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipChecksumSkip));
    for (std::size_t* bound : {&m_checksum->start, &m_checksum->end}) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(font * 4);
        int value = static_cast<int>(std::min<std::size_t>(*bound, 9999));
        ImGui::PushID(bound);
        if (ImGui::InputInt("##skip", &value, 0, 0)) *bound = static_cast<std::size_t>(std::clamp(value, 0, 9999));
        ImGui::PopID();
        probeItem(model, bound == &m_checksum->start ? "send.checksum_start" : "send.checksum_end");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipChecksumSkip));
    }
    if (m_checksum->end > 0) {
        sameLineIfFits(ImGui::CalcTextSize(tr(Str::ChecksumBeforeTrailer)).x + font * 2);
        bool before = m_checksum->at == ChecksumPlacement::RangeEnd;
        if (ImGui::Checkbox(tr(Str::ChecksumBeforeTrailer), &before))
            m_checksum->at = before ? ChecksumPlacement::RangeEnd : ChecksumPlacement::End;
        probeItem(model, "send.checksum_at");
    }
}

// The final bytes as hex: the start of the body, the checksum in its own colour, what follows.
void SendPanel::drawPreview(UiModel& model, const ParseResult& result) {
    constexpr std::size_t kHead = 24, kTail = 8;
    const Palette& pal = palette(model.settings.theme);
    const std::span<const std::uint8_t> bytes(result.bytes);
    std::size_t at = bytes.size(), width = 0;
    if (m_checksum) {
        width = std::min(checksumWidth(m_checksum->kind), bytes.size());
        // The line ending is text: two bytes a character in UTF-16.
        const TextEncoding enc = encoding(model);
        const bool wide = m_mode == SendMode::Text && (enc == TextEncoding::Utf16Le || enc == TextEncoding::Utf16Be);
        const std::size_t ending = (m_ending == LineEnding::CrLf ? 2 : m_ending == LineEnding::None ? 0 : 1) * (wide ? 2 : 1);
        const std::size_t body = bytes.size() >= width + ending ? bytes.size() - width - ending : 0;
        at = body;
        if (m_checksum->at == ChecksumPlacement::RangeEnd)
            at = std::max(body >= m_checksum->end ? body - m_checksum->end : 0, std::min(m_checksum->start, body));
    }
    std::string head = formatHex(bytes.subspan(0, std::min(at, kHead)));
    if (at > kHead) head += " ...";
    const std::size_t after = at + width;
    std::string tail = formatHex(bytes.subspan(after, std::min(bytes.size() - after, kTail)));
    if (bytes.size() - after > kTail) tail += " ...";
    m_previewChecksum = formatHex(bytes.subspan(at, width));
    for (const std::string* part : {&head, &m_previewChecksum, &tail}) {
        if (part->empty()) continue;
        if (!m_previewHex.empty()) m_previewHex += ' ';
        m_previewHex += *part;
    }
    ImGui::PushFont(model.fonts.mono ? model.fonts.mono : ImGui::GetFont());
    const std::pair<const std::string*, ImVec4> parts[] = {{&head, pal.tx}, {&m_previewChecksum, pal.warn}, {&tail, pal.tx}};
    for (const auto& [part, colour] : parts) {
        if (part->empty()) continue;
        ImGui::SameLine();
        ImGui::TextColored(colour, "%s", part->c_str());
        if (part == &m_previewChecksum && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", displayName(m_checksum->kind));
    }
    ImGui::PopFont();
}

std::uint64_t SendPanel::sendFile(const UiModel& model, const std::string& path, const CommandSink& submit) {
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    if (!endpoint) return 0;
    SendFile command;
    command.endpoint = endpoint->id;
    command.transfer = m_nextTransfer++;
    command.path = path;
    command.chunk = m_fileChunk;
    command.gap_ms = m_fileGapMs;
    if (endpoint->config.type == EndpointType::TcpServer) {
        // As Send: the selected connection (a closed one fails with its reason, never widens to
        // every connection), or all when none is selected.
        command.connection = model.selection.connection;
    } else if (endpoint->config.type == EndpointType::Udp) {
        command.destination = m_udpDestination;
    }
    submit(command);
    return command.transfer;
}

const FileSendStatus* SendPanel::shownFileSend(const UiModel& model) const {
    const EndpointRow* row = model.table.endpoint(model.selection.endpoint);
    if (!row || row->file_sends.empty()) return nullptr;
    for (const auto& [id, status] : row->file_sends)
        if (status.state == FileSendState::Running) return &status;
    return &row->file_sends.rbegin()->second;   // the latest: how it ended
}

// "Send file...", chunk and gap, then the progress of the running send (bar, rate, Cancel) or how
// the last one ended.
void SendPanel::drawFileRow(UiModel& model, const CommandSink& submit) {
    const Palette& pal = palette(model.settings.theme);
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    const float font = ImGui::GetFontSize();
    const FileSendStatus* shown = shownFileSend(model);
    const bool running = shown && shown->state == FileSendState::Running;
    ImGui::BeginDisabled(!endpoint);
    if (ImGui::Button(tr(Str::SendFileButton))) m_fileDialog.open(FileDialogMode::Open, "", FileDialogFilter::AnyFile);
    ImGui::EndDisabled();
    probeItem(model, "send.file");
    const bool udp = endpoint && endpoint->config.type == EndpointType::Udp;
    // The "file_send" stage's ranges (registry), as the engine and the command channel take them.
    const int max_chunk = static_cast<int>(registry::stageField("file_send", "chunk").maxFor(udp));
    const int max_gap = static_cast<int>(registry::stageField("file_send", "gap_ms").max);
    ImGui::SameLine();
    ImGui::TextUnformatted(tr(Str::FileChunk));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 5);
    int chunk = static_cast<int>(m_fileChunk);
    if (ImGui::InputInt("##file_chunk", &chunk, 0, 0)) m_fileChunk = static_cast<std::uint32_t>(std::clamp(chunk, 1, max_chunk));
    m_fileChunk = std::min(m_fileChunk, static_cast<std::uint32_t>(max_chunk));
    probeItem(model, "send.file_chunk");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipFileChunk));
    ImGui::SameLine();
    ImGui::TextUnformatted(tr(Str::FileGapMs));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(font * 4);
    int gap = static_cast<int>(m_fileGapMs);
    if (ImGui::InputInt("##file_gap", &gap, 0, 0))
        m_fileGapMs = static_cast<std::uint32_t>(std::clamp(gap, 0, max_gap));
    probeItem(model, "send.file_gap");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipFileGap));

    m_fileStatus.clear();
    if (shown) {
        char text[512];
        const std::string sent = formatBytes(static_cast<double>(shown->sent));
        const std::string name = std::filesystem::path(shown->path).filename().string();
        switch (shown->state) {
            case FileSendState::Running:
                std::snprintf(text, sizeof text, tr(Str::FileProgress), sent.c_str(),
                              formatBytes(static_cast<double>(shown->total)).c_str(), formatBytes(shown->rate_bps).c_str());
                break;
            case FileSendState::Done: std::snprintf(text, sizeof text, tr(Str::FileDone), name.c_str(), sent.c_str()); break;
            case FileSendState::Cancelled:
                std::snprintf(text, sizeof text, tr(Str::FileCancelled), sent.c_str(), name.c_str());
                break;
            case FileSendState::Failed:
                std::snprintf(text, sizeof text, tr(Str::FileFailed), shown->error ? errorText(*shown->error).c_str() : "?");
                break;
        }
        m_fileStatus = text;
        // Handed over is not delivered: a queue that holds bytes while nothing more could be
        // handed over since the last report (rate 0) is a peer that does not read. A chunk in
        // flight at a steady rate is normal and says nothing.
        if (running && shown->waiting > 0 && shown->rate_bps <= 0) {
            std::snprintf(text, sizeof text, tr(Str::FileWaiting), formatBytes(static_cast<double>(shown->waiting)).c_str());
            m_fileStatus += "; ";
            m_fileStatus += text;
        }
        ImGui::SameLine();
        if (running) {
            // What left the write queue: 100% only once the peer took it all.
            const std::uint64_t out = shown->sent - std::min(shown->waiting, shown->sent);
            const float fraction =
                shown->total > 0 ? static_cast<float>(static_cast<double>(out) / static_cast<double>(shown->total)) : 0.0f;
            ImGui::ProgressBar(fraction, ImVec2(font * 10, 0), name.c_str());
            probeItem(model, "send.file_progress");
            ImGui::SameLine();
            ImGui::TextColored(pal.dim, "%s", m_fileStatus.c_str());
            ImGui::SameLine();
            if (ImGui::SmallButton(tr(Str::Cancel))) submit(CancelFileSend{shown->endpoint, shown->transfer});
            probeItem(model, "send.file_cancel");
        } else {
            ImGui::TextColored(shown->state == FileSendState::Failed ? pal.bad : pal.dim, "%s", m_fileStatus.c_str());
        }
    }
    if (const auto chosen = m_fileDialog.draw(model)) sendFile(model, *chosen, submit);
}

void SendPanel::loadMemory(const UiModel& model) {
    if (model.selection.endpoint == m_memoryFor) return;
    m_memoryFor = model.selection.endpoint;
    const WorkspaceEndpoint* endpoint = model.workspace.find(m_memoryFor);
    if (!endpoint) return;
    const auto it = model.settings.send_memory.find(endpoint->config.name);
    if (it == model.settings.send_memory.end()) return;   // nothing remembered: the options stay as they are
    const SendMode mode = it->second.hex ? SendMode::Hex : SendMode::Text;
    if (m_input.empty()) {
        m_mode = mode;
        m_encoding = it->second.encoding;
    } else {
        // What is typed keeps its bytes: converted to the remembered mode and encoding like the
        // Text/Hex buttons do, or left in its own mode (with the reason) when that is not exact.
        convertInput(model, mode, it->second.encoding);
    }
    m_ending = it->second.ending;
    m_clearAfterSend = it->second.clear_after_send;
}

void SendPanel::storeMemory(UiModel& model) {
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    if (!endpoint) return;
    const SendMemory memory{m_mode == SendMode::Hex, m_encoding, m_ending, m_clearAfterSend};
    auto& memories = model.settings.send_memory;
    const auto it = memories.find(endpoint->config.name);
    if (it != memories.end() ? it->second == memory : memories.size() >= Settings::kMaxSendMemory) return;
    memories[endpoint->config.name] = memory;
    ++model.settings.revision;   // saved with the settings
}

void SendPanel::draw(UiModel& model, const CommandSink& submit) {
    loadMemory(model);
    const Palette& pal = palette(model.settings.theme);
    const WorkspaceEndpoint* endpoint = model.workspace.find(model.selection.endpoint);
    const EndpointRow* row = endpoint ? model.table.endpoint(endpoint->id) : nullptr;

    // Options row.
    int mode = static_cast<int>(m_mode);
    if (ImGui::RadioButton(tr(Str::ModeText), &mode, 0)) switchMode(model, SendMode::Text);
    probeItem(model, "send.mode_text");
    ImGui::SameLine();
    if (ImGui::RadioButton(tr(Str::ModeHex), &mode, 1)) switchMode(model, SendMode::Hex);
    probeItem(model, "send.mode_hex");
    ImGui::SameLine();
    ImGui::BeginDisabled(m_mode == SendMode::Hex);
    ImGui::Checkbox(tr(Str::Escapes), &m_escapes);
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipEscapes));
    ImGui::EndDisabled();
    // The row wraps where it would run off the pane (large fonts, Chinese labels).
    const ImGuiStyle& style = ImGui::GetStyle();
    sameLineIfFits(ImGui::CalcTextSize(tr(Str::LineEnding)).x + style.ItemSpacing.x + ImGui::GetFontSize() * 4.5f);
    ImGui::TextUnformatted(tr(Str::LineEnding));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4.5f);
    LineEnding ending = m_ending;
    if (choiceCombo(model, "##ending", "line_ending", ending, "send.ending")) setLineEnding(ending);
    sameLineIfFits(ImGui::GetFontSize() * 6);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    TextEncoding send_encoding = encoding(model);
    if (choiceCombo(model, "##send_encoding", "encoding", send_encoding, "send.encoding")) m_encoding = send_encoding;
    sameLineIfFits(ImGui::CalcTextSize(tr(Str::ClearAfterSend)).x + ImGui::GetFontSize() * 2);
    ImGui::Checkbox(tr(Str::ClearAfterSend), &m_clearAfterSend);
    probeItem(model, "send.clear_after_send");
    drawChecksumOptions(model);
    storeMemory(model);
    sameLineIfFits(ImGui::CalcTextSize(tr(Str::Target)).x + style.ItemSpacing.x + ImGui::GetFontSize() * 14);   // the widest target (a server's list)
    ImGui::TextUnformatted(tr(Str::Target));
    ImGui::SameLine();
    if (!endpoint) {
        ImGui::TextColored(pal.dim, "-");
    } else if (endpoint->config.type == EndpointType::TcpServer) {
        char current[200];
        const ConnectionRow* c = model.table.connection(endpoint->id, model.selection.connection);
        if (c && c->open)
            std::snprintf(current, sizeof current, tr(Str::TargetConn), static_cast<unsigned long long>(c->id),
                          c->peer.c_str());
        else if (model.selection.connection != 0)
            std::snprintf(current, sizeof current, tr(Str::TargetClosed),
                          static_cast<unsigned long long>(model.selection.connection), c ? c->peer.c_str() : "");
        else
            std::snprintf(current, sizeof current, tr(Str::TargetAll), openConnections(row));
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
        if (ImGui::BeginCombo("##target", current)) {
            char label[200];
            std::snprintf(label, sizeof label, tr(Str::TargetAll), openConnections(row));
            if (ImGui::Selectable(label, model.selection.connection == 0)) model.selection.connection = 0;
            if (row) {
                // Only the visible entries are drawn (a server may have 10,000 connections).
                m_openRows.clear();
                for (std::size_t i = 0; i < row->connections.size(); ++i)
                    if (row->connections[i].open) m_openRows.push_back(i);
                ImGuiListClipper clipper;
                clipper.Begin(static_cast<int>(m_openRows.size()));
                while (clipper.Step())
                    for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
                        const ConnectionRow& conn = row->connections[m_openRows[static_cast<std::size_t>(k)]];
                        std::snprintf(label, sizeof label, tr(Str::TargetConn),
                                      static_cast<unsigned long long>(conn.id), conn.peer.c_str());
                        ImGui::PushID(static_cast<int>(conn.id));
                        if (ImGui::Selectable(label, c == &conn)) model.selection.connection = conn.id;
                        ImGui::PopID();
                    }
            }
            ImGui::EndCombo();
        }
    } else if (endpoint->config.type == EndpointType::TcpClient) {
        ImGui::TextColored(pal.dim, "%s %s", tr(Str::TargetClient), endpoint->config.remote.c_str());
    } else {
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
        ImGui::InputTextWithHint("##udpdest", tr(Str::UdpDefaultDest), &m_udpDestination);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipRemoteUdp));
    }
    sameLineIfFits(ImGui::GetFontSize() * 8);
    const auto& items = history(model.selection.endpoint);
    ImGui::BeginDisabled(items.empty());
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::BeginCombo("##history", tr(Str::History))) {
        for (std::size_t k = items.size(); k-- > 0;) {
            ImGui::PushID(static_cast<int>(k));
            std::string label = items[k].input.substr(0, 60);
            for (char& ch : label)
                if (ch == '\n' || ch == '\r') ch = ' ';
            if (ImGui::Selectable(label.c_str())) {
                m_input = items[k].input;
                m_mode = items[k].mode;
                m_historyPos = static_cast<int>(k);
            }
            ImGui::PopID();
        }
        ImGui::EndCombo();
    }
    ImGui::EndDisabled();
    drawFileRow(model, submit);

    // Input and the Send button beside it.
    std::string why = blocker(model);
    const float button_w = ImGui::GetFontSize() * 6;
    const float status_h = ImGui::GetTextLineHeightWithSpacing();
    ImVec2 size(ImGui::GetContentRegionAvail().x - button_w - ImGui::GetStyle().ItemSpacing.x,
                std::max(ImGui::GetContentRegionAvail().y - status_h, ImGui::GetTextLineHeight() * 2));
    if (m_refocus) {
        ImGui::SetKeyboardFocusHere();
        m_refocus = false;
    }
    const ImVec2 input_pos = ImGui::GetCursorScreenPos();
    const ImGuiStyle& pad = ImGui::GetStyle();
    m_fitHeight = ImGui::GetCursorPosY() + ImGui::GetTextLineHeight() * 2 + pad.FramePadding.y * 2 +   // scrolled or not
                  pad.ItemSpacing.y + status_h + pad.WindowPadding.y;
    m_inputPos[0] = input_pos.x + size.x / 2;
    m_inputPos[1] = input_pos.y + size.y / 2;
    ImGui::PushFont(m_mode == SendMode::Hex && model.fonts.mono ? model.fonts.mono : ImGui::GetFont());
    if (m_input.size() <= kEditableInputMax) m_editLarge = false;
    if (m_input.size() > kEditableInputMax && !m_editLarge) {
        drawLargeInput(model, size);
    } else if (ImGui::InputTextMultiline("##input", &m_input, size, ImGuiInputTextFlags_CallbackAlways, inputCallback,
                                         this) &&
               !m_replaceInput) {
        m_historyPos = -1;
        model.glyphs.note(m_input);   // typed (IME) characters the font may lack
    }
    ImGui::PopFont();
    probeItem(model, "send.input");
    const bool input_active = ImGui::IsItemActive();
    const bool input_deactivated = ImGui::IsItemDeactivated();
    ImGui::SameLine();
    ImGui::BeginDisabled(!why.empty());
    const bool clicked = ImGui::Button(tr(Str::Send), ImVec2(button_w, size.y));
    ImGui::EndDisabled();
    probeItem(model, "send.button");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", why.empty() ? "Ctrl+Enter" : why.c_str());

    // Ctrl+Enter (ImGui deactivates a multi-line input on it), Ctrl+Up/Down for the history.
    const ImGuiIO& io = ImGui::GetIO();
    const bool ctrl_enter = io.KeyCtrl && (ImGui::IsKeyPressed(GLFW_KEY_ENTER, false) ||
                                           ImGui::IsKeyPressed(GLFW_KEY_KP_ENTER, false));
    const bool from_input = input_active || input_deactivated;
    if (clicked || (ctrl_enter && (from_input || !io.WantTextInput))) {
        if (send(model, submit) && from_input) m_refocus = true;
        else if (from_input) m_refocus = true;
    }
    if (input_active && io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_UP)) historyStep(model, -1);
    if (input_active && io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_DOWN)) historyStep(model, +1);
    if (!input_active) m_replaceInput = false;   // not being edited: m_input is the text

    // Status line (after the input, so it reflects this frame's typing): the first problem, or
    // what will be sent.
    why = blocker(model);
    const ParseResult& result = parsed(model);
    m_statusText.clear();
    m_previewHex.clear();
    m_previewChecksum.clear();
    if (!m_modeNotice.empty() && m_input != m_noticeInput) m_modeNotice.clear();
    if (!m_modeNotice.empty()) {
        // Why the mode did not switch, before what the input means in the mode it kept.
        ImGui::TextColored(pal.warn, "%s", m_modeNotice.c_str());
        ImGui::SameLine();
        m_statusText = m_modeNotice + "  ";
    }
    if (!result.ok()) {
        const std::string error = describe(*result.error, m_input);
        m_statusText += error;
        ImGui::TextColored(pal.bad, "%s", error.c_str());
    } else if (!why.empty()) {
        m_statusText += why;
        ImGui::TextColored(pal.dim, "%s", why.c_str());
    } else {
        char ready[64];
        std::snprintf(ready, sizeof ready, tr(result.bytes.size() == 1 ? Str::ByteReady : Str::BytesReady), result.bytes.size());
        m_statusText += ready;
        ImGui::TextColored(pal.dim, "%s", ready);
        drawPreview(model, result);
        ImGui::SameLine();
        ImGui::TextColored(pal.dim, "   %s", tr(Str::SendHint));
    }
}

}  // namespace sockscope::ui
