#include "core/profile/profile.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/util/test_temp_dir.hpp"

namespace sockscope {
namespace {

using test::readFile;
using test::TempDir;
using test::writeFile;

// The example from the task and docs/profile-format.md, verbatim.
const char* const kExample = R"({
  "version": 1,
  "name": "Loopback demo",
  "endpoints": [
    { "name": "device", "type": "tcp-server", "bind": "127.0.0.1:60000", "echo": true,
      "options": { "reuse_address": true, "no_delay": true } },
    { "name": "gateway", "type": "tcp-client", "remote": "127.0.0.1:60000",
      "reconnect": { "enabled": true, "initial_ms": 500, "max_ms": 8000 } },
    { "name": "beacon", "type": "udp", "bind": "127.0.0.1:9000", "remote": "127.0.0.1:9001", "echo": false }
  ]
}
)";

/// A profile wrapped around one endpoint object (JSON text), for error tests.
std::string withEndpoints(const std::string& endpoints_json) {
    return R"({"version": 1, "name": "t", "endpoints": [)" + endpoints_json + "]}";
}

std::string errorOf(const std::string& json) {
    ProfileLoadResult r = parseProfile(json, "demo.json");
    EXPECT_FALSE(r.profile.has_value()) << json;
    return r.error;
}

TEST(Profile, ExampleLoadsAsWritten) {
    ProfileLoadResult r = parseProfile(kExample, "demo.json");
    ASSERT_TRUE(r.profile) << r.error;
    EXPECT_TRUE(r.error.empty());
    EXPECT_TRUE(r.warnings.empty());
    const Profile& p = *r.profile;
    EXPECT_EQ(p.version, 1);
    EXPECT_EQ(p.name, "Loopback demo");
    ASSERT_EQ(p.endpoints.size(), 3u);

    const EndpointConfig& device = p.endpoints[0];
    EXPECT_EQ(device.name, "device");
    EXPECT_EQ(device.type, EndpointType::TcpServer);
    EXPECT_EQ(device.bind, "127.0.0.1:60000");
    EXPECT_TRUE(device.echo);
    EXPECT_TRUE(device.options.reuse_address);
    EXPECT_TRUE(device.options.no_delay);
    EXPECT_EQ(device.options.backlog, 128);   // default

    const EndpointConfig& gateway = p.endpoints[1];
    EXPECT_EQ(gateway.type, EndpointType::TcpClient);
    EXPECT_EQ(gateway.remote, "127.0.0.1:60000");
    EXPECT_TRUE(gateway.reconnect.enabled);
    EXPECT_EQ(gateway.reconnect.initial_ms, 500);
    EXPECT_EQ(gateway.reconnect.max_ms, 8000);
    EXPECT_DOUBLE_EQ(gateway.reconnect.jitter, 0.2);   // default

    const EndpointConfig& beacon = p.endpoints[2];
    EXPECT_EQ(beacon.type, EndpointType::Udp);
    EXPECT_EQ(beacon.bind, "127.0.0.1:9000");
    EXPECT_EQ(beacon.remote, "127.0.0.1:9001");
    EXPECT_FALSE(beacon.echo);
}

TEST(Profile, ShippedDemoProfileLoadsCleanly) {
    ProfileLoadResult r = loadProfile(std::filesystem::path(SOCKSCOPE_SOURCE_DIR) / "assets/profiles/demo.json");
    ASSERT_TRUE(r.profile) << r.error;
    EXPECT_TRUE(r.warnings.empty());
    const Profile& p = *r.profile;
    ASSERT_EQ(p.endpoints.size(), 4u);
    EXPECT_EQ(p.endpoints[0].name, "device");
    EXPECT_EQ(p.endpoints[0].type, EndpointType::TcpServer);
    EXPECT_EQ(p.endpoints[0].bind, "127.0.0.1:60000");
    EXPECT_TRUE(p.endpoints[0].echo);
    EXPECT_EQ(p.endpoints[1].name, "gateway");
    EXPECT_EQ(p.endpoints[1].type, EndpointType::TcpClient);
    EXPECT_EQ(p.endpoints[1].remote, "127.0.0.1:60000");
    EXPECT_TRUE(p.endpoints[1].reconnect.enabled);
    EXPECT_EQ(p.endpoints[2].name, "beacon");
    EXPECT_EQ(p.endpoints[2].remote, "127.0.0.1:9001");
    EXPECT_EQ(p.endpoints[3].name, "listener");
    EXPECT_EQ(p.endpoints[3].type, EndpointType::Udp);
    EXPECT_EQ(p.endpoints[3].bind, "127.0.0.1:9001");
    // Only one side of the UDP pair echoes, or the two would bounce a datagram forever.
    EXPECT_FALSE(p.endpoints[2].echo && p.endpoints[3].echo);
    // Self-contained: loopback only.
    for (const EndpointConfig& c : p.endpoints) {
        for (const std::string& address : {c.bind, c.remote})
            EXPECT_TRUE(address.empty() || address.rfind("127.0.0.1:", 0) == 0) << address;
    }
}

