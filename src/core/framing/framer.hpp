#pragma once
// Receive framing: a pure, incremental parser that turns a byte stream into messages (frames).
// No sockets and no hidden clock (the idle framer is told the time and asked for its deadline;
// the connection owns the timer), so it is unit-tested exhaustively and fuzzed
// (tests/core/framing/framer_test.cpp, tests/fuzz/fuzz_framer.cpp).
//
//   feed(bytes, now, sink) --> sink.onFrame(span)...        frames, in stream order
//                          --> sink.onFrames(base, cuts)   (delimiter: several at once)
//                          --> sink.onFramingError(info)    garbage / over `max`
//   deadline()             --> when the idle gap ends the pending frame (idle only)
//   expire(now, sink)      --> ends the pending frame if the gap has passed
//   finish(sink)           --> the stream ended: pending bytes become a last frame
//
// Copies: a frame that lies whole within one feed() is passed as a span into the caller's
// buffer (zero copies here); only the start of a frame that a later read completes is kept,
// and never more than `max` bytes (the idle framer keeps everything until the gap ends).
// A span passed to onFrame (or onFrames) is valid only during that call.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/framing/framing_config.hpp"
#include "core/net/error_text.hpp"

namespace sockscope {

using ByteView = std::span<const std::uint8_t>;

/// A frame as a span of the buffer given to FrameSink::onFrames. No member initialisers: the
/// framer's batch of 256 on the stack would be zeroed (2 KiB) on every call, once per datagram.
struct FrameCut {
    std::uint32_t offset;
    std::uint32_t length;
};

/// Where a framer delivers. Called synchronously from feed/expire/finish.
class FrameSink {
public:
    virtual ~FrameSink() = default;
    virtual void onFrame(ByteView frame) = 0;
    /// Consecutive frames of one feed() in stream order, spans of `base` (the delimiter framer
    /// cuts a read's lines in batches). By default each goes to onFrame; a sink that gathers
    /// frames overrides it to take them at once (a call per line cost more than finding it).
    virtual void onFrames(const std::uint8_t* base, std::span<const FrameCut> frames);
    /// A plain-words framing problem. Codes: FRAME_TOO_LONG, BAD_FRAME_LENGTH (resync: the first
    /// of an episode only), FRAMING_RESYNC (a frame start was found again: how many bytes were
    /// dropped), FRAME_INCOMPLETE (the stream ended inside a frame).
    /// With on_error "close", failed() is true after an error and the framer ignores further input.
    virtual void onFramingError(const ErrorInfo& error) = 0;
};

class Framer {
public:
    using Clock = std::chrono::steady_clock;

    /// `config` must be valid (validateEndpoint); out-of-range values are clamped, never trusted.
    explicit Framer(const FramingConfig& config);

    void feed(ByteView data, Clock::time_point now, FrameSink& sink);
    /// Idle framer with pending bytes: when they end as a frame unless more arrive.
    [[nodiscard]] std::optional<Clock::time_point> deadline() const;
    /// Idle framer: ends the pending frame when `now` has reached deadline().
    void expire(Clock::time_point now, FrameSink& sink);
    /// End of stream: pending bytes become a frame (an idle frame normally; otherwise with a
    /// FRAME_INCOMPLETE error first). Dropped bytes of an unfinished resync are reported.
    /// `incomplete_is_error` false: the end of a UDP datagram, where the rest is simply the
    /// last message. The framer is ready for a new stream afterwards (and no longer failed).
    void finish(FrameSink& sink, bool incomplete_is_error = true);

    /// UDP: each input is a datagram (no connection to close): the errors say so.
    void setDatagrams(bool datagrams) { m_datagrams = datagrams; }
    [[nodiscard]] bool failed() const { return m_failed; }        ///< on_error close, after an error
    [[nodiscard]] std::size_t pending() const { return m_buf.size(); }
    [[nodiscard]] std::uint64_t droppedBytes() const { return m_droppedTotal; }
    [[nodiscard]] const FramingConfig& config() const { return m_cfg; }

private:
    void feedDelimiter(ByteView data, FrameSink& sink);
    void feedFixed(ByteView data, FrameSink& sink);
    void feedLength(ByteView data, FrameSink& sink);
    void feedIdle(ByteView data, FrameSink& sink);

    // delimiter helpers
    std::optional<std::size_t> findAcrossBoundary(ByteView data) const;
    const std::uint8_t* findDelimiter(const std::uint8_t* begin, const std::uint8_t* end) const;
    void cutDelimited(ByteView data, std::size_t pos, FrameSink& sink);   // the frames from pos on
    void delimitedFrame(ByteView frame, FrameSink& sink);      // frame includes its delimiter
    void completePending(ByteView head, FrameSink& sink);      // m_buf + head ends with the delimiter
    void keepPending(ByteView tail, FrameSink& sink);          // no delimiter in m_buf + tail
    void dropThrough(std::size_t frame_size, FrameSink& sink);
    [[nodiscard]] bool tooLongWithoutDelimiter(FrameSink& sink);   // false: closing

    // length helpers
    [[nodiscard]] std::int64_t frameLength(const std::uint8_t* header) const;
    [[nodiscard]] bool validLength(std::int64_t total) const;
    void badLength(std::int64_t total, FrameSink& sink);

    void emit(ByteView frame, FrameSink& sink);
    void fail(const ErrorInfo& error, FrameSink& sink);        // report; close policy: stop
    void beginDrop(const ErrorInfo& error, FrameSink& sink);   // resync policy: first error only
    void endDrop(FrameSink& sink, bool stream_ended = false);

    FramingConfig m_cfg;
    std::size_t m_headerEnd = 0;         // length: offset + size
    Bytes m_buf;                         // a frame's start (delimiter: while dropping, its tail)
    std::size_t m_need = 0;              // length: total of the frame in m_buf once its header is read
    bool m_dropping = false;             // resync episode in progress
    bool m_failed = false;
    bool m_datagrams = false;
    std::uint64_t m_dropped = 0;         // in the current episode
    std::uint64_t m_droppedTotal = 0;
    Clock::time_point m_lastByte{};      // idle
};

}  // namespace sockscope
