#include "core/net/udp_endpoint.hpp"

#include <asio/ip/multicast.hpp>
#include <fstream>
#include <sstream>

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"

#if !defined(_WIN32)
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#endif

namespace sockscope {
namespace {

constexpr int kDatagramsPerWake = 64;
constexpr std::size_t kMaxDatagram = 65507;   // IPv4 UDP payload limit
constexpr int kDefaultUdpReceiveBuffer = 4 << 20;

std::string describe(const asio::ip::udp::endpoint& endpoint) {
    return formatEndpoint(endpoint.address(), endpoint.port());
}

/// An interface given as an IPv4 address ("192.168.1.10") or a name ("eth0"); IPv6 needs an index.
struct InterfaceChoice {
    asio::ip::address_v4 v4_address;   // any() = let the OS choose
    unsigned int v6_index = 0;         // 0 = let the OS choose
    bool found = true;
};

InterfaceChoice resolveInterface(const std::string& name) {
    InterfaceChoice choice;
    if (name.empty()) return choice;
    std::error_code ec;
    const auto address = asio::ip::make_address(name, ec);
    if (!ec && address.is_v4()) {
        choice.v4_address = address.to_v4();
        return choice;
    }
#if !defined(_WIN32)
    choice.v6_index = if_nametoindex(name.c_str());
    choice.found = choice.v6_index != 0;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (ifaddrs* it = list; it; it = it->ifa_next)
            if (it->ifa_addr && it->ifa_addr->sa_family == AF_INET && name == it->ifa_name) {
                const auto* in = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
                choice.v4_address = asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
                break;
            }
        freeifaddrs(list);
    }
#else
    choice.found = false;
#endif
    return choice;
}

}  // namespace

UdpEndpoint::UdpEndpoint(EngineContext& context, EndpointId id, EndpointConfig config)
    : Endpoint(context, id, std::move(config)), m_socket(context.io), m_resolver(context.io) {}

void UdpEndpoint::start() {
    if (state() == EndpointState::Bound || state() == EndpointState::Resolving) return;
    const auto bind = parseHostPort(m_config.bind);
    if (!bind) return failToStart({"EINVAL", "bind address \"" + m_config.bind + "\" is not host:port"});
    std::error_code ec;
    const auto address = asio::ip::make_address(bind->host, ec);
    if (!ec) return bindTo({address, bind->port});
    setState(EndpointState::Resolving);
    const auto generation = m_generation;
    m_resolver.async_resolve(bind->host, std::to_string(bind->port), asio::ip::resolver_base::passive,
                             [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), generation](
                                 std::error_code resolve_error, asio::ip::udp::resolver::results_type results) {
                                 if (generation != self->m_generation) return;
                                 if (resolve_error || results.empty())
                                     return self->failToStart(describeError(
                                         resolve_error ? resolve_error : asio::error::host_not_found,
                                         ErrorContext::Resolve, self->m_config.bind));
                                 self->bindTo(results.begin()->endpoint());
                             });
}

void UdpEndpoint::bindTo(const asio::ip::udp::endpoint& endpoint) {
    std::error_code ec;
    m_socket.open(endpoint.protocol(), ec);
    if (ec) return failToStart(describeError(ec, ErrorContext::Bind, m_config.bind));
    OptionFailures failures;
    SocketOptions options = m_config.options;
    // The OS default (~208 KiB on Linux, ~3,000 small datagrams) overflows within a millisecond
    // of a flood; ask for more unless the user chose a size (the kernel caps it at rmem_max).
    if (options.recv_buffer == 0) options.recv_buffer = kDefaultUdpReceiveBuffer;
    applyBindOptions(m_socket, options, endpoint.address().is_v6(), failures);
    if (m_config.broadcast) {
        m_socket.set_option(asio::socket_base::broadcast(true), ec);
        if (ec) failures.push_back({"SO_BROADCAST", ec});
    }
    m_socket.set_option(asio::ip::multicast::hops(m_config.multicast.ttl), ec);   // TTL (v4) / hops (v6)
    if (ec) failures.push_back({"IP_MULTICAST_TTL", ec});
    m_socket.set_option(asio::ip::multicast::enable_loopback(m_config.multicast.loopback), ec);
    if (ec) failures.push_back({"IP_MULTICAST_LOOP", ec});
    reportOptionFailures(failures);

    m_socket.bind(endpoint, ec);
    if (ec) return failToStart(describeError(ec, ErrorContext::Bind, m_config.bind));
    m_socket.non_blocking(true, ec);
    const auto local = m_socket.local_endpoint(ec);
    m_port = local.port();
    m_kernelDropsAtStart = udpKernelDrops(m_port).value_or(0);
    m_kernelDrops = 0;
    for (const auto& group : m_config.multicast.groups)
        if (auto error = changeMembership(group, true)) reportError(ErrorContext::MulticastJoin, *error);

    EndpointStatus status;
    status.state = EndpointState::Bound;
    status.local = describe(local);
    status.remote = m_config.remote;
    setStatus(std::move(status));
    armRead();
}

