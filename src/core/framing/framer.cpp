#include "core/framing/framer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>

#include "core/codec/hex.hpp"
#include "core/framing/byte_match.hpp"
#include "core/net/error_throttle.hpp"   // bytesText

namespace sockscope {
namespace {

std::string number(std::uint64_t value) { return std::to_string(value); }

FramingConfig sanitized(FramingConfig c) {
    if (c.delimiter.empty()) c.delimiter = {'\n'};
    c.length = std::clamp<std::size_t>(c.length, 1, kMaxFrameLimit);
    if (c.size != 1 && c.size != 2 && c.size != 4) c.size = 2;
    c.offset = std::min(c.offset, kMaxFrameLimit);
    c.max = std::clamp<std::size_t>(c.max, c.delimiter.size(), kMaxFrameLimit);
    c.gap_ms = std::max(c.gap_ms, 1);
    return c;
}

/// What on_error "close" does: a stream's connection closes; a datagram has none, its rest is dropped.
const char* closing(FramingOnError policy, bool datagrams) {
    if (policy != FramingOnError::Close) return "";
    return datagrams ? "; the rest of this datagram is dropped (on_error: close)" : "; closing the connection (on_error: close)";
}
const char* closingZh(FramingOnError policy, bool datagrams) {
    if (policy != FramingOnError::Close) return "";
    return datagrams ? "；丢弃此数据报的其余部分（on_error: close）" : "；正在关闭连接（on_error: close）";
}

}  // namespace

std::vector<std::string_view> framingFields(FramingType type) {
    switch (type) {
        case FramingType::Raw: return {};
        case FramingType::Delimiter: return {"delimiter", "keep", "max", "on_error"};
        case FramingType::Fixed: return {"length"};
        case FramingType::Length: return {"offset", "size", "endian", "adjust", "max", "on_error"};
        case FramingType::Idle: return {"gap_ms", "max", "on_error"};
    }
    return {};
}

bool framingUses(FramingType type, std::string_view field) {
    const auto fields = framingFields(type);
    return std::find(fields.begin(), fields.end(), field) != fields.end();
}

const char* toString(FramingType type) {
    switch (type) {
        case FramingType::Raw: return "raw";
        case FramingType::Delimiter: return "delimiter";
        case FramingType::Fixed: return "fixed";
        case FramingType::Length: return "length";
        case FramingType::Idle: return "idle";
    }
    return "raw";
}

std::optional<FramingType> framingTypeFromString(const std::string& text) {
    for (FramingType type : {FramingType::Raw, FramingType::Delimiter, FramingType::Fixed, FramingType::Length,
                             FramingType::Idle})
        if (text == toString(type)) return type;
    return std::nullopt;
}

const char* toString(FramingOnError policy) { return policy == FramingOnError::Close ? "close" : "resync"; }
const char* toString(ByteOrder order) { return order == ByteOrder::Little ? "little" : "big"; }

Framer::Framer(const FramingConfig& config)
    : m_cfg(sanitized(config)), m_headerEnd(m_cfg.offset + m_cfg.size) {}

void Framer::feed(ByteView data, Clock::time_point now, FrameSink& sink) {
    if (m_failed || data.empty()) return;
    switch (m_cfg.type) {
        case FramingType::Raw: return emit(data, sink);
        case FramingType::Delimiter: return feedDelimiter(data, sink);
        case FramingType::Fixed: return feedFixed(data, sink);
        case FramingType::Length: return feedLength(data, sink);
        case FramingType::Idle:
            m_lastByte = now;
            return feedIdle(data, sink);
    }
}

std::optional<Framer::Clock::time_point> Framer::deadline() const {
    if (m_cfg.type != FramingType::Idle || m_buf.empty() || m_failed) return std::nullopt;
    return m_lastByte + std::chrono::milliseconds(m_cfg.gap_ms);
}

void Framer::expire(Clock::time_point now, FrameSink& sink) {
    const auto due = deadline();
    if (!due || now < *due) return;
    endDrop(sink);
    emit(m_buf, sink);
    m_buf.clear();
}

void Framer::finish(FrameSink& sink, bool incomplete_is_error) {
    if (!m_failed && !m_dropping && m_buf.empty()) return;   // the common case: once per datagram
    if (m_failed) {                    // closing: nothing more to say; ready for a new stream
        m_failed = m_dropping = false;
        m_dropped = m_need = 0;
        return;
    }
    if (m_dropping && m_cfg.type == FramingType::Delimiter) {   // the kept tail is garbage too
        m_dropped += m_buf.size();
        m_buf.clear();
    }
    endDrop(sink, true);   // still dropping at the end: nothing was found again
    if (m_buf.empty()) return;
    if (m_cfg.type != FramingType::Idle && incomplete_is_error) {
        std::string expected, expected_zh;
        const std::size_t frame = m_cfg.type == FramingType::Fixed ? m_cfg.length
                                  : m_cfg.type == FramingType::Length ? m_need : 0;
        if (frame) {
            expected = " of " + number(frame);
            expected_zh = "（帧长 " + number(frame) + " 字节）";
        }
        sink.onFramingError({"FRAME_INCOMPLETE",
                             "the stream ended " + bytesText(m_buf.size()) + " into a frame" + expected +
                                 "; they follow as a message of their own",
                             "数据流在一个帧" + expected_zh + "的第 " + number(m_buf.size()) +
                                 " 字节处结束；这些字节作为单独的一条消息送出"});
    }
    emit(m_buf, sink);
    m_buf.clear();
    m_need = 0;
}

void FrameSink::onFrames(const std::uint8_t* base, std::span<const FrameCut> frames) {
    for (const FrameCut& frame : frames) onFrame(ByteView(base + frame.offset, frame.length));
}

void Framer::emit(ByteView frame, FrameSink& sink) { sink.onFrame(frame); }

void Framer::fail(const ErrorInfo& error, FrameSink& sink) {
    m_failed = true;
    m_buf.clear();
    m_buf.shrink_to_fit();
    sink.onFramingError(error);
}

void Framer::beginDrop(const ErrorInfo& error, FrameSink& sink) {
    if (m_dropping) return;            // one report per episode, however much garbage follows
    m_dropping = true;
    sink.onFramingError(error);
}

void Framer::endDrop(FrameSink& sink, bool stream_ended) {
    if (!m_dropping) return;
    m_dropping = false;
    m_droppedTotal += m_dropped;
    const std::string dropped = number(m_dropped) + (m_dropped == 1 ? " byte was" : " bytes were") + " dropped since the framing error";
    if (m_dropped && stream_ended)   // nothing was found again: the stream (or datagram) ended first
        sink.onFramingError({"FRAMING_RESYNC",
                             std::string(m_datagrams ? "the datagram" : "the stream") + " ended while resynchronising: " + dropped,
                             std::string(m_datagrams ? "重新同步期间数据报已结束" : "重新同步期间数据流已结束") +
                                 "：自分帧错误以来丢弃了 " + number(m_dropped) + " 字节"});
    else if (m_dropped)
        sink.onFramingError({"FRAMING_RESYNC", "framing resynchronised: " + dropped,
                             "分帧已重新同步：自分帧错误以来丢弃了 " + number(m_dropped) + " 字节"});
    m_dropped = 0;
}

// --- delimiter -------------------------------------------------------------------------------

const std::uint8_t* Framer::findDelimiter(const std::uint8_t* begin, const std::uint8_t* end) const {
    const Bytes& d = m_cfg.delimiter;
    if (static_cast<std::size_t>(end - begin) < d.size()) return nullptr;
    const std::uint8_t* last = end - (d.size() - 1);     // a match must start before here
    while (begin < last) {
        const auto* hit = static_cast<const std::uint8_t*>(std::memchr(begin, d[0], static_cast<std::size_t>(last - begin)));
        if (hit == nullptr) return nullptr;
        if (d.size() == 1 || std::memcmp(hit + 1, d.data() + 1, d.size() - 1) == 0) return hit;
        begin = hit + 1;
    }
    return nullptr;
}

/// Where in `data` a delimiter ends whose start is in m_buf or in `data` (exclusive end index).
std::optional<std::size_t> Framer::findAcrossBoundary(ByteView data) const {
    const Bytes& d = m_cfg.delimiter;
    const std::size_t held = m_buf.size();
    // Starts inside m_buf first (earlier in the stream): in_buf bytes of the delimiter are held.
    for (std::size_t in_buf = std::min(d.size() - 1, held); in_buf >= 1; --in_buf) {
        const std::size_t need = d.size() - in_buf;
        if (need > data.size()) continue;
        if (std::memcmp(m_buf.data() + held - in_buf, d.data(), in_buf) == 0 &&
            std::memcmp(data.data(), d.data() + in_buf, need) == 0)
            return need;
    }
    if (const std::uint8_t* hit = findDelimiter(data.data(), data.data() + data.size()))
        return static_cast<std::size_t>(hit - data.data()) + d.size();
    return std::nullopt;
}

void Framer::feedDelimiter(ByteView data, FrameSink& sink) {
    std::size_t pos = 0;
    if (!m_buf.empty()) {
        const auto end = findAcrossBoundary(data);
        if (!end) return keepPending(data, sink);
        completePending(data.first(*end), sink);
        pos = *end;
    }
    cutDelimited(data, pos, sink);
}

/// The frames of data[pos...] (nothing pending before them). The read is scanned 4 KiB at a time
/// into a bit mask of the delimiter's first byte (byte_match.hpp); each set bit is a candidate
/// (the rest of a longer delimiter is compared there). Frames within max leave in batches
/// (FrameSink::onFrames); one that needs more (over max, while dropping) goes on its own, after
/// the batch before it, so the sink sees frames and errors in stream order.
void Framer::cutDelimited(ByteView data, std::size_t pos, FrameSink& sink) {
    if (m_failed) return;   // the pending frame's end just closed it
    const std::uint8_t* const base = data.data();
    const std::size_t size = data.size();
    const std::uint8_t* const delim = m_cfg.delimiter.data();
    const std::size_t length = m_cfg.delimiter.size();
    const std::size_t strip = m_cfg.keep ? 0 : length;
    const std::size_t max = m_cfg.max;
    // FrameCut's offsets are 32-bit: a larger read takes the one-at-a-time path.
    const bool fits = size <= std::numeric_limits<std::uint32_t>::max();
    if (size < length) {
        if (pos < size) keepPending(data.subspan(pos), sink);
        return;
    }
    const std::size_t last = size - length;   // a delimiter starts at or before here
    std::array<FrameCut, 256> cuts;
    std::size_t count = 0;
    const auto flush = [&] {
        if (count == 0) return;
        sink.onFrames(base, std::span<const FrameCut>(cuts.data(), count));
        count = 0;
    };
    // Frames up to `limit` join the batch; 0 (never: a frame holds its delimiter) while dropping.
    std::size_t limit = fits && !m_dropping ? max : 0;
    std::uint64_t bits[kMatchBlockBytes / 64];
    for (std::size_t block = pos; block <= last; block += kMatchBlockBytes) {
        const std::size_t n = std::min(kMatchBlockBytes, last + 1 - block);   // candidates only
        matchBytes(base + block, n, delim[0], bits);
        for (std::size_t w = 0, words = (n + 63) / 64; w < words; ++w) {
            for (std::uint64_t mask = bits[w]; mask != 0; mask &= mask - 1) {
                const std::size_t at = block + 64 * w + static_cast<std::size_t>(std::countr_zero(mask));
                // A longer delimiter: a candidate inside the one just cut, or not the whole of it.
                if (length > 1 && (at < pos || std::memcmp(base + at + 1, delim + 1, length - 1) != 0)) continue;
                const std::size_t frame = at + length - pos;
                if (frame <= limit) {
                    cuts[count++] = {static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(frame - strip)};
                    if (count == cuts.size()) flush();
                } else {
                    flush();
                    delimitedFrame(ByteView(base + pos, frame), sink);
                    if (m_failed) return;
                    limit = fits && !m_dropping ? max : 0;
                }
                pos = at + length;
            }
        }
    }
    flush();
    if (pos < size) keepPending(data.subspan(pos), sink);
}

void Framer::delimitedFrame(ByteView frame, FrameSink& sink) {
    if (m_dropping || frame.size() > m_cfg.max) return dropThrough(frame.size(), sink);
    emit(m_cfg.keep ? frame : frame.first(frame.size() - m_cfg.delimiter.size()), sink);
}

void Framer::completePending(ByteView head, FrameSink& sink) {
    if (m_dropping || m_buf.size() + head.size() > m_cfg.max) {
        const std::size_t total = m_buf.size() + head.size();
        m_buf.clear();
        return dropThrough(total, sink);
    }
    m_buf.insert(m_buf.end(), head.begin(), head.end());
    emit(m_cfg.keep ? ByteView(m_buf) : ByteView(m_buf).first(m_buf.size() - m_cfg.delimiter.size()), sink);
    m_buf.clear();
}

/// Garbage or an over-long message ending with a delimiter: dropped, reported exactly as when
/// it arrives in pieces (an error when it exceeds max, then the resync with the count).
void Framer::dropThrough(std::size_t frame_size, FrameSink& sink) {
    if (!m_dropping && !tooLongWithoutDelimiter(sink)) return;
    m_dropped += frame_size;
    endDrop(sink);
}

bool Framer::tooLongWithoutDelimiter(FrameSink& sink) {
    const std::string what = "no delimiter (" + formatHex(m_cfg.delimiter) + ") within max " + number(m_cfg.max) +
                             " bytes";
    const std::string what_zh = "在 max " + number(m_cfg.max) + " 字节内没有分隔符（" + formatHex(m_cfg.delimiter) + "）";
    if (m_cfg.on_error == FramingOnError::Close) {
        fail({"FRAME_TOO_LONG", what + closing(m_cfg.on_error, m_datagrams), what_zh + closingZh(m_cfg.on_error, m_datagrams)}, sink);
        return false;
    }
    beginDrop({"FRAME_TOO_LONG", what + ": dropping bytes up to the next delimiter", what_zh + "：丢弃字节直到下一个分隔符"},
              sink);
    return true;
}

void Framer::keepPending(ByteView tail, FrameSink& sink) {
    const std::size_t keep_max = m_cfg.delimiter.size() - 1;   // a delimiter may straddle reads
    if (!m_dropping && m_buf.size() + tail.size() >= m_cfg.max && !tooLongWithoutDelimiter(sink)) return;
    if (!m_dropping) {
        m_buf.insert(m_buf.end(), tail.begin(), tail.end());
        return;
    }
    // Dropping: hold only the last bytes that could begin a delimiter.
    const std::size_t total = m_buf.size() + tail.size();
    const std::size_t keep = std::min(keep_max, total);
    m_dropped += total - keep;
    if (tail.size() >= keep) {
        m_buf.assign(tail.end() - static_cast<std::ptrdiff_t>(keep), tail.end());
    } else {
        m_buf.erase(m_buf.begin(), m_buf.begin() + static_cast<std::ptrdiff_t>(total - keep));
        m_buf.insert(m_buf.end(), tail.begin(), tail.end());
    }
}

// --- fixed -----------------------------------------------------------------------------------

void Framer::feedFixed(ByteView data, FrameSink& sink) {
    const std::size_t length = m_cfg.length;
    std::size_t pos = 0;
    if (!m_buf.empty()) {
        pos = std::min(length - m_buf.size(), data.size());
        m_buf.insert(m_buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(pos));
        if (m_buf.size() < length) return;
        emit(m_buf, sink);
        m_buf.clear();
    }
    for (; data.size() - pos >= length; pos += length) emit(data.subspan(pos, length), sink);
    if (pos < data.size()) m_buf.assign(data.begin() + static_cast<std::ptrdiff_t>(pos), data.end());
}

// --- length field ----------------------------------------------------------------------------

std::int64_t Framer::frameLength(const std::uint8_t* header) const {
    const std::uint8_t* field = header + m_cfg.offset;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < m_cfg.size; ++i) {
        const std::size_t at = m_cfg.endian == ByteOrder::Big ? i : m_cfg.size - 1 - i;
        value = (value << 8) | field[at];
    }
    return static_cast<std::int64_t>(value) + m_cfg.adjust;
}

