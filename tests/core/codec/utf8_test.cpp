#include "core/codec/utf8.hpp"

#include <gtest/gtest.h>

namespace sockscope {
namespace {

TEST(Utf8, APrefixCountsCharactersAndNeverCutsOne) {
    EXPECT_EQ(utf8::prefix("AT+GMR\r\n", 4), "AT+G");
    EXPECT_EQ(utf8::prefix("\xe6\xb8\xa9\xe5\xba\xa6\xe8\xaf\xbb", 2), "\xe6\xb8\xa9\xe5\xba\xa6");   // 温度 of 温度读
    EXPECT_EQ(utf8::prefix("\xe6\xb8\xa9", 16), "\xe6\xb8\xa9");
    EXPECT_EQ(utf8::prefix("a\xff" "b", 2), "a\xff") << "an invalid byte is one character";
    EXPECT_EQ(utf8::prefix("", 3), "");
    EXPECT_EQ(utf8::prefix("abc", 0), "");
}

}  // namespace
}  // namespace sockscope
