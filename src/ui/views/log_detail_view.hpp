#pragma once
// The log's detail pane as a view of its own (beside the log): the selected row's hex dump and
// text, drawn by the log view that owns the selection.
#include "ui/view.hpp"
#include "ui/views/log_view.hpp"

namespace sockscope::ui {

class LogDetailView : public View {
public:
    void draw(ViewContext& ctx) override {
        if (LogView* log = ctx.views.find<LogView>()) log->drawDetail(ctx.model);
    }
};

}  // namespace sockscope::ui
