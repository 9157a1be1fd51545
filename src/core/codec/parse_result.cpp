#include "core/codec/parse_result.hpp"

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

}  // namespace sockscope