TEST(Profile, MissingFieldsTakeStructDefaults) {
    ProfileLoadResult r = parseProfile(withEndpoints(R"({"name": "s", "type": "tcp-server", "bind": "[::]:8080"})"), "t.json");
    ASSERT_TRUE(r.profile) << r.error;
    EndpointConfig expected;
    expected.name = "s";
    expected.type = EndpointType::TcpServer;
    expected.bind = "[::]:8080";
    EXPECT_EQ(r.profile->endpoints.at(0), expected);

    ProfileLoadResult bare = parseProfile(R"({"version": 1})", "t.json");
    ASSERT_TRUE(bare.profile) << bare.error;
    EXPECT_EQ(*bare.profile, Profile{});
}

Profile everythingSet() {
    Profile p;
    p.name = "Everything \xE2\x9C\x93";   // UTF-8 survives
    EndpointConfig a;
    a.name = "srv";
    a.type = EndpointType::TcpServer;
    a.bind = "[::]:8080";
    a.remote = "";
    a.echo = true;
    a.auto_start = false;
    a.max_connections = 7;
    a.close_on_peer_fin = true;
    a.write_queue_limit = 12345;
    a.connect_timeout_ms = 250;
    a.reconnect = {true, 100, 200, 0.5, 9};
    a.options.reuse_address = false;
    a.options.reuse_port = true;
    a.options.no_delay = true;
    a.options.keepalive = {true, 30, 5, 3};
    a.options.linger_s = 0;
    a.options.recv_buffer = 65536;
    a.options.send_buffer = 32768;
    a.options.v6_only = false;
    a.options.backlog = 16;
    EndpointConfig b;
    b.name = "mc";
    b.type = EndpointType::Udp;
    b.bind = "0.0.0.0:5000";
    b.remote = "239.1.2.3:5000";
    b.broadcast = true;
    b.reply_to_sender = false;
    b.multicast.groups = {{"239.1.2.3", "127.0.0.1"}, {"ff02::1:3", "lo"}};
    b.multicast.ttl = 0;
    b.multicast.loopback = false;
    b.options.v6_only = true;
    EndpointConfig c;
    c.name = "cli";
    c.type = EndpointType::TcpClient;
    c.bind = "127.0.0.1:0";
    c.remote = "localhost:1";
    c.reconnect.jitter = 0;
    p.endpoints = {a, b, c};
    return p;
}

TEST(Profile, RoundTripThroughTextKeepsEveryField) {
    const Profile p = everythingSet();
    const std::string text = profileToText(p);
    ProfileLoadResult r = parseProfile(text, "t.json");
    ASSERT_TRUE(r.profile) << r.error;
    EXPECT_TRUE(r.warnings.empty());
    EXPECT_EQ(*r.profile, p);
    // Stable output: the same profile always gives the same bytes.
    EXPECT_EQ(profileToText(*r.profile), text);
}

TEST(Profile, TextIsCompleteOrderedAndIndented) {
    const std::string text = profileToText(Profile{1, "x", {EndpointConfig{}}, {}});
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.rfind("{\n  \"version\": 1,\n  \"name\": \"x\",\n  \"endpoints\": [\n    {\n      \"name\"", 0), 0u)
        << text;
    // Keys appear in declaration order, optional fields as null.
    const char* order[] = {"\"name\"", "\"type\"", "\"bind\"", "\"remote\"", "\"echo\"", "\"auto_start\"",
                           "\"max_connections\"", "\"close_on_peer_fin\"", "\"write_queue_limit\"",
                           "\"connect_timeout_ms\"", "\"reconnect\"", "\"initial_ms\"", "\"max_attempts\"",
                           "\"broadcast\"", "\"reply_to_sender\"", "\"multicast\"", "\"groups\"", "\"ttl\"",
                           "\"loopback\"", "\"options\"", "\"reuse_address\"", "\"reuse_port\"", "\"no_delay\"",
                           "\"keepalive\"", "\"idle_s\"", "\"interval_s\"", "\"count\"", "\"linger_s\": null",
                           "\"recv_buffer\"", "\"send_buffer\"", "\"v6_only\": null", "\"backlog\""};
    std::size_t at = text.find("\"endpoints\"");
    for (const char* key : order) {
        const std::size_t next = text.find(key, at);
        ASSERT_NE(next, std::string::npos) << key;
        at = next;
    }
}

TEST(Profile, SaveThenLoadEquals) {
    TempDir dir;
    const Profile p = everythingSet();
    std::string error;
    ASSERT_FALSE(saveProfileAtomic(p, dir / "p.json", &error)) << error;
    ProfileLoadResult r = loadProfile(dir / "p.json");
    ASSERT_TRUE(r.profile) << r.error;
    EXPECT_EQ(*r.profile, p);
    EXPECT_EQ(readFile(dir / "p.json"), profileToText(p));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"p.json"});
}

