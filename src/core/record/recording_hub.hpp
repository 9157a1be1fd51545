#pragma once
// The recorders of one engine, as a tap on its event queue: every event an endpoint publishes
// (data with its frames, connections opening and closing, datagrams with their peer, errors) is
// offered to each recorder whose scope takes it, on the I/O thread, before the front end sees it.
// Of a framed endpoint's reads, pcapng and receive-to-file take the bytes as they arrived
// (DataLayer::Wire), the other formats the frames.
// Endpoint names, kinds and the connections' addresses are kept here so that a record carries
// what its format needs. Receive-to-file recorders come from the endpoints' configurations.
#include <functional>
#include <map>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/endpoint_config.hpp"
#include "core/event_queue.hpp"
#include "core/record/recorder.hpp"

namespace sockscope {

class RecordingHub final : public EventTap {
public:
    /// `resume` restarts readers paused for a recorder (it must only post to the I/O thread);
    /// `emit` publishes an event (a RecordingStatus) from the I/O thread.
    RecordingHub(std::function<void()> resume, std::function<void(Event)> emit);
    ~RecordingHub() override;

    // --- I/O thread
    void start(RecordingId id, RecordingConfig config);
    void stop(RecordingId id);
    void endpointAdded(EndpointId id, const EndpointConfig& config);
    void endpointRemoved(EndpointId id);
    /// Publishes each recorder's status when it changed; joins the writers that have finished.
    void refresh();

    // --- EventTap (I/O thread, from EventQueue::push)
    bool observe(const Event& event, EventPriority priority) override;
    bool overBudget() override;
    bool wantsWire() const override;

    /// After the I/O thread has ended: each writer writes what it holds (each given `grace`),
    /// then the final statuses are published.
    void stopAll(std::chrono::milliseconds grace);

private:
    struct EndpointInfo {
        std::string name;
        EndpointType type = EndpointType::TcpClient;
        std::string local;   // udp: the bound address
        bool begun = false;  // left the "stopped" the engine announces a new endpoint with
    };
    struct Entry {
        std::unique_ptr<Recorder> recorder;
        RecordScope scope;
        bool wire = false;   // its tap kind's `wire`, looked up once (asked per data event)
        RecordingStatus last_sent;
        bool sent = false;
        std::chrono::steady_clock::time_point stop_asked{};   // when stop() was asked (the grace counts from it)
    };
    static constexpr std::chrono::milliseconds kStopGrace{2000};   // a writer stuck longer is given up, and said
    /// `shutdown`: the engine is stopping it (the end of a run), which its final status says.
    void publish(Entry& entry, bool force, bool shutdown = false);
    bool inScope(const Entry& entry, EndpointId endpoint, ConnectionId connection) const;
    static bool keepsWire(const Entry& entry);

    std::function<void()> m_resume;
    std::function<void(Event)> m_emit;
    std::map<RecordingId, Entry> m_recorders;
    std::vector<Entry> m_stopping;            // asked to stop; joined once finished
    std::map<EndpointId, EndpointInfo> m_endpoints;
    std::map<std::pair<EndpointId, ConnectionId>, std::pair<std::string, std::string>> m_connections;  // local, peer
};

}  // namespace sockscope
