// sockscope: the desktop app or, with --headless, the headless runner — two front ends over one
// engine. This file only parses the command line and hands over.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <iostream>
#if defined(_WIN32)
#include <windows.h>
#include <cstdio>
#else
#include <fcntl.h>
#include <unistd.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "app/capture_import.hpp"
#include "app/headless_runner.hpp"
#if defined(SOCKSCOPE_HAVE_GUI)
#include "app/gui_main.hpp"
#endif

namespace {

/// A whole number from `min` to `max`, in decimal: CLI11's Range said "Value 1.5 not in range"
/// for a fraction and "Value abc not in range" for a word. Used with transform(): the text is
/// rewritten as the number read, so CLI11 does not read "010" as octal 8 after it.
template <typename T>
CLI::Validator wholeNumber(T min, T max) {
    const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
    return CLI::Validator(
        [min, max, range](std::string& text) -> std::string {
            T value{};
            const char* last = text.data() + text.size();
            const auto [end, ec] = std::from_chars(text.data(), last, value);
            if (ec != std::errc{} || end != last || value < min || value > max)
                return "expected a whole number " + range + ", got " + text;
            text = std::to_string(value);
            return {};
        },
        "INT " + range);
}

std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int) { g_stop.store(true); }

void installStopHandlers() {
#if defined(_WIN32)
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
#else
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    signal(SIGPIPE, SIG_IGN);   // a peer that vanishes mid-write must not kill us
#endif
}

/// A closed standard descriptor would be taken by the next socket we open, and lines meant for
/// stdout would go to a peer: park /dev/null on it. Returns false when stdout was closed.
bool reserveStandardDescriptors() {
#if defined(_WIN32)
    // A GUI-subsystem .exe gets no console: started from a terminal (cmd, PowerShell) without
    // redirection, its --headless lines, --help and errors would go nowhere. Attach to the
    // terminal's console then; redirected handles (pipes, files) are kept as they are.
    const HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
    if ((out == nullptr || out == INVALID_HANDLE_VALUE) && ::AttachConsole(ATTACH_PARENT_PROCESS)) {
        std::freopen("CONOUT$", "w", stdout);
        std::freopen("CONOUT$", "w", stderr);
    }
    return true;
#else
    bool stdout_open = true;
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        if (fd == 1) stdout_open = false;
        const int null_fd = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);   // the lowest free: fd
        if (null_fd >= 0 && null_fd != fd) {
            ::dup2(null_fd, fd);
            ::close(null_fd);
        }
    }
    return stdout_open;
#endif
}

/// glibc returns freed ~256 KiB payload blocks to the kernel and faults them back in on the next
/// read (measured: 600k page faults per bulk-TCP benchmark round). Keep them in the heap instead.
void tuneAllocator() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
    const bool stdout_open = reserveStandardDescriptors();
    tuneAllocator();
    CLI::App app{"Sockscope: TCP/UDP socket debugging — see every byte and every connection's state"};
    app.set_version_flag("--version", "sockscope " SOCKSCOPE_VERSION);

    std::string profile;
    std::string headless_profile;
    std::string for_seconds;
    std::string log_format = "text";
    bool quiet = false;
    app.add_option("profile", profile, "Profile (.json) to open");
    auto* headless = app.add_option("--headless", headless_profile,
                                    "Run PROFILE.json without a window, printing events to stdout");
    auto* for_option = app.add_option("--for", for_seconds, "Headless: stop after SECONDS (> 0, fractions allowed)");
    app.add_option("--log", log_format, "Headless output: text or jsonl")->check(CLI::IsMember({"text", "jsonl"}));
    app.add_flag("--quiet", quiet, "Headless: print lifecycle events and the summary only");
    std::string commands;
    auto* commands_option = app.add_option(
        "--commands", commands, "Headless: read JSON-line commands from SOURCE (- for stdin, a file or a FIFO)");
    std::vector<std::string> run_scripts;
    auto* run_option = app.add_option("--run", run_scripts,
                                      "Headless: run SCRIPT (or ENDPOINT/SCRIPT) of the profile; repeatable; exit 0 "
                                      "when every expectation passed, 3 when one failed or timed out")
                           ->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    std::string report;
    auto* report_option = app.add_option("--report", report, "Headless with --run: write a JUnit XML report to FILE");
    std::vector<std::string> record_files;
    double record_rotate_mb = 0;
    std::uint32_t record_keep = 10;
    auto* record_option = app.add_option("--record", record_files,
                                         "Headless: record to FILE (.pcapng, .jsonl or .txt; repeatable)")
                              ->allow_extra_args(false);
    auto* rotate_option = app.add_option("--record-rotate-mb", record_rotate_mb,
                                         "Headless: start a new --record file every MB (0: never)")
                              ->check(CLI::Range(0.0, 1e9));
    auto* keep_option = app.add_option("--record-keep", record_keep,
                                       "Headless: --record files kept when rotating (default 10; 0: all)")
                            ->transform(wholeNumber(0u, 100000u));
    std::size_t log_budget_mib = 256;
    app.add_option("--log-budget", log_budget_mib, "Payload log budget in MiB (default 256; GUI and headless)")
        ->transform(wholeNumber(std::size_t(1), std::size_t(1) << 20));
    sockscope::ImportCaptureOptions import_options;
    std::size_t import_flow = 0;
    std::string import_as = "script";
    auto* import_option = app.add_option("--import-capture", import_options.file,
                                         "List the TCP/UDP flows of a pcap/pcapng FILE; with --flow, print one "
                                         "side of a flow as a script (or saved commands) in JSON");
    auto* flow_option = app.add_option("--flow", import_flow, "With --import-capture: the flow N (as listed)");
    auto* side_option = app.add_option("--side", import_options.side, "With --flow: client or server, the side to play")
                            ->check(CLI::IsMember({"client", "server"}));
    auto* as_option = app.add_option("--as", import_as, "With --flow: script (default) or commands")
                          ->check(CLI::IsMember({"script", "commands"}));
    auto* name_option = app.add_option("--name", import_options.name, "With --flow --as script: the script's name");
    auto* expect_option = app.add_option("--expect", import_options.expect,
                                         "With --flow: the other side's replies as expect steps: exact (default), "
                                         "prefix:N, any or none");
    auto* gaps_option = app.add_flag("--keep-gaps", import_options.keep_gaps, "With --flow: wait_ms steps for the captured gaps");
    auto* packet_option = app.add_flag("--per-packet", import_options.per_packet,
                                       "With --flow: one message per packet instead of one per turn");
