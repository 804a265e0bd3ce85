// The script runner with real processes on the real reactor: exit codes, output, arguments and
// environment, what a script inherits (stdin, process group, signals, descriptors, scheduling),
// timeouts while the loop keeps serving, the bound on running scripts and kill_all(). Each run of
// the loop ends at the outcomes it waits for, or fails at a 10 s guard; the tests never sleep.
#include "daemon/script_runner.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/clock.hpp"

namespace hb::daemon {
namespace {

using core::kMillis;
using core::kSeconds;
using core::Micros;

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "hb-script-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& text, bool executable) {
        const auto file = path / name;
        std::ofstream(file) << text;
        std::filesystem::permissions(file, executable ? std::filesystem::perms::owner_all : std::filesystem::perms::owner_read);
        return file.string();
    }
};

// /bin/sh -c `script` with `args` as $1..., in an environment of PATH alone.
ScriptJob sh(std::uint64_t id, const std::string& script, std::vector<std::string> args = {}, Micros timeout = 10 * kSeconds) {
    ScriptJob job{id, "/bin/sh", {"sh", "-c", script, "sh"}, {"PATH=/usr/bin:/bin"}, timeout};
    for (auto& a : args) job.argv.push_back(std::move(a));
    return job;
}

// A reactor, a runner, and the loop as the daemon's runtime runs it: the deadline armed at the
// end of every round, tick() when it fires.
struct Harness {
    TempDir dir;
    io::Reactor reactor;
    Logger log;
    std::vector<ScriptOutcome> done;
    std::function<void(const ScriptOutcome&)> on_outcome;
    std::size_t want = 0;
    Micros guard = core::kNever;
    bool guard_fired = false;
    ScriptRunner runner;

    explicit Harness(std::size_t max_running = 64)
        : runner(reactor, log,
                 [this](ScriptOutcome o) {
                     done.push_back(std::move(o));
                     if (on_outcome) on_outcome(done.back());
                     if (done.size() >= want) reactor.stop();
                 },
                 max_running) {
        log.configure(LogTargets{-1, (dir.path / "log").string(), {}, false});
        reactor.on_deadline([this] {
            const Micros now = io::monotonic_now();
            if (now >= guard) {
                guard_fired = true;
                reactor.stop();
                return;
            }
            runner.tick(now);
        });
        reactor.after_each_round([this] { arm(); });
    }
    void arm() { reactor.set_deadline(std::min(runner.next_deadline(), guard)); }
    // Runs the loop until there are `n` outcomes in all; false if the guard fired first.
    bool run_until(std::size_t n) {
        want = n;
        if (done.size() >= n) return true;
        guard = io::monotonic_now() + 10 * kSeconds;
        arm();
        reactor.run();
        return !guard_fired && done.size() >= n;
    }
    const ScriptOutcome& outcome(std::uint64_t id) const {
        auto it = std::find_if(done.begin(), done.end(), [id](const ScriptOutcome& o) { return o.id == id; });
        if (it == done.end()) throw std::runtime_error("no outcome for job " + std::to_string(id));
        return *it;
    }
    std::string logged() const {
        std::ifstream in(dir.path / "log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

// Fields 3 and up of /proc/<pid>/stat as the script printed it (field 3 is tokens[0]).
std::vector<std::string> stat_fields(const std::string& stat, std::string& pid) {
    pid = stat.substr(0, stat.find(' '));
    std::istringstream rest(stat.substr(stat.rfind(')') + 1));
    std::vector<std::string> fields;
    for (std::string f; rest >> f;) fields.push_back(f);
    return fields;
}

// Whether process `pid` (not necessarily our child) is gone, or a zombie, within `wait`.
bool dies_within(pid_t pid, Micros wait) {
    const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));  // not <sys/pidfd.h>: see the runner
    if (fd < 0) return errno == ESRCH;
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(wait / kMillis));
    close(fd);
    return ready == 1;
}

