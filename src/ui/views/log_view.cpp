#include "ui/views/log_view.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>
#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "core/codec/hex.hpp"
#include "core/codec/text_encoding.hpp"
#include "ui/format.hpp"
#include "ui/probe.hpp"
#include "ui/theme.hpp"

namespace sockscope::ui {
namespace {
constexpr std::size_t kDumpBytesPerLine = 16;
constexpr std::size_t kHexColumnBytesMax = 512;       // a row's hex column, whatever its width
constexpr std::int64_t kSplitBudgetUs = 4'000;        // detail line splitting per frame
constexpr std::size_t kSplitStepBytes = 64 * 1024;   // checked against the budget per step
constexpr std::size_t kRowMatchBytes = 1024;          // a row's highlight looks at what it can show
constexpr auto kFindBudget = std::chrono::microseconds(6000);   // search next/previous per frame

ImU32 highlightColor(const Palette& pal) { return ImGui::GetColorU32(ImVec4(pal.accent.x, pal.accent.y, pal.accent.z, 0.40f)); }

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

/// Event rows are UTF-8 text we wrote; data rows are shown in the chosen encoding.
TextEncoding encodingOf(const LogRecord& r, TextEncoding display) { return isData(r.kind) ? display : TextEncoding::Utf8; }

/// A bounded prefix of a message as one line of display text (never more than kRowTextBytes of
/// input, cut on a character boundary), with "..." when cut.
std::string rowText(std::span<const std::uint8_t> bytes, TextEncoding encoding) {
    std::size_t end = 0;
    while (end < bytes.size()) {
        const std::size_t n = charLengthAt(bytes, end, encoding);
        if (end + n > LogView::kRowTextBytes) break;
        end += n;
    }
    std::string text = decodeForDisplay(bytes.subspan(0, end), encoding);
    showBeyondBmpAsCodePoints(text);
    if (end < bytes.size()) text += " ...";
    return text;
}

void textRange(const std::string& s) { ImGui::TextUnformatted(s.data(), s.data() + s.size()); }

/// Lays out toolbar items left to right, starting a new line when the next one does not fit.
class Flow {
public:
    Flow() : m_right(ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x) {}
    /// Call before an item `width` pixels wide.
    void next(float width) {
        if (m_started && m_lastRight + ImGui::GetStyle().ItemSpacing.x + width <= m_right) ImGui::SameLine();
        m_started = true;
    }
    /// Call right after the item.
    void placed() { m_lastRight = ImGui::GetItemRectMax().x; }
    /// Width left on the current line after the last item (the whole line when it would wrap).
    float restOfLine(float min_width) const {
        const float rest = m_right - m_lastRight - ImGui::GetStyle().ItemSpacing.x;
        return rest >= min_width ? rest : m_right - ImGui::GetCursorScreenPos().x;
    }

private:
    float m_right;
    float m_lastRight = 0;
    bool m_started = false;
};

}  // namespace

void LogView::update(UiModel& model) {
    LogFilter filter;
    filter.rx = m_showRx;
    filter.tx = m_showTx;
    filter.events = m_showEvents;
    if (m_filterRows) {
        filter.contains = m_search;
        filter.mode = m_queryMode;
        filter.match_case = m_matchCase;
    }
    filter.encoding = model.settings.encoding;
    compileQuery(model);
    if (m_scope != LogScope::All) filter.endpoint = model.selection.endpoint;
    if (m_scope == LogScope::Connection) filter.connection = model.selection.connection;
    const bool changed = !(filter == m_index.filter());
    m_index.setFilter(filter);
    if (changed && m_hasSelection) {
        // A pinned row the new view does not show (another endpoint, filtered out) is dropped.
        const std::size_t i = model.log.indexOfSeq(m_selHi);
        if (i == PayloadLog::npos || !m_index.accepts(model.log, model.log.record(i))) m_hasSelection = false;
    }
    // Paused: the view stays at what had arrived when pausing (a filter change rebuilds up to there).
    if (m_paused) m_index.update(model.log, 250'000, m_pauseSeq);
    else m_index.update(model.log);
    if (m_index.rebuilding(model.log)) model.busy = true;   // the rest next frame
    if (m_hasSelection && m_selHi < model.log.firstSeq()) m_hasSelection = false;   // evicted
    while (!m_bookmarks.empty() && *m_bookmarks.begin() < model.log.firstSeq()) m_bookmarks.erase(m_bookmarks.begin());
    stepFind(model);
}

void LogView::compileQuery(const UiModel& model) {
    const LogQuery query{m_search, m_queryMode, m_matchCase};
    if (query == m_compiled && model.settings.encoding == m_compiledEncoding && m_queryGeneration != 0) return;
    m_compiled = query;
    m_compiledEncoding = model.settings.encoding;
    m_matcher.compile(query, m_compiledEncoding);
    ++m_queryGeneration;
    m_find.active = false;
}

void LogView::findNext(UiModel& model, bool forward) {
    update(model);
    const std::size_t size = m_index.size();
    if (m_matcher.empty() || !m_matcher.error().empty() || size == 0) return;
    std::size_t row = forward ? 0 : size - 1;
    if (m_hasSelection) {
        const std::size_t at = m_index.lowerBound(m_selHi);
        if (forward) row = at < size && m_index.seqAt(at) == m_selHi ? at + 1 : at;
        else if (at == 0) row = size;
        else row = at - 1;
    }
    if (row >= size) {
        model.notify(tr(Str::NoFurtherMatch));
        return;
    }
    m_find = Find{true, forward, m_index.seqAt(row), 0};
    stepFind(model);
}

void LogView::stepFind(UiModel& model) {
    if (!m_find.active) return;
    const auto start = std::chrono::steady_clock::now();
    const std::size_t size = m_index.size();
    // The row of next_seq now (eviction moves rows): forward the first at or after it, backward
    // the last at or before it.
    std::size_t row = m_index.lowerBound(m_find.next_seq);
    if (!m_find.forward && (row >= size || m_index.seqAt(row) != m_find.next_seq)) {
        if (row == 0) row = size;   // nothing before: done
        else --row;
    }
    std::size_t n = 0;
    while (row < size) {
        const std::uint64_t seq = m_index.seqAt(row);
        const std::size_t i = model.log.indexOfSeq(seq);
        if (i != PayloadLog::npos) {
            const LogRecord& r = model.log.record(i);
            if (m_matcher.matches(r.kind, model.log.bytes(r))) {
                m_find.active = false;
                select(seq, false);
                m_rows.follow = false;
                m_rows.reveal(row);
                return;
            }
        }
        ++m_find.looked;
        if (m_find.forward) ++row;
        else if (row == 0) break;
        else --row;
        if ((++n & 255) == 0 && std::chrono::steady_clock::now() - start >= kFindBudget) {
            if (row >= size) break;
            m_find.next_seq = m_index.seqAt(row);
            model.busy = true;
            return;
        }
    }
    m_find.active = false;
    model.notify(tr(Str::NoFurtherMatch));
}

void LogView::toggleBookmark(std::uint64_t seq) {
    if (m_bookmarks.erase(seq) == 0 && m_bookmarks.size() < kMaxBookmarks) m_bookmarks.insert(seq);
}

bool LogView::jumpTo(UiModel& model, std::uint64_t seq) {
    update(model);
    const std::size_t row = m_index.rowOfSeq(seq);
    if (row == LogIndex::npos) {
        model.notify(tr(model.log.indexOfSeq(seq) == PayloadLog::npos ? Str::BookmarkGone : Str::BookmarkHidden), true);
        return false;
    }
    select(seq, false);
    m_rows.follow = false;
    m_rows.reveal(row);
    return true;
}

ExportRows LogView::exportRows(const UiModel& model, ExportScope scope) const {
    ExportRows rows;
    switch (scope) {
        case ExportScope::Selection: {
            if (!m_hasSelection) break;
            const std::size_t first = m_index.lowerBound(m_selLo), end = m_index.lowerBound(m_selHi + 1);
            for (std::size_t row = first; row < end; ++row) rows.seqs.push_back(m_index.seqAt(row));
            break;
        }
        case ExportScope::Filtered:
            rows.seqs.reserve(m_index.size());
            for (std::size_t row = 0; row < m_index.size(); ++row) rows.seqs.push_back(m_index.seqAt(row));
            break;
        case ExportScope::All:
            rows.range = true;
            rows.from = model.log.firstSeq();
            rows.to = model.log.nextSeq();
            break;
    }
    return rows;
}

std::array<std::size_t, 3> LogView::exportCounts(const UiModel& model) const {
    std::size_t selected = 0;
    if (m_hasSelection) selected = m_index.lowerBound(m_selHi + 1) - m_index.lowerBound(m_selLo);
    return {selected, m_index.size(), model.log.size()};
}

std::optional<std::pair<std::size_t, std::size_t>> LogView::rowMatch(const LogRecord& r,
                                                                     std::span<const std::uint8_t> bytes) const {
    if (m_matcher.empty() || !m_matcher.error().empty()) return std::nullopt;
    auto match = m_matcher.find(r.kind, bytes.first(std::min(bytes.size(), kRowMatchBytes)));
    if (match && match->second <= match->first) return std::nullopt;   // an empty match marks nothing
    return match;
}

/// Marks the part of `match` inside the text of bytes [from, limit) drawn next at the cursor.
bool LogView::markText(std::span<const std::uint8_t> bytes, TextEncoding encoding, std::size_t from,
                       std::pair<std::size_t, std::size_t> match, std::size_t limit, std::uint32_t color) {
    const std::size_t b = std::max(match.first, from), e = std::min(match.second, limit);
    if (b >= e) return false;
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const float x0 = ImGui::CalcTextSize(decodeForDisplay(bytes.subspan(from, b - from), encoding).c_str()).x;
    const float w = ImGui::CalcTextSize(decodeForDisplay(bytes.subspan(b, e - b), encoding).c_str()).x;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x + x0, at.y), ImVec2(at.x + x0 + w, at.y + ImGui::GetTextLineHeight()),
                                              color);
    return true;
}