void UdpEndpoint::failToStart(ErrorInfo error) {
    std::error_code ignored;
    m_socket.close(ignored);
    EndpointStatus status;
    status.state = EndpointState::Failed;
    status.error = std::move(error);
    setStatus(std::move(status));
}

void UdpEndpoint::armRead() {
    if (m_readArmed || !m_socket.is_open()) return;
    m_readArmed = true;
    const auto generation = m_generation;
    m_socket.async_wait(asio::ip::udp::socket::wait_read,
                        [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), generation](std::error_code ec) {
                            if (generation != self->m_generation) return;
                            self->m_readArmed = false;
                            self->onReadable(ec);
                        });
}

void UdpEndpoint::onReadable(std::error_code ec) {
    if (ec) {
        if (ec != asio::error::operation_aborted)
            reportError(ErrorContext::Read, describeError(ec, ErrorContext::Read, m_status.local));
        return;
    }
    auto& buffer = m_ctx.read_buffer;
    for (int i = 0; i < kDatagramsPerWake; ++i) {
        asio::ip::udp::endpoint sender;
        std::error_code read_error;
        const std::size_t n = m_socket.receive_from(asio::buffer(buffer), sender, 0, read_error);
        if (read_error == asio::error::would_block || read_error == asio::error::try_again) break;
        if (read_error) {
            // e.g. ECONNREFUSED: an ICMP port-unreachable answered one of our earlier sends.
            reportError(ErrorContext::Read, describeError(read_error, ErrorContext::Read,
                                                          m_lastSender ? describe(*m_lastSender) : m_config.remote));
            continue;
        }
        m_traffic.count(Direction::Rx, n);
        if (!m_lastSender || *m_lastSender != sender) {   // formatting an address costs more than the read
            m_lastSender = sender;
            m_lastSenderText = describe(sender);
        }
        Bytes payload(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
        if (m_config.echo) sendTo(sender, payload);
        if (m_ctx.queue.push(DataEvent{m_id, 0, Direction::Rx, nowUs(), m_lastSenderText, std::move(payload)},
                             EventPriority::Droppable) == PushResult::Dropped)
            ++m_dropped;
    }
    armRead();
}

void UdpEndpoint::send(Send command) {
    if (!m_socket.is_open()) {
        reportError(ErrorContext::Write, {"ENOTCONN", "udp endpoint is not bound: start it first"});
        return;
    }
    if (command.payload.size() > kMaxDatagram) {
        reportError(ErrorContext::Write, {"EMSGSIZE", "datagram of " + std::to_string(command.payload.size()) +
                                                          " bytes is larger than UDP allows (65,507)"});
        return;
    }
    std::string target = !command.destination.empty() ? command.destination : m_config.remote;
    if (target.empty()) {
        if (m_config.reply_to_sender && m_lastSender) return sendTo(*m_lastSender, std::move(command.payload));
        reportError(ErrorContext::Write,
                    {"EDESTADDRREQ", "no destination: set a remote address, or wait for a datagram to reply to"});
        return;
    }
    const auto remote = parseHostPort(target);
    if (!remote) {
        reportError(ErrorContext::Write, {"EINVAL", "destination \"" + target + "\" is not host:port"});
        return;
    }
    std::error_code ec;
    const auto address = asio::ip::make_address(remote->host, ec);
    if (!ec) return sendTo({address, remote->port}, std::move(command.payload));
    const auto generation = m_generation;
    const auto protocol = m_socket.local_endpoint(ec).protocol();
    m_resolver.async_resolve(protocol, remote->host, std::to_string(remote->port),
                             [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), generation, target,
                              payload = std::move(command.payload)](
                                 std::error_code resolve_error, asio::ip::udp::resolver::results_type results) mutable {
                                 if (generation != self->m_generation) return;
                                 if (resolve_error || results.empty()) {
                                     self->reportError(ErrorContext::Resolve,
                                                       describeError(resolve_error ? resolve_error
                                                                                   : asio::error::host_not_found,
                                                                     ErrorContext::Resolve, target));
                                     return;
                                 }
                                 self->sendTo(results.begin()->endpoint(), std::move(payload));
                             });
}

void UdpEndpoint::sendTo(const asio::ip::udp::endpoint& destination, Bytes payload) {
    if (m_queuedBytes + payload.size() > m_config.write_queue_limit) {
        reportError(ErrorContext::Write, {"ENOBUFS", "udp send queue is full (" + std::to_string(m_queuedBytes) +
                                                         " bytes waiting): datagram to " + describe(destination) +
                                                         " dropped"});
        return;
    }
    m_queuedBytes += payload.size();
    m_writeQueue.push_back({destination, std::move(payload)});
    if (!m_writing) startWrite();
}

