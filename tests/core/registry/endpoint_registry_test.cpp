// The registry's field table drives the profile loader and saver: every field of every kind
// round-trips through JSON, every range the table states is the one the loader enforces (one past
// either end is refused, naming the JSON path), and the stages own their keys.
#include "core/registry/endpoint_registry.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

using registry::FieldDescriptor;
using registry::FieldType;
using Json = nlohmann::ordered_json;

/// A valid endpoint of the kind, with room for every value of every field (the reconnect cap is
/// at its maximum and the first delay at its minimum, so each can go to either end alone).
EndpointConfig baseConfig(EndpointType type) {
    EndpointConfig c;
    c.name = "ep";
    c.type = type;
    c.bind = type == EndpointType::TcpClient ? "" : "127.0.0.1:9000";
    c.remote = type == EndpointType::TcpServer ? "" : "127.0.0.1:9001";
    c.reconnect.initial_ms = 1;
    c.reconnect.max_ms = INT_MAX;
    return c;
}

/// The value at the dotted key of a saved endpoint ("options.keepalive.idle_s").
const Json* at(const Json& endpoint, std::string_view key) {
    const Json* node = &endpoint;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = key.find('.', start);
        const std::string part(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        const auto it = node->find(part);
        if (it == node->end()) return nullptr;
        node = &*it;
        if (dot == std::string_view::npos) return node;
        start = dot + 1;
    }
}

/// Values worth a round trip for one field: both ends of its range and one inside; both booleans;
/// set and unset optionals.
std::vector<EndpointConfig> variants(const FieldDescriptor& f, const EndpointConfig& base) {
    std::vector<EndpointConfig> out;
    auto with = [&](auto set) {
        EndpointConfig c = base;
        set(c);
        out.push_back(std::move(c));
    };
    switch (f.type) {
        case FieldType::Bool:
            for (bool v : {false, true}) with([&](EndpointConfig& c) { registry::setBool(f, c, v); });
            break;
        case FieldType::Int:
        case FieldType::OptionalInt:
            for (std::int64_t v : {f.min, f.min + 1, f.max - 1, f.max})
                with([&](EndpointConfig& c) { registry::setInt(f, c, v); });
            if (f.type == FieldType::OptionalInt) with([&](EndpointConfig& c) { registry::setInt(f, c, std::nullopt); });
            break;
        case FieldType::Double:
            for (double v : {f.min_d, (f.min_d + f.max_d) / 2, f.max_d, std::max(f.min_d, 0.0) + 0.25})
                with([&](EndpointConfig& c) { registry::setDouble(f, c, v); });
            break;
        case FieldType::OptionalBool:
            for (std::optional<bool> v : {std::optional<bool>{}, std::optional<bool>{true}, std::optional<bool>{false}})
                with([&](EndpointConfig& c) { registry::setOptionalBool(f, c, v); });
            break;
        case FieldType::String:
            with([&](EndpointConfig& c) { registry::setString(f, c, "a name with \"quotes\" and 中文"); });
            break;
        case FieldType::Address:
            for (const char* v : {"127.0.0.1:7", "[::1]:65535"}) with([&](EndpointConfig& c) { registry::setString(f, c, v); });
            break;
        case FieldType::Custom:
            if (f.key == "multicast.groups")
                with([&](EndpointConfig& c) { c.multicast.groups = {{"239.1.2.3", ""}, {"ff02::1:3", "lo"}}; });
            break;
        case FieldType::Stage: break;
    }
    return out;
}

