#include "core/net/endpoint.hpp"

#include <stdexcept>

#include "core/registry/endpoint_registry.hpp"
#include "core/session/stages.hpp"

namespace sockscope {
namespace {

ErrorInfo noConnection(ConnectionId connection) {
    return {"ENOTCONN", "this endpoint has no connection #" + std::to_string(connection),
            "此端点没有连接 #" + std::to_string(connection)};
}

}  // namespace

Endpoint::Endpoint(EngineContext& context, EndpointId id, EndpointConfig config)
    : m_ctx(context), m_id(id), m_config(std::move(config)), m_repeatedErrors(context.error_repeat_window),
      m_faults(makeFaults(m_config.faults, m_faultCounters)), m_sourceStages(makeSourceStages(sourceContext())),
      m_sources(findSource<Sources>(m_sourceStages)), m_fileSends(findSource<FileSends>(m_sourceStages)) {
    // Both are registered (registry/endpoint_registry.cpp, kStages); the endpoint cannot run without them.
    if (m_sources == nullptr || m_fileSends == nullptr)
        throw std::logic_error("the registry has no \"sources\" or \"file_send\" source stage");
    m_status.endpoint = id;
    m_status.state = EndpointState::Stopped;
}

void Endpoint::buildStages() {
    m_stages = makeResponderStages(StageContext{m_ctx, m_id, m_config, m_faults, m_faultCounters, weak_from_this()});
}

SourceContext Endpoint::sourceContext() {
    // A send that reported an error at once (bad destination, nothing to send to) was refused.
    return SourceContext{m_ctx, m_id, m_config,
                         [this](Send send) {
                             const std::uint64_t before = m_errorsReported;
                             const bool outer = m_repeatingSend;   // a send may start another (on_connect)
                             m_repeatingSend = outer || send.repeating;
                             this->send(std::move(send));
                             m_repeatingSend = outer;
                             return m_errorsReported == before;
                         },
                         [this](ConnectionId connection) {
                             return connection == 0 ? canSend() : hasConnection(connection);
                         }};
}

void Endpoint::replaceSources(UpdateSources update) {
    const auto running = m_sources->runningTimers();
    m_config.commands = std::move(update.commands);
    m_config.on_connect = std::move(update.on_connect);
    m_config.timers = std::move(update.timers);
    // Only the "sources" stage is remade (a file send in progress goes on); the old one's timers
    // are cancelled with it.
    for (auto& stage : m_sourceStages) {
        if (stage.get() != m_sources) continue;
        stage = makeSourceStage("sources", sourceContext());
        m_sources = static_cast<Sources*>(stage.get());
    }
    for (const auto& [name, connection] : running) m_sources->runTimer(name, true, false, connection);
}

void Endpoint::startSources() {
    for (const auto& stage : m_sourceStages) stage->started();
}

void Endpoint::stopSources() {
    for (const auto& stage : m_sourceStages) stage->stopped();
}

void Endpoint::openedForSources(ConnectionId connection) {
    for (const auto& stage : m_sourceStages) stage->connectionOpened(connection);
}

void Endpoint::closedForSources(ConnectionId connection) {
    for (const auto& stage : m_sourceStages) stage->connectionClosed(connection);
}

void Endpoint::sendFile(const SendFile& command) {
    const bool udp = m_config.type == EndpointType::Udp;
    // The ranges of the "file_send" stage's fields (registry): the command channel and the send panel take them too.
    const auto max_chunk = static_cast<std::uint32_t>(registry::stageField("file_send", "chunk").maxFor(udp));
    const auto max_gap = static_cast<std::uint32_t>(registry::stageField("file_send", "gap_ms").max);
    if (command.path.empty()) return reportFileSendRefused(m_ctx, command, {"EINVAL", "no file was given", "没有指定文件"});
    if (command.chunk == 0 || command.chunk > max_chunk)
        return reportFileSendRefused(
            m_ctx, command,
            {"EINVAL",
             "chunk must be 1 to " + std::to_string(max_chunk) + " bytes" +
                 (udp ? " (one datagram per chunk; UDP carries at most 65,507)" : "") + ", not " + std::to_string(command.chunk),
             "块大小必须在 1 到 " + std::to_string(max_chunk) + " 字节之间" +
                 (udp ? "（每块一个数据报；UDP 最多 65,507 字节）" : "") + "，而不是 " + std::to_string(command.chunk)});
    if (!udp && command.chunk > m_config.write_queue_limit)
        return reportFileSendRefused(m_ctx, command,
                                     {"EINVAL",
                                      "chunk of " + std::to_string(command.chunk) + " bytes is larger than write_queue_limit (" +
                                          std::to_string(m_config.write_queue_limit) + ")",
                                      std::to_string(command.chunk) + " 字节的块大于 write_queue_limit（" +
                                          std::to_string(m_config.write_queue_limit) + "）"});
    if (command.gap_ms > max_gap)
        return reportFileSendRefused(m_ctx, command,
                                     {"EINVAL", "gap_ms must be 0 to " + std::to_string(max_gap),
                                      "gap_ms 必须在 0 到 " + std::to_string(max_gap) + " 之间"});
    openFileSinks(command, [this, command, alive = weak_from_this()](FileSinks sinks, std::optional<ErrorInfo> error) {
        if (alive.expired()) return;
        if (error) return m_fileSends->refuse(command, std::move(*error));   // the file's own error comes first
        m_fileSends->start(command, std::move(sinks));
    });
}

void Endpoint::closeConnection(ConnectionId connection, CloseMode) {
    reportError(ErrorContext::Other, noConnection(connection), connection);
}

void Endpoint::closeAll(CloseMode) {}

bool Endpoint::attachResponder(ConnectionId connection, std::shared_ptr<Responder>) {
    reportError(ErrorContext::Other, noConnection(connection), connection);
    return false;
}

void Endpoint::setReadingStopped(ConnectionId connection, bool) {
    reportError(ErrorContext::Other,
                {"EINVAL", "stop reading works on tcp connections: this udp endpoint has none",
                 "暂停读取只适用于 TCP 连接：此 UDP 端点没有连接"},
                connection);
}

void Endpoint::startStages() {
    *m_faultCounters = FaultCounters{};
    if (m_faults) m_faults->reset();
    for (const auto& stage : m_stages) stage->started();
}

void Endpoint::refreshStages(std::chrono::steady_clock::time_point now, bool force) {
    for (const auto& stage : m_stages) stage->refresh(now, force);
    for (const auto& source : m_sourceStages) source->refresh();
}

void Endpoint::setMulticastMembership(const MulticastGroup& group, bool) {
    reportError(ErrorContext::MulticastJoin,
                {"EINVAL", "multicast group " + group.group + ": only udp endpoints can join groups",
                 "组播组 " + group.group + "：只有 UDP 端点可以加入组播组"});
}

void Endpoint::setStatus(EndpointStatus status) {
    auto down = [](EndpointState s) { return s == EndpointState::Stopped || s == EndpointState::Failed; };
    const bool going_down = down(status.state) && !down(m_status.state);
    status.endpoint = m_id;
    status.time_us = nowUs();
    status.shutdown = m_ctx.shutting_down;
    m_status = std::move(status);
    m_ctx.emit(m_status);
    // However it stopped (a user's Stop, a server gone without reconnect, a failed start), its
    // timers stop too and say so. (While a client waits to reconnect they keep running, skipping.)
    if (going_down) stopSources();
}

void Endpoint::setState(EndpointState state) {
    EndpointStatus status = m_status;
    status.state = state;
    if (state != EndpointState::Failed && state != EndpointState::WaitingRetry) status.error.reset();
    if (state != EndpointState::WaitingRetry) status.retry_in_ms = 0;
    setStatus(std::move(status));
}

void Endpoint::reportError(ErrorContext context, ErrorInfo error, ConnectionId connection) {
    // A 1 ms timer into a full queue must not make a thousand identical error rows a second.
    if (m_repeatingSend) return reportRepeatable(context, std::move(error), connection);
    ++m_errorsReported;
    m_ctx.emit(ErrorEvent{m_id, connection, context, std::move(error), nowUs()});
}

void Endpoint::reportRepeatable(ErrorContext context, ErrorInfo error, ConnectionId connection) {
    ++m_errorsReported;
    m_repeatedErrors.report(ErrorEvent{m_id, connection, context, std::move(error), nowUs()},
                            std::chrono::steady_clock::now(), [this](ErrorEvent e) { m_ctx.emit(std::move(e)); });
}

void Endpoint::flushRepeatedErrors(std::chrono::steady_clock::time_point now, bool all) {
    m_repeatedErrors.flush(now, [this](ErrorEvent e) { m_ctx.emit(std::move(e)); }, all);
}

void Endpoint::flushRepeatedErrorsOf(ConnectionId connection) {
    m_repeatedErrors.flushConnection(connection, std::chrono::steady_clock::now(),
                                     [this](ErrorEvent e) { m_ctx.emit(std::move(e)); });
}

void Endpoint::reportOptionFailures(const OptionFailures& failures) {
    for (const auto& failure : failures)
        reportError(ErrorContext::SetOption,
                    {errorCodeName(failure.error),
                     "could not set " + failure.option + ": " + failure.error.message() +
                         " (the endpoint runs without it)",
                     "无法设置 " + failure.option + "：" + failure.error.message() + "（端点在没有该选项的情况下继续运行）"});
}

StatsEvent Endpoint::makeStats(std::chrono::steady_clock::time_point now) {
    StatsEvent stats;
    stats.endpoint = m_id;
    stats.totals = m_traffic.sample(now);
    stats.faults = *m_faultCounters;
    return stats;
}

void Endpoint::emitStats(StatsEvent stats, bool force) {
    if (!force && m_lastStats == stats) return;
    // The shutdown's are the last counts (the summary's): never refused.
    if (m_ctx.shutting_down) {
        m_lastStats = stats;
        return m_ctx.emit(std::move(stats));
    }
    // A refresh event: refused over the queue's budget, then the next refresh sends the latest.
    if (m_ctx.emitRefresh(stats)) m_lastStats = std::move(stats);
}

std::shared_ptr<Endpoint> makeEndpoint(EngineContext& context, EndpointId id, EndpointConfig config) {
    // Each kind's factory is in its registry descriptor (core/registry/endpoint_registry.cpp).
    // Its responder stages come from the stages' descriptors, once it is shared (a script stage
    // holds it weakly).
    for (const registry::KindDescriptor& kind : registry::kinds()) {
        if (kind.type != config.type) continue;
        std::shared_ptr<Endpoint> endpoint = kind.create(context, id, std::move(config));
        endpoint->buildStages();
        return endpoint;
    }
    return nullptr;
}

}  // namespace sockscope
