// Scripts started with posix_spawn, which glibc does with clone(CLONE_VM | CLONE_VFORK): no copy
// of the daemon's locked memory, no copy-on-write faults in a realtime daemon after a fork, only
// async-signal-safe steps in the child, and a failed exec returned to us as an errno.
#include "daemon/script_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/numbered_name.hpp"
#include "io/clock.hpp"

namespace hb::daemon {

namespace {

// glibc 2.36's <sys/pidfd.h> declares pidfd_open without extern "C": unusable from C++. The
// descriptor is close-on-exec always.
int pidfd_open(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// The child's setup, done by posix_spawn between clone and exec. Returns 0 or an errno.
int spawn(ScriptJob& job, int out, pid_t& pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    if (int rc = posix_spawn_file_actions_init(&actions)) return rc;
    if (int rc = posix_spawnattr_init(&attr)) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    int rc = 0;
    auto step = [&rc](int result) {
        if (rc == 0) rc = result;
    };
    if (out >= 0) {
        // In this order, so that it is right even if the pipe's write end is one of 0, 1, 2.
        step(posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO));
        step(posix_spawn_file_actions_adddup2(&actions, out, STDERR_FILENO));
    } else {
        step(posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0));
        step(posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO));
    }
    step(posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0));
    // Descriptors someone opened without O_CLOEXEC must not reach a script either: a daemon it
    // starts would hold them for ever.
    step(posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1));
    // SETSID: its own session, so its own process group (a timeout kills everything it started)
    // and no terminal of ours. SETSIGMASK, SETSIGDEF: the daemon blocks the signals it reads
    // through signalfd and may ignore some; a script gets none blocked and all at their default
    // (but glibc's two internal ones, 32 and 33, which glibc 2.36 leaves ignored in any child of
    // posix_spawn; no glibc program can use them).
    // SETSCHEDULER: under `realtime on` the daemon is SCHED_RR, which a busy script would inherit
    // and starve the heartbeats with. (The nice value is inherited; heartbeat never changes its own.)
    step(posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                             POSIX_SPAWN_SETSCHEDULER));
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    step(posix_spawnattr_setsigmask(&attr, &none));
    step(posix_spawnattr_setsigdefault(&attr, &all));
    const sched_param normal{};  // SCHED_OTHER's only priority, 0
    step(posix_spawnattr_setschedpolicy(&attr, SCHED_OTHER));
    step(posix_spawnattr_setschedparam(&attr, &normal));
    if (rc == 0) {
        std::vector<char*> argv = c_strings(job.argv);
        std::vector<char*> env = c_strings(job.env);
        rc = posix_spawn(&pid, job.path.c_str(), &actions, &attr, argv.data(), env.data());
    }
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

// The script and its arguments, for the log.
std::string describe(const ScriptJob& job) {
    std::string s = job.path;
    for (std::size_t i = 1; i < job.argv.size(); ++i) {
        s += ' ';
        s += job.argv[i];
    }
    return s;
}

std::string millis(core::Micros t) {
    std::string s = numbered_name("", t / core::kMillis);
    s += " ms";
    return s;
}

// The group first; the child alone if it left the group we gave it.
void signal_group(pid_t pid, int signo) {
    if (kill(-pid, signo) != 0) kill(pid, signo);
}

}  // namespace

ScriptRunner::ScriptRunner(io::Reactor& reactor, Logger& log, std::function<void(ScriptOutcome)> on_done,
                           std::size_t max_running)
    : reactor_(reactor), log_(log), on_done_(std::move(on_done)), max_running_(max_running) {}

ScriptRunner::~ScriptRunner() { kill_all(); }

