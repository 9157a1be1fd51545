// An endpoint's responder stages come from the registry's stage descriptors (session/stages.cpp):
// each factory adds its stage only when its configuration asks for it, and the chain's order is
// the registry's (echo, rules, scripts), whoever made the endpoint.
#include "core/session/stages.hpp"

#include <gtest/gtest.h>

#include "core/net/endpoint.hpp"
#include "core/registry/endpoint_registry.hpp"
#include "core/script/script_stage.hpp"
#include "core/session/rules.hpp"
#include "support/io_rig.hpp"

namespace sockscope {
namespace {

EndpointConfig everyResponder() {
    EndpointConfig c;
    c.name = "s";
    c.type = EndpointType::TcpServer;
    c.bind = "127.0.0.1:0";
    c.echo = true;
    ReplyRule rule;
    rule.name = "any";
    rule.match.body = MatchBody::Any;
    c.rules.push_back(rule);
    c.scripts.push_back(Script{"probe", {}});
    return c;
}

TEST(Stages, ResponderFactoriesAreTheRegistrysInItsOrder) {
    std::vector<std::string_view> responders;
    for (const registry::StageDescriptor& stage : registry::stages())
        if (stage.create != nullptr) responders.push_back(stage.name);
    EXPECT_EQ(responders, (std::vector<std::string_view>{"echo", "rules", "scripts"}));
}

TEST(Stages, AnEmptyConfigurationMakesNoStage) {
    test::IoRig rig;
    EndpointConfig c = everyResponder();
    c.echo = false;
    c.rules.clear();
    c.scripts.clear();
    EXPECT_TRUE(makeResponderStages(StageContext{rig.ctx, 1, c}).empty());
}

TEST(Stages, MakeEndpointBuildsEchoRulesThenScripts) {
    test::IoRig rig;
    const std::shared_ptr<Endpoint> endpoint = makeEndpoint(rig.ctx, 1, everyResponder());
    ASSERT_NE(endpoint, nullptr);
    const ResponderStages& stages = endpoint->responderStages();
    ASSERT_EQ(stages.size(), 3u);
    EXPECT_NE(std::dynamic_pointer_cast<EchoStage>(stages[0]), nullptr);
    EXPECT_NE(std::dynamic_pointer_cast<RulesStage>(stages[1]), nullptr);
    EXPECT_NE(std::dynamic_pointer_cast<ScriptStage>(stages[2]), nullptr);
    EXPECT_EQ(endpoint->findStage<ScriptStage>(), stages[2]);
}

}  // namespace
}  // namespace sockscope
