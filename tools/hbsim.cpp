// hbsim: the protocol core of N nodes on simulated time, with a faulty network, and with
// --resources the resource managers of a pair of nodes with a simulated script runner. The same
// arguments give the same output, byte for byte (the timing lines aside, which --no-timing omits).
// Exit status: 2 for bad arguments; 1 when a resource check fails (a group ran on both nodes while
// they were connected, or the groups are not where they must be at the end); else 0.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>

#include "sim/simulator.hpp"

namespace {

// "1-3,5" (1-based) -> membership flags for n nodes.
std::vector<bool> parse_nodes(const std::string& spec, int n) {
    std::vector<bool> in(static_cast<std::size_t>(n), false);
    std::stringstream ss(spec);
    std::string part;
    while (std::getline(ss, part, ',')) {
        auto dash = part.find('-');
        int a = std::stoi(part.substr(0, dash));
        int b = dash == std::string::npos ? a : std::stoi(part.substr(dash + 1));
        if (a < 1 || b > n || a > b) throw std::invalid_argument("node range '" + part + "' outside 1.." + std::to_string(n));
        for (int i = a; i <= b; ++i) in[static_cast<std::size_t>(i - 1)] = true;
    }
    return in;
}

// AT:GROUPS:HEAL with GROUPS "1-3/4-5" (two-way) or "1-3>4-5" (one-way, from > to).
hb::sim::Partition parse_partition(const std::string& spec, int n) {
    auto c1 = spec.find(':'), c2 = spec.rfind(':');
    if (c1 == std::string::npos || c1 == c2) throw std::invalid_argument("--partition wants AT:GROUPS:HEAL");
    hb::sim::Partition p;
    p.at_s = std::stod(spec.substr(0, c1));
    p.heal_s = std::stod(spec.substr(c2 + 1));
    const std::string groups = spec.substr(c1 + 1, c2 - c1 - 1);
    if (auto gt = groups.find('>'); gt != std::string::npos) {
        p.one_way = true;
        p.from = parse_nodes(groups.substr(0, gt), n);
        p.to = parse_nodes(groups.substr(gt + 1), n);
        return p;
    }
    p.group.assign(static_cast<std::size_t>(n), -1);
    std::stringstream ss(groups);
    std::string g;
    for (int id = 0; std::getline(ss, g, '/'); ++id) {
        auto in = parse_nodes(g, n);
        for (int i = 0; i < n; ++i) {
            if (in[static_cast<std::size_t>(i)]) p.group[static_cast<std::size_t>(i)] = id;
        }
    }
    // Nodes not named form a group of their own.
    for (auto& v : p.group) {
        if (v < 0) v = 1000;
    }
    return p;
}

hb::sim::NodeEvent parse_event(const std::string& spec, hb::sim::NodeEvent::Kind kind, int n) {
    auto at = spec.find('@');
    if (at == std::string::npos) throw std::invalid_argument("wants NODE@SECONDS: " + spec);
    hb::sim::NodeEvent e;
    e.kind = kind;
    e.node = std::stoi(spec.substr(0, at)) - 1;
    e.at_s = std::stod(spec.substr(at + 1));
    if (e.node < 0 || e.node >= n) throw std::invalid_argument("node outside 1.." + std::to_string(n) + ": " + spec);
    return e;
}

nlohmann::json resources_json(const hb::sim::Report& r) {
    const auto& x = r.resources;
    nlohmann::json owners = nlohmann::json::array();
    for (int owner : x.final_owner) owners.push_back(owner < 0 ? nlohmann::json(nullptr) : nlohmann::json("n" + std::to_string(owner + 1)));
    static const char* const failback[] = {"on", "off", "legacy"};
    return {{"groups", r.options.resource_groups},
            {"auto_failback", failback[static_cast<int>(r.options.auto_failback)]},
            {"script_ms", r.options.script_ms},
            {"script_fail", r.options.script_fail},
            {"overlap_while_connected_ms", static_cast<double>(x.overlap_while_connected_us) / 1000.0},
            {"overlap_while_connected_episodes", x.overlap_while_connected_episodes},
            {"split_brain_episodes", x.split_brain_episodes},
            {"split_brain_ms", static_cast<double>(x.split_brain_us) / 1000.0},
            {"split_brain_after_heal_ms", static_cast<double>(x.split_brain_after_heal_us) / 1000.0},
            {"final_ok", x.final_ok},
            {"final_owner", owners},
            {"final_failures", x.final_failures},
            {"final_failures_explained", x.final_failures_explained},
            {"quiet_ms", static_cast<double>(x.quiet_us) / 1000.0},
            {"takeovers", x.takeovers},
            {"standbys", x.standbys},
            {"scripts_run", x.scripts_run},
            {"script_failures", x.script_failures},
            {"start_failures", x.start_failures},
            {"stop_failures", x.stop_failures},
            {"messages_sent", x.messages_sent},
            {"messages_refused", x.messages_refused}};
}

nlohmann::json to_json(const hb::sim::Report& r) {
    nlohmann::json timeline = nlohmann::json::array();
    for (const auto& e : r.timeline) {
        timeline.push_back({{"t_ms", static_cast<double>(e.t) / 1000.0},
                            {"observer", "n" + std::to_string(e.observer + 1)},
                            {"node", "n" + std::to_string(e.node + 1)},
                            {"from", std::string(to_string(e.from))},
                            {"to", std::string(to_string(e.to))}});
    }
    const auto& c = r.totals;
    return {{"nodes", r.options.nodes},
            {"seed", r.options.seed},
            {"duration_s", r.options.duration_s},
            {"timeline", timeline},
            {"detection_ms",
             {{"samples", r.detection_us.size()},
              {"min", r.detection_us.empty() ? 0.0 : static_cast<double>(r.detection_us.front()) / 1000.0},
              {"median", static_cast<double>(r.detection_percentile(0.5)) / 1000.0},
              {"p99", static_cast<double>(r.detection_percentile(0.99)) / 1000.0},
              {"max", r.detection_us.empty() ? 0.0 : static_cast<double>(r.detection_us.back()) / 1000.0},
              {"undetected", r.undetected}}},
            {"false_deaths", r.false_deaths},
            {"partition_deaths", r.partition_deaths},
            {"messages",
             {{"sent", r.msgs_sent},
              {"refused", r.msgs_refused},
              {"delivered", r.deliveries},
              {"expected", r.expected_deliveries},
              {"lost", r.lost},
              {"duplicated", r.duplicated},
              {"out_of_order", r.out_of_order}}},
            {"core",
             {{"received", c.packets_received},
              {"dropped_duplicate", c.dropped_duplicate},
              {"dropped_not_for_us", c.dropped_not_for_us},
              {"dropped_replay", c.dropped_replay},
              {"rexmit_requests", c.rexmit_requests_sent},
              {"retransmissions", c.retransmissions_sent},
              {"naks", c.naks_sent},
              {"acks", c.acks_sent},
              {"gaps_given_up", c.gaps_given_up},
              {"late_heartbeats", c.late_heartbeats}}},
            {"membership_converged", r.membership_converged()}};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Simulate a heartbeat cluster deterministically"};
    hb::sim::SimOptions o;
    std::vector<std::string> partitions, crashes, restarts, leaves;
    bool json = false, no_timing = false;
    std::string auto_failback = "on";
    app.add_option("--nodes", o.nodes, "cluster size")->check(CLI::Range(1, 100000));
    app.add_option("--seed", o.seed, "random seed");
    app.add_option("--duration", o.duration_s, "simulated seconds")->check(CLI::Range(0.001, 1e6));
    app.add_option("--keepalive", o.keepalive_ms, "ms")->check(CLI::Range(1, 3600000));
    app.add_option("--deadtime", o.deadtime_ms, "ms")->check(CLI::Range(2, 36000000));
    app.add_option("--warntime", o.warntime_ms, "ms (default deadtime/2)");
    app.add_option("--initdead", o.initdead_ms, "ms (default 2 x deadtime)");
    app.add_option("--links", o.links, "media per node")->check(CLI::Range(1, 8));
    app.add_option("--loss", o.loss, "packet loss probability")->check(CLI::Range(0.0, 1.0));
    app.add_option("--dup", o.dup, "duplication probability")->check(CLI::Range(0.0, 1.0));
    app.add_option("--reorder", o.reorder, "reordering probability")->check(CLI::Range(0.0, 1.0));
    app.add_option("--delay", o.delay_ms, "base one-way delay, ms")->check(CLI::Range(0.0, 60000.0));
    app.add_option("--jitter", o.jitter_ms, "extra random delay up to, ms")->check(CLI::Range(0.0, 60000.0));
    app.add_option("--partition", partitions, "AT:GROUPS:HEAL, e.g. 5:1-2/3-4:10 or one-way 5:1-2>3-4:10");
    app.add_option("--crash", crashes, "NODE@SECONDS");
    app.add_option("--restart", restarts, "NODE@SECONDS");
    app.add_option("--leave", leaves, "NODE@SECONDS (graceful)");
    app.add_option("--msgs-per-sec", o.msgs_per_sec, "client messages per second")->check(CLI::Range(0.0, 1e6));
    app.add_flag("--node-msgs", o.node_msgs, "client messages to one random peer");
    app.add_flag("--timeline", o.timeline, "print every membership change (with --resources, the managers' messages and log too)");
    app.add_option("--resources", o.resource_groups, "resource groups (2 nodes only; 0: no resource manager)")
        ->check(CLI::Range(0, 10000));
    app.add_option("--auto-failback", auto_failback, "on, off or legacy")->check(CLI::IsMember({"on", "off", "legacy"}));
    app.add_option("--script-ms", o.script_ms, "mean duration of a resource script call, ms")->check(CLI::Range(0.001, 3.6e6));
    app.add_option("--script-fail", o.script_fail, "probability a start or stop fails")->check(CLI::Range(0.0, 1.0));
    app.add_flag("--json", json, "JSON output");
    app.add_flag("--no-timing", no_timing, "omit wall time and memory (for comparing runs)");
    CLI11_PARSE(app, argc, argv);
    try {
        for (const auto& p : partitions) o.partitions.push_back(parse_partition(p, o.nodes));
        for (const auto& c : crashes) o.events.push_back(parse_event(c, hb::sim::NodeEvent::Kind::crash, o.nodes));
        for (const auto& c : restarts) o.events.push_back(parse_event(c, hb::sim::NodeEvent::Kind::restart, o.nodes));
        for (const auto& c : leaves) o.events.push_back(parse_event(c, hb::sim::NodeEvent::Kind::leave, o.nodes));
        if (o.deadtime_ms <= o.keepalive_ms) throw std::invalid_argument("--deadtime must exceed --keepalive");
        o.auto_failback = auto_failback == "off"      ? hb::config::AutoFailback::off
                          : auto_failback == "legacy" ? hb::config::AutoFailback::legacy
                                                      : hb::config::AutoFailback::on;
        if (o.resource_groups > 0 && o.nodes != 2) {
            throw std::invalid_argument("--resources needs --nodes 2: heartbeat's resource protocol is for a pair of nodes");
        }
    } catch (const std::exception& e) {
        std::cerr << "hbsim: " << e.what() << '\n';
        return 2;
    }

    const auto t0 = std::chrono::steady_clock::now();
    hb::sim::Report report = hb::sim::Simulator(o).run();
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;

    if (json) {
        auto j = to_json(report);
        if (report.resources.enabled) j["resources"] = resources_json(report);
        if (!no_timing) j["timing"] = {{"wall_s", wall_s}, {"peak_rss_mb", rss_mb}, {"node_seconds_per_wall_second", report.node_seconds / wall_s}};
        std::cout << j.dump(2) << '\n';
    } else {
        std::cout << hb::sim::format_report(report);
        if (!no_timing) {
            std::printf("wall time: %.2f s, peak RSS: %.1f MB, speed: %.0f simulated node-seconds per wall second\n",
                        wall_s, rss_mb, report.node_seconds / wall_s);
        }
    }
    const auto& x = report.resources;
    const bool resources_failed =
        x.enabled && (x.overlap_while_connected_us > 0 || x.overlap_while_connected_episodes > 0 || !x.final_ok);
    return resources_failed ? 1 : 0;
}
