// The UDP transport on its own, under a handler that is not a session: batched reads with their
// senders, one datagram per send to an address, fault shaping, holding reads, refusals in plain
// words. Real sockets on 127.0.0.1, port 0.
#include "core/transport/udp_transport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "core/net/address.hpp"
#include "core/session/faults.hpp"
#include "support/io_rig.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

class RecordingHandler final : public DatagramHandler {
public:
    bool hold = false;                          // readLimit says 0
    int asked = 0;                              // readLimit calls
    std::vector<std::string> received;          // "port:bytes", one per datagram
    std::vector<std::size_t> batches;           // datagrams per onDatagrams call
    std::vector<std::string> locals;            // local_name per onDatagrams call
    std::vector<std::string> sent;              // "port:bytes"
    int writes = 0;
    std::vector<std::string> errors;

    std::size_t readLimit(std::size_t most) override {
        ++asked;
        return hold ? 0 : most;
    }
    void onDatagrams(const SharedBytes& bytes, std::vector<FrameSpan> datagrams, const DatagramAddress& sender,
                     const std::string& sender_name, const std::string& local_name) override {
        EXPECT_EQ(sender_name, formatEndpoint(sender.address(), sender.port()));
        locals.push_back(local_name);
        batches.push_back(datagrams.size());
        for (const FrameSpan& d : datagrams) {
            const auto view = bytes.view().subspan(d.offset, d.length);
            received.push_back(std::to_string(sender.port()) + ":" + std::string(view.begin(), view.end()));
        }
    }
    void onSent(const DatagramAddress& to, SharedBytes bytes) override {
        const auto view = bytes.view();
        sent.push_back(std::to_string(to.port()) + ":" + std::string(view.begin(), view.end()));
    }
    void onWriteDone() override { ++writes; }
    void onError(ErrorContext, ErrorInfo error) override { errors.push_back(error.code); }
};

struct TransportRig : test::IoRig {
    asio::ip::udp::socket peer{io, {asio::ip::make_address("127.0.0.1"), 0}};
    std::shared_ptr<UdpTransport> transport;
    std::shared_ptr<RecordingHandler> handler = std::make_shared<RecordingHandler>();
    DatagramAddress local;

    explicit TransportRig(std::size_t queue_limit = 1u << 20, const char* bind = "127.0.0.1") {
        asio::ip::udp::socket socket(io, {asio::ip::make_address(bind), 0});
        local = socket.local_endpoint();
        transport = std::make_shared<UdpTransport>(ctx, std::move(socket),
                                                   UdpTransport::Settings{queue_limit, "127.0.0.1:1"});
    }
    std::string peerPort() const { return std::to_string(peer.local_endpoint().port()); }
    /// One datagram at the peer (waits at most 10 s).
    std::string receiveAtPeer() {
        std::string out;
        runUntil([&] { return peer.available() > 0; });
        if (peer.available() == 0) return "<nothing>";
        out.resize(65536);
        out.resize(peer.receive(asio::buffer(out)));
        return out;
    }
};

TEST(UdpTransport, ReadsBatchesWithTheirSenderAndSendsEachDatagramToItsAddress) {
    TransportRig rig;
    EXPECT_EQ(rig.transport->localName(), "127.0.0.1:" + std::to_string(rig.local.port()));
    EXPECT_FALSE(rig.transport->lastSender().has_value());
    for (const char* text : {"one", "two", "three"}) rig.peer.send_to(asio::buffer(std::string(text)), rig.local);
    rig.transport->start(rig.handler);
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->received.size() == 3; }));
    const std::string from = rig.peerPort() + ":";
    EXPECT_EQ(rig.handler->received, (std::vector<std::string>{from + "one", from + "two", from + "three"}));
    EXPECT_LT(rig.handler->batches.size(), 3u);   // waiting datagrams come in one read (recvmmsg)
    ASSERT_TRUE(rig.transport->lastSender().has_value());
    EXPECT_EQ(rig.transport->lastSender()->port(), rig.peer.local_endpoint().port());

    ASSERT_FALSE(rig.transport->sendTo(rig.peer.local_endpoint(), SharedBytes::copyOf("back"), nullptr).has_value());
    EXPECT_EQ(rig.receiveAtPeer(), "back");
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->writes == 1; }));
    EXPECT_EQ(rig.handler->sent, (std::vector<std::string>{from + "back"}));
    EXPECT_EQ(rig.transport->queuedBytes(), 0u);
    EXPECT_TRUE(rig.handler->errors.empty());

    rig.transport->close();
    EXPECT_TRUE(rig.transport->closed());
    EXPECT_EQ(rig.transport->sendTo(rig.peer.local_endpoint(), SharedBytes::copyOf("x"), nullptr)->code, "ENOTCONN");
}

