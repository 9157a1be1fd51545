#include "core/net/udp_endpoint.hpp"

#include <asio/ip/multicast.hpp>
#include <asio/post.hpp>
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

constexpr std::size_t kDatagramsPerRead = 64;   // one recvmmsg
constexpr int kReadsPerWake = 4;                 // then yield to the other endpoints
// UDP payload limits: 65,535 minus the UDP header, and over IPv4 minus its 20-byte header too.
constexpr std::size_t kMaxDatagramV4 = 65507;
constexpr std::size_t kMaxDatagramV6 = 65527;
constexpr std::size_t kMaxDatagram = kMaxDatagramV6;   // before the destination is known
constexpr int kDefaultUdpReceiveBuffer = 4 << 20;

std::string describe(const asio::ip::udp::endpoint& endpoint) {
    return formatEndpoint(endpoint.address(), endpoint.port());
}

/// EMSGSIZE when `size` cannot go to `to` in one datagram (its family's limit).
std::optional<ErrorInfo> datagramTooLarge(std::size_t size, const asio::ip::udp::endpoint& to) {
    const bool v4 = to.address().is_v4() || (to.address().is_v6() && to.address().to_v6().is_v4_mapped());
    const std::size_t limit = v4 ? kMaxDatagramV4 : kMaxDatagramV6;
    if (size <= limit) return std::nullopt;
    const std::string family = v4 ? "IPv4" : "IPv6";
    return ErrorInfo{"EMSGSIZE",
                     "datagram of " + groupDigits(size) + " bytes to " + describe(to) + " is larger than UDP over " +
                         family + " allows (" + groupDigits(limit) + ")",
                     "发往 " + describe(to) + " 的数据报有 " + groupDigits(size) + " 字节，超过了 " + family +
                         " 上 UDP 的上限（" + groupDigits(limit) + " 字节）"};
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
    : Endpoint(context, id, std::move(config)), m_socket(context.io), m_resolver(context.io),
      m_rx(context.queue, id, 0, m_config.framing, EventPriority::Droppable,
           // No connection to close: with on_error "close" the rest of that datagram is ignored.
           [this](const ErrorInfo& error, bool) { reportRepeatable(ErrorContext::Framing, error); }) {
    m_delayed = std::make_unique<DelayedActions>(context.io, kMaxDelayedActions);
    m_gapTimer = std::make_unique<asio::steady_timer>(context.io);
    m_rx.setMessageObserver([this](ByteView message) {
        if (!m_responders.empty()) m_responders.onMessage(*this, message);
    });
}

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
    if (ec == asio::error::address_in_use && endpoint.address().is_v6() && endpoint.address().is_unspecified() &&
        !m_config.options.v6_only.value_or(false)) {
        std::error_code ignored;
        m_socket.close(ignored);
        if (ipv4HoldsDualStackPort<asio::ip::udp::socket>(m_ctx.io, endpoint.port(), m_config.options.reuse_address))
            return failToStart(describeDualStackConflict(m_config.bind, endpoint.port()));
    }
    if (ec) return failToStart(describeError(ec, ErrorContext::Bind, m_config.bind));
    m_socket.non_blocking(true, ec);
    const auto local = m_socket.local_endpoint(ec);
    m_port = local.port();
    m_kernelDropsAtStart.reset();    // taken from the first socket table read (probe thread)
    m_kernelDrops = 0;
    m_ownDrops = false;
    for (const auto& group : m_config.multicast.groups)
        if (auto error = changeMembership(group, true)) reportError(ErrorContext::MulticastJoin, *error);

    EndpointStatus status;
    status.state = EndpointState::Bound;
    status.local = describe(local);
    status.remote = m_config.remote;
    setStatus(std::move(status));
    m_replyTo.reset();
    m_replyToText.clear();
    if (!m_config.remote.empty())
        if (const auto remote = parseHostPort(m_config.remote)) {
            const auto address = asio::ip::make_address(remote->host, ec);
            if (!ec) {
                m_replyTo = asio::ip::udp::endpoint(address, remote->port);
                m_replyToText = describe(*m_replyTo);
            }
        }
    m_responders.onClosed();
    m_responders.attachAll(m_stages, *this);
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
    bool answered = false;
    for (int i = 0; i < kReadsPerWake && !answered; ++i) {
        std::error_code read_error;
        // Several datagrams per system call straight into shared blocks (net/datagram_reader.hpp):
        // the log and the recorders keep these slices, not copies. Responders answer each
        // datagram before the next is read (a log or a recording reads rx, tx, rx, tx): one at a time.
        const std::size_t limit = m_responders.empty() ? kDatagramsPerRead : 1;
        if (m_reader.read(m_socket, m_ctx.read_arena, limit, read_error) == 0) {
            if (read_error == asio::error::would_block || read_error == asio::error::try_again) return armRead();
            // e.g. ECONNREFUSED: an ICMP port-unreachable answered one of our earlier sends.
            reportRepeatable(ErrorContext::Read, describeError(read_error, ErrorContext::Read,
                                                          m_lastSender ? describe(*m_lastSender) : m_config.remote));
            continue;
        }
        for (DatagramReader::Run& run : m_reader.runs()) {   // consecutive datagrams of one sender
            const asio::ip::udp::endpoint& sender = m_reader.senders()[run.sender];
            if (!m_lastSender || *m_lastSender != sender) {   // formatting an address costs more than the read
                m_lastSender = sender;
                m_lastSenderText = describe(sender);
            }
            for (const FrameSpan& datagram : run.datagrams) m_traffic.count(Direction::Rx, datagram.length);
            const auto sends_before = m_sendsQueued;
            if (!m_responders.empty()) {   // they answer this datagram's sender
                m_replyTo = sender;
                m_replyToText = m_lastSenderText;
                for (const FrameSpan& datagram : run.datagrams)
                    m_responders.onReceived(*this, run.bytes.slice(datagram.offset, datagram.length));
            }
            const std::size_t count = run.datagrams.size();
            if (m_rx.onDatagrams(run.bytes, std::move(run.datagrams), m_lastSenderText) == PushResult::Dropped)
                m_dropped += count;
            if (!m_socket.is_open()) return;   // a responder's error stopped nothing, but be safe
            // An answer went out (asio sends at once and posts its completion): let that completion
            // publish the tx before the next datagram's rx.
            if (m_sendsQueued != sends_before) answered = true;
        }
    }
    // Datagrams may remain: readiness is edge-triggered, so waiting now could wait for ever.
    // Yield to the other endpoints and read again.
    m_readArmed = true;
    asio::post(m_ctx.io, [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), generation = m_generation] {
        if (generation != self->m_generation) return;
        self->m_readArmed = false;
        self->onReadable({});
    });
}

