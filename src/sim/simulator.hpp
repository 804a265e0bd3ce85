// N protocol cores in one process on simulated time: the deterministic counterpart of the daemon.
// Same options and seed, same run, byte for byte. With resource groups (two nodes), each running
// node also has a resource manager, fed as the daemon's ResourceDriver feeds it, whose scripts a
// simulated runner carries out; ResourceChecks watches where the groups run.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <variant>
#include <vector>

#include "core/core.hpp"
#include "resources/manager.hpp"
#include "sim/event_queue.hpp"
#include "sim/network.hpp"
#include "sim/options.hpp"
#include "sim/report.hpp"
#include "sim/resource_checks.hpp"

namespace hb::sim {

class Simulator {
public:
    // Throws std::invalid_argument for resource groups on other than 2 nodes.
    explicit Simulator(SimOptions options);
    Report run();

private:
    // What a resource manager is fed, in the order it happened: every call into a node's manager
    // goes through its inbox, so that the messages it sends (its own copies come straight back
    // from Core::send) are handled after the effects that produced them, as in the daemon.
    struct Tick {};
    struct ScriptResult {
        std::uint64_t id = 0;
        bool ok = false;
        bool running = false;
    };
    struct Shutdown {};
    using ManagerInput = std::variant<core::CommUp, core::NodeChange, Message, Tick, ScriptResult, Shutdown>;
    struct PendingScript {
        resources::RunScript run;
        bool fails = false;
    };
    struct Node {
        std::unique_ptr<core::Core> core;
        bool running = false;
        std::uint64_t generation = 1;
        core::Micros timer_at = core::kNever;
        std::uint64_t timer_version = 0;
        std::vector<core::Micros> down_at;  // crash and leave times
        std::vector<core::Micros> up_at;    // start and restart times
        std::uint64_t app_counter = 0;      // per-sender order of client messages
        std::unique_ptr<resources::Manager> manager;  // with resource groups, while running
        std::deque<ManagerInput> inbox;
        bool feeding = false;                          // the inbox is being drained
        std::map<std::uint64_t, PendingScript> scripts;  // by ticket: script calls under way
    };
    struct Sent {
        int sender = 0;
        int dest = -1;  // -1: the whole cluster
        core::Micros at = 0;
    };
    struct Crash {
        int node = 0;
        core::Micros at = 0;
        std::vector<bool> detected;
    };

    core::CoreConfig config_for(int i) const;
    void start_node(int i, core::Micros now);
    void apply(int i, core::Effects effects, core::Micros now);
    void send_packet(int from, core::Send& s, core::Micros now);
    void deliver(int to, const Event& e, core::Micros now);
    void on_node_change(int observer, const core::NodeChange& c, core::Micros now);
    void on_client_delivery(int receiver, const Message& msg);
    void client_traffic(core::Micros now);
    void rearm(int i);
    bool down_within(int node, core::Micros from, core::Micros to) const;
    // Up without a break over [from, to] (a node that started just before `from` counts as up).
    bool up_throughout(int node, core::Micros from, core::Micros to) const;
    void finish(core::Micros end);

    // Resource management (o_.resource_groups > 0).
    resources::ManagerConfig manager_config(int i) const;
    void feed(int i, ManagerInput input, core::Micros now);
    void drain(int i, core::Micros now);
    void carry_out(int i, resources::Effects effects, core::Micros now);
    void start_script(int i, const resources::RunScript& run, core::Micros now);
    void script_finished(int i, std::uint64_t ticket, core::Micros now);
    void leave_core(int i, core::Micros now);
    void timeline_line(int i, core::Micros now, const std::string& text);  // with --timeline
    void drop_manager(Node& n);
    bool connected(core::Micros now) const;
    void check(core::Micros now);
    void maybe_settled(core::Micros now);
    void finish_resources(core::Micros end);

    SimOptions o_;
    std::mt19937_64 rng_;
    Network net_;
    EventQueue queue_;
    std::vector<Node> nodes_;
    std::vector<std::string> names_;
    std::map<std::string, int> index_;
    std::vector<Crash> crashes_;
    std::vector<Sent> sent_;
    std::vector<std::vector<std::uint32_t>> delivered_;  // [message id][receiver] -> count
    std::vector<std::vector<std::uint64_t>> last_order_;  // [receiver][sender] -> last app counter
    std::vector<core::Micros> arrival_scratch_;
    core::Micros traffic_end_ = 0;
    // Resource management only.
    std::optional<ResourceChecks> checks_;
    std::vector<std::vector<bool>> sees_alive_;  // [observer][node]: the observer's core sees it alive
    // A node took the other for dead while it ran (a partition or a false death), and the pair has
    // not settled since (connected, no group on both, both managers stable).
    bool split_aftermath_ = false;
    std::uint64_t script_tickets_ = 0;
    resources::ManagerCounters retired_;  // counters of the managers of crashed or departed nodes
    Report report_;
};

}  // namespace hb::sim