// --- validation messages ---------------------------------------------------------------------

TEST(ProfileErrors, BindWithoutHostIsNamedExactly) {
    const std::string json = withEndpoints(
        R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1"},
           {"name": "b", "type": "tcp-client", "remote": "127.0.0.1:1"},
           {"name": "c", "type": "udp", "bind": "9000"})");
    EXPECT_EQ(errorOf(json), R"(demo.json: endpoints[2].bind: expected "host:port", got "9000")");
}

TEST(ProfileErrors, AddressSyntax) {
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-client", "remote": "host:99999"})")),
              R"(demo.json: endpoints[0].remote: expected "host:port", got "host:99999")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "::1:80"})")),
              R"(demo.json: endpoints[0].bind: expected "host:port", got "::1:80")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-client", "remote": "127.0.0.1:0"})")),
              R"(demo.json: endpoints[0].remote: expected "host:port" with a port from 1 to 65535, got "127.0.0.1:0")");
    // Accepted forms.
    for (const char* bind : {"[::]:8080", "[::1]:0", "localhost:80", "0.0.0.0:65535"}) {
        ProfileLoadResult r = parseProfile(
            withEndpoints(std::string(R"({"name": "a", "type": "tcp-server", "bind": ")") + bind + "\"}"), "t.json");
        EXPECT_TRUE(r.profile) << bind << ": " << r.error;
    }
}

TEST(ProfileErrors, WrongJsonTypes) {
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1", "echo": "yes"})")),
              R"(demo.json: endpoints[0].echo: expected a boolean, got "yes")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": 9000})")),
              R"(demo.json: endpoints[0].bind: expected a string, got 9000)");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1", "options": {"backlog": "10"}})")),
              R"(demo.json: endpoints[0].options.backlog: expected an integer, got "10")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1", "options": {"backlog": 1.5}})")),
              R"(demo.json: endpoints[0].options.backlog: expected an integer, got 1.5)");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1", "options": []})")),
              R"(demo.json: endpoints[0].options: expected an object, got an array)");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1", "options": {"v6_only": 1}})")),
              R"(demo.json: endpoints[0].options.v6_only: expected a boolean or null, got 1)");
    EXPECT_EQ(errorOf(R"({"version": 1, "endpoints": {}})"), R"(demo.json: endpoints: expected an array, got an object)");
    EXPECT_EQ(errorOf(withEndpoints(R"("device")")), R"(demo.json: endpoints[0]: expected an object (one endpoint), got "device")");
    EXPECT_EQ(errorOf(R"({"version": 1, "name": null})"), R"(demo.json: name: expected a string, got null)");
}

TEST(ProfileErrors, TypeAndRequiredFields) {
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp", "bind": "127.0.0.1:1"})")),
              R"(demo.json: endpoints[0].type: expected "tcp-server", "tcp-client" or "udp", got "tcp")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "bind": "127.0.0.1:1"})")),
              R"(demo.json: endpoints[0].type: missing; expected "tcp-server", "tcp-client" or "udp")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"type": "udp", "bind": "127.0.0.1:1"})")),
              R"(demo.json: endpoints[0].name: missing; every endpoint needs a unique name)");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "", "type": "udp", "bind": "127.0.0.1:1"})")),
              R"(demo.json: endpoints[0].name: expected a non-empty name, got "")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-client"})")),
              R"(demo.json: endpoints[0].remote: missing; a tcp-client needs the "host:port" to connect to, e.g. "127.0.0.1:9000")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": ""})")),
              R"(demo.json: endpoints[0].bind: missing; a tcp-server needs the "host:port" to listen on, e.g. "127.0.0.1:9000")");
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "udp", "remote": "127.0.0.1:5"})")),
              R"(demo.json: endpoints[0].bind: missing; a udp endpoint needs the "host:port" to bind, e.g. "0.0.0.0:9000")");
    // A tcp-client's bind (local address) is optional.
    EXPECT_TRUE(parseProfile(withEndpoints(R"({"name": "a", "type": "tcp-client", "remote": "127.0.0.1:5"})"), "t").profile);
}

