// The respawn/failfast rules of resources::ChildSupervisor, driven with times and exits alone:
// start order, respawn, the quick-death delay and limit, exit 100, failfast, and the shutdown
// order (last first, one at a time).
#include <gtest/gtest.h>

#include "resources/child_supervisor.hpp"

namespace hb::resources {
namespace {

using core::kSeconds;
using Starts = std::vector<std::size_t>;

ChildExit code(int c) {
    ChildExit e;
    e.exit_code = c;
    return e;
}
ChildExit killed(int sig) {
    ChildExit e;
    e.signal = sig;
    return e;
}

// Carries out the effects' starts, as the driver does.
ChildEffects run(ChildSupervisor& s, ChildEffects e, core::Micros now) {
    for (std::size_t i : e.start) s.started(i, now);
    return e;
}

ChildSupervisor three() {
    return ChildSupervisor({{"hacluster", "/a", false}, {"root", "/b", false}, {"root", "/c", false}});
}

TEST(ChildSupervisor, StartsEveryChildAtCommUpInFileOrder) {
    auto s = three();
    EXPECT_TRUE(s.tick(5 * kSeconds).start.empty());  // nothing before comm up
    auto e = run(s, s.comm_up(10 * kSeconds), 10 * kSeconds);
    EXPECT_EQ(e.start, (Starts{0, 1, 2}));
    EXPECT_EQ(s.children()[0].phase, ChildPhase::running);
    EXPECT_TRUE(run(s, s.comm_up(11 * kSeconds), 11 * kSeconds).start.empty());  // once
}

TEST(ChildSupervisor, ALongLivedChildIsRespawnedAtOnce) {
    auto s = three();
    run(s, s.comm_up(0), 0);
    auto e = run(s, s.exited(1, 60 * kSeconds, killed(9)), 60 * kSeconds);
    EXPECT_EQ(e.start, (Starts{1}));
    EXPECT_EQ(s.children()[1].starts, 2u);
    EXPECT_EQ(s.children()[1].last_exit, "signal 9");
    EXPECT_FALSE(e.leave);
}

TEST(ChildSupervisor, AQuickDeathRestartsASecondLater) {
    auto s = three();
    run(s, s.comm_up(0), 0);
    auto e = s.exited(0, 2 * kSeconds, code(1));
    EXPECT_TRUE(e.start.empty());
    EXPECT_EQ(s.children()[0].phase, ChildPhase::waiting);
    EXPECT_EQ(s.next_deadline(), 3 * kSeconds);
    EXPECT_TRUE(s.tick(3 * kSeconds - 1).start.empty());
    EXPECT_EQ(run(s, s.tick(3 * kSeconds), 3 * kSeconds).start, (Starts{0}));
    EXPECT_EQ(s.next_deadline(), core::kNever);
}

TEST(ChildSupervisor, MoreThanTenQuickDeathsInARowGiveItUp) {
    auto s = three();
    core::Micros now = 0;
    run(s, s.comm_up(now), now);
    for (std::uint64_t n = 1; n <= ChildSupervisor::kMaxQuickDeaths; ++n) {
        now += kSeconds / 2;
        s.exited(2, now, code(1));
        now = s.next_deadline();
        ASSERT_EQ(run(s, s.tick(now), now).start, (Starts{2})) << n;
    }
    auto e = s.exited(2, now + 1, code(1));
    EXPECT_EQ(s.children()[2].phase, ChildPhase::given_up);
    ASSERT_FALSE(e.log.empty());
    EXPECT_NE(e.log.back().text.find("respawning too fast"), std::string::npos);
    EXPECT_EQ(s.next_deadline(), core::kNever);
}

TEST(ChildSupervisor, ALongLifeResetsTheQuickDeathCount) {
    auto s = three();
    run(s, s.comm_up(0), 0);
    s.exited(0, kSeconds, code(1));
    run(s, s.tick(2 * kSeconds), 2 * kSeconds);
    EXPECT_EQ(s.children()[0].quick_deaths, 1u);
    run(s, s.exited(0, 40 * kSeconds, code(1)), 40 * kSeconds);
    EXPECT_EQ(s.children()[0].quick_deaths, 0u);
}

TEST(ChildSupervisor, Exit100IsNotRespawned) {
    auto s = three();
    run(s, s.comm_up(0), 0);
    auto e = s.exited(0, 50 * kSeconds, code(100));
    EXPECT_TRUE(e.start.empty());
    EXPECT_EQ(s.children()[0].phase, ChildPhase::finished);
    EXPECT_EQ(s.next_deadline(), core::kNever);
}

TEST(ChildSupervisor, AFailfastChildThatFailsTakesTheNodeOut) {
    ChildSupervisor s({{"root", "/watchdog", true}});
    run(s, s.comm_up(0), 0);
    auto e = s.exited(0, 100 * kSeconds, killed(15));
    EXPECT_TRUE(e.leave);
    EXPECT_TRUE(e.start.empty());
    EXPECT_EQ(s.children()[0].phase, ChildPhase::given_up);
    ASSERT_FALSE(e.log.empty());
    EXPECT_EQ(e.log.back().level, 2);
}

TEST(ChildSupervisor, AFailfastChildThatExitsZeroIsRespawned) {
    ChildSupervisor s({{"root", "/watchdog", true}});
    run(s, s.comm_up(0), 0);
    auto e = run(s, s.exited(0, 100 * kSeconds, code(0)), 100 * kSeconds);
    EXPECT_FALSE(e.leave);
    EXPECT_EQ(e.start, (Starts{0}));
}

TEST(ChildSupervisor, ShutdownStopsLastFirstOneAtATime) {
    auto s = three();
    run(s, s.comm_up(0), 0);
    auto e = s.shutdown(kSeconds);
    EXPECT_EQ(e.terminate, (Starts{2}));
    EXPECT_FALSE(e.all_stopped);
    EXPECT_TRUE(s.shutdown(kSeconds).terminate.empty());  // once
    // Child 0 dies on its own meanwhile: not respawned, and child 2 is still the one awaited.
    e = s.exited(0, kSeconds + 1, code(1));
    EXPECT_TRUE(e.start.empty());
    EXPECT_TRUE(e.terminate.empty());
    EXPECT_EQ(s.children()[0].phase, ChildPhase::stopped);
    e = s.exited(2, 2 * kSeconds, killed(15));
    EXPECT_EQ(e.terminate, (Starts{1}));
    e = s.exited(1, 3 * kSeconds, code(0));
    EXPECT_TRUE(e.all_stopped);
    EXPECT_TRUE(s.tick(10 * kSeconds).start.empty());
}

TEST(ChildSupervisor, ShutdownCancelsAPendingRestart) {
    auto s = three();
    run(s, s.comm_up(0), 0);
    for (std::size_t i : {0, 1, 2}) s.exited(i, kSeconds, code(1));
    auto e = s.shutdown(kSeconds + 1);
    EXPECT_TRUE(e.all_stopped);
    EXPECT_EQ(s.next_deadline(), core::kNever);
}

TEST(ChildSupervisor, WithNoChildrenShutdownIsOverAtOnce) {
    ChildSupervisor s({});
    EXPECT_TRUE(s.shutdown(0).all_stopped);
}

TEST(ChildSupervisor, AChildThatCannotStartCountsAsAQuickDeath) {
    auto s = three();
    run(s, s.comm_up(0), 0);
    ChildExit e;
    e.started = false;
    e.why = "no user x";
    s.exited(1, kSeconds, e);
    EXPECT_EQ(s.children()[1].phase, ChildPhase::waiting);
    EXPECT_EQ(s.children()[1].last_exit, "not started: no user x");
}

}  // namespace
}  // namespace hb::resources
