// The resource manager: heartbeat 3.0.6's haresources failover (its "v1" manager), as a pure
// state machine in the style of the protocol core. It is fed membership changes from the core,
// resource messages from every node (its own included, as heartbeat loops them back), script
// results and time, and returns effects: run this script, send this message, log this, leave now.
// It never forks, reads a clock or touches a socket.
//
// The ownership protocol is heartbeat's, for a pair of nodes (docs/resource-manager.md):
//   - at comm up: `starting`; each node answers a peer's `starting` with `resource rsc_hold=<held>
//     rtype=full isstable=<0|1>`; a node takes its own groups once the peer is stable, or when
//     the peer stays unstable for request_delay (heartbeat's 10 s RQSTDELAY);
//   - a dead peer's groups are taken over at once, a gracefully leaving peer's too (it released
//     them before its `shutdone`);
//   - standby (`ask_resources` me / other / done) moves a set from a giver to a taker;
//   - auto_failback on: a returning node's groups go back to it through that standby;
//   - legacy (the default of heartbeat): `ip-request` / `ip-request-resp` per group, no held set.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/types.hpp"
#include "resources/effects.hpp"
#include "resources/group_action.hpp"
#include "resources/held_set.hpp"

namespace hb::resources {

struct GroupSpec {
    std::string key;   // its first resource as written: how messages name the group
    std::string node;  // the preferred node (lowercased)
    std::size_t resources = 0;
};

struct ManagerConfig {
    std::string node;                // our name, lowercased
    std::vector<std::string> nodes;  // the cluster's normal nodes, ours included, lowercased
    config::AutoFailback auto_failback = config::AutoFailback::legacy;
    std::vector<GroupSpec> groups;   // haresources, in file order
    // Message types with a hook script (heartbeat's rc.d/<type>); types handled here natively
    // (see handles_natively) never run theirs.
    std::vector<std::string> hooks;
    core::Micros request_delay = 10 * core::kSeconds;       // RQSTDELAY
    core::Micros standby_reply = 10 * core::kSeconds;       // the giver waits this long for `other`
    core::Micros standby_phase = 3600 * core::kSeconds;     // any later phase of a standby
    core::Micros failback_retry = 1 * core::kSeconds;
    core::Micros failed_start_standby = 30 * core::kSeconds;  // heartbeat's standby after a failed start
    core::Micros stop_retry = 1 * core::kSeconds;
    int stop_retries = 10;                                   // HA_STOPRETRYMAX
    // A STONITH device is configured: a dead peer is reset before its groups are taken, and
    // nothing of it is taken while the reset fails (retried every stonith_retry).
    bool stonith = false;
    core::Micros stonith_retry = 5 * core::kSeconds;
    core::Micros stonith_check = 3600 * core::kSeconds;      // the device's status, from comm up on
};

// Where a group is on this node, for status displays.
enum class GroupState { stopped, starting, running, stopping, failed };
std::string_view to_string(GroupState s);

struct ManagerCounters {
    std::uint64_t messages_handled = 0;
    std::uint64_t dropped_malformed = 0;   // a resource message with a missing or unknown field
    std::uint64_t dropped_unexpected = 0;  // a message that does not fit the state (heartbeat ignores it too)
    std::uint64_t scripts_run = 0;
    std::uint64_t scripts_failed = 0;
    std::uint64_t takeovers = 0;           // a dead or leaving peer's groups taken
    std::uint64_t standbys = 0;            // standby transfers completed (either side)
    std::uint64_t start_failures = 0;
    std::uint64_t stop_failures = 0;       // groups that could not be released
    std::uint64_t stonith_resets = 0;      // successful resets of dead peers
    std::uint64_t stonith_failures = 0;    // failed resets (each retried) and failed status checks
};

class Manager {
public:
    explicit Manager(ManagerConfig config);

    // Our communication is up (core::CommUp): every peer was heard from or given up.
    Effects comm_up(core::Micros now);
    // A peer's status changed (core::NodeChange); `left`: it said goodbye.
    Effects node_changed(core::Micros now, std::string_view node, core::NodeStatus to, bool left);
    // A cluster message from any node, ours included. Types that are not the resource manager's
    // are ignored.
    Effects message(core::Micros now, const Message& msg);
    // The result of a RunScript: `ok` is exit status 0, `running` the status verdict (status calls).
    Effects script_done(core::Micros now, std::uint64_t id, bool ok, bool running, std::string_view detail);
    // The result of a RunStonith (manager_stonith.cpp).
    Effects stonith_done(core::Micros now, std::uint64_t id, bool ok, std::string_view detail);
    // Peers waiting for a successful reset before their groups are taken.
    std::vector<std::string> resets_pending() const;
    Effects tick(core::Micros now);
    // SIGTERM: give every group up (in reverse file order), then LeaveCluster.
    Effects shutdown(core::Micros now);