TEST(ProfileErrors, NumberRanges) {
    auto server = [](const std::string& extra) {
        return withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1", )" + extra + "}");
    };
    EXPECT_EQ(errorOf(server(R"("options": {"backlog": 0})")),
              "demo.json: endpoints[0].options.backlog: expected a positive integer, got 0");
    EXPECT_EQ(errorOf(server(R"("options": {"backlog": 3000000000})")),
              "demo.json: endpoints[0].options.backlog: expected an integer <= 2147483647, got 3000000000");
    EXPECT_EQ(errorOf(server(R"("reconnect": {"initial_ms": 0})")),
              "demo.json: endpoints[0].reconnect.initial_ms: expected a positive integer, got 0");
    EXPECT_EQ(errorOf(server(R"("reconnect": {"initial_ms": 500, "max_ms": 100})")),
              "demo.json: endpoints[0].reconnect.max_ms: expected an integer >= initial_ms (500), got 100");
    EXPECT_EQ(errorOf(server(R"("reconnect": {"initial_ms": 9000})")),   // default max_ms 8000
              "demo.json: endpoints[0].reconnect.max_ms: expected an integer >= initial_ms (9000), got 8000");
    EXPECT_EQ(errorOf(server(R"("reconnect": {"jitter": 1.5})")),
              "demo.json: endpoints[0].reconnect.jitter: expected a number from 0 to 1, got 1.5");
    EXPECT_EQ(errorOf(server(R"("reconnect": {"jitter": -0.1})")),
              "demo.json: endpoints[0].reconnect.jitter: expected a number from 0 to 1, got -0.1");
    EXPECT_EQ(errorOf(server(R"("multicast": {"ttl": 256})")),
              "demo.json: endpoints[0].multicast.ttl: expected an integer from 0 to 255, got 256");
    EXPECT_EQ(errorOf(server(R"("multicast": {"ttl": -1})")),
              "demo.json: endpoints[0].multicast.ttl: expected an integer from 0 to 255, got -1");
    EXPECT_EQ(errorOf(server(R"("options": {"linger_s": -1})")),
              "demo.json: endpoints[0].options.linger_s: expected an integer >= 0, got -1");
    EXPECT_EQ(errorOf(server(R"("options": {"linger_s": "5"})")),
              R"(demo.json: endpoints[0].options.linger_s: expected an integer or null, got "5")");
    EXPECT_EQ(errorOf(server(R"("write_queue_limit": 0)")),
              "demo.json: endpoints[0].write_queue_limit: expected a positive integer, got 0");
    EXPECT_EQ(errorOf(server(R"("multicast": {"groups": [{"group": "10.0.0.1"}]})")),
              R"(demo.json: endpoints[0].multicast.groups[0].group: expected a multicast address (224.0.0.0-239.255.255.255 or ff00::/8), got "10.0.0.1")");
    // Edges that are valid; integral floats count as integers.
    ProfileLoadResult ok = parseProfile(
        server(R"("multicast": {"ttl": 255}, "reconnect": {"jitter": 1, "initial_ms": 8000}, "options": {"backlog": 5.0, "linger_s": 0}, "max_connections": 1)"),
        "t");
    ASSERT_TRUE(ok.profile) << ok.error;
    EXPECT_EQ(ok.profile->endpoints[0].options.backlog, 5);
    EXPECT_EQ(ok.profile->endpoints[0].options.linger_s, 0);
}

TEST(ProfileErrors, DuplicateNames) {
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "dev", "type": "udp", "bind": "127.0.0.1:1"},
                                       {"name": "x", "type": "udp", "bind": "127.0.0.1:2"},
                                       {"name": "dev", "type": "udp", "bind": "127.0.0.1:3"})")),
              R"(demo.json: endpoints[2].name: expected a unique name, got "dev" (already used by endpoints[0]))");
}

TEST(ProfileErrors, SeveralErrorsAreAllReportedOnePerLine) {
    const std::string error = errorOf(withEndpoints(
        R"({"name": "a", "type": "tcp-server", "bind": "9000", "echo": "yes"},
           {"name": "b", "type": "nope"})"));
    EXPECT_EQ(error,
              "demo.json: endpoints[0].bind: expected \"host:port\", got \"9000\"\n"
              "demo.json: endpoints[0].echo: expected a boolean, got \"yes\"\n"
              "demo.json: endpoints[1].type: expected \"tcp-server\", \"tcp-client\" or \"udp\", got \"nope\"");
}

TEST(ProfileErrors, ManyErrorsAreCapped) {
    std::string endpoints;
    for (int i = 0; i < 100; ++i) {
        if (i) endpoints += ",";
        endpoints += R"({"name": "e)" + std::to_string(i) + R"(", "type": "bad"})";
    }
    const std::string error = errorOf(withEndpoints(endpoints));
    EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 20);
    EXPECT_NE(error.find("... and 80 more errors"), std::string::npos) << error;
}

TEST(ProfileErrors, LongValuesAreShortenedInMessages) {
    const std::string long_name(500, 'x');
    const std::string error = errorOf(withEndpoints(R"({"name": "a", "type": ")" + long_name + R"(", "bind": "127.0.0.1:1"})"));
    EXPECT_LT(error.size(), 200u) << error;
    EXPECT_NE(error.find("...\""), std::string::npos) << error;
}

