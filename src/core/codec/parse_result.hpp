#pragma once
// The result type every codec parser returns: the bytes, or the first problem found, with the
// byte offset in the input text where it starts, in plain words a user can act on.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace sockscope {

struct ParseError {
    std::size_t position = 0;   // byte offset in the input text where the problem starts
    std::string reason;         // plain words, e.g. "'G' is not a hex digit"
    bool operator==(const ParseError&) const = default;
};

struct ParseResult {
    Bytes bytes;                        // the parsed bytes; empty when error is set
    std::optional<ParseError> error;    // the first problem found, if any
    bool ok() const { return !error.has_value(); }
};

/// A failed result.
ParseResult parseFailure(std::size_t position, std::string reason);

/// One line for a status bar or log: "at byte 4: 'G' is not a hex digit".
std::string describe(const ParseError& error);
/// The same, with the place as a user counts it in the text they typed (characters, not UTF-8
/// bytes, 1-based; with the line when the text has several): "at character 5: 'G' is not a hex
/// digit", "at line 2, character 3: ...".
std::string describe(const ParseError& error, std::string_view input);

}  // namespace sockscope
