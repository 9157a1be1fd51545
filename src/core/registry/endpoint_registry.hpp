#pragma once
// One registry of endpoint kinds, their configuration fields and their stages (docs/architecture.md,
// "Adding an endpoint kind, a field or a stage"). The profile loader/saver (profile/profile_json.cpp
// through registry/field_json.hpp), its validation and the endpoint editor all read these tables:
// a field's JSON key, type, range, default and the kinds it applies to are written down once, so the
// editor can no longer clamp to a range the loader refuses, nor the loader read a key the saver
// forgets.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/endpoint_config.hpp"
#include "core/types.hpp"

namespace sockscope {
class Endpoint;
struct EngineContext;
class RecordFormatter;  // record/record_format.hpp
class ResponderStage;   // session/responder.hpp
class SourceStage;      // session/source_stage.hpp
struct SourceContext;   // session/source_stage.hpp
struct StageContext;    // session/stages.hpp
}  // namespace sockscope

namespace sockscope::jsonio {
class Reader;
using Json = nlohmann::ordered_json;
}  // namespace sockscope::jsonio

namespace sockscope::registry {

/// A set of endpoint kinds, one bit per EndpointType.
using KindMask = std::uint8_t;
constexpr KindMask kindBit(EndpointType type) { return static_cast<KindMask>(1u << static_cast<unsigned>(type)); }
constexpr KindMask kTcpServer = kindBit(EndpointType::TcpServer);
constexpr KindMask kTcpClient = kindBit(EndpointType::TcpClient);
constexpr KindMask kUdp = kindBit(EndpointType::Udp);
constexpr KindMask kTcp = kTcpServer | kTcpClient;
constexpr KindMask kAllKinds = kTcp | kUdp;

/// Creates the engine's endpoint of a kind (on the I/O thread; net/endpoint.cpp's makeEndpoint).
using EndpointFactory = std::shared_ptr<Endpoint> (*)(EngineContext& context, EndpointId id, EndpointConfig config);

/// One endpoint kind: its JSON name, how it is shown, what it requires and how it is created.
struct KindDescriptor {
    EndpointType type;
    std::string_view name;              // the profile's "type": "tcp-server"
    std::string_view display;           // English; the GUI shows its own translation per type
    const char* bind_missing = nullptr;     // the error when "bind" is empty; nullptr: optional
    const char* remote_missing = nullptr;   // the same for "remote"
    EndpointFactory create = nullptr;
};

/// Every kind, in EndpointType order (the editor's type combo lists them so).
std::span<const KindDescriptor> kinds();
const KindDescriptor& kind(EndpointType type);
const KindDescriptor* findKind(std::string_view name);
/// R"(expected "tcp-server", "tcp-client" or "udp")": the loader's message, from the table.
std::string kindChoices();

using StageRead = void (*)(jsonio::Reader& r, const jsonio::Json& endpoint, const std::string& path,
                           EndpointConfig& out);
using StageWrite = void (*)(const EndpointConfig& config, jsonio::Json& endpoint);
/// Adds the stage's responders for an endpoint (nothing when its configuration is empty); `out` is
/// the endpoint's ResponderStages, in registry order.
using StageFactory = void (*)(const StageContext& context, std::vector<std::shared_ptr<ResponderStage>>& out);
/// Makes a source of traffic of an endpoint (session/source_stage.hpp), once when the endpoint is
/// made; a source with nothing configured stays idle.
using SourceFactory = std::unique_ptr<SourceStage> (*)(const SourceContext& context);

/// A numeric field inside a stage's JSON ("framing": {"length": ...}, a timer's "every_ms"): its
/// range, read by the stage's JSON reader and by the editor's widget for it, so the two cannot
/// disagree. Integers use min..max; numbers (`real`) use min_d..max_d.
struct StageField {
    std::string_view key;          // its place in the stage: "length", "split.size", "timers.every_ms"
                                   // (the JSON key is the last part; list items are not numbered)
    std::int64_t min = 0, max = 0;
    const char* help = "";
    std::int64_t udp_max = 0;      // > 0: a smaller maximum on a udp endpoint (one datagram)
    bool real = false;             // a number, not an integer
    double min_d = 0, max_d = 0;
    const char* range_text = "";   // real: "from 0 to 1" in "expected a number from 0 to 1"