TEST(ProfileErrors, Version) {
    EXPECT_EQ(errorOf(R"({"name": "x", "endpoints": []})"),
              "demo.json: version: missing; expected \"version\": 1 (this build reads version 1)");
    EXPECT_EQ(errorOf(R"({"version": 7, "endpoints": "whatever"})"),
              "demo.json: unsupported profile version 7 (this build reads version 1)");
    EXPECT_EQ(errorOf(R"({"version": "1"})"), R"(demo.json: version: expected an integer, got "1")");
    EXPECT_EQ(errorOf(R"([1, 2])"),
              R"(demo.json: expected a JSON object {"version": 1, ...} at the top level, got an array)");
}

TEST(ProfileErrors, CorruptJsonGivesLineAndColumn) {
    const std::string error = errorOf("{\n  \"version\": 1,\n  \"name\": \"x\"\n  \"endpoints\": []\n}\n");
    // The string on line 4 follows "x" without a comma; like nlohmann, the position is where
    // the parser stopped (the end of the offending token).
    EXPECT_EQ(error.rfind("demo.json:4:13: invalid JSON: ", 0), 0u) << error;
    EXPECT_NE(error.find("syntax error"), std::string::npos) << error;
    EXPECT_EQ(error.find("[json.exception"), std::string::npos) << error;

    const std::string truncated = errorOf("{\"version\": 1, \"endpoints\": [");
    EXPECT_EQ(truncated.rfind("demo.json:1:", 0), 0u) << truncated;
    EXPECT_NE(truncated.find("invalid JSON"), std::string::npos);

    const std::string literal = errorOf("{\"a\":\n\n  tru }");
    EXPECT_EQ(literal.rfind("demo.json:3:6: invalid JSON: syntax error while parsing value - invalid literal", 0), 0u)
        << literal;

    EXPECT_NE(errorOf("{\"version\": 1e999}").find("invalid JSON"), std::string::npos);
    EXPECT_NE(errorOf("{\"version\": 1, \"name\": \"\xff\"}").find("invalid JSON"), std::string::npos);
}

TEST(ProfileWarnings, UnknownKeysAreReportedWithSuggestions) {
    ProfileLoadResult r = parseProfile(
        withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1",
                          "options": {"reuse_adress": false, "keepalive": {"idle": 5}}, "colour": "red"})"),
        "demo.json");
    ASSERT_TRUE(r.profile) << r.error;
    EXPECT_EQ(r.warnings, (std::vector<std::string>{
                              R"(demo.json: endpoints[0]: unknown key "colour" (ignored))",
                              R"(demo.json: endpoints[0].options: unknown key "reuse_adress" (ignored; did you mean "reuse_address"?))",
                              R"(demo.json: endpoints[0].options.keepalive: unknown key "idle" (ignored; did you mean "idle_s"?))",
                          }));
    // The misspelt option did not change the default.
    EXPECT_TRUE(r.profile->endpoints[0].options.reuse_address);

    // A key without its unit, too far from it for a typo (tester item: "delay" in a rule).
    ProfileLoadResult unit = parseProfile(
        withEndpoints(R"({"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1",
                          "rules": [{"match": {"text": "A"}, "reply": {"text": "B"}, "delay": 100}]})"),
        "demo.json");
    ASSERT_TRUE(unit.profile) << unit.error;
    ASSERT_EQ(unit.warnings.size(), 1u);
    EXPECT_NE(unit.warnings[0].find(R"(unknown key "delay" (ignored; did you mean "delay_ms"?))"), std::string::npos)
        << unit.warnings[0];

    ProfileLoadResult top = parseProfile(R"({"version": 1, "endpoint": []})", "demo.json");
    ASSERT_TRUE(top.profile);
    EXPECT_EQ(top.warnings, std::vector<std::string>{
                                R"(demo.json: unknown key "endpoint" (ignored; did you mean "endpoints"?))"});
}

TEST(ProfileWarnings, ARecordingScopedToNoEndpointIsSaid) {
    ProfileLoadResult r = parseProfile(
        R"({"version": 1, "endpoints": [{"name": "u", "type": "udp", "bind": "127.0.0.1:0"}],
            "recording": [{"path": "a.jsonl", "scope": "nope"}, {"path": "b.jsonl", "scope": "u/abc"},
                          {"path": "c.jsonl", "scope": "u/3"}, {"path": "d.jsonl", "scope": "u"},
                          {"path": "e.jsonl"}]})",
        "demo.json");
    ASSERT_TRUE(r.profile) << r.error;
    const std::string tail = R"(: this recorder records nothing until one is (expected "all", an endpoint's name or "name/connection"))";
    EXPECT_EQ(r.warnings, (std::vector<std::string>{
                              R"(demo.json: recording[0].scope: no endpoint is named "nope")" + tail,
                              R"(demo.json: recording[1].scope: "abc" is not a connection number: this recorder records nothing (expected "u/N", N from 1))",
                          }));
}

// --- files -----------------------------------------------------------------------------------

