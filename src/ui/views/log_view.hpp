#pragma once
// The log: one row per message (time, direction, connection, length, hex and text side by side)
// and lifecycle rows; clipped rendering that formats only visible rows; an incremental filtered
// index; stick-to-bottom that stops when the user scrolls up; pause, clear, copy; a detail pane
// with a classic 16-bytes-per-row hex dump and the text of the selected row.
#include <cstdint>
#include <string>
#include <vector>

#include "ui/log_index.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {

enum class LogScope : std::uint8_t { All, Endpoint, Connection };

class LogView {
public:
    void draw(UiModel& model);
    void drawDetail(UiModel& model);

    void clear(UiModel& model);
    /// Copies the selected rows: hex (one line per row) or text; returns what was copied.
    std::string copySelection(const UiModel& model, bool as_hex) const;
    bool paused() const { return m_paused; }
    void setPaused(const UiModel& model, bool paused) {
        m_paused = paused;
        m_pauseSeq = model.log.nextSeq();
    }
    const LogIndex& index() const { return m_index; }
    /// Brings the index up to date with the log and the selection (called by draw()).
    void update(UiModel& model);

private:
    void drawToolbar(UiModel& model);
    void drawRows(UiModel& model);
    std::string timeText(const UiModel& model, std::size_t row, const LogRecord& record) const;
    std::string connectionText(const UiModel& model, const LogRecord& record) const;
    void select(std::uint64_t seq, bool extend);

    LogIndex m_index;
    LogScope m_scope = LogScope::Endpoint;
    bool m_showRx = true, m_showTx = true, m_showEvents = true;
    std::string m_search;   // rows containing this text (bytes as typed, UTF-8)
    bool m_paused = false;
    std::uint64_t m_pauseSeq = 0;   // the first seq that arrived after pausing
    bool m_follow = true;
    bool m_scrollToBottom = false;
    bool m_hasSelection = false;
    std::uint64_t m_anchor = 0, m_selLo = 0, m_selHi = 0;

    // Detail pane cache: formatting a large message once, not every frame.
    std::uint64_t m_detailSeq = UINT64_MAX;
    TextEncoding m_detailEncoding = TextEncoding::Utf8;
    std::string m_detailDump;
    std::vector<std::uint32_t> m_detailLines;   // offsets of each dump line
    std::string m_detailText;
};

}  // namespace sockscope::ui
