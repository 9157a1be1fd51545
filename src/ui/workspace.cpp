#include "ui/workspace.hpp"

#include <algorithm>

namespace sockscope::ui {

const WorkspaceEndpoint* Workspace::find(EndpointId id) const {
    for (const auto& e : m_endpoints)
        if (e.id == id) return &e;
    return nullptr;
}

void Workspace::changed() {
    dirty = true;
    ++revision;
}

EndpointId Workspace::add(EndpointConfig config) {
    const EndpointId id = m_nextId++;
    m_endpoints.push_back({id, std::move(config)});
    changed();
    return id;
}

bool Workspace::update(EndpointId id, EndpointConfig config) {
    for (auto& e : m_endpoints) {
        if (e.id != id) continue;
        e.config = std::move(config);
        changed();
        return true;
    }
    return false;
}

bool Workspace::remove(EndpointId id) {
    const auto before = m_endpoints.size();
    m_endpoints.erase(std::remove_if(m_endpoints.begin(), m_endpoints.end(),
                                     [id](const WorkspaceEndpoint& e) { return e.id == id; }),
                      m_endpoints.end());
    if (m_endpoints.size() == before) return false;
    changed();
    return true;
}

EndpointId Workspace::duplicate(EndpointId id) {
    const WorkspaceEndpoint* source = find(id);
    if (!source) return 0;
    EndpointConfig copy = source->config;
    copy.name = uniqueName(copy.name + " copy");
    copy.auto_start = false;   // the copy would fight the original for its port
    return add(std::move(copy));
}

bool Workspace::nameTaken(const std::string& candidate, EndpointId except) const {
    return std::any_of(m_endpoints.begin(), m_endpoints.end(),
                       [&](const WorkspaceEndpoint& e) { return e.id != except && e.config.name == candidate; });
}

std::string Workspace::uniqueName(const std::string& base, EndpointId except) const {
    if (!nameTaken(base, except)) return base;
    // Bounded: at most size()+1 candidates can be taken before one is free.
    for (std::size_t n = 2;; ++n) {
        std::string candidate = base + " " + std::to_string(n);
        if (!nameTaken(candidate, except)) return candidate;
    }
}

EndpointConfig Workspace::newConfig(EndpointType type) const {
    EndpointConfig c = defaultConfig(type, m_endpoints.size());
    c.name = uniqueName(c.name);
    return c;
}

void Workspace::replace(std::string new_name, std::vector<EndpointConfig> configs,
                        std::optional<std::string> new_path) {
    m_endpoints.clear();
    for (auto& c : configs) m_endpoints.push_back({m_nextId++, std::move(c)});
    name = std::move(new_name);
    path = std::move(new_path);
    dirty = false;
    ++revision;
}

EndpointConfig Workspace::defaultConfig(EndpointType type, std::size_t existing) {
    EndpointConfig c;
    c.type = type;
    const int port = 9000 + static_cast<int>(existing % 100);
    switch (type) {
        case EndpointType::TcpServer:
            c.name = "TCP server " + std::to_string(port);
            c.bind = "0.0.0.0:" + std::to_string(port);
            break;
        case EndpointType::TcpClient:
            c.name = "TCP client";
            c.remote = "127.0.0.1:" + std::to_string(port);
            c.auto_start = false;
            break;
        case EndpointType::Udp:
            c.name = "UDP " + std::to_string(port);
            c.bind = "0.0.0.0:" + std::to_string(port);
            break;
    }
    return c;
}

}  // namespace sockscope::ui
