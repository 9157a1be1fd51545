#pragma once
// The quick-send strip above the send panel: one button per saved command of the selected
// endpoint (Ctrl+1..9 send the first nine to the panel's target), "+ Save" to keep the input as
// a command, a right-click menu to load, replace, move or delete one, and a toggle per timer
// with its count. Edits go to the workspace (unsaved mark) and to the engine without restarting
// the endpoint (UpdateSources), so connections stay up.
#include "ui/ui_model.hpp"

namespace sockscope::ui {

class SendPanel;

class SourcesStrip {
public:
    void draw(UiModel& model, const CommandSink& submit, SendPanel& panel);

private:
    void drawCommands(UiModel& model, const CommandSink& submit, SendPanel& panel, const EndpointConfig& config);
    void drawTimers(UiModel& model, const CommandSink& submit, const EndpointConfig& config);
    /// Stores `config`'s sources in the workspace and tells the engine.
    static void apply(UiModel& model, const CommandSink& submit, EndpointId id, EndpointConfig config);
};

}  // namespace sockscope::ui
