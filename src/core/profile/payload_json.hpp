#pragma once
// A payload (codec/payload_template.hpp) as JSON: the one place where profiles (commands,
// on_connect, timers, rules, scripts) and the headless command channel read and write it.
//   { "hex": "01 03 00 00 00 01", "checksum": { "type": "crc16-modbus", "order": "little" } }
//   { "text": "HB {{counter:04}}\r\n", "encoding": "utf-8" }
// Every field is documented in docs/profile-format.md ("Payloads").
#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec/payload_template.hpp"
#include "core/profile/json_reader.hpp"
#include "core/registry/shapes.hpp"

namespace sockscope {

// The keys a payload object may hold are the registry's shape "payload" (registry/shapes.hpp;
// its "checksum" is the shape "checksum"): readers pass registry::shapeKeys("payload") to checkKeys.

/// Reads the payload fields of `object` into `out`, reporting problems to `r` under `path`
/// ("commands[0].checksum.type: unknown checksum 'crc17'; expected one of crc8, ..."). The body is
/// compiled, so a bad hex digit or template is reported at load ("on_connect.hex: at character 5:
/// 'G' is not a hex digit"). Unknown keys are not checked here: the object may hold the caller's
/// keys too ("name", "endpoint"); pass registry::shapeKeys("payload") plus those to r.checkKeys.
/// False on any error.
bool readPayload(jsonio::Reader& r, const jsonio::Json& object, const std::string& path, PayloadSpec& out);

/// Adds the payload's keys to `object`: the body key and the fields that differ from their
/// defaults (a checksum always with its type and, when not conventional, its order).
void writePayload(const PayloadSpec& spec, jsonio::Json& object);
jsonio::Json payloadToJson(const PayloadSpec& spec);

struct PayloadJsonResult {
    std::optional<PayloadSpec> payload;   // set when there was no error
    std::string error;                    // one line per problem, each naming its path
    std::vector<std::string> warnings;    // unknown keys
};

/// One payload object on its own (a command channel line's "send", a test): unknown keys other
/// than the shape "payload" and `extra_keys` are warnings. `source` prefixes messages when not empty.
PayloadJsonResult payloadFromJson(const jsonio::Json& value, const std::string& path,
                                  std::initializer_list<std::string_view> extra_keys = {},
                                  std::string_view source = "");

}  // namespace sockscope