bool Framer::validLength(std::int64_t total) const {
    return total >= static_cast<std::int64_t>(std::max<std::size_t>(m_headerEnd, 1)) &&
           total <= static_cast<std::int64_t>(m_cfg.max);
}

void Framer::badLength(std::int64_t total, FrameSink& sink) {
    if (m_dropping) return;            // already reported: this episode goes on
    const std::int64_t value = total - m_cfg.adjust;
    std::string message = "length field at offset " + number(m_cfg.offset) + " reads " + std::to_string(value) +
                          ", so the frame would be " + std::to_string(total) + (total == 1 ? " byte: " : " bytes: ");
    const bool longer = total > static_cast<std::int64_t>(m_cfg.max);
    const std::string header = number(std::max<std::size_t>(m_headerEnd, 1));
    message += longer ? "longer than max " + number(m_cfg.max) : "shorter than its own header (" + header + (header == "1" ? " byte)" : " bytes)");
    const std::string message_zh = "偏移 " + number(m_cfg.offset) + " 处的长度字段为 " + std::to_string(value) +
                                   "，帧长将为 " + std::to_string(total) + " 字节：" +
                                   (longer ? "超过 max " + number(m_cfg.max) : "短于其自身的头部（" + header + " 字节）");
    if (m_cfg.on_error == FramingOnError::Close)
        return fail({"BAD_FRAME_LENGTH", message + closing(m_cfg.on_error, m_datagrams), message_zh + closingZh(m_cfg.on_error, m_datagrams)}, sink);
    beginDrop({"BAD_FRAME_LENGTH", message + "; dropping one byte at a time until a valid length field appears",
               message_zh + "；逐字节丢弃，直到出现有效的长度字段"},
              sink);
}

