#pragma once

// Whether this test binary runs under ASan or TSan (g++ defines __SANITIZE_*, clang answers
// __has_feature). Sanitizer builds run 3-40x slower and replace the allocator: time budgets
// loosen there and memory figures read from the OS mean little.
namespace sockscope::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif
#else
inline constexpr bool kUnderSanitizer = false;
#endif

}  // namespace sockscope::test
