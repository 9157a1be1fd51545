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
// device text brought (added at run time).
void uiGlyphRanges(ImFontAtlas& atlas, const std::vector<ImWchar>& extra, ImVector<ImWchar>& out) {
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(atlas.GetGlyphRangesChineseSimplifiedCommon());
    for (int i = 0; i < static_cast<int>(Str::Count); ++i) builder.AddText(tr(static_cast<Str>(i), Language::Chinese));
    builder.AddText("简体中文…—€°±×÷•→←↑↓");
    for (ImWchar c : extra) builder.AddChar(c);
    builder.BuildRanges(&out);
}

}  // namespace

BuiltFonts buildFonts(float pixel_size, const std::vector<ImWchar>& extra_glyphs) {
    BuiltFonts built;
    built.atlas = IM_NEW(ImFontAtlas)();
    ImFontAtlas& atlas = *built.atlas;
    ImVector<ImWchar> ranges;   // read by Build() only: the input data is cleared below
    Fonts& fonts = built.fonts;

    const FontFile ui = findUiFont();
    if (!ui.path.empty()) {
        ImFontConfig config;
        config.FontNo = ui.index;
        config.OversampleH = 1;   // CJK atlases get big; 1x keeps the texture small and builds fast
        config.PixelSnapH = true;
        uiGlyphRanges(atlas, extra_glyphs, ranges);
        fonts.ui = atlas.AddFontFromFileTTF(ui.path.c_str(), pixel_size, &config, ranges.Data);
    }
    if (!fonts.ui) {
        ImFontConfig config;
        config.SizePixels = pixel_size;
        fonts.ui = atlas.AddFontDefault(&config);
    }

    const FontFile mono = findMonoFont();
    if (!mono.path.empty()) {
        ImFontConfig config;
        config.FontNo = mono.index;
        config.OversampleH = 1;
        config.PixelSnapH = true;
        fonts.mono = atlas.AddFontFromFileTTF(mono.path.c_str(), pixel_size, &config, atlas.GetGlyphRangesDefault());
    }
    if (!fonts.mono) fonts.mono = fonts.ui;
    atlas.Build();
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    atlas.GetTexDataAsRGBA32(&pixels, &width, &height);   // what the renderer uploads, made here
    // The font files (tens of MB for a CJK collection) and the ranges are not needed any more.
    atlas.ClearInputData();
    return built;
}

Fonts installFonts(BuiltFonts built) {
    ImGuiIO& io = ImGui::GetIO();
    ImFontAtlas* old = io.Fonts;
    io.Fonts = built.atlas;   // the context owns (and at the end deletes) whichever atlas is current
    IM_DELETE(old);
    return built.fonts;
}

Fonts loadFonts(float pixel_size, const std::vector<ImWchar>& extra_glyphs) {
    return installFonts(buildFonts(pixel_size, extra_glyphs));
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
