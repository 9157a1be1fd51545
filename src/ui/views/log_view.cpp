#include "ui/views/log_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "core/codec/hex.hpp"
#include "core/codec/text_encoding.hpp"
#include "ui/format.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {
namespace {
constexpr std::size_t kRowTextBytes = 256;         // bytes decoded for a row's text column
constexpr std::size_t kDetailBytes = 64 * 1024;    // bytes shown in the detail pane
constexpr std::size_t kCopyRowsMax = 200'000;      // rows one copy may take

const char* kindText(LogKind kind) {
    switch (kind) {
        case LogKind::Rx: return tr(Str::DirRx);
        case LogKind::Tx: return tr(Str::DirTx);
        case LogKind::Info: return tr(Str::DirInfo);
        case LogKind::Error: return tr(Str::DirError);
    }
    return "?";
}

ImVec4 kindColor(const Palette& pal, LogKind kind) {
    switch (kind) {
        case LogKind::Rx: return pal.rx;
        case LogKind::Tx: return pal.tx;
        case LogKind::Info: return pal.info;
        case LogKind::Error: return pal.error;
    }
    return pal.info;
}

bool isData(LogKind kind) { return kind == LogKind::Rx || kind == LogKind::Tx; }
}  // namespace

void LogView::update(UiModel& model) {
    LogFilter filter;
    filter.rx = m_showRx;
    filter.tx = m_showTx;
    filter.events = m_showEvents;
    filter.contains = m_search;
    if (m_scope != LogScope::All) filter.endpoint = model.selection.endpoint;
    if (m_scope == LogScope::Connection) filter.connection = model.selection.connection;
    m_index.setFilter(filter);
    // Paused: the view stays at what had arrived when pausing (a filter change rebuilds up to there).
    if (m_paused) m_index.update(model.log, 250'000, m_pauseSeq);
    else if (m_index.update(model.log) > 0 && m_follow) m_scrollToBottom = true;
}

void LogView::clear(UiModel& model) {
    model.log.clear();
    m_index.dropEvicted(model.log);
    m_hasSelection = false;
    m_detailSeq = UINT64_MAX;
}

void LogView::select(std::uint64_t seq, bool extend) {
    if (extend && m_hasSelection) {
        m_selLo = std::min(m_anchor, seq);
        m_selHi = std::max(m_anchor, seq);
    } else {
        m_anchor = m_selLo = m_selHi = seq;
    }
    m_hasSelection = true;
}

std::string LogView::copySelection(const UiModel& model, bool as_hex) const {
    std::string out;
    if (!m_hasSelection) return out;
    std::size_t row = 0;
    {   // first row at or after m_selLo
        std::size_t lo = 0, hi = m_index.size();
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            if (m_index.seqAt(mid) < m_selLo) lo = mid + 1;
            else hi = mid;
        }
        row = lo;
    }
    std::size_t taken = 0;
    for (; row < m_index.size() && m_index.seqAt(row) <= m_selHi && taken < kCopyRowsMax; ++row, ++taken) {
        const std::size_t i = model.log.indexOfSeq(m_index.seqAt(row));
        if (i == PayloadLog::npos) continue;
        const LogRecord& r = model.log.record(i);
        const auto bytes = model.log.bytes(r);
        if (!isData(r.kind)) out.append(bytes.begin(), bytes.end());
        else if (as_hex) out += formatHex(bytes);
        else out += decodeForDisplay(bytes, model.settings.encoding);
        out += '\n';
    }
    return out;
}

std::string LogView::timeText(const UiModel& model, std::size_t row, const LogRecord& record) const {
    switch (model.settings.time_mode) {
        case TimeMode::Absolute: return formatClock(record.time_us);
        case TimeMode::Relative: return formatSeconds(record.time_us - model.start_us);
        case TimeMode::Delta: {
            if (row == 0) return formatSeconds(0);
            const std::size_t prev = model.log.indexOfSeq(m_index.seqAt(row - 1));
            if (prev == PayloadLog::npos) return formatSeconds(0);
            return formatSeconds(record.time_us - model.log.record(prev).time_us);
        }
    }
    return {};
}

