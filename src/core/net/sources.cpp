#include "core/net/sources.hpp"

#include <asio/post.hpp>

#include "core/net/error_text.hpp"

namespace sockscope {

struct Sources::Compiled {
    std::string name;
    std::optional<CompiledPayload> payload;   // unset: the spec did not compile (reported once)
    CounterState counter;                     // {{counter}} counts per source
};

struct Sources::Timer {
    explicit Timer(asio::io_context& io) : timer(io) {}
    TimerConfig config;
    Compiled payload;
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point next;   // absolute deadlines: no drift over many ticks
    bool running = false;
    ConnectionId target = 0;                       // set at start: one connection, or 0 for all
    std::uint64_t sent = 0, skipped = 0, failed = 0, sent_this_run = 0;   // sent_this_run: ticks that tried
    std::uint64_t reported_sent = 0, reported_failed = 0, reported_skipped = 0;   // as the last TimerStatus said
    bool report_posted = false;                    // a status with corrected counts is on its way
    Bytes buffer;                                  // reused by every tick
};

Sources::Sources(EngineContext& context, EndpointId endpoint, const EndpointConfig& config,
                 std::function<bool(Send)> send, std::function<bool(ConnectionId)> canSend)
    : m_ctx(context), m_endpoint(endpoint), m_send(std::move(send)), m_canSend(std::move(canSend)) {
    auto compileInto = [this](Compiled& out, const std::string& name, const PayloadSpec& spec) {
        out.name = name;
        PayloadCompileResult result = compilePayload(spec);
        if (result.ok()) {
            out.payload = std::move(*result.payload);
            return;
        }
        m_ctx.emit(ErrorEvent{m_endpoint, 0, ErrorContext::Config,
                              {"EINVAL", name + ": " + describe(*result.error, spec.text),
                               name + "：载荷有误（" + describe(*result.error, spec.text) + "）"},
                              nowUs()});
    };
    for (const SavedCommand& command : config.commands) {
        m_commands.push_back(std::make_unique<Compiled>());
        compileInto(*m_commands.back(), command.name, command.payload);
    }
    if (config.on_connect) {
        m_onConnect = std::make_unique<Compiled>();
        compileInto(*m_onConnect, "on_connect", *config.on_connect);
    }
    for (const TimerConfig& timer_config : config.timers) {
        auto timer = std::make_unique<Timer>(context.io);
        timer->config = timer_config;
        compileInto(timer->payload, timer_config.name, timer_config.send);
        m_timers.push_back(std::move(timer));
    }
}

Sources::~Sources() { *m_alive = false; }

bool Sources::render(Compiled& compiled, Bytes& out) {
    if (!compiled.payload) return false;
    RenderContext context;
    context.counter = &compiled.counter;
    renderPayloadInto(*compiled.payload, context, out);
    return true;
}

void Sources::started() {
    for (auto& timer : m_timers)
        if (timer->config.auto_start) setRunning(*timer, true);
}

void Sources::stopped() {
    for (auto& timer : m_timers)
        if (timer->running) setRunning(*timer, false);   // once each: Stop and the state change both call this
}

void Sources::connectionOpened(ConnectionId connection) {
    if (!m_onConnect) return;
    Send send{m_endpoint, connection, {}, {}};
    if (render(*m_onConnect, send.payload)) m_send(std::move(send));
}

void Sources::sendCommand(const std::string& name, ConnectionId connection, const std::string& destination) {
    for (auto& command : m_commands) {
        if (command->name != name) continue;
        Send send{m_endpoint, connection, {}, destination};
        if (!render(*command, send.payload)) {
            m_ctx.emit(ErrorEvent{m_endpoint, connection, ErrorContext::Config,
                                  {"EINVAL", "saved command \"" + name + "\" has an error in its payload: nothing was sent",
                                   "已保存的命令“" + name + "”的载荷有误：未发送任何内容"},
                                  nowUs()});
            return;
        }
        m_send(std::move(send));
        return;
    }
    m_ctx.emit(ErrorEvent{m_endpoint, connection, ErrorContext::Config,
                          {"ENOENT", "no saved command named \"" + name + "\": nothing was sent",
                           "没有名为“" + name + "”的已保存命令：未发送任何内容"},
                          nowUs()});
}

void Sources::connectionClosed(ConnectionId connection) {
    for (auto& timer : m_timers)
        if (timer->running && timer->target == connection) setRunning(*timer, false);
}

void Sources::runTimer(const std::string& name, bool run, bool report, ConnectionId connection) {
    for (auto& timer : m_timers) {
        if (timer->config.name != name) continue;
        if (run && connection != 0 && !m_canSend(connection)) {
            m_ctx.emit(ErrorEvent{m_endpoint, connection, ErrorContext::Config,
                                  {"ENOTCONN",
                                   "timer \"" + name + "\": connection #" + std::to_string(connection) +
                                       " is not open: not started",
                                   "定时器“" + name + "”：连接 #" + std::to_string(connection) + " 未打开：未启动"},
                                  nowUs()});
            return;
        }
        return setRunning(*timer, run, connection);
    }
    if (report)
        m_ctx.emit(ErrorEvent{m_endpoint, 0, ErrorContext::Config,
                              {"ENOENT", "no timer named \"" + name + "\"", "没有名为“" + name + "”的定时器"}, nowUs()});
}

std::vector<std::pair<std::string, ConnectionId>> Sources::runningTimers() const {
    std::vector<std::pair<std::string, ConnectionId>> running;
    for (const auto& timer : m_timers)
        if (timer->running) running.emplace_back(timer->config.name, timer->target);
    return running;
}

void Sources::setRunning(Timer& timer, bool run, ConnectionId connection) {
    // A start while running may re-aim it; the counts and the schedule go on.
    if (run) timer.target = connection;
    if (timer.running == run) return report(timer);
    timer.running = run;
    report(timer);
    if (run) {
        timer.sent_this_run = 0;
        timer.next = std::chrono::steady_clock::now();   // the first send at once
        tick(timer);
    } else {
        timer.timer.cancel();
    }
}

void Sources::tick(Timer& timer) {
    if (!timer.running) return;
    if (timer.target != 0 && !m_canSend(timer.target)) {   // its connection is gone: it ends
        timer.running = false;
        return report(timer);
    }
    if (!m_canSend(0)) {
        ++timer.skipped;
    } else if (render(timer.payload, timer.buffer)) {
        // `sent` counts what left: a tick still queued when its connection closes (a RST, an error)
        // never left, and is moved from `sent` to `failed` then (SendReceipt::dropped).
        auto receipt = std::make_shared<SendReceipt>();
        Send send{m_endpoint, timer.target, timer.buffer, timer.target ? std::string() : timer.config.to, receipt, true};
        const bool accepted = m_send(std::move(send));
        ++(accepted ? timer.sent : timer.failed);   // a refused send is not "sent"
        if (accepted) {
            receipt->dropped = [this, &timer, alive = std::weak_ptr<bool>(m_alive)] {
                if (alive.expired()) return;
                if (timer.sent > 0) --timer.sent;
                ++timer.failed;
                reportLater(timer);
            };
        }
        ++timer.sent_this_run;   // counts toward `count` either way: a broken timer still ends
    } else {
        ++timer.skipped;   // its payload did not compile (reported at creation)
    }
    if (timer.config.count > 0 && timer.sent_this_run >= timer.config.count) {
        timer.running = false;
        // After the last tick's own tx (its write's completion is already queued), not before it.
        asio::post(m_ctx.io, [this, &timer, alive = std::weak_ptr<bool>(m_alive)] {
            if (!alive.expired() && !timer.running) report(timer);   // a restart meanwhile said "running"
        });
        return;
    }
    schedule(timer);
}

void Sources::schedule(Timer& timer) {
    const auto period = std::chrono::milliseconds(timer.config.every_ms);
    timer.next += period;
    const auto now = std::chrono::steady_clock::now();
    if (timer.next < now) {   // fell behind (a busy I/O thread): skip the missed ticks, no burst
        timer.skipped += static_cast<std::uint64_t>((now - timer.next) / period);
        timer.next += ((now - timer.next) / period + 1) * period;
    }
    timer.timer.expires_at(timer.next);
    timer.timer.async_wait([this, &timer, alive = std::weak_ptr<bool>(m_alive)](std::error_code ec) {
        if (ec || alive.expired()) return;
        tick(timer);
    });
}

void Sources::reportLater(Timer& timer) {
    // Once for the ticks one close dropped (it may drop many at once), after the close's own events.
    if (timer.report_posted) return;
    timer.report_posted = true;
    asio::post(m_ctx.io, [this, &timer, alive = std::weak_ptr<bool>(m_alive)] {
        if (alive.expired()) return;
        timer.report_posted = false;
        if (timer.sent != timer.reported_sent || timer.failed != timer.reported_failed) report(timer);
    });
}

void Sources::refresh() {
    for (const auto& timer : m_timers) {
        if (!timer->running || (timer->sent == timer->reported_sent && timer->failed == timer->reported_failed &&
                                timer->skipped == timer->reported_skipped))
            continue;
        TimerStatus status{m_endpoint, timer->config.name, true, timer->sent, timer->skipped, nowUs(), timer->failed,
                           timer->target};
        status.progress = true;
        if (!m_ctx.emitRefresh(std::move(status))) continue;   // over the queue's budget: the next refresh
        timer->reported_sent = timer->sent;
        timer->reported_failed = timer->failed;
        timer->reported_skipped = timer->skipped;
    }
}

void Sources::report(Timer& timer) {
    timer.reported_sent = timer.sent;
    timer.reported_failed = timer.failed;
    timer.reported_skipped = timer.skipped;
    m_ctx.emit(TimerStatus{m_endpoint, timer.config.name, timer.running, timer.sent, timer.skipped, nowUs(), timer.failed,
                           timer.target});
}

}  // namespace sockscope