void LogView::clear(UiModel& model) {
    m_index.reset();   // first: the log's clear() hands freed pages back to the system
    model.log.clear();
    m_index.dropEvicted(model.log);
    m_hasSelection = false;
    m_detail = Detail{};
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

LogCopy LogView::copy(const UiModel& model, bool as_hex) const {
    LogCopy out;
    if (!m_hasSelection) return out;
    const std::size_t first = m_index.lowerBound(m_selLo);
    const std::size_t end = m_index.lowerBound(m_selHi + 1);
    out.selected = end - first;
    for (std::size_t row = first; row < end; ++row) {
        const std::size_t i = model.log.indexOfSeq(m_index.seqAt(row));
        if (i == PayloadLog::npos) continue;
        const LogRecord& r = model.log.record(i);
        const auto bytes = model.log.bytes(r);
        // Estimate before formatting: hex is 3 characters a byte, text at most 4 (\xHH).
        const std::size_t estimate = (isData(r.kind) ? (as_hex ? 3 : 4) : 1) * bytes.size() + 1;
        if (out.text.size() + estimate > kCopyBytesMax) {
            out.truncated = true;
            break;
        }
        if (!isData(r.kind)) out.text.append(bytes.begin(), bytes.end());
        else if (as_hex) out.text += formatHex(bytes);
        else out.text += decodeForDisplay(bytes, model.settings.encoding);
        out.text += '\n';
        ++out.rows;
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
    const float font = ImGui::GetFontSize();
    const ImGuiStyle& style = ImGui::GetStyle();
    Flow flow;

    const char* scopes[] = {tr(Str::ScopeAll), tr(Str::ScopeEndpoint), tr(Str::ScopeConnection)};
    int scope = static_cast<int>(m_scope);
    flow.next(font * 8);
    ImGui::SetNextItemWidth(font * 8);
    if (ImGui::Combo("##scope", &scope, scopes, 3)) m_scope = static_cast<LogScope>(scope);
    flow.placed();
    probeItem(model, "log.scope");
    flow.next(checkboxWidth(tr(Str::ShowRx)));
    ImGui::Checkbox(tr(Str::ShowRx), &m_showRx);
    flow.placed();
    flow.next(checkboxWidth(tr(Str::ShowTx)));
    ImGui::Checkbox(tr(Str::ShowTx), &m_showTx);
    flow.placed();
    flow.next(checkboxWidth(tr(Str::ShowEvents)));
    ImGui::Checkbox(tr(Str::ShowEvents), &m_showEvents);
    flow.placed();

    const char* times[] = {tr(Str::TimeAbsolute), tr(Str::TimeRelative), tr(Str::TimeDelta)};
    int time_mode = static_cast<int>(model.settings.time_mode);
    float time_w = 0;
    for (const char* t : times) time_w = std::max(time_w, ImGui::CalcTextSize(t).x);
    time_w += ImGui::GetFrameHeight() + style.FramePadding.x * 2;
    flow.next(time_w);
    ImGui::SetNextItemWidth(time_w);
    if (ImGui::Combo("##time", &time_mode, times, 3)) model.settings.time_mode = static_cast<TimeMode>(time_mode);
    flow.placed();

    const float enc_w = ImGui::CalcTextSize("utf-16le").x + ImGui::GetFrameHeight() + style.FramePadding.x * 2;
    flow.next(enc_w);
    ImGui::SetNextItemWidth(enc_w);
    if (ImGui::BeginCombo("##encoding", toString(model.settings.encoding))) {
        for (const TextEncoding e : kTextEncodings)
            if (ImGui::Selectable(toString(e), e == model.settings.encoding)) model.settings.encoding = e;
        ImGui::EndCombo();
    }
    flow.placed();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TextEncoding));

    const char* pause = m_paused ? tr(Str::Resume) : tr(Str::Pause);
    flow.next(std::max(buttonWidth(tr(Str::Resume)), buttonWidth(tr(Str::Pause))));
    if (ImGui::Button(pause, ImVec2(std::max(buttonWidth(tr(Str::Resume)), buttonWidth(tr(Str::Pause))), 0)))
        setPaused(model, !m_paused);
    flow.placed();
    probeItem(model, "log.pause");
    flow.next(buttonWidth(tr(Str::ClearLog)));
    if (ImGui::Button(tr(Str::ClearLog))) clear(model);
    flow.placed();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+L");
    flow.next(buttonWidth(tr(Str::Copy)));
    ImGui::BeginDisabled(!m_hasSelection);
    if (ImGui::Button(tr(Str::Copy))) ImGui::OpenPopup("##copy");
    ImGui::EndDisabled();
    flow.placed();
    probeItem(model, "log.copy");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipCopy));
    if (ImGui::BeginPopup("##copy")) {
        if (ImGui::MenuItem(tr(Str::CopyHex), "Ctrl+C")) copyToClipboard(model, true);
        if (ImGui::MenuItem(tr(Str::CopyText))) copyToClipboard(model, false);
        ImGui::EndPopup();
    }
    flow.next(checkboxWidth(tr(Str::AutoScroll)));
    ImGui::Checkbox(tr(Str::AutoScroll), &m_rows.follow);
    flow.placed();
    probeItem(model, "log.follow");
    char marks[64];
    std::snprintf(marks, sizeof marks, tr(Str::Bookmarks), formatCount(m_bookmarks.size()).c_str());
    flow.next(buttonWidth(marks));
    if (ImGui::Button(marks)) ImGui::OpenPopup("##bookmarks");
    flow.placed();
    probeItem(model, "log.bookmarks");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipBookmarks));
    drawBookmarks(model);
    flow.next(buttonWidth(tr(Str::ExportLog)));
    if (ImGui::Button(tr(Str::ExportLog))) m_export.open(m_hasSelection ? ExportScope::Selection : ExportScope::Filtered);
    flow.placed();
    probeItem(model, "log.export");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipExportLog));

    // Find and its controls, then the counts; Find takes what is left of the line (or a line of its own).
    char rows[64], extra[96] = "", progress[96] = "";
    std::snprintf(rows, sizeof rows, tr(Str::Messages), formatCount(m_index.size()).c_str());
    if (m_paused)
        std::snprintf(extra, sizeof extra, tr(Str::PausedRows), formatCount(m_index.pending(model.log)).c_str());
    if (const auto rebuilding = m_index.rebuilding(model.log))
        std::snprintf(progress, sizeof progress, tr(Str::Filtering), formatCount(rebuilding->first).c_str(),
                      formatCount(rebuilding->second).c_str());
    else if (m_find.active)
        std::snprintf(progress, sizeof progress, tr(Str::Searching), formatCount(m_find.looked).c_str(),
                      formatCount(m_index.size()).c_str());
    float counts_w = ImGui::CalcTextSize(rows).x + style.ItemSpacing.x;
    if (extra[0]) counts_w += ImGui::CalcTextSize(extra).x + style.ItemSpacing.x;
    const char* modes[] = {tr(Str::QueryText), tr(Str::QueryHex), tr(Str::QueryRegex)};
    float mode_w = 0;
    for (const char* m : modes) mode_w = std::max(mode_w, ImGui::CalcTextSize(m).x);
    mode_w += ImGui::GetFrameHeight() + style.FramePadding.x * 2;
    const float controls_w = mode_w + checkboxWidth(tr(Str::MatchCase)) + checkboxWidth(tr(Str::FilterRows)) +
                             buttonWidth(tr(Str::FindPrev)) + buttonWidth(tr(Str::FindNext)) + style.ItemSpacing.x * 5;
    const float search_min = font * 8;
    const float search_w = std::max(search_min, flow.restOfLine(search_min + controls_w + counts_w) - controls_w - counts_w);
    flow.next(search_w);
    ImGui::SetNextItemWidth(search_w);
    const std::string& query_error = m_matcher.error();
    const bool bad_query = !query_error.empty();
    if (bad_query) ImGui::PushStyleColor(ImGuiCol_Text, pal.bad);
    ImGui::InputTextWithHint("##search", tr(Str::Search), &m_search);
    if (bad_query) ImGui::PopStyleColor();
    const bool enter = (ImGui::IsItemActive() || ImGui::IsItemDeactivated()) &&
                       ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false);
    flow.placed();
    probeItem(model, "log.search");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s%s%s", tr(Str::TipSearch), bad_query ? "\n" : "", query_error.c_str());
    int mode = static_cast<int>(m_queryMode);
    flow.next(mode_w);
    ImGui::SetNextItemWidth(mode_w);
    if (ImGui::Combo("##querymode", &mode, modes, 3)) m_queryMode = static_cast<QueryMode>(mode);
    flow.placed();
    probeItem(model, "log.querymode");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipQueryMode));
    flow.next(checkboxWidth(tr(Str::MatchCase)));
    ImGui::Checkbox(tr(Str::MatchCase), &m_matchCase);
    flow.placed();
    probeItem(model, "log.matchcase");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipMatchCase));
    flow.next(checkboxWidth(tr(Str::FilterRows)));
    ImGui::Checkbox(tr(Str::FilterRows), &m_filterRows);
    flow.placed();
    probeItem(model, "log.filterrows");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipFilterRows));
    ImGui::BeginDisabled(m_search.empty());
    flow.next(buttonWidth(tr(Str::FindPrev)));
    if (ImGui::Button(tr(Str::FindPrev))) findNext(model, false);
    flow.placed();
    probeItem(model, "log.findprev");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipFindPrev));
    flow.next(buttonWidth(tr(Str::FindNext)));
    if (ImGui::Button(tr(Str::FindNext)) || (enter && !m_search.empty())) findNext(model, true);
    flow.placed();
    probeItem(model, "log.findnext");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr(Str::TipFindNext));
    ImGui::EndDisabled();
    flow.next(ImGui::CalcTextSize(rows).x);
    ImGui::TextColored(pal.dim, "%s", rows);
    flow.placed();
    if (extra[0]) {
        flow.next(ImGui::CalcTextSize(extra).x);
        ImGui::TextColored(pal.warn, "%s", extra);
        flow.placed();
        probeItem(model, "log.paused");
    }
    if (progress[0]) {
        flow.next(ImGui::CalcTextSize(progress).x);
        ImGui::TextColored(pal.warn, "%s", progress);
        flow.placed();
        probeItem(model, "log.progress");
    }
    // This endpoint's history that the bounded log dropped (a flood elsewhere may be the cause).
    if (const EndpointId shown = m_index.filter().endpoint; shown != 0) {
        if (const EvictedCounts gone = model.log.evictedFor(shown); gone.records > 0) {
            char evicted[96];
            std::snprintf(evicted, sizeof evicted, tr(Str::Evicted), formatCount(gone.records).c_str());
            flow.next(ImGui::CalcTextSize(evicted).x);
            ImGui::TextColored(pal.warn, "%s", evicted);
            flow.placed();
            probeItem(model, "log.evicted");
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(Str::TipEvicted));
        }
    }
}

