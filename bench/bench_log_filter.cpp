// Goal L (issue 9): filtering 1,000,000 log rows by a regex completes within 1 s with no frame
// above 50 ms. The log view's own filter (ui/log_index: time-sliced updates, 8 ms per frame) runs
// as the app runs it, one slice per frame paced at 60 fps; the reference is a plain PCRE2 loop
// (JIT, one pcre2_match per row) over the same bytes in the same run: what the regex alone costs.
//   bench_log_filter [--rows N] [--rounds R]   prints one JSON line per round
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/model/payload_log.hpp"
#include "ui/log_index.hpp"

using namespace sockscope;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kPattern = "^sensor 13[0-9] value=\\d+ (ok|warn)$";

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

/// The plain loop: compile once with JIT, match every row's bytes; returns the matches.
std::size_t pcre2Loop(const PayloadLog& log, double& ms) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPattern), PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
    if (!code) return 0;
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
    const auto start = Clock::now();
    std::size_t hits = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        const auto bytes = log.bytes(log.record(i));
        if (pcre2_match(code, bytes.data(), bytes.size(), 0, 0, data, nullptr) >= 0) ++hits;
    }
    ms = msSince(start);
    pcre2_match_data_free(data);
    pcre2_code_free(code);
    return hits;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t rows = 1'000'000;
    int rounds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--rows") == 0) rows = std::strtoull(argv[i + 1], nullptr, 10);
        if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
    }
    PayloadLog log;
    for (std::size_t i = 0; i < rows; ++i) {
        const std::string text = "sensor " + std::to_string(i % 997) + " value=" + std::to_string(i * 7919 % 100'000) +
                                 (i % 7 ? " ok" : " warn");
        log.append(static_cast<TimestampUs>(i), 1 + i % 3, 1 + i % 50, i % 2 ? LogKind::Rx : LogKind::Tx,
                   std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    }
    const auto frame = std::chrono::microseconds(16'667);   // 60 fps
    for (int round = 0; round < rounds; ++round) {
        double reference_ms = 0;
        const std::size_t reference_hits = pcre2Loop(log, reference_ms);

        ui::LogIndex index;
        ui::LogFilter filter;
        filter.mode = ui::QueryMode::Regex;
        filter.contains = kPattern;
        const auto start = Clock::now();
        index.setFilter(filter);
        double max_slice_ms = 0, cpu_ms = 0;
        std::size_t slices = 0;
        while (index.pending(log) > 0 && slices < 100'000) {
            const auto slice_start = Clock::now();
            index.update(log);   // the view's call: default budget
            const double slice_ms = msSince(slice_start);
            max_slice_ms = std::max(max_slice_ms, slice_ms);
            cpu_ms += slice_ms;
            ++slices;
            if (index.pending(log) > 0) std::this_thread::sleep_until(slice_start + frame);   // the rest of the frame
        }
        const double complete_ms = msSince(start);
        std::printf("{\"round\": %d, \"rows\": %zu, \"matches\": %zu, \"reference_matches\": %zu, \"complete_ms\": %.1f, "
                    "\"slices\": %zu, \"max_slice_ms\": %.2f, \"filter_cpu_ms\": %.1f, \"reference_ms\": %.1f}\n",
                    round, log.size(), index.size(), reference_hits, complete_ms, slices, max_slice_ms, cpu_ms,
                    reference_ms);
        std::fflush(stdout);
    }
    return 0;
}
