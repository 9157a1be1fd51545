#include "ui/i18n.hpp"

#include <atomic>
#include <cerrno>
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

namespace {
const char* fileReasonZh(std::error_code ec) {
    if (ec == std::errc::no_space_on_device) return "磁盘空间已满";
#ifdef EDQUOT
    if (ec == std::error_condition(EDQUOT, std::generic_category())) return "超出磁盘配额";   // any category
#endif
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted) return "没有写入权限";
    if (ec == std::errc::read_only_file_system) return "文件系统是只读的";
    if (ec == std::errc::no_such_file_or_directory) return "所在的文件夹不存在";
    if (ec == std::errc::not_a_directory) return "路径中有一项不是文件夹";
    if (ec == std::errc::is_a_directory) return "这是一个文件夹";
    if (ec == std::errc::filename_too_long) return "文件名过长";
    if (ec == std::errc::too_many_symbolic_link_levels) return "符号链接层数过多";
    if (ec == std::errc::io_error) return "输入/输出错误（磁盘或网络文件系统出错）";
    if (ec == std::errc::file_too_large) return "文件过大";
    if (ec == std::errc::invalid_argument) return "配置无效";
    return nullptr;
}
}  // namespace

std::string fileWriteErrorText(std::error_code ec, const std::string& path, const std::string& english) {
    if (currentLanguage() != Language::Chinese || !ec) return english;
    std::string text = "无法写入 " + path + "：";
    if (const char* reason = fileReasonZh(ec)) {
        text += reason;
        // Our own refusals (too large, invalid) carry details worth keeping.
        if (ec == std::errc::file_too_large || ec == std::errc::invalid_argument) text += "（" + english + "）";
    } else {
        text += "系统错误 " + std::to_string(ec.value()) + "（" + ec.message() + "）";
    }
    return text;
}

const char* languageCode(Language language) { return language == Language::Chinese ? "zh" : "en"; }

Language languageFromCode(const char* code) { return languageFromLocale(code); }

const std::string& errorText(const ErrorInfo& error) {
    return currentLanguage() == Language::Chinese && !error.message_zh.empty() ? error.message_zh : error.message;
}

}  // namespace sockscope::ui
