#include "ui/fonts.hpp"

#include "ui/i18n.hpp"

#include <imgui.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace sockscope::ui {
namespace {

struct FontFile {
    std::string path;
    int index = 0;
};

bool exists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

FontFile findUiFont() {
#if defined(_WIN32)
    const char* windir = std::getenv("WINDIR");
    const std::string fonts = std::string(windir ? windir : "C:\\Windows") + "\\Fonts\\";
    for (const char* name : {"msyh.ttc", "msyh.ttf", "simhei.ttf", "segoeui.ttf"})
        if (exists(fonts + name)) return {fonts + name, 0};
#elif defined(__APPLE__)
    for (const char* path : {"/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Light.ttc",
                             "/System/Library/Fonts/Helvetica.ttc"})
        if (exists(path)) return {path, 0};
#else
    // FontNo 2 of the Noto CJK collection is the Simplified Chinese face (with Latin).
    for (const char* path : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                             "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
                             "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"})
        if (exists(path)) return {path, 2};
#endif
    return {};
}

FontFile findMonoFont() {
#if defined(_WIN32)
    const char* windir = std::getenv("WINDIR");
    const std::string fonts = std::string(windir ? windir : "C:\\Windows") + "\\Fonts\\";
    if (exists(fonts + "consola.ttf")) return {fonts + "consola.ttf", 0};
#elif defined(__APPLE__)
    if (exists("/System/Library/Fonts/Menlo.ttc")) return {"/System/Library/Fonts/Menlo.ttc", 0};
#else
    // FontNo 7 is Noto Sans Mono CJK SC.
    for (const char* path : {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                             "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"})
        if (exists(path)) return {path, 7};
    for (const char* path : {"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"})
        if (exists(path)) return {path, 0};
#endif
    return {};
}

// The UI face's glyph ranges: the common Simplified Chinese set plus every character of our own
// Chinese strings (some, like 辑 and 帧, are outside the common set), plus the extra characters
// device text brought (added at run time). The atlas keeps a pointer to this array until it is
// rebuilt, so it lives as long as the process (a resource, not widget state).
ImVector<ImWchar> g_uiRanges;

const ImWchar* uiGlyphRanges(const std::vector<ImWchar>& extra) {
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesChineseSimplifiedCommon());
    for (int i = 0; i < static_cast<int>(Str::Count); ++i) builder.AddText(tr(static_cast<Str>(i), Language::Chinese));
    builder.AddText("简体中文…—€°±×÷•→←↑↓");
    for (ImWchar c : extra) builder.AddChar(c);
    g_uiRanges.clear();
    builder.BuildRanges(&g_uiRanges);
    return g_uiRanges.Data;
}

}  // namespace

Fonts loadFonts(float pixel_size, const std::vector<ImWchar>& extra_glyphs) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    Fonts fonts;

    const FontFile ui = findUiFont();
    if (!ui.path.empty()) {
        ImFontConfig config;
        config.FontNo = ui.index;
        config.OversampleH = 1;   // CJK atlases get big; 1x keeps the texture small and builds fast
        config.PixelSnapH = true;
        fonts.ui = io.Fonts->AddFontFromFileTTF(ui.path.c_str(), pixel_size, &config, uiGlyphRanges(extra_glyphs));
    }
    if (!fonts.ui) {
        ImFontConfig config;
        config.SizePixels = pixel_size;
        fonts.ui = io.Fonts->AddFontDefault(&config);
    }

    const FontFile mono = findMonoFont();
    if (!mono.path.empty()) {
        ImFontConfig config;
        config.FontNo = mono.index;
        config.OversampleH = 1;
        config.PixelSnapH = true;
        fonts.mono = io.Fonts->AddFontFromFileTTF(mono.path.c_str(), pixel_size, &config,
                                                  io.Fonts->GetGlyphRangesDefault());
    }
    if (!fonts.mono) fonts.mono = fonts.ui;
    io.Fonts->Build();
    return fonts;
}

std::vector<ImWchar> missingGlyphs(const Fonts& fonts, const std::vector<std::uint16_t>& codepoints) {
    std::vector<ImWchar> missing;
    if (!fonts.ui) return missing;
    for (std::uint16_t c : codepoints)
        if (c >= 0x80 && !fonts.ui->FindGlyphNoFallback(static_cast<ImWchar>(c))) missing.push_back(static_cast<ImWchar>(c));
    return missing;
}

bool FontGlyphs::add(const Fonts& fonts, const std::vector<std::uint16_t>& codepoints) {
    bool added = false;
    for (ImWchar c : missingGlyphs(fonts, codepoints)) {
        if (m_extra.size() >= kMaxExtraGlyphs) break;
        // A character the font file itself lacks stays missing after a rebuild: ask once only.
        if (m_tried.insert(c).second) {
            m_extra.push_back(c);
            added = true;
        }
    }
    return added;
}

}  // namespace sockscope::ui