    core::Micros next_deadline() const;
    // get_resources(): "transition" while anything is in flux, else the held set.
    std::string getrsc() const;
    HeldSet held() const { return held_; }
    bool stable() const;
    GroupState group_state(std::size_t group) const { return group_states_.at(group); }
    const ManagerConfig& config() const { return cfg_; }
    const ManagerCounters& counters() const { return counters_; }
    // The state names heartbeat logs ("STATE 1 => 3"): init, starting, bothstarting, rscrcvd,
    // stable, shutdown.
    std::string_view state_name() const;

    static bool is_resource_message(std::string_view type);
    // The types whose installed heartbeat 3.0.6 hooks (status -> mach_down, ip-request,
    // ip-request-resp, hb_takeover, ask_resources) this manager does the work of itself.
    static bool handles_natively(std::string_view type);
    // Whether message() wants messages of this type: resource messages and hooked types.
    bool wants(std::string_view type) const;

private:
    enum class State { init, starting, bothstarting, rscrcvd, stable, shutdown };
    enum class Standby { none, me, other, done };
    // A sequence of group actions run as one unit (one of heartbeat's resource children), and
    // what to do when it ends.
    enum class OpKind { acquire_local, take_dead, standby_give, standby_take, give_all, legacy_take, legacy_give, hook };
    struct Op {
        OpKind kind = OpKind::acquire_local;
        std::vector<std::size_t> groups;
        HeldSet set = HeldSet::none;  // standby: the set as the giver names it
        std::string node;             // take_dead: whose groups; legacy_give: the requester
        std::size_t next = 0;         // index into groups of the running action
        std::optional<GroupAction> action;
        bool failed = false;
        std::optional<RunHook> hook;  // kind hook: the call to make (its id set when it starts)
    };

    static Op make_op(OpKind kind, std::vector<std::size_t> groups, HeldSet set = HeldSet::none);
    bool nice() const { return cfg_.auto_failback != config::AutoFailback::legacy; }
    bool is_local(std::size_t group) const { return cfg_.groups[group].node == cfg_.node; }
    std::vector<std::size_t> groups_of(HeldSet set) const;  // from our point of view
    std::vector<std::size_t> groups_of_node(std::string_view node) const;
    bool peer_alive() const;

    void send(Message msg);
    void send_resource(std::optional<std::string_view> info, bool stable_flag);
    void log(int level, std::string text);
    void set_state(State s);
    Effects take() { return std::exchange(out_, {}); }

    void on_starting(std::string_view src);
    void on_resource(core::Micros now, std::string_view src, const Message& msg);
    void on_ask_resources(core::Micros now, std::string_view src, const Message& msg);
    void on_takeover_request(std::string_view src, const Message& msg);
    void on_ip_request(std::string_view src, const Message& msg);
    void on_ip_request_resp(std::string_view src, const Message& msg);
    void peer_died(const std::string& node, bool left);
    void take_over(const std::string& node, bool left);
    // STONITH (manager_stonith.cpp).
    void start_reset(const std::string& node);
    void cancel_reset(std::string_view node);
    void stonith_tick(core::Micros now);
    core::Micros stonith_deadline() const;
    void acquire_local();
    void become_stable();
    void maybe_fail_back(core::Micros now);
    void finish_standby();
    void cancel_standby();
    void maybe_shut_down(core::Micros now);

    void queue(Op op);
    void pump(core::Micros now);
    void op_finished(core::Micros now, Op& op);

    ManagerConfig cfg_;
    ManagerCounters counters_;
    State state_ = State::init;
    bool comm_up_ = false;
    HeldSet held_ = HeldSet::none;
    HeldSet other_holds_ = HeldSet::none;
    bool other_stable_ = false;
    bool takeover_in_progress_ = false;
    bool failback_due_ = false;
    bool shutdown_requested_ = false;
    bool left_ = false;
    Standby standby_ = Standby::none;
    HeldSet standby_set_ = HeldSet::none;
    core::Micros standby_deadline_ = core::kNever;
    core::Micros request_deadline_ = core::kNever;
    core::Micros failback_at_ = core::kNever;
    core::Micros failed_start_standby_at_ = core::kNever;
    std::map<std::string, core::NodeStatus, std::less<>> peers_;  // the other normal nodes
    std::map<std::string, bool, std::less<>> taken_over_;          // dead peers whose groups we took
    struct PendingReset {
        std::uint64_t id = 0;                   // the RunStonith running; 0 while waiting to retry
        core::Micros retry_at = core::kNever;
    };
    std::map<std::string, PendingReset, std::less<>> resets_;     // dead peers not reset yet
    std::uint64_t check_id_ = 0;                                   // the status check running
    core::Micros check_at_ = core::kNever;
    std::vector<GroupState> group_states_;
    std::deque<Op> ops_;
    std::uint64_t next_id_ = 1;
    std::uint64_t running_id_ = 0;  // the RunScript waiting for its result, 0: none
    Effects out_;
};

}  // namespace hb::resources
