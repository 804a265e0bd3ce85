// The core driven step by step: a tiny hand-cranked network of cores, no sockets, exact time.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <set>

#include "core/core.hpp"
#include "core/fragments.hpp"

namespace hb::core {
namespace {

constexpr Micros kKeepalive = 100 * kMillis;
constexpr Micros kDeadtime = 500 * kMillis;

CoreConfig config_for(const std::string& name, std::vector<std::string> nodes, std::uint64_t generation = 1) {
    CoreConfig c;
    c.node = name;
    c.uuid = std::string(15, '\0') + name.back();
    c.nodes = std::move(nodes);
    c.links = {"eth0"};
    c.keepalive = kKeepalive;
    c.deadtime = kDeadtime;
    c.warntime = 300 * kMillis;
    c.initdead = 1000 * kMillis;
    c.generation = generation;
    c.wall_seconds_at_start = 1'700'000'000;
    c.seed = std::hash<std::string>{}(name);
    return c;
}

// Delivers every Send to every other running node at the same instant; a filter can drop packets.
class Cluster {
public:
    explicit Cluster(std::vector<std::string> names, std::function<void(CoreConfig&)> tweak = {}) : names_(names) {
        for (const auto& n : names) {
            CoreConfig c = config_for(n, names);
            if (tweak) tweak(c);
            cores_.emplace(n, Core(std::move(c)));
        }
    }

    Core& core(const std::string& n) { return cores_.at(n); }
    Micros now() const { return now_; }

    void start_all() {
        for (auto& n : names_) route(n, core(n).start(now_));
    }
    void crash(const std::string& n) { down_.insert(n); }
    void restart(const std::string& n, std::uint64_t generation) {
        down_.erase(n);
        cores_.erase(n);
        cores_.emplace(n, Core(config_for(n, names_, generation)));
        route(n, core(n).start(now_));
    }
    void leave(const std::string& n) {
        route(n, core(n).leave(now_));
        down_.insert(n);
    }
    void send(const std::string& n, Message m) {
        auto r = core(n).send(now_, std::move(m));
        ASSERT_TRUE(r.ok()) << r.error();
        route(n, std::move(r).value());
    }

    // Runs every node's timers up to `until`, in time order.
    void run_until(Micros until) {
        for (int guard = 0; guard < 1'000'000; ++guard) {
            std::string next;
            Micros when = kNever;
            for (auto& n : names_) {
                if (down_.count(n)) continue;
                Micros d = core(n).next_deadline();
                if (d < when) when = d, next = n;
            }
            if (when > until) break;
            now_ = std::max(now_, when);
            route(next, core(next).tick(now_));
        }
        now_ = until;
    }

    std::function<bool(const std::string& from, const std::string& to, const Message&)> drop;
    std::function<void(const std::string& from, Message&)> mangle;  // changes a packet on its way
    std::vector<std::pair<Micros, NodeChange>> changes(const std::string& observer) { return changes_[observer]; }
    std::vector<Message> delivered(const std::string& n) { return delivered_[n]; }
    std::vector<Message> notifications(const std::string& n) { return notifications_[n]; }

private:
    void route(const std::string& from, Effects effects) {
        for (auto& e : effects) {
            if (auto* s = std::get_if<Send>(&e)) {
                for (auto& to : names_) {
                    if (to == from || down_.count(to)) continue;
                    if (drop && drop(from, to, s->msg)) continue;
                    if (mangle) {
                        Message copy = s->msg;
                        mangle(from, copy);
                        route(to, core(to).receive(now_, 0, copy));
                        continue;
                    }
                    route(to, core(to).receive(now_, 0, s->msg));
                }
            } else if (auto* c = std::get_if<NodeChange>(&e)) {
                changes_[from].emplace_back(now_, *c);
            } else if (auto* d = std::get_if<Deliver>(&e)) {
                // Client data only: status and ifstat notifications are checked on their own.
                if (d->msg.get("t") == std::optional<std::string_view>("app")) delivered_[from].push_back(d->msg);
                notifications_[from].push_back(d->msg);
            }
        }
    }

