#pragma once
// The workspace tree (left): every endpoint with a state badge and counters, its live
// connections beneath it with their kernel TCP state in colour; new/edit/duplicate/start/stop/
// delete from the toolbar or the context menu.
#include "ui/ui_model.hpp"
#include "ui/view.hpp"
#include "ui/views/endpoint_editor.hpp"

namespace sockscope::ui {

class WorkspaceView : public View {
public:
    void draw(ViewContext& ctx) override { draw(ctx.model, ctx.submit); }
    explicit WorkspaceView(EndpointEditor& editor) : m_editor(editor) {}
    void draw(UiModel& model, const CommandSink& submit);

    // Actions (also used by the menu and by tests).
    static void start(UiModel& model, const CommandSink& submit, EndpointId id);
    static void stop(UiModel& model, const CommandSink& submit, EndpointId id);
    static void remove(UiModel& model, const CommandSink& submit, EndpointId id);
    static void duplicate(UiModel& model, const CommandSink& submit, EndpointId id);

private:
    void drawToolbar(UiModel& model, const CommandSink& submit);
    void drawEndpoint(UiModel& model, const CommandSink& submit, const WorkspaceEndpoint& endpoint);
    void contextMenu(UiModel& model, const CommandSink& submit, EndpointId id);
    void drawDeleteConfirm(UiModel& model, const CommandSink& submit);

    enum class PendingKind { None, Duplicate };
    struct Pending {
        PendingKind kind = PendingKind::None;
        EndpointId id = 0;
    };
    EndpointEditor& m_editor;
    Pending m_pending;
    EndpointId m_confirmDelete = 0;   // Delete asks first (the endpoint's connections close)
public:
    /// Asks to delete `id` (what the toolbar and the context menu do).
    void requestDelete(EndpointId id) { m_confirmDelete = id; }
};

/// Text of an endpoint's state badge ("listening", "retry in 2.5 s").
std::string stateBadge(const EndpointRow* row, TimestampUs now_us);
const char* typeName(EndpointType type);

}  // namespace sockscope::ui
