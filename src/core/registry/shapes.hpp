#pragma once
// The shapes of the stages' nested objects (a payload, its checksum, a match, a timer, a rule, a
// script step, ...): the keys each may hold, what each holds and where its allowed values are
// written down (a choice table, a numeric StageField, another shape). The profile readers warn
// about a key outside its shape with these lists ("unknown key ... (ignored; did you mean ...?)"),
// docs/profile-format.md documents every key (tests/core/registry/shapes_test.cpp checks both that
// and that the writer writes no key outside its shape).
#include <cstdint>
#include <span>
#include <string_view>

namespace sockscope::registry {

enum class KeyType : std::uint8_t {
    Bool,
    Integer,   // ref: "stage:key" of its StageField when the registry holds its range
    Number,    // the same
    String,
    Choice,    // ref: its choice table (registry/choices.hpp)
    Object,    // ref: its shape
    List,      // an array of ref's shape
    Variant,   // more than one form (a checksum's "crc16-modbus" shorthand, "times": "once" or 3);
               // ref: the object form's shape, if any
};

struct ShapeKey {
    std::string_view key;
    KeyType type;
    std::string_view ref = {};
    const char* help = "";
};

struct Shape {
    std::string_view name;            // "payload", "checksum", "timer", "step.expect", ...
    std::span<const ShapeKey> keys;   // its own keys
    std::string_view includes = {};   // a shape whose keys it holds too (a command is a named payload)
};

/// Every shape.
std::span<const Shape> shapes();
/// The shape named so; throws std::logic_error for a name there is none of (a programming error).
const Shape& shape(std::string_view name);
/// Every key the shape allows (its own, then its included shape's): what a reader's checkKeys takes.
std::span<const std::string_view> shapeKeys(std::string_view name);

}  // namespace sockscope::registry
