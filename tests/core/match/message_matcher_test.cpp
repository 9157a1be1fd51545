#include "core/match/message_matcher.hpp"

#include <gtest/gtest.h>

#include "core/profile/match_json.hpp"

namespace sockscope {
namespace {

Bytes bytesOf(std::string_view text) { return Bytes(text.begin(), text.end()); }
std::string textOf(std::span<const std::uint8_t> bytes) { return std::string(bytes.begin(), bytes.end()); }

MatchSpec textSpec(std::string text, MatchMode mode = MatchMode::Exact) {
    MatchSpec spec;
    spec.body = MatchBody::Text;
    spec.text = std::move(text);
    spec.mode = mode;
    return spec;
}
MatchSpec hexSpec(std::string text, MatchMode mode = MatchMode::Exact) {
    MatchSpec spec = textSpec(std::move(text), mode);
    spec.body = MatchBody::Hex;
    return spec;
}

MessageMatcher compiled(const MatchSpec& spec) {
    MatcherCompileResult result = compileMatcher(spec);
    EXPECT_TRUE(result.ok()) << (result.error ? describe(*result.error, spec.text) : "");
    return result.ok() ? std::move(*result.matcher) : MessageMatcher();
}

bool matches(const MatchSpec& spec, const Bytes& message) {
    MessageMatcher m = compiled(spec);
    return m.match(message) == MatchOutcome::Match;
}

TEST(MessageMatcher, TextExactPrefixContains) {
    EXPECT_TRUE(matches(textSpec("PING"), bytesOf("PING")));
    EXPECT_FALSE(matches(textSpec("PING"), bytesOf("PING\r\n")));
    EXPECT_FALSE(matches(textSpec("PING"), bytesOf("PIN")));
    EXPECT_TRUE(matches(textSpec("PING", MatchMode::Prefix), bytesOf("PING\r\n")));
    EXPECT_FALSE(matches(textSpec("PING", MatchMode::Prefix), bytesOf("xPING")));
    EXPECT_TRUE(matches(textSpec("PING", MatchMode::Contains), bytesOf("xxPINGyy")));
    EXPECT_TRUE(matches(textSpec("PING", MatchMode::Contains), bytesOf("PPPING")));
    EXPECT_TRUE(matches(textSpec("PING", MatchMode::Contains), bytesOf("PINPINGG")));
    EXPECT_FALSE(matches(textSpec("PING", MatchMode::Contains), bytesOf("P I N G")));
    EXPECT_TRUE(matches(textSpec("", MatchMode::Prefix), bytesOf("")));
    EXPECT_TRUE(matches(textSpec("", MatchMode::Contains), bytesOf("abc")));
}

TEST(MessageMatcher, TextEscapesEncodingAndCase) {
    EXPECT_TRUE(matches(textSpec("OK\\r\\n"), bytesOf("OK\r\n")));
    EXPECT_TRUE(matches(textSpec("\\x01\\x02", MatchMode::Prefix), Bytes{1, 2, 3}));
    MatchSpec raw = textSpec("C:\\temp");
    raw.escapes = false;
    EXPECT_TRUE(matches(raw, bytesOf("C:\\temp")));
    MatchSpec gbk = textSpec("中", MatchMode::Contains);
    gbk.encoding = TextEncoding::Gbk;
    EXPECT_TRUE(matches(gbk, Bytes{'a', 0xD6, 0xD0, 'b'}));
    MatchSpec folded = textSpec("ping", MatchMode::Prefix);
    folded.ignore_case = true;
    EXPECT_TRUE(matches(folded, bytesOf("PiNG 1")));
    EXPECT_FALSE(matches(folded, bytesOf("PONG")));
}

/// ignore_case folds ASCII letters, not bytes: in GBK and UTF-16 a letter's byte value also occurs
/// inside other characters (GBK trail bytes 0x41-0x7A; UTF-16 code units such as U+4E41 41 4E),
/// and folding those made one character match another. "contains" also starts only where a
/// character starts (the second byte of a GBK character is no "A").
TEST(MessageMatcher, IgnoreCaseFoldsLettersNotTheBytesOfOtherCharacters) {
    // GBK 0x81 0x41 and 0x81 0x61 are two different characters (trail bytes 'A' and 'a').
    for (MatchMode mode : {MatchMode::Exact, MatchMode::Prefix, MatchMode::Contains}) {
        SCOPED_TRACE(toString(mode));
        MatchSpec gbk = textSpec("\\x81a", mode);   // escapes: the bytes 81 61
        gbk.encoding = TextEncoding::Gbk;
        gbk.ignore_case = true;
        EXPECT_TRUE(matches(gbk, Bytes{0x81, 0x61}));
        EXPECT_FALSE(matches(gbk, Bytes{0x81, 0x41})) << "another GBK character";
        MatchSpec gbk_text = textSpec("ok中", mode);
        gbk_text.encoding = TextEncoding::Gbk;
        gbk_text.ignore_case = true;
        EXPECT_TRUE(matches(gbk_text, Bytes{'O', 'K', 0xD6, 0xD0})) << "its ASCII letters still fold";

        MatchSpec utf16 = textSpec("乁", mode);   // U+4E41: 41 4E (LE), 4E 41 (BE)
        utf16.encoding = TextEncoding::Utf16Le;
        utf16.ignore_case = true;
        EXPECT_TRUE(matches(utf16, Bytes{0x41, 0x4E}));
        EXPECT_FALSE(matches(utf16, Bytes{0x61, 0x4E})) << "U+4E61 is another character";
        utf16.encoding = TextEncoding::Utf16Be;
        EXPECT_FALSE(matches(utf16, Bytes{0x4E, 0x61}));
        MatchSpec ok16 = textSpec("Ok", mode);
        ok16.encoding = TextEncoding::Utf16Le;
        ok16.ignore_case = true;
        EXPECT_TRUE(matches(ok16, Bytes{'o', 0, 'K', 0}));
        ok16.encoding = TextEncoding::Utf16Be;
        EXPECT_TRUE(matches(ok16, Bytes{0, 'O', 0, 'k'}));
    }
    // contains: a match begins where a character begins.
    MatchSpec letter = textSpec("A", MatchMode::Contains);
    letter.encoding = TextEncoding::Gbk;
    EXPECT_FALSE(matches(letter, Bytes{0x81, 0x41})) << "the trail byte of a GBK character is no 'A'";
    EXPECT_TRUE(matches(letter, Bytes{0x81, 0x41, 'A'}));
    EXPECT_TRUE(matches(letter, Bytes{0x81, 0x30, 0x81, 0x30, 'A'})) << "after a four-byte GB18030 character";
    MatchSpec unit = textSpec("A", MatchMode::Contains);
    unit.encoding = TextEncoding::Utf16Le;
    EXPECT_FALSE(matches(unit, Bytes{0x00, 0x41, 0x00, 0x20})) << "odd offset: U+4100 U+2000";
    EXPECT_TRUE(matches(unit, Bytes{0x20, 0x00, 0x41, 0x00}));
}

TEST(MessageMatcher, HexWildcardsAndModes) {
    const Bytes request{0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A};
    EXPECT_TRUE(matches(hexSpec("01 03 ?? ?? 00 01 ?? ??"), request));
    EXPECT_FALSE(matches(hexSpec("01 03 ?? ?? 00 01"), request));   // exact: length too
    EXPECT_TRUE(matches(hexSpec("01 03 ?? ?? 00 01", MatchMode::Prefix), request));
    EXPECT_FALSE(matches(hexSpec("01 04 ??", MatchMode::Prefix), request));
    EXPECT_TRUE(matches(hexSpec("00 01 ?? 0a", MatchMode::Contains), request));
    EXPECT_TRUE(matches(hexSpec("?? 0A", MatchMode::Contains), request));
    EXPECT_FALSE(matches(hexSpec("0B", MatchMode::Contains), request));
    EXPECT_TRUE(matches(hexSpec("0x01,0x03:????", MatchMode::Prefix), request));   // tolerant, adjacent ??
}

TEST(MessageMatcher, HexIgnoreCaseFoldsAsciiLettersOnBothSides) {
    // "41 42" is "AB": with ignore_case it matches "AB" and "ab" in every mode (it matched nothing).
    for (MatchMode mode : {MatchMode::Exact, MatchMode::Prefix, MatchMode::Contains}) {
        MatchSpec spec = hexSpec("41 42", mode);
        spec.ignore_case = true;
        EXPECT_TRUE(matches(spec, bytesOf("AB"))) << toString(mode);
        EXPECT_TRUE(matches(spec, bytesOf("ab"))) << toString(mode);
        EXPECT_TRUE(matches(spec, bytesOf("aB"))) << toString(mode);
        EXPECT_FALSE(matches(spec, bytesOf("AC"))) << toString(mode);
    }
    MatchSpec lower = hexSpec("61 ?? 62", MatchMode::Contains);   // "a?b" written lower-case
    lower.ignore_case = true;
    EXPECT_TRUE(matches(lower, bytesOf("xA-B")));
    MatchSpec binary = hexSpec("01 5B 7B", MatchMode::Exact);   // only letters fold: '[' is not '{'
    binary.ignore_case = true;
    EXPECT_TRUE(matches(binary, Bytes{0x01, 0x5B, 0x7B}));
    EXPECT_FALSE(matches(binary, Bytes{0x01, 0x7B, 0x7B}));
    EXPECT_FALSE(matches(binary, Bytes{0x21, 0x5B, 0x7B}));
}

TEST(MessageMatcher, HexCapturesAreTheWholeMatchThenEachWildcardRun) {
    MessageMatcher m = compiled(hexSpec("01 03 ?? ?? 00 ??"));
    EXPECT_EQ(m.groupCount(), 2u);
    const Bytes message{0x01, 0x03, 0xAA, 0xBB, 0x00, 0xCC};
    MatchCaptures captures;
    ASSERT_EQ(m.match(message, &captures), MatchOutcome::Match);
    ASSERT_EQ(captures.size(), 3u);
    EXPECT_EQ(Bytes(captures[0].begin(), captures[0].end()), message);
    EXPECT_EQ(Bytes(captures[1].begin(), captures[1].end()), (Bytes{0xAA, 0xBB}));
    EXPECT_EQ(Bytes(captures[2].begin(), captures[2].end()), (Bytes{0xCC}));
}

TEST(MessageMatcher, RegexWithCaptures) {
    MessageMatcher m = compiled(textSpec("^SET (\\w+)=(\\d+)(x)?\\r\\n$", MatchMode::Regex));
    EXPECT_EQ(m.groupCount(), 3u);
    MatchCaptures captures;
    const Bytes message = bytesOf("SET speed=42\r\n");   // captures point into it
    ASSERT_EQ(m.match(message, &captures), MatchOutcome::Match);
    ASSERT_EQ(captures.size(), 4u);
    EXPECT_EQ(textOf(captures[0]), "SET speed=42\r\n");
    EXPECT_EQ(textOf(captures[1]), "speed");
    EXPECT_EQ(textOf(captures[2]), "42");
    EXPECT_TRUE(captures[3].empty());   // an optional group that took no part
    EXPECT_EQ(m.match(bytesOf("SET speed=fast\r\n")), MatchOutcome::NoMatch);
    // Unanchored: searches the message.
    EXPECT_TRUE(matches(textSpec("T=\\d", MatchMode::Regex), bytesOf("xx T=5 yy")));
}

TEST(MessageMatcher, RegexOnInvalidUtf8AndBinaryIsNotAnError) {
    MessageMatcher m = compiled(textSpec("OK", MatchMode::Regex));
    EXPECT_EQ(m.match(Bytes{0xFF, 0xFE, 'O', 'K', 0x00, 0xC3}), MatchOutcome::Match);
    EXPECT_EQ(m.match(Bytes{0xFF, 0xC3}), MatchOutcome::NoMatch);
    EXPECT_EQ(m.match(Bytes{}), MatchOutcome::NoMatch);
    MatchSpec latin = textSpec("\\xFF+", MatchMode::Regex);   // byte semantics in latin-1
    latin.encoding = TextEncoding::Latin1;
    EXPECT_TRUE(matches(latin, Bytes{0x00, 0xFF, 0xFF}));
}

TEST(MessageMatcher, PathologicalRegexGivesUpInsteadOfHanging) {
    MessageMatcher m = compiled(textSpec("^(a+)+$", MatchMode::Regex));
    Bytes message(40, 'a');
    message.push_back('b');
    const auto start = std::chrono::steady_clock::now();
    const MatchOutcome outcome = m.match(message);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_NE(outcome, MatchOutcome::Match);
    if (outcome == MatchOutcome::Failed) {
        EXPECT_NE(m.error().find("gave up"), std::string::npos) << m.error();
    }
}

TEST(MessageMatcher, LongMessageDoesNotOverflowTheStack) {
    // std::regex recurses per character here and crashes on a few hundred KiB.
    MessageMatcher m = compiled(textSpec("^(a|b)*c$", MatchMode::Regex));
    Bytes message(4 << 20, 'a');
    message.push_back('c');
    const MatchOutcome outcome = m.match(message);
    EXPECT_NE(outcome, MatchOutcome::NoMatch);   // a match, or a reported give-up: never a crash
}

TEST(MessageMatcher, AnyMatchesEverything) {
    MatchSpec any;
    MessageMatcher m = compiled(any);
    MatchCaptures captures;
    EXPECT_EQ(m.match(Bytes{}, &captures), MatchOutcome::Match);
    const Bytes x = bytesOf("x");
    EXPECT_EQ(m.match(x, &captures), MatchOutcome::Match);
    ASSERT_EQ(captures.size(), 1u);
    EXPECT_EQ(textOf(captures[0]), "x");
}

TEST(MessageMatcher, CompileErrorsSayWhereAndWhy) {
    auto error = [](const MatchSpec& spec) {
        MatcherCompileResult r = compileMatcher(spec);
        EXPECT_FALSE(r.ok());
        return r.error ? *r.error : ParseError{};
    };
    EXPECT_EQ(error(hexSpec("01 0G")).position, 4u);
    EXPECT_EQ(error(hexSpec("01 ? 02")).position, 3u);
    EXPECT_NE(error(hexSpec("01 ??02")).reason.find("separator"), std::string::npos);
    EXPECT_NE(error(hexSpec("01", MatchMode::Regex)).reason.find("regex mode needs"), std::string::npos);
    const ParseError bad_regex = error(textSpec("a(b", MatchMode::Regex));
    EXPECT_NE(bad_regex.reason.find("regex:"), std::string::npos);
    EXPECT_EQ(bad_regex.position, 3u);
    EXPECT_EQ(error(textSpec("ab\\q")).position, 2u);
    MatchSpec wide = textSpec("x", MatchMode::Regex);
    wide.encoding = TextEncoding::Utf16Le;
    EXPECT_NE(error(wide).reason.find("8-bit"), std::string::npos);
}

TEST(MessageMatcher, CopiesMatchIndependently) {
    MessageMatcher a = compiled(textSpec("(\\d+)", MatchMode::Regex));
    MessageMatcher b = a;
    MatchCaptures ca, cb;
    const Bytes one = bytesOf("x12"), two = bytesOf("345");
    ASSERT_EQ(a.match(one, &ca), MatchOutcome::Match);
    ASSERT_EQ(b.match(two, &cb), MatchOutcome::Match);
    EXPECT_EQ(textOf(ca[1]), "12");
    EXPECT_EQ(textOf(cb[1]), "345");
}

TEST(MatchJson, ReadsEveryShapeAndWritesItBack) {
    for (const char* text : {R"j({"text": "PING", "mode": "prefix"})j", R"j({"hex": "01 03 ?? ?? 00 01"})j",
                             R"j({"any": true})j", R"j({"text": "(\\d+)", "mode": "regex", "ignore_case": true})j",
                             R"j({"text": "中", "mode": "contains", "encoding": "gbk", "escapes": false})j"}) {
        const auto json = jsonio::Json::parse(text);
        jsonio::Reader r("test");
        MatchSpec spec;
        ASSERT_TRUE(readMatch(r, json, "match", spec)) << r.errorText();
        EXPECT_EQ(matchToJson(spec), json) << text;
    }
}

TEST(MatchJson, ErrorsNameThePath) {
    auto errorOf = [](const char* text) {
        jsonio::Reader r("p.json");
        MatchSpec spec;
        EXPECT_FALSE(readMatch(r, jsonio::Json::parse(text), "endpoints[0].rules[1].match", spec));
        return r.errorText();
    };
    EXPECT_NE(errorOf(R"j({"hex": "01 0G"})j").find("endpoints[0].rules[1].match.hex: at character 5"), std::string::npos);
    EXPECT_NE(errorOf(R"j({"text": "a", "mode": "glob"})j").find("rules[1].match.mode: unknown mode 'glob'"), std::string::npos);
    EXPECT_NE(errorOf(R"j({"text": "a(", "mode": "regex"})j").find("match.text: "), std::string::npos);
    EXPECT_NE(errorOf(R"j({})j").find("missing \"text\", \"hex\" or \"any\""), std::string::npos);
    EXPECT_NE(errorOf(R"j({"text": "a", "hex": "01"})j").find("not several"), std::string::npos);
    EXPECT_NE(errorOf(R"j({"hex": "01", "mode": "regex"})j").find("match.mode: "), std::string::npos);
    EXPECT_NE(errorOf(R"j("PING")j").find("expected a match object"), std::string::npos);
}

}  // namespace
}  // namespace sockscope