/// A wildcard bind ("0.0.0.0", "::") names the address each datagram was sent to; "::" is
/// dual-stack: an IPv4 datagram names its IPv4 address, one from ::1 names ::1.
void wildcardLocals(const std::vector<const char*>& binds) {
#if !defined(__linux__)
    GTEST_SKIP() << "IP_PKTINFO / IPV6_RECVPKTINFO are read on Linux only";
#endif
    for (const char* bind : binds) {
        SCOPED_TRACE(bind);
        TransportRig rig(1u << 20, bind);
        const std::string port = std::to_string(rig.local.port());
        rig.transport->start(rig.handler);
        rig.peer.send_to(asio::buffer(std::string("v4")), {asio::ip::make_address("127.0.0.1"), rig.local.port()});
        ASSERT_TRUE(rig.runUntil([&] { return rig.handler->received.size() == 1; }));
        // A specific bind is its own local address (nothing to add); a wildcard names the address
        // written to, IPv4 for an IPv4 datagram on a dual-stack socket.
        EXPECT_EQ(rig.handler->locals.back(), std::string(bind) == "127.0.0.1" ? "" : "127.0.0.1:" + port);
        if (std::string(bind) != "::") continue;
        asio::ip::udp::socket v6(rig.io, {asio::ip::make_address("::1"), 0});
        v6.send_to(asio::buffer(std::string("v6")), {asio::ip::make_address("::1"), rig.local.port()});
        ASSERT_TRUE(rig.runUntil([&] { return rig.handler->received.size() == 2; }));
        EXPECT_EQ(rig.handler->locals.back(), "[::1]:" + port);
    }
}
TEST(UdpTransport, ASocketOnAWildcardAddressSaysWhichAddressEachDatagramWasSentTo) {
    wildcardLocals({"127.0.0.1", "0.0.0.0"});
}
TEST(UdpTransport, ASocketOnTheIpv6WildcardSaysWhichAddressEachDatagramWasSentTo) {
    if (!test::ipv6LoopbackWorks()) GTEST_SKIP() << test::kNoIpv6Loopback;
    wildcardLocals({"::"});
}

/// Tester item: a socket on 0.0.0.0 answered a peer that wrote to 127.0.0.5 from 127.0.0.1 (the
/// kernel's choice); a device drops an answer from an address it did not ask. Answers leave from
/// the address the peer wrote to, on a dual-stack "::" socket too.
TEST(UdpTransport, AWildcardSocketAnswersFromTheAddressThePeerWroteTo) {
#if !defined(__linux__)
    GTEST_SKIP() << "IP_PKTINFO / IPV6_PKTINFO are used on Linux only";
#endif
    for (const char* bind : {"0.0.0.0", "::"}) {
        SCOPED_TRACE(bind);
        if (std::string(bind) == "::" && !test::ipv6LoopbackWorks()) continue;
        TransportRig rig(1u << 20, bind);
        rig.transport->start(rig.handler);
        for (const char* asked : {"127.0.0.5", "127.0.0.1", "127.0.0.7"}) {
            SCOPED_TRACE(asked);
            const std::size_t before = rig.handler->received.size();
            rig.peer.send_to(asio::buffer(std::string("q")), {asio::ip::make_address(asked), rig.local.port()});
            ASSERT_TRUE(rig.runUntil([&] { return rig.handler->received.size() == before + 1; }));
            ASSERT_TRUE(rig.transport->lastSender().has_value());
            ASSERT_FALSE(rig.transport->sendTo(*rig.transport->lastSender(), SharedBytes::copyOf("a"), nullptr).has_value());
            ASSERT_TRUE(rig.runUntil([&] { return rig.peer.available() > 0; }));
            char buffer[16];
            asio::ip::udp::endpoint from;
            ASSERT_EQ(rig.peer.receive_from(asio::buffer(buffer), from), 1u);
            EXPECT_EQ(from.address().to_string(), asked);
            EXPECT_EQ(from.port(), rig.local.port());
        }
        EXPECT_TRUE(rig.handler->errors.empty());
    }
}