TEST(ProfileFiles, LoadErrorsForTheFileItself) {
    TempDir dir;
    const auto missing = dir / "missing.json";
    EXPECT_EQ(loadProfile(missing).error, missing.string() + ": cannot open: the file does not exist");
    EXPECT_EQ(loadProfile(dir.path()).error, dir.path().string() + ": cannot open: it is a directory, not a profile file");

    writeFile(dir / "empty.json", "");
    ProfileLoadResult empty = loadProfile(dir / "empty.json");
    EXPECT_FALSE(empty.profile);
    EXPECT_EQ(empty.error.rfind((dir / "empty.json").string() + ": the file is empty", 0), 0u) << empty.error;
    // Tester item: the example it gave had no endpoints, which a headless run refuses. The
    // example now given loads, validates and has an endpoint.
    const std::string example = empty.error.substr(empty.error.find('{'));
    ProfileLoadResult suggested = parseProfile(example, "example");
    ASSERT_TRUE(suggested.profile) << suggested.error;
    EXPECT_EQ(suggested.profile->endpoints.size(), 1u);
    EXPECT_EQ(validateProfile(*suggested.profile, "example"), "");

    writeFile(dir / "blank.json", " \n\t\r\n");
    EXPECT_NE(loadProfile(dir / "blank.json").error.find("the file is empty"), std::string::npos);

    writeFile(dir / "big.json", std::string(kMaxProfileFileBytes + 10, ' '));
    EXPECT_NE(loadProfile(dir / "big.json").error.find("too large"), std::string::npos);

    writeFile(dir / "bad.json", "{\"version\": 1,,}");
    const std::string bad = loadProfile(dir / "bad.json").error;
    EXPECT_EQ(bad.rfind((dir / "bad.json").string() + ":1:15: invalid JSON: ", 0), 0u) << bad;
}

TEST(ProfileFiles, LoadAcceptsUtf8ByteOrderMark) {
    TempDir dir;
    writeFile(dir / "bom.json", std::string("\xEF\xBB\xBF") + kExample);
    ProfileLoadResult r = loadProfile(dir / "bom.json");
    EXPECT_TRUE(r.profile) << r.error;
}

TEST(ProfileFiles, SaveRefusesInvalidProfileAndKeepsOldFile) {
    TempDir dir;
    writeFile(dir / "p.json", kExample);
    Profile bad = *parseProfile(kExample, "t").profile;
    bad.endpoints[1].name = "device";   // duplicate
    std::string error;
    EXPECT_EQ(saveProfileAtomic(bad, dir / "p.json", &error), std::errc::invalid_argument);
    EXPECT_NE(error.find("refusing to save"), std::string::npos) << error;
    EXPECT_NE(error.find("p.json: endpoints[1].name: expected a unique name, got \"device\""), std::string::npos) << error;
    EXPECT_EQ(readFile(dir / "p.json"), kExample);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"p.json"});

    Profile future = Profile{};
    future.version = 2;
    EXPECT_EQ(saveProfileAtomic(future, dir / "p.json", &error), std::errc::invalid_argument);
    EXPECT_EQ(readFile(dir / "p.json"), kExample);
}

TEST(ProfileFiles, SaveRefusesAProfileOverTheLoadLimitAndKeepsTheOldFile) {
    // Tester B14: a 17 MB saved command made a workspace.json the next start refused (16 MiB).
    // The writer and the reader agree: what would be over the limit is not written.
    TempDir dir;
    writeFile(dir / "p.json", kExample);
    Profile big = *parseProfile(kExample, "t").profile;
    SavedCommand command;
    command.name = "huge";
    command.payload.text = std::string(kMaxProfileFileBytes, 'A');
    big.endpoints[0].commands.push_back(command);
    std::string error;
    EXPECT_EQ(saveProfileAtomic(big, dir / "p.json", &error), std::errc::file_too_large);
    EXPECT_NE(error.find("refusing to save"), std::string::npos) << error;
    EXPECT_NE(error.find("over the 16 MiB limit"), std::string::npos) << error;
    EXPECT_EQ(readFile(dir / "p.json"), kExample) << "the last good file stays";
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"p.json"});

    // Just under the limit it is written and loads back.
    const std::size_t overhead = profileToText(big).size() - kMaxProfileFileBytes;
    big.endpoints[0].commands.back().payload.text.resize(kMaxProfileFileBytes - overhead);
    ASSERT_FALSE(saveProfileAtomic(big, dir / "p.json", &error)) << error;
    EXPECT_EQ(std::filesystem::file_size(dir / "p.json"), kMaxProfileFileBytes);
    ProfileLoadResult r = loadProfile(dir / "p.json");
    ASSERT_TRUE(r.profile) << r.error;
}

