#include "ui/render_threads.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

namespace sockscope::ui {
namespace {

TEST(RasteriserThreads, RasterisesOnTheDrawingThreadWithTwoCpusOrFewer) {
    EXPECT_EQ(rasteriserThreadsSetting(nullptr, 1), "0");
    EXPECT_EQ(rasteriserThreadsSetting(nullptr, 2), "0");
}

TEST(RasteriserThreads, LeavesMachinesWithMoreCpusAlone) {
    EXPECT_EQ(rasteriserThreadsSetting(nullptr, 3), std::nullopt);
    EXPECT_EQ(rasteriserThreadsSetting(nullptr, 16), std::nullopt);
    EXPECT_EQ(rasteriserThreadsSetting(nullptr, 0), std::nullopt);   // unknown
}

TEST(RasteriserThreads, NeverOverridesTheUsersSetting) {
    EXPECT_EQ(rasteriserThreadsSetting("2", 2), std::nullopt);
    EXPECT_EQ(rasteriserThreadsSetting("", 1), std::nullopt);
}

#if defined(__linux__)
TEST(RasteriserThreads, ApplyKeepsTheUsersValueAndClearRemovesOurs) {
    setenv("LP_NUM_THREADS", "3", 1);
    EXPECT_FALSE(applyRasteriserThreadsSetting());
    EXPECT_STREQ(std::getenv("LP_NUM_THREADS"), "3");
    unsetenv("LP_NUM_THREADS");
    const bool set = applyRasteriserThreadsSetting();
    EXPECT_EQ(set, std::thread::hardware_concurrency() <= kFewCpus && std::thread::hardware_concurrency() > 0);
    if (set) {
        EXPECT_STREQ(std::getenv("LP_NUM_THREADS"), "0");
    }
    clearRasteriserThreadsSetting();
    EXPECT_EQ(std::getenv("LP_NUM_THREADS"), nullptr);
}
#endif

}  // namespace
}  // namespace sockscope::ui