void LogView::drawBookmarks(UiModel& model) {
    if (!ImGui::BeginPopup("##bookmarks")) return;
    if (m_bookmarks.empty()) ImGui::TextUnformatted(tr(Str::NoBookmarks));
    std::uint64_t jump = UINT64_MAX;
    std::size_t shown = 0;
    for (const std::uint64_t seq : m_bookmarks) {
        if (++shown > 500) break;   // a popup of a bounded height; the rest by scrolling the log
        const std::size_t i = model.log.indexOfSeq(seq);
        if (i == PayloadLog::npos) continue;
        const LogRecord& r = model.log.record(i);
        std::string label = formatClock(r.time_us) + "  " + kindText(r.kind) + "  " + connectionText(model, r) + "  " +
                            rowText(model.log.bytes(r).first(std::min<std::size_t>(r.length, 48)), encodingOf(r, model.settings.encoding));
        label += "##bm" + std::to_string(seq);
        if (ImGui::Selectable(label.c_str(), m_hasSelection && seq == m_selHi)) jump = seq;
    }
    if (!m_bookmarks.empty()) {
        ImGui::Separator();
        if (ImGui::MenuItem(tr(Str::ClearBookmarks))) m_bookmarks.clear();
    }
    ImGui::EndPopup();
    if (jump != UINT64_MAX) jumpTo(model, jump);
}

