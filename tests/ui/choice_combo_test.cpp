// The editor's combos over enumerated strings list the registry's choice tables (core/registry/
// choices.hpp) through choiceItems: the same rows in the same order, so the editor offers exactly
// what the loader accepts, and every row of a table the GUI translates has its translation.
#include "ui/views/choice_combo.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/framing/framing_config.hpp"

namespace sockscope::ui {
namespace {

TEST(ChoiceCombo, ItemsAreTheTablesRowsInOrder) {
    for (const registry::ChoiceTable& table : registry::choiceTables()) {
        SCOPED_TRACE(std::string(table.key));
        const std::vector<ChoiceItem> items = choiceItems(table.key);
        ASSERT_EQ(items.size(), table.items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            EXPECT_EQ(items[i].choice, &table.items[i]);
            ASSERT_NE(items[i].label, nullptr);
            EXPECT_STRNE(items[i].label, "");
        }
    }
}

// A table with one translated row is translated whole (a new row cannot slip in in English).
TEST(ChoiceCombo, TranslatedTablesAreTranslatedWhole) {
    std::size_t translated_tables = 0;
    for (const registry::ChoiceTable& table : registry::choiceTables()) {
        bool any = false;
        for (const registry::Choice& c : table.items) any |= hasTranslatedLabel(table.key, c.name);
        if (!any) continue;
        ++translated_tables;
        for (const registry::Choice& c : table.items) {
            if (table.key == "line_ending" && c.name != "none") continue;   // CR, LF, CRLF read the same everywhere
            EXPECT_TRUE(hasTranslatedLabel(table.key, c.name)) << table.key << "." << c.name;
        }
    }
    EXPECT_GE(translated_tables, 6u);
}

TEST(ChoiceCombo, AFilterLeavesOutWhatTheSituationRefuses) {
    const auto udp = [](int type) { return static_cast<FramingType>(type) != FramingType::Idle; };
    const std::vector<ChoiceItem> items = choiceItems("framing.type", udp);
    ASSERT_EQ(items.size(), registry::choices("framing.type").items.size() - 1);
    for (const ChoiceItem& item : items) EXPECT_NE(item.choice->name, "idle");
}

}  // namespace
}  // namespace sockscope::ui
