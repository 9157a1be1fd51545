#include "core/util/atomic_file.hpp"

#include <gtest/gtest.h>

#include "core/util/test_temp_dir.hpp"

#ifdef __linux__
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
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
    // The target is a directory: refused (POSIX: before a temp file is written; Windows: the
    // rename fails and the temp file must go).
    TempDir dir;
    std::filesystem::create_directory(dir / "target");
    writeFile(dir.path() / "target" / "inside", "keep me");
    std::string error;
    EXPECT_TRUE(writeFileAtomic(dir / "target", "data", &error));
    EXPECT_NE(error.find((dir / "target").string()), std::string::npos) << error;
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
// A save through a symbolic link (a dotfiles-style linked profile) updates the file it points to
// and keeps the link; a link to a link too; a dangling link creates its target.
TEST(AtomicFile, WritesThroughSymbolicLinksAndKeepsThem) {
    TempDir dir;
    namespace fs = std::filesystem;
    fs::create_directory(dir / "real");
    writeFile(dir / "real" / "a.json", "old");
    fs::create_symlink("real/a.json", dir / "link.json");
    fs::create_symlink(dir / "link.json", dir / "link2.json");
    std::string error;
    ASSERT_FALSE(writeFileAtomic(dir / "link2.json", "new", &error)) << error;
    EXPECT_TRUE(fs::is_symlink(dir / "link.json"));
    EXPECT_TRUE(fs::is_symlink(dir / "link2.json"));
    EXPECT_EQ(readFile(dir / "real" / "a.json"), "new");
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"link.json", "link2.json", "real"})) << "no temp file left";
    fs::create_symlink("real/b.json", dir / "dangling.json");
    ASSERT_FALSE(writeFileAtomic(dir / "dangling.json", "b", &error)) << error;
    EXPECT_TRUE(fs::is_symlink(dir / "dangling.json"));
    EXPECT_EQ(readFile(dir / "real" / "b.json"), "b");
}

// A FIFO is written to, never replaced by a regular file; one nobody reads is an error at once.
TEST(AtomicFile, AFifoIsWrittenToAndStaysAFifo) {
    TempDir dir;
    const auto fifo = dir / "report.xml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string error;
    const auto started = std::chrono::steady_clock::now();
    const std::error_code nobody = writeFileAtomic(fifo, "lost?", &error);
    EXPECT_EQ(nobody, std::errc::no_such_device_or_address);
    EXPECT_NE(error.find("no process has this FIFO open for reading"), std::string::npos) << error;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2)) << "not waiting for a reader";
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ASSERT_GE(reader, 0);
    const std::string contents(200'000, 'r');   // more than the pipe holds: the writer waits for room
    auto read_all = std::async(std::launch::async, [reader, size = contents.size()] {
        std::string got;
        char buffer[65536];
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (got.size() < size && std::chrono::steady_clock::now() < deadline) {
            const ssize_t n = ::read(reader, buffer, sizeof buffer);
            if (n > 0) got.append(buffer, static_cast<std::size_t>(n));
            else ::usleep(1000);
        }
        return got;
    });
    EXPECT_FALSE(writeFileAtomic(fifo, contents, &error)) << error;
    EXPECT_EQ(read_all.get(), contents);
    ::close(reader);
    struct stat st {};
    ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "still a FIFO";
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"report.xml"});
}

// A link to a device (as /dev/stdout is one) writes to the device: /dev/null takes it, /dev/full
// says the disk is full; the link stays a link.
TEST(AtomicFile, ALinkToADeviceWritesToTheDevice) {
    TempDir dir;
    namespace fs = std::filesystem;
    if (!fs::is_character_file("/dev/null") || !fs::is_character_file("/dev/full")) GTEST_SKIP() << "no /dev/null or /dev/full";
    fs::create_symlink("/dev/null", dir / "null");
    fs::create_symlink("/dev/full", dir / "full");
    std::string error;
    EXPECT_FALSE(writeFileAtomic(dir / "null", "gone", &error)) << error;
    EXPECT_EQ(writeFileAtomic(dir / "full", "no room", &error), std::errc::no_space_on_device);
    EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
    EXPECT_TRUE(fs::is_symlink(dir / "null"));
    EXPECT_TRUE(fs::is_symlink(dir / "full"));
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"full", "null"}));
}
#endif

}  // namespace
}  // namespace sockscope
