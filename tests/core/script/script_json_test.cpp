// The script loader: shapes of docs/profile-format.md "Scripts", errors naming the JSON path,
// bounds, and save -> load round trips.
#include <gtest/gtest.h>

#include "core/profile/profile.hpp"
#include "core/profile/script_json.hpp"

namespace sockscope {
namespace {

ScriptsJsonResult load(const char* text, EndpointType type = EndpointType::TcpClient) {
    return scriptsFromJson(jsonio::Json::parse(text), type);
}

TEST(ScriptJson, IssueExampleLoads) {
    const auto r = load(R"([ { "name": "read register", "steps": [
      { "send": { "hex": "01 03 00 00 00 01", "checksum": { "type": "crc16-modbus", "order": "little" } } },
      { "expect": { "hex": "01 03 02 ?? ?? ?? ??" }, "timeout_ms": 500 },
      { "repeat": 100, "steps": [ { "send": { "text": "PING\r\n" } },
                                  { "expect": { "text": "PONG", "mode": "prefix" }, "timeout_ms": 200 } ] } ] } ])");
    ASSERT_EQ(r.error, "");
    ASSERT_EQ(r.scripts.size(), 1u);
    const Script& s = r.scripts[0];
    EXPECT_EQ(s.name, "read register");
    ASSERT_EQ(s.steps.size(), 3u);
    EXPECT_EQ(s.steps[0].kind, ScriptStepKind::Send);
    ASSERT_TRUE(s.steps[0].send.checksum);
    EXPECT_EQ(s.steps[1].kind, ScriptStepKind::Expect);
    EXPECT_EQ(s.steps[1].timeout_ms, 500);
    EXPECT_EQ(s.steps[2].kind, ScriptStepKind::Repeat);
    EXPECT_EQ(s.steps[2].count, 100u);
    ASSERT_EQ(s.steps[2].steps.size(), 2u);
    EXPECT_EQ(s.steps[2].steps[1].timeout_ms, 200);
    EXPECT_EQ(flattenSteps(s).size(), 5u);
    // Round trip.
    const auto again = scriptsFromJson(scriptsToJson(r.scripts), EndpointType::TcpClient);
    EXPECT_EQ(again.error, "");
    EXPECT_EQ(again.scripts, r.scripts);
}

// Tester item: a send's text was quoted again, so "PING\r\n" showed as "PING\\r\\n" (and as
// four backslashes in JSON lines). Sends now show as typed, like expects.
TEST(ScriptJson, StepsAreDescribedAsTyped) {
    const auto r = load(R"([ { "name": "a", "steps": [ { "send": { "text": "PING\\r\\n" } },
        { "send": { "hex": "01 02" } }, { "expect": { "text": "OK\\r\\n" } },
        { "send": { "text": "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé" } } ] } ])");
    ASSERT_EQ(r.error, "");
    const auto& steps = r.scripts.at(0).steps;
    EXPECT_EQ(describeStep(steps[0]), R"(send text "PING\r\n")");
    EXPECT_EQ(describeStep(steps[1]), "send hex 01 02");
    EXPECT_EQ(describeStep(steps[2]), R"(expect exact "OK\r\n" within 1000 ms)");
    std::string cut;   // 57 bytes fit; é is 2 bytes, so 28 of them
    for (int i = 0; i < 28; ++i) cut += "é";
    EXPECT_EQ(describeStep(steps[3]), "send text \"" + cut + "...\"") << "cut between characters";
}

TEST(ScriptJson, EveryStepKindAndCloseMode) {
    const auto r = load(R"([ { "name": "a", "steps": [ { "connect": true, "timeout_ms": 300 }, { "wait_ms": 5 },
        { "expect": { "any": true } }, { "close": "rst" }, { "close": { "mode": "half-close" } }, { "close": true },
        { "close": "fin", "name": "bye" } ] } ])");
    ASSERT_EQ(r.error, "");
    const auto& steps = r.scripts.at(0).steps;
    EXPECT_EQ(steps[0].kind, ScriptStepKind::Connect);
    EXPECT_EQ(steps[0].timeout_ms, 300);
    EXPECT_EQ(steps[1].wait_ms, 5);
    EXPECT_EQ(steps[2].timeout_ms, 1000);   // the default
    EXPECT_EQ(steps[3].close_mode, ScriptCloseMode::Rst);
    EXPECT_EQ(steps[4].close_mode, ScriptCloseMode::HalfClose);
    EXPECT_EQ(steps[5].close_mode, ScriptCloseMode::Fin);
    EXPECT_EQ(steps[6].name, "bye");
    EXPECT_EQ(scriptsFromJson(scriptsToJson(r.scripts), EndpointType::TcpClient).scripts, r.scripts);
}

