#include "core/net/socket_table_probe.hpp"

#include <algorithm>

namespace sockscope {

SocketTableProbe::SocketTableProbe(Deliver deliver) : m_deliver(std::move(deliver)) {
    m_thread = std::thread([this] { run(); });
}

SocketTableProbe::~SocketTableProbe() { stop(); }

namespace {

void unite(std::vector<std::uint16_t>& into, const std::vector<std::uint16_t>& more) {
    for (const std::uint16_t port : more)
        if (std::find(into.begin(), into.end(), port) == into.end()) into.push_back(port);
}

}  // namespace

void SocketTableProbe::request(SocketTableRequest request, Callback callback) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) return;
        if (m_pending) {
            unite(m_pending->tcp_ports, request.tcp_ports);
            unite(m_pending->udp_ports, request.udp_ports);
        } else {
            m_pending = std::move(request);
        }
        if (callback) m_callbacks.push_back(std::move(callback));
    }
    m_wake.notify_one();
}

void SocketTableProbe::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_pending.reset();
        m_callbacks.clear();
    }
    m_wake.notify_one();
    if (m_thread.joinable()) m_thread.join();
}

void SocketTableProbe::run() {
    for (;;) {
        SocketTableRequest request;
        std::vector<Callback> callbacks;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || m_pending.has_value(); });
            if (m_stopping) return;
            request = std::move(*m_pending);
            m_pending.reset();
            callbacks.swap(m_callbacks);
        }
        SocketTableResult result;
        result.time_us = nowUs();
        if (!request.tcp_ports.empty()) result.tcp = m_reader.countTcp(request.tcp_ports);
        if (!request.udp_ports.empty()) result.udp_drops = m_reader.udpDrops(request.udp_ports);
        m_deliver(std::move(result), std::move(callbacks));
    }
}

}  // namespace sockscope
