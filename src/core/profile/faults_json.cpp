#include "core/profile/faults_json.hpp"

#include "core/profile/stage_field_json.hpp"
#include "core/registry/shapes.hpp"

namespace sockscope {
namespace {

using jsonio::joinPath;
using jsonio::Json;
using jsonio::Reader;

void readDelay(Reader& r, const Json& faults, const std::string& path, FaultConfig& out) {
    const auto it = faults.find("delay_ms");
    if (it == faults.end()) return;
    const std::string at = joinPath(path, "delay_ms");
    const registry::StageField& f = registry::stageField("faults", "delay_ms");
    const std::string want = "expected milliseconds from " + std::to_string(f.min) + " to " + std::to_string(f.max) +
                             ", or a range [min, max] such as [20, 200], got ";
    auto in_range = [&f](const std::optional<std::int64_t>& v) { return v && *v >= f.min && *v <= f.max; };
    if (it->is_array()) {
        if (it->size() != 2) return r.error(at, want + "an array of " + std::to_string(it->size()) + " items");
        const auto low = jsonio::asInteger((*it)[0]);
        const auto high = jsonio::asInteger((*it)[1]);
        if (!in_range(low) || !in_range(high))
            return r.error(at, want + "[" + jsonio::describe((*it)[0]) + ", " + jsonio::describe((*it)[1]) + "]");
        if (*low > *high)
            return r.error(at, "the range's minimum " + std::to_string(*low) + " is larger than its maximum " +
                                   std::to_string(*high) + ": write [" + std::to_string(*high) + ", " +
                                   std::to_string(*low) + "]");
        out.delay_min_ms = static_cast<int>(*low);
        out.delay_max_ms = static_cast<int>(*high);
        return;
    }
    const auto fixed = jsonio::asInteger(*it);
    if (!in_range(fixed)) return r.error(at, want + jsonio::describe(*it));
    out.delay_min_ms = out.delay_max_ms = static_cast<int>(*fixed);
}

void readSplit(Reader& r, const Json& faults, const std::string& path, bool udp, FaultConfig& out) {
    const auto it = faults.find("split");
    if (it == faults.end()) return;
    const std::string at = joinPath(path, "split");
    const registry::StageField& f = registry::stageField("faults", "split.size");
    const std::int64_t max = f.maxFor(udp);
    if (!it->is_object())
        return r.error(at, "expected an object like {\"size\": 4, \"gap_ms\": 10}, got " + jsonio::describe(*it));
    r.checkKeys(*it, at, registry::shapeKeys("faults.split"));
    if (!it->contains("size"))
        return r.error(joinPath(at, "size"), "missing; the bytes per piece, e.g. 4");
    const auto size = jsonio::asInteger((*it)["size"]);
    if (!size || *size < f.min || *size > max)
        r.error(joinPath(at, "size"), "expected bytes per piece from " + std::to_string(f.min) + " to " + std::to_string(max) +
                                          (udp ? " (one datagram per piece)" : "") + ", got " +
                                          jsonio::describe((*it)["size"]));
    else
        out.split_size = static_cast<std::uint32_t>(*size);
    jsonio::stageInteger(r, *it, at, "faults", "split.gap_ms", out.split_gap_ms);
}

}  // namespace

void readFaults(Reader& r, const Json& parent, const std::string& path, bool udp, std::optional<FaultConfig>& out) {
    const Json* faults = r.object(parent, path, "faults");
    if (!faults) return;
    const std::string at = joinPath(path, "faults");
    r.checkKeys(*faults, at, registry::shapeKeys("faults"));
    FaultConfig config;
    readDelay(r, *faults, at, config);
    readSplit(r, *faults, at, udp, config);
    jsonio::stageNumber(r, *faults, at, "faults", "drop", config.drop);
    jsonio::stageNumber(r, *faults, at, "faults", "duplicate", config.duplicate);
    std::int64_t seed = 0;
    if (jsonio::stageInteger(r, *faults, at, "faults", "seed", seed)) config.seed = static_cast<std::uint64_t>(seed);
    out = config;
}

Json faultsToJson(const FaultConfig& f) {
    Json j = Json::object();
    if (f.delay_min_ms == f.delay_max_ms) {
        if (f.delay_min_ms != 0) j["delay_ms"] = f.delay_min_ms;
    } else {
        j["delay_ms"] = Json::array({f.delay_min_ms, f.delay_max_ms});
    }
    if (f.split_size > 0) j["split"] = Json{{"size", f.split_size}, {"gap_ms", f.split_gap_ms}};
    if (f.drop != 0) j["drop"] = f.drop;
    if (f.duplicate != 0) j["duplicate"] = f.duplicate;
    if (f.seed) j["seed"] = *f.seed;
    return j;
}

}  // namespace sockscope
