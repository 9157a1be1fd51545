#pragma once
// The endpoint editor: every engine option with validation as you type and a tooltip each.
// A modal; "Apply" adds the endpoint to the workspace (or updates it) and posts the command.
#include <string>
#include <vector>

#include "ui/ui_model.hpp"
#include "ui/views/rules_view.hpp"

namespace sockscope::ui {

class EndpointEditor {
public:
    /// The workspace is kept (by reference) to check that names stay unique as you type.
    void openNew(EndpointType type, const Workspace& workspace);
    void openEdit(const WorkspaceEndpoint& endpoint, const Workspace& workspace);
    bool isOpen() const { return m_open; }
    void draw(UiModel& model, const CommandSink& submit);

    /// Validation of the fields being edited: empty when fine (used by draw and by tests).
    std::string bindError() const;
    std::string remoteError() const;
    std::string nameError() const;
    /// The profile validator's verdict on the edited config (the loader's rules, one source of
    /// truth): empty when a profile holding it would load back.
    std::string profileError() const;
    bool valid() const;
    /// Whether the fields differ from what the editor was opened with (Escape asks first then).
    bool edited() const;
    /// Escape / Cancel: closes at once without edits, otherwise asks to discard them.
    void requestCancel();
    bool confirmingDiscard() const { return m_confirmDiscard; }
    EndpointConfig& config() { return m_config; }
    RulesEditor& rules() { return m_rules; }
    /// What Apply does (exposed for tests): returns the id applied, 0 when invalid.
    EndpointId apply(UiModel& model, const CommandSink& submit);

private:
    void drawOptions(UiModel& model);
    void drawFraming(UiModel& model);
    void drawReceiveToFile(UiModel& model);
    void drawFaults(UiModel& model);
    void parseDelimiter();
    void drawPeerFin(UiModel& model);
    void drawDiscardConfirm(UiModel& model);
    void refreshInterfaces();
    /// m_config with the fields kept apart while editing (linger, v6-only, peer-FIN policy)
    /// applied.
    EndpointConfig result() const;

    bool m_open = false;
    bool m_openRequested = false;
    EndpointId m_id = 0;   // 0 = new
    EndpointConfig m_config;
    EndpointConfig m_original;   // result() when opened
    const Workspace* m_workspace = nullptr;
    bool m_confirmDiscard = false;
    bool m_confirmRequested = false;
    bool m_lingerSet = false;
    int m_lingerSeconds = 0;
    int m_v6Only = 0;       // 0 default, 1 v6 only, 2 dual-stack
    int m_peerFin = 0;      // after the peer's FIN: 0 close after the timeout, 1 at once, 2 keep
    double m_closeWaitSeconds = 30;
    std::vector<std::string> m_interfaces;
    std::string m_delimiterText;     // as typed: text with escapes, or hex
    bool m_delimiterHex = false;
    std::string m_delimiterError;    // why m_delimiterText does not parse
    bool m_framingOpenRequested = false;   // opened: the section starts open unless raw
    bool m_receiveOpenRequested = false;   // opened: the section starts open when it is on
    bool m_faultsOpenRequested = false;    // opened: the Faults section starts open when it has faults
    RulesEditor m_rules;                   // the auto-reply rules section and its try-it box
};

}  // namespace sockscope::ui
