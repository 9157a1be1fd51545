#pragma once
// The endpoint editor: every engine option with validation as you type and a tooltip each.
// A modal; "Apply" adds the endpoint to the workspace (or updates it) and posts the command.
#include <string>
#include <vector>

#include "ui/ui_model.hpp"

namespace sockscope::ui {

class EndpointEditor {
public:
    void openNew(EndpointType type, const Workspace& workspace);
    void openEdit(const WorkspaceEndpoint& endpoint);
    bool isOpen() const { return m_open; }
    void draw(UiModel& model, const CommandSink& submit);

    /// Validation of the fields being edited: empty when fine (used by draw and by tests).
    std::string bindError() const;
    std::string remoteError() const;
    std::string nameError() const;
    bool valid() const;
    EndpointConfig& config() { return m_config; }
    /// What Apply does (exposed for tests): returns the id applied, 0 when invalid.
    EndpointId apply(UiModel& model, const CommandSink& submit);

private:
    void drawOptions();
    void refreshInterfaces();

    bool m_open = false;
    bool m_openRequested = false;
    EndpointId m_id = 0;   // 0 = new
    EndpointConfig m_config;
    bool m_lingerSet = false;
    int m_lingerSeconds = 0;
    int m_v6Only = 0;       // 0 default, 1 v6 only, 2 dual-stack
    int m_writeQueueKiB = 16 * 1024;
    std::vector<std::string> m_interfaces;
};

}  // namespace sockscope::ui
