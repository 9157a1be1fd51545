#pragma once
// The log: one row per message (time, direction, connection, length, hex and text side by side)
// and lifecycle rows; rows addressed by index (VirtualList) so only visible rows are formatted,
// at any row count; an incremental filtered index; follow that stops when the user scrolls up;
// pause, clear, copy (bounded in bytes); a detail pane with a classic 16-bytes-per-row hex dump
// and the text of the selected row, both virtualised so a message of any size shows in full.
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ui/log_index.hpp"
#include "ui/ui_model.hpp"
#include "ui/view.hpp"
#include "ui/views/export_dialog.hpp"
#include "ui/virtual_list.hpp"

namespace sockscope::ui {

enum class LogScope : std::uint8_t { All, Endpoint, Connection };

/// What a copy took: the text, and how many of the selected rows are in it.
struct LogCopy {
    std::string text;
    std::size_t rows = 0;        // rows copied
    std::size_t selected = 0;    // rows selected (in the view)
    bool truncated = false;      // stopped at kCopyBytesMax
};

class LogView : public View {
public:
    void draw(ViewContext& ctx) override { draw(ctx.model); }
    void draw(UiModel& model);
    void drawDetail(UiModel& model);

    void clear(UiModel& model);
    /// Copies the selected rows: hex (one line per row) or text; at most kCopyBytesMax bytes.
    LogCopy copy(const UiModel& model, bool as_hex) const;
    std::string copySelection(const UiModel& model, bool as_hex) const { return copy(model, as_hex).text; }
    bool paused() const { return m_paused; }
    void setPaused(const UiModel& model, bool paused) {
        m_paused = paused;
        m_pauseSeq = model.log.nextSeq();
    }
    void setScope(LogScope scope) { m_scope = scope; }
    void setSearch(std::string text) { m_search = std::move(text); }
    /// Find's query (text, hex or regex; case) and whether it filters the rows (on) or only
    /// finds and highlights them among every row (off). One query serves both.
    void setQuery(const LogQuery& query) {
        m_search = query.text;
        m_queryMode = query.mode;
        m_matchCase = query.match_case;
    }
    void setFilterRows(bool on) { m_filterRows = on; }
    /// Search next/previous from the selection: selects and reveals the next row that matches
    /// (spread over frames on a large view: see searching()); says so when there is none.
    void findNext(UiModel& model, bool forward);
    bool searching() const { return m_find.active; }
    /// Bookmarks are kept by seq, so they survive filter changes; evicted rows lose theirs.
    void toggleBookmark(std::uint64_t seq);
    const std::set<std::uint64_t>& bookmarks() const { return m_bookmarks; }
    /// Selects and reveals the row of `seq`; false (and a notice) when the view does not show it.
    bool jumpTo(UiModel& model, std::uint64_t seq);
    ExportDialog& exportDialog() { return m_export; }
    /// The rows of an export scope (the selection, the view, everything kept) and their counts.
    ExportRows exportRows(const UiModel& model, ExportScope scope) const;
    std::array<std::size_t, 3> exportCounts(const UiModel& model) const;
    void select(std::uint64_t seq, bool extend);
    bool hasSelection() const { return m_hasSelection; }
    std::uint64_t selectedSeq() const { return m_selHi; }
    bool following() const { return m_rows.follow; }
    const LogIndex& index() const { return m_index; }
    /// Brings the index up to date with the log and the selection (called by draw()).
    void update(UiModel& model);

    // What the last frame drew (tests): log rows [first, first + count), detail lines.
    std::size_t drawnFirstRow() const { return m_drawnFirst; }
    std::size_t drawnRows() const { return m_drawnRows; }
    std::size_t detailDumpLines() const { return m_detailDumpLines; }
    std::size_t detailTextLines() const { return m_detail.ends.size(); }
    bool detailComplete() const { return m_detail.complete; }
    std::size_t detailDrawnTextLines() const { return m_detailDrawnText; }
    std::size_t detailDrawnDumpLines() const { return m_detailDrawnDump; }
    std::size_t drawnHighlights() const { return m_drawnHighlights; }          // matches marked in rows
    std::size_t detailDrawnHighlights() const { return m_detailHighlights; }   // ... in the detail pane
    static constexpr std::size_t kMaxBookmarks = 10'000;