void LogView::drawRowMenu(UiModel& model, std::uint64_t seq) {
    if (!ImGui::BeginPopupContextItem("##rowmenu")) return;
    if (!(m_hasSelection && seq >= m_selLo && seq <= m_selHi)) select(seq, false);
    if (ImGui::MenuItem(tr(Str::ToggleBookmark), "Ctrl+B", m_bookmarks.count(seq) > 0)) toggleBookmark(seq);
    if (ImGui::MenuItem(tr(Str::CopyHex), "Ctrl+C")) copyToClipboard(model, true);
    if (ImGui::MenuItem(tr(Str::CopyText))) copyToClipboard(model, false);
    if (ImGui::MenuItem(tr(Str::ExportLog))) m_export.open(ExportScope::Selection);
    ImGui::EndPopup();
}

void LogView::handleKeys(UiModel& model) {
    if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) return;
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_C, false) && !io.WantTextInput && m_hasSelection)
        copyToClipboard(model, true);
    if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_B, false) && !io.WantTextInput && m_hasSelection)
        toggleBookmark(m_selHi);
    if (ImGui::IsKeyPressed(GLFW_KEY_F3, false) && !m_search.empty()) findNext(model, !io.KeyShift);
}

void LogView::copyToClipboard(UiModel& model, bool as_hex) {
    const LogCopy copied = copy(model, as_hex);
    ImGui::SetClipboardText(copied.text.c_str());
    char note[160];
    if (copied.truncated)
        std::snprintf(note, sizeof note, tr(Str::CopiedRows), formatCount(copied.rows).c_str(),
                      formatCount(copied.selected).c_str(), formatBytes(static_cast<double>(kCopyBytesMax)).c_str());
    else
        std::snprintf(note, sizeof note, tr(Str::CopiedAll), formatCount(copied.rows).c_str());
    model.notify(note, copied.truncated);
}