// True when this process has no child left, running or zombie.
bool no_children() { return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

TEST(ScriptRunner, ReportsExitCodes) {
    Harness h;
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "exit 0")));
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(2, "exit 3")));
    EXPECT_EQ(h.runner.running(), 2u);
    ASSERT_TRUE(h.run_until(2));
    for (auto [id, code] : {std::pair{1, 0}, std::pair{2, 3}}) {
        const auto& o = h.outcome(static_cast<std::uint64_t>(id));
        EXPECT_TRUE(o.started);
        EXPECT_FALSE(o.timed_out);
        EXPECT_EQ(o.exit_code, code);
        EXPECT_EQ(o.signal, 0);
        EXPECT_GE(o.elapsed, 0);
    }
    EXPECT_EQ(h.runner.running(), 0u);
    EXPECT_TRUE(no_children());
}

TEST(ScriptRunner, CapturesStdoutAndStderrInOrder) {
    Harness h;
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "echo out; echo err >&2; echo out2")));
    ASSERT_TRUE(h.run_until(1));
    EXPECT_EQ(h.done[0].output, "out\nerr\nout2\n");
}

TEST(ScriptRunner, KeepsTheHeadOfLongOutputAndSaysSo) {
    Harness h;
    // 200000 bytes: three times the cap, so the script only finishes if the runner keeps reading.
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "head -c 200000 /dev/zero | tr '\\0' a; echo; echo end")));
    ASSERT_TRUE(h.run_until(1));
    const auto& o = h.done[0];
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_EQ(o.output.substr(0, ScriptRunner::kMaxOutput), std::string(ScriptRunner::kMaxOutput, 'a'));
    EXPECT_NE(o.output.find("[output truncated: " + std::to_string(200000 + 5 - ScriptRunner::kMaxOutput) + " more bytes]"),
              std::string::npos)
        << o.output.substr(ScriptRunner::kMaxOutput);
}

TEST(ScriptRunner, PassesArgumentsAndOnlyTheGivenEnvironment) {
    Harness h;
    ScriptJob job = sh(1, R"(printf '%s|%s|%s|%s|%s' "$0" "$1" "$2" "$HB_RSC" "${HOME-unset}")", {"a b", "c"});
    job.argv[3] = "name0";
    job.env.push_back("HB_RSC=IPaddr 10.0.0.1");
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), job));
    // A resource script run directly, as resource.d's are.
    const std::string script = h.dir.write("IPaddr", "#!/bin/sh\necho \"$1 $2 $OCF_RESKEY_ip\"\nexit 7\n", true);
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), ScriptJob{2, script, {"IPaddr", "10.0.0.1", "start"},
                                                              {"OCF_RESKEY_ip=10.0.0.1"}, 10 * kSeconds}));
    ASSERT_TRUE(h.run_until(2));
    EXPECT_EQ(h.outcome(1).output, "name0|a b|c|IPaddr 10.0.0.1|unset");
    EXPECT_EQ(h.outcome(2).output, "10.0.0.1 start 10.0.0.1\n");
    EXPECT_EQ(h.outcome(2).exit_code, 7);
}

TEST(ScriptRunner, StdinIsDevNull) {
    Harness h;
    // cat returns at once: end of file, not a terminal or a pipe of ours.
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "cat; echo eof; readlink /proc/$$/fd/0")));
    ASSERT_TRUE(h.run_until(1));
    EXPECT_EQ(h.done[0].output, "eof\n/dev/null\n");
}

TEST(ScriptRunner, ScriptHasItsOwnSessionAndProcessGroup) {
    Harness h;
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "cat /proc/$$/stat")));
    ASSERT_TRUE(h.run_until(1));
    std::string pid;
    const auto f = stat_fields(h.done[0].output, pid);
    ASSERT_GE(f.size(), 4u) << h.done[0].output;
    EXPECT_EQ(f[2], pid) << "process group";  // field 5
    EXPECT_EQ(f[3], pid) << "session";        // field 6
    EXPECT_NE(f[2], std::to_string(getpgrp()));
}