void Framer::feedLength(ByteView data, FrameSink& sink) {
    const std::uint8_t* const bytes = data.data();
    const std::size_t n = data.size();
    std::size_t pos = 0;
    while (!m_failed) {
        if (m_buf.empty()) {           // fast path: frames straight from the caller's buffer
            const std::size_t rest = n - pos;
            if (rest < m_headerEnd) {
                m_buf.assign(bytes + pos, bytes + n);
                return;
            }
            const std::int64_t total = frameLength(bytes + pos);
            if (!validLength(total)) {
                badLength(total, sink);
                ++m_dropped;
                ++pos;
                continue;
            }
            const auto size = static_cast<std::size_t>(total);
            if (rest >= size) {
                endDrop(sink);
                emit(ByteView(bytes + pos, size), sink);
                pos += size;
                continue;
            }
            m_need = size;
            m_buf.reserve(size);
            m_buf.assign(bytes + pos, bytes + n);
            return;
        }
        const std::size_t want = m_need ? m_need : m_headerEnd;
        const std::size_t take = std::min(want - m_buf.size(), n - pos);
        m_buf.insert(m_buf.end(), bytes + pos, bytes + pos + take);
        pos += take;
        if (m_buf.size() < want) return;
        if (m_need == 0) {             // the header is complete: read the length
            const std::int64_t total = frameLength(m_buf.data());
            if (!validLength(total)) {
                badLength(total, sink);
                if (m_failed) return;
                ++m_dropped;
                m_buf.erase(m_buf.begin());
                continue;
            }
            m_need = static_cast<std::size_t>(total);
            m_buf.reserve(m_need);
            continue;
        }
        endDrop(sink);
        emit(m_buf, sink);
        m_buf.clear();
        m_need = 0;
    }
}

