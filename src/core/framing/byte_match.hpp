#pragma once
// Where one byte value occurs in a block of bytes, as a bit mask: the delimiter framer's scan.
// A 4 KiB piece of a read becomes 64 words of bits in one vectorised pass (AVX2 when the CPU has
// it, chosen once at run time; SSE2 on any x86-64 and on Windows; memchr elsewhere), and the framer
// then walks the set bits: per line it pays a count-trailing-zeros, not a search and its set-up.
#include <cstddef>
#include <cstdint>

namespace sockscope {

/// Bytes per call of matchBytes at most: 64 words of bits.
inline constexpr std::size_t kMatchBlockBytes = 4096;

/// Bit i % 64 of out[i / 64] is set when data[i] == byte, for i < n (n <= kMatchBlockBytes);
/// the bits of the last word past n are clear. out holds (n + 63) / 64 words.
using MatchBytesFn = void (*)(const std::uint8_t* data, std::size_t n, std::uint8_t byte, std::uint64_t* out);

/// The implementation in use: the fastest this CPU runs, unless useMatchLevel chose another.
void matchBytes(const std::uint8_t* data, std::size_t n, std::uint8_t byte, std::uint64_t* out);

/// Each implementation on its own, for tests and benchmarks; null when this build or CPU lacks it.
enum class MatchLevel : std::uint8_t { Portable, Sse2, Avx2 };
MatchBytesFn matchBytesAt(MatchLevel level);
const char* toString(MatchLevel level);   // "portable", "sse2", "avx2"
MatchLevel bestMatchLevel();
/// Makes matchBytes use `level` (tests and benchmarks: every path gives the same frames); false,
/// nothing changed, when this build or CPU lacks it.
bool useMatchLevel(MatchLevel level);
[[nodiscard]] MatchLevel matchLevelInUse();

}  // namespace sockscope
