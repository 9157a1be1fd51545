#include "core/net/udp_endpoint.hpp"

#include <asio/ip/multicast.hpp>
#include <map>

#include "core/net/address.hpp"
#include "core/net/error_text.hpp"
#include "core/net/socket_options.hpp"

#if !defined(_WIN32)
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#endif

namespace sockscope {
namespace {

constexpr std::size_t kMaxDatagram = UdpTransport::kMaxDatagramV6;   // before the destination is known
constexpr std::size_t kMaxDatagramV4 = UdpTransport::kMaxDatagramV4;
constexpr int kDefaultUdpReceiveBuffer = 4 << 20;
// Sends held while their destination's name resolves (each holds its payload, ≤ 64 KiB): a fast
// timer to a name whose DNS server does not answer must not pile up without bound.
constexpr std::size_t kMaxSendsWaitingForAName = 256;
constexpr std::size_t kMaxKnownNames = 64;

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
    : Endpoint(context, id, std::move(config)), m_resolver(context.io) {}

void UdpEndpoint::start() {
    if (state() == EndpointState::Bound || state() == EndpointState::Resolving) return;
    const auto bind = parseHostPort(m_config.bind);
    if (!bind)
        return failToStart({"EINVAL", "bind address \"" + m_config.bind + "\" is not host:port",
                            "绑定地址“" + m_config.bind + "”不是 主机:端口 格式"});
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
    asio::ip::udp::socket socket(m_ctx.io);
    std::error_code ec;
    socket.open(endpoint.protocol(), ec);
    if (ec) return failToStart(describeError(ec, ErrorContext::Bind, m_config.bind));
    OptionFailures failures;
    SocketOptions options = m_config.options;
    // The OS default (~208 KiB on Linux, ~3,000 small datagrams) overflows within a millisecond
    // of a flood; ask for more unless the user chose a size (the kernel caps it at rmem_max).
    if (options.recv_buffer == 0) options.recv_buffer = kDefaultUdpReceiveBuffer;
    applyBindOptions(socket, options, endpoint.address().is_v6(), failures);
    if (m_config.broadcast) {
        socket.set_option(asio::socket_base::broadcast(true), ec);
        if (ec) failures.push_back({"SO_BROADCAST", ec});
    }
    socket.set_option(asio::ip::multicast::hops(m_config.multicast.ttl), ec);   // TTL (v4) / hops (v6)
    if (ec) failures.push_back({"IP_MULTICAST_TTL", ec});
    socket.set_option(asio::ip::multicast::enable_loopback(m_config.multicast.loopback), ec);
    if (ec) failures.push_back({"IP_MULTICAST_LOOP", ec});
    reportOptionFailures(failures);

    socket.bind(endpoint, ec);
    if (ec == asio::error::address_in_use && endpoint.address().is_v6() && endpoint.address().is_unspecified() &&
        !m_config.options.v6_only.value_or(false)) {
        std::error_code ignored;
        socket.close(ignored);
        if (ipv4HoldsDualStackPort<asio::ip::udp::socket>(m_ctx.io, endpoint.port(), m_config.options.reuse_address))
            return failToStart(describeDualStackConflict(m_config.bind, endpoint.port()));
    }
    if (ec) return failToStart(describeError(ec, ErrorContext::Bind, m_config.bind));
    const auto local = socket.local_endpoint(ec);
    m_port = local.port();
    m_kernelDropsAtStart.reset();    // taken from the first socket table read (probe thread)
    m_kernelDrops = 0;
    m_ownDrops = false;
    m_transport = std::make_shared<UdpTransport>(m_ctx, std::move(socket),
                                                 UdpTransport::Settings{m_config.write_queue_limit, m_config.remote});
    for (const auto& group : m_config.multicast.groups)
        if (auto error = changeMembership(group, true)) reportError(ErrorContext::MulticastJoin, *error);

    EndpointStatus status{};   // setStatus() names the endpoint
    status.state = EndpointState::Bound;
    status.local = describe(local);
    status.remote = m_config.remote;
    setStatus(std::move(status));

    DatagramSession::Settings settings{m_stages, m_config.framing, m_faults, std::nullopt};
    if (!m_config.remote.empty())
        if (const auto remote = parseHostPort(m_config.remote)) {
            const auto address = asio::ip::make_address(remote->host, ec);
            if (!ec) settings.remote = asio::ip::udp::endpoint(address, remote->port);
        }
    m_session = std::make_shared<DatagramSession>(m_ctx, m_id, m_transport, std::move(settings),
                                                  std::weak_ptr<ConnectionHost>(
                                                      std::static_pointer_cast<UdpEndpoint>(shared_from_this())));
    m_session->start();
}

void UdpEndpoint::failToStart(ErrorInfo error) {
    EndpointStatus status{};   // setStatus() names the endpoint
    status.state = EndpointState::Failed;
    status.error = std::move(error);
    setStatus(std::move(status));
}

void UdpEndpoint::send(Send command) {
    if (!bound()) {
        reportError(ErrorContext::Write, {"ENOTCONN", "udp endpoint is not bound: start it first", "UDP 端点尚未绑定：请先启动它"});
        return;
    }
    if (command.payload.size() > kMaxDatagram) {
        reportError(ErrorContext::Write,
                    {"EMSGSIZE", "datagram of " + groupDigits(command.payload.size()) + " bytes is larger than UDP allows (" +
                                     groupDigits(kMaxDatagram) + " over IPv6, " + groupDigits(kMaxDatagramV4) + " over IPv4)",
                     "数据报有 " + groupDigits(command.payload.size()) + " 字节，超过了 UDP 的上限（IPv6 " +
                         groupDigits(kMaxDatagram) + " 字节，IPv4 " + groupDigits(kMaxDatagramV4) + " 字节）"});
        return;
    }
    // A destination may be a name still being resolved: then the send goes on (or fails) later,
    // and a timer's tick that never left is counted failed through its receipt.
    auto waited = std::make_shared<bool>(false);
    withDestination(command.destination,
                    [this, payload = std::move(command.payload), receipt = std::move(command.receipt),
                     repeating = command.repeating, waited](std::optional<asio::ip::udp::endpoint> to,
                                                            std::optional<ErrorInfo> error) mutable {
                        if (*waited && receipt && (error || !bound())) receipt->queued = true;   // dropped: never left
                        // A timer's errors are said once, then counted, also when they come late.
                        const auto report = [&](ErrorContext context, ErrorInfo info) {
                            repeating ? reportRepeatable(context, std::move(info)) : reportError(context, std::move(info));
                        };
                        if (error) {
                            const bool resolve = error->code != "EDESTADDRREQ" && error->code != "EINVAL";
                            return report(resolve ? ErrorContext::Resolve : ErrorContext::Write, *error);
                        }
                        if (!bound()) return;
                        const auto kept = receipt;   // a datagram the transport refuses never left
                        if (auto send_error = m_session->sendTo(*to, SharedBytes(std::move(payload)), nullptr, std::move(receipt))) {
                            if (*waited && kept) kept->queued = true;
                            report(ErrorContext::Write, *send_error);
                        }
                    });
    *waited = true;
}

void UdpEndpoint::withDestination(const std::string& destination, DestinationDone done) {
    std::string target = !destination.empty() ? destination : m_config.remote;
    if (target.empty()) {
        if (bound() && m_transport->lastSender()) m_lastSender = m_transport->lastSender();
        if (m_config.reply_to_sender && m_lastSender) return done(*m_lastSender, std::nullopt);
        return done(std::nullopt, ErrorInfo{"EDESTADDRREQ",
                                            "no destination: set a remote address, or wait for a datagram to reply to",
                                            "没有目的地址：请设置远端地址，或等待一个可回复的数据报"});
    }
    const auto remote = parseHostPort(target);
    if (!remote)
        return done(std::nullopt, ErrorInfo{"EINVAL", "destination \"" + target + "\" is not host:port",
                                            "目的地址“" + target + "”不是 主机:端口 格式"});
    std::error_code ec;
    const auto address = asio::ip::make_address(remote->host, ec);
    if (!ec) {
        if (auto mismatch = familyMismatch(address)) return done(std::nullopt, std::move(mismatch));
        return done(asio::ip::udp::endpoint{address, remote->port}, std::nullopt);
    }
    const auto now = std::chrono::steady_clock::now();
    if (const auto known = m_knownNames.find(target); known != m_knownNames.end() && known->second.until > now)
        return done(known->second.to, known->second.error);
    auto& waiting = m_resolving[target];
    if (waiting.size() >= kMaxSendsWaitingForAName)
        return done(std::nullopt,
                    ErrorInfo{"EAGAIN",
                              groupDigits(waiting.size()) + " sends to \"" + target +
                                  "\" already wait for the name to resolve: this one was not sent (is the DNS server slow?)",
                              "已有 " + groupDigits(waiting.size()) + " 个发往“" + target +
                                  "”的发送在等待域名解析：本次未发送（DNS 服务器是否太慢？）"});
    waiting.push_back(std::move(done));
    if (waiting.size() > 1) return;   // its lookup is under way
    const auto generation = m_generation;
    const auto protocol = m_transport ? m_transport->socket().local_endpoint(ec).protocol() : asio::ip::udp::v4();
    // A dual-stack v6 socket reaches IPv4 hosts too: an IPv4-only name comes back v4-mapped.
    const bool dual_stack = protocol == asio::ip::udp::v6() && !m_config.options.v6_only.value_or(false);
    const auto flags = dual_stack ? asio::ip::resolver_base::v4_mapped : asio::ip::resolver_base::flags();
    // The resolver runs getaddrinfo on asio's own thread: the I/O thread never blocks on DNS.
    m_resolver.async_resolve(protocol, remote->host, std::to_string(remote->port), flags,
                             [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), generation, target,
                              host = remote->host, port = remote->port,
                              protocol](std::error_code resolve_error, asio::ip::udp::resolver::results_type results) {
                                 if (generation != self->m_generation) return;   // its waiters were told at the stop
                                 if (resolve_error || results.empty())
                                     return self->explainUnresolved(
                                         host, port, protocol, target,
                                         resolve_error ? resolve_error : asio::error::host_not_found,
                                         [self, generation, target](std::optional<asio::ip::udp::endpoint> to,
                                                                   std::optional<ErrorInfo> error) {
                                             if (generation == self->m_generation) self->settleName(target, to, std::move(error));
                                         });
                                 // The first address this socket can send to ([::1] cannot reach a
                                 // name's v4-mapped address: the kernel would say "unreachable").
                                 std::optional<ErrorInfo> mismatch;
                                 for (const auto& result : results) {
                                     auto why = self->familyMismatch(result.endpoint().address(), host);
                                     if (!why) return self->settleName(target, result.endpoint(), std::nullopt);
                                     if (!mismatch) mismatch = std::move(why);
                                 }
                                 self->settleName(target, std::nullopt, std::move(mismatch));
                             });
}

void UdpEndpoint::settleName(const std::string& target, std::optional<asio::ip::udp::endpoint> to,
                             std::optional<ErrorInfo> error) {
    // Kept briefly: long enough to spare a fast timer a lookup per tick, short enough that a fixed
    // hosts file or DNS entry is picked up at once.
    const auto keep = error ? std::chrono::seconds(1) : std::chrono::seconds(5);
    if (m_knownNames.size() >= kMaxKnownNames) m_knownNames.clear();
    m_knownNames[target] = KnownName{to, error, std::chrono::steady_clock::now() + keep};
    auto waiting = std::move(m_resolving[target]);
    m_resolving.erase(target);
    for (auto& done : waiting) done(to, error);
}

void UdpEndpoint::abandonPendingNames() {
    auto resolving = std::move(m_resolving);
    m_resolving.clear();
    m_knownNames.clear();   // a restart may bind another IP version: look names up afresh
    for (auto& [target, waiting] : resolving)
        for (auto& done : waiting) done(std::nullopt, stoppedWhileResolving(target));
}

/// An address this socket cannot send to for its IP version: said as such (the kernel would say
/// "network unreachable", which sends the user to their gateway).
std::optional<ErrorInfo> UdpEndpoint::familyMismatch(const asio::ip::address& to, const std::string& name) const {
    if (!m_transport || !m_transport->localEndpoint()) return std::nullopt;
    const DatagramAddress& local = *m_transport->localEndpoint();   // read at bind: no system call per send
    const bool to_v4 = to.is_v4() || (to.is_v6() && to.to_v6().is_v4_mapped());
    const bool dual_stack = local.address().is_v6() && local.address().is_unspecified() &&
                            !m_config.options.v6_only.value_or(false);
    if (local.address().is_v4() == to_v4 || (dual_stack && to_v4)) return std::nullopt;
    const std::string bound = formatEndpoint(local.address(), local.port());
    const std::string what = to_v4 ? "the IPv4 address " : "the IPv6 address ";
    const std::string fix = to_v4 ? "bind to [::] (dual-stack) or to an IPv4 address" : "bind to an IPv6 address";
    const std::string address = (to.is_v6() && to.to_v6().is_v4_mapped() ? asio::ip::make_address_v4(asio::ip::v4_mapped, to.to_v6())
                                                                          : to).to_string();
    const std::string named = name.empty() ? "" : std::string(" (") + name + " has no " + (to_v4 ? "IPv6" : "IPv4") + " address)";
    const std::string named_zh = name.empty() ? "" : "（" + name + " 没有 " + (to_v4 ? "IPv6" : "IPv4") + " 地址）";
    return ErrorInfo{"EAFNOSUPPORT",
                     "cannot send to " + what + address + named + " from a socket bound to " + bound + ": " + fix,
                     "无法从绑定在 " + bound + " 的套接字发送到" + (to_v4 ? " IPv4 地址 " : " IPv6 地址 ") + address +
                         named_zh + "：" + (to_v4 ? "请绑定到 [::]（双栈）或 IPv4 地址" : "请绑定到 IPv6 地址")};
}

ErrorInfo UdpEndpoint::stoppedWhileResolving(const std::string& target) {
    return {"ECANCELED", "the endpoint stopped while \"" + target + "\" was being resolved: nothing was sent to it",
            "解析“" + target + "”时端点已停止：没有向它发送任何数据"};
}

void UdpEndpoint::explainUnresolved(const std::string& host, std::uint16_t port, asio::ip::udp protocol,
                                    const std::string& target, std::error_code error, DestinationDone done) {
    // The name may resolve to the other IP version only: then say that, not "unknown".
    m_resolver.async_resolve(host, std::to_string(port),
                             [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), protocol, host, target,
                              error, done = std::move(done)](std::error_code other_error,
                                                             asio::ip::udp::resolver::results_type results) mutable {
                                 const bool v6 = protocol == asio::ip::udp::v6();
                                 std::string found;   // an address of the other version only
                                 for (const auto& entry : results) {
                                     if (entry.endpoint().address().is_v6() == v6)   // not a version problem
                                         return done(std::nullopt, describeError(error, ErrorContext::Resolve, target));
                                     if (found.empty()) found = entry.endpoint().address().to_string();
                                 }
                                 if (other_error || found.empty())
                                     return done(std::nullopt, describeError(error, ErrorContext::Resolve, target));
                                 const std::string socket_kind = v6 ? "IPv6-only (v6_only)" : "IPv4";
                                 done(std::nullopt,
                                      ErrorInfo{"EAFNOSUPPORT",
                                                "cannot send to '" + host + "': it resolves only to " +
                                                    (v6 ? "IPv4" : "IPv6") + " addresses (" + found + "), and this endpoint's socket is " +
                                                    socket_kind + " (bound to " + self->m_config.bind +
                                                    "): bind a socket of that IP version" + (v6 ? " or a dual-stack [::]" : "") +
                                                    ", or give an address literal",
                                                "无法发送到 '" + host + "'：它只解析到 " + (v6 ? "IPv4" : "IPv6") + " 地址（" + found +
                                                    "），而此端点的套接字是 " + socket_kind + "（绑定在 " + self->m_config.bind +
                                                    "）：请绑定该 IP 版本的套接字" + (v6 ? "或双栈 [::]" : "") + "，或直接写地址"});
                             });
}

