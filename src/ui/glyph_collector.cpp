#include "ui/glyph_collector.hpp"

#include <algorithm>

namespace sockscope::ui {
namespace {
constexpr std::size_t kPendingMax = 8192;   // bounded between two takes
}

GlyphCollector::GlyphCollector() : m_seen(0x10000 / 64, 0) {}

void GlyphCollector::note(std::string_view utf8) {
    const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
    const auto* end = p + utf8.size();
    while (p < end) {
        if (*p < 0x80) {
            ++p;
            continue;
        }
        // Decode one sequence (display text is valid UTF-8; anything else is skipped byte-wise).
        std::uint32_t cp = 0;
        int extra = *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : -1;
        if (extra < 0 || end - p <= extra) {
            ++p;
            continue;
        }
        cp = *p & (0x3F >> extra);
        for (int i = 1; i <= extra; ++i) cp = (cp << 6) | (p[i] & 0x3F);
        p += extra + 1;
        if (cp >= 0x10000) continue;   // ImGui 1.86 draws the BMP only
        std::uint64_t& word = m_seen[cp / 64];
        const std::uint64_t bit = std::uint64_t{1} << (cp % 64);
        if (word & bit) continue;
        word |= bit;
        if (m_pending.size() < kPendingMax) m_pending.push_back(static_cast<std::uint16_t>(cp));
        else word &= ~bit;   // not queued: seen again later, queued then
    }
}

void GlyphCollector::noteBytes(std::span<const std::uint8_t> bytes, TextEncoding encoding) {
    bytes = bytes.subspan(0, std::min(bytes.size(), kMessageBytes));
    if (encoding == TextEncoding::Ascii || m_budget == 0) return;
    // In the ASCII-compatible encodings, all-ASCII bytes need no decoding (UTF-16 always does).
    const bool ascii_compatible = encoding != TextEncoding::Utf16Le && encoding != TextEncoding::Utf16Be;
    if (ascii_compatible && std::none_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b >= 0x80; })) return;
    bytes = bytes.subspan(0, std::min(bytes.size(), m_budget));
    m_budget -= bytes.size();
    note(decodeForDisplay(bytes, encoding));
}

std::vector<std::uint16_t> GlyphCollector::take() {
    std::vector<std::uint16_t> out;
    out.swap(m_pending);
    return out;
}

void GlyphCollector::reset() {
    std::fill(m_seen.begin(), m_seen.end(), 0);
    m_pending.clear();
}

}  // namespace sockscope::ui
