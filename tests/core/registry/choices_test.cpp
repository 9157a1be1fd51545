// Every enumerated string of the stages' structure is listed once (registry/choices.hpp): each
// row reads from a profile to its enum value and is written back as its name, the readers'
// messages name the table's rows, and no table is left without a case here.
#include "core/registry/choices.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "core/codec/checksum.hpp"
#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

/// Where a table's value sits in an endpoint ("$" stands for the name) and how to read it back.
struct Case {
    std::string endpoint_json;
    std::function<int(const EndpointConfig&)> value;
};

std::map<std::string, Case> cases() {
    auto onConnect = [](const EndpointConfig& c) -> const PayloadSpec& { return *c.on_connect; };
    return {
        {"checksum.type", {R"("on_connect": {"hex": "01", "checksum": {"type": "$"}})",
                           [=](const EndpointConfig& c) { return int(onConnect(c).checksum->kind); }}},
        {"checksum.order", {R"("on_connect": {"hex": "01", "checksum": {"type": "crc16-modbus", "order": "$"}})",
                            [=](const EndpointConfig& c) { return int(onConnect(c).checksum->order); }}},
        {"checksum.at", {R"("on_connect": {"hex": "01", "checksum": {"type": "sum8", "at": "$"}})",
                         [=](const EndpointConfig& c) { return int(onConnect(c).checksum->at); }}},
        {"encoding", {R"("on_connect": {"text": "a", "encoding": "$"})",
                      [=](const EndpointConfig& c) { return int(onConnect(c).encoding); }}},
        {"line_ending", {R"("on_connect": {"text": "a", "line_ending": "$"})",
                         [=](const EndpointConfig& c) { return int(onConnect(c).line_ending); }}},
        {"framing.type", {R"("framing": {"type": "$", "delimiter": {"hex": "0a"}, "length": 8})",
                          [](const EndpointConfig& c) { return int(c.framing.type); }}},
        {"framing.endian", {R"("framing": {"type": "length", "endian": "$"})",
                            [](const EndpointConfig& c) { return int(c.framing.endian); }}},
        {"framing.on_error", {R"("framing": {"type": "delimiter", "delimiter": {"hex": "0a"}, "on_error": "$"})",
                              [](const EndpointConfig& c) { return int(c.framing.on_error); }}},
        {"match.mode", {R"("rules": [{"name": "r", "match": {"text": "a", "mode": "$"}, "reply": {"text": "b"}}])",
                        [](const EndpointConfig& c) { return int(c.rules.at(0).match.mode); }}},
        {"rules.close", {R"("rules": [{"name": "r", "match": {"any": true}, "reply": {"text": "b"}, "close": "$"}])",
                         [](const EndpointConfig& c) { return int(c.rules.at(0).close); }}},
        {"steps.close", {R"("scripts": [{"name": "s", "steps": [{"close": "$"}]}])",
                         [](const EndpointConfig& c) { return int(c.scripts.at(0).steps.at(0).close_mode); }}},
    };
}

std::string profileWith(std::string endpoint_json, std::string_view name) {
    endpoint_json.replace(endpoint_json.find('$'), 1, name);
    return R"({"version": 1, "endpoints": [{"name": "e", "type": "tcp-server", "bind": "127.0.0.1:1", )" +
           endpoint_json + "}]}";
}

TEST(Choices, EveryRowRoundTripsThroughTheProfile) {
    const std::map<std::string, Case> all = cases();
    for (const registry::ChoiceTable& table : registry::choiceTables()) {
        const auto it = all.find(std::string(table.key));
        ASSERT_NE(it, all.end()) << table.key << " has no case here";
        for (const registry::Choice& choice : table.items) {
            SCOPED_TRACE(std::string(table.key) + " = " + std::string(choice.name));
            const ProfileLoadResult read = parseProfile(profileWith(it->second.endpoint_json, choice.name), "c.json");
            ASSERT_TRUE(read.profile) << read.error;
            EXPECT_EQ(it->second.value(read.profile->endpoints.at(0)), choice.value);
            // Written back: the name (or nothing, for a default), and it reads as the same value.
            const std::string text = profileToText(*read.profile);
            const ProfileLoadResult again = parseProfile(text, "again.json");
            ASSERT_TRUE(again.profile) << again.error;
            EXPECT_EQ(it->second.value(again.profile->endpoints.at(0)), choice.value) << text;
            EXPECT_EQ(registry::findChoice(table, choice.value), &choice) << "two rows with one value";
        }
    }
    EXPECT_EQ(all.size(), registry::choiceTables().size());
}

TEST(Choices, ReadersNameTheTablesRows) {
    auto error = [](const std::string& key, std::string_view bad) {
        return parseProfile(profileWith(cases().at(key).endpoint_json, bad), "c.json").error;
    };
    // Every table's message lists each listed row.
    for (const registry::ChoiceTable& table : registry::choiceTables()) {
        const std::string e = error(std::string(table.key), "bogus");
        for (const registry::Choice& choice : table.items) {
            if (choice.unlisted) continue;
            EXPECT_NE(e.find(std::string(choice.name)), std::string::npos) << table.key << ": " << e;
        }
    }
    // The wording of before the tables, word for word.
    EXPECT_NE(error("framing.endian", "middle").find(R"(framing.endian: expected "big" or "little", got "middle")"),
              std::string::npos);
    EXPECT_NE(error("rules.close", "x").find(R"(close: expected "fin" (graceful) or "rst" (reset), got "x")"),
              std::string::npos);
    EXPECT_NE(error("steps.close", "x").find(R"(close: expected "fin", "rst" or "half-close", got "x")"),
              std::string::npos);
    EXPECT_NE(error("framing.type", "x").find(R"(expected "raw", "delimiter", "fixed", "length" or "idle", got "x")"),
              std::string::npos);
    EXPECT_NE(error("match.mode", "x").find("unknown mode 'x'; expected one of exact, prefix, contains, regex"),
              std::string::npos);
    EXPECT_NE(error("checksum.order", "x").find("unknown byte order 'x'; expected one of little, big, conventional"),
              std::string::npos);
    EXPECT_EQ(registry::choiceList(registry::choices("encoding")), "utf-8, ascii, latin-1, gbk, utf-16le, utf-16be");
    EXPECT_THROW((void)registry::choices("no.such"), std::logic_error);
}

// The codec keeps its own names for the log and the send panel's preview (it sits below the
// registry): they must be the table's.
TEST(Choices, TheCodecsNamesAreTheTables) {
    for (const registry::Choice& c : registry::choices("checksum.type").items) {
        EXPECT_EQ(c.display, displayName(static_cast<ChecksumKind>(c.value)));
        EXPECT_EQ(c.name, toString(static_cast<ChecksumKind>(c.value)));
    }
    EXPECT_EQ(registry::choices("checksum.type").items.size(), kChecksumKinds.size());
    for (const registry::Choice& c : registry::choices("encoding").items)
        EXPECT_EQ(c.name, toString(static_cast<TextEncoding>(c.value)));
    EXPECT_EQ(registry::choices("encoding").items.size(), kTextEncodings.size());
}

}  // namespace
}  // namespace sockscope