bool UdpEndpoint::attachResponder(ConnectionId connection, std::shared_ptr<Responder> responder) {
    if (connection != 0 || !bound() || !responder) return Endpoint::attachResponder(connection, nullptr);
    return m_session->attachResponder(std::move(responder));
}

/// A file send's target: datagrams to one destination through the endpoint's send queue.
class UdpFileSink final : public FileSink {
public:
    UdpFileSink(const std::shared_ptr<UdpEndpoint>& endpoint, asio::ip::udp::endpoint destination)
        : m_endpoint(endpoint), m_destination(destination), m_generation(endpoint->m_generation) {}
    std::optional<std::size_t> queued(ErrorInfo& why) const override {
        const auto endpoint = live();
        if (endpoint) return endpoint->m_session->queuedBytes();
        why = {"ENOTCONN", "the udp endpoint stopped", "UDP 端点已停止"};
        return std::nullopt;
    }
    std::size_t queueLimit() const override {
        const auto endpoint = live();
        return endpoint ? endpoint->m_config.write_queue_limit : 0;
    }
    std::optional<ErrorInfo> write(SharedBytes chunk) override {
        const auto endpoint = live();
        if (!endpoint) return ErrorInfo{"ENOTCONN", "the udp endpoint stopped", "UDP 端点已停止"};
        return endpoint->m_session->sendTo(m_destination, std::move(chunk));   // a slice: no copy
    }

private:
    std::shared_ptr<UdpEndpoint> live() const {
        auto endpoint = m_endpoint.lock();
        if (!endpoint || endpoint->m_generation != m_generation || !endpoint->bound()) return nullptr;
        return endpoint;
    }
    std::weak_ptr<UdpEndpoint> m_endpoint;
    asio::ip::udp::endpoint m_destination;
    std::uint64_t m_generation;
};

