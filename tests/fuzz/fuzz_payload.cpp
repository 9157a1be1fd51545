// libFuzzer target for the payload language: the template/hex/escape compiler, rendering with
// every kind of context, and the payload JSON reader. Built by tests/fuzz/CMakeLists.txt; run by
// `scripts/dev.sh fuzz` (corpus: tests/fuzz/corpus/payload).
// Input: byte 0 picks mode, encoding, escapes, templates, line ending; byte 1 the checksum and its
// range; the rest is the payload text. The whole input is also tried as a JSON payload object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "core/codec/payload_template.hpp"
#include "core/profile/payload_json.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void fuzzSpec(const sockscope::PayloadSpec& spec) {
    using namespace sockscope;
    const PayloadCompileResult compiled = compilePayload(spec);
    if (!compiled.ok()) {
        check(compiled.error.has_value());
        check(compiled.error->position <= spec.text.size());
        check(!compiled.error->reason.empty());
        return;
    }
    const CompiledPayload& p = *compiled.payload;
    const Bytes rx{0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A};
    const std::span<const std::uint8_t> groups[] = {rx, std::span(rx).subspan(2, 3)};
    CounterState counter{0xFFFFFFFFFFFFFFF0ull};
    RenderContext with_rx;
    with_rx.rx = rx;
    with_rx.captures = groups;
    with_rx.counter = &counter;
    with_rx.now_us = -1234567;   // before the epoch: time formatting must cope
    with_rx.random_state = 7;
    RenderContext empty;
    const Bytes a = renderPayload(p, with_rx);
    const Bytes b = renderPayload(p, empty);
    if (p.isStatic()) check(a == p.staticBytes() && b == p.staticBytes());
    if (!p.usesRx() && p.maxCapture() < 0 && !p.usesCounter() && p.isStatic()) check(a == b);
    if (spec.checksum && p.isStatic())
        check(a.size() >= checksumWidth(spec.checksum->kind));

    // What compiles saves and loads back as the same spec.
    const PayloadJsonResult back = payloadFromJson(payloadToJson(spec), "p");
    check(back.payload.has_value() && *back.payload == spec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sockscope;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (size >= 2) {
        PayloadSpec spec;
        spec.mode = (data[0] & 1) ? PayloadMode::Hex : PayloadMode::Text;
        spec.encoding = kTextEncodings[(data[0] >> 1) % kTextEncodings.size()];
        spec.escapes = (data[0] & 0x10) == 0;
        spec.templates = (data[0] & 0x20) == 0;
        spec.line_ending = kLineEndings[(data[0] >> 6) % kLineEndings.size()];
        if (data[1] & 0x80) {
            spec.checksum = ChecksumSpec{kChecksumKinds[data[1] % kChecksumKinds.size()],
                                         static_cast<ChecksumByteOrder>((data[1] >> 4) % 3),
                                         static_cast<std::size_t>((data[1] >> 2) & 3),
                                         static_cast<std::size_t>(data[1] & 3),
                                         (data[1] & 0x40) ? ChecksumPlacement::RangeEnd : ChecksumPlacement::End};
        }
        spec.text.assign(text.substr(2));
        fuzzSpec(spec);
    }
    // The same bytes as a JSON payload object (the command channel reads these from a peer).
    const jsonio::Json json = jsonio::Json::parse(text, nullptr, false);
    if (!json.is_discarded()) {
        const PayloadJsonResult r = payloadFromJson(json, "send", {"endpoint", "conn"});
        check(r.payload.has_value() == r.error.empty());
        if (r.payload) fuzzSpec(*r.payload);
    }
    return 0;
}
