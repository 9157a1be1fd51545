#pragma once
// Everything the views draw from, in one place: the endpoint table and payload log rebuilt from
// engine events, the workspace, the selection and the user's settings. Views never talk to the
// engine: they post Commands through a CommandSink (the app wires it to Engine::submit; tests
// capture them). UI-free apart from the font pointers.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/codec/escape.hpp"
#include "core/codec/text_encoding.hpp"
#include "core/commands.hpp"
#include "core/events.hpp"
#include "core/model/endpoint_table.hpp"
#include "core/model/payload_log.hpp"
#include "ui/script_board.hpp"
#include "ui/glyph_collector.hpp"
#include "ui/i18n.hpp"
#include "ui/probe.hpp"
#include "ui/workspace.hpp"

struct ImFont;

namespace sockscope::ui {

using CommandSink = std::function<void(Command)>;

enum class ThemeKind : std::uint8_t { Dark, Light };
enum class TimeMode : std::uint8_t { Absolute, Relative, Delta };

/// What the send panel remembers per endpoint (by name) across restarts.
struct SendMemory {
    bool hex = false;
    std::optional<TextEncoding> encoding;   // none: the display encoding (Settings::encoding)
    LineEnding ending = LineEnding::None;
    bool clear_after_send = false;
    bool operator==(const SendMemory&) const = default;
};

struct Settings {
    Language language = Language::English;
    ThemeKind theme = ThemeKind::Dark;
    float font_scale = 1.0f;              // on top of the monitor's content scale
    TimeMode time_mode = TimeMode::Absolute;
    TextEncoding encoding = TextEncoding::Utf8;
    std::vector<std::string> recent;      // most recent first, bounded
    void addRecent(const std::string& path);
    std::map<std::string, SendMemory> send_memory;   // by endpoint name, bounded (kMaxSendMemory)
    static constexpr std::size_t kMaxSendMemory = 256;
    std::uint64_t revision = 0;           // bumped by a view that changed a setting: the app saves them
};

struct Selection {
    EndpointId endpoint = 0;
    ConnectionId connection = 0;          // 0 = the endpoint itself (all connections)
};

struct Fonts {
    ImFont* ui = nullptr;
    ImFont* mono = nullptr;
};

/// A short message for the status bar ("Saved foo.json", an error).
struct Notice {
    std::string text;
    bool error = false;
    TimestampUs until_us = 0;
};

/// A problem that stays on screen until it is resolved (a save that keeps failing) or, when
/// dismissible, until the user has read it (a broken settings file that was set aside).
struct Problem {
    std::string key;    // one per source: "autosave", "settings", "save", "open", ...
    std::string text;
    bool dismissible = false;
};

/// The plain words for why a connection closed ("closed here (FIN)"), in the UI language.
const char* closeReasonText(CloseReason reason);

struct UiModel {
    explicit UiModel(PayloadLogLimits log_limits = {}) : log(log_limits) {}

    EndpointTable table;
    PayloadLog log;
    Workspace workspace;
    Selection selection;
    Settings settings;
    Fonts fonts;
    Notice notice;
    ScriptBoard scripts;                  // script runs (the checklist), from ScriptEvents
    std::vector<std::string> example_profiles;   // shipped with the app (File > Example profiles)
    std::map<RecordingId, RecordingStatus> recordings;   // the latest status of each recorder
    std::vector<RecordingConfig> profile_recording;      // the open profile's "recording" (saved back with it)
    std::vector<RecordingId> profile_recording_ids;      // the recorder running each of them (0: none)
    GlyphCollector glyphs;                // characters device text and names need in the font
    TimestampUs start_us = nowUs();
    float frame_ms = 0;                   // last frame's work time (status bar)
    bool busy = false;                    // a view has work spread over frames (filtering, export): draw the next soon
    bool trace = false;                   // print every applied event to stdout (tests)
    UiProbe* probe = nullptr;             // widget rectangles for tests; null = off
    bool trace_layout = false;            // print widget positions when they move (xdotool tests)

    /// Applies one engine event: the table, and the log (data as Rx/Tx rows, lifecycle as
    /// Info/Error rows).
    void apply(const Event& event);
    void notify(std::string text, bool error = false);
    /// Whether the recorder `id` is one of the profile's "recording" (saved with it, started when it opens).
    bool recorderInProfile(RecordingId id) const;
    /// Adds the running recorder `id` to the profile's "recording" as `config` (marks the workspace changed).
    void keepRecorderInProfile(RecordingId id, RecordingConfig config);
    /// Takes the recorder `id` out of the profile's "recording" (it goes on running); returns its config.
    std::optional<RecordingConfig> dropRecorderFromProfile(RecordingId id);
    /// Shows (or updates) the persistent problem `key`; clearProblem() removes it once resolved.
    void setProblem(const std::string& key, std::string text, bool dismissible = false);
    void clearProblem(const std::string& key);
    const Problem* problem(const std::string& key) const;
    std::vector<Problem> problems;   // bounded: one per key

    /// Display name of an endpoint ("#3" when unknown).
    std::string endpointName(EndpointId id) const;
};

/// Applies queued events with a per-frame budget so a flood never stalls a frame; the engine's
/// bounded queue holds (and back-pressures) the rest while this backlog is not empty.
class EventPump {
public:
    /// Drains from `drain` only when the backlog is empty, then applies up to `max_events` or
    /// until `budget_us` passed. Returns how many were applied.
    std::size_t pump(UiModel& model, const std::function<std::size_t(std::vector<Event>&)>& drain,
                     std::size_t max_events = 50'000, std::int64_t budget_us = 8'000);
    std::size_t backlog() const { return m_batch.size() - m_next; }

private:
    std::vector<Event> m_batch;
    std::size_t m_next = 0;
};

}  // namespace sockscope::ui