    std::vector<std::string> names_;
    std::map<std::string, Core> cores_;
    std::set<std::string> down_;
    Micros now_ = 1'000'000;
    std::map<std::string, std::vector<std::pair<Micros, NodeChange>>> changes_;
    std::map<std::string, std::vector<Message>> delivered_;
    std::map<std::string, std::vector<Message>> notifications_;
};

Message client_msg(std::string id) {
    Message m;
    m.add("t", "app");
    m.add("id", id);
    return m;
}

TEST(Core, ThreeNodesConvergeToActive) {
    Cluster c({"n1", "n2", "n3"});
    c.start_all();
    c.run_until(c.now() + 2 * kKeepalive);
    for (auto n : {"n1", "n2", "n3"}) {
        EXPECT_EQ(c.core(n).local_status(), NodeStatus::active) << n;
        for (const auto& v : c.core(n).node_views()) {
            EXPECT_EQ(v.status, NodeStatus::active) << n << " sees " << v.name;
            EXPECT_EQ(v.links[0], LinkStatus::up);
        }
    }
}

TEST(Core, StatusMessagesCarryHeartbeatsFields) {
    Core core(config_for("n1", {"n1", "n2"}));
    Effects e = core.start(5 * kSeconds);
    ASSERT_EQ(e.size(), 1u);
    const Message& m = std::get<Send>(e[0]).msg;
    std::vector<std::string> names;
    for (const Field& f : m.fields()) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"t", "st", "dt", "protocol", "hbcaps", "src", "srcuuid", "seq", "hg", "ts",
                                               "ld", "ttl"}));
    EXPECT_EQ(*m.get("st"), "init");
    EXPECT_EQ(*m.get("dt"), "1f4");  // 500 ms in hex
    EXPECT_EQ(*m.get("seq"), "1");
    EXPECT_EQ(*m.get("ttl"), "3");
    EXPECT_EQ(core.next_deadline(), 5 * kSeconds + kKeepalive);
}

