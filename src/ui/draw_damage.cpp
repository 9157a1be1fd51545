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

DamageRect boxOf(const ImVec2& a, const ImVec2& b, const ImVec2& c) {
    return {std::min({a.x, b.x, c.x}), std::min({a.y, b.y, c.y}), std::max({a.x, b.x, c.x}), std::max({a.y, b.y, c.y})};
}

/// The pixels a run of triangles may touch within a command's clip rectangle.
DamageRect trianglesArea(const DrawDamage::Triangle* first, const DrawDamage::Triangle* last, const DamageRect& clip,
                         const DamageRect& display) {
    DamageRect box;
    for (; first != last; ++first) box = unite(box, first->box);
    if (box.empty()) return {};
    const DamageRect rect = meet(meet(snapOut(box), snapOut(clip)), display);
    return rect.empty() ? DamageRect{} : rect;
}

}  // namespace

/// A command's triangles (appended to `triangles`: fingerprint and bounding box of each) and its
/// summary: the fingerprint of all of them with the clip rectangle and texture, and the rectangle
/// it may touch. Triangles are compared by their vertices, not by index values, so a command equal
/// to the last frame's stays equal when the commands before it grow or shrink.
DrawDamage::Command DrawDamage::commandFacts(const ImDrawList& list, const ImDrawCmd& cmd, const DamageRect& display,
                                             std::vector<Triangle>& triangles) {
    const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
    const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
    Command out;
    out.clip = {cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w};
    std::memcpy(&out.texture, &cmd.TextureId, std::min(sizeof out.texture, sizeof cmd.TextureId));
    out.first = triangles.size();
    std::uint64_t h = mixValue(mixValue(0xcbf29ce484222325ull, out.texture), cmd.ElemCount);
    for (float v : {out.clip.x0, out.clip.y0, out.clip.x1, out.clip.y1}) h = mixValue(h, v);
    DamageRect box;
    for (unsigned i = 0; i + 3 <= cmd.ElemCount; i += 3) {
        const ImDrawVert* corners[3] = {&vtx[idx[i]], &vtx[idx[i + 1]], &vtx[idx[i + 2]]};
        std::uint64_t t = 0x84222325cbf29ce4ull;
        for (const ImDrawVert* v : corners) {
            std::uint64_t words[3] = {0, 0, 0};   // ImDrawVert: pos, uv (4 floats) and a colour: 20 bytes
            static_assert(sizeof(ImDrawVert) <= sizeof words);
            std::memcpy(words, v, sizeof(ImDrawVert));
            t = mix(mix(mix(t, words[0]), words[1]), words[2]);
        }
        const DamageRect tri = boxOf(corners[0]->pos, corners[1]->pos, corners[2]->pos);
        triangles.push_back({t, tri});
        box = unite(box, tri);
        h = mix(h, t);
    }
    out.last = triangles.size();
    out.hash = h;
    if (!box.empty()) out.rect = meet(meet(snapOut(box), snapOut(out.clip)), display);
    if (out.rect.empty()) out.rect = {};
    return out;
}

namespace {

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
    m_nextTriangles.clear();
    for (int n = 0; n < data.CmdListsCount; ++n) {
        const ImDrawList& list = *data.CmdLists[n];
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            // A user callback may draw anything anywhere: everything is damaged.
            full = full || cmd.UserCallback != nullptr;
            m_next.push_back(commandFacts(list, cmd, display, m_nextTriangles));
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
            if (before && after) list_damage = unite(list_damage, changedArea(*before, *after, display));
            else list_damage = unite(list_damage, before ? before->rect : after->rect);
        }
        list_damage = meet(list_damage, display);
        if (!list_damage.empty()) damage.push_back(list_damage);
    }
    std::swap(m_commands, m_next);
    std::swap(m_triangles, m_nextTriangles);
    std::swap(m_listEnds, m_nextEnds);
    m_display = display;
    m_clear = clear_rgba;
    m_valid = true;
    if (full) return display.empty() ? std::vector<DamageRect>{} : std::vector<DamageRect>{display};
    return mergeRects(std::move(damage), kMaxRects);
}

DamageRect DrawDamage::changedArea(const Command& before, const Command& after, const DamageRect& display) const {
    if (before.hash == after.hash && before.rect == after.rect) return {};
    if (!(before.clip == after.clip) || before.texture != after.texture) return unite(before.rect, after.rect);
    // The same clip and texture: the triangles both frames share at the start and at the end are
    // drawn the same, in the same order; only the run between them differs.
    const Triangle* old_first = m_triangles.data() + before.first;
    const Triangle* old_last = m_triangles.data() + before.last;
    const Triangle* new_first = m_nextTriangles.data() + after.first;
    const Triangle* new_last = m_nextTriangles.data() + after.last;
    while (old_first != old_last && new_first != new_last && old_first->hash == new_first->hash) {
        ++old_first;
        ++new_first;
    }
    while (old_first != old_last && new_first != new_last && old_last[-1].hash == new_last[-1].hash) {
        --old_last;
        --new_last;
    }
    return unite(trianglesArea(old_first, old_last, before.clip, display),
                 trianglesArea(new_first, new_last, after.clip, display));
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