TEST(EndpointRegistry, EveryFieldOfEveryKindRoundTripsThroughJson) {
    std::size_t checked = 0;
    for (const registry::KindDescriptor& kind : registry::kinds()) {
        const EndpointConfig base = baseConfig(kind.type);
        for (const FieldDescriptor& f : registry::endpointFields()) {
            if (!registry::appliesTo(f, kind.type)) continue;
            for (const EndpointConfig& config : variants(f, base)) {
                SCOPED_TRACE(std::string(kind.name) + " " + std::string(f.key));
                Profile profile;
                profile.name = "p";
                profile.endpoints.push_back(config);
                const std::string text = profileToText(profile);
                const Json saved = Json::parse(text);
                ASSERT_NE(at(saved["endpoints"][0], f.key), nullptr) << "saved under its key:\n" << text;
                const ProfileLoadResult loaded = parseProfile(text, "rt.json");
                ASSERT_TRUE(loaded.profile) << loaded.error;
                EXPECT_TRUE(loaded.warnings.empty()) << loaded.warnings.front();
                ASSERT_EQ(loaded.profile->endpoints.size(), 1u);
                EXPECT_EQ(loaded.profile->endpoints[0], config) << text;
                EXPECT_EQ(profileToText(*loaded.profile), text) << "saved again, the same text";
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 150u);
}

/// The profile with one endpoint whose field at `key` holds `value` (JSON text).
std::string withValue(EndpointType type, std::string_view key, const std::string& value) {
    Profile profile;
    profile.endpoints.push_back(baseConfig(type));
    Json doc = Json::parse(profileToText(profile));
    Json* node = &doc["endpoints"][0];
    std::size_t start = 0;
    for (std::size_t dot; (dot = key.find('.', start)) != std::string_view::npos; start = dot + 1)
        node = &(*node)[std::string(key.substr(start, dot - start))];
    (*node)[std::string(key.substr(start))] = Json::parse(value);
    return doc.dump();
}

TEST(EndpointRegistry, EveryRangeInTheTableIsTheLoadersOneBeyondEitherEndIsRefused) {
    std::size_t checked = 0;
    for (const FieldDescriptor& f : registry::endpointFields()) {
        if (f.type != FieldType::Int && f.type != FieldType::OptionalInt && f.type != FieldType::Double) continue;
        const EndpointType type = (f.kinds & registry::kTcpClient) ? EndpointType::TcpClient
                                  : (f.kinds & registry::kTcpServer) ? EndpointType::TcpServer
                                                                     : EndpointType::Udp;
        SCOPED_TRACE(std::string(f.key));
        const std::string path = "endpoints[0]." + std::string(f.key) + ": expected ";
        std::vector<std::string> inside, outside;
        if (f.type == FieldType::Double) {
            inside = {Json(f.min_d).dump(), Json(f.max_d).dump()};
            outside = {Json(f.min_d - 1).dump(), Json(f.max_d * 1.5 + 1).dump(), "\"1\""};
        } else {
            inside = {std::to_string(f.min), std::to_string(f.max)};
            outside = {std::to_string(f.min - 1), "1.5", "\"1\""};
            if (f.max < std::numeric_limits<std::int64_t>::max()) outside.push_back(std::to_string(f.max + 1));
            EXPECT_EQ(registry::clampInt(f, f.min - 1), f.min);
            EXPECT_EQ(registry::clampInt(f, f.max), f.max);
        }
        for (const std::string& v : inside) {
            const ProfileLoadResult r = parseProfile(withValue(type, f.key, v), "range.json");
            EXPECT_TRUE(r.profile) << v << ": " << r.error;
        }
        for (const std::string& v : outside) {
            const ProfileLoadResult r = parseProfile(withValue(type, f.key, v), "range.json");
            EXPECT_FALSE(r.profile) << v;
            EXPECT_EQ(r.error.rfind("range.json: " + path, 0), 0u) << v << ": " << r.error;
            ++checked;
        }
        // What an editor makes of a value beyond either end is what the loader accepts.
        EndpointConfig clamped = baseConfig(type);
        if (f.type == FieldType::Double) {
            registry::setDouble(f, clamped, registry::clampDouble(f, f.min_d - 1));
            EXPECT_EQ(registry::doubleValue(f, clamped), f.min_d);
            registry::setDouble(f, clamped, registry::clampDouble(f, std::numeric_limits<double>::quiet_NaN()));
        } else {
            registry::setInt(f, clamped, registry::clampInt(f, f.min - 1));
        }
        EXPECT_TRUE(validateEndpoint(clamped).empty()) << validateEndpoint(clamped).front().message;
    }
    EXPECT_GT(checked, 40u);
}

// The framing stage's numeric fields: the registry's range is the one its reader enforces.
TEST(EndpointRegistry, FramingFieldsRefuseOneBeyondTheirRange) {
    const registry::StageDescriptor* framing = registry::findStage("framing");
    ASSERT_NE(framing, nullptr);
    ASSERT_FALSE(framing->fields.empty());
    for (const registry::StageField& f : framing->fields) {
        SCOPED_TRACE(std::string(f.key));
        const char* type = f.key == "length" ? "fixed" : f.key == "gap_ms" ? "idle" : f.key == "max" ? "delimiter" : "length";
        for (std::int64_t v : {f.min - 1, f.max + 1, f.min, f.max}) {
            const std::string fixed_length = f.key == "length" ? "" : R"("length":4,)";
            const std::string json = R"({"version":1,"endpoints":[{"name":"s","type":"tcp-server","bind":"127.0.0.1:1",)"
                                     R"("framing":{"type":")" + std::string(type) + "\"," + fixed_length + "\"" +
                                     std::string(f.key) + "\":" + std::to_string(v) + "}}]}";
            const std::string error = parseProfile(json, "f.json").error;
            const std::string at = "f.json: endpoints[0].framing." + std::string(f.key) + ": expected an integer";
            if (v < f.min || v > f.max) EXPECT_EQ(error.rfind(at, 0), 0u) << v << ": " << error;
            else EXPECT_EQ(error.find(at), std::string::npos) << v << ": " << error;
        }
    }
    EXPECT_THROW((void)registry::stageField("framing", "nope"), std::logic_error);
}

// Every other stage's numeric fields, and the profile's recording section: the registry's range is
// the one their readers enforce (one beyond it is refused at the field's JSON path, the bounds are
// taken). A field added to a table without a case here fails the count at the end.
TEST(EndpointRegistry, EveryStageFieldRefusesOneBeyondItsRange) {
    struct Case {
        std::string_view stage, key;
        const char* json;   // the endpoint's extra keys (or the profile's, for a section); @ = the value
        const char* path;   // where the error is reported
        bool udp = false;
    };
    const std::vector<Case> cases{
        {"sources", "timers.every_ms", R"("timers":[{"name":"t","every_ms":@,"send":{"text":"x"}}])", "endpoints[0].timers[0].every_ms"},
        {"sources", "timers.count", R"("timers":[{"name":"t","count":@,"send":{"text":"x"}}])", "endpoints[0].timers[0].count"},
        {"rules", "storm_limit", R"("storm_limit":@)", "endpoints[0].storm_limit"},
        {"rules", "rules.delay_ms", R"("rules":[{"match":{"text":"a"},"reply":{"text":"b"},"delay_ms":@}])", "endpoints[0].rules[0].delay_ms"},
        {"rules", "rules.times", R"("rules":[{"match":{"text":"a"},"reply":{"text":"b"},"times":@}])", "endpoints[0].rules[0].times"},
        {"scripts", "steps.timeout_ms", R"("scripts":[{"name":"s","steps":[{"expect":{"text":"a"},"timeout_ms":@}]}])", "endpoints[0].scripts[0].steps[0].timeout_ms"},
        {"scripts", "steps.wait_ms", R"("scripts":[{"name":"s","steps":[{"wait_ms":@}]}])", "endpoints[0].scripts[0].steps[0].wait_ms"},
        {"scripts", "steps.repeat", R"("scripts":[{"name":"s","steps":[{"repeat":@,"steps":[{"wait_ms":1}]}]}])", "endpoints[0].scripts[0].steps[0].repeat"},
        {"faults", "delay_ms", R"("faults":{"delay_ms":@})", "endpoints[0].faults.delay_ms"},
        {"faults", "split.size", R"("faults":{"split":{"size":@}})", "endpoints[0].faults.split.size"},
        {"faults", "split.size", R"("faults":{"split":{"size":@}})", "endpoints[0].faults.split.size", true},
        {"faults", "split.gap_ms", R"("faults":{"split":{"size":4,"gap_ms":@}})", "endpoints[0].faults.split.gap_ms"},
        {"faults", "drop", R"("faults":{"drop":@})", "endpoints[0].faults.drop"},
        {"faults", "duplicate", R"("faults":{"duplicate":@})", "endpoints[0].faults.duplicate"},
        {"faults", "seed", R"("faults":{"seed":@})", "endpoints[0].faults.seed"},
        {"recording", "rotate_mb", R"("recording":[{"path":"r.jsonl","rotate_mb":@}])", "recording[0].rotate_mb"},
        {"recording", "rotate_s", R"("recording":[{"path":"r.jsonl","rotate_s":@}])", "recording[0].rotate_s"},
        {"recording", "keep", R"("recording":[{"path":"r.jsonl","keep":@}])", "recording[0].keep"},
    };
    const auto profile = [](const Case& c, const std::string& value) {
        std::string extra = c.json;
        extra.replace(extra.find('@'), 1, value);
        const std::string endpoint = std::string(R"({"name":"s","type":")") + (c.udp ? "udp" : "tcp-server") +
                                     R"(","bind":"127.0.0.1:1")";
        if (c.stage == "recording") return R"({"version":1,)" + extra + R"(,"endpoints":[)" + endpoint + "}]}";
        return R"({"version":1,"endpoints":[)" + endpoint + "," + extra + "}]}";
    };
    const auto integer = [](std::int64_t v, int beyond) { return std::to_string(v + beyond); };
    constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
    std::set<std::string> covered;
    for (const Case& c : cases) {
        SCOPED_TRACE(std::string(c.stage) + "." + std::string(c.key) + (c.udp ? " (udp)" : ""));
        const registry::StageField& f = registry::stageField(c.stage, c.key);
        covered.insert(std::string(c.stage) + "." + std::string(c.key));
        std::vector<std::pair<std::string, bool>> values;   // value, accepted
        if (f.real) {
            values = {{std::to_string(f.min_d), true}, {std::to_string(f.max_d), true},
                      {std::to_string(f.min_d - 0.5), false}, {std::to_string(f.max_d * 1.5 + 1), false}};
        } else {
            const std::int64_t max = f.maxFor(c.udp);
            values = {{integer(f.min, 0), true}, {integer(max, 0), true}, {integer(f.min, -1), false}};
            // Larger integers than int64's read as its maximum (jsonio::asInteger saturates).
            if (max < kInt64Max) values.push_back({integer(max, 1), false});
        }
        for (const auto& [value, accepted] : values) {
            const std::string error = parseProfile(profile(c, value), "f.json").error;
            const std::string at = "f.json: " + std::string(c.path) + ": ";
            if (accepted) EXPECT_EQ(error.find(at), std::string::npos) << value << ": " << error;
            else EXPECT_NE(error.find(at), std::string::npos) << value << ": " << error;
        }
    }
    std::size_t fields = 0;
    // Framing has its own test; a stage without profile keys (file_send) is read by the command
    // channel (SourceTapRegistry, CommandChannel tests).
    for (const registry::StageDescriptor& stage : registry::stages())
        if (stage.name != "framing" && !stage.keys.empty())
            for (const registry::StageField& f : stage.fields) {
                ++fields;
                EXPECT_TRUE(covered.count(std::string(stage.name) + "." + std::string(f.key))) << f.key;
            }
    for (const registry::SectionDescriptor& section : registry::profileSections())
        for (const registry::StageField& f : section.fields) {
            ++fields;
            EXPECT_TRUE(covered.count(std::string(section.name) + "." + std::string(f.key))) << f.key;
        }
    EXPECT_EQ(covered.size(), fields);
}

