#pragma once
// What a recorder writes: each event the engine reported, formatted on the writer thread into
// whole records (a text block, a JSON line, pcapng blocks, raw received bytes).
#include <cstdint>
#include <memory>
#include <string>

#include "core/endpoint_config.hpp"
#include "core/events.hpp"
#include "core/record/record_buffer.hpp"
#include "core/record/recording_config.hpp"

namespace sockscope {

/// An event as the tap saw it, with what the formats need that the event itself does not carry.
struct TapRecord {
    Event event;
    std::string endpoint;                        // the endpoint's name
    EndpointType type = EndpointType::TcpClient;
    std::string local;                           // tcp: the connection's local address; udp: the bound one
    std::string peer;                            // tcp: the connection's peer; udp: from the event
};

class RecordFormatter {
public:
    virtual ~RecordFormatter() = default;
    /// A new file begins (the first one, and after each rotation): its header, if the format has one.
    virtual void beginFile(std::string& /*out*/) {}
    /// Appends the record's bytes to `out` (nothing for events the format leaves out).
    virtual void append(const TapRecord& record, std::string& out) = 0;
    /// The same into a recorder's gather buffer: formats that carry payloads as they are
    /// (pcapng, raw) reference large ones instead of copying them.
    virtual void appendRecord(const TapRecord& record, RecordBuffer& out) { append(record, out.bytes()); }
    /// Bytes of `record`'s connection that were dropped before it (the writer was behind).
    virtual void gap(const TapRecord& /*record*/, std::uint64_t /*rx*/, std::uint64_t /*tx*/) {}
};

/// The formatter of a format, made through its tap kind's factory (registry::tapKinds()).
[[nodiscard]] std::unique_ptr<RecordFormatter> makeFormatter(RecordFormat format);

// Each tap kind's factory (its row in registry/endpoint_registry.cpp, kTapKinds).
[[nodiscard]] std::unique_ptr<RecordFormatter> makeTextFormatter();
[[nodiscard]] std::unique_ptr<RecordFormatter> makeJsonlFormatter();
[[nodiscard]] std::unique_ptr<RecordFormatter> makePcapngFormatter();
[[nodiscard]] std::unique_ptr<RecordFormatter> makeRawFormatter();
[[nodiscard]] std::unique_ptr<RecordFormatter> makeRawFramedFormatter();

}  // namespace sockscope
