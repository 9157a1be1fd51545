#include "core/script/script_stage.hpp"

#include <asio/post.hpp>
#include <iterator>
#include <vector>

#include "core/net/endpoint.hpp"

namespace sockscope {

/// One session's end of the stage: forwards its messages to the run at the front of its queue
/// and is that run's link (sends and closes go through the session's ReplyChannel).
class ScriptStage::Session final : public Responder, public ScriptLink {
public:
    Session(std::weak_ptr<ScriptStage> stage, ReplyChannel& channel)
        : m_stage(std::move(stage)), m_channel(&channel), m_connection(channel.connection()) {}
    ~Session() override { unlink(); }

    // Responder
    void onMessage(ReplyChannel& channel, ResponderBytes message) override {
        // udp: peer() is the sender of the datagram being handled (a run takes only its device's).
        const std::string& sender = m_connection == 0 ? channel.peer() : kNoSender;
        if (!runs.empty() && runs.front()->link() == this) return runs.front()->onMessage(message, sender);
        // The connection is the run's from its first byte, though the hand-over is posted
        // (ScriptStage::attach): what comes first waits here, bounded as a run's own keep, and
        // goes with the connection (never to a run on another one if this closes first).
        if (!m_handOverPending) return;
        m_early.push({Bytes(message.begin(), message.end()), sender});
    }
    void onPeerClosed(ReplyChannel&) override {
        m_peerClosed = true;
        if (runs.empty() || runs.front()->link() != this) return;
        const auto run = runs.front();   // it may end and leave the queue
        run->peerClosed();
    }
    void onClosed() override {
        m_channel = nullptr;
        if (auto stage = m_stage.lock()) stage->sessionClosed(*this);
        unlink();
        if (auto stage = m_stage.lock()) stage->connectionEnded();
    }

    // ScriptLink
    std::optional<ErrorInfo> send(Bytes bytes, const std::string& to) override {
        if (m_channel == nullptr) return ErrorInfo{"ENOTCONN", "the connection is closed", "连接已关闭"};
        // After our FIN the bytes would follow it on the wire (the close waits for earlier writes
        // only): refused, as the command channel refuses them.
        if (m_finSent)
            return ErrorInfo{"ESHUTDOWN", "this side already sent FIN (a half-close step): nothing more can be sent on this connection",
                             "本端已发送 FIN（半关闭步骤）：此连接不能再发送数据"};
        if (m_connection != 0 || to.empty()) return m_channel->send(std::move(bytes));
        return m_channel->sendToPeer(to, std::move(bytes));
    }
    void close(ScriptCloseMode mode) override {
        if (m_channel == nullptr) return;
        // FIN, keep reading: the connection stays the run's, for the answer that follows it.
        if (mode == ScriptCloseMode::HalfClose) {
            if (!std::exchange(m_finSent, true)) m_channel->close(CloseMode::HalfClose);
            return;
        }
        ReplyChannel* channel = std::exchange(m_channel, nullptr);
        // The run goes on without a connection: a later `connect` step waits for the next one.
        if (auto stage = m_stage.lock()) stage->sessionClosed(*this);
        channel->close(mode == ScriptCloseMode::Rst ? CloseMode::Abort : CloseMode::Graceful);
    }
    ConnectionId connection() const override { return m_connection; }
    bool peerClosed() const override { return m_peerClosed; }
    bool finSent() const override { return m_finSent; }
    // udp: a send goes to the sender being answered (remote, or the last sender).
    std::string destination() const override {
        return m_connection == 0 && m_channel != nullptr ? m_channel->peer() : std::string();
    }

    bool open() const { return m_channel != nullptr; }
    /// A run can start on it: open, and able to send (no half-close step ended our side).
    bool takesRuns() const { return open() && !m_finSent; }
    std::deque<std::shared_ptr<ScriptRun>> runs;   // front: the active one

