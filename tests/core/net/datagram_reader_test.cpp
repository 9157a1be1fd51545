// DatagramReader on real loopback sockets: several datagrams per call, runs per sender in
// arrival order, the largest datagram whole in the middle of a batch, nothing lost past `max`.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <thread>

#include "core/net/datagram_reader.hpp"
#include "support/socket_peer.hpp"

namespace sockscope {
namespace {

using test::SocketPeer;

struct Received {
    std::string bytes;
    std::uint16_t port = 0;   // the sender's
};

class DatagramReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_socket.open(asio::ip::udp::v4());
        m_socket.bind({asio::ip::make_address("127.0.0.1"), 0});
        m_socket.non_blocking(true);
        // Room for a burst that includes the largest datagram.
        m_socket.set_option(asio::socket_base::receive_buffer_size(1 << 20));
    }
    std::uint16_t port() const { return m_socket.local_endpoint().port(); }

    /// Reads until `count` datagrams came (bounded in time); each read() keeps at most `limit`.
    std::vector<Received> readAll(std::size_t count, std::size_t limit, std::vector<std::size_t>* per_read = nullptr) {
        std::vector<Received> out;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
            std::error_code ec;
            const std::size_t n = m_reader.read(m_socket, m_arena, limit, ec);
            if (n == 0) {
                EXPECT_TRUE(ec == asio::error::would_block || ec == asio::error::try_again) << ec.message();
                std::this_thread::yield();   // loopback delivers at once: bounded by the deadline
                continue;
            }
            EXPECT_LE(n, limit);
            if (per_read) per_read->push_back(n);
            std::size_t in_runs = 0;
            for (const auto& run : m_reader.runs()) {
                EXPECT_FALSE(run.datagrams.empty());
                for (const FrameSpan& d : run.datagrams) {
                    const auto bytes = run.bytes.view().subspan(d.offset, d.length);
                    out.push_back({std::string(bytes.begin(), bytes.end()), m_reader.senders()[run.sender].port()});
                    ++in_runs;
                }
            }
            EXPECT_EQ(in_runs, n);
        }
        return out;
    }

    asio::io_context m_io;
    asio::ip::udp::socket m_socket{m_io};
    ReadArena m_arena{1 << 20, 256 << 10};
    DatagramReader m_reader{64};
};

TEST_F(DatagramReaderTest, MixedSendersComeBackInOrderAsRunsPerSender) {
    SocketPeer a, b;
    ASSERT_TRUE(a.bindUdp());
    ASSERT_TRUE(b.bindUdp());
    const std::vector<std::pair<SocketPeer*, std::string>> sends = {
        {&a, "a1"}, {&a, "a2"}, {&a, ""}, {&b, "b1"}, {&a, "a3"}, {&b, "b2"}, {&b, "b3"}};
    for (const auto& [peer, text] : sends) ASSERT_TRUE(peer->sendTo(text, port()));
    const auto got = readAll(sends.size(), 64);
    ASSERT_EQ(got.size(), sends.size());
    for (std::size_t i = 0; i < sends.size(); ++i) {
        EXPECT_EQ(got[i].bytes, sends[i].second) << i;
        EXPECT_EQ(got[i].port, sends[i].first->localPort()) << i;
    }
}

TEST_F(DatagramReaderTest, OneCallReadsSeveralAndOneSendersRunIsOneSlice) {
    SocketPeer a;
    ASSERT_TRUE(a.bindUdp());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(a.sendTo("datagram " + std::to_string(i), port()));
    std::error_code ec;
    m_socket.wait(asio::socket_base::wait_read, ec);   // the ten are queued: loopback delivers in send()
    ASSERT_FALSE(ec) << ec.message();
    const std::size_t n = m_reader.read(m_socket, m_arena, 64, ec);
#if defined(__linux__)
    ASSERT_EQ(n, 10u) << "recvmmsg reads what is waiting in one call";
    ASSERT_EQ(m_reader.runs().size(), 1u);
    EXPECT_EQ(m_reader.runs()[0].datagrams.size(), 10u);
    EXPECT_EQ(m_reader.runs()[0].bytes.view().size(), 10 * std::string("datagram 0").size());
#else
    EXPECT_GE(n, 1u);
#endif
}

TEST_F(DatagramReaderTest, TheLargestDatagramsInABatchAreWholeAndInOrder) {
    SocketPeer a;
    ASSERT_TRUE(a.bindUdp());
    const std::string large(65507, 'L'), slot(DatagramReader::kSlotBytes, 's'), over(DatagramReader::kSlotBytes + 1, 'o');
    std::vector<std::string> sends = {"first", large, "middle", over, slot, large, "last"};
    sends[1][0] = 'X';   // tell the two large ones apart
    sends[1].back() = 'Y';
    for (const auto& text : sends) ASSERT_TRUE(a.sendTo(text, port()));
    const auto got = readAll(sends.size(), 64);
    ASSERT_EQ(got.size(), sends.size());
    for (std::size_t i = 0; i < sends.size(); ++i) EXPECT_TRUE(got[i].bytes == sends[i]) << i << ": " << got[i].bytes.size();
}

TEST_F(DatagramReaderTest, NoMoreThanTheLimitPerCallAndNothingLost) {
    SocketPeer a;
    ASSERT_TRUE(a.bindUdp());
    constexpr int kCount = 200;
    for (int i = 0; i < kCount; ++i) ASSERT_TRUE(a.sendTo(std::to_string(i), port()));
    std::vector<std::size_t> per_read;
    const auto got = readAll(kCount, 7, &per_read);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount));
    for (int i = 0; i < kCount; ++i) EXPECT_EQ(got[i].bytes, std::to_string(i));
    for (const std::size_t n : per_read) EXPECT_LE(n, 7u);
    const auto one = readAll(0, 1);
    EXPECT_TRUE(one.empty());
}

}  // namespace
}  // namespace sockscope
