// The sources of an endpoint in a profile: "commands", "on_connect", "timers" (read, written,
// validated with the path of each problem).
#include <gtest/gtest.h>

#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

std::string endpointWith(const std::string& fields) {
    return R"({"version": 1, "name": "p", "endpoints": [{"name": "dev", "type": "tcp-server",
              "bind": "127.0.0.1:0", )" + fields + "}]}";
}

TEST(SourcesJson, TheIssueShapesLoad) {
    const auto r = parseProfile(endpointWith(R"(
        "commands": [{ "name": "read reg", "hex": "01 03 00 00 00 01", "checksum": { "type": "crc16-modbus", "order": "little" } },
                     { "name": "hello", "text": "hello\r\n" }],
        "on_connect": { "text": "LOGIN {{counter}}\r\n" },
        "timers": [{ "name": "heartbeat", "every_ms": 1000, "count": 0, "auto_start": true,
                     "send": { "text": "HB {{counter:04}}\r\n", "encoding": "utf-8" } }])"), "t.json");
    ASSERT_TRUE(r.profile) << r.error;
    const EndpointConfig& e = r.profile->endpoints[0];
    ASSERT_EQ(e.commands.size(), 2u);
    EXPECT_EQ(e.commands[0].name, "read reg");
    EXPECT_EQ(buildPayload(e.commands[0].payload).bytes, (Bytes{1, 3, 0, 0, 0, 1, 0x84, 0x0A}));
    ASSERT_TRUE(e.on_connect);
    ASSERT_EQ(e.timers.size(), 1u);
    EXPECT_EQ(e.timers[0].name, "heartbeat");
    EXPECT_EQ(e.timers[0].every_ms, 1000);
    EXPECT_EQ(e.timers[0].count, 0u);
    EXPECT_TRUE(e.timers[0].auto_start);
    EXPECT_TRUE(r.warnings.empty());
}

TEST(SourcesJson, ATimerWithOnlyANameAndAPayloadTakesTheDefaults) {
    // Found by looking at the GUI: a timer without "count" was dropped without a word.
    const auto r = parseProfile(endpointWith(R"("timers": [{ "name": "hb", "send": { "text": "HB" } },
        { "name": "fast", "every_ms": 5, "auto_start": true, "send": { "hex": "01" } }])"), "t.json");
    ASSERT_TRUE(r.profile) << r.error;
    const auto& timers = r.profile->endpoints[0].timers;
    ASSERT_EQ(timers.size(), 2u);
    EXPECT_EQ(timers[0].every_ms, 1000);
    EXPECT_EQ(timers[0].count, 0u);
    EXPECT_FALSE(timers[0].auto_start);
    EXPECT_EQ(timers[1].every_ms, 5);
    EXPECT_TRUE(timers[1].auto_start);
}

TEST(SourcesJson, RoundTripsAndAnEndpointWithoutSourcesGainsNoKeys) {
    const auto r = parseProfile(endpointWith(R"(
        "commands": [{ "name": "a", "hex": "01 02", "checksum": { "type": "sum8" } }],
        "on_connect": { "hex": "AA" },
        "timers": [{ "name": "t", "every_ms": 5, "count": 3, "to": "127.0.0.1:9", "send": { "text": "x" } }])"), "t.json");
    ASSERT_TRUE(r.profile) << r.error;
    const auto again = parseProfile(profileToText(*r.profile), "again.json");
    ASSERT_TRUE(again.profile) << again.error;
    EXPECT_EQ(again.profile->endpoints[0], r.profile->endpoints[0]);

    Profile plain{1, "x", {EndpointConfig{}}, {}};
    plain.endpoints[0].name = "s";
    plain.endpoints[0].bind = "127.0.0.1:0";
    const std::string text = profileToText(plain);
    for (const char* key : {"\"commands\"", "\"on_connect\"", "\"timers\""})
        EXPECT_EQ(text.find(key), std::string::npos) << key;
}

TEST(SourcesJson, ProblemsNameTheirPath) {
    const std::pair<const char*, const char*> cases[] = {
        {R"("commands": [{ "hex": "01" }])", "endpoints[0].commands[0].name: missing"},
        {R"("commands": [{ "name": "a", "hex": "01" }, { "name": "a", "text": "x" }])", "endpoints[0].commands[1].name: \"a\" is used twice"},
        {R"("commands": [{ "name": "a", "hex": "0G" }])", "endpoints[0].commands[0].hex"},
        {R"("commands": [{ "name": "a", "hex": "01", "checksum": { "type": "crc17" } }])", "endpoints[0].commands[0].checksum.type"},
        {R"("commands": "read")", "endpoints[0].commands"},
        {R"("on_connect": { "text": "{{nope}}" })", "endpoints[0].on_connect"},
        {R"("timers": [{ "name": "t", "every_ms": 0, "send": { "text": "x" } }])", "endpoints[0].timers[0].every_ms"},
        {R"("timers": [{ "name": "t", "every_ms": 10 }])", "endpoints[0].timers[0].send: missing"},
        {R"("timers": [{ "name": "t", "every_ms": 10, "count": -1, "send": { "text": "x" } }])", "endpoints[0].timers[0].count"},
    };
    for (const auto& [fields, expected] : cases) {
        const auto r = parseProfile(endpointWith(fields), "t.json");
        EXPECT_FALSE(r.profile) << fields;
        EXPECT_NE(r.error.find(expected), std::string::npos) << fields << "\n -> " << r.error;
    }
}

}  // namespace
}  // namespace sockscope
