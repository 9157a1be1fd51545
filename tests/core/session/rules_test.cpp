// Auto-reply rules without sockets: the profile shape, the rule set's evaluation (first match,
// continue, times, templates in replies), and the two shipped example profiles byte for byte.
#include "core/session/rules.hpp"

#include <gtest/gtest.h>

#include "core/codec/hex.hpp"
#include "core/profile/profile.hpp"
#include "core/profile/rules_json.hpp"

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }
Bytes hex(std::string_view text) { return parseHex(text).bytes; }

std::vector<ReplyRule> rulesOf(const std::string& rules_json, std::string* error = nullptr,
                               EndpointType type = EndpointType::TcpServer) {
    const std::string profile = R"j({"version": 1, "endpoints": [{"name": "e", "type": ")j" +
                                std::string(toString(type)) + R"j(", "bind": "127.0.0.1:0", "rules": )j" + rules_json + "}]}";
    const ProfileLoadResult loaded = parseProfile(profile, "p.json");
    if (error) *error = loaded.error;
    EXPECT_TRUE(loaded.profile || error) << loaded.error;
    return loaded.profile ? loaded.profile->endpoints[0].rules : std::vector<ReplyRule>{};
}

/// The replies (as text) the rules give to `messages`, in one session.
std::vector<std::string> replies(RuleSet& set, const std::vector<Bytes>& messages) {
    RuleSessionState state = set.newSession();
    RuleEvaluation eval;
    std::vector<std::string> out;
    for (const Bytes& m : messages) {
        set.evaluate(m, state, eval);
        for (const RuleFiring& f : eval.fired) out.emplace_back(f.reply.begin(), f.reply.end());
    }
    return out;
}

TEST(Rules, RtuExampleRepliesByteExactly) {
    const ProfileLoadResult loaded = loadProfile(SOCKSCOPE_SOURCE_DIR "/assets/profiles/rtu-device.json");
    ASSERT_TRUE(loaded.profile) << loaded.error;
    RuleSet set = RuleSet::compile(loaded.profile->endpoints[0].rules);
    ASSERT_EQ(set.size(), 2u);
    RuleSessionState state = set.newSession();
    RuleEvaluation eval;
    set.evaluate(hex("01 03 00 00 00 01 84 0A"), state, eval);
    ASSERT_EQ(eval.fired.size(), 1u);
    EXPECT_EQ(eval.fired[0].rule, 0u);
    EXPECT_EQ(eval.fired[0].reply, hex("01 03 02 00 2A 39 9B"));
    EXPECT_EQ(replies(set, {bytesOf("PING"), bytesOf("PING\r\n"), bytesOf("PONG")}),
              (std::vector<std::string>{"PONG 1\r\n", "PONG 2\r\n"}));
}

TEST(Rules, ModbusTcpExampleEchoesTheTransactionId) {
    const ProfileLoadResult loaded = loadProfile(SOCKSCOPE_SOURCE_DIR "/assets/profiles/mbtcp-device.json");
    ASSERT_TRUE(loaded.profile) << loaded.error;
    RuleSet set = RuleSet::compile(loaded.profile->endpoints[0].rules);
    RuleSessionState state = set.newSession();
    RuleEvaluation eval;
    set.evaluate(hex("BE EF 00 00 00 06 01 03 00 00 00 01"), state, eval);
    ASSERT_EQ(eval.fired.size(), 1u);
    EXPECT_EQ(eval.fired[0].reply, hex("BE EF 00 00 00 05 01 03 02 00 2A"));
    set.evaluate(hex("BE EF 00 00 00 06 02 03 00 00 00 01"), state, eval);   // unit 2: no answer
    EXPECT_TRUE(eval.fired.empty());
}

TEST(Rules, FirstMatchWinsUnlessContinue) {
    auto rules = rulesOf(R"j([
        {"name": "a", "match": {"text": "X", "mode": "prefix"}, "reply": {"text": "A"}},
        {"name": "b", "match": {"any": true}, "reply": {"text": "B"}}])j");
    RuleSet set = RuleSet::compile(rules);
    EXPECT_EQ(replies(set, {bytesOf("X1"), bytesOf("Y")}), (std::vector<std::string>{"A", "B"}));
    rules[0].continue_matching = true;
    RuleSet cont = RuleSet::compile(rules);
    EXPECT_EQ(replies(cont, {bytesOf("X1")}), (std::vector<std::string>{"A", "B"}));
}

TEST(Rules, TimesOnceNAndAlwaysPerSession) {
    auto rules = rulesOf(R"j([
        {"name": "hello", "match": {"any": true}, "reply": {"text": "hi"}, "times": "once"},
        {"name": "two", "match": {"any": true}, "reply": {"text": "2"}, "times": 2},
        {"name": "rest", "match": {"any": true}, "reply": {"text": "r"}, "times": "always"}])j");
    RuleSet set = RuleSet::compile(rules);
    const std::vector<Bytes> five(5, bytesOf("m"));
    EXPECT_EQ(replies(set, five), (std::vector<std::string>{"hi", "2", "2", "r", "r"}));
    EXPECT_EQ(replies(set, five), (std::vector<std::string>{"hi", "2", "2", "r", "r"})) << "a new session starts over";
}

