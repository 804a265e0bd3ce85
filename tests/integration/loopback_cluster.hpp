// Real heartbeat daemons on 127.0.0.x for tests: each node gets its own config directory, state
// directory, pidfile and log; every process started is stopped by its pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hb::test {

struct NodeOptions {
    int keepalive_ms = 100;
    int deadtime_ms = 500;
    int warntime_ms = 300;
    int initdead_ms = 1000;
};

class LoopbackCluster {
public:
    // `port` must be unique per test: tests run in parallel.
    LoopbackCluster(int nodes, int port, NodeOptions options = {});
    ~LoopbackCluster();

    std::string dir() const { return dir_; }
    std::string node_dir(int i) const;   // config directory of node i (1-based)
    std::string log_path(int i) const;
    std::string state_dir(int i) const;
    std::string socket_path(int i) const;  // node i's API socket
    int port() const { return port_; }

    void start(int i, std::vector<std::string> extra_args = {});
    void start_all();
    void signal(int i, int signo);
    // Waits (bounded) for node i's process to exit; its exit status, or nullopt on timeout.
    std::optional<int> wait_exit(int i, std::chrono::milliseconds timeout);
    bool running(int i) const;

    // Waits until node i's log has a line containing `text` (after line `from_line`); returns the
    // line, or nullopt after `timeout`.
    std::optional<std::string> wait_for_line(int i, const std::string& text, std::chrono::milliseconds timeout,
                                             std::size_t from_line = 0);
    std::vector<std::string> log_lines(int i) const;

    // Runs build/bin/heartbeat with these arguments to completion: exit status and stderr+stdout.
    static std::pair<int, std::string> run_heartbeat(const std::vector<std::string>& args);

private:
    int nodes_;
    int port_;
    std::string dir_;
    std::vector<pid_t> pids_;
};

// Characters of every printable kind, in an order that hardly compresses (about 82%).
std::string printable_noise(std::size_t n, unsigned seed);

// Wall-clock milliseconds now, and of a log line's timestamp ("2026/11/24_22:42:34.128").
long long wall_ms_now();
std::optional<long long> log_line_ms(const std::string& line);

}  // namespace hb::test