    /// The JSON key (the last part of `key`; a suffix of the literal, so null-terminated).
    [[nodiscard]] const char* jsonKey() const;
    [[nodiscard]] std::int64_t maxFor(bool udp) const { return udp && udp_max > 0 ? udp_max : max; }
};

/// A stage of an endpoint's session (echo, framing, sources, rules, scripts, receive_to_file,
/// faults): the endpoint keys it owns, how they are read and written, and how it is made. Its nested
/// objects' keys are registry/shapes.hpp's, their enumerated strings registry/choices.hpp's; `fields`
/// gives the ranges of its numeric fields, which the reader enforces (profile/stage_field_json.hpp)
/// and every view that edits one clamps to (ui/views/endpoint_editor_fields.hpp: stageInputInt).
struct StageDescriptor {
    std::string_view name;                     // "framing", "sources", ...
    std::span<const std::string_view> keys;    // the endpoint's JSON keys it reads and writes
    StageRead read;                            // nullptr: its switch is a plain endpoint field
    StageWrite write;                          //   (echo: the Bool row "echo" in endpointFields())
    std::span<const StageField> fields = {};   // its numeric fields
    StageFactory create = nullptr;             // a responder stage: how the endpoint makes it
    SourceFactory source = nullptr;            // a source stage: how the endpoint makes it.
                                               // Neither: made elsewhere (framing per session,
                                               // faults by the endpoint, receive_to_file by the
                                               // recording hub from its tap kind, tapKinds())
};

/// Every stage. Responder and source stages are made in this order (echo, rules, scripts: the chain's
/// order); the endpoint's table places each stage's keys where the saved file has them.
std::span<const StageDescriptor> stages();
const StageDescriptor* findStage(std::string_view name);
/// A section of the profile outside the endpoints ("recording") with numeric fields of its own.
struct SectionDescriptor {
    std::string_view name;
    std::span<const StageField> fields;
};
std::span<const SectionDescriptor> profileSections();
/// The field with this key of a stage or a profile section; throws std::logic_error when there is
/// none (a programming error).
const StageField& stageField(std::string_view stage, std::string_view key);

/// Makes the formatter of a recorder (record/record_format.hpp), on the recorder's writer thread.
using TapFactory = std::unique_ptr<RecordFormatter> (*)();

/// A kind of tap on the engine's event queue: a recorder format (docs/profile-format.md,
/// "recording"). The recording hub makes every recorder through its kind's factory.
struct TapDescriptor {
    RecordFormat format;
    std::string_view name;                         // "pcapng": the profile's "format", the status's
    std::span<const std::string_view> extensions;  // file names that imply it ("pcapng"); none: say "format"
    bool wire;                  // takes the bytes as they crossed the wire, not the framer's messages
    bool recording;             // a profile's "recording" may name it (false: receive_to_file's own)
    bool append;                // appends to an existing file instead of rotating to a fresh one
    TapFactory create;
    const char* help = "";
};

/// Every tap kind; the recording formats first, in the order the editor's combo lists them.
std::span<const TapDescriptor> tapKinds();
/// The kind of a format (every RecordFormat has one).
const TapDescriptor& tapKind(RecordFormat format);
const TapDescriptor* findTapKind(std::string_view name);
/// R"("pcapng", "jsonl" or "text")": the recording formats a profile may name, from the table.
std::string recordingFormatChoices();

enum class FieldType : std::uint8_t {
    Bool,
    Int,            // min..max; the C++ member may be int, size_t or uint32
    Double,         // min_d..max_d
    String,
    Address,        // "host:port" (empty allowed; the kind says when it is required)
    OptionalInt,    // null = unset
    OptionalBool,   // null = unset
    Custom,         // read/write by its own functions (name, type, lists, rules between fields)
    Stage,          // the keys of a StageDescriptor
};

template <typename T>
using Ref = T& (*)(EndpointConfig&);
/// Where the value lives in EndpointConfig: a function returning a reference to the member.
using FieldAccess = std::variant<std::monostate, Ref<bool>, Ref<int>, Ref<std::size_t>, Ref<std::uint32_t>,
                                 Ref<double>, Ref<std::string>, Ref<std::optional<int>>, Ref<std::optional<bool>>>;

/// One configuration field of an endpoint.
struct FieldDescriptor {
    std::string_view key;     // JSON path from the endpoint object: "options.keepalive.idle_s"
    FieldType type;
    KindMask kinds;           // the kinds it means something for (the editor shows it only there;
                              // the profile keeps one shape and saves every field for every kind)
    FieldAccess access{};
    std::int64_t min = 0, max = 0;   // Int, OptionalInt
    double min_d = 0, max_d = 0;     // Double
    const char* range_text = "";     // Double: "from 0 to 1" in "expected a number from 0 to 1"
    const char* help = "";           // one sentence: what it does (docs/profile-format.md says more)
    StageRead read = nullptr;        // Custom: reads its key(s), or checks a rule between fields
    StageWrite write = nullptr;      // Custom: writes its key (nullptr: a check, nothing to write)
    const StageDescriptor* stage = nullptr;   // Stage
};

/// The endpoint's fields in JSON order (the order saved files have): what the loader reads, the
/// saver writes and the editor draws.
std::span<const FieldDescriptor> endpointFields();
/// The field with this key, or nullptr.
const FieldDescriptor* findField(std::string_view key);
/// findField that throws std::logic_error for a key the table does not have (a programming error).
const FieldDescriptor& field(std::string_view key);

/// Whether the field applies to the kind (the editor draws it, the round-trip test sets it).
inline bool appliesTo(const FieldDescriptor& f, EndpointType type) { return (f.kinds & kindBit(type)) != 0; }

// Typed access through the table. Int/OptionalInt as int64 (an unset optional reads as nullopt).
std::optional<std::int64_t> intValue(const FieldDescriptor& f, const EndpointConfig& c);
void setInt(const FieldDescriptor& f, EndpointConfig& c, std::optional<std::int64_t> value);
bool boolValue(const FieldDescriptor& f, const EndpointConfig& c);
void setBool(const FieldDescriptor& f, EndpointConfig& c, bool value);
/// OptionalBool: nullopt = unset.
std::optional<bool> optionalBoolValue(const FieldDescriptor& f, const EndpointConfig& c);
void setOptionalBool(const FieldDescriptor& f, EndpointConfig& c, std::optional<bool> value);
double doubleValue(const FieldDescriptor& f, const EndpointConfig& c);
void setDouble(const FieldDescriptor& f, EndpointConfig& c, double value);
std::string stringValue(const FieldDescriptor& f, const EndpointConfig& c);
void setString(const FieldDescriptor& f, EndpointConfig& c, std::string value);

/// A value brought into the field's range: what an editor does with what the user typed, so it
/// keeps exactly what the loader accepts (NaN becomes the minimum).
std::int64_t clampInt(const FieldDescriptor& f, std::int64_t value);
double clampDouble(const FieldDescriptor& f, double value);

}  // namespace sockscope::registry
