#include "ui/view.hpp"

#include <stdexcept>

namespace sockscope::ui {

View* ViewRegistry::find(std::string_view id) const {
    for (const auto& view : m_views)
        if (view->id() == id) return view.get();
    return nullptr;
}

void ViewRegistry::addView(std::unique_ptr<View> view) {
    if (view->id().empty()) throw std::logic_error("a view needs an id");
    if (find(view->id())) throw std::logic_error("two views share the id \"" + view->id() + "\"");
    m_views.push_back(std::move(view));
}

}  // namespace sockscope::ui
