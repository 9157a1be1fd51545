#pragma once
// Which characters the UI is about to show, so the font atlas can gain the ones it lacks.
// The atlas starts with the common Simplified Chinese set (a fuller one would cost startup time
// and texture memory); device text brings rarer characters (豸, 磐, ...). Text is noted as it
// arrives; the app adds the missing glyphs between frames (fonts.hpp). No ImGui here.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/codec/text_encoding.hpp"

namespace sockscope::ui {

class GlyphCollector {
public:
    /// Bytes of device text decoded per frame at most (a flood must not cost the frame).
    static constexpr std::size_t kFrameBudgetBytes = 64 * 1024;
    /// Bytes of one message looked at (the start of a message is what rows show first).
    static constexpr std::size_t kMessageBytes = 4 * 1024;

    GlyphCollector();

    /// Notes the characters of UTF-8 text; each code point is queued once in the process's life.
    void note(std::string_view utf8);
    /// Notes device bytes shown in `encoding` (ASCII-only bytes cost a scan, nothing more).
    void noteBytes(std::span<const std::uint8_t> bytes, TextEncoding encoding);
    /// Starts a frame's decoding budget.
    void newFrame() { m_budget = kFrameBudgetBytes; }
    /// The code points noted since the last take (Basic Multilingual Plane: what ImGui draws).
    std::vector<std::uint16_t> take();
    /// Forgets what was seen (after the atlas was rebuilt without the extras, e.g. a new size).
    void reset();

private:
    std::vector<std::uint64_t> m_seen;   // one bit per BMP code point: 8 KiB
    std::vector<std::uint16_t> m_pending;
    std::size_t m_budget = kFrameBudgetBytes;
};

}  // namespace sockscope::ui