TEST(ScriptRunner, ScriptGetsDefaultSignalsAndNoOtherDescriptor) {
    // As the daemon: signals blocked for signalfd, SIGPIPE ignored, a descriptor without O_CLOEXEC.
    sigset_t blocked, old_mask;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGHUP);
    sigaddset(&blocked, SIGUSR1);
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &blocked, &old_mask), 0);
    auto old_pipe = signal(SIGPIPE, SIG_IGN);
    auto old_usr2 = signal(SIGUSR2, SIG_IGN);
    const int leaked = open("/dev/null", O_RDONLY);
    ASSERT_GE(leaked, 3);
    {
        Harness h;
        // grep itself, not a shell: dash blocks every signal for a moment whenever it forks.
        ASSERT_TRUE(h.runner.start(io::monotonic_now(), ScriptJob{1, "/bin/grep", {"grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"},
                                                                  {}, 10 * kSeconds}));
        ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(2, "ls /proc/$$/fd")));
        ASSERT_TRUE(h.run_until(2));
        std::istringstream out(h.outcome(1).output);
        std::string blk_name, blk, ign_name, ign;
        out >> blk_name >> blk >> ign_name >> ign;
        EXPECT_EQ(blk, "0000000000000000") << "nothing blocked";
        // Signals 1 to 31 at their default. glibc 2.36's posix_spawn leaves its own two internal
        // ones (32, 33, which no glibc program can use) ignored, whatever is asked.
        EXPECT_EQ(std::stoull(ign, nullptr, 16) & 0x7fffffffull, 0u) << "SigIgn " << ign;
        EXPECT_EQ(h.outcome(2).output, "0\n1\n2\n") << "descriptors";
    }
    close(leaked);
    signal(SIGPIPE, old_pipe);
    signal(SIGUSR2, old_usr2);
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

TEST(ScriptRunner, ScriptRunsSchedOtherWhenTheDaemonIsRealtime) {
    sched_param rr{};
    rr.sched_priority = sched_get_priority_min(SCHED_RR);
    if (sched_setscheduler(0, SCHED_RR, &rr) != 0) GTEST_SKIP() << "SCHED_RR not permitted here";
    std::string output;
    {
        Harness h;
        const bool started = h.runner.start(io::monotonic_now(), sh(1, "cat /proc/$$/stat")).ok();
        const sched_param normal{};
        sched_setscheduler(0, SCHED_OTHER, &normal);  // the test itself back at once
        ASSERT_TRUE(started);
        ASSERT_TRUE(h.run_until(1));
        output = h.done[0].output;
    }
    std::string pid;
    const auto f = stat_fields(output, pid);
    ASSERT_GE(f.size(), 39u) << output;
    EXPECT_EQ(f[38], "0") << "policy (field 41)";    // SCHED_OTHER
    EXPECT_EQ(f[37], "0") << "rt_priority (field 40)";
}

TEST(ScriptRunner, TimeoutTerminatesTheGroupWhileTheLoopKeepsServing) {
    Harness h;
    const Micros t0 = io::monotonic_now();
    // The script, and a helper it started that ignores SIGTERM, both in its group; the helper's
    // pid comes first.
    ASSERT_TRUE(h.runner.start(t0, sh(1, "(trap '' TERM; exec sleep 60) & echo $!; wait", {"10.0.0.1", "start"}, 200 * kMillis)));
    EXPECT_EQ(h.runner.next_deadline(), t0 + 200 * kMillis);
    // Meanwhile short scripts, each started when the one before finished.
    h.on_outcome = [&h](const ScriptOutcome& o) {
        if (o.id >= 10 && o.id < 13) {
            EXPECT_TRUE(h.runner.start(io::monotonic_now(), sh(o.id + 1, "echo quick")));
        }
    };
    ASSERT_TRUE(h.runner.start(t0, sh(10, "echo quick")));
    ASSERT_TRUE(h.run_until(5));
    // The four short ones first, then the one that timed out.
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(h.done[i].id, 10 + i);
    const auto& o = h.outcome(1);
    EXPECT_EQ(h.done.back().id, 1u);
    EXPECT_TRUE(o.started);
    EXPECT_TRUE(o.timed_out);
    EXPECT_EQ(o.signal, SIGTERM);
    EXPECT_EQ(o.exit_code, -1);
    EXPECT_GE(o.elapsed, 200 * kMillis);
    EXPECT_LT(o.elapsed, ScriptRunner::kKillGrace);
    // The script's end is the helper's: SIGKILLed with the group before the script is reaped.
    EXPECT_TRUE(dies_within(static_cast<pid_t>(std::stoi(o.output)), 5 * kSeconds)) << "helper still running";
    EXPECT_NE(h.logged().find("WARN: script /bin/sh -c (trap '' TERM; exec sleep 60) & echo $!; wait sh 10.0.0.1 start "
                              "timed out after 200 ms: SIGTERM to its process group"),
              std::string::npos)
        << h.logged();
    EXPECT_EQ(h.runner.next_deadline(), core::kNever);
    EXPECT_TRUE(no_children());
}

