#include "core/net/socket_table_probe.hpp"

namespace sockscope {

SocketTableProbe::SocketTableProbe(Deliver deliver) : m_deliver(std::move(deliver)) {
    m_thread = std::thread([this] { run(); });
}

SocketTableProbe::~SocketTableProbe() { stop(); }

void SocketTableProbe::request(SocketTableRequest request) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) return;
        m_pending = std::move(request);
    }
    m_wake.notify_one();
}

void SocketTableProbe::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_pending.reset();
    }
    m_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();
}

void SocketTableProbe::run() {
    for (;;) {
        SocketTableRequest request;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || m_pending.has_value(); });
            if (m_stopping) return;
            request = std::move(*m_pending);
            m_pending.reset();
        }
        SocketTableResult result;
        result.time_us = nowUs();
        if (!request.tcp_ports.empty()) result.tcp = m_reader.countTcp(request.tcp_ports);
        if (!request.udp_ports.empty()) result.udp_drops = m_reader.udpDrops(request.udp_ports);
        m_deliver(std::move(result));
    }
}

}  // namespace sockscope
