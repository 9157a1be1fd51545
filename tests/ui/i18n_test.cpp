// Texts built from a system error: in the user's language, with the facts a user can act on.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/profile/profile.hpp"
#include "ui/i18n.hpp"

namespace sockscope::ui {
namespace {

struct LanguageGuard {
    Language saved = currentLanguage();
    ~LanguageGuard() { setLanguage(saved); }
};

TEST(FileWriteErrorText, AFileSystemReasonIsInTheUsersLanguage) {
    LanguageGuard guard;
    // A real failed save: the folder it goes to does not exist.
    const std::filesystem::path path = std::filesystem::temp_directory_path() / "sockscope-no-such-dir-x9" / "p.json";
    std::string english;
    Profile profile;
    profile.name = "p";
    const std::error_code ec = saveProfileAtomic(profile, path, &english);
    ASSERT_TRUE(ec);
    ASSERT_FALSE(english.empty());

    setLanguage(Language::English);
    EXPECT_EQ(fileWriteErrorText(ec, path.string(), english), english) << "English keeps the writer's words";

    setLanguage(Language::Chinese);
    const std::string zh = fileWriteErrorText(ec, path.string(), english);
    EXPECT_NE(zh.find(path.string()), std::string::npos) << zh;
    EXPECT_NE(zh.find("文件夹不存在"), std::string::npos) << zh;
    EXPECT_EQ(zh.find("No such file"), std::string::npos) << "the reason is not left in English: " << zh;

    EXPECT_NE(fileWriteErrorText(std::make_error_code(std::errc::no_space_on_device), "/x", "e").find("磁盘空间已满"),
              std::string::npos);
    EXPECT_NE(fileWriteErrorText(std::make_error_code(std::errc::permission_denied), "/x", "e").find("没有写入权限"),
              std::string::npos);
    EXPECT_NE(fileWriteErrorText(std::make_error_code(std::errc::read_only_file_system), "/x", "e").find("只读"),
              std::string::npos);
    // An unusual reason still names the path and keeps the system's words (not lost).
    const std::string other = fileWriteErrorText(std::make_error_code(std::errc::text_file_busy), "/x", "e");
    EXPECT_NE(other.find("/x"), std::string::npos) << other;
    EXPECT_NE(other.find(std::make_error_code(std::errc::text_file_busy).message()), std::string::npos) << other;
    // Our own refusal keeps its details.
    const std::string big = fileWriteErrorText(std::make_error_code(std::errc::file_too_large), "/x", "it would be 9 MiB");
    EXPECT_NE(big.find("文件过大"), std::string::npos) << big;
    EXPECT_NE(big.find("9 MiB"), std::string::npos) << big;
}

}  // namespace
}  // namespace sockscope::ui
