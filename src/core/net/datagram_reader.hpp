#pragma once
// Reads the datagrams waiting on a UDP socket, several per system call, straight into the I/O
// thread's ReadArena (Linux: one recvmmsg for up to `max` datagrams; elsewhere a loop of
// non-blocking receive_from, one datagram per call). What was read comes back in arrival order;
// consecutive datagrams from one sender lie back to back in one slice (a run), so the endpoint
// publishes a run as one DataEvent with a span per datagram.
//
// No datagram is ever truncated: each recvmmsg slot is kSlotBytes of the arena followed by a
// per-slot overflow area (reserved once, 64 KiB per slot, touched only by a datagram larger than
// the slot), so even 65,527 bytes fit. Small datagrams are moved together after the call (a few
// bytes each) so that the arena's block holds them densely; a large one is copied into a block
// of its own (the only copy).
//
// A socket bound to a wildcard address (0.0.0.0, ::) can also say which of the host's addresses
// each datagram was sent to (Linux: IP_PKTINFO / IPV6_RECVPKTINFO, asked for by the transport):
// runs then also split where that address changes, and locals() names it.
#include <asio/ip/udp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include "core/events.hpp"
#include "core/shared_bytes.hpp"

namespace sockscope {

class DatagramReader {
public:
    /// Consecutive datagrams from one sender: their bytes back to back in `bytes`, one span each.
    struct Run {
        SharedBytes bytes;
        std::vector<FrameSpan> datagrams;   // always at least one
        std::size_t sender = 0;             // index into senders()
        std::size_t local = kNoLocal;       // index into locals(), or kNoLocal when not known
    };
    static constexpr std::size_t kNoLocal = static_cast<std::size_t>(-1);

    /// `max`: the most datagrams one read() returns (>= 1).
    explicit DatagramReader(std::size_t max);
    ~DatagramReader();
    DatagramReader(const DatagramReader&) = delete;
    DatagramReader& operator=(const DatagramReader&) = delete;

    /// Reads up to min(max, `limit`) waiting datagrams. Returns how many; 0 with `ec` set when none
    /// could be read (would_block: nothing waiting). An error after some datagrams is kept for the
    /// next call (what was read comes first).
    std::size_t read(asio::ip::udp::socket& socket, ReadArena& arena, std::size_t limit, std::error_code& ec);
    /// The runs of the last read(), in arrival order (the caller may move their contents out).
    [[nodiscard]] std::vector<Run>& runs() { return m_runs; }
    /// The senders of the last read() (a run names one by index).
    [[nodiscard]] const std::vector<asio::ip::udp::endpoint>& senders() const { return m_senders; }
    /// The addresses the last read()'s datagrams were sent to (only after receiveLocalAddresses()).
    [[nodiscard]] const std::vector<asio::ip::address>& locals() const { return m_locals; }
    /// Reads each datagram's destination address from the socket's control messages (the caller
    /// has enabled IP_PKTINFO or IPV6_RECVPKTINFO on it). Linux only; elsewhere nothing changes.
    void receiveLocalAddresses() { m_wantLocal = true; }

    static constexpr std::size_t kSlotBytes = 2048;      ///< arena bytes per slot (most datagrams fit)
    static constexpr std::size_t kMaxDatagram = 65536;   ///< a slot plus its overflow hold this much

private:
    std::size_t readBatch(asio::ip::udp::socket& socket, ReadArena& arena, std::size_t count, std::error_code& ec);
    std::size_t readOne(asio::ip::udp::socket& socket, ReadArena& arena, std::error_code& ec);
    /// Adds a datagram from m_senders[sender] to the runs (to the last one when it continues it).
    void add(const SharedBytes& bytes, std::size_t sender, std::size_t local = kNoLocal);
    /// Index of `sender` in m_senders (the last one when it is the same).
    std::size_t senderIndex(const asio::ip::udp::endpoint& sender);
    /// Index of `local` in m_locals (the last one when it is the same).
    std::size_t localIndex(const asio::ip::address& local);

    std::size_t m_max;
    std::vector<Run> m_runs;
    std::vector<asio::ip::udp::endpoint> m_senders;
    std::vector<asio::ip::address> m_locals;
    bool m_wantLocal = false;
    std::error_code m_deferred;   // an error met after some datagrams: returned by the next read()
    struct Batch;                 // the platform's per-slot state (recvmmsg headers, overflow)
    std::unique_ptr<Batch> m_batch;
};

}  // namespace sockscope
