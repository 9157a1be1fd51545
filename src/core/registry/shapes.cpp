#include "core/registry/shapes.hpp"

#include <array>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sockscope::registry {
namespace {

using K = KeyType;

constexpr std::array<ShapeKey, 7> kPayload{{
    {"text", K::String, {}, "Text with escapes (\\r \\n \\xHH) and templates ({{counter}})."},
    {"hex", K::String, {}, "Tolerant hex: spaces, commas, colons, 0x."},
    {"encoding", K::Choice, "encoding", "The bytes each character of text becomes."},
    {"escapes", K::Bool, {}, "Whether \\r, \\n, \\xHH... in text are escapes."},
    {"templates", K::Bool, {}, "Whether {{...}} are templates."},
    {"checksum", K::Variant, "checksum", "A checksum appended or inserted (an object or a type's name)."},
    {"line_ending", K::Choice, "line_ending", "Appended last, after the checksum."},
}};
constexpr std::array<ShapeKey, 5> kChecksum{{
    {"type", K::Choice, "checksum.type", "The algorithm."},
    {"order", K::Choice, "checksum.order", "The checksum's byte order."},
    {"start", K::Integer, {}, "Bytes left out of the checksum at the start."},
    {"end", K::Integer, {}, "Bytes left out of the checksum at the end."},
    {"at", K::Choice, "checksum.at", "Where the checksum goes."},
}};
constexpr std::array<ShapeKey, 7> kMatch{{
    {"text", K::String, {}, "Text to match (escapes allowed)."},
    {"hex", K::String, {}, "Hex to match; ?? matches any byte."},
    {"any", K::Bool, {}, "true: every message matches."},
    {"mode", K::Choice, "match.mode", "How the text or hex is compared."},
    {"encoding", K::Choice, "encoding", "The bytes the text becomes."},
    {"escapes", K::Bool, {}, "Whether \\r, \\n, \\xHH... in text are escapes."},
    {"ignore_case", K::Bool, {}, "ASCII letters match either case."},
}};
constexpr std::array<ShapeKey, 11> kFraming{{
    {"type", K::Choice, "framing.type", "How the stream is cut into messages."},
    {"delimiter", K::Variant, "framing.delimiter", "The bytes that end a message."},
    {"keep", K::Bool, {}, "Keep the delimiter at the end of each message."},
    {"length", K::Integer, "framing:length"},
    {"offset", K::Integer, "framing:offset"},
    {"size", K::Integer, {}, "The length field's width: 1, 2 or 4 bytes."},
    {"endian", K::Choice, "framing.endian", "The length field's byte order."},
    {"adjust", K::Integer, "framing:adjust"},
    {"gap_ms", K::Integer, "framing:gap_ms"},
    {"max", K::Integer, "framing:max"},
    {"on_error", K::Choice, "framing.on_error", "What a framing error does."},
}};
constexpr std::array<ShapeKey, 2> kDelimiter{{
    {"hex", K::String, {}, "The delimiter as hex."},
    {"text", K::String, {}, "The delimiter as text (its UTF-8 bytes)."},
}};
constexpr std::array<ShapeKey, 1> kCommand{{{"name", K::String, {}, "Unique within the endpoint."}}};
constexpr std::array<ShapeKey, 6> kTimer{{
    {"name", K::String, {}, "Unique within the endpoint."},
    {"every_ms", K::Integer, "sources:timers.every_ms"},
    {"count", K::Integer, "sources:timers.count"},
    {"auto_start", K::Bool, {}, "Start with the endpoint."},
    {"to", K::String, {}, "Where it sends: a connection, all, or a udp destination."},
    {"send", K::Object, "payload", "What it sends."},
}};
constexpr std::array<ShapeKey, 9> kRule{{
    {"name", K::String, {}, "Unique within the endpoint."},
    {"match", K::Object, "match", "Which messages it answers."},
    {"reply", K::Object, "payload", "What it answers (templates may use {{echo}}, {{rx[a:b]}})."},
    {"delay_ms", K::Integer, "rules:rules.delay_ms"},
    {"times", K::Variant, "rules:rules.times", "\"once\", \"always\" or a count."},
    {"close", K::Choice, "rules.close", "Close the connection after the reply."},
    {"continue", K::Bool, {}, "The rules after it still see the message."},
    {"enabled", K::Bool, {}, "false: kept, but does not answer."},
    {"faults", K::Object, "faults", "The rule's own fault injection."},
}};
constexpr std::array<ShapeKey, 5> kFaults{{
    {"delay_ms", K::Variant, "faults:delay_ms", "A delay, or a random one in [min, max]."},
    {"split", K::Object, "faults.split", "Sends leave in pieces."},
    {"drop", K::Number, "faults:drop"},
    {"duplicate", K::Number, "faults:duplicate"},
    {"seed", K::Integer, "faults:seed"},
}};
constexpr std::array<ShapeKey, 2> kSplit{{{"size", K::Integer, "faults:split.size"},
                                          {"gap_ms", K::Integer, "faults:split.gap_ms"}}};
constexpr std::array<ShapeKey, 2> kScript{{
    {"name", K::String, {}, "Unique within the endpoint."},
    {"steps", K::List, "step", "What it does, in order."},
}};
// A step is one of six objects, told apart by the key that names what it does.
constexpr std::array<ShapeKey, 1> kStep{{{"name", K::String, {}, "A label for reports."}}};
constexpr std::array<ShapeKey, 1> kStepSend{{{"send", K::Object, "payload", "Sends a payload."}}};
constexpr std::array<ShapeKey, 2> kStepExpect{{{"expect", K::Object, "match", "Waits for a matching message."},
                                               {"timeout_ms", K::Integer, "scripts:steps.timeout_ms"}}};
constexpr std::array<ShapeKey, 1> kStepWait{{{"wait_ms", K::Integer, "scripts:steps.wait_ms"}}};
constexpr std::array<ShapeKey, 2> kStepRepeat{{{"repeat", K::Integer, "scripts:steps.repeat"},
                                               {"steps", K::List, "step", "The steps repeated."}}};
constexpr std::array<ShapeKey, 2> kStepConnect{{{"connect", K::Variant, {}, "true: (re)connects a tcp-client; a tcp-server waits for its next client."},
                                                {"timeout_ms", K::Integer, "scripts:steps.timeout_ms"}}};
constexpr std::array<ShapeKey, 1> kStepClose{{{"close", K::Variant, "step.close.mode", "Closes the connection."}}};
constexpr std::array<ShapeKey, 1> kStepCloseMode{{{"mode", K::Choice, "steps.close", "How it closes."}}};

const std::array<Shape, 19> kShapes{{
    {"payload", kPayload},
    {"checksum", kChecksum},
    {"match", kMatch},
    {"framing", kFraming},
    {"framing.delimiter", kDelimiter},
    {"command", kCommand, "payload"},
    {"timer", kTimer},
    {"rule", kRule},
    {"faults", kFaults},
    {"faults.split", kSplit},
    {"script", kScript},
    {"step", kStep},
    {"step.send", kStepSend, "step"},
    {"step.expect", kStepExpect, "step"},
    {"step.wait", kStepWait, "step"},
    {"step.repeat", kStepRepeat, "step"},
    {"step.connect", kStepConnect, "step"},
    {"step.close", kStepClose, "step"},
    {"step.close.mode", kStepCloseMode},
}};

// The flat key lists, made once (readers ask for them per object).
const std::map<std::string_view, std::vector<std::string_view>>& keyLists() {
    static const auto lists = [] {
        std::map<std::string_view, std::vector<std::string_view>> out;
        for (const Shape& s : kShapes) {
            std::vector<std::string_view>& keys = out[s.name];
            for (const Shape* at = &s; at != nullptr; at = at->includes.empty() ? nullptr : &shape(at->includes))
                for (const ShapeKey& k : at->keys) keys.push_back(k.key);
        }
        return out;
    }();
    return lists;
}

}  // namespace

std::span<const Shape> shapes() { return kShapes; }

const Shape& shape(std::string_view name) {
    for (const Shape& s : kShapes)
        if (s.name == name) return s;
    throw std::logic_error("no shape " + std::string(name) + " in the registry");
}

std::span<const std::string_view> shapeKeys(std::string_view name) {
    const auto& lists = keyLists();
    const auto it = lists.find(name);
    if (it == lists.end()) throw std::logic_error("no shape " + std::string(name) + " in the registry");
    return it->second;
}

}  // namespace sockscope::registry
