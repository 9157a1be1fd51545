#include "core/session/faults.hpp"

#include <random>

namespace sockscope {

std::uint64_t FaultRandom::next() {
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int FaultRandom::between(int low, int high) {
    if (high <= low) return low;
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(high) - low) + 1;
    return static_cast<int>(low + static_cast<std::int64_t>(next() % span));
}

FaultInjector::FaultInjector(FaultConfig config, std::shared_ptr<FaultCounters> counters)
    : m_config(std::move(config)), m_counters(std::move(counters)) {
    reset();
}

void FaultInjector::reset() {
    // Without a seed every run differs (as a real misbehaving peer does).
    m_random = FaultRandom(m_config.seed ? *m_config.seed : (std::uint64_t{std::random_device{}()} << 32) ^
                                                               std::random_device{}());
}

bool FaultInjector::dropReply() {
    if (!chance(m_config.drop)) return false;
    ++m_counters->dropped;
    return true;
}

std::chrono::milliseconds FaultInjector::replyDelay() {
    const int ms = m_config.delay_min_ms == m_config.delay_max_ms
                       ? m_config.delay_min_ms
                       : m_random.between(m_config.delay_min_ms, m_config.delay_max_ms);
    if (ms > 0) ++m_counters->delayed;
    return std::chrono::milliseconds(ms);
}

bool FaultInjector::duplicate() {
    if (!chance(m_config.duplicate)) return false;
    ++m_counters->duplicated;
    return true;
}

FaultsRef makeFaults(const std::optional<FaultConfig>& config, const std::shared_ptr<FaultCounters>& counters) {
    if (!config) return nullptr;
    return std::make_shared<FaultInjector>(*config, counters);
}

bool anyFaultSplits(const EndpointConfig& config) {
    if (config.faults && config.faults->split_size > 0) return true;
    for (const ReplyRule& rule : config.rules)
        if (rule.faults && rule.faults->split_size > 0) return true;
    return false;
}

}  // namespace sockscope
