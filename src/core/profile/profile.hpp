#pragma once
// Profiles: a named set of endpoint configurations, stored as versioned JSON (docs/profile-format.md).
//   - snake_case keys, enums as strings, every field optional with the EndpointConfig default;
//   - unknown keys are ignored but reported as warnings (typos stay visible);
//   - errors name the file, the JSON path and what was expected:
//       demo.json: endpoints[2].bind: expected "host:port", got "9000"
//   - saves are atomic (temp file + rename) and refuse documents that would not load back.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/endpoint_config.hpp"

namespace sockscope {

/// The profile format version this build reads and writes.
constexpr int kProfileVersion = 1;
/// Larger files are refused before parsing (a profile is a few KB; this bounds memory).
constexpr std::size_t kMaxProfileFileBytes = 16u << 20;

struct Profile {
    int version = kProfileVersion;
    std::string name;
    std::vector<EndpointConfig> endpoints;
    std::vector<RecordingConfig> recording;   // "recording": recorders started with the profile

    bool operator==(const Profile&) const = default;
};

struct ProfileLoadResult {
    std::optional<Profile> profile;       ///< set when there was no error
    std::string error;                    ///< empty on success; one line per problem otherwise
    std::vector<std::string> warnings;    ///< e.g. unknown keys; may be set on success too
};

/// Parses and validates profile JSON. `source_name` prefixes every message (usually the file name).
ProfileLoadResult parseProfile(std::string_view json_text, std::string_view source_name);
/// The first key that appears twice in one object of a JSON document, as the profile loader
/// refuses it: "path: the key \"k\" appears more than once ..." (nullopt: none, or not JSON).
/// For other JSON read by the app (the headless command channel).
std::optional<std::string> firstDuplicateKey(std::string_view json_text);

/// Reads and parses a file. Messages are prefixed with the path as given. A missing, unreadable,
/// empty or oversized (> kMaxProfileFileBytes) file gives a clear error.
ProfileLoadResult loadProfile(const std::filesystem::path& path);
/// The smallest profile a headless run accepts, as error messages suggest it (one line of JSON).
std::string minimalProfileExample();

/// Every field, in declaration order (so saved files are complete and diff well).
nlohmann::ordered_json profileToJson(const Profile& profile);
/// profileToJson() as text: 2-space indent, trailing newline. What saveProfileAtomic() writes.
std::string profileToText(const Profile& profile);

/// One problem the validator found: where (a JSON path such as "reconnect.jitter") and what was
/// expected ("expected a number from 0 to 1, got -0.5").
struct ConfigIssue {
    std::string path;
    std::string message;

    bool operator==(const ConfigIssue&) const = default;
};

/// Checks one endpoint with exactly the rules the loader applies to it (ranges, addresses, the
/// rules between fields), as a GUI editor needs while the user types. Paths are relative to the
/// endpoint ("options.backlog"). Empty when the endpoint is valid. Name uniqueness is a rule of
/// the profile, not of one endpoint: validateProfile checks it.
std::vector<ConfigIssue> validateEndpoint(const EndpointConfig& config);

/// Returns "" when `profile` would load back without errors; otherwise the load error text.
std::string validateProfile(const Profile& profile, std::string_view source_name);

/// Validates, then writes atomically (util/atomic_file.hpp): the target is either the old file or
/// the complete new one. An invalid profile is refused with std::errc::invalid_argument, one
/// whose text would exceed kMaxProfileFileBytes (loadProfile would refuse it) with
/// std::errc::file_too_large; the old file is kept either way.
std::error_code saveProfileAtomic(const Profile& profile, const std::filesystem::path& path,
                                  std::string* error_message = nullptr);

}  // namespace sockscope