void LogView::drawRows(UiModel& model) {
    const Palette& pal = palette(model.settings.theme);
    ImFont* mono = model.fonts.mono ? model.fonts.mono : ImGui::GetFont();
    const float char_w = mono->CalcTextSizeA(mono->FontSize, FLT_MAX, 0, "0").x;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float bar_w = VirtualList::scrollbarWidth();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    m_drawnRows = 0;
    if (avail.x <= bar_w + 1 || avail.y <= 1) return;

    ImGui::BeginChild("##rows", ImVec2(avail.x - bar_w, avail.y), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    const float header_h = ImGui::GetTextLineHeight() + style.CellPadding.y * 2;
    const float row_h = std::max(ImGui::GetTextLineHeight(), mono->FontSize) + style.CellPadding.y * 2;
    const std::size_t count = m_index.size();
    m_rows.begin(count, avail.y - header_h, row_h);
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("##log", 6, flags)) {
        ImGui::TableSetupColumn(tr(Str::ColTime), ImGuiTableColumnFlags_WidthFixed, char_w * 13);
        ImGui::TableSetupColumn(tr(Str::ColDir), ImGuiTableColumnFlags_WidthFixed, char_w * 4);
        ImGui::TableSetupColumn(tr(Str::ColConn), ImGuiTableColumnFlags_WidthFixed, char_w * 17);
        ImGui::TableSetupColumn(tr(Str::ColLen), ImGuiTableColumnFlags_WidthFixed, char_w * 6);
        ImGui::TableSetupColumn(tr(Str::ColHex), ImGuiTableColumnFlags_WidthStretch, 1.4f);
        ImGui::TableSetupColumn(tr(Str::ColText), ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableHeadersRow();

        const ImU32 mark = highlightColor(pal);
        m_drawnHighlights = 0;
        std::size_t hex_bytes = 0;   // how many fit in the hex column, measured on the first row
        const bool shift = ImGui::GetIO().KeyShift;
        const std::size_t first = static_cast<std::size_t>(m_rows.first);
        const std::size_t end = m_rows.end(count);
        float first_y = 0, last_y = 0;
        for (std::size_t row = first; row < end; ++row) {
            // Every row is submitted, even one whose record went (it shows empty), so the rows
            // below never move up into a gap.
            const std::uint64_t seq = m_index.seqAt(row);
            const std::size_t i = model.log.indexOfSeq(seq);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            last_y = ImGui::GetCursorScreenPos().y;
            if (row == first) first_y = last_y;
            ++m_drawnRows;
            if (i == PayloadLog::npos) continue;
            const LogRecord& r = model.log.record(i);
            const auto bytes = model.log.bytes(r);
            const bool selected = m_hasSelection && seq >= m_selLo && seq <= m_selHi;
            ImGui::PushID(static_cast<int>(row));
            ImGui::PushFont(mono);
            const std::string time = timeText(model, row, r);
            if (m_bookmarks.count(seq)) {   // the time cell tinted, and a bar at its left edge
                // (inside the cell: the column clips what is drawn in its padding)
                ImVec4 tint = pal.accent;
                tint.w = 0.35f;
                ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, ImGui::GetColorU32(tint));
                const ImVec2 at = ImGui::GetCursorScreenPos();
                ImGui::GetWindowDrawList()->AddRectFilled(at, ImVec2(at.x + 3, at.y + row_h - style.CellPadding.y * 2),
                                                          ImGui::GetColorU32(pal.accent));
            }
            if (ImGui::Selectable(time.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns)) select(seq, shift);
            ImGui::PopFont();
            drawRowMenu(model, seq);
            ImGui::PopID();
            const auto match = rowMatch(r, bytes);

            ImGui::TableNextColumn();
            ImGui::TextColored(kindColor(pal, r.kind), "%s", kindText(r.kind));
            ImGui::TableNextColumn();
            textRange(connectionText(model, r));
            if (!isData(r.kind)) {
                ImGui::TableNextColumn();
                ImGui::TableNextColumn();
                // An event row has no hex and no text of its own: its sentence spans both columns.
                const ImVec2 at = ImGui::GetCursorScreenPos();
                const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
                ImGui::PushClipRect(at, ImVec2(std::max(right, at.x), at.y + ImGui::GetTextLineHeightWithSpacing()), false);
                ImGui::PushStyleColor(ImGuiCol_Text, kindColor(pal, r.kind));
                if (match && markText(bytes, TextEncoding::Utf8, 0, *match, kRowTextBytes, mark)) ++m_drawnHighlights;
                textRange(rowText(bytes, TextEncoding::Utf8));
                ImGui::PopStyleColor();
                ImGui::PopClipRect();
                ImGui::TableNextColumn();
                continue;
            }
            ImGui::TableNextColumn();
            ImGui::PushFont(mono);
            ImGui::Text("%u", r.length);
            ImGui::TableNextColumn();
            if (hex_bytes == 0)   // format only what can be seen
                hex_bytes = std::clamp<std::size_t>(
                    static_cast<std::size_t>((ImGui::GetContentRegionAvail().x - char_w * 4) / (char_w * 3)), 4,
                    kHexColumnBytesMax);
            const std::size_t shown = std::min(bytes.size(), hex_bytes);
            std::string hex = formatHex(bytes.subspan(0, shown));
            if (shown < bytes.size()) hex += " ...";
            if (match && match->first < shown) {
                const ImVec2 at = ImGui::GetCursorScreenPos();
                const float x0 = char_w * 3 * static_cast<float>(match->first);
                const float x1 = char_w * (3 * static_cast<float>(std::min(match->second, shown)) - 1);
                ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x + x0, at.y), ImVec2(at.x + x1, at.y + mono->FontSize), mark);
                ++m_drawnHighlights;
            }
            ImGui::PushStyleColor(ImGuiCol_Text, kindColor(pal, r.kind));
            textRange(hex);
            ImGui::PopStyleColor();
            ImGui::PopFont();
            ImGui::TableNextColumn();
            if (match) {
                std::size_t limit = 0;   // what rowText shows
                while (limit < bytes.size()) {
                    const std::size_t n = charLengthAt(bytes, limit, model.settings.encoding);
                    if (limit + n > kRowTextBytes) break;
                    limit += n;
                }
                if (markText(bytes, model.settings.encoding, 0, *match, limit, mark)) ++m_drawnHighlights;
            }
            textRange(rowText(bytes, model.settings.encoding));
        }
        if (m_drawnRows >= 2) m_rows.measured(m_drawnRows - 1, last_y - first_y);
        ImGui::EndTable();
    }
    m_drawnFirst = static_cast<std::size_t>(m_rows.first);
    ImGui::EndChild();
    m_rows.scrollbar("##rowsbar", count, origin.x + avail.x - bar_w, origin.y + header_h, avail.y - header_h);
}

