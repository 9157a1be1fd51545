// The payload language: templates compiled once and rendered per send, checksum ranges and
// placements, errors with positions (docs/profile-format.md, "Payloads").
#include <gtest/gtest.h>

#include <chrono>

#include "core/codec/hex.hpp"
#include "core/codec/payload_template.hpp"
#include "support/sanitizers.hpp"

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }

PayloadSpec textSpec(std::string text) {
    PayloadSpec spec;
    spec.text = std::move(text);
    return spec;
}

PayloadSpec hexSpec(std::string text) {
    PayloadSpec spec;
    spec.mode = PayloadMode::Hex;
    spec.text = std::move(text);
    return spec;
}

CompiledPayload compiled(const PayloadSpec& spec) {
    PayloadCompileResult r = compilePayload(spec);
    EXPECT_TRUE(r.ok()) << spec.text << ": " << (r.error ? describe(*r.error) : "");
    return r.ok() ? *r.payload : CompiledPayload{};
}

ParseError compileError(const PayloadSpec& spec) {
    PayloadCompileResult r = compilePayload(spec);
    EXPECT_FALSE(r.ok()) << spec.text << " compiled";
    return r.error.value_or(ParseError{});
}

std::string renderHex(const PayloadSpec& spec, RenderContext context = {}) {
    return formatHex(renderPayload(compiled(spec), context));
}

// A render costs 0.3 us in an optimised build; 20 us there is far from any 1 ms timer's budget and
// from a loaded machine's noise. Sanitizer builds run it 30x slower (8 us under ASan): there the
// bound only catches work that grows without limit.
constexpr double kRenderBudgetUs = sockscope::test::kUnderSanitizer ? 500 : 20;

// 2026-11-29 19:40:14.123 UTC
constexpr TimestampUs kNow = 1795981214123456;

TEST(PayloadCompile, ModbusRtuRequestWithCrc16ModbusLittle) {
    PayloadSpec spec = hexSpec("01 03 00 00 00 01");
    spec.checksum = ChecksumSpec{ChecksumKind::Crc16Modbus, ChecksumByteOrder::LittleEndian};
    EXPECT_EQ(renderHex(spec), "01 03 00 00 00 01 84 0A");
    spec.checksum->order = ChecksumByteOrder::Conventional;
    EXPECT_EQ(renderHex(spec), "01 03 00 00 00 01 84 0A");
    spec.checksum->order = ChecksumByteOrder::BigEndian;
    EXPECT_EQ(renderHex(spec), "01 03 00 00 00 01 0A 84");
    const CompiledPayload p = compiled(spec);
    EXPECT_TRUE(p.isStatic());
    EXPECT_FALSE(p.usesRx());
    EXPECT_FALSE(p.usesCounter());
}

TEST(PayloadCompile, ChecksumRangeLeavesOutHeaderAndTrailerAndCanBeInserted) {
    // STX 01 02 ETX: the XOR covers 01 02 only and goes before the ETX.
    PayloadSpec spec = hexSpec("02 01 02 03");
    spec.checksum = ChecksumSpec{ChecksumKind::Xor8, ChecksumByteOrder::Conventional, 1, 1, ChecksumPlacement::RangeEnd};
    EXPECT_EQ(renderHex(spec), "02 01 02 03 03");   // 01^02 = 03, inserted before ETX
    spec.checksum->at = ChecksumPlacement::End;
    EXPECT_EQ(renderHex(spec), "02 01 02 03 03");
    spec.checksum->kind = ChecksumKind::Sum8;
    spec.checksum->end = 0;
    EXPECT_EQ(renderHex(spec), "02 01 02 03 06");
    spec.checksum->at = ChecksumPlacement::RangeEnd;
    spec.checksum->end = 2;
    EXPECT_EQ(renderHex(spec), "02 01 01 02 03");   // covers 01 only, inserted after it
    // Insert a CRC-16 before a CR LF trailer.
    PayloadSpec crlf = hexSpec("31 32 33 34 35 36 37 38 39 0D 0A");
    crlf.checksum = ChecksumSpec{ChecksumKind::Crc16CcittFalse, ChecksumByteOrder::Conventional, 0, 2, ChecksumPlacement::RangeEnd};
    EXPECT_EQ(renderHex(crlf), "31 32 33 34 35 36 37 38 39 29 B1 0D 0A");
}