void UdpEndpoint::openFileSinks(const SendFile& command, FileSinksDone done) {
    if (!bound())
        return done({}, ErrorInfo{"ENOTCONN", "udp endpoint is not bound: start it first", "UDP 端点尚未绑定：请先启动它"});
    withDestination(command.destination,
                    [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), done = std::move(done)](
                        std::optional<asio::ip::udp::endpoint> to, std::optional<ErrorInfo> error) {
                        if (error) return done({}, std::move(error));
                        FileSinks sinks;
                        sinks.push_back(std::make_unique<UdpFileSink>(self, *to));
                        done(std::move(sinks), std::nullopt);
                    });
}

std::optional<ErrorInfo> UdpEndpoint::changeMembership(const MulticastGroup& group, bool join) {
    std::error_code ec;
    const auto address = asio::ip::make_address(group.group, ec);
    if (ec || !address.is_multicast())
        return ErrorInfo{"EINVAL", "\"" + group.group + "\" is not a multicast group address (224.0.0.0/4 or ff00::/8)",
                         "“" + group.group + "”不是组播组地址（224.0.0.0/4 或 ff00::/8）"};
    asio::ip::udp::socket& socket = m_transport->socket();
    const bool socket_v6 = socket.local_endpoint(ec).protocol() == asio::ip::udp::v6();
    if (address.is_v6() && !socket_v6)
        return ErrorInfo{"EAFNOSUPPORT",
                         std::string(join ? "cannot join" : "cannot leave") + " IPv6 multicast group " + group.group +
                             ": this endpoint is bound to IPv4 (" + m_status.local +
                             "); bind it to [::]:port to use IPv6 groups",
                         std::string(join ? "无法加入" : "无法离开") + " IPv6 组播组 " + group.group + "：此端点绑定在 IPv4（" +
                             m_status.local + "）上；要使用 IPv6 组播组，请绑定到 [::]:端口"};
    const auto iface = resolveInterface(group.interface);
    if (!iface.found)
        return ErrorInfo{"ENODEV", "interface \"" + group.interface + "\" does not exist on this machine",
                         "本机上不存在网络接口“" + group.interface + "”"};
    if (address.is_v4()) {
        if (join) {
            socket.set_option(asio::ip::multicast::join_group(address.to_v4(), iface.v4_address), ec);
            if (!ec && !group.interface.empty())
                socket.set_option(asio::ip::multicast::outbound_interface(iface.v4_address), ec);
        } else {
            socket.set_option(asio::ip::multicast::leave_group(address.to_v4(), iface.v4_address), ec);
        }
    } else {
        if (join) {
            socket.set_option(asio::ip::multicast::join_group(address.to_v6(), iface.v6_index), ec);
            if (!ec && iface.v6_index != 0)
                socket.set_option(asio::ip::multicast::outbound_interface(iface.v6_index), ec);
        } else {
            socket.set_option(asio::ip::multicast::leave_group(address.to_v6(), iface.v6_index), ec);
        }
    }
    if (ec) {
        // describeError names the group once ("cannot join multicast group G[ on IF]: why").
        ErrorInfo error = describeError(ec, ErrorContext::MulticastJoin,
                                        group.group + (group.interface.empty() ? "" : " on " + group.interface));
        if (!join && error.message.rfind("cannot join", 0) == 0) error.message.replace(0, 11, "cannot leave");
        return error;
    }
    return std::nullopt;
}