std::string LogView::connectionText(const UiModel& model, const LogRecord& record) const {
    std::string text;
    if (m_index.filter().endpoint == 0 && record.endpoint != 0) text = model.endpointName(record.endpoint) + " ";
    if (record.connection != 0) text += "#" + std::to_string(record.connection);
    const std::string_view peer = model.log.peer(record);
    if (!peer.empty()) text.append(peer);
    return text;
}

void LogView::drawToolbar(UiModel& model) {
    const Palette& pal = palette(model.settings.theme);
    const char* scopes[] = {tr(Str::ScopeAll), tr(Str::ScopeEndpoint), tr(Str::ScopeConnection)};
    int scope = static_cast<int>(m_scope);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::Combo("##scope", &scope, scopes, 3)) m_scope = static_cast<LogScope>(scope);
    ImGui::SameLine();
    ImGui::Checkbox(tr(Str::ShowRx), &m_showRx);
    ImGui::SameLine();
    ImGui::Checkbox(tr(Str::ShowTx), &m_showTx);
    ImGui::SameLine();
    ImGui::Checkbox(tr(Str::ShowEvents), &m_showEvents);
    ImGui::SameLine();
    const char* times[] = {tr(Str::TimeAbsolute), tr(Str::TimeRelative), tr(Str::TimeDelta)};
    int time_mode = static_cast<int>(model.settings.time_mode);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.5f);
    if (ImGui::Combo("##time", &time_mode, times, 3)) model.settings.time_mode = static_cast<TimeMode>(time_mode);
    ImGui::SameLine();
    int encoding = 0;
    for (std::size_t i = 0; i < kTextEncodings.size(); ++i)
        if (kTextEncodings[i] == model.settings.encoding) encoding = static_cast<int>(i);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4.5f);
    if (ImGui::BeginCombo("##encoding", toString(model.settings.encoding))) {
        for (std::size_t i = 0; i < kTextEncodings.size(); ++i)
            if (ImGui::Selectable(toString(kTextEncodings[i]), static_cast<int>(i) == encoding))
                model.settings.encoding = kTextEncodings[i];
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TextEncoding));
    ImGui::SameLine();
    if (ImGui::Button(m_paused ? tr(Str::Resume) : tr(Str::Pause))) setPaused(model, !m_paused);
    ImGui::SameLine();
    if (ImGui::Button(tr(Str::ClearLog))) clear(model);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+L");
    ImGui::SameLine();
    ImGui::BeginDisabled(!m_hasSelection);
    if (ImGui::Button(tr(Str::Copy))) ImGui::OpenPopup("##copy");
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipCopy));
    if (ImGui::BeginPopup("##copy")) {
        if (ImGui::MenuItem(tr(Str::CopyHex), "Ctrl+C")) ImGui::SetClipboardText(copySelection(model, true).c_str());
        if (ImGui::MenuItem(tr(Str::CopyText))) ImGui::SetClipboardText(copySelection(model, false).c_str());
        ImGui::EndPopup();
    }
    ImGui::SameLine();
    if (ImGui::Checkbox(tr(Str::AutoScroll), &m_follow) && m_follow) m_scrollToBottom = true;
    // Counts on the right; the search box takes what is left between.
    // (The log's total and evicted counts are in the status bar.)
    char rows[64], extra[96] = "";
    std::snprintf(rows, sizeof rows, tr(Str::Messages), formatCount(m_index.size()).c_str());
    if (m_paused)
        std::snprintf(extra, sizeof extra, tr(Str::PausedRows), formatCount(m_index.pending(model.log)).c_str());
    const ImGuiStyle& style = ImGui::GetStyle();
    float counts_w = ImGui::CalcTextSize(rows).x + style.ItemSpacing.x;
    if (extra[0]) counts_w += ImGui::CalcTextSize(extra).x + style.ItemSpacing.x;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 4, ImGui::GetContentRegionAvail().x - counts_w));
    ImGui::InputTextWithHint("##search", tr(Str::Search), &m_search);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipSearch));
    ImGui::SameLine();
    ImGui::TextColored(pal.dim, "%s", rows);
    if (extra[0]) {
        ImGui::SameLine();
        ImGui::TextColored(pal.warn, "%s", extra);
    }
}

