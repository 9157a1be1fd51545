// Every panel of the main window, one line each: its id (settings.json's "hidden_views"), its
// title in the View menu, and its slot. Within a slot, views are drawn in this order.
// Adding a panel: derive a class from View (ui/view.hpp), override draw(ViewContext&), add a line.
#include "ui/view.hpp"
#include "ui/views/connections_view.hpp"
#include "ui/views/log_detail_view.hpp"
#include "ui/views/log_view.hpp"
#include "ui/views/recording_view.hpp"
#include "ui/views/script_view.hpp"
#include "ui/views/send_panel.hpp"
#include "ui/views/sources_strip.hpp"
#include "ui/views/status_bar.hpp"
#include "ui/views/workspace_view.hpp"

namespace sockscope::ui {

void registerViews(ViewRegistry& views, EndpointEditor& editor) {
    views.add<WorkspaceView>({"workspace", Str::Workspace, ViewSlot::Left}, editor);
    views.add<ConnectionsView>({"connections", Str::Connections, ViewSlot::Top});
    views.add<LogView>({"log", Str::Log, ViewSlot::Center});
    views.add<ScriptView>({"scripts", Str::ScriptsTitle, ViewSlot::Side});   // nothing without scripts
    views.add<LogDetailView>({"detail", Str::Detail, ViewSlot::Side});
    views.add<SourcesStrip>({"quick_send", Str::ViewQuickSend, ViewSlot::Bottom});
    views.add<SendPanel>({"send", Str::ViewSendPanel, ViewSlot::Bottom});
    views.add<StatusBar>({"status", Str::ViewStatusBar, ViewSlot::Status});
    views.add<RecordingView>({"recording", Str::RecTitle, ViewSlot::Floating});
}

}  // namespace sockscope::ui
