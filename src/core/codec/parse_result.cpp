#include "core/codec/parse_result.hpp"

#include <algorithm>
#include <utility>

namespace sockscope {

ParseResult parseFailure(std::size_t position, std::string reason) {
    ParseResult result;
    result.error = ParseError{position, std::move(reason)};
    return result;
}

std::string describe(const ParseError& error) {
    return "at byte " + std::to_string(error.position) + ": " + error.reason;
}

std::string describe(const ParseError& error, std::string_view input) {
    const std::size_t end = std::min(error.position, input.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < end; ++i) {
        const auto c = static_cast<unsigned char>(input[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {   // count characters: skip UTF-8 continuation bytes
            ++column;
        }
    }
    std::string where = "at ";
    if (line > 1 || input.find('\n') != std::string_view::npos) where += "line " + std::to_string(line) + ", ";
    return where + "character " + std::to_string(column) + ": " + error.reason;
}

}  // namespace sockscope
