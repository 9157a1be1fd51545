#pragma once
// Export of payload-log rows to a file: CSV (RFC 4180), JSON lines (the headless schema of
// model/event_json), the text recorder's hex-dump blocks, or pcapng (the recorder's formatter, so
// an export reads back in tshark like a recording: a row's wire tags give a wildcard UDP bind's real
// local address, and pcapng re-appends the delimiter a framer stripped, so packets carry the bytes
// that were on the wire; a resync's dropped bytes are not in the log). A LogExportJob formats rows on the owner's
// thread in time slices (the log is not thread-safe) and hands whole buffers to a writer thread
// (ExportSink) that writes a temporary file and renames it over the target only when everything
// was written: a failed or cancelled export never leaves a half file under the final name.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/codec/text_encoding.hpp"
#include "core/endpoint_config.hpp"
#include "core/model/payload_log.hpp"
#include "core/record/record_format.hpp"

namespace sockscope {

enum class ExportFormat : std::uint8_t { Csv, Jsonl, Text, Pcapng };
const char* toString(ExportFormat format);       // "csv", "jsonl", "text", "pcapng"
const char* extensionOf(ExportFormat format);    // ".csv", ".jsonl", ".txt", ".pcapng"

/// What a row's ids stand for (the front end's endpoint table): what the formats print and
/// what pcapng needs to build packets.
struct ExportNames {
    std::string endpoint;                          // name ("" = unknown: "#<id>")
    EndpointType type = EndpointType::TcpClient;
    std::string local;                             // tcp: the connection's local address; udp: bound
                                                   // (a row's own local address, if any, wins)
    std::string peer;                              // tcp: the connection's peer
};
using ExportLookup = std::function<ExportNames(EndpointId, ConnectionId)>;

/// One CSV field, quoted when it holds a comma, a quote, CR or LF (RFC 4180: quotes doubled).
void appendCsvField(std::string& out, std::string_view field);

/// Formats rows of the log into one format. pcapng draws the lifecycle rows (a connection's
/// handshake, FIN, RST: LogRecord::lifecycle) as packets and leaves the other event rows out
/// (append returns false).
class LogExportFormatter {
public:
    LogExportFormatter(ExportFormat format, TextEncoding encoding, ExportLookup lookup);
    ~LogExportFormatter();
    /// The file's header (CSV column names, pcapng section header).
    void begin(std::string& out);
    /// Appends one row; false when the format has nothing for it.
    bool append(const PayloadLog& log, const LogRecord& record, std::string& out);

    static constexpr std::string_view kCsvHeader = "time,endpoint,connection,direction,peer,length,hex,text\r\n";

private:
    const ExportNames& names(EndpointId endpoint, ConnectionId connection);
    void appendCsv(const PayloadLog& log, const LogRecord& record, const ExportNames& names, std::string& out);

    ExportFormat m_format;
    TextEncoding m_encoding;
    ExportLookup m_lookup;
    std::unique_ptr<RecordFormatter> m_record;   // jsonl, text, pcapng data rows: the recorder's
    std::optional<std::pair<std::pair<EndpointId, ConnectionId>, ExportNames>> m_last;   // one-entry cache
};

/// The writer thread of one export: buffers in, a temporary file beside the target, renamed over
/// it by finish() once all is on disk. Errors in plain words (describeFileError).
class ExportSink {
public:
    enum class State : std::uint8_t { Writing, Finishing, Done, Failed, Cancelled };
    explicit ExportSink(std::filesystem::path path, std::size_t max_queued = 8u << 20);
    ~ExportSink();   ///< cancels an unfinished export (the temp file is removed), joins
    ExportSink(const ExportSink&) = delete;
    ExportSink& operator=(const ExportSink&) = delete;

    /// Whether write() may be called without growing the queue past its cap.
    bool room() const;
    void write(std::string bytes);
    /// No more data: flush, fsync, rename (on the thread; state() says when it is Done).
    void finish();
    void cancel();
    State state() const;
    std::string error() const;
    ErrorInfo errorInfo() const;   ///< the error in both languages (the GUI shows the user's)
    std::uint64_t written() const { return m_written.load(); }
    const std::filesystem::path& path() const { return m_path; }
    /// Blocks until the thread has nothing left to do (tests, shutdown).
    void wait();

private:
    void run();
    void fail(std::error_code ec, FileOp op, const std::filesystem::path& path);

    std::filesystem::path m_path, m_temp;
    std::size_t m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv, m_idle;
    std::deque<std::string> m_queue;
    std::size_t m_queued = 0;
    bool m_finish = false, m_cancel = false, m_busy = false;
    State m_state = State::Writing;
    ErrorInfo m_error;
    std::atomic<std::uint64_t> m_written{0};
    std::thread m_thread;   // last: starts after the members it uses exist
};

/// Which rows to export: a list of seqs (a selection, a filtered view), or every row in
/// [from, to) still kept.
struct ExportRows {
    std::vector<std::uint64_t> seqs;
    bool range = false;
    std::uint64_t from = 0, to = 0;
    std::size_t count() const { return range ? static_cast<std::size_t>(to - from) : seqs.size(); }
};

struct ExportRequest {
    std::filesystem::path path;
    ExportFormat format = ExportFormat::Csv;
    TextEncoding encoding = TextEncoding::Utf8;
    ExportRows rows;
};

/// One export: step() on the log's thread each frame, the writing on the sink's thread.
class LogExportJob {
public:
    LogExportJob(ExportRequest request, ExportLookup lookup);
    /// Formats rows for at most `budget` (or until the writer's queue is full); after the last row
    /// asks the sink to finish. Cheap once done.
    void step(const PayloadLog& log, std::chrono::microseconds budget = std::chrono::microseconds(6000));
    void cancel();
    bool finished() const;   ///< done, failed or cancelled
    ExportSink::State state() const { return m_sink.state(); }
    std::string error() const { return m_sink.error(); }
    ErrorInfo errorInfo() const { return m_sink.errorInfo(); }
    std::size_t total() const { return m_total; }
    std::size_t done() const { return m_done; }          ///< rows looked at
    std::size_t exported() const { return m_exported; }  ///< rows written
    std::size_t evicted() const { return m_evicted; }    ///< rows gone from the log before their turn
    std::size_t omitted() const { return m_omitted; }    ///< rows the format has nothing for
    std::uint64_t bytesWritten() const { return m_sink.written(); }
    const ExportRequest& request() const { return m_request; }
    void wait() { m_sink.wait(); }

private:
    ExportRequest m_request;
    LogExportFormatter m_formatter;
    ExportSink m_sink;
    std::string m_buffer;
    std::size_t m_total = 0, m_done = 0, m_exported = 0, m_evicted = 0, m_omitted = 0;
    std::uint64_t m_next = 0;   // range: next seq
    bool m_begun = false, m_ended = false;
};

}  // namespace sockscope
