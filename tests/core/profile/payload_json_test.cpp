// Payload objects in JSON: the shapes of issue 7 parse, save and round-trip; errors name the path.
#include <gtest/gtest.h>

#include "core/codec/hex.hpp"
#include "core/profile/payload_json.hpp"

namespace sockscope {
namespace {

using jsonio::Json;

PayloadJsonResult parse(std::string_view text, const std::string& path = "commands[0]",
                        std::initializer_list<std::string_view> extra = {"name"}) {
    return payloadFromJson(Json::parse(text), path, extra);
}

std::string sent(const PayloadSpec& spec) {
    const ParseResult r = buildPayload(spec);
    EXPECT_TRUE(r.ok()) << (r.error ? r.error->reason : "");
    return formatHex(r.bytes);
}

TEST(PayloadJson, IssueShapesParse) {
    const PayloadJsonResult hex =
        parse(R"({ "hex": "01 03 00 00 00 01", "checksum": { "type": "crc16-modbus", "order": "little" } })");
    ASSERT_TRUE(hex.payload) << hex.error;
    EXPECT_EQ(hex.payload->mode, PayloadMode::Hex);
    ASSERT_TRUE(hex.payload->checksum);
    EXPECT_EQ(hex.payload->checksum->kind, ChecksumKind::Crc16Modbus);
    EXPECT_EQ(hex.payload->checksum->order, ChecksumByteOrder::LittleEndian);
    EXPECT_EQ(sent(*hex.payload), "01 03 00 00 00 01 84 0A");
    EXPECT_TRUE(hex.warnings.empty());

    const PayloadJsonResult text = parse(R"({ "text": "HB {{counter:04}}\r\n", "encoding": "utf-8" })");
    ASSERT_TRUE(text.payload) << text.error;
    EXPECT_EQ(text.payload->mode, PayloadMode::Text);
    EXPECT_EQ(text.payload->text, "HB {{counter:04}}\r\n");
    EXPECT_EQ(sent(*text.payload), "48 42 20 30 30 30 30 0D 0A");

    // Issue 8's reply shapes.
    const PayloadJsonResult reply = parse(R"({ "hex": "{{rx[0:2]}} 00 00 00 05 01 03 02 00 2A" })");
    ASSERT_TRUE(reply.payload) << reply.error;
    EXPECT_TRUE(compilePayload(*reply.payload).payload->usesRx());
    ASSERT_TRUE(parse(R"({ "text": "PONG {{counter}}\r\n" })").payload);
}

TEST(PayloadJson, EveryFieldRoundTrips) {
    PayloadSpec spec;
    spec.mode = PayloadMode::Text;
    spec.text = "\xE4\xB8\xAD {{time:%H%M}} \\x02";
    spec.encoding = TextEncoding::Gbk;
    spec.escapes = true;
    spec.templates = true;
    spec.checksum = ChecksumSpec{ChecksumKind::Crc8Maxim, ChecksumByteOrder::BigEndian, 1, 2, ChecksumPlacement::RangeEnd};
    spec.line_ending = LineEnding::CrLf;
    const Json j = payloadToJson(spec);
    EXPECT_EQ(j.dump(), R"({"text":"中 {{time:%H%M}} \\x02","encoding":"gbk","checksum":{"type":"crc8-maxim","order":"big","start":1,"end":2,"at":"range-end"},"line_ending":"crlf"})");
    const PayloadJsonResult back = payloadFromJson(Json::parse(j.dump()), "x");
    ASSERT_TRUE(back.payload) << back.error;
    EXPECT_EQ(*back.payload, spec);

    PayloadSpec plain;
    plain.mode = PayloadMode::Hex;
    plain.text = "01 02";
    plain.escapes = false;
    plain.templates = false;
    EXPECT_EQ(payloadToJson(plain).dump(), R"({"hex":"01 02","escapes":false,"templates":false})");
    EXPECT_EQ(*payloadFromJson(payloadToJson(plain), "x").payload, plain);

    // Defaults are left out: the minimal shapes save as they were written.
    const char* minimal = R"({"hex":"01 03 00 00 00 01","checksum":{"type":"crc16-modbus","order":"little"}})";
    EXPECT_EQ(payloadToJson(*payloadFromJson(Json::parse(minimal), "x").payload).dump(), minimal);
    for (const ChecksumKind kind : kChecksumKinds) {
        PayloadSpec k = plain;
        k.checksum = ChecksumSpec{kind};
        EXPECT_EQ(*payloadFromJson(payloadToJson(k), "x").payload, k) << toString(kind);
    }
}

TEST(PayloadJson, ChecksumShorthandAndAliases) {
    const PayloadJsonResult r = parse(R"({"hex": "31 32 33 34 35 36 37 38 39", "checksum": "CRC8"})");
    ASSERT_TRUE(r.payload) << r.error;
    EXPECT_EQ(sent(*r.payload), "31 32 33 34 35 36 37 38 39 F4");
    const PayloadJsonResult big =
        parse(R"({"hex": "31 32 33 34 35 36 37 38 39", "checksum": {"type": "crc32", "order": "big-endian"}})");
    ASSERT_TRUE(big.payload) << big.error;
    EXPECT_EQ(sent(*big.payload), "31 32 33 34 35 36 37 38 39 CB F4 39 26");
}

TEST(PayloadJson, ErrorsNameThePathAndTheChoices) {
    struct Case {
        const char* json;
        const char* error;
    } cases[] = {
        {R"({"hex": "01", "checksum": {"type": "crc17"}})",
         "commands[0].checksum.type: unknown checksum 'crc17'; expected one of crc8, crc8-maxim, crc16-modbus, "
         "crc16-ccitt-false, crc16-xmodem, crc32, sum8, xor8, lrc"},
        {R"({"hex": "01", "checksum": "crc17"})", "commands[0].checksum: unknown checksum 'crc17'; expected one of crc8,"},
        {R"({"hex": "01", "checksum": {"order": "little"}})", "commands[0].checksum.type: missing; expected one of crc8"},
        {R"({"hex": "01", "checksum": {"type": "crc32", "order": "middle"}})",
         "commands[0].checksum.order: unknown byte order 'middle'; expected one of little, big, conventional"},
        {R"({"hex": "01", "checksum": {"type": "crc32", "at": "front"}})",
         "commands[0].checksum.at: unknown checksum placement 'front'; expected one of end, range-end"},
        {R"({"hex": "01", "checksum": {"type": "crc32", "start": -1}})",
         "commands[0].checksum.start: expected an integer >= 0, got -1"},
        {R"({"hex": "01 02", "checksum": {"type": "sum8", "start": 2, "end": 1}})",
         "commands[0].hex: at character 6: the checksum leaves out 2 bytes at the start and 1 at the end, but the payload has only 2"},
        // Tester item: it said "expected an object", not that a name is fine too.
        {R"({"hex": "01", "checksum": 5})",
         "commands[0].checksum: expected a checksum name such as \"crc16-modbus\" or an object such as "
         "{\"type\": \"crc16-modbus\", \"order\": \"little\"}, got 5"},
        {R"({"hex": "01", "checksum": ["crc32"]})",
         "commands[0].checksum: expected a checksum name such as \"crc16-modbus\" or an object such as "
         "{\"type\": \"crc16-modbus\", \"order\": \"little\"}, got an array"},
        {R"({"text": "x", "encoding": "ebcdic"})",
         "commands[0].encoding: unknown encoding 'ebcdic'; expected one of utf-8, ascii, latin-1, gbk, utf-16le, utf-16be"},
        {R"({"text": "x", "line_ending": "crcr"})", "commands[0].line_ending: unknown line ending 'crcr'; expected one of none, cr, lf, crlf"},
        {R"({"text": "x", "hex": "01"})", "commands[0]: give either \"text\" or \"hex\", not both"},
        {R"({"name": "x"})", "commands[0]: missing \"text\" or \"hex\""},
        {R"({"hex": 1})", "commands[0].hex: expected a string, got 1"},
        {R"({"text": "x", "escapes": "yes"})", "commands[0].escapes: expected a boolean, got \"yes\""},
        {R"({"hex": "01 0G"})", "commands[0].hex: at character 5: 'G' is not a hex digit"},
        {R"({"text": "HB {{conter}}"})", "commands[0].text: at character 4: unknown template {{conter}}"},
        {R"({"hex": "{{rx[0:2]"})", "commands[0].hex: at character 1: '{{' opens a template that is never closed"},
        {R"([1])", "commands[0]: expected a payload object"},
    };
    for (const Case& c : cases) {
        const PayloadJsonResult r = parse(c.json);
        EXPECT_FALSE(r.payload) << c.json;
        EXPECT_NE(r.error.find(c.error), std::string::npos) << c.json << "\n got: " << r.error << "\n want: " << c.error;
    }
}

TEST(PayloadJson, UnknownKeysWarnWithASuggestionAndCallerKeysPass) {
    const PayloadJsonResult r =
        payloadFromJson(Json::parse(R"({"endpoint": "dev", "conn": 3, "hex": "01", "cheksum": {"type": "crc32"}})"),
                        "send", {"endpoint", "conn"}, "stdin:4");
    ASSERT_TRUE(r.payload) << r.error;
    EXPECT_FALSE(r.payload->checksum);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0], R"(stdin:4: send: unknown key "cheksum" (ignored; did you mean "checksum"?))");
    const PayloadJsonResult nested = parse(R"({"hex": "01", "checksum": {"type": "crc32", "oder": "big"}})");
    ASSERT_TRUE(nested.payload);
    ASSERT_EQ(nested.warnings.size(), 1u);
    EXPECT_NE(nested.warnings[0].find("commands[0].checksum: unknown key \"oder\""), std::string::npos);
}

TEST(PayloadJson, ReadPayloadSharesTheProfileReader) {
    // A caller that holds a payload among its own fields (a timer's "send", a command's "name").
    jsonio::Reader r("demo.json");
    const Json timer = Json::parse(R"({"name": "hb", "every_ms": 1000, "send": {"text": "{{random:0}}"}})");
    PayloadSpec spec;
    EXPECT_FALSE(readPayload(r, timer["send"], "endpoints[0].timers[0].send", spec));
    EXPECT_EQ(r.errorText(), "demo.json: endpoints[0].timers[0].send.text: at character 1: {{random:0}}: "
                             "expected {{random:N}} with N random bytes, 1 to 65536");
}

}  // namespace
}  // namespace sockscope
