#include "core/engine.hpp"

#include "core/session/rules.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <algorithm>
#include <future>
#include <map>
#include <thread>

#include "core/net/endpoint.hpp"
#include "core/net/engine_context.hpp"
#include "core/net/socket_table_probe.hpp"
#include "core/script/script_stage.hpp"
#include "core/record/recording_hub.hpp"
#include "core/thread_name.hpp"

namespace sockscope {

class Engine::Impl {
public:
    explicit Impl(EngineOptions options)
        : m_recordings([this] { asio::post(m_io, [this] { resumeReaders(); }); },
                       [this](Event event) { m_context.emit(std::move(event)); }),
          m_options(options), m_queue(options.queue), m_work(asio::make_work_guard(m_io)),
          m_context{m_io, m_queue, ReadArena(std::max(kReadBlockBytes, options.read_buffer_bytes), options.read_buffer_bytes), 1, {},
                    options.error_repeat_window, {}},
          m_refreshTimer(m_io),
          m_probe([this](SocketTableResult result, std::vector<SocketTableProbe::Callback> callbacks) {
              asio::post(m_io, [this, result = std::move(result), callbacks = std::move(callbacks)] {
                  applySocketTable(result);
                  if (!m_stopping)
                      for (const auto& callback : callbacks) callback(result);
              });
          }) {
        m_context.count_tcp_port_async = [this](std::uint16_t port,
                                                std::function<void(std::optional<PortStateCounts>)> done) {
            m_probe.request({{port}, {}}, [port, done = std::move(done)](const SocketTableResult& result) {
                std::optional<PortStateCounts> counts;
                if (result.tcp)
                    if (auto it = result.tcp->find(port); it != result.tcp->end()) counts = it->second;
                done(counts);
            });
        };
        m_queue.setResumeCallback([this] { asio::post(m_io, [this] { resumeReaders(); }); });
        m_queue.setTap(&m_recordings);
        scheduleRefresh();
        m_thread = std::thread([this] {
            nameThisThread(kIoThreadName);
            m_io.run();
            m_finished.set_value();
        });
    }

    ~Impl() { shutdown(std::chrono::milliseconds(1000)); }

    void submit(Command command) {
        if (m_stopping) return;
        asio::post(m_io, [this, command = std::move(command)]() mutable { apply(std::move(command)); });
    }

    void shutdown(std::chrono::milliseconds grace) {
        if (m_stopping.exchange(true)) {
            if (m_thread.joinable()) m_thread.join();
            return;
        }
        asio::post(m_io, [this] {
            // After every command submitted before: a stop command's status is not the shutdown's.
            m_context.shutting_down = true;
            const auto now = std::chrono::steady_clock::now();
            for (auto& [id, endpoint] : m_endpoints) {
                endpoint->stop(CloseMode::Graceful);
                endpoint->refresh(now, true);   // the final counts: what the stop still sent
            }
            m_endpoints.clear();
            m_refreshTimer.cancel();
            m_context.paused_readers.clear();
            m_work.reset();   // run() returns once the last cancelled handler has completed
        });
        auto finished = m_finished.get_future();
        if (finished.wait_for(grace) != std::future_status::ready) m_io.stop();   // last resort
        m_thread.join();
        m_probe.stop();   // its late results are posted to a stopped io_context: never run
        m_recordings.stopAll(std::chrono::milliseconds(2000));   // whole records, final statuses
        m_queue.close();
    }


    RecordingHub m_recordings;           // before the queue: its tap outlives it
    EngineOptions m_options;
    EventQueue m_queue;
    asio::io_context m_io;
    asio::executor_work_guard<asio::io_context::executor_type> m_work;
    EngineContext m_context;
    asio::steady_timer m_refreshTimer;
    std::map<EndpointId, std::shared_ptr<Endpoint>> m_endpoints;
    std::atomic<bool> m_stopping{false};
    std::uint64_t m_reportedDroppedEvents = 0;   // I/O thread only
    std::uint64_t m_reportedDroppedBytes = 0;
    std::promise<void> m_finished;
    SocketTableProbe m_probe;            // after m_io: stopped (joined) before m_io goes away
    std::thread m_thread;

private:
    void apply(Command command) {
        std::visit([this](auto& c) { handle(c); }, command);
    }