// The messages the loader gave before the table existed, word for word.
TEST(EndpointRegistry, MessagesKeepTheirWording) {
    auto error = [](EndpointType type, std::string_view key, const std::string& v) {
        return parseProfile(withValue(type, key, v), "d.json").error;
    };
    EXPECT_EQ(error(EndpointType::TcpServer, "options.backlog", "0"),
              "d.json: endpoints[0].options.backlog: expected a positive integer, got 0");
    EXPECT_EQ(error(EndpointType::Udp, "multicast.ttl", "256"),
              "d.json: endpoints[0].multicast.ttl: expected an integer from 0 to 255, got 256");
    EXPECT_EQ(error(EndpointType::TcpClient, "reconnect.jitter", "-0.5"),
              "d.json: endpoints[0].reconnect.jitter: expected a number from 0 to 1, got -0.5");
    EXPECT_EQ(error(EndpointType::TcpServer, "options.linger_s", "-1"),
              "d.json: endpoints[0].options.linger_s: expected an integer >= 0, got -1");
    EXPECT_EQ(error(EndpointType::TcpServer, "options.v6_only", "1"),
              "d.json: endpoints[0].options.v6_only: expected a boolean or null, got 1");
    EXPECT_EQ(error(EndpointType::TcpServer, "type", "\"tcp\""),
              "d.json: endpoints[0].type: expected \"tcp-server\", \"tcp-client\" or \"udp\", got \"tcp\"");
    EXPECT_EQ(error(EndpointType::TcpServer, "close_wait_timeout_s", "-2"),
              "d.json: endpoints[0].close_wait_timeout_s: expected a number of seconds from 0 to 1e9, or -1 or null "
              "to keep CLOSE_WAIT until you close, got -2");
    const std::string order = parseProfile(
        R"({"version":1,"endpoints":[{"name":"c","type":"tcp-client","remote":"127.0.0.1:1","reconnect":{"initial_ms":900,"max_ms":800}}]})",
        "d.json").error;
    EXPECT_EQ(order, "d.json: endpoints[0].reconnect.max_ms: expected an integer >= initial_ms (900), got 800");
    const ProfileLoadResult typo = parseProfile(
        R"({"version":1,"endpoints":[{"name":"s","type":"tcp-server","bind":"127.0.0.1:1","options":{"keepalive":{"idel_s":5}},"rulez":[]}]})",
        "d.json");
    ASSERT_TRUE(typo.profile) << typo.error;
    ASSERT_EQ(typo.warnings.size(), 2u);
    EXPECT_EQ(typo.warnings[0], R"(d.json: endpoints[0]: unknown key "rulez" (ignored; did you mean "rules"?))");
    EXPECT_EQ(typo.warnings[1],
              R"(d.json: endpoints[0].options.keepalive: unknown key "idel_s" (ignored; did you mean "idle_s"?))");
}

