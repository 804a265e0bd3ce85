// The resource manager's edge in the daemon: it feeds the pure resources::Manager with what the
// core reports (comm up, deaths, resource messages) and carries out what it asks: resource scripts
// through the ScriptRunner (resolved by agents::resolve, judged by agents' verdicts, with
// heartbeat's HA_* environment), cluster messages through the runtime, log lines, and the end of a
// graceful shutdown. Nothing here decides who holds what.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agents/command.hpp"
#include "core/effects.hpp"
#include "daemon/logger.hpp"
#include "daemon/native_ip.hpp"
#include "daemon/script_runner.hpp"
#include "daemon/settings.hpp"
#include "io/reactor.hpp"
#include "resources/manager.hpp"

namespace hb::daemon {

// heartbeat's environment of resource scripts and children (HA_* of ha.cf, env lines, the
// daemon's own environment): spec'd in docs/resource-manager.md.
std::vector<std::string> script_environment_of(const Settings& settings);

class ResourceDriver {
public:
    struct Hooks {
        std::function<void(Message)> send;  // a cluster message from this node
        std::function<void()> leave;        // every group is released: leave the cluster now
        std::function<void()> rearm;        // a deadline of ours may have moved
        std::function<core::NodeStatus()> local_status;  // for hooks' HA_OSTATUS
    };

    ResourceDriver(const Settings& settings, io::Reactor& reactor, Logger& log, Hooks hooks);

    void comm_up(core::Micros now);
    void node_changed(core::Micros now, const core::NodeChange& change);
    // Every message handed to local clients: the resource manager's types are taken from it.
    void message(core::Micros now, const Message& msg);
    void tick(core::Micros now);
    // SIGTERM: the groups are given up first; hooks.leave follows when they are.
    void shutdown(core::Micros now);
    core::Micros next_deadline() const;

    // get_resources(): "transition" or the held set.
    std::string getrsc() const { return manager_.getrsc(); }
    const resources::Manager& manager() const { return manager_; }
    // Each group's key, preferred node and state here, for cl_status rscstatus --json.
    std::string status_json() const;

    // Script files that cannot be found now (the group's start will fail as a failed start does):
    // "haresources:<line>: ..." lines, logged at start and shown by hbconfig check.
    static std::vector<std::string> missing_scripts(const Settings& settings);

private:
    struct Pending {
        agents::Command command;
        std::optional<resources::RunScript> run;  // none: a hook or a STONITH call
        bool stonith = false;
    };
    // cluster-glue's stonith command: a reset of r.node, or the device's status when it is empty.
    void run_stonith(core::Micros now, const resources::RunStonith& r);
    static constexpr core::Micros kStonithTimeout = 120 * core::kSeconds;
    void apply(core::Micros now, resources::Effects effects);
    void run(core::Micros now, const resources::RunScript& run);
    void run_hook(core::Micros now, const resources::RunHook& hook);
    // `native_ipaddr on` and an address NativeIp can carry out: done (and answered) here.
    bool run_native(core::Micros now, const resources::RunScript& run, const config::Resource& resource);
    core::NodeStatus hook_local_status() const { return hooks_.local_status ? hooks_.local_status() : core::NodeStatus::active; }
    void finished(const ScriptOutcome& outcome);
    core::Micros timeout_for(resources::Action action) const;

    const Settings& settings_;
    Logger& log_;
    Hooks hooks_;
    std::vector<const config::ResourceGroup*> groups_;  // haresources lines with resources, in order
    resources::Manager manager_;
    ScriptRunner runner_;
    NativeIp native_;  // IPaddr2/IPaddr without the agent, with `native_ipaddr on`
    agents::Lookup lookup_;
    std::vector<std::string> environment_;
    std::map<std::uint64_t, Pending> pending_;
};

}  // namespace hb::daemon
