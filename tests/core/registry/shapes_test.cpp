// The shapes of the stages' nested objects (registry/shapes.hpp) are the whole truth about their
// keys: every reference resolves, docs/profile-format.md documents every key and every choice,
// and a profile using every object is written back with no key outside its shape.
#include "core/registry/shapes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/profile/profile.hpp"
#include "core/registry/choices.hpp"
#include "core/registry/endpoint_registry.hpp"

namespace sockscope {
namespace {

using registry::KeyType;
using Json = nlohmann::ordered_json;

std::string profileFormatDoc() {
    std::ifstream in(std::string(SOCKSCOPE_SOURCE_DIR) + "/docs/profile-format.md");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(Shapes, EveryReferenceResolves) {
    for (const registry::Shape& shape : registry::shapes()) {
        if (!shape.includes.empty()) {
            EXPECT_NO_THROW((void)registry::shape(shape.includes)) << shape.name;
        }
        for (const registry::ShapeKey& k : shape.keys) {
            SCOPED_TRACE(std::string(shape.name) + "." + std::string(k.key));
            const std::size_t colon = k.ref.find(':');
            if (colon != std::string_view::npos) {   // a numeric field with its range in the registry
                EXPECT_NO_THROW((void)registry::stageField(k.ref.substr(0, colon), k.ref.substr(colon + 1)));
                EXPECT_STREQ(registry::stageField(k.ref.substr(0, colon), k.ref.substr(colon + 1)).jsonKey(),
                             std::string(k.key).c_str());
            } else if (k.type == KeyType::Choice) {
                EXPECT_NO_THROW((void)registry::choices(k.ref));
            } else if (!k.ref.empty()) {
                EXPECT_NO_THROW((void)registry::shape(k.ref));
            }
            if (colon == std::string_view::npos) {
                EXPECT_STRNE(k.help, "");
            }
        }
    }
    EXPECT_THROW((void)registry::shapeKeys("no.such"), std::logic_error);
    // A command is a named payload: its own key, then the payload's.
    const auto command = registry::shapeKeys("command");
    EXPECT_EQ(command.size(), 1 + registry::shapeKeys("payload").size());
}

TEST(Shapes, TheProfileFormatDocumentsEveryKeyAndChoice) {
    const std::string doc = profileFormatDoc();
    ASSERT_FALSE(doc.empty());
    // A key is documented as `key` in a table, or in its JSON form ({"repeat": N, ...}: the steps).
    for (const registry::Shape& shape : registry::shapes())
        for (const registry::ShapeKey& k : shape.keys) {
            const std::string key(k.key);
            EXPECT_TRUE(doc.find("`" + key + "`") != std::string::npos || doc.find("{\"" + key + "\":") != std::string::npos)
                << shape.name << "." << key;
        }
    for (const registry::ChoiceTable& table : registry::choiceTables())
        for (const registry::Choice& c : table.items) {
            const std::string name(c.name);
            EXPECT_TRUE(doc.find("`" + name + "`") != std::string::npos ||
                        doc.find("`\"" + name + "\"`") != std::string::npos)
                << table.key << ": " << name;
        }
}

// A profile using every nested object, as the readers accept it.
constexpr const char* kEverything = R"({"version": 1, "endpoints": [
 {"name": "c", "type": "tcp-client", "remote": "127.0.0.1:1",
  "framing": {"type": "length", "offset": 4, "size": 2, "endian": "little", "adjust": 6, "max": 260, "on_error": "close"},
  "on_connect": {"text": "hi {{counter}}", "encoding": "latin-1", "escapes": false, "templates": true, "line_ending": "crlf",
                 "checksum": {"type": "crc16-modbus", "order": "big", "start": 1, "end": 1, "at": "range-end"}},
  "commands": [{"name": "read", "hex": "01 03", "checksum": "crc16-modbus"}],
  "timers": [{"name": "hb", "every_ms": 100, "count": 3, "auto_start": true, "to": "all", "send": {"text": "HB"}}],
  "rules": [{"name": "r", "match": {"text": "ping", "mode": "prefix", "encoding": "ascii", "escapes": false, "ignore_case": true},
             "reply": {"text": "pong"}, "delay_ms": 5, "times": 3, "close": "fin", "continue": true, "enabled": false,
             "faults": {"delay_ms": [1, 2], "split": {"size": 2, "gap_ms": 1}, "drop": 0.5, "duplicate": 0.25, "seed": 7}}],
  "faults": {"delay_ms": 3, "split": {"size": 4, "gap_ms": 2}, "drop": 0.1, "duplicate": 0.1, "seed": 1},
  "scripts": [{"name": "s", "steps": [
     {"connect": true, "timeout_ms": 100, "name": "c"},
     {"send": {"hex": "01"}, "name": "s"},
     {"expect": {"any": true}, "timeout_ms": 50},
     {"wait_ms": 5},
     {"repeat": 2, "steps": [{"send": {"text": "x"}}]},
     {"close": {"mode": "half-close"}}]}]},
 {"name": "d", "type": "tcp-server", "bind": "127.0.0.1:1",
  "framing": {"type": "delimiter", "delimiter": {"hex": "0d 0a"}, "keep": true, "max": 100}}]})";