TEST(PayloadCompile, ChecksumRangeLongerThanAFixedBodyIsAnErrorAtTheEnd) {
    PayloadSpec spec = hexSpec("01 02 03");
    spec.checksum = ChecksumSpec{ChecksumKind::Sum8, ChecksumByteOrder::Conventional, 2, 2};
    const ParseError e = compileError(spec);
    EXPECT_EQ(e.position, spec.text.size());
    EXPECT_NE(e.reason.find("only 3"), std::string::npos) << e.reason;
    spec.checksum->end = 1;   // an empty range is fine: the sum of nothing
    EXPECT_EQ(renderHex(spec), "01 02 03 00");
    // Fixed-size templates count: u16 counter + 1 literal byte = 3 bytes.
    PayloadSpec counted = hexSpec("AA {{counter:u16}}");
    counted.checksum = ChecksumSpec{ChecksumKind::Sum8, ChecksumByteOrder::Conventional, 2, 2};
    EXPECT_NE(compileError(counted).reason.find("only 3"), std::string::npos);
    // A variable-size body cannot be checked at compile time: the range is clamped at render.
    PayloadSpec echo = hexSpec("{{echo}}");
    echo.checksum = ChecksumSpec{ChecksumKind::Sum8, ChecksumByteOrder::Conventional, 2, 2};
    const Bytes rx{1, 2, 3};
    RenderContext context;
    context.rx = rx;
    EXPECT_EQ(renderHex(echo, context), "01 02 03 00");
}

TEST(PayloadCompile, CounterWidthStartAndPerSourceState) {
    const CompiledPayload p = compiled(textSpec("HB {{counter:04}}\\r\\n"));
    EXPECT_TRUE(p.usesCounter());
    EXPECT_FALSE(p.isStatic());
    CounterState a, b;
    RenderContext ca, cb;
    ca.counter = &a;
    cb.counter = &b;
    EXPECT_EQ(renderPayload(p, ca), bytesOf("HB 0000\r\n"));
    EXPECT_EQ(renderPayload(p, ca), bytesOf("HB 0001\r\n"));
    EXPECT_EQ(renderPayload(p, cb), bytesOf("HB 0000\r\n")) << "each source counts on its own";
    EXPECT_EQ(a.sends, 2u);
    a.sends = 9999;
    EXPECT_EQ(renderPayload(p, ca), bytesOf("HB 9999\r\n"));
    EXPECT_EQ(renderPayload(p, ca), bytesOf("HB 10000\r\n")) << "a width is a minimum, never a cut";

    // Start, padding, hex digits; two counters in one payload show the same value.
    CounterState s;
    RenderContext c;
    c.counter = &s;
    const CompiledPayload q = compiled(textSpec("{{counter::100}} {{counter:5:7}}|{{counter:04x}}|{{counter:X}}"));
    EXPECT_EQ(renderPayload(q, c), bytesOf("100     7|0000|0"));
    s.sends = 255;
    EXPECT_EQ(renderPayload(q, c), bytesOf("355   262|00ff|FF"));
    EXPECT_EQ(s.sends, 256u) << "one render is one send";

    // Without a counter state: the start, and nothing counted.
    RenderContext none;
    EXPECT_EQ(renderPayload(compiled(textSpec("{{counter:3:42}}")), none), bytesOf(" 42"));
    EXPECT_EQ(renderPayload(compiled(textSpec("{{ counter }}")), none), bytesOf("0"));
}