void LogView::draw(UiModel& model) {
    update(model);
    drawToolbar(model);
    drawRows(model);
    handleKeys(model);
    m_export.draw(model, exportCounts(model), [&](ExportScope scope) { return exportRows(model, scope); });
}

void LogView::splitDetailLines(std::span<const std::uint8_t> bytes, TextEncoding encoding) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t pos = m_detail.ends.empty() ? 0 : m_detail.ends.back();
    while (pos < bytes.size()) {
        const std::size_t step_end = std::min(bytes.size(), pos + kSplitStepBytes);
        while (pos < step_end) {
            pos = displayLineEnd(bytes, pos, encoding, kLineBytes);
            m_detail.ends.push_back(static_cast<std::uint32_t>(pos));
        }
        const auto spent = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
        if (spent.count() > kSplitBudgetUs) break;
    }
    m_detail.complete = pos >= bytes.size();
}

void LogView::drawDetailLines(UiModel& model, const LogRecord& r, std::span<const std::uint8_t> bytes) {
    const Palette& pal = palette(model.settings.theme);
    const TextEncoding encoding = encodingOf(r, model.settings.encoding);
    if (m_detail.seq != r.seq || m_detail.encoding != encoding) {
        m_detail.seq = r.seq;
        m_detail.encoding = encoding;
        m_detail.ends.clear();
        m_detail.ends.shrink_to_fit();
        m_detail.complete = false;
        m_detail.dump.first = m_detail.text.first = 0;
        m_detail.match_generation = UINT64_MAX;
    }
    if (m_detail.match_generation != m_queryGeneration) {   // once per row and query, not per frame
        m_detail.match_generation = m_queryGeneration;
        m_detail.match.reset();
        if (!m_matcher.empty() && m_matcher.error().empty())
            if (auto found = m_matcher.find(r.kind, bytes); found && found->second > found->first) m_detail.match = found;
    }
    const auto match = m_detail.match;
    const ImU32 mark = highlightColor(pal);
    m_detailHighlights = 0;
    if (!m_detail.complete) splitDetailLines(bytes, encoding);
    if (!m_detail.complete) {
        const std::size_t done = m_detail.ends.empty() ? 0 : m_detail.ends.back();
        ImGui::TextColored(pal.warn, tr(Str::DetailSplitting), static_cast<int>(done * 100 / std::max<std::size_t>(1, bytes.size())));
    }

    ImFont* mono = model.fonts.mono ? model.fonts.mono : ImGui::GetFont();
    const float bar_w = VirtualList::scrollbarWidth();
    // A list of `count` one-line rows in a child of `height` with its own scrollbar on the right.
    auto lines = [&](const char* id, VirtualList& list, std::size_t count, float height, ImFont* font,
                     std::size_t& drawn, auto&& line_text) {
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        const float width = ImGui::GetContentRegionAvail().x;
        ImGui::PushFont(font);
        const float line_h = ImGui::GetTextLineHeightWithSpacing();
        const float inner_h = height - ImGui::GetStyle().WindowPadding.y * 2 - ImGui::GetStyle().ScrollbarSize;
        ImGui::SetNextWindowContentSize(ImVec2(0, std::max(1.0f, inner_h)));
        ImGui::BeginChild(id, ImVec2(std::max(1.0f, width - bar_w), height), true,
                          ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_HorizontalScrollbar);
        list.begin(count, inner_h, line_h);
        drawn = 0;
        std::string text;
        for (std::size_t k = static_cast<std::size_t>(list.first), end = list.end(count); k < end; ++k) {
            text.clear();
            line_text(k, text);
            textRange(text);
            ++drawn;
        }
        ImGui::EndChild();
        ImGui::PopFont();
        list.scrollbar(id, count, origin.x + width - bar_w, origin.y, height);
    };

    const float avail_h = ImGui::GetContentRegionAvail().y;
    const bool data = isData(r.kind);
    const float text_h = data ? std::max(avail_h * 0.35f, ImGui::GetTextLineHeightWithSpacing() * 4) : avail_h;
    m_detailDumpLines = data ? (bytes.size() + kDumpBytesPerLine - 1) / kDumpBytesPerLine : 0;
    m_detailDrawnDump = 0;
    if (data && avail_h - text_h > ImGui::GetTextLineHeightWithSpacing() * 2)
        lines("##dump", m_detail.dump, m_detailDumpLines, avail_h - text_h - ImGui::GetStyle().ItemSpacing.y, mono,
              m_detailDrawnDump,
              [&](std::size_t k, std::string& out) {
                  appendHexDumpRow(out, bytes, k * kDumpBytesPerLine, kDumpBytesPerLine);
                  if (!match) return;
                  // "00000000  hh hh ... hh  hh ... |ascii|": byte j at column 10 + 3j (+1 past the 8th), its character at 61 + j.
                  const std::size_t row_start = k * kDumpBytesPerLine;
                  const std::size_t b = std::max(match->first, row_start);
                  const std::size_t e = std::min(match->second, row_start + kDumpBytesPerLine);
                  const ImVec2 at = ImGui::GetCursorScreenPos();
                  const float cw = ImGui::CalcTextSize("0").x, h = ImGui::GetTextLineHeight();
                  for (std::size_t j = b; j < e; ++j) {
                      const std::size_t rel = j - row_start;
                      const float col = static_cast<float>(10 + 3 * rel + (rel >= 8 ? 1 : 0));
                      ImDrawList* draw = ImGui::GetWindowDrawList();
                      draw->AddRectFilled(ImVec2(at.x + col * cw, at.y), ImVec2(at.x + (col + 2) * cw, at.y + h), mark);
                      const float text_col = static_cast<float>(61 + rel);
                      draw->AddRectFilled(ImVec2(at.x + text_col * cw, at.y), ImVec2(at.x + (text_col + 1) * cw, at.y + h), mark);
                  }
                  if (b < e) ++m_detailHighlights;
              });
    const float rest = ImGui::GetContentRegionAvail().y;
    if (rest > ImGui::GetTextLineHeightWithSpacing())
        lines("##text", m_detail.text, m_detail.ends.size(), rest, ImGui::GetFont(), m_detailDrawnText,
              [&](std::size_t k, std::string& out) {
                  const std::size_t begin = k == 0 ? 0 : m_detail.ends[k - 1];
                  if (match && markText(bytes, encoding, begin, *match, m_detail.ends[k], mark)) ++m_detailHighlights;
                  out = decodeForDisplay(bytes.subspan(begin, m_detail.ends[k] - begin), encoding);
                  showBeyondBmpAsCodePoints(out);
              });
}

