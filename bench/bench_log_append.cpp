// The log's share of framing's cost (goal F): the same 64 KiB reads cut into 100-byte frames,
// recorded one append() per frame (before) and as one appendFrames() batch per read (now), into
// a PayloadLog with the default 256 MiB budget (full most of the time, so eviction is included).
//   bench_log_append [--events N]   prints one line per round and mode
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <vector>
#include "core/model/payload_log.hpp"
using namespace sockscope;
int main(int argc, char** argv) {
    std::vector<std::uint8_t> payload(65500, 'x');
    std::vector<std::uint32_t> ends;
    for (std::uint32_t e = 100; e <= payload.size(); e += 100) ends.push_back(e);
    int events = 30000;   // ~2 GB: the log is full most of the time
    if (argc == 3 && std::strcmp(argv[1], "--events") == 0) events = std::atoi(argv[2]);
    for (int round = 0; round < 3; ++round) {
        for (int mode = 0; mode < 2; ++mode) {
            PayloadLog log;
            const auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < events; ++i) {
                if (mode == 0) {
                    std::size_t begin = 0;
                    for (auto end : ends) {
                        log.append(i, 1, 1, LogKind::Rx, std::span<const std::uint8_t>(payload).subspan(begin, end - begin));
                        begin = end;
                    }
                } else {
                    log.appendFrames(i, 1, 1, LogKind::Rx, payload, ends);
                }
            }
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("round %d %s: %.0f MB/s, %.1f ns/frame\n", round, mode ? "appendFrames" : "append per frame",
                        events * 65500.0 / s / 1e6, s * 1e9 / (events * double(ends.size())));
        }
    }
}
