// Issue 6 item 12: the profile field "close_wait_timeout_s" (read, written, validated).
#include <gtest/gtest.h>

#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

std::string withField(const std::string& value) {
    return R"({"version": 1, "name": "p", "endpoints": [{"name": "s", "type": "tcp-server",
              "bind": "127.0.0.1:0", "close_wait_timeout_s": )" + value + "}]}";
}

TEST(CloseWaitTimeout, DefaultsToThirtySeconds) {
    const auto r = parseProfile(R"({"version": 1, "name": "p", "endpoints": [{"name": "s", "type": "tcp-server",
                                   "bind": "127.0.0.1:0"}]})", "t.json");
    ASSERT_TRUE(r.profile) << r.error;
    EXPECT_EQ(r.profile->endpoints[0].close_wait_timeout_s, 30.0);
}

TEST(CloseWaitTimeout, ReadsSecondsZeroMinusOneAndNull) {
    for (const auto& [text, value] : std::vector<std::pair<std::string, double>>{
             {"2.5", 2.5}, {"0", 0.0}, {"-1", -1.0}, {"null", -1.0}, {"86400", 86400.0}}) {
        const auto r = parseProfile(withField(text), "t.json");
        ASSERT_TRUE(r.profile) << text << ": " << r.error;
        EXPECT_EQ(r.profile->endpoints[0].close_wait_timeout_s, value) << text;
    }
}

TEST(CloseWaitTimeout, RejectsOtherValuesWithThePath) {
    for (const std::string text : {"-0.5", "-2", "\"30\"", "true", "1e10"}) {
        const auto r = parseProfile(withField(text), "t.json");
        EXPECT_FALSE(r.profile) << text;
        EXPECT_NE(r.error.find("endpoints[0].close_wait_timeout_s"), std::string::npos) << text << ": " << r.error;
    }
}

TEST(CloseWaitTimeout, RoundTrips) {
    Profile p{1, "x", {EndpointConfig{}}, {}};
    p.endpoints[0].name = "s";
    p.endpoints[0].bind = "127.0.0.1:0";
    for (const double value : {30.0, 0.0, 2.5, -1.0}) {
        p.endpoints[0].close_wait_timeout_s = value;
        const auto r = parseProfile(profileToText(p), "t.json");
        ASSERT_TRUE(r.profile) << r.error;
        EXPECT_EQ(r.profile->endpoints[0].close_wait_timeout_s, value);
    }
}

}  // namespace
}  // namespace sockscope