    void expectHandOver() { m_handOverPending = true; }
    /// The posted hand-over: the front run takes the connection.
    void handOver() {
        m_handOverPending = false;
        const std::vector<ScriptMessage> early = m_early.takeAll();
        const std::uint64_t dropped = m_early.takeDropped();
        if (open() && !runs.empty()) runs.front()->attach(this, early, dropped);
    }

private:
    inline static const std::string kNoSender;
    void unlink() {
        for (const auto& run : runs)
            if (run->link() == this) run->detach();
        runs.clear();
    }
    std::weak_ptr<ScriptStage> m_stage;
    ReplyChannel* m_channel;   // null once closed: the channel is the session, gone after onClosed
    const ConnectionId m_connection;
    bool m_peerClosed = false;   // the peer's FIN came: no message will
    bool m_finSent = false;      // a half-close step sent our FIN: it reads, but cannot send
    bool m_handOverPending = false;   // ScriptStage::attach posted the front run's attach
    KeptMessages<ScriptMessage> m_early;   // what came before it ran
};

ScriptStage::ScriptStage(EngineContext& context, std::weak_ptr<Endpoint> endpoint, EndpointId id,
                         std::vector<Script> scripts)
    : m_ctx(context), m_endpoint(std::move(endpoint)), m_id(id), m_scripts(std::move(scripts)) {}

ScriptStage::~ScriptStage() {
    // A connection may outlive its endpoint for a moment: its runs must not call back into us.
    for (const auto& [id, weak] : m_sessions)
        if (auto session = weak.lock()) session->runs.clear();
}

std::shared_ptr<Responder> ScriptStage::attach(ReplyChannel& channel) {
    auto session = std::make_shared<Session>(weak_from_this(), channel);
    m_sessions[channel.connection()] = session;
    // Runs waiting for a connection take this one, in the order they were asked for: the first,
    // and the runs after it that never had a connection (they run one after the other). A run
    // that lost its connection (a `connect` step after a `close`) talks to one device: the next
    // such run waits for the next client.
    std::deque<std::shared_ptr<ScriptRun>> later;
    for (auto& waiting : m_waiting) {
        if (session->runs.empty() || !waiting->started()) session->runs.push_back(std::move(waiting));
        else later.push_back(std::move(waiting));
    }
    m_waiting = std::move(later);
    if (!session->runs.empty()) {
        session->expectHandOver();
        asio::post(m_ctx.io, [weak = std::weak_ptr<Session>(session), self = weak_from_this()] {
            auto s = weak.lock();
            auto stage = self.lock();
            if (s && stage) s->handOver();
        });
    }
    return session;
}

void ScriptStage::run(const RunScript& command) {
    const Script* script = nullptr;
    for (const Script& s : m_scripts)
        if (s.name == command.name) script = &s;
    if (script == nullptr) {
        failAtOnce(command, {"ENOENT", "this endpoint has no script named \"" + command.name + "\"",
                             "此端点没有名为“" + command.name + "”的脚本"});
        return;
    }
    const std::uint64_t id = command.run != 0 ? command.run : m_nextRun++;
    auto run = std::make_shared<ScriptRun>(m_ctx.io, *this, m_id, id, *script,
                                           ScriptRun::Options{command.stop_on_failure});
    std::string error;
    if (!run->prepare(error)) {
        failAtOnce(command, {"ENOENT", error, "脚本“" + command.name + "”无法运行：" + error});
        return;
    }
    place(std::move(run), command.connection);
}

void ScriptStage::place(std::shared_ptr<ScriptRun> run, ConnectionId connection) {
    std::shared_ptr<Session> session;
    if (connection != 0) {
        auto it = m_sessions.find(connection);
        session = it == m_sessions.end() ? nullptr : it->second.lock();
        if (!session || !session->takesRuns()) {
            ScriptEvent event;
            event.endpoint = m_id;
            event.run = run->id();
            event.script = run->name();
            event.kind = ScriptEventKind::Finished;
            event.error = "connection #" + std::to_string(connection) +
                          (session && session->open() ? " is half-closed (our FIN went): nothing can be sent on it"
                                                      : " is not open");
            event.time_us = nowUs();
            emit(std::move(event));
            return;
        }
    } else {
        for (auto it = m_sessions.begin(); it != m_sessions.end();) {   // by id: the first open one
            auto live = it->second.lock();
            if (!live) {
                it = m_sessions.erase(it);
                continue;
            }
            if (live->takesRuns()) {
                session = std::move(live);
                break;
            }
            ++it;
        }
    }
    if (!session) {
        m_waiting.push_back(run);
        // A leading `connect` step runs now: its timeout, not the endpoint's, bounds the wait.
        if (run->startsWithConnect()) return run->start(nullptr);
        requestConnect();
        return;
    }
    session->runs.push_back(std::move(run));
    if (session->runs.size() == 1) session->runs.front()->attach(session.get());
}

void ScriptStage::failAtOnce(const RunScript& command, ErrorInfo why) {
    const std::string error = why.message;
    m_ctx.emit(ErrorEvent{m_id, command.connection, ErrorContext::Config, std::move(why), nowUs()});
    ScriptEvent event;
    event.endpoint = m_id;
    event.run = command.run;
    event.script = command.name;
    event.kind = ScriptEventKind::Finished;
    event.error = std::move(error);
    event.time_us = nowUs();
    emit(std::move(event));
}

void ScriptStage::stop(std::uint64_t run, const std::string& why) {
    std::vector<std::shared_ptr<ScriptRun>> targets;
    for (const auto& r : m_waiting)
        if (run == 0 || r->id() == run) targets.push_back(r);
    for (const auto& [id, weak] : m_sessions)
        if (auto session = weak.lock())
            for (const auto& r : session->runs)
                if (run == 0 || r->id() == run) targets.push_back(r);
    for (const auto& r : targets) {
        if (r->finished()) continue;
        r->stop(why);   // -> runEnded: removed from its queue
    }
}

void ScriptStage::endpointStopped(const std::string& how) {
    // A run waiting for a connection would otherwise wait for ever (nothing will connect).
    const auto waiting = m_waiting;
    for (const auto& r : waiting)
        if (!r->finished()) r->stop(how + " while the script waited for a connection");
    stop(0, how);
}

bool ScriptStage::requestConnect() {
    auto endpoint = m_endpoint.lock();
    // A tcp-server's run waits for the next client (ScriptStage::attach hands it the session).
    if (!endpoint || endpoint->config().type != EndpointType::TcpClient) return false;
    if (endpoint->state() == EndpointState::Stopped || endpoint->state() == EndpointState::Failed) endpoint->start();
    return true;
}

void ScriptStage::runEnded(std::uint64_t run) {
    m_afterHalfClose.erase(run);
    std::erase_if(m_waiting, [run](const auto& r) { return r->id() == run; });
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        auto session = it->second.lock();
        if (!session) {
            it = m_sessions.erase(it);
            continue;
        }
        const bool was_front = !session->runs.empty() && session->runs.front()->id() == run;
        std::erase_if(session->runs, [run](const auto& r) { return r->id() == run; });
        if (was_front) startNext(session);
        ++it;
    }
}