#if defined(SOCKSCOPE_HAVE_GUI)
    sockscope::GuiOptions gui;
    std::string screenshot;
    auto* screenshot_option = app.add_option("--screenshot", screenshot, "Render, save the window as PNG, exit");
    app.add_option("--frames", gui.frames, "With --screenshot: frames to render first")->transform(wholeNumber(1, 100000));
    app.add_option("--bench-frames", gui.bench_frames, "Print frame-time percentiles after N frames, exit")
        ->transform(wholeNumber(1, 10000000));
    app.add_option("--size", gui.width, "Initial window width")->transform(wholeNumber(320, 10000));
#endif

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;   // 2 = usage error, as documented
    }
    if (*headless && !profile.empty()) {
        // `--headless p.json extra`: CLI11 gives "extra" to the GUI's positional; never ignore it.
        std::cerr << "sockscope: unexpected argument \"" << profile << "\" (--headless takes one profile)\n"
                  << "Run with --help for more information.\n";
        return 2;
    }
    if ((*for_option || *commands_option || *run_option || *report_option) && !*headless) {
        std::cerr << "sockscope: "
                  << (*for_option ? "--for" : *commands_option ? "--commands" : *run_option ? "--run" : "--report")
                  << " applies to --headless runs only\n";
        return 2;
    }
    if (!std::isfinite(record_rotate_mb)) {   // NaN passes the range check (every comparison is false)
        std::cerr << "sockscope: --record-rotate-mb: expected a number of MB from 0 to 1e9, got " << record_rotate_mb << "\n";
        return 2;
    }
    if ((*rotate_option || *keep_option) && !*record_option) {   // they shape --record files: alone, a mistake
        std::cerr << "sockscope: " << (*rotate_option ? "--record-rotate-mb" : "--record-keep")
                  << " applies to --record files; give --record FILE too\n";
        return 2;
    }
    if ((*record_option || *rotate_option || *keep_option) && !*headless) {
        std::cerr << "sockscope: --record, --record-rotate-mb and --record-keep apply to --headless runs only "
                     "(the desktop app records from File > Recording)\n";
        return 2;
    }
    if (*import_option) {
        if (*headless) {
            std::cerr << "sockscope: --import-capture and --headless are separate runs\n";
            return 2;
        }
        if (!*flow_option)   // they shape one flow's script: without --flow they would be ignored
            for (const auto* option : {side_option, as_option, name_option, expect_option, gaps_option, packet_option})
                if (*option) {
                    std::cerr << "sockscope: " << option->get_name() << " needs --flow N (run without it to list the flows)\n";
                    return 2;
                }
        if (*flow_option) import_options.flow = import_flow;
        import_options.as_commands = import_as == "commands";
        return sockscope::runImportCapture(import_options, std::cout, std::cerr);
    }
    for (const auto* option : {flow_option, side_option, as_option, name_option, expect_option, gaps_option, packet_option}) {
        if (*option) {
            std::cerr << "sockscope: " << option->get_name() << " applies to --import-capture only\n";
            return 2;
        }
    }
    installStopHandlers();

    if (*headless) {
        if (!stdout_open) {
            std::cerr << "sockscope: stdout is not open; there is nowhere to print the events\n";
            return sockscope::kExitOutputFailed;
        }
        sockscope::HeadlessOptions options;
        options.profile = headless_profile;
        if (*for_option) {
            std::string error;
            options.for_seconds = sockscope::parseRunSeconds(for_seconds, error);
            if (!options.for_seconds) {
                std::cerr << "sockscope: " << error << '\n';
                return 2;
            }
        }
        options.format = log_format == "jsonl" ? sockscope::HeadlessLogFormat::Jsonl : sockscope::HeadlessLogFormat::Text;
        options.quiet = quiet;
        if (*commands_option) options.commands = commands;
        options.run_scripts = run_scripts;
        if (*report_option) options.report = report;
        for (const std::string& file : record_files) {
            std::string error;
            auto config = sockscope::recordOption(file, record_rotate_mb, record_keep, error);
            if (!config) {
                std::cerr << "sockscope: " << error << '\n';
                return 2;
            }
            options.record.push_back(std::move(*config));
        }
        options.log_budget_bytes = log_budget_mib << 20;
        return sockscope::runHeadless(options, g_stop, std::cerr);
    }
#if defined(SOCKSCOPE_HAVE_GUI)
    if (!profile.empty()) gui.profile_path = profile;
    gui.stop = &g_stop;
    gui.log_budget_bytes = log_budget_mib << 20;
    if (*screenshot_option) gui.screenshot_path = screenshot;
    return sockscope::runGui(gui);
#else
    std::cerr << "sockscope: this build has no GUI; use --headless PROFILE.json\n";
    return 2;
#endif
}
