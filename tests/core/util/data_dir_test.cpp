#include "core/util/data_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/profile/profile.hpp"
#include "core/util/test_temp_dir.hpp"

namespace sockscope {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::writeFile;

void makeFile(const fs::path& path) {
    fs::create_directories(path.parent_path());
    writeFile(path, "{}\n");
}

TEST(DataDir, InstalledLayoutIsSharePrefixOfTheBinDirectory) {
    TempDir dir;
    const fs::path prefix = dir / "usr";
    makeFile(prefix / "bin" / "sockscope");
    makeFile(prefix / "share" / "sockscope" / "profiles" / "demo.json");
    EXPECT_EQ(findDataDirectory(prefix / "bin" / "sockscope"), prefix / "share" / "sockscope");
}

TEST(DataDir, FlatLayoutIsTheExecutablesDirectory) {   // the Windows zip
    TempDir dir;
    makeFile(dir / "Sockscope" / "sockscope.exe");
    makeFile(dir / "Sockscope" / "profiles" / "demo.json");
    EXPECT_EQ(findDataDirectory(dir / "Sockscope" / "sockscope.exe"), dir / "Sockscope");
}

TEST(DataDir, InstalledLayoutWinsOverProfilesNextToTheBinary) {
    TempDir dir;
    makeFile(dir / "p" / "bin" / "profiles" / "stray.json");
    makeFile(dir / "p" / "share" / "sockscope" / "profiles" / "demo.json");
    EXPECT_EQ(findDataDirectory(dir / "p" / "bin" / "sockscope"), dir / "p" / "share" / "sockscope");
}

TEST(DataDir, NoneWhenNothingIsInstalled) {
    TempDir dir;
    makeFile(dir / "bin" / "sockscope");
    makeFile(dir / "share" / "sockscope" / "profiles");   // a file, not a directory
    EXPECT_EQ(findDataDirectory(dir / "bin" / "sockscope"), std::nullopt);
    EXPECT_EQ(findDataDirectory(fs::path()), std::nullopt);
    EXPECT_EQ(findDataDirectory(dir / "no" / "such" / "sockscope"), std::nullopt);
}

TEST(DataDir, ListsJsonFilesSortedByName) {
    TempDir dir;
    const fs::path profiles = dir / "profiles";
    makeFile(profiles / "udp-echo.json");
    makeFile(profiles / "demo.json");
    makeFile(profiles / "README.txt");
    fs::create_directories(profiles / "folder.json");   // a directory named like a profile
    const auto found = listExampleProfiles(dir.path());
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0], profiles / "demo.json");
    EXPECT_EQ(found[1], profiles / "udp-echo.json");
    EXPECT_TRUE(listExampleProfiles(dir / "missing").empty());
}

TEST(DataDir, ExecutablePathIsThisTestBinary) {
    const fs::path self = executablePath();
    ASSERT_FALSE(self.empty());
    EXPECT_TRUE(self.is_absolute());
    EXPECT_TRUE(fs::is_regular_file(self));
    EXPECT_EQ(self.stem().string().rfind("sockscope_core_tests", 0), 0u) << self;
}

// The build tree mirrors the install: the real binary's data directory is <build>/share/sockscope
// with the source's example profiles in it.
TEST(DataDir, BuildTreeBinaryFindsTheCopiedExamples) {
    const auto data = findDataDirectory(SOCKSCOPE_BINARY);
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(fs::canonical(*data), fs::canonical(fs::path(SOCKSCOPE_BINARY).parent_path().parent_path() / "share" / "sockscope"));
    const auto found = listExampleProfiles(*data);
    EXPECT_TRUE(std::any_of(found.begin(), found.end(), [](const fs::path& p) { return p.filename() == "demo.json"; }));
}

// Every profile the app ships (and the package installs) loads without an error or a warning.
TEST(DataDir, EveryShippedProfileLoadsCleanly) {
    const auto data = findDataDirectory(SOCKSCOPE_BINARY);
    ASSERT_TRUE(data.has_value());
    for (const auto& path : listExampleProfiles(*data)) {
        const ProfileLoadResult result = loadProfile(path);
        EXPECT_TRUE(result.profile.has_value()) << path << ": " << result.error;
        EXPECT_TRUE(result.warnings.empty()) << path << ": " << (result.warnings.empty() ? "" : result.warnings.front());
    }
}

}  // namespace
}  // namespace sockscope
