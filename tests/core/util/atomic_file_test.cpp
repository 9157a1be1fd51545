#include "core/util/atomic_file.hpp"

#include <gtest/gtest.h>

#include "core/util/test_temp_dir.hpp"

#ifdef __linux__
#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#endif

namespace sockscope {
namespace {

using test::readFile;
using test::TempDir;
using test::writeFile;

TEST(AtomicFile, WritesNewFileAndLeavesNoTemp) {
    TempDir dir;
    std::string error;
    EXPECT_FALSE(writeFileAtomic(dir / "a.json", "{\"x\": 1}\n", &error)) << error;
    EXPECT_EQ(readFile(dir / "a.json"), "{\"x\": 1}\n");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.json"});
}

TEST(AtomicFile, ReplacesExistingFile) {
    TempDir dir;
    writeFile(dir / "a.json", "old contents that are longer than the new ones");
    EXPECT_FALSE(writeFileAtomic(dir / "a.json", "new"));
    EXPECT_EQ(readFile(dir / "a.json"), "new");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.json"});
}

#ifdef __linux__
TEST(AtomicFile, KeepsPermissionsOfReplacedFile) {
    TempDir dir;
    writeFile(dir / "secret.json", "old");
    ASSERT_EQ(::chmod((dir / "secret.json").c_str(), 0600), 0);
    EXPECT_FALSE(writeFileAtomic(dir / "secret.json", "new"));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "secret.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}
#endif

TEST(AtomicFile, RefusesEmptyContents) {
    TempDir dir;
    writeFile(dir / "a.json", "keep me");
    std::string error;
    EXPECT_EQ(writeFileAtomic(dir / "a.json", "", &error), std::errc::invalid_argument);
    EXPECT_NE(error.find("empty"), std::string::npos) << error;
    EXPECT_EQ(readFile(dir / "a.json"), "keep me");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.json"});
}

TEST(AtomicFile, FailsWhenParentIsAFile) {
    TempDir dir;
    writeFile(dir / "not-a-dir", "keep me");
    std::string error;
    const auto target = dir.path() / "not-a-dir" / "a.json";
    EXPECT_TRUE(writeFileAtomic(target, "data", &error));
    EXPECT_NE(error.find(target.string()), std::string::npos) << error;
    EXPECT_EQ(readFile(dir / "not-a-dir"), "keep me");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"not-a-dir"});
}

TEST(AtomicFile, FailsWhenParentIsMissing) {
    TempDir dir;
    std::string error;
    EXPECT_EQ(writeFileAtomic(dir.path() / "missing" / "a.json", "data", &error),
              std::errc::no_such_file_or_directory);
    EXPECT_FALSE(error.empty());
    EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, RenameFailureRemovesTemp) {
    // The target is a directory: the temp file is written, the rename fails, the temp must go.
    TempDir dir;
    std::filesystem::create_directory(dir / "target");
    writeFile(dir.path() / "target" / "inside", "keep me");
    std::string error;
    EXPECT_TRUE(writeFileAtomic(dir / "target", "data", &error));
    EXPECT_NE(error.find("cannot replace"), std::string::npos) << error;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"target"});
    EXPECT_EQ(readFile(dir.path() / "target" / "inside"), "keep me");
}

#ifdef __linux__
TEST(AtomicFile, WriteFailureMidwayKeepsOldFile) {
    // A file size limit makes write() fail part way (EFBIG): a real short-write failure.
    TempDir dir;
    const std::string old_contents = "the old, good contents";
    writeFile(dir / "a.json", old_contents);

    struct rlimit saved {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limited = saved;
    limited.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    std::string error;
    const std::error_code ec = writeFileAtomic(dir / "a.json", std::string(100000, 'x'), &error);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, old_handler);

    EXPECT_EQ(ec, std::errc::file_too_large) << error;
    EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
    EXPECT_EQ(readFile(dir / "a.json"), old_contents);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.json"});
}

TEST(AtomicFile, ReadOnlyDirectoryKeepsOldFile) {
    TempDir dir;
    writeFile(dir / "a.json", "old");
    ASSERT_EQ(::chmod(dir.path().c_str(), 0500), 0);
    std::string error;
    const std::error_code ec = writeFileAtomic(dir / "a.json", "new", &error);
    ::chmod(dir.path().c_str(), 0700);
    if (!ec) GTEST_SKIP() << "running with privileges that ignore directory permissions (root)";
    EXPECT_EQ(readFile(dir / "a.json"), "old");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.json"});
}
#endif

}  // namespace
}  // namespace sockscope