TEST(ScriptRunner, ScriptIgnoringSigtermIsKilled) {
    Harness h;
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "trap '' TERM; sleep 60", {}, 100 * kMillis)));
    ASSERT_TRUE(h.run_until(1));
    const auto& o = h.done[0];
    EXPECT_TRUE(o.timed_out);
    EXPECT_EQ(o.signal, SIGKILL);
    EXPECT_EQ(o.exit_code, -1);
    EXPECT_GE(o.elapsed, 100 * kMillis + ScriptRunner::kKillGrace);
    EXPECT_NE(h.logged().find("still running 2000 ms after SIGTERM: SIGKILL"), std::string::npos) << h.logged();
}

TEST(ScriptRunner, TerminateEndsAJobWithSigtermAndReportsIt) {
    Harness h;
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "exec sleep 60", {}, 0)));
    const pid_t pid = h.runner.pid_of(1);
    EXPECT_GT(pid, 0);
    EXPECT_EQ(h.runner.pid_of(2), 0);
    EXPECT_FALSE(h.runner.terminate(io::monotonic_now(), 2));
    EXPECT_TRUE(h.runner.terminate(io::monotonic_now(), 1));
    ASSERT_TRUE(h.run_until(1));
    EXPECT_EQ(h.done[0].signal, SIGTERM);
    EXPECT_TRUE(h.done[0].timed_out);  // ended by us
    EXPECT_EQ(h.runner.pid_of(1), 0);
}

TEST(ScriptRunner, WithoutKeepOutputTheScriptWritesToDevNull) {
    Harness h;
    ScriptJob job = sh(1, "t=$(readlink /proc/$$/fd/1 /proc/$$/fd/2); echo \"$t\" >" + (h.dir.path / "fd1").string() +
                               "; echo to-nowhere; echo also >&2");
    job.keep_output = false;
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), std::move(job)));
    ASSERT_TRUE(h.run_until(1));
    EXPECT_EQ(h.done[0].exit_code, 0);
    EXPECT_EQ(h.done[0].output, "");
    std::ifstream in(h.dir.path / "fd1");
    std::string out, err;
    std::getline(in, out);
    std::getline(in, err);
    EXPECT_EQ(out, "/dev/null");
    EXPECT_EQ(err, "/dev/null");
}

TEST(ScriptRunner, HelperHoldingTheOutputOpenDoesNotDelayTheReport) {
    Harness h;
    // More than one read's worth in one write just before the exit: read after it, though the
    // pipe never reaches its end.
    ASSERT_TRUE(h.runner.start(io::monotonic_now(),
                               sh(1, "sleep 30 & echo $!; echo started; exec dd if=/dev/zero bs=60000 count=1 status=none")));
    ASSERT_TRUE(h.run_until(1));
    const auto& o = h.done[0];
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_LT(o.elapsed, 5 * kSeconds);
    const pid_t helper = static_cast<pid_t>(std::stoi(o.output));
    EXPECT_NE(o.output.find("\nstarted\n" + std::string(60000, '\0')), std::string::npos) << o.output.size() << " bytes";
    // A script's helpers outlive it when it exits by itself (a service it started): ours to end.
    EXPECT_EQ(kill(helper, 0), 0);
    kill(helper, SIGKILL);
}

