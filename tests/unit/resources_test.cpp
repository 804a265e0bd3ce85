// The resource manager driven step by step: two managers joined by a hand-cranked message bus
// (every message reaches every live node, its sender included, in order) and a fake script table
// in which each resource is running or not, scripts finish at once, and chosen calls fail.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <algorithm>
#include <cstdint>

#include "resources/manager.hpp"

namespace hb::resources {
namespace {

using core::kSeconds;
using core::Micros;

ManagerConfig config_for(const std::string& name, config::AutoFailback afb) {
    ManagerConfig c;
    c.node = name;
    c.nodes = {"n1", "n2"};
    c.auto_failback = afb;
    c.groups = {{"rmtest::a1", "n1", 3}, {"rmtest::b1", "n2", 1}};
    return c;
}

struct Call {
    std::string node;
    std::size_t group;
    std::size_t resource;
    Action action;
    bool operator==(const Call&) const = default;
};

class Pair {
public:
    explicit Pair(config::AutoFailback afb = config::AutoFailback::on) : afb_(afb) {}

    void boot(const std::string& n) {
        managers_.erase(n);
        ManagerConfig c = config_for(n, afb_);
        c.hooks = hooks;
        c.stonith = stonith;
        managers_.emplace(n, Manager(std::move(c)));
        alive_.insert(n);
        // The peers it sees alive: what the core reports before comm up.
        for (const auto& other : alive_) {
            if (other == n) continue;
            apply(n, m(n).node_changed(now_, other, core::NodeStatus::active, false));
            apply(other, m(other).node_changed(now_, n, core::NodeStatus::active, false));
        }
    }
    void comm_up(const std::string& n) { apply(n, m(n).comm_up(now_)); }
    void start_both() {
        boot("n1");
        boot("n2");
        comm_up("n1");
        comm_up("n2");
        settle();
    }
    // SIGKILL: no goodbye; the survivor's core sees it dead after its deadtime.
    void crash(const std::string& n) {
        alive_.erase(n);
        managers_.erase(n);
        running_.erase(std::remove_if(running_.begin(), running_.end(), [&](auto& r) { return r.node == n; }),
                       running_.end());
        for (const auto& other : alive_) apply(other, m(other).node_changed(now_, n, core::NodeStatus::dead, false));
    }
    void shutdown(const std::string& n) { apply(n, m(n).shutdown(now_)); }
    // A partition: the nodes in `silenced` are heard by nobody else (their messages reach only
    // themselves) and the other nodes' cores declare them dead; every node stays up. Both nodes
    // silenced: a two-way split; one: a one-way loss. heal(): the cores hear them again, same
    // generation (heartbeat's "returning after partition").
    void partition(std::set<std::string> silenced) {
        silenced_ = std::move(silenced);
        for (const auto& n : names()) {
            for (const auto& s : silenced_) {
                if (s != n) apply(n, m(n).node_changed(now_, s, core::NodeStatus::dead, false));
            }
        }
    }
    // Messages to `n` wait (a slow path to it) until release(n) hands them over, in order.
    void hold_messages_to(const std::string& n) { held_.emplace(n, std::deque<Message>{}); }
    void release(const std::string& n) {
        auto parked = std::move(held_.at(n));
        held_.erase(n);
        for (auto& msg : parked) apply(n, m(n).message(now_, msg));
        settle();
    }
    void heal() {
        const auto was = std::exchange(silenced_, {});
        for (const auto& n : names()) {
            for (const auto& s : was) {
                if (s != n) apply(n, m(n).node_changed(now_, s, core::NodeStatus::active, false));
            }
        }
    }
    // After its LeaveCluster: the peers' cores got its shutdone and report it dead, gracefully.
    void goodbye(const std::string& n) {
        alive_.erase(n);
        managers_.erase(n);
        for (const auto& other : alive_) apply(other, m(other).node_changed(now_, n, core::NodeStatus::dead, true));
    }
    // One node alone gets a message (the others lost it, or never processed it).
    void deliver_to(const std::string& n, const Message& msg) { apply(n, m(n).message(now_, msg)); }
    // A message from node n's clients (hb_standby, hb_takeover): onto the bus like any other.
    void post(const std::string& n, Message msg) {
        msg.add("src", n);
        wire.push_back(msg);
        bus_.push_back(std::move(msg));
    }
    Message last(std::string_view type) const {
        for (auto it = wire.rbegin(); it != wire.rend(); ++it) {
            if (it->get("t") == std::optional<std::string_view>(type)) return *it;
        }
        return {};
    }
    // Checked after every script: no resource ran on both nodes while both were alive.
    bool never_both() const { return !overlap_; }

    Manager& m(const std::string& n) { return managers_.at(n); }
    bool alive(const std::string& n) const { return alive_.contains(n); }
    Micros now() const { return now_; }

    // Delivers what is queued; then advances time to each deadline until nothing is left or
    // `until` is reached.
    void settle(Micros until = -1) {
        if (until < 0) until = now_ + 7200 * kSeconds;
        for (int round = 0; round < 10000; ++round) {
            drain();
            Micros next = core::kNever;
            for (auto& [n, mgr] : managers_) next = std::min(next, mgr.next_deadline());
            if (next == core::kNever || next > until) break;
            now_ = std::max(now_, next);
            for (auto& n : names()) {
                if (managers_.contains(n)) apply(n, m(n).tick(now_));
            }
        }
        drain();
    }
    void advance(Micros d) { settle(now_ + d); now_ += d; }

