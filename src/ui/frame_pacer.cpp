#include "ui/frame_pacer.hpp"

#include <imgui.h>

#include <cstring>

namespace sockscope::ui {
namespace {

/// 64-bit words through a multiply-xorshift mix: ~20,000 vertices (~400 KB) cost well under 0.1 ms.
class Hasher {
public:
    void bytes(const void* data, std::size_t size) {
        const auto* p = static_cast<const unsigned char*>(data);
        std::size_t i = 0;
        for (; i + 8 <= size; i += 8) {
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            mix(word);
        }
        std::uint64_t tail = size;   // the length too: "ab" + "" differs from "a" + "b"
        for (; i < size; ++i) tail = (tail << 8) | p[i];
        mix(tail);
    }
    template <class T>
    void value(const T& v) { bytes(&v, sizeof v); }
    [[nodiscard]] std::uint64_t result() const { return m_h ^ (m_h >> 31); }

private:
    void mix(std::uint64_t word) {
        m_h ^= word + 0x9e3779b97f4a7c15ull + (m_h << 6) + (m_h >> 2);
        m_h *= 0xff51afd7ed558ccdull;
        m_h ^= m_h >> 33;
    }
    std::uint64_t m_h = 0xcbf29ce484222325ull;
};

std::uint64_t s_callbackFrames = 0;   // UI thread only

}  // namespace

std::uint64_t drawDataFingerprint(const ImDrawData& data, std::uint32_t clear_rgba) {
    Hasher h;
    h.value(clear_rgba);
    h.value(data.DisplayPos.x);
    h.value(data.DisplayPos.y);
    h.value(data.DisplaySize.x);
    h.value(data.DisplaySize.y);
    h.value(data.FramebufferScale.x);
    h.value(data.FramebufferScale.y);
    h.value(data.CmdListsCount);
    for (int n = 0; n < data.CmdListsCount; ++n) {
        const ImDrawList* list = data.CmdLists[n];
        h.bytes(list->VtxBuffer.Data, static_cast<std::size_t>(list->VtxBuffer.Size) * sizeof(ImDrawVert));
        h.bytes(list->IdxBuffer.Data, static_cast<std::size_t>(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
        for (const ImDrawCmd& cmd : list->CmdBuffer) {
            h.value(cmd.ClipRect);
            h.value(cmd.TextureId);
            h.value(cmd.VtxOffset);
            h.value(cmd.IdxOffset);
            h.value(cmd.ElemCount);
            // A user callback draws something this fingerprint cannot see: always a new picture.
            if (cmd.UserCallback != nullptr) h.value(++s_callbackFrames);
        }
    }
    return h.result();
}

}  // namespace sockscope::ui
