#include "system.hpp"

#include <filesystem>
#include <sstream>

namespace hbbench {

System::System(std::string name, std::string driver, std::string agent, std::string work)
    : name_(std::move(name)), driver_(std::move(driver)), agent_(std::move(agent)), work_(std::move(work)) {
    std::filesystem::create_directories(work_);
    log_ = work_ + "/hbbench.log";
}

std::vector<std::string> System::driver(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"bash", driver_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::string System::version() const {
    auto out = run(driver({"version"}), log_, 10000);
    if (!out || out->empty()) return name_ + " (version unknown)";
    return out->substr(0, out->find('\n'));
}

bool System::start(int nodes, int keepalive_ms, int deadtime_ms) {
    stop();
    nodes_ = nodes;
    return run(driver({"start", work_ + "/cluster", std::to_string(nodes), std::to_string(keepalive_ms),
                       std::to_string(deadtime_ms)}),
               log_, 300000)
        .has_value();
}

std::vector<pid_t> System::pids(int node) const {
    std::vector<pid_t> out;
    auto text = run(driver({"pids", work_ + "/cluster", std::to_string(node)}), log_, 10000);
    if (!text) return out;
    std::istringstream in(*text);
    for (long pid; in >> pid;) out.push_back(static_cast<pid_t>(pid));
    return out;
}

bool System::restart(int node) {
    return run(driver({"restart", work_ + "/cluster", std::to_string(node)}), log_, 60000).has_value();
}

std::optional<Child> System::agent(int node, const std::vector<std::string>& args) const {
    std::vector<std::string> argv{agent_};
    argv.insert(argv.end(), args.begin(), args.end());
    return spawn_in(node, argv);
}

std::optional<Child> System::spawn_in(int node, const std::vector<std::string>& argv) const {
    std::vector<std::string> full = driver({"exec", work_ + "/cluster", std::to_string(node)});
    full.insert(full.end(), argv.begin(), argv.end());
    return Child::spawn(full, log_);
}

bool System::run_in(int node, const std::vector<std::string>& argv, int timeout_ms) const {
    std::vector<std::string> full = driver({"exec", work_ + "/cluster", std::to_string(node)});
    full.insert(full.end(), argv.begin(), argv.end());
    return run(full, log_, timeout_ms).has_value();
}

void System::stop() {
    (void)run(driver({"stop", work_ + "/cluster"}), log_, 120000);
    nodes_ = 0;
}

}  // namespace hbbench