    bool running(const std::string& n, std::size_t g, std::size_t r) const {
        return std::find(running_.begin(), running_.end(), Call{n, g, r, Action::start}) != running_.end();
    }
    bool group_running(const std::string& n, std::size_t g) const {
        const std::size_t count = config_for(n, afb_).groups[g].resources;
        for (std::size_t r = 0; r < count; ++r) {
            if (!running(n, g, r)) return false;
        }
        return true;
    }
    std::vector<Call> calls;
    std::vector<std::string> hooks;  // ManagerConfig::hooks of the nodes booted from now on
    std::vector<std::pair<std::string, RunHook>> hook_runs;  // node, hook; answered by finish_hook()
    bool stonith = false;  // ManagerConfig::stonith of the nodes booted from now on
    std::vector<std::pair<std::string, RunStonith>> stonith_runs;  // answered by finish_stonith()
    void finish_stonith(std::size_t i, bool ok) {
        const auto& [n, run] = stonith_runs.at(i);
        apply(n, m(n).stonith_done(now_, run.id, ok, ok ? "" : "exit code 1"));
        settle(now_);  // not on to the retry's deadline
    }
    // The resets asked of the device (status checks left out), in order.
    std::vector<std::string> resets() const {
        std::vector<std::string> out;
        for (const auto& [n, run] : stonith_runs) {
            if (!run.node.empty()) out.push_back(n + ">" + run.node);
        }
        return out;
    }
    void finish_hook(std::size_t i, bool ok = true) {
        const auto& [n, run] = hook_runs.at(i);
        apply(n, m(n).script_done(now_, run.id, ok, false, ""));
        settle();
    }
    std::vector<Message> wire;  // every message sent, in order
    std::set<std::tuple<std::string, std::size_t, std::size_t, Action>> failing;
    std::vector<std::string> left;
    bool hold_scripts = false;  // scripts stay pending until release_scripts()
    std::deque<std::tuple<std::string, RunScript>> pending_scripts;

    void release_scripts() {
        hold_scripts = false;
        while (!pending_scripts.empty()) {
            auto [n, run] = pending_scripts.front();
            pending_scripts.pop_front();
            finish(n, run);
        }
        settle();
    }

    std::vector<std::string> wire_types(std::string_view src) const {
        std::vector<std::string> out;
        for (const auto& msg : wire) {
            if (msg.get("src") == std::optional<std::string_view>(src)) out.emplace_back(*msg.get("t"));
        }
        return out;
    }

private:
    std::vector<std::string> names() const { return {alive_.begin(), alive_.end()}; }

    void apply(const std::string& n, Effects effects) {
        for (auto& e : effects) {
            if (auto* send = std::get_if<SendMessage>(&e)) {
                Message msg = send->msg;
                msg.add("src", n);
                wire.push_back(msg);
                bus_.push_back(msg);
            } else if (auto* run = std::get_if<RunScript>(&e)) {
                calls.push_back({n, run->group, run->resource, run->action});
                if (hold_scripts) {
                    pending_scripts.emplace_back(n, *run);
                } else {
                    scripts_.emplace_back(n, *run);
                }
            } else if (auto* hook = std::get_if<RunHook>(&e)) {
                hook_runs.emplace_back(n, *hook);
            } else if (auto* st = std::get_if<RunStonith>(&e)) {
                stonith_runs.emplace_back(n, *st);
            } else if (std::holds_alternative<LeaveCluster>(e)) {
                left.push_back(n);
            }
        }
    }

    void finish(const std::string& n, const RunScript& run) {
        if (!managers_.contains(n)) return;
        const Call here{n, run.group, run.resource, Action::start};
        const bool fails = failing.contains({n, run.group, run.resource, run.action});
        bool ok = !fails;
        const bool is_running = std::find(running_.begin(), running_.end(), here) != running_.end();
        if (run.action == Action::start && ok && !is_running) running_.push_back(here);
        if (run.action == Action::stop && ok) std::erase(running_, here);
        for (const auto& r : running_) {
            if (r.node != n && r.group == run.group && r.resource == run.resource && running(n, run.group, run.resource) &&
                alive_.size() > 1) {
                overlap_ = true;
            }
        }
        apply(n, m(n).script_done(now_, run.id, ok, run.action == Action::status ? is_running : false, ""));
    }

    void drain() {
        for (int i = 0; i < 100000 && (!bus_.empty() || !scripts_.empty()); ++i) {
            if (!bus_.empty()) {
                Message msg = bus_.front();
                bus_.pop_front();
                const std::string src(msg.get("src").value_or(""));
                for (auto& n : names()) {
                    if (!managers_.contains(n) || (n != src && silenced_.contains(src))) continue;
                    if (auto h = held_.find(n); h != held_.end()) {
                        h->second.push_back(msg);
                    } else {
                        apply(n, m(n).message(now_, msg));
                    }
                }
                continue;
            }
            auto [n, run] = scripts_.front();
            scripts_.pop_front();
            finish(n, run);
        }
    }