/// Review: a peer that wrote to a subnet broadcast (127.255.255.255 here) named an address the
/// kernel refuses as a source (ENETUNREACH, not EINVAL): every answer to it failed. The kernel
/// chooses then, and a later unicast still answers from the address written to.
TEST(UdpTransport, APeerThatWroteToABroadcastAddressIsAnsweredAllTheSame) {
#if !defined(__linux__)
    GTEST_SKIP() << "IP_PKTINFO is used on Linux only";
#endif
    TransportRig rig(1u << 20, "0.0.0.0");
    rig.transport->start(rig.handler);
    rig.peer.set_option(asio::socket_base::broadcast(true));
    const auto answer = [&](const char* asked) -> std::string {
        const std::size_t before = rig.handler->received.size();
        std::error_code ec;
        rig.peer.send_to(asio::buffer(std::string("q")), {asio::ip::make_address(asked), rig.local.port()}, 0, ec);
        if (ec) return "send: " + ec.message();
        if (!rig.runUntil([&] { return rig.handler->received.size() == before + 1; })) return "<not received>";
        for (int i = 0; i < 2; ++i)
            if (auto refused = rig.transport->sendTo(*rig.transport->lastSender(), SharedBytes::copyOf("a"), nullptr))
                return refused->code;
        std::string from;
        for (int i = 0; i < 2; ++i) {
            if (!rig.runUntil([&] { return rig.peer.available() > 0; })) return "<no answer>";
            char buffer[16];
            asio::ip::udp::endpoint sender;
            rig.peer.receive_from(asio::buffer(buffer), sender);
            from += sender.address().to_string() + " ";
        }
        return from;
    };
    const std::string broadcast = answer("127.255.255.255");
    if (broadcast == "<not received>") GTEST_SKIP() << "no loopback broadcast here";
    EXPECT_EQ(broadcast, "127.0.0.1 127.0.0.1 ") << "both answers left, from the kernel's choice";
    EXPECT_EQ(answer("127.0.0.5"), "127.0.0.5 127.0.0.5 ");
    EXPECT_EQ(answer("127.255.255.255"), "127.0.0.1 127.0.0.1 ");
    EXPECT_TRUE(rig.handler->errors.empty());
}

TEST(UdpTransport, AHandlerHoldingReadsGetsNothingUntilItResumes) {
    TransportRig rig;
    rig.handler->hold = true;
    rig.transport->start(rig.handler);
    rig.peer.send_to(asio::buffer(std::string("queued")), rig.local);
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->asked >= 1; }));   // the transport asked, and held
    rig.io.restart();
    rig.io.run_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(rig.handler->received.empty());
    rig.handler->hold = false;
    rig.transport->resumeReading();   // the datagram waits in the kernel: read at once, not on new data
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->received.size() == 1; }));
    EXPECT_EQ(rig.handler->received[0], rig.peerPort() + ":queued");
}

TEST(UdpTransport, RefusesWhatCannotLeaveInPlainWordsAndQueuesNothing) {
    TransportRig rig(100);
    rig.transport->start(rig.handler);
    const auto to = rig.peer.local_endpoint();
    const auto too_large = rig.transport->sendTo(to, SharedBytes(Bytes(UdpTransport::kMaxDatagramV4 + 1, 'x')), nullptr);
    ASSERT_TRUE(too_large.has_value());
    EXPECT_EQ(too_large->code, "EMSGSIZE");
    EXPECT_NE(too_large->message.find("IPv4"), std::string::npos) << too_large->message;
    EXPECT_EQ(rig.transport->queuedBytes(), 0u);
    // The queue's byte cap: what does not fit is refused whole.
    ASSERT_FALSE(rig.transport->sendTo(to, SharedBytes(Bytes(60, 'a')), nullptr).has_value());
    const auto full = rig.transport->sendTo(to, SharedBytes(Bytes(60, 'b')), nullptr);
    ASSERT_TRUE(full.has_value());
    EXPECT_EQ(full->code, "ENOBUFS");
    EXPECT_EQ(rig.receiveAtPeer(), std::string(60, 'a'));
}

TEST(UdpTransport, FaultShapingSplitsADatagramIntoSmallerOnesAndDuplicates) {
    TransportRig rig;
    rig.transport->start(rig.handler);
    FaultConfig config;
    config.split_size = 4;
    config.duplicate = 1.0;
    auto counters = std::make_shared<FaultCounters>();
    FaultInjector shape(config, counters);
    ASSERT_FALSE(rig.transport->sendTo(rig.peer.local_endpoint(), SharedBytes::copyOf("abcdefghij"), &shape).has_value());
    std::vector<std::string> at_peer;
    for (int i = 0; i < 6; ++i) at_peer.push_back(rig.receiveAtPeer());
    EXPECT_EQ(at_peer, (std::vector<std::string>{"abcd", "efgh", "ij", "abcd", "efgh", "ij"}));
    EXPECT_EQ(counters->split_pieces, 6u);
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->sent.size() == 6; }));   // each piece its own tx
    EXPECT_EQ(rig.handler->sent.front(), rig.peerPort() + ":abcd");
    EXPECT_EQ(rig.transport->queuedBytes(), 0u);
}

}  // namespace
}  // namespace sockscope
