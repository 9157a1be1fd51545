#pragma once
// File > Import capture: open a pcap/pcapng, list its TCP/UDP flows (sortable; the selected one's
// first bytes previewed), choose the side to play and the target endpoint, and add that side's
// messages as a script (optionally the replies as expects, the gaps as waits) or as saved
// commands. Reading runs on a thread of this view with progress and cancel (a big file never
// stalls a frame); the conversion itself is cheap and runs on the UI thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/capture/capture_convert.hpp"
#include "ui/ui_model.hpp"
#include "ui/views/file_dialog.hpp"

namespace sockscope::ui {

class ImportCaptureView {
public:
    ImportCaptureView() = default;
    ~ImportCaptureView();   ///< cancels and joins a running read
    ImportCaptureView(const ImportCaptureView&) = delete;
    ImportCaptureView& operator=(const ImportCaptureView&) = delete;

    void open() { m_visible = true; }
    bool visible() const { return m_visible; }
    void draw(UiModel& model, const CommandSink& submit);

    // For tests and the command line: read `path` now (in the background).
    void read(const std::string& path);
    bool busy() const { return m_job != nullptr; }
    const std::vector<capture::Flow>& flows() const { return m_list.flows; }
    const std::string& summary() const { return m_summary; }
    const std::string& error() const { return m_error; }

private:
    struct Job {
        std::thread thread;
        std::atomic<std::uint64_t> done{0}, total{0};
        std::atomic<bool> cancel{false}, finished{false};
        std::optional<std::size_t> collect;   // the import pass: this flow's payload
        capture::CaptureAnalysis result;      // written by the thread until `finished`
    };
    void start(const std::string& path, std::optional<std::size_t> collect);
    void poll(UiModel& model, const CommandSink& submit);
    void stopJob();
    void drawFile(UiModel& model);
    void drawFlows(UiModel& model);
    void drawPreview(UiModel& model);
    void drawOptions(UiModel& model);
    void sortFlows();
    void apply(UiModel& model, const CommandSink& submit, const capture::CaptureAnalysis& data, std::size_t index);
    EndpointId targetFor(UiModel& model, const CommandSink& submit, const capture::Flow& flow, int side);

    bool m_visible = false;
    FileDialog m_dialog;
    std::string m_path;
    std::string m_readPath;               // the file m_list came from
    std::unique_ptr<Job> m_job;
    capture::CaptureAnalysis m_list;
    std::vector<std::size_t> m_order;     // rows in display order (indices into m_list.flows)
    int m_sortColumn = 0;
    bool m_sortAscending = true;
    std::optional<std::size_t> m_selected;
    bool m_playServer = false;            // false: play the client
    int m_target = -1;                    // index into the workspace's endpoints; -1: a new endpoint
    bool m_asCommands = false;
    std::string m_name = "imported";
    bool m_expects = true;
    int m_match = 0;                      // 0 exact, 1 prefix, 2 any
    int m_prefixBytes = 8;
    bool m_keepGaps = false;
    bool m_perPacket = false;
    std::string m_summary;
    std::string m_error;
};

}  // namespace sockscope::ui
