// "faults" of an endpoint and of a rule (docs/profile-format.md, "Fault injection"): the shapes
// load and round-trip, the rule's own delay_ms still works beside them, and every bad value gets
// an error naming its path.
#include <gtest/gtest.h>

#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

std::string profileWith(const std::string& endpoint_extra, const char* type = "tcp-server") {
    return std::string(R"({"version": 1, "name": "t", "endpoints": [{"name": "dev", "type": ")") + type +
           R"(", "bind": "127.0.0.1:0")" + endpoint_extra + "}]}";
}

EndpointConfig load(const std::string& extra, const char* type = "tcp-server") {
    ProfileLoadResult r = parseProfile(profileWith(extra, type), "p.json");
    EXPECT_TRUE(r.profile) << r.error;
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
    if (!r.profile) return {};
    ProfileLoadResult again = parseProfile(profileToText(*r.profile), "again.json");
    EXPECT_TRUE(again.profile) << again.error;
    if (again.profile) {
        EXPECT_EQ(again.profile->endpoints[0], r.profile->endpoints[0]) << "saved and loaded back: the same";
    }
    return r.profile->endpoints[0];
}

std::string errorOf(const std::string& extra, const char* type = "tcp-server") {
    ProfileLoadResult r = parseProfile(profileWith(extra, type), "p.json");
    EXPECT_FALSE(r.profile);
    return r.error;
}

TEST(FaultsProfile, TheDocumentedShapeLoads) {
    const EndpointConfig c = load(
        R"(, "faults": { "delay_ms": [20, 200], "split": { "size": 4, "gap_ms": 10 }, "drop": 0.1, "duplicate": 0.5, "seed": 42 })");
    ASSERT_TRUE(c.faults);
    EXPECT_EQ(c.faults->delay_min_ms, 20);
    EXPECT_EQ(c.faults->delay_max_ms, 200);
    EXPECT_EQ(c.faults->split_size, 4u);
    EXPECT_EQ(c.faults->split_gap_ms, 10);
    EXPECT_DOUBLE_EQ(c.faults->drop, 0.1);
    EXPECT_DOUBLE_EQ(c.faults->duplicate, 0.5);
    EXPECT_EQ(c.faults->seed, 42u);
    const EndpointConfig fixed = load(R"(, "faults": { "delay_ms": 50 })");
    ASSERT_TRUE(fixed.faults);
    EXPECT_EQ(fixed.faults->delay_min_ms, 50);
    EXPECT_EQ(fixed.faults->delay_max_ms, 50);
    EXPECT_FALSE(fixed.faults->seed);
    EXPECT_FALSE(load("").faults) << "absent: no fault injection";
    const EndpointConfig udp = load(R"(, "faults": { "split": { "size": 65507 }, "duplicate": 1 })", "udp");
    ASSERT_TRUE(udp.faults);
    EXPECT_EQ(udp.faults->split_gap_ms, 0);
}

TEST(FaultsProfile, ARuleHasItsOwnFaultsBesideItsDelay) {
    const EndpointConfig c = load(R"(, "faults": { "drop": 1 }, "rules": [
        { "name": "slow", "match": { "any": true }, "reply": { "text": "x" }, "delay_ms": 30,
          "faults": { "delay_ms": [0, 10], "drop": 0 } },
        { "name": "plain", "match": { "any": true }, "reply": { "text": "y" } } ])");
    ASSERT_EQ(c.rules.size(), 2u);
    EXPECT_EQ(c.rules[0].delay_ms, 30);
    ASSERT_TRUE(c.rules[0].faults);
    EXPECT_EQ(c.rules[0].faults->delay_max_ms, 10);
    EXPECT_FALSE(c.rules[1].faults);
}

TEST(FaultsProfile, BadValuesNameTheirPath) {
    EXPECT_NE(errorOf(R"(, "faults": { "drop": 1.5 })").find("endpoints[0].faults.drop: expected a number (a probability) from 0 to 1, got 1.5"),
              std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "duplicate": -0.1 })").find("faults.duplicate: expected a number (a probability)"),
              std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "delay_ms": [200, 20] })").find("faults.delay_ms: the range's minimum 200 is larger than its maximum 20"),
              std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "delay_ms": [1, 2, 3] })").find("faults.delay_ms: expected milliseconds"),
              std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "delay_ms": -5 })").find("faults.delay_ms: expected milliseconds"), std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "split": { "size": 0 } })").find("faults.split.size: expected bytes per piece from 1"),
              std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "split": { "gap_ms": 5 } })").find("faults.split.size: missing"), std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "split": 4 })").find("faults.split: expected an object"), std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "split": { "size": 70000 } })", "udp").find("from 1 to 65507 (one datagram per piece)"),
              std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": { "seed": -1 })").find("faults.seed: expected an integer >= 0"), std::string::npos);
    EXPECT_NE(errorOf(R"(, "faults": 3)").find("endpoints[0].faults: expected an object"), std::string::npos);
    EXPECT_NE(errorOf(R"(, "rules": [ { "name": "r", "match": { "any": true }, "faults": { "drop": 2 } } ])")
                  .find("endpoints[0].rules[0].faults.drop: expected a number"),
              std::string::npos);
}

TEST(FaultsProfile, UnknownKeysWarnWithASuggestion) {
    ProfileLoadResult r = parseProfile(profileWith(R"(, "faults": { "dorp": 0.5 })"), "p.json");
    ASSERT_TRUE(r.profile) << r.error;
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("did you mean \"drop\""), std::string::npos) << r.warnings[0];
}

}  // namespace
}  // namespace sockscope
