// Ping nodes: the pure decisions (PingNodes) and what the core makes of them (probes with every
// heartbeat, statuses and link events for clients, comm up waiting for them), with exact time.
#include <gtest/gtest.h>

#include "core/core.hpp"
#include "core/ping_nodes.hpp"

namespace hb::core {
namespace {

constexpr Micros kDeadping = 500 * kMillis;
constexpr Micros kInitdead = 2000 * kMillis;

TEST(PingNodes, NeverHeardIsDeadAtInitdead) {
    PingNodes p({{"10.0.0.1", {"10.0.0.1"}}}, kDeadping, kInitdead);
    p.start(0);
    EXPECT_FALSE(p.settled());
    EXPECT_EQ(p.next_deadline(), kInitdead);
    EXPECT_TRUE(p.tick(kInitdead - 1).empty());
    auto changes = p.tick(kInitdead);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].from, NodeStatus::init);
    EXPECT_EQ(changes[0].to, NodeStatus::dead);
    EXPECT_TRUE(p.settled());
    EXPECT_EQ(p.next_deadline(), kNever);
}

TEST(PingNodes, ReplyMakesItPingAndSilenceDeadAfterDeadping) {
    PingNodes p({{"10.0.0.1", {"10.0.0.1"}}}, kDeadping, kInitdead);
    p.start(0);
    auto heard = p.reply(100, "10.0.0.1", "10.0.0.1");
    ASSERT_TRUE(heard.known);
    ASSERT_TRUE(heard.change);
    EXPECT_EQ(heard.change->to, NodeStatus::ping);
    EXPECT_TRUE(p.settled());
    EXPECT_FALSE(p.reply(200, "10.0.0.1", "10.0.0.1").change);  // no change: still ping
    // Before comm up initdead still stretches the interval; after it, deadping alone.
    EXPECT_EQ(p.next_deadline(), 200 + kInitdead);
    p.comm_up();
    EXPECT_EQ(p.next_deadline(), 200 + kDeadping);
    auto changes = p.tick(200 + kDeadping);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].from, NodeStatus::ping);
    EXPECT_EQ(changes[0].to, NodeStatus::dead);
    // Back: dead -> ping.
    heard = p.reply(2000 * kMillis, "10.0.0.1", "10.0.0.1");
    ASSERT_TRUE(heard.change);
    EXPECT_EQ(heard.change->from, NodeStatus::dead);
}

TEST(PingNodes, GroupIsUpWhileAnyMemberAnswers) {
    PingNodes p({{"routers", {"10.0.0.1", "10.0.0.2"}}}, kDeadping, kInitdead);
    p.start(0);
    p.comm_up();
    ASSERT_TRUE(p.reply(0, "routers", "10.0.0.1").change);
    for (Micros t = 400 * kMillis; t < 4000 * kMillis; t += 400 * kMillis) {
        EXPECT_TRUE(p.reply(t, "routers", "10.0.0.2").known);  // only the second answers now
        EXPECT_TRUE(p.tick(t).empty());
    }
    EXPECT_EQ(p.status(0), NodeStatus::ping);
}

TEST(PingNodes, StrayRepliesAreNotKnown) {
    PingNodes p({{"10.0.0.1", {"10.0.0.1"}}}, kDeadping, kInitdead);
    p.start(0);
    EXPECT_FALSE(p.reply(1, "10.0.0.2", "10.0.0.2").known);  // no such ping node
    EXPECT_FALSE(p.reply(1, "10.0.0.1", "10.0.0.9").known);  // right name, another address
    EXPECT_EQ(p.status(0), NodeStatus::init);
}

CoreConfig alone_with_ping() {
    CoreConfig c;
    c.node = "n1";
    c.uuid = std::string(16, '\1');
    c.nodes = {"n1"};
    c.links = {"eth0"};
    c.keepalive = 100 * kMillis;
    c.deadtime = 500 * kMillis;
    c.warntime = 300 * kMillis;
    c.initdead = kInitdead;
    c.deadping = kDeadping;
    c.ping_nodes = {{"10.0.0.1", {"10.0.0.1"}}};
    c.wall_seconds_at_start = 1'700'000'000;
    return c;
}

template <class T>
std::vector<T> all_of(const Effects& effects) {
    std::vector<T> out;
    for (const auto& e : effects) {
        if (auto* x = std::get_if<T>(&e)) out.push_back(*x);
    }
    return out;
}

TEST(CorePingNodes, EveryHeartbeatProbesWithTheNodesStatusAsPayload) {
    Core core(alone_with_ping());
    auto probes = all_of<Probe>(core.start(0));
    ASSERT_EQ(probes.size(), 1u);
    EXPECT_EQ(probes[0].address, "10.0.0.1");
    const Message& m = probes[0].payload;
    EXPECT_EQ(m.get("t"), std::optional<std::string_view>("NS_st"));
    EXPECT_EQ(m.get("st"), std::optional<std::string_view>("ping"));
    EXPECT_EQ(m.get("info"), std::optional<std::string_view>("ping"));
    EXPECT_EQ(m.get("src"), std::optional<std::string_view>("10.0.0.1"));
    EXPECT_FALSE(m.get("seq"));
    EXPECT_EQ(all_of<Probe>(core.tick(100 * kMillis)).size(), 1u);
    EXPECT_EQ(core.counters().ping_probes_sent, 2u);
}

