#pragma once
// File > Recording: the recorders (start with a path, format, scope, what to do when the disk
// falls behind, rotation; stop), each with its file, bytes written, events, drops, pauses and
// error; and receive to file for the selected endpoint or connection. The engine does the
// writing on its own threads: this window only sends commands and shows RecordingStatus.
#include <map>
#include <optional>
#include <set>
#include <string>

#include "ui/i18n.hpp"
#include "ui/ui_model.hpp"
#include "ui/view.hpp"

namespace sockscope::ui {

class RecordingView : public View {
public:
    void draw(ViewContext& ctx) override { draw(ctx.model, ctx.submit); }
    void open() { m_visible = true; }
    /// Another profile opened: the recorders started here keep running, but their settings were
    /// the old profile's (paths relative to its file), so they are no longer offered to the new one.
    void forgetStartedHere() {
        m_profileConfigs.clear();
        m_startedHere.clear();
    }
    bool visible() const { return m_visible; }
    void draw(UiModel& model, const CommandSink& submit);
    /// The line under the Start button, in the current language ("" when none).
    const char* messageText() const { return m_message ? tr(*m_message) : ""; }

private:
    void drawRecorders(UiModel& model, const CommandSink& submit);
    void drawNewRecorder(UiModel& model, const CommandSink& submit);
    void drawReceiveToFile(UiModel& model, const CommandSink& submit);
    /// A relative path is relative to the open profile's directory (as in a profile).
    static std::string resolve(const UiModel& model, const std::string& path);
    /// The "saved in the profile" box of a recorder's row (none for receive to file).
    void drawInProfile(UiModel& model, RecordingId id);
    void takeFailedStartsOutOfProfile(UiModel& model);

    bool m_visible = false;
    std::string m_path = "logs/session.pcapng";
    int m_format = 0;              // 0: from the extension, then pcapng, jsonl, text
    int m_scope = 0;               // 0: everything, else the endpoint at m_scope - 1
    bool m_drop = false;
    double m_rotateMb = 100;
    int m_keep = 10;
    bool m_inProfile = true;       // a new recorder is saved with the profile (and starts when it opens)
    // Recorders this window started, or taken out of the profile, as the profile would keep them:
    // ticking "saved in the profile" again puts this config back.
    std::map<RecordingId, RecordingConfig> m_profileConfigs;
    std::set<RecordingId> m_startedHere;   // until they run and write, or end
    std::optional<Str> m_message;   // under the Start button; a key, so it follows the language
    std::string m_rxPath = "rx.bin";
    bool m_rxFramed = false;
    RecordingId m_nextId = 1;
};

}  // namespace sockscope::ui