TEST(ScriptJson, ErrorsNameTheJsonPath) {
    auto r = load(R"([ { "name": "a", "steps": [ { "send": { "text": "x" } },
        { "repeat": 2, "steps": [ { "expect": { "text": "PONG", "mode": "sideways" } } ] } ] } ])");
    EXPECT_NE(r.error.find("scripts[0].steps[1].steps[0].expect.mode"), std::string::npos) << r.error;
    EXPECT_TRUE(r.scripts.empty());
    r = load(R"([ { "name": "a", "steps": [ { "expect": { "hex": "01 0G" }, "timeout_ms": 0 } ] } ])");
    EXPECT_NE(r.error.find("scripts[0].steps[0].expect.hex"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("scripts[0].steps[0].timeout_ms"), std::string::npos) << r.error;
    r = load(R"([ { "name": "a", "steps": [ { "send": { "text": "x" }, "wait_ms": 3 } ] } ])");
    EXPECT_NE(r.error.find("scripts[0].steps[0]: a step does one thing"), std::string::npos) << r.error;
    r = load(R"([ { "name": "a", "steps": [ { "sned": {} } ] } ])");
    EXPECT_NE(r.error.find("scripts[0].steps[0]: expected a step"), std::string::npos) << r.error;
    r = load(R"([ { "name": "a", "steps": [] }, { "name": "a", "steps": [] } ])");
    EXPECT_NE(r.error.find("scripts[1].name: \"a\" is used twice"), std::string::npos) << r.error;
    r = load(R"([ { "name": "a/b", "steps": [] } ])");
    EXPECT_NE(r.error.find("scripts[0].name"), std::string::npos) << r.error;
    r = load(R"([ { "name": "a", "steps": [ { "close": "later" } ] } ])");
    EXPECT_NE(r.error.find("scripts[0].steps[0].close: expected \"fin\", \"rst\" or \"half-close\""), std::string::npos)
        << r.error;
}

TEST(ScriptJson, StepsThatDoNotFitTheEndpointKind) {
    auto r = load(R"([ { "name": "a", "steps": [ { "connect": true } ] } ])", EndpointType::Udp);
    EXPECT_NE(r.error.find("scripts[0].steps[0].connect: a udp endpoint has no connection"), std::string::npos) << r.error;
    // A tcp-server's connect step waits for its next client (a device that reconnects).
    r = load(R"([ { "name": "a", "steps": [ { "close": "fin" }, { "connect": true } ] } ])", EndpointType::TcpServer);
    EXPECT_EQ(r.error, "");
    r = load(R"([ { "name": "a", "steps": [ { "close": "fin" } ] } ])", EndpointType::Udp);
    EXPECT_NE(r.error.find("scripts[0].steps[0].close"), std::string::npos) << r.error;
}

TEST(ScriptJson, NestingAndStepCountAreBounded) {
    std::string deep = R"({ "send": { "text": "x" } })";
    for (int i = 0; i < kMaxScriptDepth + 1; ++i) deep = R"({ "repeat": 2, "steps": [ )" + deep + " ] }";
    auto r = load(("[ { \"name\": \"deep\", \"steps\": [ " + deep + " ] } ]").c_str());
    EXPECT_NE(r.error.find("nest at most"), std::string::npos) << r.error;
    EXPECT_TRUE(r.scripts.empty());
    std::string many = "[ { \"name\": \"many\", \"steps\": [ ";
    for (std::size_t i = 0; i <= kMaxScriptSteps; ++i) many += std::string(i ? ", " : "") + R"({ "wait_ms": 0 })";
    many += " ] } ]";
    r = load(many.c_str());
    EXPECT_NE(r.error.find("at most 10000 steps"), std::string::npos) << r.error;
}

TEST(ScriptJson, ProfileCarriesScriptsPerEndpoint) {
    const ProfileLoadResult loaded = parseProfile(R"({ "version": 1, "endpoints": [
      { "name": "dev", "type": "tcp-client", "remote": "127.0.0.1:1502",
        "scripts": [ { "name": "smoke", "steps": [ { "send": { "text": "PING" } },
                                                     { "expect": { "text": "PONG" }, "timeout_ms": 100 } ] } ] } ] })", "p.json");
    ASSERT_TRUE(loaded.profile) << loaded.error;
    ASSERT_EQ(loaded.profile->endpoints.at(0).scripts.size(), 1u);
    const std::string saved = profileToText(*loaded.profile);
    EXPECT_NE(saved.find("\"scripts\""), std::string::npos);
    const ProfileLoadResult again = parseProfile(saved, "saved");
    ASSERT_TRUE(again.profile) << again.error;
    EXPECT_EQ(again.profile->endpoints, loaded.profile->endpoints);
    const ProfileLoadResult bad = parseProfile(R"({ "version": 1, "endpoints": [
      { "name": "dev", "type": "tcp-client", "remote": "127.0.0.1:1502",
        "scripts": [ { "name": "smoke", "steps": [ { "wait_ms": -5 } ] } ] } ] })", "p.json");
    EXPECT_FALSE(bad.profile);
    EXPECT_NE(bad.error.find("endpoints[0].scripts[0].steps[0].wait_ms"), std::string::npos) << bad.error;
}

}  // namespace
}  // namespace sockscope