Result<bool> ScriptRunner::start(core::Micros now, ScriptJob job) {
    if (job.path.empty() || job.argv.empty()) return make_error(numbered_name("script job ", job.id) + ": no path or argv");
    if (children_.size() >= max_running_) {
        std::string why = "script " + describe(job) + " not started: ";
        why += numbered_name("", max_running_);
        why += " scripts already running";
        return make_error(why);
    }
    int pipe_fds[2] = {-1, -1};
    // Blocking for the script's side, non-blocking for ours.
    if (job.keep_output) {
        if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
            fail(now, job, std::string("pipe: ") + std::strerror(errno));
            return true;
        }
        fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    }
    pid_t pid = -1;
    const int rc = spawn(job, pipe_fds[1], pid);
    if (pipe_fds[1] >= 0) close(pipe_fds[1]);
    if (rc != 0) {
        if (pipe_fds[0] >= 0) close(pipe_fds[0]);
        fail(now, job, job.path + ": " + std::strerror(rc));
        return true;
    }
    const int pidfd = pidfd_open(pid);
    if (pidfd < 0) {
        const int err = errno;
        // Just spawned, so it dies at once; the one wait that blocks, on a path that should never run.
        signal_group(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        if (pipe_fds[0] >= 0) close(pipe_fds[0]);
        fail(now, job, std::string("pidfd_open: ") + std::strerror(err));
        return true;
    }
    log_.debug("script " + describe(job) + ": started, pid " + numbered_name("", pid));
    Child& c = children_[pid];
    c.job = std::move(job);
    c.pidfd = pidfd;
    c.out = pipe_fds[0];
    c.started_at = now;
    c.deadline = c.job.timeout > 0 ? now + c.job.timeout : core::kNever;
    if (c.out >= 0) {
        reactor_.add(c.out, [this, pid] {
            auto it = children_.find(pid);
            if (it != children_.end() && it->second.out >= 0 && read_output(it->second) == Read::end) {
                close_output(it->second);
            }
        });
    }
    reactor_.add(pidfd, [this, pid] { on_exit(pid); });
    return true;
}

bool ScriptRunner::terminate(core::Micros now, std::uint64_t id) {
    for (auto& [pid, c] : children_) {
        if (c.job.id != id) continue;
        if (c.stage == Stage::running) {
            signal_group(pid, SIGTERM);
            c.stage = Stage::terminated;
            c.deadline = now + kKillGrace;
        }
        return true;
    }
    return false;
}

pid_t ScriptRunner::pid_of(std::uint64_t id) const {
    for (const auto& [pid, c] : children_) {
        if (c.job.id == id) return pid;
    }
    return 0;
}

void ScriptRunner::fail(core::Micros now, const ScriptJob& job, std::string reason) {
    log_.error("cannot run script " + describe(job) + ": " + reason);
    ScriptOutcome o;
    o.id = job.id;
    o.output = std::move(reason);
    if (failed_.empty()) failed_at_ = now;
    failed_.push_back(std::move(o));
}

ScriptRunner::Read ScriptRunner::read_output(Child& c) {
    char buf[16384];
    const ssize_t n = read(c.out, buf, sizeof buf);
    if (n < 0) return errno == EAGAIN || errno == EINTR ? Read::nothing : Read::end;
    if (n == 0) return Read::end;
    // The head is kept: a script's first error is the one that says what went wrong. The rest is
    // still read, so that a chatty script never blocks on a full pipe.
    const std::size_t keep = std::min<std::size_t>(static_cast<std::size_t>(n), kMaxOutput - c.output.size());
    c.output.append(buf, keep);
    c.dropped += static_cast<std::size_t>(n) - keep;
    return Read::data;
}

void ScriptRunner::close_output(Child& c) {
    if (c.out < 0) return;
    reactor_.remove(c.out);
    close(c.out);
    c.out = -1;
}