    Endpoint* find(EndpointId id) {
        auto it = m_endpoints.find(id);
        if (it != m_endpoints.end()) return it->second.get();
        m_context.emit(ErrorEvent{id, 0, ErrorContext::Config,
                                  {"ENOENT", "endpoint #" + std::to_string(id) + " does not exist",
                                   "端点 #" + std::to_string(id) + " 不存在"},
                                  nowUs()});
        return nullptr;
    }

    /// Values the engine cannot run safely are brought into range (the profile validator reports
    /// them; a front end that skipped it must not reach undefined behaviour).
    static EndpointConfig sanitize(EndpointConfig config) {
        auto& r = config.reconnect;
        if (!(r.jitter >= 0)) r.jitter = 0;   // also NaN: a negative range is UB in the RNG
        if (r.jitter > 1) r.jitter = 1;
        return config;
    }

    void replace(EndpointId id, EndpointConfig config, bool start) {
        config = sanitize(std::move(config));
        if (auto it = m_endpoints.find(id); it != m_endpoints.end()) {
            endScripts(*it->second, "the endpoint was reconfigured");
            it->second->stop(CloseMode::Graceful);
            m_endpoints.erase(it);
        }
        m_recordings.endpointAdded(id, config);
        auto endpoint = makeEndpoint(m_context, id, std::move(config));
        m_endpoints[id] = endpoint;
        // Announce it as stopped first so every front end learns about it before any other event.
        m_context.emit(EndpointStatus{id, EndpointState::Stopped, {}, {}, {}, 0, 0, std::nullopt, nowUs()});
        if (start) startEndpoint(*endpoint);
    }

    /// Script runs end with the endpoint (a run waiting for a connection too), saying why.
    static void endScripts(Endpoint& endpoint, const std::string& how) {
        if (auto stage = endpoint.findStage<ScriptStage>()) stage->endpointStopped(how);
    }

    static void startEndpoint(Endpoint& endpoint) {
        endpoint.startStages();
        endpoint.start();
        endpoint.startSources();
    }

    void handle(RunScript& c) {
        Endpoint* endpoint = find(c.endpoint);
        if (endpoint == nullptr) return;
        if (auto stage = endpoint->findStage<ScriptStage>()) {
            stage->run(c);
            return;
        }
        m_context.emit(ErrorEvent{c.endpoint, 0, ErrorContext::Config,
                                  {"ENOENT", "this endpoint has no scripts (\"" + c.name + "\")",
                                   "此端点没有脚本（“" + c.name + "”）"},
                                  nowUs()});
        ScriptEvent finished;
        finished.endpoint = c.endpoint;
        finished.run = c.run;
        finished.script = c.name;
        finished.kind = ScriptEventKind::Finished;
        finished.error = "this endpoint has no scripts";
        finished.time_us = nowUs();
        m_context.emit(std::move(finished));
    }
    void handle(StopScript& c) {
        if (Endpoint* endpoint = find(c.endpoint))
            if (auto stage = endpoint->findStage<ScriptStage>()) stage->stop(c.run, "stopped by request");
    }

