#pragma once
// The quick-send strip above the send panel: one button per saved command of the selected
// endpoint (Ctrl+1..9 send the first nine to the panel's target), "+ Save" to keep the input as
// a command, a right-click menu to load, replace, move or delete one; a toggle per timer with its
// count, "+ Timer" to send the input every N ms (an editor for interval, times, auto start) and a
// right-click menu per timer; the on-connect payload. Edits go to the workspace (unsaved mark)
// and to the engine without restarting the endpoint (UpdateSources), so connections stay up.
#include <cstdint>
#include <optional>
#include <string>

#include "ui/ui_model.hpp"
#include "ui/view.hpp"

namespace sockscope::ui {

class SendPanel;

class SourcesStrip : public View {
public:
    /// Sends through the registry's send panel.
    void draw(ViewContext& ctx) override;
    void draw(UiModel& model, const CommandSink& submit, SendPanel& panel);

    /// The longest payload (input text) a saved command, timer or on-connect may keep: a profile
    /// must stay under the loader's 16 MiB, and a pasted capture is no command button.
    static constexpr std::size_t kMaxSavedPayload = 1u << 20;
    /// Why the timer editor's OK is disabled (the loader's rules: "to: expected ..."), or "".
    const std::string& timerProblem() const { return m_timerProblem; }

private:
    void drawCommands(UiModel& model, const CommandSink& submit, SendPanel& panel, const EndpointConfig& config);
    /// The timers row and the on-connect button; each returns the edited config, if any.
    std::optional<EndpointConfig> drawTimers(UiModel& model, const CommandSink& submit, SendPanel& panel,
                                             const EndpointConfig& config);
    /// The timer editor popup (new or existing timer); returns the edited config on OK.
    std::optional<EndpointConfig> drawTimerEditor(UiModel& model, const EndpointConfig& config,
                                                  const CommandSink& submit, EndpointId id);
    void openTimerEditor(TimerConfig timer, std::size_t index);
    /// The rename dialog of a saved command: the edited config when OK was pressed.
    std::optional<EndpointConfig> drawRename(UiModel& model, const EndpointConfig& config);
    std::optional<EndpointConfig> drawOnConnect(UiModel& model, SendPanel& panel, const EndpointConfig& config);
    /// Stores `config`'s sources in the workspace and tells the engine; refuses (a notice says
    /// why, false) what the profile loader would not load back or a payload over kMaxSavedPayload.
    static bool apply(UiModel& model, const CommandSink& submit, EndpointId id, EndpointConfig config);

    // The timer being edited: a copy, applied on OK. Index npos = a new timer.
    TimerConfig m_timer;
    std::size_t m_timerIndex = 0;
    char m_timerName[64] = {};
    char m_timerTo[96] = {};
    bool m_timerStartNow = true;
    bool m_openTimerEditor = false;
    std::string m_timerProblem;
    std::optional<std::string> m_pendingStart;   // a timer to start once the engine has it
    std::size_t m_renameIndex = 0;                // the saved command being renamed
    char m_renameName[128] = {};
    bool m_openRename = false;
    std::uint32_t m_renameOpenings = 0;           // the name field's id: new state each time
    std::string m_renameChecked, m_renameProblem;   // the loader's verdict on the name last typed
};

}  // namespace sockscope::ui
