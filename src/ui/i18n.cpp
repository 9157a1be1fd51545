#include "ui/i18n.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace sockscope::ui {
namespace {

struct Entry {
    const char* en;
    const char* zh;
};

constexpr Entry kTable[] = {
#define SOCKSCOPE_UI_STR_ENTRY(id, en, zh) {en, zh},
    SOCKSCOPE_UI_STRINGS(SOCKSCOPE_UI_STR_ENTRY)
#undef SOCKSCOPE_UI_STR_ENTRY
};
static_assert(sizeof(kTable) / sizeof(kTable[0]) == static_cast<std::size_t>(Str::Count));

// The process-wide UI language (the UI thread sets it; tests read it).
std::atomic<Language> g_language{Language::English};

}  // namespace

const char* tr(Str id, Language language) {
    const auto index = static_cast<std::size_t>(id);
    if (index >= static_cast<std::size_t>(Str::Count)) return "?";
    return language == Language::Chinese ? kTable[index].zh : kTable[index].en;
}

const char* tr(Str id) { return tr(id, g_language.load(std::memory_order_relaxed)); }

Language currentLanguage() { return g_language.load(std::memory_order_relaxed); }
void setLanguage(Language language) { g_language.store(language, std::memory_order_relaxed); }

Language languageFromLocale(const char* locale) {
    if (locale && std::strncmp(locale, "zh", 2) == 0) return Language::Chinese;
    return Language::English;
}

Language languageFromEnvironment() {
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* value = std::getenv(name);
        if (value && *value) return languageFromLocale(value);
    }
    return Language::English;
}

const char* languageCode(Language language) { return language == Language::Chinese ? "zh" : "en"; }

Language languageFromCode(const char* code) { return languageFromLocale(code); }

const std::string& errorText(const ErrorInfo& error) {
    return currentLanguage() == Language::Chinese && !error.message_zh.empty() ? error.message_zh : error.message;
}

}  // namespace sockscope::ui
