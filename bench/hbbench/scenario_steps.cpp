#include "scenario_steps.hpp"

#include <sstream>
#include <vector>

namespace hbbench {

std::map<std::string, std::string> fields(const std::string& line) {
    std::map<std::string, std::string> out;
    std::istringstream in(line);
    std::string word;
    in >> out[""];
    while (in >> word) {
        auto eq = word.find('=');
        if (eq != std::string::npos) out[word.substr(0, eq)] = word.substr(eq + 1);
    }
    return out;
}

double num(const std::map<std::string, std::string>& f, const std::string& key) {
    auto it = f.find(key);
    return it == f.end() ? 0 : std::stod(it->second);
}

Json error(const std::string& why) { return Json{{"error", why}}; }

std::string timing_key(int ka, int dt) { return std::to_string(ka) + "/" + std::to_string(dt); }

std::int64_t converge(const System& sys, int nodes, int timeout_ms) {
    std::vector<Child> agents;
    for (int i = 1; i <= nodes; ++i) {
        auto a = sys.agent(i, {"converge", std::to_string(nodes), std::to_string(timeout_ms)});
        if (!a) return -1;
        agents.push_back(std::move(*a));
    }
    std::int64_t latest = 0;
    for (auto& a : agents) {
        auto l = a.line_starting("converged", timeout_ms + 5000);
        if (!l) return -1;
        latest = std::max<std::int64_t>(latest, std::stoll(l->substr(10)));
        a.wait(5000);
    }
    return latest;
}

bool start_converged(System& sys, int nodes, int ka, int dt, std::string& why) {
    progress(sys, "starting %d nodes, keepalive %d ms, deadtime %d ms", nodes, ka, dt);
    if (!sys.start(nodes, ka, dt)) {
        why = "the driver could not start " + std::to_string(nodes) + " nodes (see " + sys.log() + ")";
        return false;
    }
    if (converge(sys, nodes, 120000) < 0) {
        why = std::to_string(nodes) + " nodes did not converge within 120 s";
        return false;
    }
    return true;
}

}  // namespace hbbench
