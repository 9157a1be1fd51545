#include "core/net/datagram_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#if defined(__linux__)
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#endif

namespace sockscope {

namespace {

#if defined(__linux__)
/// The address a datagram was sent to, from its IP_PKTINFO / IPV6_PKTINFO control message.
std::optional<asio::ip::address> destinationOf(const msghdr& h) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            asio::ip::address_v4::bytes_type bytes;
            std::memcpy(bytes.data(), &info.ipi_addr, 4);
            return asio::ip::address_v4(bytes);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            asio::ip::address_v6::bytes_type bytes;
            std::memcpy(bytes.data(), &info.ipi6_addr, 16);
            const asio::ip::address_v6 v6(bytes);
            // A dual-stack socket's IPv4 datagram: the IPv4 address it was sent to.
            if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
            return v6;
        }
    }
    return std::nullopt;
}
#endif

}  // namespace

struct DatagramReader::Batch {
#if defined(__linux__)
    static constexpr std::size_t kOverflow = kMaxDatagram - kSlotBytes;
    // Room for one IPV6_PKTINFO (or IP_PKTINFO) control message per slot.
    static constexpr std::size_t kControlBytes = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));
    struct alignas(cmsghdr) Control {
        unsigned char bytes[kControlBytes];
    };
    explicit Batch(std::size_t slots)
        : headers(slots), iov(2 * slots), names(slots),
          // Address space, not memory: a page becomes resident only when a large datagram lands in it.
          overflow(std::make_unique_for_overwrite<std::uint8_t[]>(slots * kOverflow)) {}
    std::vector<mmsghdr> headers;
    std::vector<iovec> iov;
    std::vector<sockaddr_storage> names;
    std::unique_ptr<std::uint8_t[]> overflow;
    std::vector<SharedBytes> large;   // this call's datagrams larger than a slot, copied out
    std::vector<Control> control;     // only when local addresses are wanted
#endif
};

DatagramReader::DatagramReader(std::size_t max) : m_max(std::max<std::size_t>(max, 1)) {}
DatagramReader::~DatagramReader() = default;

std::size_t DatagramReader::read(asio::ip::udp::socket& socket, ReadArena& arena, std::size_t limit,
                                 std::error_code& ec) {
    m_runs.clear();
    m_senders.clear();
    m_locals.clear();
    ec = {};
    if (m_deferred) {
        ec = std::exchange(m_deferred, {});
        return 0;
    }
    const std::size_t count = std::min(m_max, std::max<std::size_t>(limit, 1));
#if defined(__linux__)
    // One datagram at a time goes through recvmmsg too when its destination address is wanted.
    if ((count > 1 || m_wantLocal) && arena.maxRead() >= 2 * kSlotBytes) return readBatch(socket, arena, count, ec);
#endif
    std::size_t read = 0;
    while (read < count) {
        std::error_code one;
        if (readOne(socket, arena, one) == 0) {
            if (read == 0) ec = one;
            else if (one != asio::error::would_block && one != asio::error::try_again) m_deferred = one;
            break;
        }
        ++read;
    }
    return read;
}

std::size_t DatagramReader::readOne(asio::ip::udp::socket& socket, ReadArena& arena, std::error_code& ec) {
    asio::ip::udp::endpoint sender;
    // Room for the largest datagram (IPv6: 65,527 bytes): never truncated.
    const auto room = arena.room(kMaxDatagram);
    const std::size_t n = socket.receive_from(asio::buffer(room.data(), room.size()), sender, 0, ec);
    if (ec) return 0;
    add(arena.commit(n), senderIndex(sender));
    return 1;
}