TEST(Core, CrashIsDetectedAtLastHeartbeatPlusDeadtime) {
    Cluster c({"n1", "n2", "n3"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    const Micros last = c.now() - c.now() % kKeepalive;  // heartbeats go out on the keepalive grid
    c.crash("n3");
    c.run_until(c.now() + 2 * kSeconds);
    for (auto obs : {"n1", "n2"}) {
        auto ch = c.changes(obs);
        auto it = std::find_if(ch.begin(), ch.end(), [](auto& p) { return p.second.node == "n3"; });
        std::vector<std::pair<Micros, NodeChange>> deaths;
        for (auto& p : ch) {
            if (p.second.node == "n3" && p.second.to == NodeStatus::dead) deaths.push_back(p);
        }
        ASSERT_NE(it, ch.end());
        ASSERT_EQ(deaths.size(), 1u) << obs;
        EXPECT_GE(deaths[0].first, last + kDeadtime - kKeepalive);
        EXPECT_LE(deaths[0].first, last + kDeadtime + kKeepalive);
        EXPECT_EQ(c.core(obs).node("n3")->links[0], LinkStatus::dead);
        // Clients get heartbeat's messages for it: a made-up status st=dead, then ifstat dead.
        std::vector<std::string> told;
        for (auto& m : c.notifications(obs)) {
            if (m.get("src") == std::optional<std::string_view>("n3") && m.get("st") == std::optional<std::string_view>("dead")) {
                told.push_back("status dead");
            }
            if (m.get("t") == std::optional<std::string_view>("ifstat") && m.get("node") == std::optional<std::string_view>("n3")) {
                told.push_back("ifstat " + std::string(*m.get("ifname")) + " " + std::string(*m.get("st")));
            }
        }
        EXPECT_EQ(told, (std::vector<std::string>{"ifstat eth0 up", "status dead", "ifstat eth0 dead"}));
    }
}

TEST(Core, CrashRightAfterStartIsDetectedWithinDeadtimeNotInitdead) {
    // Peers heard before comm up were first given initdead (1 s); once every node was heard the
    // deadline must come back to deadtime (500 ms).
    Cluster c({"n1", "n2", "n3"});
    c.start_all();
    c.run_until(c.now() + 150 * kMillis);
    const Micros crashed = c.now();
    c.crash("n3");
    c.run_until(c.now() + 2 * kSeconds);
    for (auto& [t, ch] : c.changes("n1")) {
        if (ch.node == "n3" && ch.to == NodeStatus::dead) {
            EXPECT_LE(t - crashed, kDeadtime);
        }
    }
    EXPECT_EQ(c.core("n1").node("n3")->status, NodeStatus::dead);
}

TEST(Core, RestartWithNewGenerationIsDeadThenActive) {
    Cluster c({"n1", "n2"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    c.crash("n2");
    c.run_until(c.now() + 100 * kMillis);  // restart before n1 noticed the death
    c.restart("n2", 2);
    c.run_until(c.now() + 1 * kSeconds);
    std::vector<NodeStatus> seen;
    for (auto& [t, ch] : c.changes("n1")) {
        if (ch.node == "n2") seen.push_back(ch.to);
    }
    // up/active before; then dead (restart seen), init, up, active again.
    ASSERT_GE(seen.size(), 4u);
    auto dead = std::find(seen.begin(), seen.end(), NodeStatus::dead);
    ASSERT_NE(dead, seen.end());
    EXPECT_EQ(seen.back(), NodeStatus::active);
    EXPECT_EQ(c.core("n1").counters().restarts_seen, 1u);
    EXPECT_EQ(c.core("n1").node("n2")->generation, 2u);
}

TEST(Core, GracefulLeaveIsSeenAtOnce) {
    Cluster c({"n1", "n2"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    const Micros left = c.now();
    c.leave("n2");
    auto ch = c.changes("n1");
    ASSERT_FALSE(ch.empty());
    EXPECT_EQ(ch.back().second.node, "n2");
    EXPECT_EQ(ch.back().second.to, NodeStatus::dead);
    EXPECT_EQ(ch.back().first, left);
}

TEST(Core, MessagesAreRepairedAndDeliveredOnceInOrder) {
    Cluster c({"n1", "n2"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    int app_seen = 0;
    // Drop the first copy of every other message from n1 to n2.
    std::set<std::string> dropped_once;
    c.drop = [&](const std::string& from, const std::string&, const Message& m) {
        if (from != "n1" || m.get("t") != std::optional<std::string_view>("app")) return false;
        ++app_seen;
        std::string id(*m.get("id"));
        if (std::stoi(id) % 2 == 0 && !dropped_once.count(id)) {
            dropped_once.insert(id);
            return true;
        }
        return false;
    };
    for (int i = 0; i < 20; ++i) c.send("n1", client_msg(std::to_string(i)));
    c.run_until(c.now() + 2 * kSeconds);
    std::vector<std::string> ids;
    for (auto& m : c.delivered("n2")) ids.push_back(std::string(*m.get("id")));
    std::vector<std::string> expected;
    for (int i = 0; i < 20; ++i) expected.push_back(std::to_string(i));
    EXPECT_EQ(ids, expected);
    EXPECT_GT(c.core("n2").counters().rexmit_requests_sent, 0u);
    EXPECT_GT(c.core("n1").counters().retransmissions_sent, 0u);
    // The sender's own clients got each message once as well.
    EXPECT_EQ(c.delivered("n1").size(), 20u);
}

TEST(Core, NodeMessagesReachOnlyTheirDestination) {
    Cluster c({"n1", "n2", "n3"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    Message m = client_msg("x");
    m.add("dest", "n2");
    const auto not_for_n3 = c.core("n3").counters().dropped_not_for_us;
    c.send("n1", m);
    EXPECT_EQ(c.delivered("n2").size(), 1u);
    EXPECT_EQ(c.delivered("n3").size(), 0u);
    EXPECT_EQ(c.delivered("n1").size(), 0u);
    EXPECT_EQ(c.core("n3").counters().dropped_not_for_us, not_for_n3 + 1);
    Message bad = client_msg("y");
    bad.add("dest", "nobody");
    EXPECT_FALSE(c.core("n1").send(c.now(), bad).ok());
}

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (char& ch : out) ch = static_cast<char>(rng());
    return out;
}

TEST(Core, AMessageAboveOneDatagramThatCompressesGoesCompressedInOnePacket) {
    Cluster c({"n1", "n2"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    Message big = client_msg("big");
    big.add("payload", std::string(70000, 'x'));
    std::size_t wrappers = 0;
    c.drop = [&](const std::string&, const std::string&, const Message& m) {
        wrappers += is_compressed_message(m);
        return false;
    };
    c.send("n1", big);
    ASSERT_EQ(c.delivered("n2").size(), 1u);
    EXPECT_EQ(c.delivered("n2")[0].get("payload")->size(), 70000u);
    EXPECT_EQ(c.delivered("n2")[0].get("src"), "n1");
    EXPECT_EQ(wrappers, 1u);
    EXPECT_EQ(c.core("n1").counters().sent_compressed, 1u);
    EXPECT_EQ(c.core("n2").counters().received_compressed, 1u);
    EXPECT_EQ(c.delivered("n1").size(), 1u);  // the local copy is the message, not its wrapper
    EXPECT_EQ(c.delivered("n1")[0].get("payload")->size(), 70000u);
}

TEST(Core, AMessageThatStillDoesNotFitTravelsInFragmentsEvenUnderLoss) {
    Cluster c({"n1", "n2", "n3"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    // Every third fragment is lost the first time it goes to n2: retransmission repairs it.
    std::set<std::string> lost_once;
    std::size_t fragments = 0;
    c.drop = [&](const std::string&, const std::string& to, const Message& m) {
        if (m.get("t") != std::optional<std::string_view>("hbfrag")) return false;
        ++fragments;
        const std::string key = to + "/" + std::string(*m.get("seq"));
        return to == "n2" && fragments % 3 == 0 && lost_once.insert(key).second;
    };
    Message big = client_msg("big");
    const std::string noise = random_bytes(200000, 1);
    big.add_binary("payload", noise);
    c.send("n1", big);
    c.run_until(c.now() + 2 * kSeconds);
    for (auto n : {"n2", "n3"}) {
        ASSERT_EQ(c.delivered(n).size(), 1u) << n;
        EXPECT_EQ(*c.delivered(n)[0].get_binary("payload"), noise) << n;
        EXPECT_EQ(c.core(n).counters().reassembled, 1u) << n;
    }
    EXPECT_GT(lost_once.size(), 0u);
    EXPECT_EQ(c.core("n1").counters().sent_fragmented, 1u);
    EXPECT_GE(c.core("n1").counters().fragments_sent, 200000u / kFragmentBytes);
    EXPECT_GT(c.core("n1").counters().retransmissions_sent, 0u);
    // A node message in fragments reaches its node only.
    Message for_n3 = client_msg("n3 only");
    for_n3.add("dest", "n3");
    for_n3.add_binary("payload", random_bytes(100000, 2));
    c.send("n1", for_n3);
    c.run_until(c.now() + 2 * kSeconds);
    EXPECT_EQ(c.delivered("n3").size(), 2u);
    EXPECT_EQ(c.delivered("n2").size(), 1u);
}

TEST(Core, WhatCannotArriveWholeIsRefusedWithTheReasonNotLost) {
    Cluster c({"n1", "n2"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    // Above MAXMSG even compressed.
    Message huge = client_msg("huge");
    huge.add_binary("payload", random_bytes(300000, 3));
    auto refused = c.core("n1").send(c.now(), huge);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().find("above heartbeat's limit"), std::string::npos) << refused.error();
    EXPECT_EQ(c.core("n1").counters().send_refused_too_big, 1u);
    EXPECT_EQ(c.core("n1").counters().messages_sent, 0u);  // no sequence number spent on it

    // A peer whose heartbeats do not say "frag" (heartbeat 3.0.6): what needs fragments is refused,
    // what compresses into one datagram still goes.
    c.mangle = [](const std::string& from, Message& m) {
        if (from == "n2" && m.get("t") == std::optional<std::string_view>("status")) m.set("hbcaps", "");
    };
    c.run_until(c.now() + 1 * kSeconds);
    Message big = client_msg("big");
    big.add_binary("payload", random_bytes(100000, 4));
    refused = c.core("n1").send(c.now(), big);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().find("node n2 does not read fragments"), std::string::npos) << refused.error();
    Message compressible = client_msg("compressible");
    compressible.add("payload", std::string(150000, 'z'));
    c.send("n1", compressible);
    ASSERT_EQ(c.delivered("n2").size(), 1u);
    EXPECT_EQ(c.delivered("n2")[0].get("payload")->size(), 150000u);
}

TEST(Core, TraditionalCompressionWrapsEveryMessageAboveTheThreshold) {
    Cluster c({"n1", "n2"}, [](CoreConfig& cfg) {
        cfg.traditional_compression = true;
        cfg.compression = Compression::bz2;
        cfg.compression_threshold = 2048;
    });
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    std::vector<std::string> algorithms;  // of each client message's packet
    c.drop = [&](const std::string&, const std::string&, const Message& m) {
        if (is_compressed_message(m)) algorithms.emplace_back(*m.get("_compression_algorithm"));
        if (m.get("t") == std::optional<std::string_view>("app")) algorithms.emplace_back("none");
        return false;
    };
    Message small = client_msg("small");
    small.add("payload", std::string(1000, 'a'));
    Message large = client_msg("large");
    large.add("payload", std::string(5000, 'b'));
    c.send("n1", small);
    c.send("n1", large);
    EXPECT_EQ(algorithms, (std::vector<std::string>{"none", "bz2"}));
    ASSERT_EQ(c.delivered("n2").size(), 2u);
    EXPECT_EQ(c.delivered("n2")[1].get("payload"), large.get("payload"));
    EXPECT_EQ(c.core("n2").counters().received_compressed, 1u);
}

TEST(Core, CorruptCompressedPacketsAndStrayFragmentsAreDroppedAndCounted) {
    Cluster c({"n1", "n2"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    Message bad;
    bad.add_binary("_compressed_payload", "garbage");
    bad.add("_compression_algorithm", "zlib");
    (void)c.core("n2").receive(c.now(), 0, bad);
    EXPECT_EQ(c.core("n2").counters().dropped_bad_compression, 1u);
    // A fragment that continues nothing (its first piece was never sent) is dropped, counted.
    c.mangle = [](const std::string&, Message& m) {
        if (m.get("t") == std::optional<std::string_view>("hbfrag") && m.get("fragno") == std::optional<std::string_view>("0")) {
            m.set("fragno", "1");
        }
    };
    Message big = client_msg("big");
    big.add_binary("payload", random_bytes(100000, 5));
    c.send("n1", big);
    c.run_until(c.now() + 1 * kSeconds);
    EXPECT_TRUE(c.delivered("n2").empty());
    EXPECT_GE(c.core("n2").counters().dropped_bad_fragment, 1u);
}

TEST(Core, BadPacketsAreCountedAndChangeNothing) {
    Cluster c({"n1", "n2"});
    c.start_all();
    c.run_until(c.now() + 1 * kSeconds);
    Core& n1 = c.core("n1");
    const Micros t = c.now();
    Message stranger;
    stranger.add("t", "status");
    stranger.add("src", "n9");
    stranger.add("ts", "1");
    stranger.add("seq", "1");
    n1.receive(t, 0, stranger);
    EXPECT_EQ(n1.counters().dropped_unknown_node, 1u);

    Message garbage;
    garbage.add("x", "y");
    n1.receive(t, 0, garbage);
    Message noseq;
    noseq.add("t", "app");
    noseq.add("src", "n2");
    noseq.add("ts", "1");
    n1.receive(t, 0, noseq);
    EXPECT_EQ(n1.counters().dropped_malformed, 2u);

    Message replay;  // an older generation than the one n1 knows
    replay.add("t", "status");
    replay.add("st", "dead");
    replay.add("src", "n2");
    replay.add("seq", "999");
    replay.add("hg", "0");
    replay.add("ts", "1");
    n1.receive(t, 0, replay);
    EXPECT_EQ(n1.counters().dropped_replay, 1u);
    EXPECT_EQ(n1.node("n2")->status, NodeStatus::active);
}

TEST(Core, AStarvedNodeGivesPeersOneMoreKeepalive) {
    Core n1(config_for("n1", {"n1", "n2"}));
    Core n2(config_for("n2", {"n1", "n2"}));
    n1.start(0);
    for (auto& e : n2.start(0)) {
        if (auto* s = std::get_if<Send>(&e)) n1.receive(0, 0, s->msg);
    }
    // Woken 1.5 s after the death deadline: n2's heartbeats may be unread in our socket.
    n1.tick(2 * kSeconds);
    EXPECT_NE(n1.node("n2")->status, NodeStatus::dead);
    EXPECT_GT(n1.counters().late_timers, 0u);
    for (int i = 0; i < 100 && n1.next_deadline() <= 3 * kSeconds; ++i) n1.tick(n1.next_deadline());
    EXPECT_EQ(n1.node("n2")->status, NodeStatus::dead);
}

TEST(Core, DuplicatesFromRedundantLinksAreDropped) {
    Core n1(config_for("n1", {"n1", "n2"}));
    Core n2(config_for("n2", {"n1", "n2"}));
    n1.start(0);
    Effects e = n2.start(0);
    const Message& status = std::get<Send>(e[0]).msg;
    n1.receive(10, 0, status);
    n1.receive(11, 0, status);
    EXPECT_EQ(n1.counters().dropped_duplicate, 1u);
}

TEST(Core, FlowControlPausesAndResumes) {
    CoreConfig cfg = config_for("n1", {"n1", "n2"});
    cfg.send_window = 5;
    cfg.send_backlog = 3;
    Core n1(cfg);
    Core n2(config_for("n2", {"n1", "n2"}));
    Micros t = 0;
    n1.start(t);
    for (auto& e : n2.start(t)) {
        if (auto* s = std::get_if<Send>(&e)) n1.receive(t, 0, s->msg);
    }
    int refused = 0, paused = 0;
    for (int i = 0; i < 20; ++i) {
        auto r = n1.send(t, client_msg(std::to_string(i)));
        if (!r.ok()) ++refused;
        for (auto& e : r.ok() ? *r : Effects{}) paused += std::holds_alternative<FlowChange>(e);
    }
    EXPECT_TRUE(n1.paused());
    EXPECT_EQ(paused, 1);
    EXPECT_GT(refused, 0);
    EXPECT_EQ(n1.counters().send_refused_backlog, static_cast<std::uint64_t>(refused));
    // n2 goes silent and is declared dead: nobody left to wait for, the backlog drains.
    for (int i = 0; i < 100 && n1.next_deadline() <= 2 * kSeconds; ++i) n1.tick(n1.next_deadline());
    EXPECT_EQ(n1.node("n2")->status, NodeStatus::dead);
    EXPECT_FALSE(n1.paused());
    EXPECT_EQ(n1.counters().late_timers, 0u);
}

// A receiver whose client is behind holds its acks back: the sender's window fills and it pauses;
// once the client catches up the acks go out at once and the sender resumes, nothing lost.
TEST(Core, CongestedReceiverPausesTheSenderUntilItCatchesUp) {
    CoreConfig cfg = config_for("n1", {"n1", "n2"});
    cfg.send_window = 20;
    Core n1(cfg);
    Core n2(config_for("n2", {"n1", "n2"}));
    const Micros t = kSeconds;
    int acks = 0, delivered = 0;
    // Every packet reaches the other node at once; what n2 hands its clients is counted.
    std::function<void(Effects)> to_n1, to_n2;
    to_n1 = [&](Effects effects) {
        for (auto& e : effects) {
            if (auto* s = std::get_if<Send>(&e)) {
                acks += s->msg.get("t") == std::optional<std::string_view>("NS_ackmsg");
                to_n2(n1.receive(t, 0, s->msg));
            }
        }
    };
    to_n2 = [&](Effects effects) {
        for (auto& e : effects) {
            if (auto* s = std::get_if<Send>(&e)) to_n1(n2.receive(t, 0, s->msg));
        }
    };
    auto from_n2 = [&](Effects effects) {
        for (auto& e : effects) {
            if (auto* d = std::get_if<Deliver>(&e)) delivered += d->msg.get("t") == std::optional<std::string_view>("app");
        }
        to_n1(std::move(effects));
    };
    Effects started1 = n1.start(t), started2 = n2.start(t);
    to_n2(std::move(started1));
    to_n1(std::move(started2));
    EXPECT_TRUE(n2.set_congested(t, true).empty());
    int sent = 0;
    for (int i = 0; i < 100 && !n1.paused(); ++i, ++sent) {
        auto r = n1.send(t, client_msg(std::to_string(i)));
        ASSERT_TRUE(r.ok());
        for (auto& e : *r) {
            if (auto* s = std::get_if<Send>(&e)) from_n2(n2.receive(t, 0, s->msg));
        }
    }
    EXPECT_TRUE(n1.paused());
    EXPECT_EQ(acks, 0);
    EXPECT_EQ(n2.counters().congestion_episodes, 1u);
    from_n2(n2.set_congested(t, false));
    EXPECT_EQ(acks, 1);
    EXPECT_FALSE(n1.paused());
    EXPECT_EQ(delivered, sent);
}

// Packets that arrived together (one bundle) are delivered as one by one, but acked once, after the
// last: 45 messages one by one make 4 or 5 acks (heartbeat's every tenth), in a batch exactly 1.
TEST(Core, ABatchIsAckedOnceAfterItsLastPacket) {
    Core n1(config_for("n1", {"n1", "n2"}));
    Core n2(config_for("n2", {"n1", "n2"}));
    const Micros t = kSeconds;
    auto sends = [](const Effects& effects) {
        std::vector<Message> out;
        for (const auto& e : effects) {
            if (auto* s = std::get_if<Send>(&e)) out.push_back(s->msg);
        }
        return out;
    };
    Effects started2 = n2.start(t);
    for (const Message& m : sends(n1.start(t))) n2.receive(t, 0, m);
    for (const Message& m : sends(started2)) {
        for (const Message& reply : sends(n1.receive(t, 0, m))) n2.receive(t, 0, reply);
    }
    std::vector<Message> batch;
    for (int i = 0; i < 45; ++i) {
        auto r = n1.send(t, client_msg(std::to_string(i)));
        ASSERT_TRUE(r.ok());
        for (Message& m : sends(*r)) batch.push_back(std::move(m));
    }
    int delivered = 0;
    std::vector<Message> acks;
    for (const auto& e : n2.receive_batch(t, 0, batch)) {
        if (auto* d = std::get_if<Deliver>(&e)) delivered += d->msg.get("t") == std::optional<std::string_view>("app");
        if (auto* s = std::get_if<Send>(&e); s && s->msg.get("t") == std::optional<std::string_view>("NS_ackmsg")) {
            acks.push_back(s->msg);
            EXPECT_EQ(s->to, "n1");
        }
    }
    EXPECT_EQ(delivered, 45) << n2.debug_state();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].get_hex("ackseq"), batch.back().get_hex("seq"));  // all of it
    for (const Message& a : acks) n1.receive(t, 0, a);
    EXPECT_FALSE(n1.paused());
}

}  // namespace
}  // namespace hb::core