TEST(CorePingNodes, CommUpWaitsForTheFirstReply) {
    Core core(alone_with_ping());
    core.start(0);
    EXPECT_TRUE(all_of<CommUp>(core.tick(100 * kMillis)).empty());
    auto effects = core.ping_reply(150 * kMillis, "10.0.0.1", "10.0.0.1");
    auto changes = all_of<NodeChange>(effects);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].to, NodeStatus::ping);
    auto links = all_of<LinkChange>(effects);
    ASSERT_EQ(links.size(), 1u);
    EXPECT_EQ(links[0].ifname, "10.0.0.1");
    EXPECT_EQ(links[0].to, LinkStatus::up);
    EXPECT_EQ(all_of<CommUp>(effects).size(), 1u);
    // Clients hear the status (NS_st) and the link (ifstat), as from heartbeat 3.0.6.
    auto delivered = all_of<Deliver>(effects);
    ASSERT_GE(delivered.size(), 2u);
    EXPECT_EQ(delivered[0].msg.get("t"), std::optional<std::string_view>("NS_st"));
    EXPECT_EQ(delivered[1].msg.get("t"), std::optional<std::string_view>("ifstat"));
    EXPECT_EQ(delivered[1].msg.get("ifname"), std::optional<std::string_view>("10.0.0.1"));
    auto view = core.node("10.0.0.1");
    ASSERT_TRUE(view);
    EXPECT_TRUE(view->ping);
    EXPECT_EQ(view->status, NodeStatus::ping);
    EXPECT_TRUE(core.node_views().empty());  // ping nodes are not peers
    EXPECT_EQ(core.ping_views().size(), 1u);
}

TEST(CorePingNodes, AnUnansweredPingNodeDelaysCommUpUntilInitdeadAndDiesFirst) {
    Core core(alone_with_ping());
    core.start(0);
    Effects effects;
    for (Micros t = 100 * kMillis; t <= kInitdead; t += 100 * kMillis) {
        auto e = core.tick(t);
        effects.insert(effects.end(), e.begin(), e.end());
        if (t < kInitdead) {
            EXPECT_TRUE(all_of<CommUp>(e).empty()) << t;
        }
    }
    std::size_t death = effects.size(), up = effects.size();
    for (std::size_t i = 0; i < effects.size(); ++i) {
        if (auto* c = std::get_if<NodeChange>(&effects[i]); c && c->to == NodeStatus::dead) death = i;
        if (std::holds_alternative<CommUp>(effects[i])) up = i;
    }
    ASSERT_LT(death, effects.size());
    ASSERT_LT(up, effects.size());
    EXPECT_LT(death, up);
    EXPECT_EQ(core.local_status(), NodeStatus::active);
}

TEST(CorePingNodes, SilenceAfterCommUpIsDeathAfterDeadpingWithHeartbeatsMessages) {
    Core core(alone_with_ping());
    core.start(0);
    core.ping_reply(50 * kMillis, "10.0.0.1", "10.0.0.1");
    Effects effects;
    for (Micros t = 100 * kMillis; t <= 50 * kMillis + kDeadping; t += 50 * kMillis) {
        auto e = core.tick(t);
        effects.insert(effects.end(), e.begin(), e.end());
    }
    auto changes = all_of<NodeChange>(effects);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].to, NodeStatus::dead);
    auto delivered = all_of<Deliver>(effects);
    ASSERT_EQ(delivered.size(), 2u);
    EXPECT_EQ(delivered[0].msg.get("t"), std::optional<std::string_view>("status"));
    EXPECT_EQ(delivered[0].msg.get("st"), std::optional<std::string_view>("dead"));
    EXPECT_EQ(delivered[0].msg.get("info"), std::optional<std::string_view>("ping"));
    EXPECT_EQ(delivered[1].msg.get("t"), std::optional<std::string_view>("ifstat"));
    EXPECT_EQ(delivered[1].msg.get("st"), std::optional<std::string_view>("dead"));
}

TEST(CorePingNodes, RepliesNotFromAPingNodeAreCountedAsStray) {
    Core core(alone_with_ping());
    core.start(0);
    EXPECT_TRUE(core.ping_reply(10, "10.0.0.1", "10.0.0.2").empty());
    EXPECT_TRUE(core.ping_reply(10, "n1", "10.0.0.1").empty());
    core.count_stray_ping();  // what the driver saw: another identifier, a bad signature
    EXPECT_EQ(core.counters().dropped_stray_ping, 3u);
    EXPECT_EQ(core.counters().ping_replies, 0u);
    EXPECT_EQ(core.node("10.0.0.1")->status, NodeStatus::init);
}

}  // namespace
}  // namespace hb::core