void LogView::drawDetail(UiModel& model) {
    const Palette& pal = palette(model.settings.theme);
    // Header lines wrap: the pane may be narrow, the font large, the language Chinese.
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(tr(Str::Detail));
    if (!m_hasSelection && m_index.size() > 0) {
        const std::string note = std::string("(") + tr(Str::DetailLatest) + ")";
        if (ImGui::CalcTextSize(tr(Str::Detail)).x + ImGui::CalcTextSize(note.c_str()).x +
                ImGui::GetStyle().ItemSpacing.x < ImGui::GetContentRegionAvail().x)
            ImGui::SameLine();
        ImGui::TextColored(pal.dim, "%s", note.c_str());
    }
    ImGui::PopTextWrapPos();
    ImGui::Separator();
    // Without a selection the pane follows the newest row: a live inspector.
    std::size_t i = PayloadLog::npos;
    if (m_hasSelection) i = model.log.indexOfSeq(m_selHi);
    else if (m_index.size() > 0) i = model.log.indexOfSeq(m_index.seqAt(m_index.size() - 1));
    if (i == PayloadLog::npos) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(pal.dim, "%s", tr(Str::NoRowSelected));
        ImGui::PopTextWrapPos();
        m_detailDrawnText = m_detailDrawnDump = m_detailDumpLines = 0;
        return;
    }
    const LogRecord& r = model.log.record(i);
    const auto bytes = model.log.bytes(r);
    ImGui::TextColored(kindColor(pal, r.kind), "%s", kindText(r.kind));
    ImGui::SameLine();
    std::string header = formatClock(r.time_us) + "  " + connectionText(model, r);
    if (isData(r.kind)) header += "  " + formatCount(r.length) + " B";
    header += "  " + std::string(tr(Str::DetailSeq)) + " " + std::to_string(r.seq);
    ImGui::PushTextWrapPos(0);
    textRange(header);   // bounded: a time, names, numbers
    ImGui::PopTextWrapPos();
    if (isData(r.kind)) return drawDetailLines(model, r, bytes);
    drawEventText(bytes);
}

void LogView::drawEventText(std::span<const std::uint8_t> bytes) {
    // An event's words wrap at the pane's width, between words (split every 64 bytes they broke
    // mid-word); the text wraps afresh each frame, so a very long one shows its first 4 KiB.
    constexpr std::size_t kShownBytes = 4096;   // an error, a status: far less; one draw list holds it
    std::size_t shown = 0;
    while (shown < bytes.size()) {
        const std::size_t n = charLengthAt(bytes, shown, TextEncoding::Utf8);
        if (shown + n > kShownBytes) break;
        shown += n;
    }
    std::string text = decodeForDisplay(bytes.first(shown), TextEncoding::Utf8);
    showBeyondBmpAsCodePoints(text);
    if (shown < bytes.size()) text += " ... (" + formatCount(bytes.size() - shown) + " B)";
    ImGui::BeginChild("##event_text", ImVec2(0, 0), true);
    ImGui::PushTextWrapPos(0);
    textRange(text);
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
    m_detailDrawnText = 1;
    m_detailDrawnDump = m_detailDumpLines = 0;
}

}  // namespace sockscope::ui
