// libFuzzer target for the message matcher: a spec (text/regex/hex with wildcards, every mode and
// encoding) compiled and run against a message, its captures rendered into a reply; and the whole
// input as a JSON match object and as a rules array. Built by tests/fuzz/CMakeLists.txt; run by
// `scripts/dev.sh fuzz` (corpus: tests/fuzz/corpus/matcher).
// Input: byte 0 picks body, mode, escapes, ignore_case; byte 1 the encoding; byte 2 the pattern's
// length N; then N bytes of pattern, then the message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/match/message_matcher.hpp"
#include "core/profile/match_json.hpp"
#include "core/session/rules.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void fuzzMatch(const sockscope::MatchSpec& spec, std::span<const std::uint8_t> message) {
    using namespace sockscope;
    MatcherCompileResult compiled = compileMatcher(spec);
    if (!compiled.ok()) {
        check(compiled.error && !compiled.error->reason.empty());
        check(compiled.error->position <= spec.text.size() + 1);
        return;
    }
    MessageMatcher& m = *compiled.matcher;
    MatchCaptures captures;
    const MatchOutcome outcome = m.match(message, &captures);
    if (outcome == MatchOutcome::Failed) check(!m.error().empty());
    if (outcome != MatchOutcome::Match) return;
    check(captures.size() == m.groupCount() + 1);
    for (const auto& c : captures)
        check(c.empty() || (c.data() >= message.data() && c.data() + c.size() <= message.data() + message.size()));
    // A copy matches the same way.
    MessageMatcher copy = m;
    check(copy.match(message) == MatchOutcome::Match);
    // Captures into a reply: {{0}} {{1}} ... {{echo}} {{rx[1:3]}}
    PayloadSpec reply;
    reply.text = "{{0}}|{{1}}|{{2}}|{{echo}}|{{rx[1:3]}}";
    const PayloadCompileResult payload = compilePayload(reply);
    check(payload.ok());
    RenderContext context;
    context.rx = message;
    context.captures = captures;
    context.now_us = 1;
    (void)renderPayload(*payload.payload, context);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    if (size > 4096) return 0;   // longer inputs add nothing but time
    if (size >= 3) {
        MatchSpec spec;
        spec.body = static_cast<MatchBody>(data[0] % 3);
        spec.mode = static_cast<MatchMode>((data[0] >> 2) % 4);
        spec.escapes = (data[0] & 0x10) != 0;
        spec.ignore_case = (data[0] & 0x20) != 0;
        spec.encoding = kTextEncodings[data[1] % kTextEncodings.size()];
        const std::size_t n = std::min<std::size_t>(data[2], size - 3);
        spec.text.assign(reinterpret_cast<const char*>(data + 3), n);
        fuzzMatch(spec, std::span<const std::uint8_t>(data + 3 + n, size - 3 - n));
    }
    // The whole input as JSON: a match object, or a list of rules evaluated on a fixed message.
    const jsonio::Json json = jsonio::Json::parse(data, data + size, nullptr, false);
    if (json.is_discarded()) return 0;
    if (json.is_object()) {
        jsonio::Reader r("fuzz");
        MatchSpec spec;
        if (readMatch(r, json, "match", spec)) {
            check(compileMatcher(spec).ok());
            const std::uint8_t message[] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 'P', 'I', 'N', 'G'};
            fuzzMatch(spec, message);
        } else {
            check(!r.errorText().empty());
        }
    }
    return 0;
}
