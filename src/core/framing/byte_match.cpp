#include "core/framing/byte_match.hpp"

#include <atomic>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define SOCKSCOPE_MATCH_SSE2 1
#endif
// AVX2 is compiled per function (target attribute) and chosen at run time: the build stays
// baseline x86-64. Not on Windows: mingw-w64's GCC does not align the stack for 32-byte
// spills (GCC bug 54412), so SSE2 it is there.
#if defined(SOCKSCOPE_MATCH_SSE2) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(__i386__)) && !defined(_WIN32)
#include <immintrin.h>
#define SOCKSCOPE_MATCH_AVX2 1
#endif

namespace sockscope {
namespace {

/// Runs `block` (64 bytes -> 64 bits) over data[0, n): whole blocks in place, the last partial
/// one from a copy padded with bytes that never match.
template <typename Block>
inline void eachBlock(const std::uint8_t* data, std::size_t n, std::uint8_t byte, std::uint64_t* out, Block block) {
    std::size_t at = 0;
    for (; at + 64 <= n; at += 64) *out++ = block(data + at);
    if (at == n) return;
    std::uint8_t tail[64];
    std::memset(tail, static_cast<std::uint8_t>(~byte), sizeof tail);
    std::memcpy(tail, data + at, n - at);
    *out = block(tail);
}

/// Without SIMD here: the C library's memchr (vectorised on every platform that matters) from
/// match to match, as the framer did before the masks.
void matchPortable(const std::uint8_t* data, std::size_t n, std::uint8_t byte, std::uint64_t* out) {
    if (n == 0) return;   // nothing to mark (and `out` may be null: memset of null is undefined)
    std::memset(out, 0, (n + 63) / 64 * sizeof *out);
    for (std::size_t at = 0; at < n;) {
        const auto* hit = static_cast<const std::uint8_t*>(std::memchr(data + at, byte, n - at));
        if (hit == nullptr) return;
        const auto i = static_cast<std::size_t>(hit - data);
        out[i / 64] |= std::uint64_t{1} << (i % 64);
        at = i + 1;
    }
}

#ifdef SOCKSCOPE_MATCH_SSE2
void matchSse2(const std::uint8_t* data, std::size_t n, std::uint8_t byte, std::uint64_t* out) {
    const __m128i needle = _mm_set1_epi8(static_cast<char>(byte));
    eachBlock(data, n, byte, out, [&](const std::uint8_t* p) {
        const auto bits = [&](int i) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p) + i);
            return std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)))} << (16 * i);
        };
        return bits(0) | bits(1) | bits(2) | bits(3);
    });
}
#endif

#ifdef SOCKSCOPE_MATCH_AVX2
__attribute__((target("avx2"))) inline std::uint64_t avx2Block(const std::uint8_t* p, __m256i needle) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const auto l = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, needle)));
    const auto h = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, needle)));
    return std::uint64_t{l} | (std::uint64_t{h} << 32);
}

__attribute__((target("avx2"))) void matchAvx2(const std::uint8_t* data, std::size_t n, std::uint8_t byte,
                                               std::uint64_t* out) {
    const __m256i needle = _mm256_set1_epi8(static_cast<char>(byte));
    std::size_t at = 0;
    for (; at + 64 <= n; at += 64) *out++ = avx2Block(data + at, needle);
    if (at == n) return;
    std::uint8_t tail[64];
    std::memset(tail, static_cast<std::uint8_t>(~byte), sizeof tail);
    std::memcpy(tail, data + at, n - at);
    *out = avx2Block(tail, needle);
}

bool cpuHasAvx2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
#endif

}  // namespace

MatchBytesFn matchBytesAt(MatchLevel level) {
    switch (level) {
        case MatchLevel::Portable: return matchPortable;
        case MatchLevel::Sse2:
#ifdef SOCKSCOPE_MATCH_SSE2
            return matchSse2;
#else
            return nullptr;
#endif
        case MatchLevel::Avx2:
#ifdef SOCKSCOPE_MATCH_AVX2
            return cpuHasAvx2() ? matchAvx2 : nullptr;
#else
            return nullptr;
#endif
    }
    return nullptr;
}

MatchLevel bestMatchLevel() {
    static const MatchLevel best = matchBytesAt(MatchLevel::Avx2)   ? MatchLevel::Avx2
                                   : matchBytesAt(MatchLevel::Sse2) ? MatchLevel::Sse2
                                                                    : MatchLevel::Portable;
    return best;
}

namespace {
struct InUse {
    std::atomic<MatchBytesFn> fn{matchBytesAt(bestMatchLevel())};
    std::atomic<MatchLevel> level{bestMatchLevel()};
};
InUse& inUse() {
    static InUse state;
    return state;
}
}  // namespace

void matchBytes(const std::uint8_t* data, std::size_t n, std::uint8_t byte, std::uint64_t* out) {
    inUse().fn.load(std::memory_order_relaxed)(data, n, byte, out);
}

bool useMatchLevel(MatchLevel level) {
    const MatchBytesFn fn = matchBytesAt(level);
    if (fn == nullptr) return false;
    inUse().fn.store(fn, std::memory_order_relaxed);
    inUse().level.store(level, std::memory_order_relaxed);
    return true;
}

MatchLevel matchLevelInUse() { return inUse().level.load(std::memory_order_relaxed); }

const char* toString(MatchLevel level) {
    switch (level) {
        case MatchLevel::Portable: return "portable";
        case MatchLevel::Sse2: return "sse2";
        case MatchLevel::Avx2: return "avx2";
    }
    return "portable";
}

}  // namespace sockscope
