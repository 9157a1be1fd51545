#include "core/net/address.hpp"

#include <gtest/gtest.h>

namespace sockscope {
namespace {

TEST(ParseHostPort, AcceptsIpv4Ipv6AndNames) {
    EXPECT_EQ(parseHostPort("127.0.0.1:80"), (HostPort{"127.0.0.1", 80}));
    EXPECT_EQ(parseHostPort("0.0.0.0:0"), (HostPort{"0.0.0.0", 0}));
    EXPECT_EQ(parseHostPort("[::1]:80"), (HostPort{"::1", 80}));
    EXPECT_EQ(parseHostPort("[::]:0"), (HostPort{"::", 0}));
    EXPECT_EQ(parseHostPort("[::]:8080"), (HostPort{"::", 8080}));
#if defined(_WIN32)
    // Windows names a link by its interface index: no "lo" there.
    EXPECT_EQ(parseHostPort("[fe80::1%1]:5000"), (HostPort{"fe80::1%1", 5000}));
#else
    EXPECT_EQ(parseHostPort("[fe80::1%lo]:5000"), (HostPort{"fe80::1%lo", 5000}));
#endif
    EXPECT_EQ(parseHostPort("[::ffff:10.0.0.1]:1"), (HostPort{"::ffff:10.0.0.1", 1}));
    EXPECT_EQ(parseHostPort("localhost:80"), (HostPort{"localhost", 80}));
    EXPECT_EQ(parseHostPort("device-1.lab_net.example:65535"),
              (HostPort{"device-1.lab_net.example", 65535}));
    EXPECT_EQ(parseHostPort("example.com.:443"), (HostPort{"example.com.", 443}));
}

TEST(ParseHostPort, RejectsMalformedText) {
    for (const char* bad : {"", "9000", ":80", "host:", "host:99999", "host:65536", "host:-1",
                            "host:8o", "host: 80", " host:80", "host:123456", "[::1", "[::1]",
                            "[::1]80", "[::1]:", "[]:80", "[zz]:80", "[127.0.0.1]:80", "::1:80",
                            "300.1.1.1:80", "1.2.3:80", "1.2.3.4.5:80", "-bad.com:80",
                            "bad-.com:80", "a..b:80", "ho st:80", "host:80:90", "ünï:80"}) {
        EXPECT_FALSE(parseHostPort(bad).has_value()) << '"' << bad << '"';
    }
}

TEST(FormatEndpoint, Ipv4Ipv6AndMapped) {
    EXPECT_EQ(formatEndpoint(asio::ip::make_address("127.0.0.1"), 80), "127.0.0.1:80");
    EXPECT_EQ(formatEndpoint(asio::ip::make_address("::1"), 80), "[::1]:80");
    EXPECT_EQ(formatEndpoint(asio::ip::make_address("::"), 0), "[::]:0");
    EXPECT_EQ(formatEndpoint(asio::ip::make_address("::ffff:192.168.1.20"), 53412),
              "192.168.1.20:53412");
    EXPECT_EQ(formatEndpoint(asio::ip::make_address("fe80::1"), 65535), "[fe80::1]:65535");
}

TEST(FormatEndpoint, RoundTripsThroughParse) {
    for (const char* text : {"10.1.2.3:7", "[2001:db8::5]:9000"}) {
        auto hp = parseHostPort(text);
        ASSERT_TRUE(hp);
        EXPECT_EQ(formatEndpoint(asio::ip::make_address(hp->host), hp->port), text);
    }
}

}  // namespace
}  // namespace sockscope