TEST(PayloadCompile, CounterInHexModeIsBinary) {
    CounterState s;
    RenderContext c;
    c.counter = &s;
    s.sends = 0x1FF;
    EXPECT_EQ(renderHex(hexSpec("AA {{counter}} 55"), c), "AA FF 55") << "u8 by default in hex, wrapping";
    s.sends = 0x102;
    EXPECT_EQ(renderHex(hexSpec("{{counter:u16}}"), c), "01 02");
    s.sends = 0x102;
    EXPECT_EQ(renderHex(hexSpec("{{counter:u16le}}"), c), "02 01");
    s.sends = 0;
    EXPECT_EQ(renderHex(hexSpec("{{counter:u32be:16909060}}"), c), "01 02 03 04");
    s.sends = 0;
    EXPECT_EQ(renderHex(hexSpec("{{counter:u64le:1}}"), c), "01 00 00 00 00 00 00 00");
    s.sends = 0;
    EXPECT_EQ(renderHex(hexSpec("{{counter:04}}"), c), "30 30 30 30") << "a text format gives ASCII digits";
    // Modbus TCP with a transaction id that counts.
    PayloadSpec mbap = hexSpec("{{counter:u16:1}} 00 00 00 06 01 03 00 00 00 01");
    s.sends = 0;
    EXPECT_EQ(renderHex(mbap, c), "00 01 00 00 00 06 01 03 00 00 00 01");
    EXPECT_EQ(renderHex(mbap, c), "00 02 00 00 00 06 01 03 00 00 00 01");
}

TEST(PayloadCompile, UnixtimeAndTime) {
    RenderContext c;
    c.now_us = kNow;
    c.utc = true;
    EXPECT_EQ(renderPayload(compiled(textSpec("t={{unixtime}}")), c), bytesOf("t=1795981214"));
    EXPECT_EQ(renderPayload(compiled(textSpec("{{unixtime_ms}}")), c), bytesOf("1795981214123"));
    EXPECT_EQ(renderHex(hexSpec("{{unixtime}}"), c), "6B 0C 7F 9E") << "u32 big endian in hex";
    EXPECT_EQ(renderHex(hexSpec("{{unixtime:u32le}}"), c), "9E 7F 0C 6B");
    EXPECT_EQ(renderPayload(compiled(textSpec("{{time}}")), c), bytesOf("19:40:14"));
    EXPECT_EQ(renderPayload(compiled(textSpec("{{time:%Y-%m-%d %H:%M:%S.%f %%}}")), c),
              bytesOf("2026-11-29 19:40:14.123 %"));
    EXPECT_EQ(renderHex(hexSpec("{{time:%H}}"), c), "31 39") << "time in hex mode: its ASCII text";
    // Without a time source: the wall clock.
    RenderContext now;
    const Bytes seconds = renderPayload(compiled(textSpec("{{unixtime}}")), now);
    const auto wall = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LE(std::abs(std::stoll(std::string(seconds.begin(), seconds.end())) - wall), 2);
    EXPECT_EQ(now.now_us, 0) << "a reused context reads the clock again on the next render";
}

TEST(PayloadCompile, RandomBytes) {
    const CompiledPayload p = compiled(hexSpec("AA {{random:3}} {{random:20}}"));
    EXPECT_EQ(p.minBodySize(), 24u);
    RenderContext c;
    const Bytes a = renderPayload(p, c);
    const Bytes b = renderPayload(p, c);
    ASSERT_EQ(a.size(), 24u);
    EXPECT_EQ(a[0], 0xAA);
    EXPECT_NE(a, b) << "the state advances";
    RenderContext seeded1, seeded2;
    seeded1.random_state = seeded2.random_state = 42;
    EXPECT_EQ(renderPayload(p, seeded1), renderPayload(p, seeded2)) << "a seed makes it reproducible";
    EXPECT_EQ(renderPayload(compiled(textSpec("{{random:1}}")), c).size(), 1u);
}

