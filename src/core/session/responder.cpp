#include "core/session/responder.hpp"

#include "core/net/error_throttle.hpp"
#include "core/session/faults.hpp"
#include "core/session/stages.hpp"

namespace sockscope {
namespace {

class EchoResponder final : public Responder {
public:
    explicit EchoResponder(FaultsRef faults) : m_faults(std::move(faults)) {}
    std::size_t readLimit(const ReplyChannel& channel) const override {
        // Never read more than the echo can queue: what is not read stays in the kernel and the
        // peer's sends block. Once this side is closing nothing can be echoed: read freely (and count).
        return channel.writable() ? channel.room() : std::numeric_limits<std::size_t>::max();
    }
    void onReceived(ReplyChannel& channel, ResponderBytes bytes) override {
        (void)sendReply(channel, Bytes(bytes.begin(), bytes.end()), m_faults, {},
                        "echo of " + bytesText(bytes.size()));
    }

private:
    FaultsRef m_faults;
};

}  // namespace

std::shared_ptr<Responder> EchoStage::attach(ReplyChannel&) {
    if (!m_shared) m_shared = std::make_shared<EchoResponder>(m_faults);
    return m_shared;
}

void addEchoStage(const StageContext& context, ResponderStages& out) {
    if (context.config.echo) out.push_back(std::make_shared<EchoStage>(context.faults));
}

std::chrono::milliseconds sendReply(ReplyChannel& channel, Bytes bytes, const FaultsRef& faults,
                                    std::chrono::milliseconds extra_delay, const std::string& what) {
    if (faults && faults->dropReply()) return extra_delay;   // on purpose: counted, not an error
    const bool delays = faults && faults->config().delay_max_ms > 0;
    const auto delay = extra_delay + (delays ? faults->replyDelay() : std::chrono::milliseconds(0));
    // With a delay fault every reply takes the delayed path, even one whose random delay is 0, as
    // does one behind a delayed reply or close: TCP replies then keep the order of the requests.
    if (delay.count() > 0 || delays || channel.delayedStillToCome()) {
        if (!channel.sendLater(delay, std::move(bytes), faults))
            channel.replyDropped({"ENOBUFS", what + " dropped: too many delayed replies pending (at most " +
                                             groupDigits(kMaxDelayedActions) + ", within the send queue's size)",
                                  "已丢弃回复（" + what + "）：待发送的延迟回复过多（最多 " + groupDigits(kMaxDelayedActions) +
                                      " 个，且总量不超过发送队列的大小）"});
    } else if (auto error = channel.send(std::move(bytes), faults)) {
        channel.replyDropped({error->code, what + " dropped: " + error->message,
                              "已丢弃回复（" + what + "）：" + (error->message_zh.empty() ? error->message : error->message_zh)});
    }
    return delay;
}

ErrorInfo delayedRepliesNotSent(std::size_t replies, std::size_t bytes, const std::string& why, const std::string& why_zh) {
    const std::string count = groupDigits(replies) + (replies == 1 ? " delayed reply (" : " delayed replies (");
    return {"ECANCELED", count + bytesText(bytes) + ") not sent: " + why,
            groupDigits(replies) + " 个延迟回复（" + groupDigits(bytes) + " 字节）未发送：" + why_zh};
}

}  // namespace sockscope