void UdpEndpoint::startWrite() {
    if (m_writeQueue.empty() || !m_socket.is_open()) {
        m_writing = false;
        return;
    }
    m_writing = true;
    const auto generation = m_generation;
    auto& next = m_writeQueue.front();
    m_socket.async_send_to(
        asio::buffer(next.payload), next.destination,
        [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), generation](std::error_code ec, std::size_t) {
            if (generation != self->m_generation) return;
            Datagram sent = std::move(self->m_writeQueue.front());
            self->m_writeQueue.pop_front();
            self->m_queuedBytes -= sent.payload.size();
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
                self->reportError(ErrorContext::Write, describeError(ec, ErrorContext::Write, describe(sent.destination)));
            } else {
                self->m_traffic.count(Direction::Tx, sent.payload.size());
                self->m_ctx.queue.push(DataEvent{self->m_id, 0, Direction::Tx, nowUs(), describe(sent.destination),
                                                 std::move(sent.payload)},
                                       EventPriority::Data);
            }
            self->startWrite();
        });
}

std::optional<ErrorInfo> UdpEndpoint::changeMembership(const MulticastGroup& group, bool join) {
    std::error_code ec;
    const auto address = asio::ip::make_address(group.group, ec);
    if (ec || !address.is_multicast())
        return ErrorInfo{"EINVAL", "\"" + group.group + "\" is not a multicast group address (224.0.0.0/4 or ff00::/8)"};
    const auto iface = resolveInterface(group.interface);
    if (!iface.found)
        return ErrorInfo{"ENODEV", "interface \"" + group.interface + "\" does not exist on this machine"};
    if (address.is_v4()) {
        if (join) {
            m_socket.set_option(asio::ip::multicast::join_group(address.to_v4(), iface.v4_address), ec);
            if (!ec && !group.interface.empty())
                m_socket.set_option(asio::ip::multicast::outbound_interface(iface.v4_address), ec);
        } else {
            m_socket.set_option(asio::ip::multicast::leave_group(address.to_v4(), iface.v4_address), ec);
        }
    } else {
        if (join) {
            m_socket.set_option(asio::ip::multicast::join_group(address.to_v6(), iface.v6_index), ec);
            if (!ec && iface.v6_index != 0)
                m_socket.set_option(asio::ip::multicast::outbound_interface(iface.v6_index), ec);
        } else {
            m_socket.set_option(asio::ip::multicast::leave_group(address.to_v6(), iface.v6_index), ec);
        }
    }
    if (ec) {
        ErrorInfo error = describeError(ec, ErrorContext::MulticastJoin, group.group);
        error.message = std::string(join ? "could not join " : "could not leave ") + "multicast group " + group.group +
                        (group.interface.empty() ? "" : " on " + group.interface) + ": " + error.message;
        return error;
    }
    return std::nullopt;
}

void UdpEndpoint::setMulticastMembership(const MulticastGroup& group, bool join) {
    if (!m_socket.is_open()) {
        reportError(ErrorContext::MulticastJoin, {"ENOTCONN", "udp endpoint is not bound: start it first"});
        return;
    }
    if (auto error = changeMembership(group, join)) reportError(ErrorContext::MulticastJoin, *error);
}

void UdpEndpoint::stop(CloseMode) {
    ++m_generation;
    std::error_code ignored;
    m_resolver.cancel();
    m_socket.close(ignored);
    m_writeQueue.clear();
    m_queuedBytes = 0;
    m_writing = false;
    m_readArmed = false;
    if (state() != EndpointState::Stopped) setState(EndpointState::Stopped);
}

void UdpEndpoint::refresh(std::chrono::steady_clock::time_point now, bool force) {
    StatsEvent stats = makeStats(now);
    if (m_socket.is_open())
        if (auto drops = udpKernelDrops(m_port))
            m_kernelDrops = *drops >= m_kernelDropsAtStart ? *drops - m_kernelDropsAtStart : *drops;
    stats.dropped_messages = m_dropped;
    stats.kernel_drops = m_kernelDrops;
    emitStats(std::move(stats), force);
}

std::uint64_t parseProcNetUdpDrops(const std::string& table_text, std::uint16_t port) {
    std::istringstream lines(table_text);
    std::string line;
    std::getline(lines, line);   // header
    std::uint64_t total = 0;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, column;
        if (!(fields >> slot >> local >> remote)) continue;
        const auto colon = local.rfind(':');
        if (colon == std::string::npos) continue;
        if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) != port) continue;
        // st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
        std::string last;
        while (fields >> column) last = column;
        total += std::strtoull(last.c_str(), nullptr, 10);
    }
    return total;
}

std::optional<std::uint64_t> udpKernelDrops(std::uint16_t port) {
#if defined(__linux__)
    std::uint64_t total = 0;
    bool any = false;
    for (const char* path : {"/proc/net/udp", "/proc/net/udp6"}) {
        std::ifstream file(path);
        if (!file) continue;
        std::stringstream text;
        text << file.rdbuf();
        total += parseProcNetUdpDrops(text.str(), port);
        any = true;
    }
    if (any) return total;
#else
    (void)port;
#endif
    return std::nullopt;
}

}  // namespace sockscope