TEST(PayloadCompile, EchoRxSlicesAndCaptures) {
    const Bytes rx{0x12, 0x34, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01};
    RenderContext c;
    c.rx = rx;
    // The Modbus TCP reply of issue 8.
    PayloadSpec mb = hexSpec("{{rx[0:2]}} 00 00 00 05 01 03 02 00 2A");
    EXPECT_TRUE(compiled(mb).usesRx());
    EXPECT_EQ(renderHex(mb, c), "12 34 00 00 00 05 01 03 02 00 2A");
    EXPECT_EQ(renderHex(hexSpec("{{echo}}"), c), formatHex(rx));
    EXPECT_EQ(renderHex(hexSpec("{{rx[-2:]}}"), c), "00 01");
    EXPECT_EQ(renderHex(hexSpec("{{rx[:2]}}"), c), "12 34");
    EXPECT_EQ(renderHex(hexSpec("{{rx[6:-4]}}"), c), "01 03");
    EXPECT_EQ(renderHex(hexSpec("{{rx[7]}} {{rx[-1]}}"), c), "03 01");
    EXPECT_EQ(renderHex(hexSpec("{{rx[:]}}"), c), formatHex(rx));
    // Out of range clamps (Python slices): never an error, never a read past the message.
    EXPECT_EQ(renderHex(hexSpec("{{rx[10:100]}}"), c), "00 01");
    EXPECT_EQ(renderHex(hexSpec("AA {{rx[50:60]}}"), c), "AA");
    EXPECT_EQ(renderHex(hexSpec("AA {{rx[-100:1]}}"), c), "AA 12");
    EXPECT_EQ(renderHex(hexSpec("AA {{rx[5:2]}}"), c), "AA");
    EXPECT_EQ(renderHex(hexSpec("AA {{rx[12]}} {{rx[-13]}}"), c), "AA");
    RenderContext no_rx;
    EXPECT_EQ(renderHex(hexSpec("AA {{echo}} {{rx[0:2]}}"), no_rx), "AA");

    // Regex captures: {{0}} the whole match, {{1}}... groups; a missing group is empty.
    const Bytes whole = bytesOf("SET 42"), group = bytesOf("42");
    const std::span<const std::uint8_t> groups[] = {whole, group};
    c.captures = groups;
    const CompiledPayload p = compiled(textSpec("OK {{1}} ({{0}}){{2}}\\r\\n"));
    EXPECT_EQ(p.maxCapture(), 2);
    EXPECT_EQ(renderPayload(p, c), bytesOf("OK 42 (SET 42)\r\n"));
    EXPECT_EQ(renderHex(hexSpec("01 {{1}} 02"), c), "01 34 32 02");
    EXPECT_EQ(compiled(textSpec("x")).maxCapture(), -1);
}

/// "Spaces inside the braces are ignored": around the name and around each argument; a time
/// pattern keeps the spaces inside it.
TEST(PayloadCompile, SpacesAroundNamesAndArgumentsAreIgnored) {
    RenderContext none;
    for (const char* text : {"{{counter:04}}", "{{ counter : 04 }}", "{{counter :04}}", "{{counter: 04}}"})
        EXPECT_EQ(renderPayload(compiled(textSpec(text)), none), bytesOf("0000")) << text;
    EXPECT_EQ(renderPayload(compiled(textSpec("{{ counter : 3 : 42 }}")), none), bytesOf(" 42"));
    EXPECT_EQ(renderPayload(compiled(textSpec("{{random: 2}}")), none).size(), 2u);
    EXPECT_EQ(renderPayload(compiled(textSpec("{{ random : 3 }}")), none).size(), 3u);
    const Bytes rx{1, 2, 3};
    RenderContext c;
    c.rx = rx;
    EXPECT_EQ(renderHex(hexSpec("{{ rx [0:2] }} {{ echo }}"), c), "01 02 01 02 03");
    EXPECT_EQ(renderPayload(compiled(textSpec("{{ time : %Y %% }}")), none).size(), 6u) << "the inner space stays";
}

