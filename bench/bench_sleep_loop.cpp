// The reference for the 1 ms timer goal: a plain clock_nanosleep loop with absolute deadlines,
// COUNT ticks of PERIOD_US, printing one JSON line with the interval percentiles (microseconds).
//   bench_sleep_loop [--count 5000] [--period-us 1000]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double nowUs() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
    long count = 5000, period_us = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--count") == 0) count = std::atol(argv[i + 1]);
        else if (std::strcmp(argv[i], "--period-us") == 0) period_us = std::atol(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: bench_sleep_loop [--count N] [--period-us US]\n");
            return 2;
        }
    }
    if (count < 2 || period_us < 1) return 2;
    std::vector<double> stamps;
    stamps.reserve(static_cast<std::size_t>(count));
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long i = 0; i < count; ++i) {
        stamps.push_back(nowUs());
        next.tv_nsec += period_us * 1000;
        while (next.tv_nsec >= 1'000'000'000) {
            next.tv_nsec -= 1'000'000'000;
            ++next.tv_sec;
        }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) != 0) {}
    }
    std::vector<double> gaps;
    for (std::size_t i = 1; i < stamps.size(); ++i) gaps.push_back(stamps[i] - stamps[i - 1]);
    std::printf("{\"count\":%ld,\"seconds\":%.6f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}\n", count,
                (stamps.back() - stamps.front()) / 1e6 + static_cast<double>(period_us) / 1e6, percentile(gaps, 0.5),
                percentile(gaps, 0.99), *std::max_element(gaps.begin(), gaps.end()));
    return 0;
}