void ScriptStage::startNext(const std::shared_ptr<Session>& session) {
    // Posted: the run that ended may be deep in a receive callback.
    asio::post(m_ctx.io, [weak = std::weak_ptr<Session>(session), self = weak_from_this()] {
        auto s = weak.lock();
        auto stage = self.lock();
        if (!s || !stage || s->runs.empty() || s->runs.front()->link() != nullptr) return;
        if (s->takesRuns()) return s->runs.front()->attach(s.get());
        // Half-closed by the run that ended: the next runs go to another connection, or wait.
        auto queued = std::move(s->runs);
        s->runs.clear();
        for (auto& run : queued) {
            stage->m_afterHalfClose.insert(run->id());
            stage->place(std::move(run), 0);
        }
    });
}

void ScriptStage::sessionClosed(Session& session) {
    // Runs that outlive the connection (a wait, a `connect` step ahead) wait for the next one;
    // the active run learns it lost its link first (an expect in progress fails).
    auto runs = std::move(session.runs);
    session.runs.clear();
    m_sessions.erase(session.connection());
    for (const auto& r : runs) {
        if (r->link() == &session) r->detach();
        if (!r->finished()) m_waiting.push_back(r);
    }
}

void ScriptStage::connectionEnded() {
    // A `connect` step right after a `close` asks while the connection is still closing: the
    // endpoint (still connected) ignores it. Once the connection is gone the endpoint has stopped
    // (posted: it learns of the close after its responders): ask again; also for runs that never
    // started because they were queued behind a run that half-closed it (m_afterHalfClose).
    asio::post(m_ctx.io, [weak = weak_from_this()] {
        auto stage = weak.lock();
        if (!stage) return;
        for (const auto& r : stage->m_waiting)
            if (!r->finished() && (r->waitingForConnection() || (!r->started() && stage->m_afterHalfClose.count(r->id())))) {
                stage->requestConnect();
                return;
            }
    });
}

void addScriptStage(const StageContext& context, ResponderStages& out) {
    if (context.config.scripts.empty()) return;
    out.push_back(std::make_shared<ScriptStage>(context.engine, context.owner, context.endpoint, context.config.scripts));
}

}  // namespace sockscope
