#include "ui/format.hpp"

#include "core/codec/utf8.hpp"

#include <cstdio>
#include <ctime>

namespace sockscope::ui {

std::string formatBytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024.0 && unit < 4) {
        bytes /= 1024.0;
        ++unit;
    }
    char buffer[32];
    if (unit == 0) std::snprintf(buffer, sizeof buffer, "%.0f %s", bytes, units[unit]);
    else std::snprintf(buffer, sizeof buffer, "%.1f %s", bytes, units[unit]);
    return buffer;
}

std::string formatCount(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    const int len = static_cast<int>(digits.size());
    for (int i = 0; i < len; ++i) {
        out += digits[static_cast<std::size_t>(i)];
        const int left = len - i - 1;
        if (left > 0 && left % 3 == 0) out += ',';
    }
    return out;
}

std::string formatDuration(std::int64_t us) {
    if (us < 0) us = 0;
    char buffer[32];
    const std::int64_t ms = us / 1000;
    const std::int64_t s = ms / 1000;
    if (ms < 1000) std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(ms));
    else if (s < 60) std::snprintf(buffer, sizeof buffer, "%lld s", static_cast<long long>(s));
    else if (s < 3600)
        std::snprintf(buffer, sizeof buffer, "%lldm %02llds", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    else
        std::snprintf(buffer, sizeof buffer, "%lldh %02lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>((s / 60) % 60));
    return buffer;
}

std::string formatClock(TimestampUs us) {
    const std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
    std::tm tm{};
#if defined(_WIN32)
    localtime_s(&tm, &seconds);
#else
    localtime_r(&seconds, &tm);
#endif
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>((us / 1000) % 1000));
    return buffer;
}

std::string formatSeconds(std::int64_t us) {
    char buffer[32];
    const char sign = us < 0 ? '-' : '+';
    if (us < 0) us = -us;
    std::snprintf(buffer, sizeof buffer, "%c%lld.%06lld", sign, static_cast<long long>(us / 1'000'000),
                  static_cast<long long>(us % 1'000'000));
    return buffer;
}

void showBeyondBmpAsCodePoints(std::string& utf8) {
    std::size_t i = 0;
    // Only a 4-byte sequence (lead byte 0xF0..0xF4) is beyond the BMP: most text is left alone.
    while (i < utf8.size() && static_cast<unsigned char>(utf8[i]) < 0xF0) ++i;
    if (i == utf8.size()) return;
    std::string out(utf8, 0, i);
    while (i < utf8.size()) {
        const auto decoded = static_cast<unsigned char>(utf8[i]) >= 0xF0
                                 ? utf8::decode(std::string_view(utf8).substr(i)) : std::nullopt;
        if (decoded && decoded->code_point >= 0x10000) {
            char code[16];
            std::snprintf(code, sizeof code, "\\u{%X}", static_cast<unsigned>(decoded->code_point));
            out += code;
            i += decoded->length;
        } else {
            out += utf8[i++];
        }
    }
    utf8 = std::move(out);
}

}  // namespace sockscope::ui
