// The "framing" object of an endpoint: the shapes docs/profile-format.md shows, round trips,
// and errors that name the path.
#include <gtest/gtest.h>

#include "core/profile/profile.hpp"

namespace sockscope {
namespace {

std::string profileWith(const std::string& framing, const char* type = "tcp-server") {
    return std::string(R"({"version": 1, "name": "t", "endpoints": [{"name": "dev", "type": ")") + type +
           R"(", "bind": "127.0.0.1:0", "framing": )" + framing + "}]}";
}

FramingConfig load(const std::string& framing) {
    ProfileLoadResult r = parseProfile(profileWith(framing), "p.json");
    EXPECT_TRUE(r.profile) << r.error;
    EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
    if (!r.profile) return {};
    // Saved and loaded back: the same configuration.
    ProfileLoadResult again = parseProfile(profileToText(*r.profile), "again.json");
    EXPECT_TRUE(again.profile) << again.error;
    if (again.profile) {
        EXPECT_EQ(again.profile->endpoints[0].framing, r.profile->endpoints[0].framing);
    }
    return r.profile->endpoints[0].framing;
}

std::string errorOf(const std::string& framing, const char* type = "tcp-server") {
    ProfileLoadResult r = parseProfile(profileWith(framing, type), "p.json");
    EXPECT_FALSE(r.profile);
    return r.error;
}

TEST(FramingProfile, TheDocumentedShapesLoad) {
    FramingConfig d = load(R"({ "type": "delimiter", "delimiter": { "hex": "0d 0a" }, "keep": false, "max": 65536 })");
    EXPECT_EQ(d.type, FramingType::Delimiter);
    EXPECT_EQ(d.delimiter, (Bytes{0x0d, 0x0a}));
    EXPECT_FALSE(d.delimiter_is_text);
    EXPECT_FALSE(d.keep);
    EXPECT_EQ(d.max, 65536u);

    FramingConfig t = load(R"({ "type": "delimiter", "delimiter": { "text": "\r\n" }, "keep": true })");
    EXPECT_EQ(t.delimiter, (Bytes{0x0d, 0x0a}));
    EXPECT_TRUE(t.keep);
    EXPECT_EQ(load(R"({ "type": "delimiter", "delimiter": ";" })").delimiter, (Bytes{';'}));

    FramingConfig l = load(R"({ "type": "length", "offset": 4, "size": 2, "endian": "big", "adjust": 6, "max": 260 })");
    EXPECT_EQ(l.type, FramingType::Length);
    EXPECT_EQ(l.offset, 4u);
    EXPECT_EQ(l.size, 2u);
    EXPECT_EQ(l.endian, ByteOrder::Big);
    EXPECT_EQ(l.adjust, 6);
    EXPECT_EQ(l.max, 260u);
    EXPECT_EQ(load(R"({ "type": "length", "size": 4, "endian": "little", "adjust": -4 })").adjust, -4);

    FramingConfig f = load(R"({ "type": "fixed", "length": 8 })");
    EXPECT_EQ(f.type, FramingType::Fixed);
    EXPECT_EQ(f.length, 8u);

    FramingConfig i = load(R"({ "type": "idle", "gap_ms": 20, "max": 65536, "on_error": "close" })");
    EXPECT_EQ(i.type, FramingType::Idle);
    EXPECT_EQ(i.gap_ms, 20);
    EXPECT_EQ(i.on_error, FramingOnError::Close);

    EXPECT_EQ(load(R"({ "type": "raw" })").type, FramingType::Raw);
}

