#pragma once
// The status bar: connections, totals and rates, log memory / budget, dropped events, frame
// time, the unsaved flag and the latest notice.
#include "ui/ui_model.hpp"

namespace sockscope::ui {

class StatusBar {
public:
    void draw(const UiModel& model);
};

}  // namespace sockscope::ui