    config::AutoFailback afb_;
    Micros now_ = 1000 * kSeconds;
    std::map<std::string, Manager> managers_;
    std::set<std::string> alive_;
    std::deque<Message> bus_;
    std::set<std::string> silenced_;
    std::map<std::string, std::deque<Message>> held_;
    std::deque<std::tuple<std::string, RunScript>> scripts_;
    std::vector<Call> running_;
    bool overlap_ = false;
};

Message ask_resources(std::string_view set, std::string_view info) {
    Message m;
    m.add("t", "ask_resources");
    m.add("rsc_hold", set);
    m.add("info", info);
    return m;
}

TEST(HeldSet, NamesMirrorsAndBits) {
    EXPECT_EQ(parse_held_set("foreign"), HeldSet::foreign);
    EXPECT_EQ(parse_held_set("both"), std::nullopt);
    EXPECT_EQ(mirror(HeldSet::local), HeldSet::foreign);
    EXPECT_EQ(mirror(HeldSet::all), HeldSet::all);
    EXPECT_EQ(without(HeldSet::all, HeldSet::local), HeldSet::foreign);
    EXPECT_TRUE(has(HeldSet::all, HeldSet::foreign));
    EXPECT_FALSE(has(HeldSet::local, HeldSet::none));
}

TEST(GroupAction, TakeProbesEachResourceThenStartsOnlyWhatIsStopped) {
    GroupAction a(GroupAction::Kind::take, 2, 10, kSeconds);
    auto s = a.next(0);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->action, Action::status);
    a.done(0, true, true);  // resource 1 already runs: not started again
    s = a.next(0);
    EXPECT_EQ(s->resource, 1u);
    EXPECT_EQ(s->action, Action::status);
    a.done(0, true, false);
    s = a.next(0);
    EXPECT_EQ(s->action, Action::start);
    a.done(0, true, false);
    EXPECT_EQ(a.outcome(), GroupAction::Outcome::done);
}

TEST(GroupAction, FailedStartStopsTheWholeGroupRightToLeft) {
    GroupAction a(GroupAction::Kind::take, 3, 10, kSeconds);
    a.done(0, true, false);  // r0 status
    a.done(0, true, false);  // r0 start
    a.done(0, true, false);  // r1 status
    a.done(0, false, false);  // r1 start fails
    std::vector<std::size_t> stops;
    for (int i = 0; i < 5 && a.outcome() == GroupAction::Outcome::pending; ++i) {
        auto s = a.next(0);
        ASSERT_EQ(s->action, Action::stop);
        stops.push_back(s->resource);
        a.done(0, true, false);
    }
    EXPECT_EQ(stops, (std::vector<std::size_t>{2, 1, 0}));
    EXPECT_EQ(a.outcome(), GroupAction::Outcome::start_failed);
}

TEST(GroupAction, FailedStopIsRetriedThenJudgedByStatus) {
    GroupAction a(GroupAction::Kind::give, 1, 3, kSeconds);
    a.done(0, false, false);
    EXPECT_FALSE(a.next(0));  // waits a second before the retry
    EXPECT_EQ(a.wait_until(), kSeconds);
    ASSERT_TRUE(a.next(kSeconds));
    a.done(kSeconds, false, false);
    a.done(3 * kSeconds, false, false);
    auto s = a.next(3 * kSeconds);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->action, Action::status);
    a.done(3 * kSeconds, true, true);  // still running
    EXPECT_EQ(a.outcome(), GroupAction::Outcome::stop_failed);
}

TEST(Manager, BothStartingTakeTheirOwnGroupsAfterTheRequestDelay) {
    Pair p;
    p.boot("n1");
    p.boot("n2");
    p.comm_up("n1");
    p.comm_up("n2");
    p.settle(p.now() + 5 * kSeconds);
    EXPECT_EQ(p.m("n1").getrsc(), "transition");
    EXPECT_TRUE(p.calls.empty());
    p.settle();
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_EQ(p.m("n2").getrsc(), "local");
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_TRUE(p.group_running("n2", 1));
    EXPECT_FALSE(p.running("n1", 1, 0));
    // heartbeat's order within a group: status then start, left to right.
    std::vector<Call> n1_calls;
    for (const auto& c : p.calls) {
        if (c.node == "n1") n1_calls.push_back(c);
    }
    ASSERT_EQ(n1_calls.size(), 6u);
    EXPECT_EQ(n1_calls[0], (Call{"n1", 0, 0, Action::status}));
    EXPECT_EQ(n1_calls[1], (Call{"n1", 0, 0, Action::start}));
    EXPECT_EQ(n1_calls[5], (Call{"n1", 0, 2, Action::start}));
    EXPECT_EQ(p.wire_types("n1").front(), "starting");
}

TEST(Manager, AStableHolderAnswersStartingSoTheNewcomerTakesWithoutDelay) {
    Pair p;
    p.start_both();
    p.crash("n1");
    p.settle();
    EXPECT_EQ(p.m("n2").getrsc(), "all");
    EXPECT_TRUE(p.group_running("n2", 0));
    // the survivor said so, as heartbeat without a STONITH device does
    bool stonith = false;
    for (const auto& msg : p.wire) {
        if (msg.get("t") == std::optional<std::string_view>("stonith")) {
            stonith = msg.get("node") == std::optional<std::string_view>("n1") &&
                      msg.get("result") == std::optional<std::string_view>("n_stnth");
        }
    }
    EXPECT_TRUE(stonith);
    // n1 returns; auto_failback on gives its group back through a standby of the foreign set.
    const Micros back = p.now();
    p.boot("n1");
    p.comm_up("n1");
    p.settle();
    EXPECT_LT(p.now() - back, 5 * kSeconds);  // no RQSTDELAY: the holder was stable
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_EQ(p.m("n2").getrsc(), "local");
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_FALSE(p.running("n2", 0, 0));
    EXPECT_EQ(p.m("n2").counters().standbys, 1u);
}

