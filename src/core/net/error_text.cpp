// Errors in plain words. Codes are compared with std::errc conditions and asio's own enums (never
// raw errno numbers) so the same table works for POSIX errno, Windows WSA codes and both the
// system and the generic category.
#include "core/net/error_text.hpp"

#include <asio/error.hpp>
#include <asio/ip/address_v6.hpp>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <filesystem>

#include "core/net/fd_limits.hpp"
#include "core/net/tcp_state.hpp"

namespace sockscope {

namespace {

// What we tell apart; errorCodeName and describeError both start from this.
enum class Kind {
    None, Unknown,
    Eof, Canceled,
    NotFound, NoData, TryAgainDns, DnsFailed, ServiceNotFound, SocketTypeNotSupported,
    AddrInUse, AddrNotAvail, ConnRefused, TimedOut, HostUnreach, NetUnreach, HostDown, ConnReset,
    ConnAborted, Pipe, Access, Perm, MFile, NFile, NoBufs, Inval, NetDown, NetReset, NotConn,
    IsConn, Already, InProgress, Again, AfNoSupport, ProtoNoSupport, OpNotSupp, NoProtoOpt,
    NotSock, BadF, MsgSize, NoMem, Intr, NoDev, Shutdown, NameTooLong, Fault, NoEnt,
};

struct KindName { Kind kind; const char* name; };
constexpr KindName kNames[] = {
    {Kind::None, "OK"}, {Kind::Eof, "EOF"}, {Kind::Canceled, "ECANCELED"},
    {Kind::NotFound, "ENOTFOUND"}, {Kind::NoData, "ENOTFOUND"}, {Kind::TryAgainDns, "EAI_AGAIN"},
    {Kind::DnsFailed, "EAI_FAIL"}, {Kind::ServiceNotFound, "EAI_SERVICE"},
    {Kind::SocketTypeNotSupported, "EAI_SOCKTYPE"},
    {Kind::AddrInUse, "EADDRINUSE"}, {Kind::AddrNotAvail, "EADDRNOTAVAIL"},
    {Kind::ConnRefused, "ECONNREFUSED"}, {Kind::TimedOut, "ETIMEDOUT"},
    {Kind::HostUnreach, "EHOSTUNREACH"}, {Kind::NetUnreach, "ENETUNREACH"},
    {Kind::HostDown, "EHOSTDOWN"}, {Kind::ConnReset, "ECONNRESET"},
    {Kind::ConnAborted, "ECONNABORTED"}, {Kind::Pipe, "EPIPE"}, {Kind::Access, "EACCES"},
    {Kind::Perm, "EPERM"}, {Kind::MFile, "EMFILE"}, {Kind::NFile, "ENFILE"},
    {Kind::NoBufs, "ENOBUFS"}, {Kind::Inval, "EINVAL"}, {Kind::NetDown, "ENETDOWN"},
    {Kind::NetReset, "ENETRESET"}, {Kind::NotConn, "ENOTCONN"}, {Kind::IsConn, "EISCONN"},
    {Kind::Already, "EALREADY"}, {Kind::InProgress, "EINPROGRESS"}, {Kind::Again, "EAGAIN"},
    {Kind::AfNoSupport, "EAFNOSUPPORT"}, {Kind::ProtoNoSupport, "EPROTONOSUPPORT"},
    {Kind::OpNotSupp, "EOPNOTSUPP"}, {Kind::NoProtoOpt, "ENOPROTOOPT"}, {Kind::NotSock, "ENOTSOCK"},
    {Kind::BadF, "EBADF"}, {Kind::MsgSize, "EMSGSIZE"}, {Kind::NoMem, "ENOMEM"},
    {Kind::Intr, "EINTR"}, {Kind::NoDev, "ENODEV"}, {Kind::Shutdown, "ESHUTDOWN"},
    {Kind::NameTooLong, "ENAMETOOLONG"}, {Kind::Fault, "EFAULT"}, {Kind::NoEnt, "ENOENT"},
};

// errno-style codes: matched as a std::errc condition (system or generic category) or as asio's
// enum exactly (on Windows asio's enums are the WSA codes).
struct ErrnoMatch { Kind kind; std::errc errc; int asio_code; bool has_errc = true; };
constexpr int kNoAsio = -1;
const ErrnoMatch kErrno[] = {
    {Kind::AddrInUse, std::errc::address_in_use, asio::error::address_in_use},
    {Kind::AddrNotAvail, std::errc::address_not_available, kNoAsio},
    {Kind::ConnRefused, std::errc::connection_refused, asio::error::connection_refused},
    {Kind::TimedOut, std::errc::timed_out, asio::error::timed_out},
    {Kind::HostUnreach, std::errc::host_unreachable, asio::error::host_unreachable},
    {Kind::NetUnreach, std::errc::network_unreachable, asio::error::network_unreachable},
    {Kind::ConnReset, std::errc::connection_reset, asio::error::connection_reset},
    {Kind::ConnAborted, std::errc::connection_aborted, asio::error::connection_aborted},
    {Kind::Pipe, std::errc::broken_pipe, asio::error::broken_pipe},
    {Kind::Access, std::errc::permission_denied, asio::error::access_denied},
    {Kind::Perm, std::errc::operation_not_permitted, asio::error::no_permission},
    {Kind::MFile, std::errc::too_many_files_open, asio::error::no_descriptors},
    {Kind::NFile, std::errc::too_many_files_open_in_system, kNoAsio},
    {Kind::NoBufs, std::errc::no_buffer_space, asio::error::no_buffer_space},
    {Kind::Inval, std::errc::invalid_argument, asio::error::invalid_argument},
    {Kind::Canceled, std::errc::operation_canceled, asio::error::operation_aborted},
    {Kind::NetDown, std::errc::network_down, asio::error::network_down},
    {Kind::NetReset, std::errc::network_reset, asio::error::network_reset},
    {Kind::NotConn, std::errc::not_connected, asio::error::not_connected},
    {Kind::IsConn, std::errc::already_connected, asio::error::already_connected},
    {Kind::Already, std::errc::connection_already_in_progress, asio::error::already_started},
    {Kind::InProgress, std::errc::operation_in_progress, asio::error::in_progress},
    {Kind::Again, std::errc::resource_unavailable_try_again, asio::error::try_again},
    {Kind::Again, std::errc::operation_would_block, asio::error::would_block},
    {Kind::AfNoSupport, std::errc::address_family_not_supported, asio::error::address_family_not_supported},
    {Kind::ProtoNoSupport, std::errc::protocol_not_supported, kNoAsio},
    {Kind::OpNotSupp, std::errc::operation_not_supported, asio::error::operation_not_supported},
    {Kind::NoProtoOpt, std::errc::no_protocol_option, asio::error::no_protocol_option},
    {Kind::NotSock, std::errc::not_a_socket, asio::error::not_socket},
    {Kind::BadF, std::errc::bad_file_descriptor, asio::error::bad_descriptor},
    {Kind::MsgSize, std::errc::message_size, asio::error::message_size},
    {Kind::NoMem, std::errc::not_enough_memory, asio::error::no_memory},
    {Kind::Intr, std::errc::interrupted, asio::error::interrupted},
    {Kind::NoDev, std::errc::no_such_device, asio::error::no_such_device},
    {Kind::Shutdown, std::errc{}, asio::error::shut_down, false},  // ESHUTDOWN has no std::errc
    {Kind::NameTooLong, std::errc::filename_too_long, asio::error::name_too_long},
    {Kind::Fault, std::errc::bad_address, asio::error::fault},
    {Kind::NoEnt, std::errc::no_such_file_or_directory, kNoAsio},
};

// Winsock's codes (winerror.h, and the Win32 code asio reports for a cancelled operation), by number so the table is the same on every OS. On Windows they
// classify the system category's codes that asio has no enum for, and name every message's code.
struct WinsockCode { int code; const char* name; Kind kind; };
constexpr WinsockCode kWinsock[] = {
    {10004, "WSAEINTR", Kind::Intr}, {10009, "WSAEBADF", Kind::BadF},
    {10013, "WSAEACCES", Kind::Access}, {10014, "WSAEFAULT", Kind::Fault},
    {10022, "WSAEINVAL", Kind::Inval}, {10024, "WSAEMFILE", Kind::MFile},
    {10035, "WSAEWOULDBLOCK", Kind::Again}, {10036, "WSAEINPROGRESS", Kind::InProgress},
    {10037, "WSAEALREADY", Kind::Already}, {10038, "WSAENOTSOCK", Kind::NotSock},
    {10040, "WSAEMSGSIZE", Kind::MsgSize}, {10042, "WSAENOPROTOOPT", Kind::NoProtoOpt},
    {10043, "WSAEPROTONOSUPPORT", Kind::ProtoNoSupport}, {10045, "WSAEOPNOTSUPP", Kind::OpNotSupp},
    {10047, "WSAEAFNOSUPPORT", Kind::AfNoSupport}, {10048, "WSAEADDRINUSE", Kind::AddrInUse},
    {10049, "WSAEADDRNOTAVAIL", Kind::AddrNotAvail}, {10050, "WSAENETDOWN", Kind::NetDown},
    {10051, "WSAENETUNREACH", Kind::NetUnreach}, {10052, "WSAENETRESET", Kind::NetReset},
    {10053, "WSAECONNABORTED", Kind::ConnAborted}, {10054, "WSAECONNRESET", Kind::ConnReset},
    {10055, "WSAENOBUFS", Kind::NoBufs}, {10056, "WSAEISCONN", Kind::IsConn},
    {10057, "WSAENOTCONN", Kind::NotConn}, {10058, "WSAESHUTDOWN", Kind::Shutdown},
    {10060, "WSAETIMEDOUT", Kind::TimedOut}, {10061, "WSAECONNREFUSED", Kind::ConnRefused},
    {10063, "WSAENAMETOOLONG", Kind::NameTooLong}, {10064, "WSAEHOSTDOWN", Kind::HostDown},
    {10065, "WSAEHOSTUNREACH", Kind::HostUnreach}, {11001, "WSAHOST_NOT_FOUND", Kind::NotFound},
    {11002, "WSATRY_AGAIN", Kind::TryAgainDns}, {11003, "WSANO_RECOVERY", Kind::DnsFailed},
    {11004, "WSANO_DATA", Kind::NoData},
    {995, "ERROR_OPERATION_ABORTED", Kind::Canceled},   // Win32: an overlapped operation was cancelled
};

const WinsockCode* findWinsock(int code) {
    for (const WinsockCode& w : kWinsock)
        if (w.code == code) return &w;
    return nullptr;
}

#if defined(_WIN32)
/// A Winsock code of the system category (what asio and Winsock report on Windows).
const WinsockCode* winsockOf(std::error_code ec) {
    if (ec.category() != std::system_category() && ec.category() != asio::error::get_system_category())
        return nullptr;
    return findWinsock(ec.value());
}
#endif

bool matches(std::error_code ec, const ErrnoMatch& m) {
    if (m.asio_code != kNoAsio &&
        ec == std::error_code(m.asio_code, asio::error::get_system_category()))
        return true;
    return m.has_errc && ec == m.errc;
}

Kind classify(std::error_code ec) {
    if (!ec) return Kind::None;
    // asio's own categories first: their values overlap errno numbers.
    if (ec == asio::error::eof) return Kind::Eof;
    if (ec == asio::error::not_found) return Kind::NoEnt;
    if (ec == asio::error::host_not_found) return Kind::NotFound;
    if (ec == asio::error::host_not_found_try_again) return Kind::TryAgainDns;
    if (ec == asio::error::no_data) return Kind::NoData;
    if (ec == asio::error::no_recovery) return Kind::DnsFailed;
    if (ec == asio::error::service_not_found) return Kind::ServiceNotFound;
    if (ec == asio::error::socket_type_not_supported) return Kind::SocketTypeNotSupported;
    if (ec.category() == asio::error::get_misc_category() ||
        ec.category() == asio::error::get_netdb_category() ||
        ec.category() == asio::error::get_addrinfo_category()) {
        // On POSIX these categories are distinct from errno; don't misread them as errno below.
        if (ec.category() != asio::error::get_system_category()) return Kind::Unknown;
    }
    for (const ErrnoMatch& m : kErrno)
        if (matches(ec, m)) return m.kind;
#if defined(_WIN32)
    if (const WinsockCode* w = winsockOf(ec)) return w->kind;
#endif
#if defined(EHOSTDOWN)
    if ((ec.category() == std::system_category() || ec.category() == std::generic_category()) &&
        ec.value() == EHOSTDOWN)
        return Kind::HostDown;
#endif
    return Kind::Unknown;
}

const char* kindName(Kind kind) {
    for (const KindName& n : kNames)
        if (n.kind == kind) return n.name;
    return nullptr;
}

/// "host:port" split; "[v6]:port" unbracketed; a bare IPv6 address (several colons) has no port.
struct Target {
    std::string host;
    bool has_port = false;
    std::uint16_t port = 0;
};

Target splitTarget(const std::string& text) {
    Target t;
    std::string port_text;
    if (!text.empty() && text[0] == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string::npos) { t.host = text; return t; }
        t.host = text.substr(1, close - 1);
        if (close + 1 < text.size() && text[close + 1] == ':') port_text = text.substr(close + 2);
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) { t.host = text; return t; }
        t.host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    if (port_text.empty() || port_text.size() > 5) return t;
    unsigned value = 0;
    for (char c : port_text) {
        if (c < '0' || c > '9') return t;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return t;
    t.has_port = true;
    t.port = static_cast<std::uint16_t>(value);
    return t;
}

std::string plural(std::uint32_t n, const char* singular, const char* plural_form) {
    return std::to_string(n) + " " + (n == 1 ? singular : plural_form);
}

/// "5 s", "1.5 s", "250 ms".
std::string formatTimeout(int ms) {
    if (ms < 1000) return std::to_string(ms) + " ms";
    std::string text = std::to_string(ms / 1000);
    int rest = ms % 1000;
    if (rest != 0) {
        std::string frac = std::to_string(rest);
        frac.insert(0, 3 - frac.size(), '0');
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        text += "." + frac;
    }
    return text + " s";
}

/// The OS's own text, made to fit our style (lowercase first, no trailing period).
std::string osText(std::error_code ec) {
    std::string text = ec.message();
    while (!text.empty() && (text.back() == '.' || text.back() == ' ' || text.back() == '\n' ||
                             text.back() == '\r'))
        text.pop_back();
    if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text.empty() ? "error " + std::to_string(ec.value()) : text;
}

/// One sentence in both languages of the UI (English is also what headless prints). Each
/// message below is written twice, side by side, so the two can never say different things.
struct Words {
    std::string en;
    std::string zh;
};

/// "bind to 127.0.0.1:60000", "connect to ...": what failed, for the generic fallback.
Words action(ErrorContext context, const std::string& target) {
    const bool none = target.empty();
    const std::string t = none ? std::string() : " " + target;
    switch (context) {
        case ErrorContext::Bind: return {"bind" + (none ? "" : " to" + t), none ? "绑定" : "绑定到" + t};
        case ErrorContext::Listen: return {"listen" + (none ? "" : " on" + t), none ? "监听" : "在" + t + " 上监听"};
        case ErrorContext::Accept:
            return {"accept a connection" + (none ? "" : " on" + t), none ? "接受连接" : "在" + t + " 上接受连接"};
        case ErrorContext::Connect: return {"connect" + (none ? "" : " to" + t), none ? "连接" : "连接到" + t};
        case ErrorContext::Resolve:
            return {"resolve" + (none ? "" : " '" + target + "'"), none ? "解析地址" : "解析 '" + target + "'"};
        case ErrorContext::Read: return {"receive" + (none ? "" : " from" + t), none ? "接收" : "从" + t + " 接收"};
        case ErrorContext::Write: return {"send" + (none ? "" : " to" + t), none ? "发送" : "发送到" + t};
        case ErrorContext::SetOption:
            return {"set a socket option" + (none ? "" : " on" + t), none ? "设置套接字选项" : "在" + t + " 上设置套接字选项"};
        case ErrorContext::MulticastJoin: return {"join multicast group" + t, "加入组播组" + t};
        case ErrorContext::Config: return {"apply the setting" + t, "应用设置" + t};
        case ErrorContext::Framing:
            return {"frame the data" + (none ? "" : " from" + t), none ? "对数据分帧" : "对来自" + t + " 的数据分帧"};
        case ErrorContext::Other: break;
    }
    return {none ? "complete the operation" : "complete the operation on" + t, none ? "完成操作" : "在" + t + " 上完成操作"};
}

/// "cannot <action>: <reason>" / "无法<action>：<reason>".
Words cannot(ErrorContext context, const std::string& target, const Words& reason) {
    const Words a = action(context, target);
    return {"cannot " + a.en + ": " + reason.en, "无法" + a.zh + "：" + reason.zh};
}

Words generic(std::error_code ec, ErrorContext context, const std::string& target) {
    const std::string os = osText(ec);
    return cannot(context, target, {os, os});
}

bool isBindLike(ErrorContext c) { return c == ErrorContext::Bind || c == ErrorContext::Listen; }

#if defined(_WIN32)
// Where Windows differs from Linux: SO_REUSEADDR there also shares a port that is being listened on.
const Words kReuseNote{": on Windows it also lets a second socket bind a port another one listens on, unless that one "
                       "took it with SO_EXCLUSIVEADDRUSE",
                       "：在 Windows 上它还让第二个套接字能绑定另一个套接字正在监听的端口，除非后者以 "
                       "SO_EXCLUSIVEADDRUSE 占用它"};
#else
const Words kReuseNote{": a restart can bind over TIME_WAIT only when the earlier listener had it on too",
                       "：只有之前的监听套接字也开启了它，重启后才能绑定到 TIME_WAIT 之上"};
#endif

Words addrInUse(ErrorContext context, const std::string& target, const Target& t, const PortStateCounts* counts) {
    if (context == ErrorContext::Connect)
        return {"cannot connect to " + target + ": the local address and port are already in use (a fixed local port "
                "still held by an earlier connection, or no free ephemeral port)",
                "无法连接到 " + target + "：本地地址和端口已被占用（固定的本地端口仍被之前的连接占用，或没有空闲的临时端口）"};
    if (!t.has_port)
        return {"address " + target + " is already in use by another socket", "地址 " + target + " 已被另一个套接字占用"};
    if (t.port == 0)
        return {"no free port is left to bind " + target + ": all ephemeral ports are in use",
                "没有空闲端口可绑定 " + target + "：所有临时端口都已占用"};
    const std::string port = std::to_string(t.port);
    if (counts != nullptr) {
        const std::uint32_t listening = counts->count(TcpState::Listen);
        const std::uint32_t time_wait = counts->count(TcpState::TimeWait);
        if (listening > 0)
            return {"port " + port + " is already in use: another socket is listening on " + target +
                        " (stop it or pick another port)",
                    "端口 " + port + " 已被占用：另一个套接字正在 " + target + " 上监听（停止它或换一个端口）"};
        if (time_wait > 0 && time_wait == counts->total())
            return {"port " + port + " is still held by " + plural(time_wait, "TIME_WAIT socket", "TIME_WAIT sockets") +
                        " from earlier connections (this side closed first); wait up to 60 s, or keep SO_REUSEADDR "
                        "(reuse_address) on" + kReuseNote.en,
                    "端口 " + port + " 仍被之前连接留下的 " + std::to_string(time_wait) +
                        " 个 TIME_WAIT 套接字占用（本端先关闭）；最多等待 60 秒，或保持 SO_REUSEADDR（reuse_address）开启" +
                        kReuseNote.zh};
        if (counts->total() > 0) {
            std::string list;
            for (std::size_t i = 0; i < kTcpStateCount; ++i) {
                if (counts->by_state[i] == 0) continue;
                if (!list.empty()) list += ", ";
                list += std::to_string(counts->by_state[i]) + " " + toString(static_cast<TcpState>(i));
            }
            return {"port " + port + " is still used by sockets of earlier connections (" + list +
                        "); close them, or enable SO_REUSEADDR (reuse_address) to bind over them",
                    "端口 " + port + " 仍被之前连接的套接字使用（" + list +
                        "）；关闭它们，或开启 SO_REUSEADDR（reuse_address）以绑定到它们之上"};
        }
    }
    return {"port " + port + " is already in use: another socket holds " + target +
                " (stop the program using it or pick another port)",
            "端口 " + port + " 已被占用：另一个套接字占用了 " + target + "（停止使用它的程序或换一个端口）"};
}

/// "fe80::1" without "%interface": the OS cannot tell which link is meant.
bool linkLocalWithoutZone(const std::string& host) {
    if (host.find('%') != std::string::npos) return false;
    std::error_code ec;
    const auto address = asio::ip::make_address_v6(host, ec);
    return !ec && address.is_link_local();
}

Words invalid(std::error_code ec, ErrorContext context, const std::string& target) {
    if (const Target t = splitTarget(target); linkLocalWithoutZone(t.host)) {
        const std::string example = "[" + t.host + "%eth0]" + (t.has_port ? ":" + std::to_string(t.port) : "");
        return cannot(context, target,
                      {"a link-local IPv6 address needs a zone (the interface it is on), e.g. " + example,
                       "链路本地 IPv6 地址需要指明区域（它所在的网卡），例如 " + example});
    }
    switch (context) {
        case ErrorContext::Bind:
            return {"cannot bind to " + target + ": the address is not valid for this socket (wrong IP version, or "
                    "the socket is already bound)",
                    "无法绑定到 " + target + "：该地址对此套接字无效（IP 版本不对，或套接字已绑定）"};
        case ErrorContext::Listen:
            return {"cannot listen on " + target + ": the socket cannot listen in its current state (not bound, or "
                    "already connected)",
                    "无法在 " + target + " 上监听：套接字在当前状态下不能监听（未绑定，或已连接）"};
        case ErrorContext::Connect:
            return {"cannot connect to " + target + ": not a valid destination (port 0, a broadcast or multicast "
                    "address, or the wrong IP version)",
                    "无法连接到 " + target + "：不是有效的目标（端口 0、广播或组播地址，或 IP 版本不对）"};
        case ErrorContext::SetOption:
            return {"the OS rejected a socket option on " + target + ": the value is out of range or the option does "
                    "not apply to this socket",
                    "系统拒绝了 " + target + " 上的套接字选项：取值超出范围，或该选项不适用于此套接字"};
        case ErrorContext::MulticastJoin:
            return {"cannot join multicast group " + target + ": it is not a multicast address, or the interface is "
                    "not valid",
                    "无法加入组播组 " + target + "：它不是组播地址，或网卡无效"};
        case ErrorContext::Config: return {"invalid setting: " + target, "无效的设置：" + target};
        case ErrorContext::Read:
        case ErrorContext::Write:
            return cannot(context, target,
                          {"the socket is not in a state that allows it (not connected or already shut down)",
                           "套接字当前的状态不允许这样做（未连接，或已关闭）"});
        default: return generic(ec, context, target);
    }
}

Words describe(Kind kind, std::error_code ec, ErrorContext context, const std::string& target,
               const PortStateCounts* counts, int timeout_ms) {
    const Target t = splitTarget(target);
    const std::string host = t.host.empty() ? target : t.host;
    const Words peer = target.empty() ? Words{"the peer", "对端"} : Words{"the peer " + target, "对端 " + target + " "};
    const bool on_data = context == ErrorContext::Read || context == ErrorContext::Write;
    switch (kind) {
        case Kind::None: return {"no error", "没有错误"};
        case Kind::AddrInUse: return addrInUse(context, target, t, counts);
        case Kind::AddrNotAvail:
            if (isBindLike(context))
                return {"address " + host + " is not an address of this machine: bind to one of its own addresses, "
                        "or 0.0.0.0 / [::] for all",
                        "地址 " + host + " 不是本机的地址：请绑定本机自己的某个地址，或用 0.0.0.0 / [::] 表示全部"};
            if (context == ErrorContext::MulticastJoin)
                return {"cannot join multicast group " + target + ": the interface address is not an address of "
                        "this machine",
                        "无法加入组播组 " + target + "：网卡地址不是本机的地址"};
            if (context == ErrorContext::Connect)
                return {"cannot connect to " + target + ": no free local port, or the destination is not valid (such "
                        "as port 0)",
                        "无法连接到 " + target + "：没有空闲的本地端口，或目标无效（例如端口 0）"};
            return cannot(context, target, {"the address is not available here", "这里没有这个地址"});
        case Kind::ConnRefused:
            if (on_data)
                return {"nothing listens on " + target + ": it answered a datagram with 'port unreachable' (or a "
                        "firewall rejected it)",
                        target + " 上没有程序在监听：它对数据报回复了“端口不可达”（或被防火墙拒绝）"};
            return {"connection refused by " + target + ": nothing is listening on that port (or a firewall "
                    "rejected it)",
                    target + " 拒绝连接：该端口上没有程序在监听（或被防火墙拒绝）"};
        case Kind::TimedOut: {
            if (on_data)
                return {"the connection to " + target + " timed out: the peer stopped acknowledging data or "
                        "keepalive probes (host down, cable pulled, or a firewall dropped the connection)",
                        "到 " + target + " 的连接超时：对端不再确认数据或保活探测（主机关机、网线被拔，或防火墙丢弃了连接）"};
            const std::string within = timeout_ms > 0 ? formatTimeout(timeout_ms) : std::string();
            return {"no answer from " + target + (within.empty() ? "" : " within " + within) +
                        ": the host is down, unreachable, or a firewall drops the packets",
                    target + (within.empty() ? "" : " 在 " + within + " 内") +
                        "没有应答：主机关机、不可达，或防火墙丢弃了数据包"};
        }
        case Kind::HostUnreach:
            return {"host " + host + " is unreachable: no route to it (the host is down or not on this network, or a "
                    "firewall rejects the packets)",
                    "主机 " + host + " 不可达：没有到它的路由（主机关机或不在此网络上，或防火墙拒绝了数据包）"};
        case Kind::HostDown:
            return {"host " + host + " is down: it does not answer on the local network",
                    "主机 " + host + " 已关机：它在本地网络上没有应答"};
        case Kind::NetUnreach:
            return {"network unreachable: this machine has no route to " + host + " (check the address, the network "
                    "interface and the default gateway)",
                    "网络不可达：本机没有到 " + host + " 的路由（请检查地址、网卡和默认网关）"};
        case Kind::NotFound:
            return {"cannot resolve '" + host + "': the name is unknown to DNS / hosts file",
                    "无法解析 '" + host + "'：DNS / hosts 文件中没有这个名字"};
        case Kind::NoData:
            return {"cannot resolve '" + host + "': the name exists but has no address (of the requested IP version)",
                    "无法解析 '" + host + "'：这个名字存在，但没有（所需 IP 版本的）地址"};
        case Kind::TryAgainDns:
            return {"cannot resolve '" + host + "' right now: the DNS server did not answer (temporary failure; check "
                    "the network and DNS settings)",
                    "暂时无法解析 '" + host + "'：DNS 服务器没有应答（临时故障；请检查网络和 DNS 设置）"};
        case Kind::DnsFailed:
            return {"cannot resolve '" + host + "': the DNS server failed (non-recoverable error)",
                    "无法解析 '" + host + "'：DNS 服务器出错（不可恢复的错误）"};
        case Kind::ServiceNotFound:
            return {"unknown port in '" + target + "': use a number from 1 to 65535",
                    "'" + target + "' 中的端口无法识别：请使用 1 到 65535 的数字"};
        case Kind::Access: {
            const std::string port = std::to_string(t.port);
#if defined(_WIN32)
            // Windows has no privileged ports: WSAEACCES on bind means the port is not shared.
            if (isBindLike(context) && t.has_port && t.port > 0)
                return {"cannot bind " + target + ": another socket holds port " + port + " exclusively "
                            "(SO_EXCLUSIVEADDRUSE, which keeps SO_REUSEADDR sockets from sharing it), or Windows "
                            "reserves it (netsh int ipv4 show excludedportrange protocol=tcp); stop the program "
                            "using it or pick another port",
                        "无法绑定 " + target + "：另一个套接字独占了端口 " + port +
                            "（SO_EXCLUSIVEADDRUSE，使 SO_REUSEADDR 套接字也不能共享它），或 Windows 保留了它"
                            "（netsh int ipv4 show excludedportrange protocol=tcp）；请停止使用它的程序或换一个端口"};
#else
            if (isBindLike(context) && t.has_port && t.port > 0 && t.port < 1024)
                return {"port " + port + " is privileged: binding below 1024 needs root or CAP_NET_BIND_SERVICE (or "
                        "use a port ≥ 1024)",
                        "端口 " + port + " 是特权端口：绑定 1024 以下的端口需要 root 或 CAP_NET_BIND_SERVICE（或使用 ≥ 1024 的端口）"};
#endif
            if (isBindLike(context))
                return {"permission denied binding " + target + ": the OS reserves this port or a security policy "
                        "(firewall, SELinux/AppArmor) forbids it",
                        "绑定 " + target + " 时权限不足：系统保留了这个端口，或安全策略（防火墙、SELinux/AppArmor）禁止这样做"};
            if (context == ErrorContext::Write || context == ErrorContext::Connect)
                return {"permission denied sending to " + target + ": a broadcast address needs the broadcast option "
                        "(SO_BROADCAST), otherwise a firewall rule blocks it",
                        "发送到 " + target + " 时权限不足：广播地址需要开启广播选项（SO_BROADCAST），否则是防火墙规则阻止了它"};
            const Words a = action(context, target);
            return {"permission denied: cannot " + a.en, "权限不足：无法" + a.zh};
        }
        case Kind::Perm: {
            if (context == ErrorContext::Write || context == ErrorContext::Connect)
                return {"a local firewall rule blocks traffic to " + target + " (or the operation needs more "
                        "privileges)",
                        "本机的防火墙规则阻止了发往 " + target + " 的流量（或该操作需要更高的权限）"};
            const Words a = action(context, target);
            return {"not permitted: cannot " + a.en + " without more privileges", "不允许：没有更高的权限无法" + a.zh};
        }
        case Kind::MFile: {
            const std::size_t limit = openFileLimit();
            if (limit > 0 && limit != SIZE_MAX)
                return {"too many open files: the process hit its limit of " + std::to_string(limit) +
                            " file descriptors (ulimit -n); close connections or raise the limit",
                        "打开的文件过多：进程达到了 " + std::to_string(limit) +
                            " 个文件描述符的上限（ulimit -n）；请关闭一些连接或提高上限"};
            return {"too many open files: the process hit its file descriptor limit; close connections or raise the "
                    "limit",
                    "打开的文件过多：进程达到了文件描述符的上限；请关闭一些连接或提高上限"};
        }
        case Kind::NFile:
            return {"the whole system ran out of file descriptors (fs.file-max); close connections or other programs",
                    "整个系统的文件描述符已用尽（fs.file-max）；请关闭一些连接或其他程序"};
        case Kind::NoBufs: {
            if (context == ErrorContext::MulticastJoin)
                return {"cannot join multicast group " + target + ": the system limit of group memberships is "
                        "reached (net.ipv4.igmp_max_memberships)",
                        "无法加入组播组 " + target + "：已达到系统的组播成员数上限（net.ipv4.igmp_max_memberships）"};
            const Words a = action(context, target);
            return {"the system ran out of socket buffer space while trying to " + a.en +
                        ": too much data is queued or too many sockets are open; send less at once or close connections",
                    "系统在尝试" + a.zh + "时套接字缓冲区不足：排队的数据太多或打开的套接字太多；请一次少发一些或关闭一些连接"};
        }
        case Kind::Inval: return invalid(ec, context, target);
        case Kind::ConnReset:
            return {peer.en + " reset the connection (RST): it aborted, or closed with data left unread",
                    peer.zh + "重置了连接（RST）：它异常中止了，或在还有数据未读时关闭了连接"};
        case Kind::ConnAborted:
            if (context == ErrorContext::Accept)
                return {"a client connection on " + target + " was aborted before it was accepted",
                        target + " 上的一个客户端连接在被接受之前就中止了"};
            return {"the connection to " + target + " was aborted by this machine's network stack (timeout or "
                    "protocol error)",
                    "到 " + target + " 的连接被本机的网络协议栈中止（超时或协议错误）"};
        case Kind::Pipe:
            return {"cannot send to " + target + ": the connection is already closed (the peer reset it, or this side "
                    "shut down sending)",
                    "无法发送到 " + target + "：连接已经关闭（对端重置了它，或本端已关闭发送）"};
        case Kind::Canceled:
            return {"the operation on " + target + " was cancelled (the endpoint was stopped or the connection "
                    "closed)",
                    target + " 上的操作已取消（端点已停止或连接已关闭）"};
        case Kind::Eof:
            return {peer.en + " closed the connection (end of stream)", peer.zh + "关闭了连接（数据流结束）"};
        case Kind::NetDown:
            return {"the network interface used to reach " + host + " is down", "用于到达 " + host + " 的网卡已停用"};
        case Kind::NetReset:
            return {"the network dropped the connection to " + target + " (network reset)",
                    "网络断开了到 " + target + " 的连接（网络重置）"};
        case Kind::NotConn: return cannot(context, target, {"the socket is not connected", "套接字未连接"});
        case Kind::MsgSize:
            return {"the datagram to " + target + " is too large: UDP carries at most 65507 bytes over IPv4, and the "
                    "path MTU limits it when fragmenting is not allowed",
                    "发往 " + target + " 的数据报太大：UDP 在 IPv4 上最多承载 65507 字节，不允许分片时还受路径 MTU 限制"};
        case Kind::AfNoSupport:
            return cannot(context, target,
                          {"this IP version is not supported here (IPv6 disabled, or an IPv4 socket given an IPv6 "
                           "address)",
                           "这里不支持该 IP 版本（IPv6 已禁用，或给 IPv4 套接字用了 IPv6 地址）"});
        case Kind::NoDev: return cannot(context, target, {"no such network interface", "没有这个网卡"});
        default: return generic(ec, context, target);
    }
}

}  // namespace

ErrorInfo describeDualStackConflict(const std::string& target, std::uint16_t port) {
    const std::string p = std::to_string(port);
    return {"EADDRINUSE",
            "port " + p + " is held by an IPv4 socket (such as a listener on 0.0.0.0:" + p + "): " + target +
                " is dual-stack and needs the port free for IPv4 too; set v6_only (IPV6_V6ONLY) to use IPv6 only, or "
                "pick another port",
            "端口 " + p + " 被一个 IPv4 套接字占用（例如 0.0.0.0:" + p + " 上的监听）：" + target +
                " 是双栈地址，IPv4 的这个端口也必须空闲；设置 v6_only（IPV6_V6ONLY）只用 IPv6，或换一个端口"};
}

const char* winsockErrorName(int code) {
    const WinsockCode* w = findWinsock(code);
    return w != nullptr ? w->name : nullptr;
}

std::string errorCodeName(std::error_code ec) {
    const Kind kind = classify(ec);
    if (const char* name = kindName(kind)) return name;
    return "E" + std::to_string(ec.value());
}

ErrorInfo describeError(std::error_code ec, ErrorContext context, const std::string& target,
                        const PortStateCounts* port_counts, int timeout_ms) {
    const Kind kind = classify(ec);
    ErrorInfo info;
    const char* name = kindName(kind);
    info.code = name != nullptr ? name : "E" + std::to_string(ec.value());
    // Every message names its target; an empty one would leave holes in the sentence.
    const std::string shown = target.empty() ? std::string("(no address given)") : target;
    Words words = describe(kind, ec, context, shown, port_counts, timeout_ms);
    info.message = std::move(words.en);
    info.message_zh = std::move(words.zh);
#if defined(_WIN32)
    // The name Windows users search for, beside the portable code.
    if (const WinsockCode* w = winsockOf(ec)) {
        const std::string suffix = " [" + std::string(w->name) + " " + std::to_string(w->code) + "]";
        info.message += suffix;
        info.message_zh += suffix;
    }
#endif
    return info;
}

const char* toString(ErrorContext context) {
    switch (context) {
        case ErrorContext::Bind: return "bind";
        case ErrorContext::Listen: return "listen";
        case ErrorContext::Accept: return "accept";
        case ErrorContext::Connect: return "connect";
        case ErrorContext::Resolve: return "resolve";
        case ErrorContext::Read: return "read";
        case ErrorContext::Write: return "write";
        case ErrorContext::SetOption: return "set_option";
        case ErrorContext::MulticastJoin: return "multicast_join";
        case ErrorContext::Config: return "config";
        case ErrorContext::Other: return "other";
        case ErrorContext::Framing: return "framing";
    }
    return "other";
}

namespace {
std::string fileErrorName(std::error_code ec) {
    static const std::pair<std::errc, const char*> names[] = {
        {std::errc::no_space_on_device, "ENOSPC"}, {std::errc::permission_denied, "EACCES"},
        {std::errc::operation_not_permitted, "EPERM"}, {std::errc::read_only_file_system, "EROFS"},
        {std::errc::no_such_file_or_directory, "ENOENT"}, {std::errc::is_a_directory, "EISDIR"},
        {std::errc::not_a_directory, "ENOTDIR"}, {std::errc::io_error, "EIO"}, {std::errc::file_too_large, "EFBIG"},
        {std::errc::too_many_files_open, "EMFILE"}, {std::errc::bad_file_descriptor, "EBADF"}};
    for (const auto& [errc, name] : names)
        if (ec == errc) return name;
#if defined(EDQUOT)
    if (ec.value() == EDQUOT && ec.category() == std::generic_category()) return "EDQUOT";
#endif
    return errorCodeName(ec);
}

Words fileErrorWords(std::error_code ec, const std::string& path, FileOp op) {
    const bool reading = op == FileOp::Read;
    if (ec == std::errc::no_space_on_device) return {"the disk is full", "磁盘已满"};
#if defined(EDQUOT)
    if (ec.value() == EDQUOT && ec.category() == std::generic_category())
        return {"the disk quota is used up", "磁盘配额已用完"};
#endif
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted)
        return reading ? Words{"permission denied: this user may not read it", "权限不足：当前用户不能读取它"}
                       : Words{"permission denied", "权限不足"};
    if (ec == std::errc::read_only_file_system) return {"the file system is read-only", "文件系统是只读的"};
    if (ec == std::errc::no_such_file_or_directory) {
        if (reading)
            return {"it does not exist (check the path; relative paths start in the current directory)",
                    "文件不存在（请检查路径；相对路径从当前目录算起）"};
        const std::filesystem::path parent = std::filesystem::path(path).parent_path();
        std::error_code dir_error;
        if (parent.empty() || std::filesystem::is_directory(parent, dir_error))   // e.g. /proc, /sys
            return {"no file can be created in that directory", "该目录中不能创建文件"};
        const std::string dir = parent.string();
        if (op == FileOp::Open)   // a recorder's first file: it made the missing directories, or tried
            return {"the directory " + dir + " does not exist and could not be created",
                    "目录 " + dir + " 不存在，也无法创建"};
        return {"the directory " + dir + " does not exist", "目录 " + dir + " 不存在"};
    }
    if (ec == std::errc::is_a_directory)
        return reading ? Words{"it is a directory, not a file", "这是一个目录，不是文件"} : Words{"it is a directory", "这是一个目录"};
    if (ec == std::errc::not_a_directory)
        return {"a part of the path is a file, not a directory", "路径中有一部分是文件，不是目录"};
    if (ec == std::errc::too_many_files_open) return {"too many open files (ulimit -n)", "打开的文件过多（ulimit -n）"};
    const std::string os = ec.message();
    return {os, os};
}
}  // namespace

ErrorInfo describeFileError(std::error_code ec, const std::string& path, FileOp op) {
    Words opening;
    switch (op) {
        case FileOp::Read: opening = {"cannot read file \"" + path + "\"", "无法读取文件 \"" + path + "\""}; break;
        case FileOp::Open: opening = {"cannot open " + path, "无法打开 " + path}; break;
        case FileOp::Write: opening = {"cannot write " + path, "无法写入 " + path}; break;
        case FileOp::NewFile: opening = {"cannot start a new file " + path, "无法开始新文件 " + path}; break;
    }
    const Words words = fileErrorWords(ec, path, op);
    return {fileErrorName(ec), opening.en + ": " + words.en, opening.zh + "：" + words.zh};
}

}  // namespace sockscope
