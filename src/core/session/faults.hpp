#pragma once
// Fault injection (docs/profile-format.md, "Fault injection"): a misbehaving peer on purpose.
// A FaultInjector holds one "faults" object (the endpoint's, or a rule's own) and its seeded
// random generator; every decision it takes is counted in the endpoint's FaultCounters, which the
// statistics report. On the I/O thread only.
//
//   delay      replies (echo, rules) leave after a fixed or uniformly random delay
//   drop       a reply is not sent, with probability p
//   split      every send leaves in `size`-byte pieces with `gap_ms` between them (transport)
//   duplicate  every send leaves twice, with probability p (transport; meant for udp datagrams)
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/endpoint_config.hpp"
#include "core/events.hpp"

namespace sockscope {

/// A deterministic generator (splitmix64): the same seed gives the same decisions on every
/// platform and standard library, so seeded tests and runs repeat exactly.
class FaultRandom {
public:
    explicit FaultRandom(std::uint64_t seed = 0) : m_state(seed) {}
    std::uint64_t next();
    /// Uniform in [0, 1).
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [low, high] (low <= high).
    int between(int low, int high);

private:
    std::uint64_t m_state;
};

class FaultInjector {
public:
    FaultInjector(FaultConfig config, std::shared_ptr<FaultCounters> counters);

    const FaultConfig& config() const { return m_config; }
    /// The endpoint (re)started: the seeded sequence begins again.
    void reset();
    /// Whether this reply is dropped (counted).
    [[nodiscard]] bool dropReply();
    /// The delay for this reply (counted when > 0).
    [[nodiscard]] std::chrono::milliseconds replyDelay();
    /// Whether this send leaves twice (counted).
    [[nodiscard]] bool duplicate();
    bool splits() const { return m_config.split_size > 0; }
    std::uint32_t splitSize() const { return m_config.split_size; }
    std::chrono::milliseconds splitGap() const { return std::chrono::milliseconds(m_config.split_gap_ms); }
    /// A send of `bytes` bytes leaves in this many pieces (counted).
    void countPieces(std::uint64_t pieces) { m_counters->split_pieces += pieces; }

private:
    bool chance(double p) { return p >= 1.0 || (p > 0.0 && m_random.unit() < p); }
    FaultConfig m_config;
    std::shared_ptr<FaultCounters> m_counters;
    FaultRandom m_random;
};

using FaultsRef = std::shared_ptr<FaultInjector>;

/// The endpoint's injector (null when it has no "faults") over `counters`.
FaultsRef makeFaults(const std::optional<FaultConfig>& config, const std::shared_ptr<FaultCounters>& counters);
/// Whether the endpoint or one of its rules splits sends (TCP then sets TCP_NODELAY, so each piece
/// leaves as its own segment).
bool anyFaultSplits(const EndpointConfig& config);

}  // namespace sockscope
