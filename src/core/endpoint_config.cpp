#include "core/endpoint_config.hpp"

namespace sockscope {

const char* toString(EndpointType type) {
    switch (type) {
        case EndpointType::TcpServer: return "tcp-server";
        case EndpointType::TcpClient: return "tcp-client";
        case EndpointType::Udp: return "udp";
    }
    return "?";
}

std::optional<EndpointType> endpointTypeFromString(const std::string& text) {
    if (text == "tcp-server") return EndpointType::TcpServer;
    if (text == "tcp-client") return EndpointType::TcpClient;
    if (text == "udp") return EndpointType::Udp;
    return std::nullopt;
}

}  // namespace sockscope
