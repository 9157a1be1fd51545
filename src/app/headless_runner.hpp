#pragma once
// The headless runner: a second front end over the same engine. Starts every endpoint of a
// profile, prints events (text or JSON lines) until a signal or the time is up, then a summary.
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/record/recording_config.hpp"

namespace sockscope {

enum class HeadlessLogFormat { Text, Jsonl };

/// The longest `--for` accepted (about 31.7 years): beyond it the deadline arithmetic overflows.
constexpr double kMaxRunSeconds = 1e9;

struct HeadlessOptions {
    std::filesystem::path profile;
    std::optional<double> for_seconds;          // unset: run until SIGINT/SIGTERM
    HeadlessLogFormat format = HeadlessLogFormat::Text;
    bool quiet = false;                          // lifecycle events and the summary only
    std::size_t log_budget_bytes = 256u << 20;   // payload log budget (bytes kept in memory)
    int output_fd = 1;                           // where events go (written non-blocking)
    std::optional<std::string> commands;         // --commands: "-" (stdin), a file or a FIFO of JSON lines
    std::vector<std::string> run_scripts;        // --run: SCRIPT or ENDPOINT/SCRIPT, run in this order
    std::optional<std::filesystem::path> report; // --report: JUnit XML of the scripts' expects
    std::vector<RecordingConfig> record;         // --record FILE...: recorders besides the profile's own
};

/// A `--record FILE` recorder: the format from the extension (.pcapng, .jsonl, .txt); nullopt with
/// `error` for another extension. `rotate_mb` and `keep` come from --record-rotate-mb/--record-keep.
std::optional<RecordingConfig> recordOption(const std::string& file, double rotate_mb, std::uint32_t keep,
                                            std::string& error);

/// Exit codes (docs/headless.md).
enum HeadlessExit : int {
    kExitOk = 0,
    kExitEndpointFailed = 1,   // an endpoint could not start or connect, or gave up retrying
    kExitUsage = 2,            // usage or profile error
    kExitOutputFailed = 3,     // stdout was closed, could not be written, or did not drain in time
    kExitScriptFailed = 3,     // --run: an expectation failed or timed out (or the script could not run)
};

/// Parses a `--for` value: a finite number of seconds, > 0 and <= kMaxRunSeconds. On failure,
/// returns nullopt and sets `error` to a message that says what is accepted.
std::optional<double> parseRunSeconds(std::string_view text, std::string& error);

/// Returns when `stop` becomes true, the time is up, the output is gone, or no endpoint is left
/// running (each failed or stopped). Endpoint failures do not stop the others; they are reported
/// on `err` at the end. A stop finishes the line being written, reports the events it could not
/// print, prints the summary and returns within about 5 s even if stdout never drains.
int runHeadless(const HeadlessOptions& options, const std::atomic<bool>& stop, std::ostream& err);

}  // namespace sockscope