struct ShapeWalker {
    std::set<std::string> seen;

    const registry::ShapeKey* find(std::string_view shape_name, std::string_view key) {
        for (const registry::Shape* s = &registry::shape(shape_name); s != nullptr;
             s = s->includes.empty() ? nullptr : &registry::shape(s->includes))
            for (const registry::ShapeKey& k : s->keys)
                if (k.key == key) return &k;
        return nullptr;
    }
    static std::string stepShape(const Json& step) {
        for (const char* kind : {"send", "expect", "repeat", "connect", "close"})
            if (step.contains(kind)) return std::string("step.") + kind;
        return "step.wait";
    }
    void walk(const Json& object, std::string_view shape_name, const std::string& path) {
        ASSERT_TRUE(object.is_object()) << path;
        seen.insert(std::string(shape_name));
        for (const auto& [key, value] : object.items()) {
            const registry::ShapeKey* k = find(shape_name, key);
            ASSERT_NE(k, nullptr) << path << ": the writer wrote \"" << key << "\", not in the shape " << shape_name;
            if (k->ref.empty() || k->ref.find(':') != std::string_view::npos || k->type == KeyType::Choice) continue;
            if (k->type == KeyType::List) {
                for (const Json& item : value) walk(item, k->ref == "step" ? stepShape(item) : std::string(k->ref), path + "." + key);
            } else if (value.is_object()) {   // an Object, or a Variant written as its object form
                walk(value, k->ref, path + "." + key);
            }
        }
    }
};

TEST(Shapes, TheWriterWritesOnlyKeysOfTheShapes) {
    const ProfileLoadResult read = parseProfile(kEverything, "all.json");
    ASSERT_TRUE(read.profile) << read.error;
    EXPECT_TRUE(read.warnings.empty()) << read.warnings.front();
    const Json saved = profileToJson(*read.profile);
    ShapeWalker walker;
    for (const Json& endpoint : saved["endpoints"]) {
        walker.walk(endpoint["framing"], "framing", "framing");
        if (endpoint.contains("on_connect")) walker.walk(endpoint["on_connect"], "payload", "on_connect");
        if (endpoint.contains("faults")) walker.walk(endpoint["faults"], "faults", "faults");
        for (const auto& [list, shape] : {std::pair{"commands", "command"}, std::pair{"timers", "timer"},
                                          std::pair{"rules", "rule"}, std::pair{"scripts", "script"}})
            if (endpoint.contains(list))
                for (const Json& item : endpoint[list]) walker.walk(item, shape, list);
    }
    // Every shape was written at least once (the profile above uses every object), but "step" (only
    // included) and a close step's {"mode": ...} (read; the writer writes the string form).
    for (const registry::Shape& shape : registry::shapes())
        if (shape.name != "step" && shape.name != "step.close.mode") {
            EXPECT_TRUE(walker.seen.count(std::string(shape.name))) << shape.name;
        }
    // And it reads back the same.
    const ProfileLoadResult again = parseProfile(profileToText(*read.profile), "again.json");
    ASSERT_TRUE(again.profile) << again.error;
    EXPECT_EQ(*again.profile, *read.profile);
}

// An unknown key in any nested object is named with the allowed ones' nearest, and ignored (a
// warning, as before: profiles written by a newer build still load).
TEST(Shapes, AnUnknownNestedKeyIsAWarningNamingTheNearest) {
    std::string text = kEverything;
    text.replace(text.find("\"every_ms\""), 10, "\"evry_ms\": 5, \"every_ms\"");
    const ProfileLoadResult r = parseProfile(text, "w.json");
    ASSERT_TRUE(r.profile) << r.error;
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0], R"(w.json: endpoints[0].timers[0]: unknown key "evry_ms" (ignored; did you mean "every_ms"?))");
}

}  // namespace
}  // namespace sockscope