TEST(PayloadCompile, TemplatesAndChecksumTogether) {
    const Bytes rx{0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A};
    RenderContext c;
    c.rx = rx;
    PayloadSpec reply = hexSpec("{{rx[0]}} 03 02 00 2A");
    reply.checksum = ChecksumSpec{ChecksumKind::Crc16Modbus, ChecksumByteOrder::LittleEndian};
    PayloadSpec fixed = hexSpec("01 03 02 00 2A");
    fixed.checksum = reply.checksum;
    EXPECT_EQ(renderHex(reply, c), renderHex(fixed));
}

TEST(PayloadCompile, TextEncodingsApplyToLiteralsAndDigits) {
    CounterState s{7};
    RenderContext c;
    c.counter = &s;
    PayloadSpec gbk = textSpec("\xE4\xB8\xAD{{counter}}\\xFF");   // 中{{counter}}\xFF
    gbk.encoding = TextEncoding::Gbk;
    EXPECT_EQ(renderHex(gbk, c), "D6 D0 37 FF");
    PayloadSpec latin = textSpec("\xC3\xA9{{counter}}");   // é
    latin.encoding = TextEncoding::Latin1;
    s.sends = 7;
    EXPECT_EQ(renderHex(latin, c), "E9 37");
    PayloadSpec utf16 = textSpec("A{{counter:02}}");
    utf16.encoding = TextEncoding::Utf16Le;
    s.sends = 7;
    EXPECT_EQ(renderHex(utf16, c), "41 00 30 00 37 00") << "digits take the encoding too";
    utf16.encoding = TextEncoding::Utf16Be;
    s.sends = 7;
    EXPECT_EQ(renderHex(utf16, c), "00 41 00 30 00 37");
    // The line ending is text too: CR LF in the payload's encoding, not single bytes.
    PayloadSpec line = textSpec("A");
    line.encoding = TextEncoding::Utf16Le;
    line.line_ending = LineEnding::CrLf;
    EXPECT_EQ(renderHex(line, c), "41 00 0D 00 0A 00");
    line.encoding = TextEncoding::Utf16Be;
    line.line_ending = LineEnding::Cr;
    EXPECT_EQ(renderHex(line, c), "00 41 00 0D");
    line.text = "A{{counter}}";   // not static: the render path, not the compile-time one
    const std::string rendered = renderHex(line, c);
    EXPECT_EQ(rendered.substr(rendered.size() - 5), "00 0D") << rendered;
    PayloadSpec ascii = textSpec("ok \xC3\xA9");
    ascii.encoding = TextEncoding::Ascii;
    const ParseError e = compileError(ascii);
    EXPECT_EQ(e.position, 3u) << e.reason;
}

TEST(PayloadCompile, LiteralBracesEscapesAndTemplatesOff) {
    RenderContext c;
    EXPECT_EQ(renderPayload(compiled(textSpec("\\{{counter}}")), c), bytesOf("{{counter}}"));
    EXPECT_EQ(buildPayload(textSpec("a } }} { b")).bytes, bytesOf("a } }} { b"));
    PayloadSpec off = textSpec("{{counter}} {{nope");
    off.templates = false;
    EXPECT_EQ(buildPayload(off).bytes, bytesOf("{{counter}} {{nope"));
    PayloadSpec raw = textSpec("C:\\{{counter}}");
    raw.escapes = false;
    EXPECT_EQ(buildPayload(raw).bytes, bytesOf("C:\\0"));
    // \x before a template is still an escape that needs its two digits.
    EXPECT_EQ(compileError(textSpec("\\x{{counter}}")).position, 0u);
}