    static constexpr std::size_t kCopyBytesMax = 16u << 20;
    static constexpr std::size_t kRowTextBytes = 256;    // bytes of a message a row shows
    static constexpr std::size_t kLineBytes = 64;        // bytes per detail text line (at most)

private:
    void drawToolbar(UiModel& model);
    void drawRows(UiModel& model);
    void copyToClipboard(UiModel& model, bool as_hex);
    void drawDetailLines(UiModel& model, const LogRecord& record, std::span<const std::uint8_t> bytes);
    void drawEventText(std::span<const std::uint8_t> bytes);
    void splitDetailLines(std::span<const std::uint8_t> bytes, TextEncoding encoding);
    std::string timeText(const UiModel& model, std::size_t row, const LogRecord& record) const;
    std::string connectionText(const UiModel& model, const LogRecord& record) const;
    void drawFindControls(UiModel& model, float search_w);
    void drawBookmarks(UiModel& model);
    void drawRowMenu(UiModel& model, std::uint64_t seq);
    void stepFind(UiModel& model);
    void compileQuery(const UiModel& model);
    void handleKeys(UiModel& model);
    /// The query's match in a row's first bytes (what the row shows), or nullopt.
    std::optional<std::pair<std::size_t, std::size_t>> rowMatch(const LogRecord& record,
                                                                std::span<const std::uint8_t> bytes) const;
    bool markText(std::span<const std::uint8_t> bytes, TextEncoding encoding, std::size_t from,
                  std::pair<std::size_t, std::size_t> match, std::size_t limit, std::uint32_t color);

    LogIndex m_index;
    LogScope m_scope = LogScope::Endpoint;
    bool m_showRx = true, m_showTx = true, m_showEvents = true;
    std::string m_search;   // Find (see LogFilter::contains)
    QueryMode m_queryMode = QueryMode::Text;
    bool m_matchCase = false;
    bool m_filterRows = true;          // Find filters the rows (off: finds and highlights only)
    QueryMatcher m_matcher;            // the query compiled (highlight, next/previous)
    LogQuery m_compiled;
    TextEncoding m_compiledEncoding = TextEncoding::Utf8;
    std::uint64_t m_queryGeneration = 0;
    struct Find {
        bool active = false;
        bool forward = true;
        std::uint64_t next_seq = 0;    // the row to look at next (rows move as the log evicts)
        std::size_t looked = 0;
    };
    Find m_find;
    std::set<std::uint64_t> m_bookmarks;
    ExportDialog m_export;
    std::size_t m_drawnHighlights = 0, m_detailHighlights = 0;
    bool m_paused = false;
    std::uint64_t m_pauseSeq = 0;   // the first seq that arrived after pausing
    VirtualList m_rows{0, true, 0, true};
    bool m_hasSelection = false;
    std::uint64_t m_anchor = 0, m_selLo = 0, m_selHi = 0;
    std::size_t m_drawnFirst = 0, m_drawnRows = 0;

    // Detail pane: the lines of the shown message, split incrementally (a frame budget), so a
    // 16 MiB message never costs one long frame; only visible lines are decoded.
    struct Detail {
        std::uint64_t seq = UINT64_MAX;
        TextEncoding encoding = TextEncoding::Utf8;
        std::vector<std::uint32_t> ends;   // end offset of each text line
        bool complete = false;
        VirtualList dump, text;
        std::uint64_t match_generation = UINT64_MAX;   // the query the cached match is for
        std::optional<std::pair<std::size_t, std::size_t>> match;
    };
    Detail m_detail;
    std::size_t m_detailDumpLines = 0, m_detailDrawnText = 0, m_detailDrawnDump = 0;
};

}  // namespace sockscope::ui
