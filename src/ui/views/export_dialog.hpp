#pragma once
// The log's Export dialog: which rows (the selection, the filtered view, everything kept), the
// format (CSV, JSON lines, text hex dump, pcapng), the file; then a progress bar and Cancel while
// the export runs (formatting in time slices on this thread, writing on the export's own writer
// thread: core/model/log_export), and at the end the count of what was exported or the error
// in plain words.
#include <array>
#include <functional>
#include <memory>
#include <string>

#include "core/model/log_export.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {

enum class ExportScope : std::uint8_t { Selection, Filtered, All };

class ExportDialog {
public:
    using RowsFor = std::function<ExportRows(ExportScope)>;

    /// Opens the dialog (on the next draw); `scope` is preselected.
    void open(ExportScope scope);
    bool isOpen() const { return m_visible || m_openRequested; }
    /// Draws the dialog (a modal) and advances a running export. `counts` are the rows of each
    /// scope; `rows` builds the rows to export when the user presses Export.
    void draw(UiModel& model, const std::array<std::size_t, 3>& counts, const RowsFor& rows);

    /// Starts an export now (the Export button; tests).
    void start(UiModel& model, ExportRows rows);
    void cancel();
    bool running() const { return m_job && !m_job->finished(); }
    const LogExportJob* job() const { return m_job.get(); }
    /// The last export's outcome in words ("Exported 3 rows to ..."), empty before.
    const std::string& result() const { return m_result; }
    bool resultIsError() const { return m_resultError; }

    ExportScope scope = ExportScope::Filtered;
    ExportFormat format = ExportFormat::Csv;
    std::string path;

private:
    void step(UiModel& model);
    void finishResult();

    bool m_openRequested = false;
    bool m_visible = false;
    std::unique_ptr<LogExportJob> m_job;
    std::string m_result;
    bool m_resultError = false;
};

/// What the rows' endpoint and connection ids stand for, from the front end's model.
ExportLookup exportLookup(const UiModel& model);

}  // namespace sockscope::ui
