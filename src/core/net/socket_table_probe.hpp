#pragma once
// The OS socket tables (TCP sockets per watched port, UDP kernel drops per port) are read on one
// helper thread owned by the engine, never on the I/O thread: a sock_diag dump may wait up to its
// receive timeout, /proc text takes milliseconds on a busy host. One request slot: a new request
// replaces one not yet started (the latest ports win), so a slow table never builds a backlog.
// The result is handed to `deliver` on the helper thread (the engine posts it to the I/O thread).
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/net/tcp_state.hpp"
#include "core/types.hpp"

namespace sockscope {

struct SocketTableRequest {
    std::vector<std::uint16_t> tcp_ports;   // local ports whose TCP sockets are counted by state
    std::vector<std::uint16_t> udp_ports;   // local ports whose UDP kernel drops are summed
    bool empty() const { return tcp_ports.empty() && udp_ports.empty(); }
};

struct SocketTableResult {
    std::optional<PortCountsMap> tcp;                            // nullopt: the table could not be read
    std::optional<std::map<std::uint16_t, std::uint64_t>> udp_drops;
    TimestampUs time_us = 0;                                     // when the tables were read
};

class SocketTableProbe {
public:
    /// Called with the table read for a request that asked for it (on the I/O thread).
    using Callback = std::function<void(const SocketTableResult&)>;
    /// Gets each result with the callbacks of the requests it answers (on the probe thread).
    using Deliver = std::function<void(SocketTableResult, std::vector<Callback>)>;
    explicit SocketTableProbe(Deliver deliver);
    ~SocketTableProbe();                       ///< stop()
    SocketTableProbe(const SocketTableProbe&) = delete;
    SocketTableProbe& operator=(const SocketTableProbe&) = delete;

    /// Never blocks: fills the one request slot, or merges into the request waiting there (ports
    /// united, callbacks kept), so the slot stays bounded by the watched ports.
    void request(SocketTableRequest request, Callback callback = {});
    /// Finishes the read in progress (bounded by the netlink receive timeout) and joins.
    void stop();

private:
    void run();

    Deliver m_deliver;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<SocketTableRequest> m_pending;
    std::vector<Callback> m_callbacks;   // of the pending request
    bool m_stopping = false;
    SocketTableReader m_reader;   // opened with the engine: its descriptors never come and go
    std::thread m_thread;
};

}  // namespace sockscope
