// The TCP transport on its own, under a handler that is not a session: what a TLS or serial
// session swap would rely on. Real sockets on 127.0.0.1, port 0.
#include "core/transport/tcp_transport.hpp"

#include <gtest/gtest.h>

#include <asio/read.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "support/io_rig.hpp"

namespace sockscope {
namespace {

class RecordingHandler final : public TransportHandler {
public:
    bool hold = false;               // readLimit says 0
    int asked = 0;                   // readLimit calls
    std::string received, sent;
    std::vector<std::size_t> sent_sizes;   // one entry per onSent, in order
    bool peer_fin = false;
    std::optional<CloseReason> closed;

    std::size_t readLimit(std::size_t most) override {
        ++asked;
        return hold ? 0 : most;
    }
    void onReceived(const SharedBytes& bytes) override { received.append(bytes.begin(), bytes.end()); }
    void onPeerFin() override { peer_fin = true; }
    void onSent(SharedBytes bytes) override {
        const auto view = bytes.view();
        sent.append(view.begin(), view.end());
        sent_sizes.push_back(bytes.size());
    }
    void onClosed(CloseReason reason, std::optional<ErrorInfo>) override { closed = reason; }
};

struct TransportRig : test::IoRig {
    asio::ip::tcp::socket client{io};
    std::shared_ptr<TcpTransport> transport;
    std::shared_ptr<RecordingHandler> handler = std::make_shared<RecordingHandler>();

    TransportRig() {
        asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        client.connect(acceptor.local_endpoint());
        asio::ip::tcp::socket server(io);
        acceptor.accept(server);
        transport = std::make_shared<TcpTransport>(ctx, std::move(server), TcpTransport::Settings{1u << 20, std::nullopt});
    }
};

TEST(TcpTransport, ReadsWritesAndClosesForAHandlerThatIsNotASession) {
    TransportRig rig;
    EXPECT_EQ(rig.transport->peerName(), rig.client.local_endpoint().address().to_string() + ":" +
                                             std::to_string(rig.client.local_endpoint().port()));
    rig.transport->start(rig.handler);
    asio::write(rig.client, asio::buffer(std::string("hello")));
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->received == "hello"; })) << rig.handler->received;

    ASSERT_FALSE(rig.transport->send(Bytes{'w', 'o', 'r', 'l', 'd'}, nullptr).has_value());
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->sent == "world"; }));
    std::string echoed(5, '\0');
    asio::read(rig.client, asio::buffer(echoed));
    EXPECT_EQ(echoed, "world");

    rig.client.shutdown(asio::ip::tcp::socket::shutdown_send);
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->peer_fin; }));
    EXPECT_TRUE(rig.transport->writable());   // half-open: we may still send
    rig.transport->close(CloseMode::Graceful);
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->closed.has_value(); }));
    EXPECT_EQ(*rig.handler->closed, CloseReason::LocalGraceful);
    std::error_code ec;
    char byte = 0;
    rig.client.read_some(asio::buffer(&byte, 1), ec);
    EXPECT_EQ(ec, asio::error::eof);
}

TEST(TcpTransport, AHandlerHoldingReadsGetsNothingUntilItResumes) {
    TransportRig rig;
    rig.handler->hold = true;
    rig.transport->start(rig.handler);
    asio::write(rig.client, asio::buffer(std::string("queued")));
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->asked >= 1; }));   // the transport asked, and held
    rig.runFor(std::chrono::milliseconds(20));
    EXPECT_EQ(rig.handler->received, "");
    rig.handler->hold = false;
    rig.transport->resumeReading();   // the bytes wait in the kernel: read at once, not on new data
    ASSERT_TRUE(rig.runUntil([&] { return rig.handler->received == "queued"; })) << rig.handler->received;
    rig.transport->close(CloseMode::Abort);
    EXPECT_EQ(rig.handler->closed, CloseReason::LocalAbort);
}

// Writes larger than asio's 64 KiB step leave in steps of up to 1 MiB, partly when the peer is
// slow: every byte arrives in order and each message is still its own onSent.
TEST(TcpTransport, LargeQueuedMessagesLeaveWholeInOrderOneSentEach) {
    TransportRig rig;
    rig.transport->start(rig.handler);
    const std::vector<std::size_t> sizes{200'000, 1, 300'000, 65'536, 250'000};
    std::string expected;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        Bytes message(sizes[i]);
        for (std::size_t j = 0; j < message.size(); ++j) message[j] = static_cast<std::uint8_t>(i * 7 + j % 251);
        expected.append(message.begin(), message.end());
        ASSERT_FALSE(rig.transport->send(std::move(message), nullptr).has_value());
    }
    rig.client.non_blocking(true);
    std::string got;
    std::vector<char> buffer(16384);   // a slow reader: the socket fills, writes go partial
    ASSERT_TRUE(rig.runUntil([&] {
        std::error_code ec;
        const std::size_t n = rig.client.read_some(asio::buffer(buffer), ec);
        got.append(buffer.data(), ec ? 0 : n);
        return got.size() == expected.size() && rig.handler->sent.size() == expected.size();
    })) << got.size() << " of " << expected.size();
    EXPECT_TRUE(got == expected);
    EXPECT_TRUE(rig.handler->sent == expected);
    EXPECT_EQ(rig.handler->sent_sizes, sizes);
    EXPECT_EQ(rig.transport->queuedBytes(), 0u);
}

}  // namespace
}  // namespace sockscope
