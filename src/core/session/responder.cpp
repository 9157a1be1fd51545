#include "core/session/responder.hpp"

#include "core/net/error_throttle.hpp"

namespace sockscope {
namespace {

class EchoResponder final : public Responder {
public:
    std::size_t readLimit(const ReplyChannel& channel) const override {
        // Never read more than the echo can queue: what is not read stays in the kernel and the
        // peer's sends block. Once this side is closing nothing can be echoed: read freely (and count).
        return channel.writable() ? channel.room() : std::numeric_limits<std::size_t>::max();
    }
    void onReceived(ReplyChannel& channel, ResponderBytes bytes) override {
        if (auto error = channel.send(Bytes(bytes.begin(), bytes.end())))
            channel.replyDropped({error->code, "echo of " + groupDigits(bytes.size()) + " bytes dropped: " +
                                                   error->message});
    }
};

}  // namespace

std::shared_ptr<Responder> EchoStage::attach(ReplyChannel&) {
    static const auto shared = std::make_shared<EchoResponder>();   // stateless: one for all sessions
    return shared;
}

}  // namespace sockscope