void LogView::drawRows(UiModel& model) {
    const Palette& pal = palette(model.settings.theme);
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##log", 6, flags)) return;
    ImFont* mono = model.fonts.mono ? model.fonts.mono : ImGui::GetFont();
    const float char_w = mono->CalcTextSizeA(mono->FontSize, FLT_MAX, 0, "0").x;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(tr(Str::ColTime), ImGuiTableColumnFlags_WidthFixed, char_w * 13);
    ImGui::TableSetupColumn(tr(Str::ColDir), ImGuiTableColumnFlags_WidthFixed, char_w * 4);
    ImGui::TableSetupColumn(tr(Str::ColConn), ImGuiTableColumnFlags_WidthFixed, char_w * 17);
    ImGui::TableSetupColumn(tr(Str::ColLen), ImGuiTableColumnFlags_WidthFixed, char_w * 6);
    ImGui::TableSetupColumn(tr(Str::ColHex), ImGuiTableColumnFlags_WidthStretch, 1.4f);
    ImGui::TableSetupColumn(tr(Str::ColText), ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();

    std::size_t hex_bytes = 0;   // how many fit in the hex column, measured on the first row

    const bool ctrl = ImGui::GetIO().KeyCtrl;
    const bool shift = ImGui::GetIO().KeyShift;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(m_index.size()));
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const std::uint64_t seq = m_index.seqAt(static_cast<std::size_t>(row));
            const std::size_t i = model.log.indexOfSeq(seq);
            if (i == PayloadLog::npos) continue;
            const LogRecord& r = model.log.record(i);
            const auto bytes = model.log.bytes(r);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const bool selected = m_hasSelection && seq >= m_selLo && seq <= m_selHi;
            ImGui::PushID(row);
            ImGui::PushFont(mono);
            const std::string time = timeText(model, static_cast<std::size_t>(row), r);
            if (ImGui::Selectable(time.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
                select(seq, shift);
            ImGui::PopFont();
            ImGui::PopID();
            (void)ctrl;

            ImGui::TableNextColumn();
            ImGui::TextColored(kindColor(pal, r.kind), "%s", kindText(r.kind));
            ImGui::TableNextColumn();
            const std::string conn = connectionText(model, r);
            ImGui::TextColored(pal.dim, "%s", conn.c_str());
            if (!isData(r.kind)) {
                ImGui::TableNextColumn();
                ImGui::TableNextColumn();
                const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
                ImGui::PushStyleColor(ImGuiCol_Text, kindColor(pal, r.kind));
                ImGui::TextUnformatted(text.data(), text.data() + text.size());
                ImGui::PopStyleColor();
                ImGui::TableNextColumn();
                continue;
            }
            ImGui::TableNextColumn();
            ImGui::PushFont(mono);
            ImGui::Text("%u", r.length);
            ImGui::TableNextColumn();
            if (hex_bytes == 0)   // format only what can be seen
                hex_bytes = std::max<std::size_t>(
                    4, static_cast<std::size_t>((ImGui::GetContentRegionAvail().x - char_w * 4) / (char_w * 3)));
            const std::size_t shown = std::min(bytes.size(), hex_bytes);
            std::string hex = formatHex(bytes.subspan(0, shown));
            if (shown < bytes.size()) hex += " ...";
            ImGui::PushStyleColor(ImGuiCol_Text, kindColor(pal, r.kind));
            ImGui::TextUnformatted(hex.c_str(), hex.c_str() + hex.size());
            ImGui::PopStyleColor();
            ImGui::PopFont();
            ImGui::TableNextColumn();
            const std::string text =
                decodeForDisplay(bytes.subspan(0, std::min(bytes.size(), kRowTextBytes)), model.settings.encoding);
            ImGui::TextUnformatted(text.c_str(), text.c_str() + text.size());
        }
    }
    if (m_scrollToBottom && !m_paused) ImGui::SetScrollHereY(1.0f);
    m_scrollToBottom = false;
    // Stick to the bottom only while the user is there: scrolling up stops following.
    if (ImGui::IsWindowHovered() && ImGui::GetIO().MouseWheel > 0) m_follow = false;
    else if (!m_follow && ImGui::GetScrollY() >= ImGui::GetScrollMaxY() && ImGui::GetScrollMaxY() > 0 &&
             ImGui::IsWindowHovered() && ImGui::GetIO().MouseWheel < 0)
        m_follow = true;
    ImGui::EndTable();
}

