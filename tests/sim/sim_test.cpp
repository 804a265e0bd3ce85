// The protocol core under the deterministic simulator: detection, false deaths, message delivery,
// partitions, restarts, leaves, determinism (the cases of the core issue); and the resource
// managers of a pair of nodes run by it (SimResources).
#include <gtest/gtest.h>

#include "sim/simulator.hpp"

namespace hb::sim {
namespace {

using core::kMillis;
using core::NodeStatus;

SimOptions base(int nodes, double duration_s, int keepalive_ms, int deadtime_ms, std::uint64_t seed) {
    SimOptions o;
    o.nodes = nodes;
    o.duration_s = duration_s;
    o.keepalive_ms = keepalive_ms;
    o.deadtime_ms = deadtime_ms;
    o.seed = seed;
    return o;
}

NodeEvent event(NodeEvent::Kind kind, int node, double at_s) { return NodeEvent{kind, node, at_s}; }

// 1000 seeded crashes: each detected by every peer within [deadtime - keepalive, deadtime + 5 ms]
// of the crash. (The 1 ms network delay is inside that margin.)
void check_detection(int keepalive_ms, int deadtime_ms, int runs) {
    std::size_t samples = 0;
    for (int run = 0; run < runs; ++run) {
        const double settle_s = 2.0 * deadtime_ms / 1000.0;
        SimOptions o = base(3, 2 * settle_s + 2 + deadtime_ms / 1000.0, keepalive_ms, deadtime_ms,
                            static_cast<std::uint64_t>(run + 1));
        // A crash at a different phase of the heartbeat cycle in every run.
        o.events.push_back(event(NodeEvent::Kind::crash, run % 3, settle_s + 1 + (run % 997) / 997.0));
        Report r = Simulator(o).run();
        ASSERT_EQ(r.undetected, 0) << "run " << run;
        ASSERT_EQ(r.false_deaths, 0) << "run " << run;
        ASSERT_EQ(r.detection_us.size(), 2u) << "run " << run;
        for (auto d : r.detection_us) {
            EXPECT_GE(d, (deadtime_ms - keepalive_ms) * kMillis) << "run " << run;
            EXPECT_LE(d, deadtime_ms * kMillis + 5 * kMillis) << "run " << run;
        }
        samples += r.detection_us.size();
    }
    EXPECT_EQ(samples, static_cast<std::size_t>(2 * runs));
}

TEST(SimDetection, ThousandCrashesAt100msKeepalive500msDeadtime) { check_detection(100, 500, 1000); }
TEST(SimDetection, TwoHundredCrashesAt1sKeepalive3sDeadtime) { check_detection(1000, 3000, 200); }

// Independent 30% loss per packet and link. A false death needs every packet of a node to one
// observer lost for a whole deadtime. Heartbeats alone give 0.3^(deadtime/keepalive) per window;
// lost heartbeats are also repaired by retransmission and any packet counts, which lowers it more.
// One link, deadtime = 10 x keepalive: 0.3^10 = 5.9e-6 per window, about 0.07 expected over the
// 12000 windows of 5 nodes x 4 observers x 60 s / 100 ms, before repairs.
TEST(SimFalseDeaths, NoneAt30PercentLossOneLinkDeadtimeTenKeepalives) {
    for (std::uint64_t seed : {1, 2}) {
        SimOptions o = base(5, 60, 100, 1000, seed);
        o.loss = 0.3;
        o.jitter_ms = 50;  // below deadtime / 4
        Report r = Simulator(o).run();
        EXPECT_EQ(r.false_deaths, 0) << format_report(r);
        EXPECT_TRUE(r.membership_converged());
    }
}

// Three links, deadtime = 4 x keepalive: a heartbeat is lost on all three with 0.3^3 = 0.027, four
// in a row with 5.3e-7 per window: about 0.006 expected over 12000 windows.
TEST(SimFalseDeaths, NoneAt30PercentLossThreeLinksDeadtimeFourKeepalives) {
    for (std::uint64_t seed : {1, 2}) {
        SimOptions o = base(5, 60, 100, 400, seed);
        o.links = 3;
        o.loss = 0.3;
        o.jitter_ms = 50;  // below deadtime / 4
        Report r = Simulator(o).run();
        EXPECT_EQ(r.false_deaths, 0) << format_report(r);
        EXPECT_TRUE(r.membership_converged());
    }
}

void check_messages(bool node_msgs, std::uint64_t seed) {
    SimOptions o = base(4, 25, 100, 1000, seed);
    o.loss = 0.3;
    o.dup = 0.05;
    o.reorder = 0.05;
    o.jitter_ms = 20;
    o.msgs_per_sec = 200;
    o.node_msgs = node_msgs;
    Report r = Simulator(o).run();
    EXPECT_GT(r.msgs_sent, 3000u);
    EXPECT_EQ(r.msgs_refused, 0u);
    EXPECT_EQ(r.lost, 0u) << format_report(r);
    EXPECT_EQ(r.duplicated, 0u);
    EXPECT_EQ(r.out_of_order, 0u);
    EXPECT_EQ(r.deliveries, r.expected_deliveries);
    EXPECT_GT(r.totals.retransmissions_sent, 0u);
    EXPECT_GT(r.totals.dropped_duplicate, 0u);
}

TEST(SimMessages, ClusterMessagesExactlyOnceInOrderAt30PercentLoss5PercentDup) {
    check_messages(false, 1);
    check_messages(false, 2);
}

TEST(SimMessages, NodeMessagesExactlyOnceInOrderAt30PercentLoss5PercentDup) {
    check_messages(true, 1);
    check_messages(true, 2);
}

// Crashes and restarts while 30% of packets are lost: still nothing lost, duplicated or reordered
// for the nodes that were up (a restarted node is new: it owes nothing sent before it started).
TEST(SimMessages, RestartsUnderLossLoseAndDuplicateNothing) {
    for (std::uint64_t seed : {1, 2, 3}) {
        SimOptions o = base(5, 20, 100, 500, seed);
        o.loss = 0.3;
        o.jitter_ms = 20;
        o.msgs_per_sec = 100;
        o.events = {event(NodeEvent::Kind::crash, 4, 4), event(NodeEvent::Kind::restart, 4, 7),
                    event(NodeEvent::Kind::crash, 1, 9), event(NodeEvent::Kind::restart, 1, 9.2)};
        Report r = Simulator(o).run();
        EXPECT_GT(r.expected_deliveries, 4000u);
        EXPECT_EQ(r.lost, 0u) << "seed " << seed;
        EXPECT_EQ(r.duplicated, 0u) << "seed " << seed;
        EXPECT_EQ(r.out_of_order, 0u) << "seed " << seed;
        EXPECT_TRUE(r.membership_converged());
    }
}

std::vector<NodeStatus> seen(const Report& r, int observer, int node) {
    std::vector<NodeStatus> out;
    for (const auto& e : r.timeline) {
        if (e.observer == observer && e.node == node) out.push_back(e.to);
    }
    return out;
}

TEST(SimPartition, SplitAndHealEndsWithTheRightMembershipAndNoDuplicates) {
    SimOptions o = base(4, 25, 100, 500, 7);
    Partition p;
    p.at_s = 5;
    p.heal_s = 10;
    p.group = {0, 0, 1, 1};
    o.partitions.push_back(p);
    o.msgs_per_sec = 50;
    Report r = Simulator(o).run();
    // During the split each side saw the other die; after the heal, all alive again.
    for (int a : {0, 1}) {
        for (int b : {2, 3}) {
            auto ab = seen(r, a, b), ba = seen(r, b, a);
            EXPECT_NE(std::find(ab.begin(), ab.end(), NodeStatus::dead), ab.end());
            EXPECT_NE(std::find(ba.begin(), ba.end(), NodeStatus::dead), ba.end());
            EXPECT_EQ(ab.back(), NodeStatus::active);
            EXPECT_EQ(ba.back(), NodeStatus::active);
        }
    }
    EXPECT_TRUE(r.membership_converged());
    EXPECT_EQ(r.false_deaths, 0);
    EXPECT_EQ(r.partition_deaths, 8);
    EXPECT_EQ(r.duplicated, 0u);
    EXPECT_EQ(r.out_of_order, 0u);
    EXPECT_EQ(r.lost, 0u);
}

TEST(SimPartition, OneWayLossIsSeenOnlyWhereItHappens) {
    SimOptions o = base(3, 20, 100, 500, 3);
    Partition p;
    p.at_s = 5;
    p.heal_s = 10;
    p.one_way = true;
    p.from = {true, false, false};  // n1's packets do not reach n2
    p.to = {false, true, false};
    o.partitions.push_back(p);
    Report r = Simulator(o).run();
    auto n2_sees_n1 = seen(r, 1, 0);
    EXPECT_NE(std::find(n2_sees_n1.begin(), n2_sees_n1.end(), NodeStatus::dead), n2_sees_n1.end());
    auto n3_sees_n1 = seen(r, 2, 0);  // n3 never lost n1
    EXPECT_EQ(std::find(n3_sees_n1.begin(), n3_sees_n1.end(), NodeStatus::dead), n3_sees_n1.end());
    EXPECT_EQ(r.false_deaths, 0);
    EXPECT_TRUE(r.membership_converged());
}

TEST(SimRestart, NewGenerationIsSeenDeadThenActive) {
    for (double restart_at : {5.1, 8.0}) {  // before and after peers noticed the crash
        SimOptions o = base(3, 15, 100, 500, 11);
        o.events.push_back(event(NodeEvent::Kind::crash, 2, 5.0));
        o.events.push_back(event(NodeEvent::Kind::restart, 2, restart_at));
        o.msgs_per_sec = 20;
        Report r = Simulator(o).run();
        for (int observer : {0, 1}) {
            auto s = seen(r, observer, 2);
            auto dead = std::find(s.begin(), s.end(), NodeStatus::dead);
            ASSERT_NE(dead, s.end()) << restart_at;
            EXPECT_EQ(std::count(s.begin(), s.end(), NodeStatus::dead), 1) << restart_at;
            EXPECT_EQ(s.back(), NodeStatus::active) << restart_at;
        }
        EXPECT_EQ(r.totals.dropped_replay, 0u);
        EXPECT_EQ(r.duplicated, 0u);
        EXPECT_EQ(r.false_deaths, 0);
        EXPECT_TRUE(r.membership_converged());
    }
}

TEST(SimLeave, GracefulLeaveIsSeenAtOnce) {
    SimOptions o = base(3, 10, 100, 500, 5);
    o.events.push_back(event(NodeEvent::Kind::leave, 2, 5.0));
    Report r = Simulator(o).run();
    int deaths = 0;
    for (const auto& e : r.timeline) {
        if (e.node == 2 && e.to == NodeStatus::dead) {
            ++deaths;
            EXPECT_LE(e.t, 5 * core::kSeconds + 5 * kMillis);
        }
    }
    EXPECT_EQ(deaths, 2);
    EXPECT_TRUE(r.membership_converged());
}

TEST(SimDeterminism, SameArgumentsSameOutputByteForByte) {
    SimOptions o = base(5, 10, 100, 500, 42);
    o.loss = 0.2;
    o.jitter_ms = 10;
    o.dup = 0.02;
    o.msgs_per_sec = 100;
    o.events.push_back(event(NodeEvent::Kind::crash, 4, 4.0));
    o.events.push_back(event(NodeEvent::Kind::restart, 4, 6.0));
    const std::string a = format_report(Simulator(o).run());
    const std::string b = format_report(Simulator(o).run());
    EXPECT_EQ(a, b);
    o.seed = 43;
    EXPECT_NE(format_report(Simulator(o).run()), a);
}

// ----- resource management: two nodes, groups g1, g3 preferred by n1 and g2, g4 by n2 -----

SimOptions pair_with_groups(double duration_s, config::AutoFailback afb, std::uint64_t seed = 1) {
    SimOptions o = base(2, duration_s, 1000, 3000, seed);
    o.resource_groups = 4;
    o.auto_failback = afb;
    return o;
}

std::string failures(const Report& r) {
    std::string out = format_report(r);
    for (const auto& f : r.resources.final_failures) out += f + "\n";
    return out;
}

void expect_no_overlap_while_connected(const Report& r) {
    EXPECT_EQ(r.resources.overlap_while_connected_us, 0) << failures(r);
    EXPECT_EQ(r.resources.overlap_while_connected_episodes, 0) << failures(r);
}

// Where each group runs at the end (node index, -1: nowhere or several).
std::vector<int> owners(const Report& r) { return r.resources.final_owner; }

TEST(SimResources, CrashAndRestartWithAutoFailbackOnBringsTheGroupsHome) {
    SimOptions o = pair_with_groups(90, config::AutoFailback::on);
    o.events = {event(NodeEvent::Kind::crash, 0, 20), event(NodeEvent::Kind::restart, 0, 40)};
    Report r = Simulator(o).run();
    ASSERT_TRUE(r.resources.enabled);
    expect_no_overlap_while_connected(r);
    EXPECT_EQ(r.resources.split_brain_episodes, 0);
    EXPECT_TRUE(r.resources.final_ok) << failures(r);
    EXPECT_EQ(owners(r), (std::vector<int>{0, 1, 0, 1}));
    EXPECT_GE(r.resources.takeovers, 1u);
    EXPECT_GE(r.resources.standbys, 1u);  // the failback
    EXPECT_GT(r.resources.scripts_run, 0u);
    EXPECT_EQ(r.resources.script_failures, 0u);
    EXPECT_EQ(r.resources.messages_refused, 0u);
}

TEST(SimResources, CrashAndRestartWithAutoFailbackOffLeavesTheGroupsWithTheSurvivor) {
    SimOptions o = pair_with_groups(90, config::AutoFailback::off);
    o.events = {event(NodeEvent::Kind::crash, 0, 20), event(NodeEvent::Kind::restart, 0, 40)};
    Report r = Simulator(o).run();
    expect_no_overlap_while_connected(r);
    EXPECT_TRUE(r.resources.final_ok) << failures(r);
    EXPECT_EQ(owners(r), (std::vector<int>{1, 1, 1, 1}));
    EXPECT_GE(r.resources.takeovers, 1u);
    EXPECT_EQ(r.resources.standbys, 0u);
}

TEST(SimResources, LegacyAlwaysFailsBack) {
    SimOptions o = pair_with_groups(90, config::AutoFailback::legacy);
    o.events = {event(NodeEvent::Kind::crash, 0, 20), event(NodeEvent::Kind::restart, 0, 40)};
    Report r = Simulator(o).run();
    expect_no_overlap_while_connected(r);
    EXPECT_TRUE(r.resources.final_ok) << failures(r);
    EXPECT_EQ(owners(r), (std::vector<int>{0, 1, 0, 1}));
}

// No STONITH: while the two cannot hear each other both run everything (split brain, counted).
// Once they hear each other again, each group ends on its own node only.
TEST(SimResources, APartitionIsASplitBrainThatEndsWhenItHeals) {
    for (auto afb : {config::AutoFailback::on, config::AutoFailback::off, config::AutoFailback::legacy}) {
        SimOptions o = pair_with_groups(90, afb);
        Partition p;
        p.at_s = 20;
        p.heal_s = 40;
        p.group = {0, 1};
        o.partitions.push_back(p);
        Report r = Simulator(o).run();
        expect_no_overlap_while_connected(r);
        EXPECT_GE(r.resources.split_brain_episodes, 1);
        // Both took the other's groups after a deadtime and held them until the heal.
        EXPECT_GT(r.resources.split_brain_us, 15 * core::kSeconds);
        EXPECT_LT(r.resources.split_brain_us, 20 * core::kSeconds + 5 * core::kSeconds);
        EXPECT_GT(r.resources.split_brain_after_heal_us, 0);
        EXPECT_LT(r.resources.split_brain_after_heal_us, 5 * core::kSeconds);
        EXPECT_TRUE(r.resources.final_ok) << failures(r);
        EXPECT_EQ(owners(r), (std::vector<int>{0, 1, 0, 1}));
        EXPECT_EQ(r.partition_deaths, 2);
    }
}

// 20% loss and 5% of starts and stops failing, with a crash and a restart. A failed start leaves
// its group down (heartbeat gives it up, and asks for a standby of the foreign set 30 s later),
// so the end may miss a group; what must hold: never a group on both nodes while they are
// connected, and no end state that script failures do not explain.
TEST(SimResources, LossAndFailingScriptsNeverRunAGroupTwiceWhileConnected) {
    int failed_scripts = 0;
    for (std::uint64_t seed : {1, 2, 3, 4}) {
        SimOptions o = pair_with_groups(150, config::AutoFailback::on, seed);
        o.keepalive_ms = 500;
        o.deadtime_ms = 5000;
        o.loss = 0.2;
        o.jitter_ms = 5;
        o.script_fail = 0.05;
        o.events = {event(NodeEvent::Kind::crash, 1, 25), event(NodeEvent::Kind::restart, 1, 45)};
        Report r = Simulator(o).run();
        expect_no_overlap_while_connected(r);
        EXPECT_TRUE(r.resources.final_ok || r.resources.final_failures_explained) << failures(r);
        for (const auto& f : r.resources.final_failures) EXPECT_EQ(f.find(" and "), std::string::npos) << f;
        EXPECT_TRUE(r.membership_converged());
        failed_scripts += static_cast<int>(r.resources.script_failures);
    }
    EXPECT_GT(failed_scripts, 0);
}

TEST(SimResources, AGracefulLeaveHandsTheGroupsOverAndTheyComeBack) {
    SimOptions o = pair_with_groups(90, config::AutoFailback::on);
    o.events = {event(NodeEvent::Kind::leave, 0, 20), event(NodeEvent::Kind::restart, 0, 40)};
    // Meanwhile: the same run, stopped before the restart.
    SimOptions meanwhile = o;
    meanwhile.duration_s = 35;
    Report during = Simulator(meanwhile).run();
    expect_no_overlap_while_connected(during);
    EXPECT_TRUE(during.resources.final_ok) << failures(during);
    EXPECT_EQ(owners(during), (std::vector<int>{1, 1, 1, 1}));
    EXPECT_FALSE(during.running_at_end[0]);
    // n2 took over at once on n1's goodbye, without waiting for a deadtime.
    for (const auto& e : during.timeline) {
        if (e.observer == 1 && e.node == 0 && e.to == NodeStatus::dead) {
            EXPECT_LT(e.t, 21 * core::kSeconds);
        }
    }
    Report after = Simulator(o).run();
    expect_no_overlap_while_connected(after);
    EXPECT_EQ(after.resources.split_brain_episodes, 0);
    EXPECT_TRUE(after.resources.final_ok) << failures(after);
    EXPECT_EQ(owners(after), (std::vector<int>{0, 1, 0, 1}));
    EXPECT_GE(after.resources.takeovers, 1u);
}

TEST(SimResources, SameSeedSameRun) {
    SimOptions o = pair_with_groups(60, config::AutoFailback::on, 9);
    o.loss = 0.1;
    o.jitter_ms = 5;
    o.script_fail = 0.05;
    o.timeline = true;  // the managers' log lines too
    o.events = {event(NodeEvent::Kind::crash, 0, 15), event(NodeEvent::Kind::restart, 0, 25)};
    Partition p;
    p.at_s = 30;
    p.heal_s = 35;
    p.group = {0, 1};
    o.partitions.push_back(p);
    const Report a = Simulator(o).run();
    const Report b = Simulator(o).run();
    EXPECT_EQ(format_report(a), format_report(b));
    EXPECT_EQ(a.resources.log, b.resources.log);
    EXPECT_EQ(a.resources.split_brain_us, b.resources.split_brain_us);
    EXPECT_GT(a.resources.log.size(), 10u);
    o.seed = 10;
    EXPECT_NE(format_report(Simulator(o).run()), format_report(a));
}

// With no resource groups the other resource options change nothing: the run is the one without
// a resource manager, and the report says nothing of resources.
TEST(SimResources, NoGroupsNoResourceManager) {
    SimOptions o = base(3, 12, 100, 500, 5);
    o.loss = 0.1;
    o.msgs_per_sec = 50;
    o.events = {event(NodeEvent::Kind::crash, 2, 4), event(NodeEvent::Kind::restart, 2, 6),
                event(NodeEvent::Kind::leave, 1, 8)};
    Partition p;
    p.at_s = 9;
    p.heal_s = 10;
    p.group = {0, 1, 1};
    o.partitions.push_back(p);
    SimOptions tuned = o;
    tuned.resource_groups = 0;
    tuned.auto_failback = config::AutoFailback::legacy;
    tuned.script_ms = 7;
    tuned.script_fail = 0.5;
    const Report plain = Simulator(o).run();
    const Report off = Simulator(tuned).run();
    EXPECT_FALSE(off.resources.enabled);
    EXPECT_EQ(format_report(off), format_report(plain));
    EXPECT_EQ(format_report(off).find("resources"), std::string::npos);
    EXPECT_EQ(off.timeline.size(), plain.timeline.size());
    EXPECT_EQ(off.detection_us, plain.detection_us);
    EXPECT_EQ(off.msgs_sent, plain.msgs_sent);
    EXPECT_EQ(off.deliveries, plain.deliveries);
    EXPECT_EQ(off.totals.packets_received, plain.totals.packets_received);
    EXPECT_EQ(off.final_view, plain.final_view);
}

TEST(SimResources, ResourceGroupsNeedExactlyTwoNodes) {
    SimOptions o = pair_with_groups(10, config::AutoFailback::on);
    o.nodes = 3;
    EXPECT_THROW(Simulator{o}, std::invalid_argument);
}

}  // namespace
}  // namespace hb::sim