void UdpEndpoint::send(Send command) {
    if (!m_socket.is_open()) {
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
    withDestination(command.destination,
                    [this, payload = std::move(command.payload)](std::optional<asio::ip::udp::endpoint> to,
                                                                 std::optional<ErrorInfo> error) mutable {
                        if (error) {
                            const bool resolve = error->code != "EDESTADDRREQ" && error->code != "EINVAL";
                            return reportError(resolve ? ErrorContext::Resolve : ErrorContext::Write, *error);
                        }
                        sendOrReport(*to, std::move(payload));
                    });
}

void UdpEndpoint::withDestination(const std::string& destination, DestinationDone done) {
    std::string target = !destination.empty() ? destination : m_config.remote;
    if (target.empty()) {
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
    if (!ec) return done(asio::ip::udp::endpoint{address, remote->port}, std::nullopt);
    const auto generation = m_generation;
    const auto protocol = m_socket.local_endpoint(ec).protocol();
    m_resolver.async_resolve(protocol, remote->host, std::to_string(remote->port),
                             [self = std::static_pointer_cast<UdpEndpoint>(shared_from_this()), generation, target,
                              done = std::move(done)](std::error_code resolve_error,
                                                      asio::ip::udp::resolver::results_type results) mutable {
                                 if (generation != self->m_generation) return;
                                 if (resolve_error || results.empty())
                                     return done(std::nullopt,
                                                 describeError(resolve_error ? resolve_error : asio::error::host_not_found,
                                                               ErrorContext::Resolve, target));
                                 done(results.begin()->endpoint(), std::nullopt);
                             });
}

std::optional<ErrorInfo> UdpEndpoint::send(Bytes bytes, const FaultsRef& faults) {
    if (!m_socket.is_open()) return ErrorInfo{"ENOTCONN", "udp endpoint is not bound", "UDP 端点尚未绑定"};
    if (!m_replyTo)
        return ErrorInfo{"EDESTADDRREQ", "no datagram to answer yet and no remote address", "尚无可回复的数据报，也没有远端地址"};
    return sendTo(*m_replyTo, std::move(bytes), faults);
}

bool UdpEndpoint::sendLater(std::chrono::milliseconds delay, Bytes bytes, FaultsRef faults) {
    if (!m_replyTo) return false;
    const std::size_t size = bytes.size();
    const bool scheduled = m_delayed->schedule(
        delay, [weak = std::weak_ptr<Endpoint>(shared_from_this()), to = *m_replyTo, bytes = std::move(bytes),
                faults = std::move(faults), size]() mutable {
            auto self = std::static_pointer_cast<UdpEndpoint>(weak.lock());
            if (!self || !self->m_socket.is_open()) return;
            self->m_delayedBytes -= size;
            if (auto error = self->sendTo(to, std::move(bytes), faults)) self->replyDropped(*error);
        });
    if (scheduled) m_delayedBytes += size;
    return scheduled;
}

bool UdpEndpoint::after(std::chrono::milliseconds delay, std::function<void()> fn) {
    return m_delayed->schedule(delay, [weak = std::weak_ptr<Endpoint>(shared_from_this()), fn = std::move(fn)] {
        auto self = weak.lock();
        if (self && std::static_pointer_cast<UdpEndpoint>(self)->m_socket.is_open()) fn();
    });
}

std::size_t UdpEndpoint::room() const {
    const std::size_t used = m_queuedBytes + m_delayedBytes;
    return m_config.write_queue_limit > used ? m_config.write_queue_limit - used : 0;
}

void UdpEndpoint::replyDropped(ErrorInfo why) {
    ++m_echoDropped;   // UDP cannot slow the sender: count, say once
    reportRepeatable(ErrorContext::Write, std::move(why));
}

bool UdpEndpoint::attachResponder(ConnectionId connection, std::shared_ptr<Responder> responder) {
    if (connection != 0 || !m_socket.is_open()) return Endpoint::attachResponder(connection, nullptr);
    m_responders.add(std::move(responder));
    return true;
}

/// A file send's target: datagrams to one destination through the endpoint's send queue.
class UdpFileSink final : public FileSink {
public:
    UdpFileSink(const std::shared_ptr<UdpEndpoint>& endpoint, asio::ip::udp::endpoint destination)
        : m_endpoint(endpoint), m_destination(destination), m_generation(endpoint->m_generation) {}
    std::optional<std::size_t> queued(ErrorInfo& why) const override {
        const auto endpoint = live();
        if (endpoint) return endpoint->m_queuedBytes;
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
        return endpoint->sendTo(m_destination, chunk.toBytes());   // one datagram: its own copy
    }

private:
    std::shared_ptr<UdpEndpoint> live() const {
        auto endpoint = m_endpoint.lock();
        if (!endpoint || endpoint->m_generation != m_generation || !endpoint->m_socket.is_open()) return nullptr;
        return endpoint;
    }
    std::weak_ptr<UdpEndpoint> m_endpoint;
    asio::ip::udp::endpoint m_destination;
    std::uint64_t m_generation;
};

void UdpEndpoint::openFileSinks(const SendFile& command, FileSinksDone done) {
    if (!m_socket.is_open())
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

void UdpEndpoint::sendOrReport(const asio::ip::udp::endpoint& destination, Bytes payload) {
    if (auto error = sendTo(destination, std::move(payload))) reportError(ErrorContext::Write, *error);
}

std::optional<ErrorInfo> UdpEndpoint::sendTo(const asio::ip::udp::endpoint& destination, Bytes payload,
                                             const FaultsRef& faults) {
    if (auto too_large = datagramTooLarge(payload.size(), destination)) return too_large;
    FaultInjector* shape = faults ? faults.get() : m_faults.get();
    const std::size_t piece = shape && shape->splits() ? shape->splitSize() : 0;
    const std::size_t pieces = piece > 0 && payload.size() > piece ? (payload.size() + piece - 1) / piece : 1;
    // Split pieces are counted with a per-datagram overhead: 1-byte pieces must not make the
    // queue's bookkeeping outgrow its byte limit.
    constexpr std::size_t kPieceOverhead = 64;
    const std::size_t cost = payload.size() + (piece > 0 ? pieces * kPieceOverhead : 0);
    if (m_queuedBytes + cost > m_config.write_queue_limit)
        return ErrorInfo{"ENOBUFS",
                         "udp send queue is full (" + groupDigits(m_queuedBytes) + " bytes waiting): datagram to " +
                             describe(destination) + " dropped",
                         "UDP 发送队列已满（" + groupDigits(m_queuedBytes) + " 字节等待发送）：已丢弃发往 " +
                             describe(destination) + " 的数据报"};
    const std::size_t copies =
        shape && m_queuedBytes + 2 * cost <= m_config.write_queue_limit && shape->duplicate() ? 2 : 1;
    if (piece > 0) shape->countPieces(copies * pieces);
    const auto gap = piece > 0 ? shape->splitGap() : std::chrono::milliseconds(0);
    for (std::size_t copy = 0; copy < copies; ++copy) {
        if (piece == 0) {
            m_writeQueue.push_back({destination, copy + 1 < copies ? payload : std::move(payload), gap, cost});
            continue;
        }
        for (std::size_t at = 0; at < payload.size() || at == 0; at += piece) {
            const std::size_t n = std::min(piece, payload.size() - at);
            const auto begin = payload.begin() + static_cast<std::ptrdiff_t>(at);
            m_writeQueue.push_back({destination, Bytes(begin, begin + static_cast<std::ptrdiff_t>(n)), gap,
                                    n + kPieceOverhead});
            if (payload.empty()) break;
        }
    }
    m_queuedBytes += copies * cost;
    ++m_sendsQueued;
    if (!m_writing) startWrite();
    return std::nullopt;
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
            self->m_queuedBytes -= sent.cost;
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
                self->reportRepeatable(ErrorContext::Write,
                                       describeError(ec, ErrorContext::Write, describe(sent.destination)));
            } else {
                self->m_traffic.count(Direction::Tx, sent.payload.size());
                self->m_ctx.queue.push(DataEvent{self->m_id, 0, Direction::Tx, nowUs(), describe(sent.destination),
                                                 std::move(sent.payload)},
                                       EventPriority::Data);
            }
            self->m_fileSends.wake();
            if (sent.gap.count() == 0 || self->m_writeQueue.empty()) return self->startWrite();
            self->m_gapTimer->expires_after(sent.gap);
            self->m_gapTimer->async_wait([self, generation](std::error_code wait_error) {
                if (!wait_error && generation == self->m_generation) self->startWrite();
            });
        });
}