void LogView::draw(UiModel& model) {
    update(model);
    drawToolbar(model);
    drawRows(model);
    if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) && ImGui::GetIO().KeyCtrl &&
        ImGui::IsKeyPressed(GLFW_KEY_C, false) && !ImGui::GetIO().WantTextInput && m_hasSelection)
        ImGui::SetClipboardText(copySelection(model, true).c_str());
}

void LogView::drawDetail(UiModel& model) {
    const Palette& pal = palette(model.settings.theme);
    ImGui::TextUnformatted(tr(Str::Detail));
    if (!m_hasSelection && m_index.size() > 0) {
        ImGui::SameLine();
        ImGui::TextColored(pal.dim, "(%s)", tr(Str::DetailLatest));
    }
    ImGui::Separator();
    // Without a selection the pane follows the newest row: a live inspector.
    std::size_t i = PayloadLog::npos;
    if (m_hasSelection) i = model.log.indexOfSeq(m_selHi);
    else if (m_index.size() > 0) i = model.log.indexOfSeq(m_index.seqAt(m_index.size() - 1));
    if (i == PayloadLog::npos) {
        ImGui::TextColored(pal.dim, "%s", tr(Str::NoRowSelected));
        return;
    }
    const LogRecord& r = model.log.record(i);
    const auto bytes = model.log.bytes(r);
    if (m_detailSeq != r.seq || m_detailEncoding != model.settings.encoding) {
        m_detailSeq = r.seq;
        m_detailEncoding = model.settings.encoding;
        const auto shown = bytes.subspan(0, std::min(bytes.size(), kDetailBytes));
        if (isData(r.kind)) {
            m_detailDump = hexDump(shown);
            m_detailText = decodeForDisplay(shown.subspan(0, std::min<std::size_t>(shown.size(), 16 * 1024)),
                                            model.settings.encoding);
        } else {
            m_detailDump.clear();
            m_detailText.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        }
        m_detailLines.clear();
        if (!m_detailDump.empty()) {
            m_detailLines.push_back(0);
            for (std::size_t k = 0; k < m_detailDump.size(); ++k)
                if (m_detailDump[k] == '\n') m_detailLines.push_back(static_cast<std::uint32_t>(k + 1));
        }
    }
    ImGui::TextColored(kindColor(pal, r.kind), "%s", kindText(r.kind));
    ImGui::SameLine();
    if (isData(r.kind))
        ImGui::Text("%s  %s  %u B  seq %llu", formatClock(r.time_us).c_str(), connectionText(model, r).c_str(),
                    r.length, static_cast<unsigned long long>(r.seq));
    else
        ImGui::Text("%s  %s  seq %llu", formatClock(r.time_us).c_str(), connectionText(model, r).c_str(),
                    static_cast<unsigned long long>(r.seq));
    if (bytes.size() > kDetailBytes) ImGui::TextColored(pal.warn, "first %zu bytes shown", kDetailBytes);

    const float text_h = std::max(ImGui::GetContentRegionAvail().y * 0.3f, ImGui::GetTextLineHeightWithSpacing() * 3);
    if (!m_detailLines.empty()) {
        ImGui::BeginChild("##dump", ImVec2(0, ImGui::GetContentRegionAvail().y - text_h), true,
                          ImGuiWindowFlags_HorizontalScrollbar);
        ImGui::PushFont(model.fonts.mono ? model.fonts.mono : ImGui::GetFont());
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(m_detailLines.size()));
        while (clipper.Step()) {
            for (int line = clipper.DisplayStart; line < clipper.DisplayEnd; ++line) {
                const std::size_t begin = m_detailLines[static_cast<std::size_t>(line)];
                const std::size_t end = static_cast<std::size_t>(line) + 1 < m_detailLines.size()
                                            ? m_detailLines[static_cast<std::size_t>(line) + 1] - 1
                                            : m_detailDump.size();
                ImGui::TextUnformatted(m_detailDump.data() + begin, m_detailDump.data() + end);
            }
        }
        ImGui::PopFont();
        ImGui::EndChild();
    }
    ImGui::BeginChild("##text", ImVec2(0, 0), true);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(m_detailText.c_str(), m_detailText.c_str() + m_detailText.size());
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
}

}  // namespace sockscope::ui
