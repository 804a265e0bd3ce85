// The edge of the `respawn` / `failfast` children: resources::ChildSupervisor decides, this runs
// the processes through a ScriptRunner of its own. Each child is `/bin/sh -c "exec <command>"`
// with heartbeat's script environment, its own process group, normal scheduling, stdin, stdout and
// stderr on /dev/null, as the configured user (through util-linux's setpriv: that user's uid, its
// primary group and initgroups) unless that user is root.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/logger.hpp"
#include "daemon/script_runner.hpp"
#include "daemon/settings.hpp"
#include "io/reactor.hpp"
#include "resources/child_supervisor.hpp"

namespace hb::daemon {

class ChildDriver {
public:
    struct Hooks {
        std::function<void()> failfast;     // a failfast child died: leave the cluster now
        std::function<void()> all_stopped;  // shutdown: every child has ended
        std::function<void()> rearm;        // a deadline of ours may have moved
    };

    ChildDriver(const Settings& settings, io::Reactor& reactor, Logger& log, Hooks hooks);

    void comm_up(core::Micros now);
    void tick(core::Micros now);
    // Children are stopped last first; hooks.all_stopped follows (at once when none runs).
    void shutdown(core::Micros now);
    core::Micros next_deadline() const;
    bool empty() const { return supervisor_.children().empty(); }

    // Each child's command, user, state, pid, starts and last exit, as a JSON array (the
    // counters request's "children").
    std::string status_json() const;

    // The argv that runs `command` as `user` (the setpriv wrapper when not root); an error when
    // there is no such user.
    static Result<std::vector<std::string>> argv_for(const std::string& user, const std::string& command);

private:
    void apply(core::Micros now, resources::ChildEffects effects);
    void finished(const ScriptOutcome& o);

    Logger& log_;
    Hooks hooks_;
    resources::ChildSupervisor supervisor_;
    ScriptRunner runner_;
    std::vector<std::string> environment_;
    std::vector<std::uint64_t> job_of_;  // per child: the job id of its current process, 0 if none
    std::uint64_t next_job_ = 1;
};

}  // namespace hb::daemon
