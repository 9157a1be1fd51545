#pragma once
// Streaming reader of capture files: classic pcap (either byte order, µs or ns timestamps) and
// pcapng (sections in either byte order, several interfaces each with its link type, if_tsresol and
// if_tsoffset; EPB, SPB and the obsolete PB; other blocks skipped). The input is untrusted: every
// structural problem is an error naming the byte offset, a torn last block (a recorder killed
// mid-write) is a warning, and memory stays bounded (one block at a time, at most kMaxBlockBytes).
// Portable: only std::istream.
#include <cstdint>
#include <istream>
#include <span>
#include <string>
#include <vector>

namespace sockscope::capture {

/// Link types (www.tcpdump.org/linktypes.html) the decoder understands.
enum LinkType : std::uint16_t {
    kLinkNull = 0,        // BSD loopback: 4-byte address family in the writer's byte order
    kLinkEthernet = 1,
    kLinkRaw = 101,       // raw IPv4 or IPv6 (version nibble)
    kLinkLoop = 108,      // OpenBSD loopback: address family in network byte order
    kLinkLinuxSll = 113,
    kLinkIpv4 = 228,
    kLinkIpv6 = 229,
    kLinkLinuxSll2 = 276,
};
/// Some writers store DLT_RAW as 12 or 14 (the BSD values).
bool isKnownLinkType(std::uint16_t link_type);

inline constexpr std::uint32_t kMaxBlockBytes = 16u << 20;   // larger blocks are refused as corrupt
inline constexpr std::size_t kMaxInterfaces = 4096;          // per section

enum class CaptureFormat : std::uint8_t { Unknown, Pcap, Pcapng };

struct RawPacket {
    std::uint32_t interface = 0;      // pcapng interface id (pcap: 0)
    std::uint16_t link_type = 0;
    std::int64_t time_ns = 0;         // since the Unix epoch
    std::uint32_t original_length = 0;
    std::uint64_t offset = 0;         // of its record/block in the file
    std::span<const std::uint8_t> data;   // captured bytes; valid until the next call of next()
};

class CaptureReader {
public:
    /// `in` must be opened in binary mode; `size` (0: unknown) is for progress only.
    explicit CaptureReader(std::istream& in, std::uint64_t size = 0);

    /// The next packet; false at the end of the file or on an error (see error()).
    [[nodiscard]] bool next(RawPacket& out);

    CaptureFormat format() const { return m_format; }
    /// Empty unless reading stopped on a structural problem ("at offset 1234: ...").
    const std::string& error() const { return m_error; }
    /// Problems that did not stop reading (a torn last block, an unknown link type ...), bounded.
    const std::vector<std::string>& warnings() const { return m_warnings; }
    std::uint64_t offset() const { return m_offset; }
    std::uint64_t size() const { return m_size; }
    std::uint64_t skippedBlocks() const { return m_skipped_blocks; }

private:
    struct Interface {
        std::uint16_t link_type = 0;
        std::uint64_t units_per_second = 1'000'000;   // if_tsresol
        bool power_of_two = false;
        std::uint8_t exponent = 6;
        std::int64_t offset_s = 0;                    // if_tsoffset
    };
    bool start();
    bool nextPcap(RawPacket& out);
    bool nextPcapng(RawPacket& out);
    bool readSectionHeader(std::uint64_t block_offset, std::uint32_t raw_length);
    void readInterface(std::uint64_t block_offset, std::span<const std::uint8_t> body);
    bool packetBlock(std::uint32_t type, std::uint64_t block_offset, std::span<const std::uint8_t> body,
                     RawPacket& out);
    std::int64_t toNs(const Interface& iface, std::uint64_t ticks) const;
    /// Reads exactly n bytes into m_buffer (from index `at`); false (torn/eof) otherwise.
    bool readExact(std::size_t at, std::size_t n);
    bool fail(std::uint64_t offset, const std::string& what);
    void warn(const std::string& what);
    /// A block that ends before its declared length at the end of the file.
    bool tornAtEnd(std::uint64_t offset, const char* what);
    std::uint16_t u16(const std::uint8_t* p) const;
    std::uint32_t u32(const std::uint8_t* p) const;

    std::istream& m_in;
    std::uint64_t m_size;
    std::uint64_t m_offset = 0;
    CaptureFormat m_format = CaptureFormat::Unknown;
    bool m_started = false;
    bool m_done = false;
    bool m_swapped = false;   // file's byte order differs from little-endian
    // pcap
    bool m_nanoseconds = false;
    std::uint16_t m_pcap_link = 0;
    std::uint32_t m_snaplen = 0;
    // pcapng
    std::vector<Interface> m_interfaces;
    std::vector<std::uint8_t> m_buffer;
    std::string m_error;
    std::vector<std::string> m_warnings;
    std::uint64_t m_skipped_blocks = 0;
};

/// "ethernet", "linux-sll", ... or "link type N".
std::string linkTypeName(std::uint16_t link_type);

}  // namespace sockscope::capture
