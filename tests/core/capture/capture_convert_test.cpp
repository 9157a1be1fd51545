// Captured messages -> script steps and saved commands: turns vs packets, UDP datagrams, text vs
// hex (escapes and template braces quoted), expects exact / prefix / any with timeouts from the
// captured latency, wait_ms for gaps, the step limit, and the result loading through the profile
// loader (a whole profile, as a user pastes it).
#include "core/capture/capture_convert.hpp"

#include <gtest/gtest.h>

#include "core/codec/payload_template.hpp"
#include "core/profile/profile.hpp"

namespace sockscope::capture {
namespace {

PayloadChunk chunk(int from, std::int64_t ms, const std::string& text) {
    return PayloadChunk{from, ms * 1'000'000, Bytes(text.begin(), text.end())};
}

const std::vector<PayloadChunk> kChunks = {
    chunk(0, 0, "HEL"), chunk(0, 1, "LO\r\n"), chunk(1, 41, "WORLD"), chunk(1, 42, " 1\r\n"),
    chunk(0, 1000, std::string("\x01\x03\x00\x00", 4)), chunk(1, 1300, "{{echo}} \\ ok")};

TEST(CaptureConvert, TurnsMergeARunOfOneDirectionPacketsDoNotUdpNever) {
    const auto turns = buildMessages(kChunks, Transport::Tcp, MessageSplit::Turns);
    ASSERT_EQ(turns.size(), 4u);
    EXPECT_EQ(std::string(turns[0].data.begin(), turns[0].data.end()), "HELLO\r\n");
    EXPECT_EQ(turns[1].first_ns, 41'000'000);
    EXPECT_EQ(turns[1].last_ns, 42'000'000);
    EXPECT_EQ(buildMessages(kChunks, Transport::Tcp, MessageSplit::Packets).size(), 6u);
    EXPECT_EQ(buildMessages(kChunks, Transport::Udp, MessageSplit::Turns).size(), 6u);
}

TEST(CaptureConvert, PayloadsAreTextWhenPrintableElseHexAndRenderToTheCapturedBytes) {
    const std::vector<std::string> samples = {"PING\r\n", "{{counter}} \\x41 \"q\"\t", std::string("\x01\x03\x00", 3),
                                              "caf\xc3\xa9", "\x7f"};
    for (const std::string& sample : samples) {
        const Bytes bytes(sample.begin(), sample.end());
        const PayloadSpec spec = payloadFor(bytes);
        const ParseResult built = buildPayload(spec);
        ASSERT_TRUE(built.ok()) << spec.text;
        EXPECT_EQ(built.bytes, bytes) << spec.text;
    }
    EXPECT_EQ(payloadFor(Bytes{'P', '\r', '\n'}).mode, PayloadMode::Text);
    EXPECT_EQ(payloadFor(Bytes{'P', '\r', '\n'}).text, "P\\r\\n");
    EXPECT_EQ(payloadFor(Bytes{0x01, 0xFF}).mode, PayloadMode::Hex);
    EXPECT_EQ(payloadFor(Bytes{0x01, 0xFF}).text, "01 FF");
}

TEST(CaptureConvert, ScriptWithExactExpectsTimeoutsAndGaps) {
    ConvertOptions options;
    options.side = 0;
    options.expect = ExpectKind::Exact;
    options.keep_gaps = true;
    options.name = "replay";
    const ConvertResult r = toScript(buildMessages(kChunks, Transport::Tcp, MessageSplit::Turns), options);
    EXPECT_EQ(r.script.name, "replay");
    EXPECT_EQ(r.sends, 2u);
    EXPECT_EQ(r.expects, 2u);
    EXPECT_EQ(r.waits, 1u);
    const jsonio::Json j = scriptJson(r.script);
    EXPECT_EQ(j, jsonio::Json::parse(R"({"name": "replay", "steps": [
        {"send": {"text": "HELLO\\r\\n"}},
        {"expect": {"text": "WORLD 1\\r\\n"}, "timeout_ms": 500},
        {"wait_ms": 958},
        {"send": {"hex": "01 03 00 00"}},
        {"expect": {"text": "\\{\\{echo}} \\\\ ok"}, "timeout_ms": 900}]})")) << j.dump(2);
}

TEST(CaptureConvert, PrefixAndAnyExpectsAndTheServerSide) {
    ConvertOptions options;
    options.side = 1;
    options.expect = ExpectKind::Prefix;
    options.prefix_bytes = 2;
    options.min_timeout_ms = 100;
    options.timeout_factor = 5;
    const auto messages = buildMessages(kChunks, Transport::Tcp, MessageSplit::Turns);
    ConvertResult r = toScript(messages, options);
    jsonio::Json j = scriptJson(r.script);
    ASSERT_EQ(j["steps"].size(), 4u) << j.dump(2);
    EXPECT_EQ(j["steps"][0], jsonio::Json::parse(R"({"expect": {"text": "HE", "mode": "prefix"}, "timeout_ms": 100})"));
    EXPECT_EQ(j["steps"][1]["send"]["text"], "WORLD 1\\r\\n");
    EXPECT_EQ(j["steps"][2], jsonio::Json::parse(R"({"expect": {"hex": "01 03", "mode": "prefix"}, "timeout_ms": 4790})"));
    options.expect = ExpectKind::Any;
    j = scriptJson(toScript(messages, options).script);
    EXPECT_EQ(j["steps"][0]["expect"], jsonio::Json::parse(R"({"any": true})"));
    options.expect = ExpectKind::None;
    r = toScript(messages, options);
    EXPECT_EQ(r.expects, 0u);
    EXPECT_EQ(r.script.steps.size(), 2u);
}

TEST(CaptureConvert, SavedCommandsAreNamedInOrder) {
    ConvertOptions options;
    options.side = 0;
    const ConvertResult r = toCommands(buildMessages(kChunks, Transport::Tcp, MessageSplit::Turns), options);
    EXPECT_EQ(commandsJson(r.commands), jsonio::Json::parse(R"([{"name": "msg 1", "text": "HELLO\\r\\n"},
        {"name": "msg 2", "hex": "01 03 00 00"}])"));
    options.side = 1;
    EXPECT_TRUE(toCommands({}, options).warnings.at(0).find("sent no payload") != std::string::npos);
}

TEST(CaptureConvert, StepLimitCutsAndSays) {
    std::vector<PayloadChunk> chunks;
    for (int i = 0; i < 6000; ++i) {
        chunks.push_back(chunk(0, i * 2, "q"));
        chunks.push_back(chunk(1, i * 2 + 1, "a"));
    }
    ConvertOptions options;
    options.expect = ExpectKind::Exact;
    const ConvertResult r = toScript(buildMessages(chunks, Transport::Tcp, MessageSplit::Turns), options);
    EXPECT_EQ(r.script.steps.size(), kMaxScriptSteps);
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_NE(r.warnings[0].find("2000 message(s) left out"), std::string::npos) << r.warnings[0];
}

TEST(CaptureConvert, ResultLoadsThroughTheProfileLoader) {
    ConvertOptions options;
    options.expect = ExpectKind::Exact;
    options.keep_gaps = true;
    options.name = "replay";
    const auto messages = buildMessages(kChunks, Transport::Tcp, MessageSplit::Packets);
    const jsonio::Json script = scriptJson(toScript(messages, options).script);
    const jsonio::Json commands = commandsJson(toCommands(messages, options).commands);
    const jsonio::Json profile = {{"version", 1}, {"name", "p"},
        {"endpoints", jsonio::Json::array({{{"name", "dev"}, {"type", "tcp-client"}, {"remote", "127.0.0.1:502"},
                                            {"scripts", jsonio::Json::array({script})}, {"commands", commands}}})}};
    const ProfileLoadResult loaded = parseProfile(profile.dump(), "pasted.json");
    ASSERT_TRUE(loaded.profile.has_value()) << loaded.error;
    const EndpointConfig& e = loaded.profile->endpoints.at(0);
    ASSERT_EQ(e.scripts.size(), 1u);
    EXPECT_EQ(e.scripts[0], toScript(messages, options).script);
    EXPECT_EQ(e.commands.size(), 3u);
}

/// An empty UDP datagram (a probe, a keep-alive) is a message: sent empty, its answer expected as
/// any; the script and the commands still load through the profile loader. TCP has no empty
/// messages (a bare ACK carries none).
TEST(CaptureConvert, AnEmptyUdpDatagramIsAMessage) {
    const std::vector<PayloadChunk> chunks = {chunk(0, 0, ""), chunk(1, 5, "here"), chunk(0, 10, "q"), chunk(1, 12, "")};
    const auto messages = buildMessages(chunks, Transport::Udp, MessageSplit::Turns);
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_TRUE(messages[0].data.empty());
    EXPECT_EQ(buildMessages(chunks, Transport::Tcp, MessageSplit::Packets).size(), 2u);
    ConvertOptions options;
    options.expect = ExpectKind::Exact;
    const ConvertResult r = toScript(messages, options);
    EXPECT_EQ(r.sends, 2u);
    EXPECT_EQ(r.expects, 2u);
    const jsonio::Json profile = {{"version", 1}, {"name", "p"},
        {"endpoints", jsonio::Json::array({{{"name", "dev"}, {"type", "udp"}, {"bind", "127.0.0.1:0"},
                                            {"remote", "127.0.0.1:9"},
                                            {"scripts", jsonio::Json::array({scriptJson(r.script)})},
                                            {"commands", commandsJson(toCommands(messages, options).commands)}}})}};
    const ProfileLoadResult loaded = parseProfile(profile.dump(), "pasted.json");
    ASSERT_TRUE(loaded.profile.has_value()) << loaded.error;
    const auto& steps = loaded.profile->endpoints.at(0).scripts.at(0).steps;
    ASSERT_EQ(steps.size(), 4u);
    EXPECT_EQ(steps[0].kind, ScriptStepKind::Send);
    EXPECT_TRUE(steps[0].send.text.empty());
    EXPECT_EQ(loaded.profile->endpoints.at(0).commands.size(), 2u);
}

}  // namespace
}  // namespace sockscope::capture