TEST(FramingProfile, DefaultsAndSavedShape) {
    ProfileLoadResult r = parseProfile(profileWith(R"({ "type": "delimiter" })"), "p.json");
    ASSERT_TRUE(r.profile) << r.error;
    const FramingConfig& c = r.profile->endpoints[0].framing;
    EXPECT_EQ(c.delimiter, (Bytes{'\n'}));
    EXPECT_EQ(c.max, 65536u);
    EXPECT_EQ(c.on_error, FramingOnError::Resync);
    const std::string text = profileToText(*r.profile);
    EXPECT_NE(text.find(R"("framing": {
        "type": "delimiter",
        "delimiter": {
          "text": "\n"
        },
        "keep": false,
        "max": 65536,
        "on_error": "resync"
      })"), std::string::npos) << text;
    // No framing given: raw, saved as {"type": "raw"}.
    ProfileLoadResult plain = parseProfile(R"({"version": 1, "endpoints": [{"name": "a", "type": "udp", "bind": "127.0.0.1:0"}]})", "p");
    ASSERT_TRUE(plain.profile);
    EXPECT_EQ(plain.profile->endpoints[0].framing.type, FramingType::Raw);
    EXPECT_NE(profileToText(*plain.profile).find(R"("framing": {
        "type": "raw"
      })"), std::string::npos);
}

TEST(FramingProfile, ErrorsNameThePath) {
    EXPECT_NE(errorOf(R"({ "type": "length", "size": 3 })").find("p.json: endpoints[0].framing.size: must be 1, 2 or 4"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "frames" })").find("endpoints[0].framing.type: expected \"raw\", \"delimiter\""),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "max": 5 })").find("endpoints[0].framing.type: missing"), std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "length", "endian": "middle" })").find("endpoints[0].framing.endian: expected \"big\" or \"little\""),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "delimiter", "delimiter": { "hex": "0d 0g" } })").find("endpoints[0].framing.delimiter.hex: invalid hex"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "delimiter", "delimiter": { "text": "" } })").find("endpoints[0].framing.delimiter.text: expected 1 to 64 bytes"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "delimiter", "delimiter": { "hex": "0d", "text": "x" } })").find("endpoints[0].framing.delimiter: expected exactly one"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "fixed" })").find("endpoints[0].framing.length: missing"), std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "fixed", "length": 0 })").find("endpoints[0].framing.length: expected an integer from 1 to 67108864"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "idle", "gap_ms": 0 })").find("endpoints[0].framing.gap_ms"), std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "delimiter", "max": 0 })").find("endpoints[0].framing.max"), std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "delimiter", "on_error": "ignore" })").find("endpoints[0].framing.on_error: expected \"resync\" or \"close\""),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "length", "offset": 259, "size": 2, "max": 260 })").find("endpoints[0].framing.offset: the length field (bytes 259 to 260) must lie within max (260 bytes)"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({ "type": "idle" })", "udp").find("endpoints[0].framing.type: \"idle\" applies to TCP only"),
              std::string::npos);
    EXPECT_NE(errorOf(R"("delimiter")").find("endpoints[0].framing: expected an object"), std::string::npos);
}

TEST(FramingProfile, KeysOfAnotherTypeAreWarnedAbout) {
    ProfileLoadResult r = parseProfile(profileWith(R"({ "type": "fixed", "length": 4, "max": 9, "gapms": 3 })"), "p.json");
    ASSERT_TRUE(r.profile) << r.error;
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_NE(r.warnings[0].find("unknown key \"gapms\""), std::string::npos) << r.warnings[0];
    EXPECT_NE(r.warnings[1].find("framing.max: does not apply to framing type \"fixed\""), std::string::npos) << r.warnings[1];
}

TEST(FramingProfile, ValidateEndpointChecksFraming) {
    EndpointConfig c;
    c.name = "dev";
    c.bind = "127.0.0.1:0";
    c.framing.type = FramingType::Length;
    c.framing.size = 3;
    const auto issues = validateEndpoint(c);
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].path, "framing.size");
    EXPECT_EQ(issues[0].message.rfind("must be 1, 2 or 4", 0), 0u);
    c.framing.size = 2;
    EXPECT_TRUE(validateEndpoint(c).empty());
    c.framing.type = FramingType::Delimiter;
    c.framing.delimiter = {0xff, 0x00};   // not UTF-8: saved as hex, still valid
    c.framing.delimiter_is_text = true;
    EXPECT_TRUE(validateEndpoint(c).empty());
}

}  // namespace
}  // namespace sockscope
