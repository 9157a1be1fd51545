#include "app/gui_icon.hpp"

#include <algorithm>
#include <cmath>

namespace sockscope {
namespace {

struct Rgba {
    float r, g, b, a;
};

// Signed distance to a rounded rectangle (negative inside), in icon units (0..256).
float roundedRect(float x, float y, float x0, float y0, float x1, float y1, float radius) {
    const float cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    const float hx = (x1 - x0) / 2 - radius, hy = (y1 - y0) / 2 - radius;
    const float dx = std::max(std::fabs(x - cx) - hx, 0.0f), dy = std::max(std::fabs(y - cy) - hy, 0.0f);
    const float outside = std::sqrt(dx * dx + dy * dy);
    const float inside = std::min(std::max(std::fabs(x - cx) - hx, std::fabs(y - cy) - hy), 0.0f);
    return outside + inside - radius;
}

float segment(float x, float y, float ax, float ay, float bx, float by) {
    const float px = x - ax, py = y - ay, ux = bx - ax, uy = by - ay;
    const float t = std::clamp((px * ux + py * uy) / (ux * ux + uy * uy), 0.0f, 1.0f);
    const float dx = px - ux * t, dy = py - uy * t;
    return std::sqrt(dx * dx + dy * dy);
}

void over(Rgba& dst, Rgba src, float coverage) {
    const float a = std::clamp(coverage, 0.0f, 1.0f) * src.a;
    dst.r = src.r * a + dst.r * (1 - a);
    dst.g = src.g * a + dst.g * (1 - a);
    dst.b = src.b * a + dst.b * (1 - a);
    dst.a = a + dst.a * (1 - a);
}

Rgba hex(unsigned v) {
    return {((v >> 16) & 255) / 255.0f, ((v >> 8) & 255) / 255.0f, (v & 255) / 255.0f, 1.0f};
}

}  // namespace

std::vector<std::uint8_t> makeAppIcon(int size) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(size) * static_cast<std::size_t>(size) * 4);
    const float scale = 256.0f / static_cast<float>(size);
    const float aa = scale;   // one pixel of anti-aliasing, in icon units
    const float pulse[][2] = {{40, 150}, {84, 150}, {100, 90}, {116, 170}, {132, 70}, {148, 150}, {216, 150}};
    for (int py = 0; py < size; ++py) {
        for (int px = 0; px < size; ++px) {
            const float x = (static_cast<float>(px) + 0.5f) * scale, y = (static_cast<float>(py) + 0.5f) * scale;
            Rgba c{0, 0, 0, 0};
            over(c, hex(0x181a1e), 0.5f - roundedRect(x, y, 8, 8, 248, 248, 44) / aa);
            const float screen = roundedRect(x, y, 28, 28, 228, 228, 28);
            over(c, hex(0x38404c), 0.5f - screen / aa);
            over(c, hex(0x22262d), 0.5f - (screen + 4) / aa);
            if (screen < -4) {
                for (float g : {78.0f, 128.0f, 178.0f}) {
                    over(c, hex(0x2e3440), 0.5f - (std::fabs(x - g) - 1) / aa);
                    over(c, hex(0x2e3440), 0.5f - (std::fabs(y - g) - 1) / aa);
                }
            }
            float line = 1e9f;
            for (std::size_t i = 0; i + 1 < sizeof pulse / sizeof pulse[0]; ++i)
                line = std::min(line, segment(x, y, pulse[i][0], pulse[i][1], pulse[i + 1][0], pulse[i + 1][1]));
            over(c, hex(0x60d080), 0.5f - (line - 6) / aa);
            over(c, hex(0x6ebeff), 0.5f - (std::hypot(x - 40, y - 150) - 14) / aa);
            over(c, hex(0xffc45c), 0.5f - (std::hypot(x - 216, y - 150) - 14) / aa);
            std::uint8_t* out = &pixels[(static_cast<std::size_t>(py) * static_cast<std::size_t>(size) +
                                         static_cast<std::size_t>(px)) * 4];
            // Stored premultiplied by construction; un-premultiply for straight-alpha RGBA.
            const float a = std::max(c.a, 1e-6f);
            out[0] = static_cast<std::uint8_t>(std::lround(std::clamp(c.r / a, 0.0f, 1.0f) * 255));
            out[1] = static_cast<std::uint8_t>(std::lround(std::clamp(c.g / a, 0.0f, 1.0f) * 255));
            out[2] = static_cast<std::uint8_t>(std::lround(std::clamp(c.b / a, 0.0f, 1.0f) * 255));
            out[3] = static_cast<std::uint8_t>(std::lround(std::clamp(c.a, 0.0f, 1.0f) * 255));
        }
    }
    return pixels;
}

}  // namespace sockscope