// --- idle gap --------------------------------------------------------------------------------

void Framer::feedIdle(ByteView data, FrameSink& sink) {
    std::size_t pos = 0;
    while (m_buf.size() + (data.size() - pos) > m_cfg.max) {
        const std::size_t take = m_cfg.max - m_buf.size();
        m_buf.insert(m_buf.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
                     data.begin() + static_cast<std::ptrdiff_t>(pos + take));
        pos += take;
        emit(m_buf, sink);             // nothing is dropped: the message is cut at max
        m_buf.clear();
        const std::string what = "no gap of " + std::to_string(m_cfg.gap_ms) + " ms within max " + number(m_cfg.max) +
                                 " bytes";
        const std::string what_zh = "在 max " + number(m_cfg.max) + " 字节内没有 " + std::to_string(m_cfg.gap_ms) + " ms 的间隔";
        if (m_cfg.on_error == FramingOnError::Close)
            return fail({"FRAME_TOO_LONG", what + closing(m_cfg.on_error, m_datagrams), what_zh + closingZh(m_cfg.on_error, m_datagrams)}, sink);
        beginDrop({"FRAME_TOO_LONG", what + ": the message was cut into pieces of max bytes",
                   what_zh + "：消息被切成 max 字节的片段"},
                  sink);
    }
    m_buf.insert(m_buf.end(), data.begin() + static_cast<std::ptrdiff_t>(pos), data.end());
}

}  // namespace sockscope