#if defined(__linux__)
std::size_t DatagramReader::readBatch(asio::ip::udp::socket& socket, ReadArena& arena, std::size_t count,
                                      std::error_code& ec) {
    if (!m_batch) m_batch = std::make_unique<Batch>(m_max);
    Batch& b = *m_batch;
    if (m_wantLocal && b.control.size() != m_max) b.control.resize(m_max);
    const auto room = arena.room(count * kSlotBytes);
    const std::size_t slots = std::min(count, room.size() / kSlotBytes);
    for (std::size_t i = 0; i < slots; ++i) {
        b.iov[2 * i] = {room.data() + i * kSlotBytes, kSlotBytes};
        b.iov[2 * i + 1] = {b.overflow.get() + i * Batch::kOverflow, Batch::kOverflow};
        msghdr& h = b.headers[i].msg_hdr;
        h = {};
        h.msg_name = &b.names[i];
        h.msg_namelen = sizeof(sockaddr_storage);
        h.msg_iov = &b.iov[2 * i];
        h.msg_iovlen = 2;
        if (m_wantLocal) {
            h.msg_control = b.control[i].bytes;
            h.msg_controllen = Batch::kControlBytes;
        }
    }
    int got;
    do got = ::recvmmsg(socket.native_handle(), b.headers.data(), static_cast<unsigned>(slots), MSG_DONTWAIT, nullptr);
    while (got < 0 && errno == EINTR);
    if (got <= 0) {
        ec = got < 0 ? std::error_code(errno, asio::error::get_system_category()) : asio::error::would_block;
        return 0;
    }
    // Small datagrams move together at the front of the room (dense in the block); a larger one
    // is copied out now, before that move could overwrite its slot.
    b.large.clear();
    std::size_t at = 0;
    for (int i = 0; i < got; ++i) {
        const std::size_t n = b.headers[i].msg_len;
        const std::uint8_t* slot = room.data() + i * kSlotBytes;
        if (n > kSlotBytes) {
            ByteBlockWriter writer(n);
            std::memcpy(writer.tail(), slot, kSlotBytes);
            std::memcpy(writer.tail() + kSlotBytes, b.overflow.get() + i * Batch::kOverflow, n - kSlotBytes);
            b.large.push_back(writer.commit(n));
        } else {
            if (at != std::size_t(i) * kSlotBytes) std::memmove(room.data() + at, slot, n);
            at += n;
        }
        if (b.headers[i].msg_hdr.msg_flags & MSG_TRUNC) m_deferred = std::make_error_code(std::errc::message_size);
    }
    const SharedBytes small = arena.commit(at);
    std::size_t offset = 0, next_large = 0;
    const sockaddr_storage* last_name = nullptr;
    socklen_t last_len = 0;
    std::size_t sender = 0;
    for (int i = 0; i < got; ++i) {
        const msghdr& h = b.headers[i].msg_hdr;
        if (last_name == nullptr || h.msg_namelen != last_len || std::memcmp(&b.names[i], last_name, last_len) != 0) {
            asio::ip::udp::endpoint from;
            if (h.msg_namelen <= from.capacity()) {
                std::memcpy(from.data(), &b.names[i], h.msg_namelen);
                from.resize(h.msg_namelen);
            }
            sender = senderIndex(from);
            last_name = &b.names[i];
            last_len = h.msg_namelen;
        }
        const std::size_t n = b.headers[i].msg_len;
        std::size_t local = kNoLocal;
        if (m_wantLocal)
            if (const auto address = destinationOf(h)) local = localIndex(*address);
        if (n > kSlotBytes) {
            add(b.large[next_large++], sender, local);
        } else {
            add(small.slice(offset, n), sender, local);
            offset += n;
        }
    }
    b.large.clear();
    return static_cast<std::size_t>(got);
}
#else
std::size_t DatagramReader::readBatch(asio::ip::udp::socket& socket, ReadArena& arena, std::size_t, std::error_code& ec) {
    return readOne(socket, arena, ec);
}
#endif

std::size_t DatagramReader::localIndex(const asio::ip::address& local) {
    if (m_locals.empty() || m_locals.back() != local) m_locals.push_back(local);
    return m_locals.size() - 1;
}

std::size_t DatagramReader::senderIndex(const asio::ip::udp::endpoint& sender) {
    if (m_senders.empty() || m_senders.back() != sender) m_senders.push_back(sender);
    return m_senders.size() - 1;
}

void DatagramReader::add(const SharedBytes& bytes, std::size_t sender, std::size_t local) {
    const auto length = static_cast<std::uint32_t>(bytes.size());
    if (!m_runs.empty()) {
        Run& last = m_runs.back();
        if (last.sender == sender && last.local == local && bytes.blockId() != nullptr && last.bytes.blockId() == bytes.blockId() &&
            last.bytes.end() == bytes.begin()) {
            const SharedBytes whole = bytes.wholeBlock();
            const auto size = static_cast<std::uint32_t>(last.bytes.size());
            last.datagrams.push_back({size, length});
            last.bytes = whole.slice(static_cast<std::size_t>(last.bytes.data() - whole.data()), size + length);
            return;
        }
    }
    m_runs.push_back(Run{bytes, {FrameSpan{0, length}}, sender, local});
}

}  // namespace sockscope
