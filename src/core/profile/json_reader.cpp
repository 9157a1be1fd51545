#include "core/profile/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sockscope::jsonio {
namespace {
constexpr std::size_t kMaxShownValueChars = 60;
}  // namespace

std::string joinPath(const std::string& path, std::string_view key) {
    if (path.empty()) return std::string(key);
    std::string out = path;
    out += '.';
    out += key;
    return out;
}

std::string indexPath(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

/// JSON text of a scalar, shortened for messages (a 10 KB string must not flood the error).
std::string shownScalar(const Json& value) {
    std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > kMaxShownValueChars) {
        std::size_t cut = kMaxShownValueChars - 3;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
        text = text.substr(0, cut) + "...";
        if (value.is_string()) text += '"';
    }
    return text;
}

std::string jsonQuote(std::string_view text) { return shownScalar(Json(std::string(text))); }

/// How a JSON value appears after "got": scalars as JSON text (shortened), containers by kind.
std::string describe(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null: return "null";
        case Json::value_t::object: return "an object";
        case Json::value_t::array: return "an array";
        default: return shownScalar(value);
    }
}

/// Integral JSON numbers (including 5.0) as int64; huge magnitudes clamp so range checks report
/// them. nullopt for anything that is not an integral number.
std::optional<std::int64_t> asInteger(const Json& value) {
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        return u > static_cast<std::uint64_t>(kMax) ? kMax : static_cast<std::int64_t>(u);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (!std::isfinite(d) || d != std::floor(d)) return std::nullopt;
        if (d >= 9.2e18) return kMax;
        if (d <= -9.2e18) return kMin;
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace sockscope::jsonio