TEST(Manager, AutoFailbackOffLeavesTheGroupsWithTheSurvivor) {
    Pair p(config::AutoFailback::off);
    p.start_both();
    p.crash("n1");
    p.settle();
    p.boot("n1");
    p.comm_up("n1");
    p.settle();
    EXPECT_EQ(p.m("n1").getrsc(), "none");
    EXPECT_EQ(p.m("n2").getrsc(), "all");
    EXPECT_TRUE(p.group_running("n2", 0));
    EXPECT_FALSE(p.running("n1", 0, 0));
}

TEST(Manager, StandbyMovesEverythingToThePeerAndFailbackReturnsIt) {
    Pair p;
    p.start_both();
    p.post("n1", ask_resources("all", "me"));  // hb_standby on n1
    p.settle();
    EXPECT_EQ(p.m("n1").getrsc(), "none");
    EXPECT_EQ(p.m("n2").getrsc(), "all");
    EXPECT_TRUE(p.group_running("n2", 0));
    EXPECT_FALSE(p.running("n1", 0, 0));
    EXPECT_TRUE(p.never_both());
    // hb_standby failback on n2 (= foreign): n1's group goes home.
    p.post("n2", ask_resources("foreign", "me"));
    p.settle();
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_EQ(p.m("n2").getrsc(), "local");
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_TRUE(p.never_both());
    EXPECT_EQ(p.m("n1").counters().standbys, 2u);
}

TEST(Manager, TheGiverReleasesBeforeTheTakerStarts) {
    Pair p;
    p.start_both();
    p.post("n1", ask_resources("local", "me"));
    p.settle();
    // Every start of group a on n2 comes after every stop of it on n1.
    std::size_t last_stop = 0, first_start = SIZE_MAX;
    for (std::size_t i = 0; i < p.calls.size(); ++i) {
        const Call& c = p.calls[i];
        if (c.group != 0) continue;
        if (c.node == "n1" && c.action == Action::stop) last_stop = i;
        if (c.node == "n2" && c.action == Action::start) first_start = std::min(first_start, i);
    }
    EXPECT_LT(last_stop, first_start);
    EXPECT_EQ(p.m("n2").getrsc(), "all");
}

TEST(Manager, StandbyIsRefusedWhileThePeerIsInFlux) {
    Pair p;
    p.start_both();
    p.hold_scripts = true;
    p.crash("n2");
    p.settle();  // n1 is taking n2's group: in transition
    EXPECT_EQ(p.m("n1").getrsc(), "transition");
    p.boot("n2");
    p.comm_up("n2");
    p.settle();
    p.post("n2", ask_resources("all", "me"));
    p.settle();
    EXPECT_GE(p.m("n2").counters().dropped_unexpected + p.m("n1").counters().dropped_unexpected, 1u);
    p.release_scripts();
    EXPECT_EQ(p.m("n1").getrsc(), "local");  // auto failback still brought b1 home
    EXPECT_EQ(p.m("n2").getrsc(), "local");
}

TEST(Manager, ATakerWhoseGiverNeverReleasesGivesUpAfterTheReplyTime) {
    Pair p;
    p.start_both();
    // Only n2 sees n1's request (n1 had refused it, being in flux): n2 answers `other`, n1 ignores it.
    Message ask = ask_resources("all", "me");
    ask.add("src", "n1");
    const Micros t0 = p.now();
    p.deliver_to("n2", ask);
    p.settle();
    EXPECT_EQ(p.m("n2").getrsc(), "local");
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_LT(p.now() - t0, 20 * kSeconds);  // heartbeat would have waited an hour
}

TEST(Manager, HbTakeoverOnOneNodeIsAStandbyOfTheMirrorSetOnTheOther) {
    Pair p;
    p.start_both();
    Message t;
    t.add("t", "hb_takeover");
    t.add("rsc_hold", "failback");  // heartbeat's hook has no case for it: all
    p.post("n2", t);
    p.settle();
    EXPECT_EQ(p.m("n2").getrsc(), "all");
    EXPECT_EQ(p.m("n1").getrsc(), "none");
}