std::optional<ErrorInfo> UdpEndpoint::changeMembership(const MulticastGroup& group, bool join) {
    std::error_code ec;
    const auto address = asio::ip::make_address(group.group, ec);
    if (ec || !address.is_multicast())
        return ErrorInfo{"EINVAL", "\"" + group.group + "\" is not a multicast group address (224.0.0.0/4 or ff00::/8)",
                         "“" + group.group + "”不是组播组地址（224.0.0.0/4 或 ff00::/8）"};
    const bool socket_v6 = m_socket.local_endpoint(ec).protocol() == asio::ip::udp::v6();
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
        // describeError names the group once ("cannot join multicast group G[ on IF]: why").
        ErrorInfo error = describeError(ec, ErrorContext::MulticastJoin,
                                        group.group + (group.interface.empty() ? "" : " on " + group.interface));
        if (!join && error.message.rfind("cannot join", 0) == 0) error.message.replace(0, 11, "cannot leave");
        return error;
    }
    return std::nullopt;
}

void UdpEndpoint::setMulticastMembership(const MulticastGroup& group, bool join) {
    if (!m_socket.is_open()) {
        reportError(ErrorContext::MulticastJoin,
                    {"ENOTCONN", "udp endpoint is not bound: start it first", "UDP 端点尚未绑定：请先启动它"});
        return;
    }
    if (auto error = changeMembership(group, join)) reportError(ErrorContext::MulticastJoin, *error);
}

void UdpEndpoint::stop(CloseMode) {
    ++m_generation;
    flushRepeatedErrors(std::chrono::steady_clock::now(), true);
    std::error_code ignored;
    m_resolver.cancel();
    m_socket.close(ignored);
    m_writeQueue.clear();
    m_queuedBytes = 0;
    m_delayedBytes = 0;
    m_gapTimer->cancel();
    m_writing = false;
    m_readArmed = false;
    m_delayed->cancelAll();
    m_responders.onClosed();
    if (state() != EndpointState::Stopped) setState(EndpointState::Stopped);
}

void UdpEndpoint::refresh(std::chrono::steady_clock::time_point now, bool force) {
    flushRepeatedErrors(now);
    StatsEvent stats = makeStats(now);
    if (m_socket.is_open())
        if (const auto drops = socketDrops(static_cast<std::intptr_t>(m_socket.native_handle()))) {
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
    if (m_socket.is_open() && m_port != 0 && !m_ownDrops) request.udp_ports.push_back(m_port);
}

void UdpEndpoint::applySocketTable(const SocketTableResult& result) {
    if (!m_socket.is_open() || m_ownDrops || !result.udp_drops) return;
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
