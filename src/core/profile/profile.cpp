// Profile files: reading with clear errors for the file itself (missing, unreadable, empty, too
// large), and validated atomic saves. The JSON mapping is in profile_json.cpp.
#include "core/profile/profile.hpp"

#include <cerrno>
#include <fstream>

#include "core/util/atomic_file.hpp"

namespace sockscope {
namespace {

ProfileLoadResult failure(std::string message) {
    ProfileLoadResult result;
    result.error = std::move(message);
    return result;
}

bool isBlank(std::string_view text) {
    // A UTF-8 byte order mark alone also counts as empty.
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

ProfileLoadResult loadProfile(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    const std::string source = path.string();

    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (status.type() == fs::file_type::not_found)
        return failure(source + ": cannot open: the file does not exist");
    if (ec) return failure(source + ": cannot open: " + ec.message());
    if (fs::is_directory(status)) return failure(source + ": cannot open: it is a directory, not a profile file");
    if (!fs::is_regular_file(status)) return failure(source + ": cannot open: not a regular file");

    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int err = errno;
        return failure(source + ": cannot open: " +
                       (err != 0 ? std::generic_category().message(err) : std::string("unknown error")));
    }
    // Read at most one byte past the limit, so a file that grows after the check stays bounded.
    std::string text;
    char buffer[64 * 1024];
    while (in && text.size() <= kMaxProfileFileBytes) {
        in.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) return failure(source + ": cannot read: I/O error");
    if (text.size() > kMaxProfileFileBytes)
        return failure(source + ": the file is too large for a profile (the limit is " +
                       std::to_string(kMaxProfileFileBytes >> 20) + " MiB)");
    if (isBlank(text))
        return failure(source + ": the file is empty; expected a JSON profile such as " + minimalProfileExample());
    return parseProfile(text, source);
}

std::string minimalProfileExample() {
    return "{\"version\": " + std::to_string(kProfileVersion) +
           ", \"endpoints\": [{\"name\": \"server\", \"type\": \"tcp-server\", \"bind\": \"127.0.0.1:9000\"}]}";
}

std::error_code saveProfileAtomic(const Profile& profile, const std::filesystem::path& path,
                                  std::string* error_message) {
    // Only a document that loads back is written: never an invalid or empty profile over a good one.
    const std::string text = profileToText(profile);
    if (text.size() > kMaxProfileFileBytes) {
        // The loader refuses larger files: writing one would lose the whole profile at the next open.
        if (error_message != nullptr)
            *error_message = "refusing to save " + path.string() + ": it would be " + std::to_string(text.size()) +
                             " bytes, over the " + std::to_string(kMaxProfileFileBytes >> 20) +
                             " MiB limit a profile can be loaded with (a saved command, timer or on-connect "
                             "payload is too large); the last saved file is kept";
        return std::make_error_code(std::errc::file_too_large);
    }
    const ProfileLoadResult check = parseProfile(text, path.filename().string());
    if (!check.profile) {
        if (error_message != nullptr)
            *error_message = "refusing to save " + path.string() + ", the profile is invalid:\n" + check.error;
        return std::make_error_code(std::errc::invalid_argument);
    }
    return writeFileAtomic(path, text, error_message);
}

}  // namespace sockscope