TEST(Manager, ShutdownStopsEveryGroupInReverseOrderThenLeavesAndThePeerTakesOver) {
    Pair p;
    p.start_both();
    const std::size_t before = p.calls.size();
    p.shutdown("n1");
    p.settle();
    ASSERT_EQ(p.left, std::vector<std::string>{"n1"});
    // every group of the file stopped, the last group first, each right to left
    std::vector<Call> stops(p.calls.begin() + static_cast<std::ptrdiff_t>(before), p.calls.end());
    ASSERT_EQ(stops.size(), 4u);
    EXPECT_EQ(stops[0], (Call{"n1", 1, 0, Action::stop}));
    EXPECT_EQ(stops[1], (Call{"n1", 0, 2, Action::stop}));
    EXPECT_EQ(stops[3], (Call{"n1", 0, 0, Action::stop}));
    EXPECT_FALSE(p.running("n1", 0, 0));
    EXPECT_EQ(p.m("n1").getrsc(), "none");
    // Its goodbye reaches n2's core, which reports it dead at once: n2 takes group a, and says
    // no reset was needed.
    p.goodbye("n1");
    p.settle();
    EXPECT_TRUE(p.group_running("n2", 0));
    EXPECT_EQ(p.m("n2").getrsc(), "all");
    EXPECT_EQ(p.last("stonith").get("result"), std::optional<std::string_view>("unneeded"));
}

TEST(Manager, ShutdownWithNothingToStopLeavesAtOnce) {
    Pair p(config::AutoFailback::legacy);
    p.start_both();
    p.shutdown("n1");  // no settle: no timer may be needed
    EXPECT_TRUE(p.left.empty());  // the stops are scripts: they run first
    Manager alone(ManagerConfig{});
    Effects e = alone.comm_up(0);
    (void)e;
    Effects bye = alone.shutdown(0);
    EXPECT_TRUE(std::any_of(bye.begin(), bye.end(), [](const Effect& x) { return std::holds_alternative<LeaveCluster>(x); }));
}

TEST(Manager, ShutdownWaitsForARunningTakeover) {
    Pair p;
    p.start_both();
    p.hold_scripts = true;
    p.crash("n2");
    p.settle();
    p.shutdown("n1");
    p.settle();
    EXPECT_TRUE(p.left.empty());
    p.release_scripts();
    EXPECT_EQ(p.left, std::vector<std::string>{"n1"});
    EXPECT_FALSE(p.running("n1", 1, 0));
}

TEST(Manager, AFailedStartStopsTheGroupAndAsksForAForeignStandbyLater) {
    Pair p;
    p.failing.insert({"n1", 0, 1, Action::start});
    p.start_both();
    EXPECT_FALSE(p.running("n1", 0, 0));
    EXPECT_EQ(p.m("n1").group_state(0), GroupState::failed);
    EXPECT_EQ(p.m("n1").counters().start_failures, 1u);
    // heartbeat still reports local (it does not reflect script failures)
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    std::vector<Call> n1_group_a;
    for (const auto& c : p.calls) {
        if (c.node == "n1" && c.group == 0) n1_group_a.push_back(c);
    }
    ASSERT_EQ(n1_group_a.size(), 7u);  // status/start, status/start(fails), stop r2, r1, r0
    EXPECT_EQ(n1_group_a[4], (Call{"n1", 0, 2, Action::stop}));
    EXPECT_EQ(n1_group_a[6], (Call{"n1", 0, 0, Action::stop}));
    bool standby = false;
    for (const auto& m : p.wire) {
        standby |= m.get("t") == std::optional<std::string_view>("ask_resources") &&
                   m.get("src") == std::optional<std::string_view>("n1") &&
                   m.get("rsc_hold") == std::optional<std::string_view>("foreign");
    }
    EXPECT_TRUE(standby);
}

TEST(Manager, AGroupThatWillNotStopIsNeverReleased) {
    Pair p;
    p.start_both();
    p.failing.insert({"n1", 0, 0, Action::stop});
    p.post("n1", ask_resources("local", "me"));
    p.settle();
    EXPECT_EQ(p.m("n1").counters().stop_failures, 1u);
    EXPECT_EQ(p.m("n1").group_state(0), GroupState::failed);
    EXPECT_FALSE(p.running("n2", 0, 0));  // the taker never started it
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    // ten stops, a second apart, then a status
    int stops = 0;
    for (const auto& c : p.calls) stops += c.node == "n1" && c.group == 0 && c.resource == 0 && c.action == Action::stop;
    EXPECT_EQ(stops, 10);
    // A shutdown cannot release it either: the node stays.
    p.shutdown("n1");
    p.settle();
    EXPECT_TRUE(p.left.empty());
}

TEST(Manager, AloneAtInitdeadTakesEverything) {
    Pair p;
    p.boot("n1");
    p.comm_up("n1");  // n2 never spoke
    p.settle();
    EXPECT_EQ(p.m("n1").getrsc(), "all");
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_TRUE(p.group_running("n1", 1));
    p.boot("n2");
    p.comm_up("n2");
    p.settle();
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_EQ(p.m("n2").getrsc(), "local");
    EXPECT_TRUE(p.never_both());
}

TEST(Manager, LegacyAsksTheHolderForEachGroupAndAlwaysFailsBack) {
    Pair p(config::AutoFailback::legacy);
    p.start_both();
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_TRUE(p.group_running("n2", 1));
    EXPECT_EQ(p.m("n1").getrsc(), "none");  // legacy never keeps a held set
    p.crash("n1");
    p.settle();
    EXPECT_TRUE(p.group_running("n2", 0));
    p.boot("n1");
    p.comm_up("n1");
    p.settle();
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_FALSE(p.running("n2", 0, 0));
    EXPECT_EQ(p.last("ip-request-resp").get("weown"), std::optional<std::string_view>("yes"));
    // standby is refused in legacy
    p.post("n1", ask_resources("all", "me"));
    p.settle();
    EXPECT_TRUE(p.group_running("n1", 0));
}

