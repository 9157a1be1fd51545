// libFuzzer target for the profile loader: parseProfile on arbitrary bytes must never crash, hang
// or throw, and anything that loads must save and load back equal (saves refuse nothing that
// loaded). Per-endpoint validation agrees with the loader. Built by tests/fuzz/CMakeLists.txt;
// run by `scripts/dev.sh fuzz` (corpus: tests/fuzz/corpus/profile).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/profile/profile.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ProfileLoadResult loaded = parseProfile(text, "fuzz.json");
    check(loaded.profile.has_value() == loaded.error.empty());
    if (!loaded.profile) return 0;

    const std::string saved = profileToText(*loaded.profile);
    const ProfileLoadResult again = parseProfile(saved, "saved.json");
    check(again.profile.has_value());
    check(again.warnings.empty());
    check(*again.profile == *loaded.profile);
    check(profileToText(*again.profile) == saved);   // stable bytes
    check(validateProfile(*loaded.profile, "fuzz.json").empty());
    for (const EndpointConfig& endpoint : loaded.profile->endpoints) check(validateEndpoint(endpoint).empty());
    return 0;
}