TEST(ProfileFiles, FailedSaveLeavesNoTempAndKeepsOldFile) {
    TempDir dir;
    const Profile p = *parseProfile(kExample, "t").profile;
    std::string error;

    // The parent "directory" is a file.
    writeFile(dir / "file", "keep me");
    EXPECT_TRUE(saveProfileAtomic(p, dir.path() / "file" / "p.json", &error));
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(readFile(dir / "file"), "keep me");

    // The target is a directory: the temp file is written, the rename fails.
    std::filesystem::create_directory(dir / "p.json");
    writeFile(dir.path() / "p.json" / "inside", "keep me too");
    error.clear();
    EXPECT_TRUE(saveProfileAtomic(p, dir / "p.json", &error));
    EXPECT_NE(error.find("p.json"), std::string::npos) << error;
    EXPECT_EQ(readFile(dir.path() / "p.json" / "inside"), "keep me too");
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"file", "p.json"}));
}

TEST(ProfileFiles, ValidateProfile) {
    EXPECT_EQ(validateProfile(*parseProfile(kExample, "t").profile, "x.json"), "");
    Profile p;
    p.endpoints.push_back(EndpointConfig{});   // no name, no bind
    const std::string error = validateProfile(p, "x.json");
    EXPECT_NE(error.find("x.json: endpoints[0].name: expected a non-empty name"), std::string::npos) << error;
}

}  // namespace
}  // namespace sockscope

namespace sockscope {
namespace {

std::string errorOfText(std::string_view text) {
    const ProfileLoadResult r = parseProfile(text, "p.json");
    EXPECT_FALSE(r.profile) << "loaded: " << text;
    return r.error;
}

TEST(ProfileDocument, DuplicateKeysAreErrorsNamingThePath) {
    EXPECT_EQ(errorOfText(R"({"version": 1, "endpoints": [{"name": "a", "name": "b", "type": "udp", "bind": "127.0.0.1:0"}]})"),
              R"(p.json: endpoints[0].name: the key "name" appears more than once in this object; only one value can count, so remove the others)");
    EXPECT_EQ(errorOfText(R"({"version": 1, "version": 1, "endpoints": []})"),
              R"(p.json: version: the key "version" appears more than once in this object; only one value can count, so remove the others)");
    // Deeper, and every duplicate is listed; the same key in two different objects is fine.
    const std::string error = errorOfText(R"({"version": 1, "endpoints": [
        {"name": "a", "type": "tcp-client", "remote": "127.0.0.1:1", "reconnect": {"enabled": true, "enabled": false}},
        {"name": "b", "type": "udp", "bind": "127.0.0.1:0", "multicast": {"groups": [{"group": "239.1.1.1", "group": "239.1.1.2"}]}}]})");
    EXPECT_NE(error.find("p.json: endpoints[0].reconnect.enabled: the key \"enabled\" appears more than once"), std::string::npos) << error;
    EXPECT_NE(error.find("p.json: endpoints[1].multicast.groups[0].group: the key \"group\" appears more than once"), std::string::npos) << error;
    EXPECT_TRUE(parseProfile(R"({"version": 1, "endpoints": [{"name": "a", "type": "udp", "bind": "127.0.0.1:0"},
                                {"name": "b", "type": "udp", "bind": "127.0.0.1:0"}]})", "p.json").profile);
}

TEST(ProfileDocument, ANulByteAndAnythingAfterTheDocumentAreErrorsWithLineAndColumn) {
    const std::string doc = "{\"version\": 1,\n \"endpoints\": []}";
    for (const auto& [tail, place] : {std::pair{std::string("\0garbage", 8), "p.json:2:18: "},
                                      std::pair{std::string("\0", 1), "p.json:2:18: "},
                                      std::pair{std::string("\n\0{}", 4), "p.json:3:1: "}}) {
        const std::string error = errorOfText(doc + tail);
        EXPECT_EQ(error, std::string(place) + "invalid JSON: a NUL byte after the document; only whitespace may follow it");
    }
    EXPECT_NE(errorOfText(doc + "\n\n  x").find("p.json:4:3: invalid JSON"), std::string::npos) << errorOfText(doc + "x");
    EXPECT_NE(errorOfText(doc + " {}").find("p.json:2:19: invalid JSON"), std::string::npos) << errorOfText(doc + " {}");
    EXPECT_EQ(errorOfText(std::string("{\"version\": 1, \"name\": \"a\0b\", \"endpoints\": []}", 44)).find("p.json:1:"), 0u);
    // Whitespace after the document is fine.
    EXPECT_TRUE(parseProfile(doc + " \n\t\r\n", "p.json").profile);
}