TEST(Manager, MalformedResourceMessagesAreDroppedAndCounted) {
    Pair p;
    p.start_both();
    for (const char* hold : {"", "everything"}) {
        Message m;
        m.add("t", "resource");
        if (*hold) m.add("rsc_hold", hold);
        m.add("src", "n2");
        (void)p.m("n1").message(p.now(), m);
    }
    Message bad_info = ask_resources("all", "maybe");
    bad_info.add("src", "n2");
    (void)p.m("n1").message(p.now(), bad_info);
    Message stranger = ask_resources("all", "me");
    stranger.add("src", "n9");
    (void)p.m("n1").message(p.now(), stranger);
    EXPECT_EQ(p.m("n1").counters().dropped_malformed, 3u);
    EXPECT_EQ(p.m("n1").counters().dropped_unexpected, 1u);
    EXPECT_EQ(p.m("n1").getrsc(), "local");
}

TEST(Manager, AHookedTypeRunsItsHookOneAtATimeWhileGetrscSaysTransition) {
    Pair p;
    p.hooks = {"my-event", "status", "resource"};  // the last two: done natively, never hooked
    p.start_both();
    EXPECT_TRUE(p.hook_runs.empty());
    Message ev;
    ev.add("t", "my-event");
    ev.add("detail", "x y");
    p.post("n2", ev);
    p.post("n2", ev);
    p.settle();
    // One run at a time on each node: two queued, the first running.
    ASSERT_EQ(p.hook_runs.size(), 2u);  // n1's first and n2's first
    EXPECT_EQ(p.hook_runs[0].second.type, "my-event");
    const auto& fields = p.hook_runs[0].second.fields;
    EXPECT_NE(std::find(fields.begin(), fields.end(), std::pair<std::string, std::string>("detail", "x y")), fields.end());
    EXPECT_NE(std::find(fields.begin(), fields.end(), std::pair<std::string, std::string>("src", "n2")), fields.end());
    EXPECT_EQ(p.m("n1").getrsc(), "transition");
    p.finish_hook(0);
    p.finish_hook(1);
    ASSERT_EQ(p.hook_runs.size(), 4u);  // each node's second
    p.finish_hook(2);
    p.finish_hook(3, false);  // a failing hook is logged and changes nothing else
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_EQ(p.m("n2").getrsc(), "local");
    EXPECT_EQ(p.m("n2").counters().scripts_failed, 1u);
}

TEST(Manager, AStaleScriptResultIsIgnored) {
    Pair p;
    p.start_both();
    EXPECT_TRUE(p.m("n1").script_done(p.now(), 999, true, true, "").empty());
    EXPECT_EQ(p.m("n1").counters().dropped_unexpected, 1u);
}

// Found by hbsim (--partition 20:1/2:40): while the nodes could not hear each other each took the
// other's groups (split brain: no STONITH), and once they heard each other again nothing was said,
// so every group ran on both nodes for ever. Heartbeat 3.0.6 restarts both nodes there ("returning
// after partition"). Now a node says what it holds when a peer it took over comes back, and the
// node a doubly held group does not belong to stops it: each group stays where it belongs.
TEST(Manager, AHealedPartitionLeavesEachGroupOnItsPreferredNodeOnly) {
    for (auto afb : {config::AutoFailback::on, config::AutoFailback::off}) {
        Pair p(afb);
        p.start_both();
        p.partition({"n1", "n2"});
        p.settle();
        ASSERT_TRUE(p.group_running("n1", 1));  // split brain
        ASSERT_TRUE(p.group_running("n2", 0));
        EXPECT_EQ(p.m("n1").getrsc(), "all");
        p.heal();
        p.settle();
        EXPECT_TRUE(p.group_running("n1", 0));
        EXPECT_TRUE(p.group_running("n2", 1));
        EXPECT_FALSE(p.running("n1", 1, 0));
        for (std::size_t r = 0; r < 3; ++r) EXPECT_FALSE(p.running("n2", 0, r));
        EXPECT_EQ(p.m("n1").getrsc(), "local");
        EXPECT_EQ(p.m("n2").getrsc(), "local");
        // the preferred nodes never stopped their own groups
        for (const auto& c : p.calls) {
            EXPECT_FALSE(c.node == "n1" && c.group == 0 && c.action == Action::stop);
            EXPECT_FALSE(c.node == "n2" && c.group == 1 && c.action == Action::stop);
        }
        // and the pair fails over as before
        p.crash("n1");
        p.settle();
        EXPECT_TRUE(p.group_running("n2", 0));
    }
}

// One-way loss: n2 stops hearing n1 and takes its group; n1 hears n2 all along, so only n2 sees
// n1 come back. n1 answers n2's claim on its group, and n2 gives it up.
TEST(Manager, AOneWayLossEndsWithTheGroupOnItsPreferredNodeOnly) {
    Pair p;
    p.start_both();
    p.partition({"n1"});
    p.settle();
    ASSERT_TRUE(p.group_running("n2", 0));
    ASSERT_TRUE(p.group_running("n1", 0));
    p.heal();
    p.settle();
    EXPECT_TRUE(p.group_running("n1", 0));
    for (std::size_t r = 0; r < 3; ++r) EXPECT_FALSE(p.running("n2", 0, r));
    EXPECT_TRUE(p.group_running("n2", 1));
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_EQ(p.m("n2").getrsc(), "local");
}

