// One system under test, as hbbench sees it: a driver script (bench/systems/<name>.sh) that starts,
// kills and enters its nodes, and an agent program that speaks its client API. The contract of
// both: bench/systems/README.md.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "child.hpp"

namespace hbbench {

class System {
public:
    System(std::string name, std::string driver, std::string agent, std::string work);

    const std::string& name() const { return name_; }
    std::string version() const;
    // Starts nodes n1..nN; false (with the driver's reason in the log) if it could not.
    bool start(int nodes, int keepalive_ms, int deadtime_ms);
    std::vector<pid_t> pids(int node) const;
    bool restart(int node);
    // An agent in node's context: `agent MODE ARGS...`.
    std::optional<Child> agent(int node, const std::vector<std::string>& args) const;
    // Any command in node's context (its network namespace): started, or run to its end (false
    // if it failed or took longer than timeout_ms).
    std::optional<Child> spawn_in(int node, const std::vector<std::string>& argv) const;
    bool run_in(int node, const std::vector<std::string>& argv, int timeout_ms) const;
    const std::string& work() const { return work_; }
    // Stops everything the driver started; called before every start and at the end.
    void stop();
    int nodes() const { return nodes_; }
    const std::string& log() const { return log_; }

private:
    std::vector<std::string> driver(const std::vector<std::string>& args) const;
    std::string name_, driver_, agent_, work_, log_;
    int nodes_ = 0;
};

}  // namespace hbbench