void UdpEndpoint::setMulticastMembership(const MulticastGroup& group, bool join) {
    if (!bound()) {
        reportError(ErrorContext::MulticastJoin,
                    {"ENOTCONN", "udp endpoint is not bound: start it first", "UDP 端点尚未绑定：请先启动它"});
        return;
    }
    if (auto error = changeMembership(group, join)) reportError(ErrorContext::MulticastJoin, *error);
}

void UdpEndpoint::stop(CloseMode mode) {
    ++m_generation;
    // A graceful stop sends what the kernel takes now (a `quit` right after many sends); a reset
    // drops the queue. Either way, what did not go is said (UdpTransport::close).
    if (m_transport && mode != CloseMode::Abort) m_transport->flushQueued();
    m_resolver.cancel();
    abandonPendingNames();
    if (m_transport && m_transport->lastSender()) m_lastSender = m_transport->lastSender();   // kept across runs
    if (m_session) m_session->stop();   // its responders end, then its socket closes
    m_session.reset();
    m_transport.reset();
    // After the session: what it reported on the way out is counted, and a restart starts afresh.
    flushRepeatedErrors(std::chrono::steady_clock::now(), true);
    if (state() != EndpointState::Stopped) setState(EndpointState::Stopped);
}

void UdpEndpoint::refresh(std::chrono::steady_clock::time_point now, bool force) {
    flushRepeatedErrors(now);
    StatsEvent stats = makeStats(now);
    if (bound())
        if (const auto drops = m_transport->kernelDrops()) {
            m_ownDrops = true;   // exact, for this socket alone, since it was created
            m_kernelDrops = *drops;
        }
    stats.dropped_messages = m_dropped;
    stats.kernel_drops = m_kernelDrops;
    stats.echo_dropped = m_echoDropped;
    emitStats(std::move(stats), force);
    refreshStages(now, force);
}

void UdpEndpoint::collectWatchedPorts(SocketTableRequest& request) const {
    // Only where the socket cannot tell its own drops: the table sums every socket on the port.
    if (bound() && m_port != 0 && !m_ownDrops) request.udp_ports.push_back(m_port);
}

void UdpEndpoint::applySocketTable(const SocketTableResult& result) {
    if (!bound() || m_ownDrops || !result.udp_drops) return;
    const auto it = result.udp_drops->find(m_port);
    if (it == result.udp_drops->end()) return;
    if (!m_kernelDropsAtStart) m_kernelDropsAtStart = it->second;
    m_kernelDrops = it->second >= *m_kernelDropsAtStart ? it->second - *m_kernelDropsAtStart : it->second;
}

std::uint64_t parseProcNetUdpDrops(std::string_view table_text, std::uint16_t port) {
    std::map<std::uint16_t, std::uint64_t> drops{{port, 0}};
    addProcNetUdpDrops(table_text, drops);
    return drops[port];
}

}  // namespace sockscope
