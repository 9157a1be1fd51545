#include "core/model/log_export.hpp"

#include <cerrno>
#include <cstdio>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "core/model/event_json.hpp"
#include "core/model/log_recorder.hpp"
#include "core/record/rotating_file.hpp"
#include "core/util/atomic_file.hpp"

namespace sockscope {
namespace fs = std::filesystem;

const char* toString(ExportFormat format) {
    switch (format) {
        case ExportFormat::Csv: return "csv";
        case ExportFormat::Jsonl: return "jsonl";
        case ExportFormat::Text: return "text";
        case ExportFormat::Pcapng: return "pcapng";
    }
    return "csv";
}

const char* extensionOf(ExportFormat format) {
    switch (format) {
        case ExportFormat::Csv: return ".csv";
        case ExportFormat::Jsonl: return ".jsonl";
        case ExportFormat::Text: return ".txt";
        case ExportFormat::Pcapng: return ".pcapng";
    }
    return ".csv";
}

void appendCsvField(std::string& out, std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(field);
        return;
    }
    out += '"';
    for (const char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

// ---- formatter ----

namespace {
bool isData(LogKind kind) { return kind == LogKind::Rx || kind == LogKind::Tx; }
const char* directionText(LogKind kind) {
    switch (kind) {
        case LogKind::Rx: return "rx";
        case LogKind::Tx: return "tx";
        case LogKind::Info: return "info";
        case LogKind::Error: return "error";
    }
    return "info";
}
std::string_view asText(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
RecordFormat recordFormatOf(ExportFormat format) {
    switch (format) {
        case ExportFormat::Jsonl: return RecordFormat::Jsonl;
        case ExportFormat::Pcapng: return RecordFormat::Pcapng;
        default: return RecordFormat::Text;
    }
}
}  // namespace

LogExportFormatter::LogExportFormatter(ExportFormat format, TextEncoding encoding, ExportLookup lookup)
    : m_format(format), m_encoding(encoding), m_lookup(std::move(lookup)) {
    if (format != ExportFormat::Csv) m_record = makeFormatter(recordFormatOf(format));
}

LogExportFormatter::~LogExportFormatter() = default;

void LogExportFormatter::begin(std::string& out) {
    if (m_format == ExportFormat::Csv) out += kCsvHeader;
    if (m_record) m_record->beginFile(out);
}

const ExportNames& LogExportFormatter::names(EndpointId endpoint, ConnectionId connection) {
    const auto key = std::make_pair(endpoint, connection);
    if (!m_last || m_last->first != key) {
        ExportNames n = m_lookup ? m_lookup(endpoint, connection) : ExportNames{};
        if (n.endpoint.empty() && endpoint != 0) n.endpoint = "#" + std::to_string(endpoint);
        m_last.emplace(key, std::move(n));
    }
    return m_last->second;
}

void LogExportFormatter::appendCsv(const PayloadLog& log, const LogRecord& r, const ExportNames& n, std::string& out) {
    const auto bytes = log.bytes(r);
    out += rfc3339(r.time_us);
    out += ',';
    appendCsvField(out, n.endpoint);
    out += ',';
    if (r.connection != 0) out += std::to_string(r.connection);
    out += ',';
    out += directionText(r.kind);
    out += ',';
    // A datagram's own sender/destination; a TCP row's connection peer (a spreadsheet says who
    // sent what without joining on connection ids).
    const std::string_view peer = log.peer(r);
    appendCsvField(out, !peer.empty() || r.connection == 0 ? std::string(peer) : n.peer);
    out += ',';
    if (isData(r.kind)) out += std::to_string(r.length);   // an event row has no payload length
    out += ',';
    if (isData(r.kind)) {
        out += formatHex(bytes, HexStyle::SpacedUpper);
        out += ',';
        appendCsvField(out, decodeForDisplay(bytes, m_encoding));
    } else {
        out += ',';
        appendCsvField(out, escapeForDisplay(bytes));   // our own UTF-8 text, controls escaped
    }
    out += "\r\n";
}

bool LogExportFormatter::append(const PayloadLog& log, const LogRecord& r, std::string& out) {
    const ExportNames& n = names(r.endpoint, r.connection);
    if (m_format == ExportFormat::Csv) {
        appendCsv(log, r, n, out);
        return true;
    }
    const auto bytes = log.bytes(r);
    if (isData(r.kind)) {
        // The recorder's own formatters: a row is the event it came from, one message, with the
        // local address a datagram was sent to on a wildcard bind (as the live recorder has it).
        Bytes payload(bytes.begin(), bytes.end());
        const std::string_view stripped = log.stripped(r);
        // pcapng shows the wire: the delimiter the framer stripped (keep false) follows the
        // message again, so a TCP stream reads back as it was sent. The other formats show the
        // message, as the log does.
        if (m_format == ExportFormat::Pcapng) payload.insert(payload.end(), stripped.begin(), stripped.end());
        DataEvent event{r.endpoint, r.connection, r.kind == LogKind::Rx ? Direction::Rx : Direction::Tx,
                        r.time_us, std::string(log.peer(r)), std::move(payload)};
        event.local = std::string(log.local(r));
        m_record->append(TapRecord{std::move(event), n.endpoint, n.type, n.local, n.peer}, out);
        return true;
    }
    switch (m_format) {
        case ExportFormat::Jsonl: {
            nlohmann::ordered_json line{{"time", rfc3339(r.time_us)}, {"endpoint", n.endpoint},
                                        {"event", directionText(r.kind)}};
            if (r.connection) line["conn"] = r.connection;
            line["message"] = std::string(asText(bytes));
            out += jsonLine(line);
            out += '\n';
            return true;
        }
        case ExportFormat::Text:
            out += rfc3339(r.time_us) + "  " + escapeForDisplay(std::span(
                reinterpret_cast<const std::uint8_t*>(n.endpoint.data()), n.endpoint.size())) + "  ";
            if (r.connection) out += '#' + std::to_string(r.connection) + ' ';
            out += escapeForDisplay(bytes);
            out += '\n';
            return true;
        case ExportFormat::Pcapng:
            // The handshake, FIN and RST rows become packets; other event rows have none.
            if (auto event = lifecycleEvent(r, log.peer(r))) {
                m_record->append(TapRecord{std::move(*event), n.endpoint, n.type, n.local, n.peer}, out);
                return true;
            }
            return false;
        default: return false;
    }
}

// ---- sink ----

namespace {
fs::path tempPathFor(const fs::path& target) {
    static std::atomic<unsigned> counter{0};
    return target.parent_path() / ("." + target.filename().string() + ".export-" + std::to_string(counter++));
}
std::error_code lastError() { return {errno, std::generic_category()}; }
int syncFile(std::FILE* file) {
#ifdef _WIN32
    return _commit(_fileno(file));
#else
    return ::fsync(fileno(file));
#endif
}
}  // namespace

ExportSink::ExportSink(fs::path path, std::size_t max_queued)
    : m_path(followLinks(path)), m_temp(tempPathFor(m_path)), m_maxQueued(max_queued), m_thread([this] { run(); }) {}

ExportSink::~ExportSink() {
    cancel();
    m_thread.join();
}

bool ExportSink::room() const {
    std::lock_guard lock(m_mutex);
    return m_queued < m_maxQueued;
}

void ExportSink::write(std::string bytes) {
    if (bytes.empty()) return;
    std::lock_guard lock(m_mutex);
    if (m_state != State::Writing || m_finish) return;
    m_queued += bytes.size();
    m_queue.push_back(std::move(bytes));
    m_cv.notify_one();
}

void ExportSink::finish() {
    std::lock_guard lock(m_mutex);
    m_finish = true;
    if (m_state == State::Writing) m_state = State::Finishing;
    m_cv.notify_one();
}

void ExportSink::cancel() {
    std::lock_guard lock(m_mutex);
    m_cancel = true;
    m_cv.notify_one();
}

ExportSink::State ExportSink::state() const {
    std::lock_guard lock(m_mutex);
    return m_state;
}

std::string ExportSink::error() const {
    std::lock_guard lock(m_mutex);
    return m_error.message;
}

ErrorInfo ExportSink::errorInfo() const {
    std::lock_guard lock(m_mutex);
    return m_error;
}

void ExportSink::wait() {
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [&] {
        return m_state == State::Done || m_state == State::Failed || m_state == State::Cancelled ||
               (!m_busy && m_queue.empty() && !m_finish && !m_cancel);
    });
}

void ExportSink::fail(std::error_code ec, FileOp op, const fs::path& path) {
    std::lock_guard lock(m_mutex);
    m_error = describeFileError(ec, path.string(), op);
    m_state = State::Failed;
    m_queue.clear();
    m_queued = 0;
}

void ExportSink::run() {
    std::FILE* file = std::fopen(m_temp.string().c_str(), "wb");
    const std::error_code open_error = file ? std::error_code{} : lastError();
    if (file) std::setvbuf(file, nullptr, _IONBF, 0);   // our buffers are whole chunks already
    if (!file) fail(open_error, FileOp::Write, m_path);
    while (file) {
        std::string chunk;
        bool finish = false, cancel = false;
        {
            std::unique_lock lock(m_mutex);
            m_busy = false;
            m_idle.notify_all();
            m_cv.wait(lock, [&] { return !m_queue.empty() || m_finish || m_cancel; });
            cancel = m_cancel;
            if (!cancel && !m_queue.empty()) {
                chunk = std::move(m_queue.front());
                m_queue.pop_front();
                m_queued -= chunk.size();
            } else {
                finish = m_finish && m_queue.empty();
            }
            m_busy = true;
        }
        if (cancel) {
            std::fclose(file);
            std::error_code ignored;
            fs::remove(m_temp, ignored);
            std::lock_guard lock(m_mutex);
            if (m_state != State::Done && m_state != State::Failed) m_state = State::Cancelled;
            break;
        }
        if (!chunk.empty()) {
            if (std::fwrite(chunk.data(), 1, chunk.size(), file) != chunk.size()) {
                const std::error_code ec = lastError();
                std::fclose(file);
                file = nullptr;
                std::error_code ignored;
                fs::remove(m_temp, ignored);
                fail(ec ? ec : std::make_error_code(std::errc::io_error), FileOp::Write, m_path);
                break;
            }
            m_written += chunk.size();
            continue;
        }
        if (finish) {
            std::error_code ec;
            if (std::fflush(file) != 0 || syncFile(file) != 0) ec = lastError();
            if (std::fclose(file) != 0 && !ec) ec = lastError();
            file = nullptr;
            if (!ec) fs::rename(m_temp, m_path, ec);
            if (ec) {
                std::error_code ignored;
                fs::remove(m_temp, ignored);
                fail(ec, FileOp::Write, m_path);
            } else {
                std::lock_guard lock(m_mutex);
                m_state = State::Done;
            }
            break;
        }
    }
    std::lock_guard lock(m_mutex);
    m_busy = false;
    m_idle.notify_all();
}

// ---- job ----

LogExportJob::LogExportJob(ExportRequest request, ExportLookup lookup)
    : m_request(std::move(request)),
      m_formatter(m_request.format, m_request.encoding, std::move(lookup)),
      m_sink(m_request.path) {
    m_total = m_request.rows.count();
    m_next = m_request.rows.from;
}

void LogExportJob::step(const PayloadLog& log, std::chrono::microseconds budget) {
    if (m_ended) return;
    if (m_sink.state() != ExportSink::State::Writing) {   // failed on the writer thread
        m_ended = true;
        return;
    }
    const auto start = std::chrono::steady_clock::now();
    constexpr std::size_t kChunk = 1u << 20;
    if (!m_begun) {
        m_formatter.begin(m_buffer);
        m_begun = true;
    }
    const ExportRows& rows = m_request.rows;
    auto one = [&](std::uint64_t seq) {
        const std::size_t i = log.indexOfSeq(seq);
        if (i == PayloadLog::npos) ++m_evicted;
        else if (m_formatter.append(log, log.record(i), m_buffer)) ++m_exported;
        else ++m_omitted;
        ++m_done;
    };
    std::size_t n = 0;
    while (m_done < m_total) {
        if (rows.range) {
            // Walk records, not seqs: gaps (oversized drops) and evictions are skipped in one go.
            if (m_next < log.firstSeq()) {
                const std::uint64_t gone = std::min(log.firstSeq(), rows.to) - m_next;
                m_evicted += gone;
                m_done += gone;
                m_next += gone;
                continue;
            }
            const std::size_t i = log.lowerBound(m_next);
            if (i >= log.size() || log.record(i).seq >= rows.to) {
                m_done = m_total;   // the rest was never written (cleared log)
                break;
            }
            const LogRecord& r = log.record(i);
            m_done += r.seq - m_next;   // a gap of seqs: nothing there
            if (m_formatter.append(log, r, m_buffer)) ++m_exported;
            else ++m_omitted;
            ++m_done;
            m_next = r.seq + 1;
        } else {
            one(rows.seqs[m_done]);
        }
        if (m_buffer.size() >= kChunk) {
            m_sink.write(std::move(m_buffer));
            m_buffer = std::string();
            if (!m_sink.room()) break;
        }
        if ((++n & 255) == 0 && std::chrono::steady_clock::now() - start >= budget) break;
    }
    if (m_done >= m_total) {
        if (!m_buffer.empty()) m_sink.write(std::move(m_buffer));
        m_buffer = std::string();
        m_sink.finish();
        m_ended = true;
    }
}

void LogExportJob::cancel() {
    m_ended = true;
    m_sink.cancel();
}

bool LogExportJob::finished() const {
    const ExportSink::State s = m_sink.state();
    return s == ExportSink::State::Done || s == ExportSink::State::Failed || s == ExportSink::State::Cancelled;
}

}  // namespace sockscope