// Found by hbsim (--auto-failback legacy, 20% loss): n2 reached comm up while it had heard n1 only
// as `up` (n1 had not reached comm up), asked n1 for its group with ip-request, and n1, which
// handles resource messages only from its comm up on, dropped it: the group never ran anywhere.
// Heartbeat 3.0.6 asks only when another node is active (req_our_resources' upcount), and takes
// its groups directly otherwise.
TEST(Manager, LegacyTakesItsGroupsWhenThePeerIsNotActiveYet) {
    Pair p(config::AutoFailback::legacy);
    p.boot("n1");
    p.boot("n2");
    (void)p.m("n2").node_changed(p.now(), "n1", core::NodeStatus::up, false);  // n1 not at comm up yet
    p.comm_up("n2");
    p.settle();
    EXPECT_TRUE(p.group_running("n2", 1));
    p.comm_up("n1");  // n1 sees n2 active: it asks for its group, n2 does not hold it, says go ahead
    p.settle();
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_TRUE(p.group_running("n2", 1));
    EXPECT_FALSE(p.running("n1", 1, 0));
    EXPECT_FALSE(p.running("n2", 0, 0));
}

// Legacy has no held set: after a split each node runs everything, and the node that sees the
// other come back gives it its groups (a restarted node asks for them anyway).
TEST(Manager, LegacyAfterAHealedPartitionEachGroupRunsOnItsPreferredNodeOnly) {
    Pair p(config::AutoFailback::legacy);
    p.start_both();
    p.partition({"n1", "n2"});
    p.settle();
    ASSERT_TRUE(p.group_running("n1", 1));
    ASSERT_TRUE(p.group_running("n2", 0));
    p.heal();
    p.settle();
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_TRUE(p.group_running("n2", 1));
    EXPECT_FALSE(p.running("n1", 1, 0));
    for (std::size_t r = 0; r < 3; ++r) EXPECT_FALSE(p.running("n2", 0, r));
}

// Found by hbsim (20% loss, n1 crashed and restarted at once): n2's core declared n1's old
// incarnation dead and then handed n2 a report that incarnation had sent before it crashed (held
// back behind a lost packet). Taken at its word, it made n2 give n1's groups back to nobody (and
// start them while n1's new incarnation started them too). A dead peer's word is not acted on.
TEST(Manager, AReportFromAPeerHeldDeadDoesNotMakeUsGiveItsGroupsUp) {
    Pair p;
    p.start_both();
    Message stale;
    stale.add("t", "resource");
    stale.add("rsc_hold", "local");
    stale.add("rtype", "full");
    stale.add("isstable", "1");
    p.crash("n1");
    p.post("n1", stale);  // it reaches n2 only: n1 is gone
    p.settle();
    EXPECT_TRUE(p.group_running("n2", 0));
    EXPECT_EQ(p.m("n2").getrsc(), "all");
    p.boot("n1");
    p.comm_up("n1");
    p.settle();
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_FALSE(p.running("n2", 0, 0));
    EXPECT_TRUE(p.never_both());
}

// Found by hbsim (20% loss, 5% script failures, n1 crashed and restarted): n2's group had failed to
// start, and 30 s later n2 asked for the standby of its foreign set, as heartbeat does, while it was
// in flux (n1 had just said `starting`; n2's answer had not reached it). n2 ignored its own request,
// n1, which did not know, accepted it and waited for n2 to give for an hour; n2's failback request
// that followed was refused as "standby in progress": n1's group stayed on n2. The request now
// waits until the node could accept it itself.
TEST(Manager, TheStandbyAfterAFailedStartWaitsUntilTheNodeIsStable) {
    Pair p;
    p.failing.insert({"n2", 1, 0, Action::start});
    p.boot("n1");
    p.boot("n2");
    p.comm_up("n1");
    p.comm_up("n2");
    p.settle(p.now() + 15 * kSeconds);
    ASSERT_EQ(p.m("n2").counters().start_failures, 1u);
    const Micros standby_due = p.now() + 30 * kSeconds;  // the start failed just now
    p.crash("n1");
    p.advance(standby_due - kSeconds - p.now());
    ASSERT_TRUE(p.group_running("n2", 0));
    p.hold_messages_to("n1");  // n2's answers reach n1 late
    p.boot("n1");
    p.comm_up("n1");
    p.settle(standby_due + kSeconds);
    p.release("n1");
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_FALSE(p.running("n2", 0, 0));
    EXPECT_EQ(p.m("n1").getrsc(), "local");
    EXPECT_EQ(p.m("n2").getrsc(), "local");
    EXPECT_TRUE(p.never_both());
}

// Found by hbsim (legacy, 300 ms scripts, n1 crashed and restarted twice in 3 s): n2 queued a
// takeover at each death; the second one came to run after n1's last incarnation had asked for
// its group and been told to go ahead, so both ran it. Legacy does not take a dead node's groups
// once the node is back: it asks for them itself.
TEST(Manager, LegacyDoesNotTakeOverANodeThatIsBackWhenTheTakeoverComesToRun) {
    Pair p(config::AutoFailback::legacy);
    p.start_both();
    p.hold_scripts = true;  // n2's first takeover is still running through what follows
    p.crash("n1");
    p.settle();
    p.boot("n1");
    p.comm_up("n1");
    p.settle();
    p.crash("n1");
    p.settle();
    p.boot("n1");
    p.comm_up("n1");
    p.settle();
    p.release_scripts();
    EXPECT_TRUE(p.never_both());
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_FALSE(p.running("n2", 0, 0));
    EXPECT_TRUE(p.group_running("n2", 1));
}

