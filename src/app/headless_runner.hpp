#pragma once
// The headless runner: a second front end over the same engine. Starts every endpoint of a
// profile, prints events (text or JSON lines) until a signal or the time is up, then a summary.
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <optional>

namespace sockscope {

enum class HeadlessLogFormat { Text, Jsonl };

struct HeadlessOptions {
    std::filesystem::path profile;
    std::optional<double> for_seconds;          // unset: run until SIGINT/SIGTERM
    HeadlessLogFormat format = HeadlessLogFormat::Text;
    bool quiet = false;                          // lifecycle events and the summary only
    std::size_t log_budget_bytes = 256u << 20;   // payload log budget (bytes kept in memory)
};

/// Exit codes: 0 all went well, 1 an endpoint could not start, 2 usage or profile error.
/// Returns when `stop` becomes true, the time is up, or an endpoint fails to start.
int runHeadless(const HeadlessOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                std::ostream& err);

}  // namespace sockscope