TEST(EndpointRegistry, KindsAndStagesAreListedOnce) {
    ASSERT_EQ(registry::kinds().size(), 3u);
    for (const registry::KindDescriptor& kind : registry::kinds()) {
        EXPECT_EQ(&registry::kind(kind.type), &kind);
        EXPECT_NE(kind.create, nullptr) << "net/endpoint.cpp's makeEndpoint creates every kind through it";
        EXPECT_EQ(toString(kind.type), kind.name);
        EXPECT_EQ(endpointTypeFromString(std::string(kind.name)), kind.type);
    }
    EXPECT_FALSE(endpointTypeFromString("tcp"));
    EXPECT_STREQ(toString(static_cast<EndpointType>(7)), "?");
    EXPECT_EQ(registry::kindChoices(), R"(expected "tcp-server", "tcp-client" or "udp")");

    // Every stage is in the endpoint's table once, and the loader knows each of its keys.
    std::vector<std::string_view> names;
    for (const registry::StageDescriptor& stage : registry::stages()) names.push_back(stage.name);
    EXPECT_EQ(names, (std::vector<std::string_view>{"echo", "framing", "sources", "file_send", "rules", "scripts",
                                                    "receive_to_file", "faults"}));
    for (const registry::StageDescriptor& stage : registry::stages()) {
        std::size_t in_table = 0;
        for (const FieldDescriptor& f : registry::endpointFields()) in_table += f.stage == &stage ? 1 : 0;
        // A stage without a reader is switched by a plain endpoint field of its name (echo), or
        // is a source driven by commands only (file sends: no profile keys).
        if (stage.read == nullptr && stage.source == nullptr) {
            EXPECT_EQ(registry::field(stage.name).type, FieldType::Bool) << stage.name;
        }
        EXPECT_EQ(in_table, stage.read == nullptr ? 0u : 1u) << stage.name;
        EXPECT_EQ(registry::findStage(stage.name), &stage);
        for (std::string_view key : stage.keys) {
            // A key the stage owns is never "unknown" (a wrong value is the stage's own error).
            const ProfileLoadResult r = parseProfile(
                R"({"version":1,"endpoints":[{"name":"s","type":"tcp-server","bind":"127.0.0.1:1",")" +
                    std::string(key) + R"(":null}]})",
                "k.json");
            for (const std::string& w : r.warnings) EXPECT_EQ(w.find("unknown key"), std::string::npos) << w;
        }
    }
    // Keys are unique and every field that is not a stage or a check has an accessor or its own reader.
    for (const FieldDescriptor& f : registry::endpointFields()) {
        EXPECT_EQ(registry::findField(f.key), &f) << f.key;
        if (f.type == FieldType::Stage) continue;
        EXPECT_TRUE(f.read != nullptr || !std::holds_alternative<std::monostate>(f.access)) << f.key;
        EXPECT_STRNE(f.help, "") << f.key;
    }
    EXPECT_THROW((void)registry::field("no.such.field"), std::logic_error);
}

}  // namespace
}  // namespace sockscope