TEST(PayloadCompile, TemplateErrorsNameTheTemplateAndItsPosition) {
    struct Case {
        std::string text;
        PayloadMode mode;
        std::size_t position;
        std::string reason;
    } cases[] = {
        {"HB {{conter}}", PayloadMode::Text, 3, "unknown template {{conter}}; expected counter"},
        {"HB {{counter", PayloadMode::Text, 3, "never closed with '}}'"},
        {"01 {{rx[0:2]", PayloadMode::Hex, 3, "never closed"},
        {"ab{{}}", PayloadMode::Text, 2, "unknown template {{}}"},
        {"{{counter:q}}", PayloadMode::Text, 0, "after 'counter:'"},
        {"{{counter:04:-1}}", PayloadMode::Text, 0, "whole number >= 0"},
        {"{{counter:04:x}}", PayloadMode::Text, 0, "whole number >= 0"},
        {"{{counter:u24}}", PayloadMode::Text, 0, "u16le"},
        {"{{counter:99}}", PayloadMode::Text, 0, "(a width of at most 20 digits)"},   // tester item: not said
        {"x {{random}}", PayloadMode::Text, 2, "N random bytes"},
        {"x {{random:0}}", PayloadMode::Text, 2, "N random bytes"},
        {"x {{random:65537}}", PayloadMode::Text, 2, "1 to 65536"},
        {"{{rx[a:b]}}", PayloadMode::Hex, 0, "expected rx[a:b]"},
        {"{{rx}}", PayloadMode::Hex, 0, "expected rx[a:b]"},
        {"{{rx[0:2}}", PayloadMode::Hex, 0, "expected rx[a:b]"},
        {"{{echo:1}}", PayloadMode::Hex, 0, "unknown template"},
        {"{{100}}", PayloadMode::Hex, 0, "0 (the whole match) to 99"},
        {"{{unixtime:zz}}", PayloadMode::Hex, 0, "after ':'"},
        {"{{time:\t}}", PayloadMode::Text, 0, "printable ASCII"},
        // Literal errors keep their place in the whole text.
        {"01 {{counter}} 0G", PayloadMode::Hex, 16, "'G' is not a hex digit"},
        {"01 {{counter}} 0", PayloadMode::Hex, 15, "odd number of hex digits"},
        {"ok {{counter}} \\q", PayloadMode::Text, 15, "'\\q' is not a known escape"},
    };
    for (const Case& t : cases) {
        PayloadSpec spec;
        spec.mode = t.mode;
        spec.text = t.text;
        const ParseError e = compileError(spec);
        EXPECT_EQ(e.position, t.position) << t.text << ": " << e.reason;
        EXPECT_NE(e.reason.find(t.reason), std::string::npos) << t.text << ": " << e.reason;
    }
}

TEST(PayloadCompile, HexToleranceAroundTemplates) {
    CounterState s{1};
    RenderContext c;
    c.counter = &s;
    EXPECT_EQ(renderHex(hexSpec("0x01,0x02:{{counter}}, 0A-0B"), c), "01 02 01 0A 0B");
    EXPECT_EQ(renderHex(hexSpec("0102{{counter}}0304"), c), "01 02 02 03 04");
}

TEST(PayloadCompile, RenderIntoReusesTheBufferAndIsCheap) {
    const CompiledPayload p = compiled(textSpec("HB {{counter:08}} {{unixtime}}\\r\\n"));
    CounterState s;
    RenderContext c;
    c.counter = &s;
    c.now_us = kNow;
    Bytes out;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100000; ++i) renderPayloadInto(p, c, out);
    const double us_per_render =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / 100000;
    EXPECT_EQ(out, bytesOf("HB 00099999 1795981214\r\n"));
    EXPECT_LT(us_per_render, kRenderBudgetUs) << "a 1 ms timer must not spend its millisecond rendering";
    std::printf("render: %.3f us per payload\n", us_per_render);
}

}  // namespace
}  // namespace sockscope
