#include "core/record/record_format.hpp"

#include "core/codec/escape.hpp"
#include "core/codec/hex.hpp"
#include "core/model/event_json.hpp"
#include "core/model/event_text.hpp"
#include "core/record/pcapng.hpp"
#include "core/registry/endpoint_registry.hpp"

namespace sockscope {
namespace {

/// Readable blocks: a header line per message, then its hexdump -C rows indented.
///   2026-11-25T08:30:00.123456Z  server  #3 rx  5 B
///     00000000  68 65 6c 6c 6f                                    |hello|
class TextFormatter final : public RecordFormatter {
public:
    void append(const TapRecord& record, std::string& out) override {
        const std::string endpoint = escapeText(record.endpoint.empty() ? "-" : record.endpoint);
        if (const auto* d = std::get_if<DataEvent>(&record.event)) {
            forEachMessage(*d, [&](std::span<const std::uint8_t> message) {
                out += rfc3339(d->time_us) + "  " + endpoint + "  ";
                if (d->connection) out += '#' + std::to_string(d->connection) + ' ';
                out += d->direction == Direction::Rx ? "rx" : "tx";
                if (!d->peer.empty()) out += ' ' + escapeText(d->peer);
                out += "  " + std::to_string(message.size()) + " B\n";
                for (std::size_t at = 0; at < message.size(); at += 16) {
                    out += "  ";
                    appendHexDumpRow(out, message, at);
                    out += '\n';
                }
            });
            return;
        }
        const auto text = describeEvent(record.event);
        if (!text) return;
        out += rfc3339(timeOf(record.event)) + "  " + endpoint + "  ";
        std::visit([&](const auto& e) {
            if constexpr (requires { e.connection; })
                if (e.connection) out += '#' + std::to_string(e.connection) + ' ';
        }, record.event);
        out += escapeText(*text) + '\n';
    }

private:
    static std::string escapeText(std::string_view text) {
        return escapeForDisplay(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    }
};

/// The headless `--log jsonl` lines: the same function makes both.
class JsonlFormatter final : public RecordFormatter {
public:
    void append(const TapRecord& record, std::string& out) override {
        if (const auto* d = std::get_if<DataEvent>(&record.event)) {
            forEachMessage(*d, [&](std::span<const std::uint8_t> message) {
                out += jsonLine(dataJson(*d, message, record.endpoint));
                out += '\n';
            });
            return;
        }
        const auto json = eventJson(record.event, {record.endpoint, record.type});
        if (json.empty()) return;
        out += jsonLine(json);
        out += '\n';
    }
};

/// Receive to file: received bytes only; framed puts a 4-byte big-endian length before each message.
class RawFormatter final : public RecordFormatter {
public:
    explicit RawFormatter(bool framed) : m_framed(framed) {}
    void append(const TapRecord& record, std::string& out) override {
        RecordBuffer flat(false);
        flat.bytes().swap(out);
        appendRecord(record, flat);
        out.swap(flat.bytes());
    }
    void appendRecord(const TapRecord& record, RecordBuffer& out) override {
        const auto* d = std::get_if<DataEvent>(&record.event);
        if (!d || d->direction != Direction::Rx) return;
        if (!m_framed) {
            forEachMessage(*d, [&](std::span<const std::uint8_t> message) {
                out.payload(message, &d->payload);
            });
            return;
        }
        forEachMessage(*d, [&](std::span<const std::uint8_t> message) {
            const auto n = static_cast<std::uint32_t>(message.size());
            const char length[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
            out.bytes().append(length, 4);
            out.payload(message, &d->payload);
        });
    }

private:
    bool m_framed;
};

}  // namespace

// The factories of the tap kinds (registry::tapKinds(): one row each).
std::unique_ptr<RecordFormatter> makeTextFormatter() { return std::make_unique<TextFormatter>(); }
std::unique_ptr<RecordFormatter> makeJsonlFormatter() { return std::make_unique<JsonlFormatter>(); }
std::unique_ptr<RecordFormatter> makePcapngFormatter() { return std::make_unique<pcapng::PcapngFormatter>(); }
std::unique_ptr<RecordFormatter> makeRawFormatter() { return std::make_unique<RawFormatter>(false); }
std::unique_ptr<RecordFormatter> makeRawFramedFormatter() { return std::make_unique<RawFormatter>(true); }

std::unique_ptr<RecordFormatter> makeFormatter(RecordFormat format) { return registry::tapKind(format).create(); }

}  // namespace sockscope