    void handle(AddEndpoint& c) {
        const bool start = c.config.auto_start;
        replace(c.endpoint, std::move(c.config), start);
    }
    void handle(UpdateEndpoint& c) {
        auto it = m_endpoints.find(c.endpoint);
        const bool running = it != m_endpoints.end() && it->second->state() != EndpointState::Stopped &&
                             it->second->state() != EndpointState::Failed;
        replace(c.endpoint, std::move(c.config), running);
    }
    void handle(RemoveEndpoint& c) {
        if (auto it = m_endpoints.find(c.endpoint); it != m_endpoints.end()) {
            endScripts(*it->second, "the endpoint was removed");
            it->second->stop(CloseMode::Graceful);
            m_endpoints.erase(it);
        }
        m_recordings.endpointRemoved(c.endpoint);
    }
    void handle(StartRecording& c) { m_recordings.start(c.recording, std::move(c.config)); }
    void handle(StopRecording& c) { m_recordings.stop(c.recording); }
    void handle(StartEndpoint& c) {
        if (auto* e = find(c.endpoint)) startEndpoint(*e);
    }
    void handle(StopEndpoint& c) {
        if (auto* e = find(c.endpoint)) {
            endScripts(*e, "the endpoint was stopped");
            e->stopSources();
            e->stop(c.mode);
        }
    }
    void handle(SendSavedCommand& c) {
        if (auto* e = find(c.endpoint)) e->sources().sendCommand(c.name, c.connection, c.destination);
    }
    void handle(UpdateSources& c) {
        if (auto* e = find(c.endpoint)) e->replaceSources(std::move(c));
    }
    void handle(RunTimer& c) {
        if (auto* e = find(c.endpoint)) e->sources().runTimer(c.name, c.run, true, c.connection);
    }
    void handle(ResumeRules& c) {
        if (auto* e = find(c.endpoint))
            if (auto rules = e->findStage<RulesStage>()) rules->resume(c.rule);
    }
    void handle(SendFile& c) {
        if (auto* e = find(c.endpoint)) e->sendFile(c);
    }
    void handle(CancelFileSend& c) {
        if (auto* e = find(c.endpoint)) e->cancelFileSend(c.transfer);
    }
    void handle(StopReading& c) {
        if (auto* e = find(c.endpoint)) e->setReadingStopped(c.connection, c.stop);
    }
    void handle(Send& c) {
        if (auto* e = find(c.endpoint)) e->send(std::move(c));
    }
    void handle(CloseConnection& c) {
        if (auto* e = find(c.endpoint)) e->closeConnection(c.connection, c.mode);
    }
    void handle(CloseAllConnections& c) {
        if (auto* e = find(c.endpoint)) e->closeAll(c.mode);
    }
    void handle(JoinMulticast& c) {
        if (auto* e = find(c.endpoint)) e->setMulticastMembership(c.group, true);
    }
    void handle(LeaveMulticast& c) {
        if (auto* e = find(c.endpoint)) e->setMulticastMembership(c.group, false);
    }
    void handle(RefreshState& c) {
        const auto now = std::chrono::steady_clock::now();
        if (c.endpoint == 0) {
            for (auto& [id, endpoint] : m_endpoints) endpoint->refresh(now, true);
        } else if (auto* e = find(c.endpoint)) {
            e->refresh(now, true);
        }
        requestSocketTable();
    }

    /// One read of the OS socket tables for every watched port, off the I/O thread.
    void requestSocketTable() {
        SocketTableRequest request;
        for (auto& [id, endpoint] : m_endpoints) endpoint->collectWatchedPorts(request);
        if (!request.empty()) m_probe.request(std::move(request));
    }

    void applySocketTable(const SocketTableResult& result) {
        if (m_stopping) return;
        for (auto& [id, endpoint] : m_endpoints) endpoint->applySocketTable(result);
    }

    void scheduleRefresh() {
        m_refreshTimer.expires_after(m_options.refresh_period);
        m_refreshTimer.async_wait([this](std::error_code ec) {
            if (ec || m_stopping) return;
            const auto now = std::chrono::steady_clock::now();
            for (auto& [id, endpoint] : m_endpoints) endpoint->refresh(now, false);
            requestSocketTable();
            reportQueueDrops();
            m_recordings.refresh();
            scheduleRefresh();
        });
    }

    /// Tells the front end, once per refresh period, how many events it was too slow to take.
    void reportQueueDrops() {
        const std::uint64_t events = m_queue.droppedEvents(), bytes = m_queue.droppedBytes();
        if (events == m_reportedDroppedEvents) return;
        m_context.emit(QueueOverflow{events - m_reportedDroppedEvents, bytes - m_reportedDroppedBytes, nowUs()});
        m_reportedDroppedEvents = events;
        m_reportedDroppedBytes = bytes;
    }

    void resumeReaders() {
        auto readers = std::move(m_context.paused_readers);
        m_context.paused_readers.clear();
        for (auto& resume : readers) resume();
    }
};

Engine::Engine(EngineOptions options) : m_impl(std::make_unique<Impl>(options)) {}
Engine::~Engine() = default;

void Engine::submit(Command command) { m_impl->submit(std::move(command)); }
std::size_t Engine::drainEvents(std::vector<Event>& out) { return m_impl->m_queue.drain(out); }
bool Engine::waitForEvents(std::chrono::milliseconds timeout) { return m_impl->m_queue.waitForEvents(timeout); }
void Engine::setWakeCallback(std::function<void()> wake) { m_impl->m_queue.setWakeCallback(std::move(wake)); }
void Engine::shutdown(std::chrono::milliseconds grace) { m_impl->shutdown(grace); }
const EventQueue& Engine::queue() const { return m_impl->m_queue; }

}  // namespace sockscope
