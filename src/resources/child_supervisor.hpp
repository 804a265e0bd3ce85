// The decisions about heartbeat's `respawn` and `failfast` children (helper daemons such as
// ipfail that the node keeps running), with no process, clock or signal inside: the driver tells it
// what happened (comm up, a child started or exited, time passed, shutdown) and carries out the
// effects it returns (start child i, SIGTERM child i, leave the cluster). heartbeat 3.0.6's rules:
//  - every child starts at comm up, in file order;
//  - a child that exits is started again, unless the node is shutting down or it exited with 100
//    ("do not respawn me");
//  - a death within kQuickDeath of its start is a quick one; the new start then waits
//    kQuickRestartDelay; after more than kMaxQuickDeaths quick deaths in a row the child is given
//    up ("respawning too fast") until the daemon restarts;
//  - a failfast child that dies by a signal or exits non-zero (not at shutdown) makes the node
//    leave the cluster at once;
//  - at shutdown the children get SIGTERM one at a time, last first, each after the one after it
//    has died.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"
#include "resources/effects.hpp"

namespace hb::resources {

struct ChildSpec {
    std::string user;
    std::string command;  // a shell command line, run as `exec <command>`
    bool failfast = false;
};

enum class ChildPhase {
    idle,      // before comm up
    running,
    waiting,   // restarts at restart_at, after a quick death
    stopping,  // SIGTERMed at shutdown
    stopped,   // ended at shutdown
    finished,  // exited with 100: not respawned
    given_up,  // respawning too fast, or (failfast) it took the node out
};
std::string_view to_string(ChildPhase p);

struct ChildState {
    ChildSpec spec;
    ChildPhase phase = ChildPhase::idle;
    core::Micros started_at = 0;
    core::Micros restart_at = core::kNever;
    std::uint64_t starts = 0;
    std::uint64_t quick_deaths = 0;  // in a row
    // How it ended last time: "exit code N", "signal N" or "not started: why"; empty before.
    std::string last_exit;
};

struct ChildExit {
    bool started = true;  // false: it could not be started at all (counted as a quick death)
    int exit_code = -1;   // -1 when killed by a signal
    int signal = 0;
    std::string why;      // when not started
};

struct ChildEffects {
    std::vector<std::size_t> start;      // start child i now (then started(i, now))
    std::vector<std::size_t> terminate;  // SIGTERM child i
    std::vector<Log> log;
    bool leave = false;     // a failfast child died: the node must leave the cluster now
    bool all_stopped = false;  // shutdown: no child is running any more
};

class ChildSupervisor {
public:
    static constexpr core::Micros kQuickDeath = 30 * core::kSeconds;
    static constexpr core::Micros kQuickRestartDelay = core::kSeconds;
    static constexpr std::uint64_t kMaxQuickDeaths = 10;

    explicit ChildSupervisor(std::vector<ChildSpec> specs);

    ChildEffects comm_up(core::Micros now);
    // The driver started child i (after a `start` effect).
    void started(std::size_t i, core::Micros now);
    ChildEffects exited(std::size_t i, core::Micros now, const ChildExit& how);
    ChildEffects tick(core::Micros now);
    ChildEffects shutdown(core::Micros now);

    core::Micros next_deadline() const;
    bool shutting_down() const { return shutting_down_; }
    const std::vector<ChildState>& children() const { return children_; }

private:
    void start(std::size_t i, ChildEffects& out);
    // Shutdown: SIGTERM the last running child, or say that none runs.
    void stop_next(ChildEffects& out);
    std::string name(std::size_t i) const;

    std::vector<ChildState> children_;
    bool shutting_down_ = false;
};

}  // namespace hb::resources