void ScriptRunner::on_exit(pid_t pid) {
    auto it = children_.find(pid);
    if (it == children_.end()) return;
    Child& c = it->second;
    // While its leader is unreaped the group's id cannot be reused, so this is still our script's
    // group: what a timed-out script started goes with it.
    if (c.stage != Stage::running) signal_group(pid, SIGKILL);
    int status = 0;
    const pid_t reaped = waitpid(pid, &status, WNOHANG);
    const int wait_errno = errno;
    if (reaped == 0) return;
    // All the script wrote before it exited is in the pipe now. What it left running (a daemon it
    // started) may hold the pipe open for ever: we read what is there, a bounded number of times
    // against one that keeps writing, and close.
    for (int i = 0; i < 64 && c.out >= 0 && read_output(c) == Read::data; ++i) {
    }
    close_output(c);
    reactor_.remove(c.pidfd);
    close(c.pidfd);

    ScriptOutcome o;
    o.id = c.job.id;
    o.started = true;
    o.timed_out = c.stage != Stage::running;
    o.elapsed = io::monotonic_now() - c.started_at;
    o.output = std::move(c.output);
    if (c.dropped > 0) {
        o.output += numbered_name("\n[output truncated: ", c.dropped);
        o.output += " more bytes]\n";
    }
    if (reaped < 0) {
        // Reaped by someone else: SIGCHLD set to SIG_IGN, against what the header says.
        o.output += std::string("\n[exit status lost: ") + std::strerror(wait_errno) + "]\n";
    } else if (WIFEXITED(status)) {
        o.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        o.signal = WTERMSIG(status);
    }
    std::string line = "script " + describe(c.job) + ": ";
    line += o.signal ? numbered_name("killed by signal ", o.signal) : numbered_name("exit code ", o.exit_code);
    line += ", after " + millis(o.elapsed);
    log_.debug(line);
    children_.erase(it);
    on_done_(std::move(o));
}

core::Micros ScriptRunner::next_deadline() const {
    core::Micros next = failed_.empty() ? core::kNever : failed_at_;
    for (const auto& [pid, c] : children_) next = std::min(next, c.deadline);
    return next;
}

void ScriptRunner::tick(core::Micros now) {
    for (auto& [pid, c] : children_) {
        if (c.deadline > now) continue;
        if (c.stage == Stage::running) {
            log_.warn("script " + describe(c.job) + " timed out after " + millis(c.job.timeout) +
                      ": SIGTERM to its process group");
            signal_group(pid, SIGTERM);
            c.stage = Stage::terminated;
            c.deadline = now + kKillGrace;
        } else if (c.stage == Stage::terminated) {
            log_.warn("script " + describe(c.job) + " still running " + millis(kKillGrace) + " after SIGTERM: SIGKILL");
            signal_group(pid, SIGKILL);
            c.stage = Stage::killed;
            c.deadline = core::kNever;
        }
    }
    // Failures are reported here rather than from start(): on_done never runs inside its
    // caller's own call. Moved out first, as on_done may start more.
    std::vector<ScriptOutcome> failed;
    failed.swap(failed_);
    failed_at_ = core::kNever;
    for (auto& o : failed) on_done_(std::move(o));
}

void ScriptRunner::kill_all() {
    for (auto& [pid, c] : children_) signal_group(pid, SIGKILL);
    // A process stuck in the kernel (a hung NFS mount) dies only when the kernel lets it: the wait
    // is bounded, and what is left is left to init.
    const core::Micros until = io::monotonic_now() + kReapWait;
    for (auto& [pid, c] : children_) {
        pollfd p{c.pidfd, POLLIN, 0};
        const core::Micros left = std::max<core::Micros>(until - io::monotonic_now(), 0);
        poll(&p, 1, static_cast<int>(left / core::kMillis));
        if (waitpid(pid, nullptr, WNOHANG) != pid) {
            log_.warn("script " + describe(c.job) + ": pid " + numbered_name("", pid) + " did not die on SIGKILL");
        }
        close_output(c);
        reactor_.remove(c.pidfd);
        close(c.pidfd);
    }
    children_.clear();
    failed_.clear();
    failed_at_ = core::kNever;
}

}  // namespace hb::daemon
