// A run waiting for a connection is handed the new one by a posted handler (ScriptStage::attach):
// the connection's first messages may be read before that handler runs. They belong to the run
// (it started "when it connected"): its first expect takes them, as a wait_ms before it would.
// Seen under CI load: a device that spoke at once failed "none matched" in a passing script.
// The stage is driven here directly, with a channel that records what the run sends, so the
// order "message, then hand-over" is forced rather than hoped for.
#include <gtest/gtest.h>

#include "core/profile/script_json.hpp"
#include "core/script/script_stage.hpp"
#include "support/io_rig.hpp"

namespace sockscope {
namespace {

class RecordingChannel final : public ReplyChannel {
public:
    explicit RecordingChannel(asio::io_context& io) : m_io(io) {}
    std::optional<ErrorInfo> send(Bytes bytes, const FaultsRef&) override {
        sent.append(bytes.begin(), bytes.end());
        return std::nullopt;
    }
    bool sendLater(std::chrono::milliseconds, Bytes, FaultsRef) override { return false; }
    void close(CloseMode) override {}
    bool closeLater(std::chrono::milliseconds, CloseMode) override { return false; }
    bool after(std::chrono::milliseconds, std::function<void()>) override { return false; }
    bool writable() const override { return true; }
    std::size_t room() const override { return 1u << 20; }
    std::size_t queueLimit() const override { return 1u << 20; }
    void replyDropped(ErrorInfo) override {}
    void reportError(ErrorContext, ErrorInfo) override {}
    EndpointId endpoint() const override { return 1; }
    ConnectionId connection() const override { return 7; }
    const std::string& peer() const override { return m_peer; }
    asio::io_context& io() override { return m_io; }

    std::string sent;

private:
    asio::io_context& m_io;
    std::string m_peer = "127.0.0.1:40000";
};

ResponderBytes bytesOf(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

/// Runs the I/O loop until the run's Finished event (at most 10 s).
std::optional<ScriptEvent> runToTheEnd(test::IoRig& rig) {
    std::optional<ScriptEvent> finished;
    std::vector<Event> events;
    rig.runUntil([&] {
        rig.queue.drain(events);
        for (const Event& event : events)
            if (const auto* script = std::get_if<ScriptEvent>(&event); script && script->kind == ScriptEventKind::Finished)
                finished = *script;
        events.clear();
        return finished.has_value();
    });
    return finished;
}

/// The finished event of the run, after the stage got `early` before its hand-over ran.
std::optional<ScriptEvent> runWithEarlyMessages(const char* steps, const std::vector<std::string>& early,
                                                std::string* sent = nullptr) {
    test::IoRig rig;
    const auto scripts = scriptsFromJson(jsonio::Json::parse(std::string(R"([{"name": "s", "steps": )") + steps + "}]"),
                                         EndpointType::TcpServer);
    EXPECT_EQ(scripts.error, "");
    auto stage = std::make_shared<ScriptStage>(rig.ctx, std::weak_ptr<Endpoint>{}, 1, scripts.scripts);
    stage->run(RunScript{1, "s", 0, 9});   // no connection yet: the run waits for one
    RecordingChannel channel(rig.io);
    const auto session = stage->attach(channel);   // posts the hand-over
    for (const std::string& message : early) session->onMessage(channel, bytesOf(message));
    const std::optional<ScriptEvent> finished = runToTheEnd(rig);
    if (sent) *sent = channel.sent;
    session->onClosed();
    return finished;
}

/// A connection that spoke and closed before its hand-over ran takes what it said with it: the
/// run waits for the next connection, which says nothing, and must not pass on the dead one's words.
TEST(ScriptHandOver, WhatAConnectionThatClosedBeforeItsHandOverSaidIsNotTheNextOnes) {
    test::IoRig rig;
    const auto scripts = scriptsFromJson(
        jsonio::Json::parse(R"([{"name": "s", "steps": [ { "expect": { "text": "HELLO" }, "timeout_ms": 300 } ]}])"),
        EndpointType::TcpServer);
    ASSERT_EQ(scripts.error, "");
    auto stage = std::make_shared<ScriptStage>(rig.ctx, std::weak_ptr<Endpoint>{}, 1, scripts.scripts);
    stage->run(RunScript{1, "s", 0, 9});
    RecordingChannel first(rig.io);
    const auto gone = stage->attach(first);
    gone->onMessage(first, bytesOf("HELLO"));
    gone->onClosed();   // before the posted hand-over ran
    RecordingChannel second(rig.io);
    const auto silent = stage->attach(second);
    const std::optional<ScriptEvent> finished = runToTheEnd(rig);
    silent->onClosed();
    ASSERT_TRUE(finished);
    EXPECT_FALSE(finished->passed) << "passed on a message of a connection that had closed";
}

TEST(ScriptHandOver, MessagesBeforeTheHandOverAreTheRunsFirstExpects) {
    const auto finished = runWithEarlyMessages(R"([ { "expect": { "text": "HELLO" }, "timeout_ms": 2000 } ])", {"HELLO"});
    ASSERT_TRUE(finished);
    EXPECT_TRUE(finished->passed) << finished->error;
}

TEST(ScriptHandOver, AMessageBeforeTheHandOverCannotAnswerTheRunsFirstSend) {
    std::string sent;
    const auto finished = runWithEarlyMessages(
        R"([ { "send": { "text": "READ" } }, { "expect": { "text": "VALUE" }, "timeout_ms": 200 } ])", {"VALUE"}, &sent);
    ASSERT_TRUE(finished);
    EXPECT_EQ(sent, "READ");
    EXPECT_FALSE(finished->passed) << "an answer that predates the request was taken";
}

TEST(ScriptHandOver, EarlyMessagesAreBoundedLikeTheRunsOwnKeep) {
    std::vector<std::string> flood;
    for (std::size_t i = 0; i < kScriptPendingMessages + 10; ++i) flood.push_back("NOISE " + std::to_string(i));
    const auto finished = runWithEarlyMessages(R"([ { "expect": { "text": "VALUE" }, "timeout_ms": 100 } ])", flood);
    ASSERT_TRUE(finished);
    EXPECT_FALSE(finished->passed);
    EXPECT_NE(finished->error.find("10 earlier messages were not kept"), std::string::npos) << finished->error;
}

}  // namespace
}  // namespace sockscope
