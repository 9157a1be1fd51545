#pragma once
// A panel of the main window (ImHex's hex/ui/view.hpp, simplified): an id (settings.json names it
// to hide it), a title (the View menu, in the UI language), a slot (where the layout puts it) and
// one draw function. Every panel derives from View and is registered with one line in
// registerViews() (ui/views/register_views.cpp); the main window draws each slot's shown views in
// registration order and knows none of them by name. Modal dialogs (endpoint editor, settings,
// file dialog, confirmations) are not views: they open from an action, not from the layout.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"

namespace sockscope::ui {

/// Where a view goes. Left | Top / (Center | Side) / Bottom, then the status line under all;
/// Floating views are their own windows (they open and close themselves, and are not listed in
/// the View menu).
enum class ViewSlot : std::uint8_t { Left, Top, Center, Side, Bottom, Status, Floating };
constexpr std::size_t kViewSlotCount = 7;

class ViewRegistry;

/// What a view may use while drawing: the UI model (settings and fonts live there), the engine's
/// command sink, and the other views (the quick-send strip sends through the send panel).
struct ViewContext {
    UiModel& model;
    const CommandSink& submit;
    ViewRegistry& views;
};

/// What registerViews() says about a view.
struct ViewInfo {
    std::string id;                  // stable: settings.json's "hidden_views" uses it
    Str title = Str::MenuView;
    ViewSlot slot = ViewSlot::Center;
};

class View {
public:
    View() = default;
    virtual ~View() = default;
    /// Draws the view inside its slot's pane (Floating: its own window, if open).
    virtual void draw(ViewContext& ctx) = 0;
    /// False when the view would draw nothing now (the script panel of an endpoint without
    /// scripts): a slot whose shown views all say so gets no pane.
    virtual bool hasContent(const UiModel& /*model*/) const { return true; }

    const std::string& id() const { return m_info.id; }
    Str title() const { return m_info.title; }
    ViewSlot slot() const { return m_info.slot; }
    bool isShown() const { return m_shown; }
    void setShown(bool shown) { m_shown = shown; }

protected:
    // Views are values (tests reset one with `view = LogView{}`), copied only as their own type.
    View(const View&) = default;
    View(View&&) = default;
    View& operator=(const View&) = default;
    View& operator=(View&&) = default;

private:
    friend class ViewRegistry;
    ViewInfo m_info;
    bool m_shown = true;
};

/// The views of the window, in registration order (which is the drawing order within a slot).
class ViewRegistry {
public:
    template <class T, class... Args>
    T& add(ViewInfo info, Args&&... args) {
        auto view = std::make_unique<T>(std::forward<Args>(args)...);
        T& ref = *view;
        view->m_info = std::move(info);
        addView(std::move(view));
        return ref;
    }
    /// The first view of type T, or null.
    template <class T>
    T* find() const {
        for (const auto& view : m_views)
            if (auto* found = dynamic_cast<T*>(view.get())) return found;
        return nullptr;
    }
    View* find(std::string_view id) const;
    const std::vector<std::unique_ptr<View>>& all() const { return m_views; }

private:
    /// Refuses (throws std::logic_error) an empty or repeated id: a programming error.
    void addView(std::unique_ptr<View> view);
    std::vector<std::unique_ptr<View>> m_views;
};

class EndpointEditor;
/// Every panel of the main window, one line each (ui/views/register_views.cpp).
void registerViews(ViewRegistry& views, EndpointEditor& editor);

}  // namespace sockscope::ui
