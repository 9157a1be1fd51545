#pragma once
// The script stage of an endpoint (session/responder.hpp): runs scripts (script_runner.hpp) on
// the endpoint's sessions. Made by its registry factory (addScriptStage) for endpoints whose config has "scripts".
//   tcp-client: a run starts on its connection, or when it connects (asking it to connect when
//               stopped); tcp-server: on the given connection, else the first open one, else the
//               next accepted one; udp: on the socket, to its configured destination.
// Runs on one session go one after the other (their expects would steal each other's messages);
// a run whose connection closed waits for the next one (a `connect` step) or ends.
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/commands.hpp"
#include "core/net/engine_context.hpp"
#include "core/script/script_runner.hpp"
#include "core/session/responder.hpp"
#include "core/session/stages.hpp"

namespace sockscope {

class Endpoint;

class ScriptStage final : public ResponderStage, public ScriptHost,
                          public std::enable_shared_from_this<ScriptStage> {
public:
    ScriptStage(EngineContext& context, std::weak_ptr<Endpoint> endpoint, EndpointId id, std::vector<Script> scripts);
    ~ScriptStage() override;

    /// Starts (or queues) a run of the script `name`. Always ends in a Finished event for `run`
    /// (at once, with an error, when the name is unknown or the script does not compile).
    void run(const RunScript& command);
    /// Stops one run (0: every run of this endpoint).
    void stop(std::uint64_t run, const std::string& why);
    /// The endpoint is being stopped, removed or replaced (`how`: "the endpoint was stopped"):
    /// every run ends, stopped, with that reason; one that waited for a connection says so.
    void endpointStopped(const std::string& how);

    // ResponderStage
    std::shared_ptr<Responder> attach(ReplyChannel& channel) override;
    // ScriptHost
    void emit(ScriptEvent event) override { m_ctx.emit(std::move(event)); }
    bool requestConnect() override;
    void runEnded(std::uint64_t run) override;

    class Session;

private:
    void failAtOnce(const RunScript& command, ErrorInfo why);
    void place(std::shared_ptr<ScriptRun> run, ConnectionId connection);
    void sessionClosed(Session& session);
    /// A connection ended: a run that asked to connect while it was still closing asks again.
    void connectionEnded();
    void startNext(const std::shared_ptr<Session>& session);

    EngineContext& m_ctx;
    std::weak_ptr<Endpoint> m_endpoint;
    const EndpointId m_id;
    const std::vector<Script> m_scripts;
    std::map<ConnectionId, std::weak_ptr<Session>> m_sessions;   // live ones (udp: 0)
    std::deque<std::shared_ptr<ScriptRun>> m_waiting;             // for a session
    // Runs that were queued on a connection a half-close step ended: a tcp-client connects again
    // for them once it is gone (unlike runs whose connection the user closed).
    std::set<std::uint64_t> m_afterHalfClose;
    std::uint64_t m_nextRun = 1ull << 32;                         // ids when the command gives none
};

/// The scripts stage's factory (registry): a ScriptStage when the endpoint's config has scripts.
void addScriptStage(const StageContext& context, ResponderStages& out);

}  // namespace sockscope
