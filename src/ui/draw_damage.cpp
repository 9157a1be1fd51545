#include "ui/draw_damage.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace sockscope::ui {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t word) {
    h ^= word + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

template <class T>
std::uint64_t mixValue(std::uint64_t h, const T& value) {
    static_assert(sizeof(T) <= 8);
    std::uint64_t word = 0;
    std::memcpy(&word, &value, sizeof value);
    return mix(h, word);
}

DamageRect unite(const DamageRect& a, const DamageRect& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

DamageRect meet(const DamageRect& a, const DamageRect& b) {
    return {std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
}

/// Outward to whole pixels, one more on each side (anti-aliased fringes, rounding in the rasteriser).
DamageRect snapOut(const DamageRect& r) {
    return {std::floor(r.x0) - 1, std::floor(r.y0) - 1, std::ceil(r.x1) + 1, std::ceil(r.y1) + 1};
}

/// A command's fingerprint and the rectangle it may touch: its clip rectangle met with the bounding
/// box of the vertices its indices name. Indices are hashed relative to the lowest one, so a
/// command equal to the last frame's stays equal when the commands before it grow or shrink.
struct CommandFacts {
    std::uint64_t hash;
    DamageRect rect;
};

CommandFacts commandFacts(const ImDrawList& list, const ImDrawCmd& cmd, const DamageRect& display) {
    const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
    const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
    unsigned lowest = ~0u, highest = 0;
    DamageRect box{INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (unsigned i = 0; i < cmd.ElemCount; ++i) {
        const unsigned v = idx[i];
        lowest = std::min(lowest, v);
        highest = std::max(highest, v);
        const ImVec2 pos = vtx[v].pos;
        box = {std::min(box.x0, pos.x), std::min(box.y0, pos.y), std::max(box.x1, pos.x), std::max(box.y1, pos.y)};
    }
    std::uint64_t h = 0xcbf29ce484222325ull;
    h = mixValue(h, cmd.ClipRect.x);
    h = mixValue(h, cmd.ClipRect.y);
    h = mixValue(h, cmd.ClipRect.z);
    h = mixValue(h, cmd.ClipRect.w);
    h = mixValue(h, cmd.TextureId);
    h = mixValue(h, cmd.ElemCount);
    if (cmd.ElemCount == 0) return {h, {}};
    for (unsigned i = 0; i < cmd.ElemCount; ++i) h = mixValue(h, static_cast<std::uint32_t>(idx[i] - lowest));
    for (unsigned v = lowest; v <= highest; ++v) {
        std::uint64_t words[3];   // ImDrawVert: pos, uv (4 floats) and a colour: 20 bytes
        static_assert(sizeof(ImDrawVert) <= sizeof words);
        std::memset(words, 0, sizeof words);
        std::memcpy(words, &vtx[v], sizeof(ImDrawVert));
        h = mix(mix(mix(h, words[0]), words[1]), words[2]);
    }
    const DamageRect clip{cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w};
    DamageRect rect = meet(meet(snapOut(box), snapOut(clip)), display);
    if (rect.empty()) rect = {};
    return {h, rect};
}

/// The commands of draw list `n` (none when the frame had fewer lists).
std::pair<std::size_t, std::size_t> listRange(const std::vector<std::size_t>& ends, std::size_t n) {
    if (n >= ends.size()) return {0, 0};
    return {n == 0 ? 0 : ends[n - 1], ends[n]};
}

}  // namespace

std::vector<DamageRect> DrawDamage::update(const ImDrawData& data, std::uint32_t clear_rgba) {
    const DamageRect display{data.DisplayPos.x, data.DisplayPos.y, data.DisplayPos.x + data.DisplaySize.x,
                             data.DisplayPos.y + data.DisplaySize.y};
    bool full = !m_valid || !(display == m_display) || clear_rgba != m_clear;
    m_next.clear();
    m_nextEnds.clear();
    for (int n = 0; n < data.CmdListsCount; ++n) {
        const ImDrawList& list = *data.CmdLists[n];
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            // A user callback may draw anything anywhere: everything is damaged.
            full = full || cmd.UserCallback != nullptr;
            const CommandFacts facts = commandFacts(list, cmd, display);
            m_next.push_back({facts.hash, facts.rect});
        }
        m_nextEnds.push_back(m_next.size());
    }
    // Position by position within each list; a command without a counterpart is damage as it is.
    std::vector<DamageRect> damage;
    const std::size_t lists = std::max(m_listEnds.size(), m_nextEnds.size());
    for (std::size_t n = 0; n < lists && !full; ++n) {
        const auto [old_begin, old_end] = listRange(m_listEnds, n);
        const auto [new_begin, new_end] = listRange(m_nextEnds, n);
        DamageRect list_damage;
        for (std::size_t i = 0; i < std::max(old_end - old_begin, new_end - new_begin); ++i) {
            const Command* before = old_begin + i < old_end ? &m_commands[old_begin + i] : nullptr;
            const Command* after = new_begin + i < new_end ? &m_next[new_begin + i] : nullptr;
            if (before && after && *before == *after) continue;
            if (before) list_damage = unite(list_damage, before->rect);
            if (after) list_damage = unite(list_damage, after->rect);
        }
        list_damage = meet(list_damage, display);
        if (!list_damage.empty()) damage.push_back(list_damage);
    }
    std::swap(m_commands, m_next);
    std::swap(m_listEnds, m_nextEnds);
    m_display = display;
    m_clear = clear_rgba;
    m_valid = true;
    if (full) return display.empty() ? std::vector<DamageRect>{} : std::vector<DamageRect>{display};
    return mergeRects(std::move(damage), kMaxRects);
}

std::vector<DamageRect> mergeRects(std::vector<DamageRect> rects, std::size_t max) {
    const auto area = [](const DamageRect& r) { return (r.x1 - r.x0) * (r.y1 - r.y0); };
    const auto overlap = [](const DamageRect& a, const DamageRect& b) {
        return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
    };
    for (;;) {   // one merge per pass; a few dozen windows at most
        std::size_t best_i = 0, best_j = 0;
        float best_cost = INFINITY;
        for (std::size_t i = 0; i < rects.size(); ++i) {
            for (std::size_t j = i + 1; j < rects.size(); ++j) {
                const DamageRect both = unite(rects[i], rects[j]);
                const float cost = overlap(rects[i], rects[j]) ? -1 : area(both) - area(rects[i]) - area(rects[j]);
                if (cost < best_cost) {
                    best_cost = cost;
                    best_i = i;
                    best_j = j;
                }
            }
        }
        if (best_cost == INFINITY || (best_cost >= 0 && rects.size() <= max)) return rects;
        rects[best_i] = unite(rects[best_i], rects[best_j]);
        rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(best_j));
    }
}

void clipDrawData(ImDrawData& data, const DamageRect& damage, std::vector<DamageRect>& original) {
    const bool first = original.empty();
    std::size_t k = 0;
    for (int n = 0; n < data.CmdListsCount; ++n) {
        for (ImDrawCmd& cmd : data.CmdLists[n]->CmdBuffer) {
            ImVec4& clip = cmd.ClipRect;
            if (first) original.push_back({clip.x, clip.y, clip.z, clip.w});
            const DamageRect was = original[k++];
            clip = {std::max(was.x0, damage.x0), std::max(was.y0, damage.y0), std::min(was.x1, damage.x1),
                    std::min(was.y1, damage.y1)};
            if (clip.z <= clip.x || clip.w <= clip.y) clip = {damage.x0, damage.y0, damage.x0, damage.y0};
        }
    }
}

}  // namespace sockscope::ui
