// libFuzzer target for the script loader (profile "scripts", docs/profile-format.md "Scripts"):
// arbitrary JSON through readScripts for each endpoint kind, then what was accepted must
// round-trip through scriptsToJson, stay within the documented bounds and compile for a run.
// Built by tests/fuzz/CMakeLists.txt; run by `scripts/dev.sh fuzz` (corpus: tests/fuzz/corpus/script).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/profile/script_json.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

int depthOf(const std::vector<sockscope::ScriptStep>& steps) {
    int depth = 0;
    for (const auto& step : steps)
        if (step.kind == sockscope::ScriptStepKind::Repeat) depth = std::max(depth, depthOf(step.steps));
    return depth + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    const std::string text(reinterpret_cast<const char*>(data), size);
    const jsonio::Json json = jsonio::Json::parse(text, nullptr, false);
    if (json.is_discarded()) return 0;
    for (const EndpointType type : {EndpointType::TcpServer, EndpointType::TcpClient, EndpointType::Udp}) {
        const ScriptsJsonResult result = scriptsFromJson(json, type, "fuzz");
        check(result.warnings.size() <= jsonio::kMaxReportedErrors);
        check(result.scripts.size() <= kMaxScriptsPerEndpoint);
        for (const Script& script : result.scripts) {
            check(!script.name.empty());
            check(depthOf(script.steps) <= kMaxScriptDepth);
            check(flattenSteps(script).size() <= kMaxScriptSteps);
            for (const ScriptStep* step : flattenSteps(script)) check(!describeStep(*step).empty());
        }
        // What loaded saves and loads back to the same scripts.
        const ScriptsJsonResult again = scriptsFromJson(scriptsToJson(result.scripts), type);
        check(again.error.empty());
        check(again.scripts == result.scripts);
    }
    return 0;
}
