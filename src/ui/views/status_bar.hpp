#pragma once
// The status bar: connections, totals and rates, log memory / budget, dropped events, frame
// time, the unsaved flag and the latest notice.
#include "ui/ui_model.hpp"
#include "ui/view.hpp"

namespace sockscope::ui {

class StatusBar : public View {
public:
    void draw(ViewContext& ctx) override { draw(ctx.model); }
    void draw(const UiModel& model);
};

}  // namespace sockscope::ui
