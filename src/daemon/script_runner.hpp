// Runs the resource manager's scripts (start, stop and status of IP addresses, file systems,
// services) as child processes, from the daemon's one thread, without ever blocking its loop: a
// script that hangs on a dead NFS mount must not stop the heartbeats. Each script gets a process
// group of its own (a timeout kills it and whatever it started), normal scheduling however the
// daemon runs, default signals, /dev/null for stdin and one pipe for stdout and stderr; no other
// descriptor of the daemon. Children are reaped through a pidfd each, watched by the reactor,
// so the daemon needs no SIGCHLD handler (SIGCHLD must keep its default disposition, not SIG_IGN).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/types.hpp"
#include "daemon/logger.hpp"
#include "io/reactor.hpp"

namespace hb::daemon {

struct ScriptJob {
    std::uint64_t id = 0;           // the caller's, handed back in the outcome
    std::string path;               // executed as is: no PATH search
    std::vector<std::string> argv;  // argv[0] included
    std::vector<std::string> env;   // the script's whole environment, NAME=value
    core::Micros timeout = 0;       // 0 or less: none
    // False: stdout and stderr on /dev/null, for a long-running child (respawn) whose output
    // nobody reads, so that the daemon is not woken for it.
    bool keep_output = true;
};

struct ScriptOutcome {
    std::uint64_t id = 0;
    // False when the script could not be run at all (no pipe, no process, or exec failed: a
    // missing or non-executable file); `output` then says why, and exit_code is -1.
    bool started = false;
    // Killed by us, at its timeout or by terminate() (exit_code and signal say how it ended).
    bool timed_out = false;
    int exit_code = -1;      // -1 when killed by a signal or not started
    int signal = 0;          // the signal that ended it; 0 if none
    // stdout and stderr as written, the first kMaxOutput bytes; a last line says how much more
    // there was.
    std::string output;
    core::Micros elapsed = 0;
};

class ScriptRunner {
public:
    static constexpr std::size_t kMaxOutput = 64 * 1024;
    // From SIGTERM at the timeout to SIGKILL.
    static constexpr core::Micros kKillGrace = 2 * core::kSeconds;
    // How long kill_all() waits, at most, for the SIGKILLed children to die.
    static constexpr core::Micros kReapWait = core::kSeconds;

    // `on_done` gets one outcome per job that start() accepted (unless kill_all() ended it), from
    // tick() or the reactor's callbacks, never from inside start(). The reactor must outlive the
    // runner.
    ScriptRunner(io::Reactor& reactor, Logger& log, std::function<void(ScriptOutcome)> on_done,
                 std::size_t max_running = 64);
    ~ScriptRunner();  // kill_all()
    ScriptRunner(const ScriptRunner&) = delete;
    ScriptRunner& operator=(const ScriptRunner&) = delete;

    // Starts the script; an error (and no outcome, ever) when the job is refused: no path or
    // argv, or max_running scripts already running. A script that could not be run is reported
    // through on_done with started=false, from the next tick() (next_deadline() is then due).
    // Result<bool> (always true) for want of a Result<void>.
    Result<bool> start(core::Micros now, ScriptJob job);
    // When tick() must run next (a timeout, a SIGKILL, a failure to report); core::kNever if
    // never. The runner never sets the reactor's deadline: its owner arms the earliest of its own.
    core::Micros next_deadline() const;
    void tick(core::Micros now);
    std::size_t running() const { return children_.size(); }
    // SIGTERM to the process group of job `id`, SIGKILL kKillGrace later if it is still there;
    // its outcome comes through on_done as any other. False if no such job runs.
    bool terminate(core::Micros now, std::uint64_t id);
    // The process id of job `id`, or 0 if it does not run.
    pid_t pid_of(std::uint64_t id) const;
    // SIGKILLs every script's process group and reaps them (waiting kReapWait at most, at the
    // daemon's exit); no outcome is reported for them, nor for failures not yet reported.
    void kill_all();

private:
    enum class Stage { running, terminated, killed };
    struct Child {
        ScriptJob job;
        int pidfd = -1;
        int out = -1;  // the pipe's read end; -1 once at end of file
        core::Micros started_at = 0;
        core::Micros deadline = core::kNever;  // of the next step: SIGTERM, then SIGKILL
        Stage stage = Stage::running;
        std::string output;
        std::size_t dropped = 0;  // output bytes beyond kMaxOutput
    };
    enum class Read { data, nothing, end };

    void fail(core::Micros now, const ScriptJob& job, std::string reason);
    Read read_output(Child& c);
    void close_output(Child& c);
    void on_exit(pid_t pid);

    io::Reactor& reactor_;
    Logger& log_;
    std::function<void(ScriptOutcome)> on_done_;
    std::size_t max_running_;
    std::map<pid_t, Child> children_;  // by pid: a reactor callback finds its child, if still there
    std::vector<ScriptOutcome> failed_;
    core::Micros failed_at_ = core::kNever;
};

}  // namespace hb::daemon