TEST(ProfileDocument, NumbersOutOfRangeNameTheirPathAndPlace) {
    EXPECT_EQ(errorOfText("{\"version\": 1, \"endpoints\": [\n  {\"name\": \"a\", \"type\": \"tcp-server\", \"bind\": \"127.0.0.1:1\", \"max_connections\": 1e400}]}"),
              "p.json:2:81: endpoints[0].max_connections: invalid JSON: the number 1e400 is out of range (a double holds at most about 1.8e308)");
    EXPECT_EQ(errorOfText(R"({"version": 1e400})"),
              "p.json:1:13: version: invalid JSON: the number 1e400 is out of range (a double holds at most about 1.8e308)");
    EXPECT_EQ(errorOfText(R"({"version": 1, "endpoints": [{"name": "a", "type": "udp", "bind": "127.0.0.1:0", "multicast": {"groups": [-1e999]}}]})")
                  .find("p.json:1:"), 0u);
    EXPECT_NE(errorOfText(R"({"version": 1, "endpoints": [{"name": "a", "type": "udp", "bind": "127.0.0.1:0", "multicast": {"groups": [-1e999]}}]})")
                  .find("endpoints[0].multicast.groups[0]: invalid JSON: the number -1e999 is out of range"), std::string::npos);
    // Large integers are not out of range for the parser: the field's own range check reports them.
    EXPECT_EQ(errorOfText(R"({"version": 1, "endpoints": [{"name": "a", "type": "tcp-server", "bind": "127.0.0.1:1", "max_connections": 99999999999999999999999}]})"),
              "p.json: endpoints[0].max_connections: expected an integer <= 2147483647, got 9.999999999999999e+22");
}

TEST(ProfileDocument, NestingIsBounded) {
    const std::string deep = "{\"version\": 1, \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    const std::string error = errorOfText(deep);
    EXPECT_NE(error.find("nesting deeper than 64 levels"), std::string::npos) << error.substr(0, 300);
}

TEST(ProfileValidation, ATcpClientBindMustBeAnIpAddress) {
    EXPECT_EQ(errorOf(withEndpoints(R"({"name": "a", "type": "tcp-client", "remote": "127.0.0.1:1", "bind": "localhost:0"})")),
              R"(demo.json: endpoints[0].bind: expected an IP address and port such as "0.0.0.0:0" (a tcp-client's local address is not looked up by name), got "localhost:0")");
    for (const char* bind : {"0.0.0.0:0", "127.0.0.1:5000", "[::1]:0", "[::]:0"})
        EXPECT_TRUE(parseProfile(withEndpoints(std::string(R"({"name": "a", "type": "tcp-client", "remote": "127.0.0.1:1", "bind": ")") + bind + "\"}"), "t.json").profile) << bind;
    // Servers and udp endpoints resolve their bind host when they start: a name is fine there.
    EXPECT_TRUE(parseProfile(withEndpoints(R"({"name": "a", "type": "udp", "bind": "localhost:0"})"), "t.json").profile);
}

TEST(ProfileValidation, ValidateEndpointUsesTheLoadersRules) {
    EndpointConfig c;
    c.name = "gw";
    c.type = EndpointType::TcpClient;
    c.remote = "127.0.0.1:502";
    EXPECT_EQ(validateEndpoint(c), std::vector<ConfigIssue>{});
    c.reconnect.jitter = -0.5;
    EXPECT_EQ(validateEndpoint(c), (std::vector<ConfigIssue>{{"reconnect.jitter", "expected a number from 0 to 1, got -0.5"}}));
    c.reconnect.jitter = std::nan("");
    ASSERT_EQ(validateEndpoint(c).size(), 1u);
    EXPECT_EQ(validateEndpoint(c)[0].path, "reconnect.jitter");
    c.reconnect.jitter = 1.5;
    c.bind = "my-host:0";
    c.options.backlog = 0;
    const auto issues = validateEndpoint(c);
    ASSERT_EQ(issues.size(), 2u) << "the bind rule runs once the fields read cleanly";
    EXPECT_EQ(issues[0].path, "reconnect.jitter");
    EXPECT_EQ(issues[1], (ConfigIssue{"options.backlog", "expected a positive integer, got 0"}));
    c.reconnect.jitter = 0.5;
    c.options.backlog = 1;
    EXPECT_EQ(validateEndpoint(c), (std::vector<ConfigIssue>{{"bind", R"(expected an IP address and port such as "0.0.0.0:0" (a tcp-client's local address is not looked up by name), got "my-host:0")"}}));
    c.bind.clear();
    c.name.clear();
    c.remote = "127.0.0.1:0";
    const auto more = validateEndpoint(c);
    ASSERT_EQ(more.size(), 1u);
    EXPECT_EQ(more[0].path, "name");
    // The same rules as the profile: whatever validateEndpoint accepts, a profile of it loads.
    c.name = "gw";
    const auto remote = validateEndpoint(c);
    ASSERT_EQ(remote.size(), 1u);
    EXPECT_EQ(remote[0].path, "remote");
    Profile p;
    p.endpoints = {c};
    EXPECT_NE(validateProfile(p, "x.json").find("x.json: endpoints[0].remote: "), std::string::npos);
}

}  // namespace
}  // namespace sockscope