// The stonith messages sent, as "src:node=result".
std::vector<std::string> stonith_messages(const Pair& p) {
    std::vector<std::string> out;
    for (const auto& msg : p.wire) {
        if (msg.get("t") != std::optional<std::string_view>("stonith")) continue;
        out.push_back(std::string(msg.get("src").value_or("?")) + ":" + std::string(msg.get("node").value_or("?")) + "=" +
                      std::string(msg.get("result").value_or("?")));
    }
    return out;
}

TEST(ManagerStonith, ADeadPeersGroupsAreTakenOnlyAfterASuccessfulReset) {
    Pair p;
    p.stonith = true;
    p.start_both();
    ASSERT_FALSE(p.stonith_runs.empty());  // the device's status, checked at comm up
    EXPECT_EQ(p.stonith_runs.front().second.node, "");
    p.crash("n1");
    p.settle();
    EXPECT_EQ(p.resets(), (std::vector<std::string>{"n2>n1"}));
    EXPECT_FALSE(p.group_running("n2", 0));  // nothing taken while the reset runs
    EXPECT_EQ(p.m("n2").resets_pending(), (std::vector<std::string>{"n1"}));
    p.finish_stonith(p.stonith_runs.size() - 1, true);
    EXPECT_TRUE(p.group_running("n2", 0));
    EXPECT_EQ(p.m("n2").getrsc(), "all");
    EXPECT_EQ(stonith_messages(p), (std::vector<std::string>{"n2:n1=OK"}));
    EXPECT_EQ(p.m("n2").counters().stonith_resets, 1u);
}

TEST(ManagerStonith, AFailedResetIsRetriedEveryFiveSecondsAndNothingIsTakenMeanwhile) {
    Pair p;
    p.stonith = true;
    p.start_both();
    p.crash("n1");
    p.settle();
    const Micros died = p.now();
    p.finish_stonith(p.stonith_runs.size() - 1, false);
    EXPECT_FALSE(p.group_running("n2", 0));
    p.advance(4 * kSeconds);
    EXPECT_EQ(p.resets().size(), 1u);  // not yet
    p.advance(2 * kSeconds);
    ASSERT_EQ(p.resets().size(), 2u);   // the retry
    EXPECT_GE(p.now() - died, 5 * kSeconds);
    p.finish_stonith(p.stonith_runs.size() - 1, false);
    p.advance(6 * kSeconds);
    ASSERT_EQ(p.resets().size(), 3u);
    EXPECT_FALSE(p.group_running("n2", 0));
    EXPECT_TRUE(stonith_messages(p).empty());
    EXPECT_EQ(p.m("n2").counters().stonith_failures, 2u);
    p.finish_stonith(p.stonith_runs.size() - 1, true);
    EXPECT_TRUE(p.group_running("n2", 0));
    EXPECT_EQ(stonith_messages(p), (std::vector<std::string>{"n2:n1=OK"}));
}

TEST(ManagerStonith, AGracefulLeaveNeedsNoReset) {
    Pair p;
    p.stonith = true;
    p.start_both();
    p.shutdown("n1");
    p.settle();
    ASSERT_EQ(p.left, (std::vector<std::string>{"n1"}));
    p.goodbye("n1");
    p.settle();
    EXPECT_TRUE(p.resets().empty());
    EXPECT_TRUE(p.group_running("n2", 0));
    EXPECT_EQ(stonith_messages(p), (std::vector<std::string>{"n2:n1=unneeded"}));
}

TEST(ManagerStonith, APeerBackBeforeItsResetIsNotTakenOver) {
    Pair p;
    p.stonith = true;
    p.start_both();
    p.partition({"n1"});
    p.settle();
    EXPECT_EQ(p.resets(), (std::vector<std::string>{"n2>n1"}));
    p.heal();
    p.settle();
    EXPECT_TRUE(p.m("n2").resets_pending().empty());
    p.finish_stonith(p.stonith_runs.size() - 1, true);  // the late answer changes nothing
    EXPECT_FALSE(p.group_running("n2", 0));
    EXPECT_TRUE(p.group_running("n1", 0));
    EXPECT_TRUE(p.never_both());
}

TEST(ManagerStonith, TheDeviceStatusIsCheckedHourly) {
    Pair p;
    p.stonith = true;
    p.start_both();
    auto checks = [&] {
        return std::count_if(p.stonith_runs.begin(), p.stonith_runs.end(),
                             [](const auto& r) { return r.first == "n1" && r.second.node.empty(); });
    };
    EXPECT_EQ(checks(), 1);
    p.finish_stonith(0, false);  // a failed check is only logged
    EXPECT_EQ(p.m("n1").counters().stonith_failures, 1u);
    p.advance(3601 * kSeconds);
    EXPECT_EQ(checks(), 2);
}

}  // namespace
}  // namespace hb::resources