TEST(Rules, TemplatesInRepliesSeeTheMessage) {
    auto rules = rulesOf(R"j([
        {"name": "set", "match": {"text": "^SET (\\w+)=(\\d+)", "mode": "regex"},
         "reply": {"text": "OK {{1}} is {{2}} ({{counter:03}})\r\n"}},
        {"name": "echo", "match": {"text": "E", "mode": "prefix"}, "reply": {"text": "<{{echo}}>"}},
        {"name": "slice", "match": {"hex": "AA ?? ??", "mode": "prefix"},
         "reply": {"hex": "55 {{rx[1:3]}} {{1}}", "checksum": "sum8"}}])j");
    RuleSet set = RuleSet::compile(rules);
    EXPECT_EQ(replies(set, {bytesOf("SET speed=42\r\n"), bytesOf("SET x=1"), bytesOf("Ehlo")}),
              (std::vector<std::string>{"OK speed is 42 (001)\r\n", "OK x is 1 (002)\r\n", "<Ehlo>"}));
    RuleSessionState state = set.newSession();
    RuleEvaluation eval;
    set.evaluate(hex("AA 01 02 FF"), state, eval);
    ASSERT_EQ(eval.fired.size(), 1u);
    EXPECT_EQ(eval.fired[0].reply, hex("55 01 02 01 02 5B"));   // sum8 of 55 01 02 01 02 = 0x5B
}

TEST(Rules, DisabledAndReplylessRules) {
    auto rules = rulesOf(R"j([
        {"name": "off", "match": {"any": true}, "reply": {"text": "no"}, "enabled": false},
        {"name": "bye", "match": {"text": "QUIT"}, "close": "fin"},
        {"name": "kill", "match": {"text": "KILL"}, "reply": {"text": "x"}, "close": "rst", "delay_ms": 50}])j");
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[1].close, RuleClose::Fin);
    EXPECT_EQ(rules[2].close, RuleClose::Rst);
    EXPECT_EQ(rules[2].delay_ms, 50);
    RuleSet set = RuleSet::compile(rules);
    RuleSessionState state = set.newSession();
    RuleEvaluation eval;
    set.evaluate(bytesOf("QUIT"), state, eval);
    ASSERT_EQ(eval.fired.size(), 1u);
    EXPECT_EQ(eval.fired[0].rule, 1u);
    EXPECT_FALSE(eval.fired[0].has_reply);
}

TEST(Rules, ValidationErrorsNameTheJsonPath) {
    auto errorOf = [](const std::string& json) {
        std::string error;
        rulesOf(json, &error);
        return error;
    };
    EXPECT_NE(errorOf(R"j([{"name": "a", "match": {"hex": "01 0G"}}])j").find("endpoints[0].rules[0].match.hex: at character 5"),
              std::string::npos);
    EXPECT_NE(errorOf(R"j([{"name": "a"}])j").find("endpoints[0].rules[0].match: missing"), std::string::npos);
    EXPECT_NE(errorOf(R"j([{"match": {"any": true}, "times": 0}])j").find("rules[0].times: expected \"once\""), std::string::npos);
    EXPECT_NE(errorOf(R"j([{"match": {"any": true}, "close": "half"}])j").find("rules[0].close: expected \"fin\""),
              std::string::npos);
    EXPECT_NE(errorOf(R"j([{"match": {"any": true}, "delay_ms": -1}])j").find("rules[0].delay_ms"), std::string::npos);
    EXPECT_NE(errorOf(R"j([{"match": {"any": true}, "reply": {"hex": "0x"}}])j").find("rules[0].reply.hex"), std::string::npos);
    EXPECT_NE(errorOf(R"j([{"name": "a", "match": {"any": true}}, {"name": "a", "match": {"any": true}}])j")
                  .find("rules[1].name: \"a\" is used twice"),
              std::string::npos);
    EXPECT_NE(errorOf(R"j([{"match": {"text": "(", "mode": "regex"}}])j").find("rules[0].match.text: "), std::string::npos);
    EXPECT_NE(errorOf(R"j("x")j").find("endpoints[0].rules: expected an array"), std::string::npos);
}

TEST(Rules, ProfileRoundTripKeepsEveryField) {
    const std::string json = R"j([
        {"name": "a", "match": {"text": "X", "mode": "contains"}, "reply": {"text": "A"}, "delay_ms": 5,
         "times": "once", "close": "fin", "continue": true, "enabled": false},
        {"name": "b", "match": {"hex": "01 ??"}, "times": 3, "close": "rst"}])j";
    const auto rules = rulesOf(json);
    ASSERT_EQ(rules.size(), 2u);
    EndpointConfig config;
    config.rules = rules;
    config.storm_limit = 50;
    jsonio::Json out = jsonio::Json::object();
    writeRules(config, out);
    EXPECT_EQ(out["storm_limit"], 50);
    EXPECT_EQ(out["rules"], jsonio::Json::parse(json));
    EXPECT_EQ(rulesOf(out["rules"].dump()), rules);
}

TEST(Rules, CloseOnUdpIsAWarningNotAnError) {
    const ProfileLoadResult loaded = parseProfile(R"j({"version": 1, "endpoints": [{"name": "u", "type": "udp",
        "bind": "127.0.0.1:0", "rules": [{"name": "r", "match": {"any": true}, "close": "fin"}]}]})j", "p.json");
    ASSERT_TRUE(loaded.profile) << loaded.error;
    EXPECT_EQ(loaded.profile->endpoints[0].rules[0].close, RuleClose::None);
    ASSERT_FALSE(loaded.warnings.empty());
    EXPECT_NE(loaded.warnings[0].find("rules[0].close: does not apply to a udp endpoint"), std::string::npos);
}

}  // namespace
}  // namespace sockscope
