#pragma once
// The enumerated strings of the stages' nested structure (a checksum's "type", a framing's
// "endian", a match's "mode", ...), each listed once: its JSON name, an English label, one
// sentence of help and the C++ enum value. The profile readers name the allowed values from these
// tables ("expected one of ...", "expected \"big\" or \"little\"") and the editor's combos list
// their items from them (ui/views/choice_combo.hpp), so a new value is one row here and both follow.
// The readers still parse through the codec's own tolerant parsers (aliases such as "CRC-16/MODBUS",
// "le", "latin1"); tests/core/registry/choices_test.cpp checks each row round-trips through both.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sockscope::registry {

struct Choice {
    std::string_view name;      // as written in the profile: "crc16-modbus"
    std::string_view display;   // English label: "CRC-16/MODBUS" (the GUI may show its translation)
    const char* help = "";
    int value = 0;              // the enum's value, static_cast<int>
    bool unlisted = false;      // accepted, but a message does not offer it (a rule's "none", the default)
};

struct ChoiceTable {
    std::string_view key;       // where the value lives: "checksum.type", "framing.endian"
    std::span<const Choice> items;
};

/// Every table, for tests and docs.
std::span<const ChoiceTable> choiceTables();
/// The table at `key`; throws std::logic_error for a key there is none of (a programming error).
const ChoiceTable& choices(std::string_view key);
/// The row of `value` (an enum), or nullptr.
const Choice* findChoice(const ChoiceTable& table, int value);

/// "little, big, conventional": the listed names, for "unknown X 'y'; expected one of ...".
std::string choiceList(const ChoiceTable& table);
/// "a, b or c": alternatives joined for an error message or a hint.
std::string joinAlternatives(const std::vector<std::string>& items);
/// "\"big\" or \"little\""; `with_display`: "\"fin\" (graceful) or \"rst\" (reset)".
std::string quotedChoices(const ChoiceTable& table, bool with_display = false);

/// The enum values of a table in its order (what a combo lists).
template <typename E>
std::vector<E> choiceValues(std::string_view key) {
    std::vector<E> out;
    for (const Choice& c : choices(key).items) out.push_back(static_cast<E>(c.value));
    return out;
}

}  // namespace sockscope::registry