TEST(ScriptRunner, MissingOrNonExecutableScriptIsReportedNotStarted) {
    Harness h;
    const std::string plain = h.dir.write("plain", "#!/bin/sh\nexit 0\n", false);
    const Micros now = io::monotonic_now();
    ASSERT_TRUE(h.runner.start(now, ScriptJob{1, "/nonexistent/IPaddr", {"IPaddr", "start"}, {}, kSeconds}));
    ASSERT_TRUE(h.runner.start(now, ScriptJob{2, plain, {"plain"}, {}, kSeconds}));
    EXPECT_EQ(h.runner.running(), 0u);
    EXPECT_TRUE(h.done.empty()) << "reported from tick(), not from start()";
    EXPECT_LE(h.runner.next_deadline(), now);
    ASSERT_TRUE(h.run_until(2));
    for (auto [id, why] : {std::pair{1, "No such file or directory"}, std::pair{2, "Permission denied"}}) {
        const auto& o = h.outcome(static_cast<std::uint64_t>(id));
        EXPECT_FALSE(o.started);
        EXPECT_EQ(o.exit_code, -1);
        EXPECT_NE(o.output.find(why), std::string::npos) << o.output;
    }
    EXPECT_EQ(h.runner.next_deadline(), core::kNever);
    EXPECT_NE(h.logged().find("cannot run script /nonexistent/IPaddr start"), std::string::npos) << h.logged();
}

TEST(ScriptRunner, RefusesJobsBeyondTheBound) {
    Harness h(2);
    const Micros now = io::monotonic_now();
    ASSERT_TRUE(h.runner.start(now, sh(1, "sleep 60")));
    ASSERT_TRUE(h.runner.start(now, sh(2, "sleep 60")));
    auto refused = h.runner.start(now, sh(3, "exit 0"));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("2 scripts already running"), std::string::npos) << refused.error();
    EXPECT_EQ(h.runner.running(), 2u);
    EXPECT_FALSE(h.runner.start(now, ScriptJob{4, "/bin/true", {}, {}, kSeconds})) << "no argv";
    h.runner.kill_all();
    EXPECT_EQ(h.runner.running(), 0u);
    ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(5, "exit 0")));
    ASSERT_TRUE(h.run_until(1));
    EXPECT_EQ(h.done[0].id, 5u) << "killed and refused jobs are never reported";
}

TEST(ScriptRunner, KillAllLeavesNoChild) {
    Harness h;
    const Micros now = io::monotonic_now();
    for (std::uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(h.runner.start(now, sh(id, "trap '' TERM; sleep 60")));
    ASSERT_TRUE(h.runner.start(now, ScriptJob{4, "/nonexistent", {"x"}, {}, kSeconds}));
    h.runner.kill_all();
    EXPECT_EQ(h.runner.running(), 0u);
    EXPECT_EQ(h.runner.next_deadline(), core::kNever);
    EXPECT_TRUE(no_children());
    EXPECT_TRUE(h.done.empty());
}

std::size_t open_descriptors() {
    const auto fds = std::filesystem::directory_iterator("/proc/self/fd");
    return static_cast<std::size_t>(std::distance(std::filesystem::begin(fds), std::filesystem::end(fds)));
}

TEST(ScriptRunner, DestructorKillsRunningScriptsAndClosesTheirDescriptors) {
    const std::size_t before = open_descriptors();
    {
        Harness h;
        ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(1, "sleep 60")));
        ASSERT_TRUE(h.runner.start(io::monotonic_now(), sh(2, "exit 0")));
        ASSERT_TRUE(h.run_until(1));
    }
    EXPECT_TRUE(no_children());
    EXPECT_EQ(open_descriptors(), before);
}

}  // namespace
}  // namespace hb::daemon
