// hbbench: the scenarios of docs/benchmarks.md against real daemons of one system (ours, Debian's
// heartbeat 3.0.6, or Corosync), through their own client libraries, and S7 (a floating IP's
// failover) also against keepalived and Pacemaker; `report` puts several runs side by side. How
// the systems are driven: bench/systems/README.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "report.hpp"
#include "scenarios.hpp"

namespace {

std::string own_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path().string(); }

const std::map<std::string, std::string> kAgents{{"ours", "hbagent"}, {"heartbeat3", "hbagent-hb3"}, {"corosync", "cpgagent"}};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"hbbench: failure detection, throughput, latency, footprint, API cost and scale of a cluster layer"};
    app.require_subcommand(0, 1);
    std::string system = "ours", json_path, work, systems_dir = HBB_SYSTEMS_DIR;
    std::vector<std::string> scenarios;
    bool quick = false;
    hbbench::Options o;
    app.add_option("--system", system, "ours, heartbeat3, corosync; keepalived or pacemaker (S7 only)")
        ->check(CLI::IsMember({"ours", "heartbeat3", "corosync", "keepalived", "pacemaker"}));
    app.add_option("--scenarios", scenarios, "which of S1..S8 (default: S1..S6 and S8; S7 alone for keepalived and pacemaker)")
        ->delimiter(',');
    app.add_option("--json", json_path, "also write the figures here as JSON");
    app.add_option("--work", work, "directory for the nodes' files and logs (default: a new one under /tmp)");
    app.add_option("--systems-dir", systems_dir, "where the driver scripts are");
    app.add_flag("--quick", quick, "a few trials of everything (a smoke run, not figures to quote)");
    std::vector<std::string> timings;
    app.add_option("--timings", timings, "S1, S4: keepalive/deadtime pairs in ms (default: 1000/3000,100/500; the soak uses the last)")
        ->delimiter(',');
    app.add_option("--trials", o.trials, "S1: kills per timing");
    app.add_option("--soak", o.soak_s, "S1: seconds under full CPU load");
    app.add_option("--soak-nodes", o.soak_nodes, "S1: nodes in the soak (default 3)")->check(CLI::Range(2, 64));
    app.add_option("--send-ms", o.send_ms, "S2: sending time");
    app.add_option("--round-trips", o.round_trips, "S3: round trips");
    app.add_option("--idle", o.idle_s, "S4: idle seconds");
    app.add_option("--api-calls", o.api_calls, "S5: calls of each kind");
    app.add_option("--scale", o.scale, "S6: cluster sizes")->delimiter(',');
    app.add_option("--scale-idle", o.scale_idle_s, "S6: CPU sampling seconds per size");
    app.add_option("--s7-timing", o.s7_timing, "S7: KEEPALIVE_MS DEADTIME_MS (default: the system's fastest held setting)");
    app.add_option("--s7-trials", o.s7_trials, "S7: failovers, and switchovers");
    app.add_option("--s7-soak", o.s7_soak_s, "S7: seconds under full CPU load");
    auto* report = app.add_subcommand("report", "markdown of several --json runs side by side (ours first)");
    std::vector<std::string> inputs;
    report->add_option("files", inputs, "JSON files of hbbench runs")->required()->check(CLI::ExistingFile);
    CLI11_PARSE(app, argc, argv);
    if (!timings.empty()) {
        o.timings.clear();
        for (const auto& t : timings) {
            int ka = 0, dt = 0;
            char slash = 0;
            std::istringstream in(t);
            if (!(in >> ka >> slash >> dt) || slash != '/' || ka <= 0 || dt <= 2 * ka || !in.eof()) {
                std::cerr << "hbbench: --timings " << t << ": want KEEPALIVE_MS/DEADTIME_MS with deadtime > 2 x keepalive\n";
                return 2;
            }
            o.timings.emplace_back(ka, dt);
        }
    }

    if (report->parsed()) {
        std::vector<nlohmann::json> runs;
        for (const auto& path : inputs) {
            std::ifstream in(path);
            auto j = nlohmann::json::parse(in, nullptr, false);
            if (j.is_discarded() || !j.is_object()) {
                std::cerr << "hbbench: " << path << ": not an hbbench JSON run\n";
                return 2;
            }
            runs.push_back(std::move(j));
        }
        std::cout << hbbench::markdown(runs);
        return 0;
    }

    if (quick) {
        o.trials = 3;
        o.soak_s = 10;
        o.send_ms = 1000;
        o.round_trips = 500;
        o.idle_s = 5;
        o.api_calls = 1000;
        o.scale = {8};
        o.scale_idle_s = 3;
        o.fault_send_ms = 1000;
        o.s7_trials = 3;
        o.s7_soak_s = 10;
    }
    const bool s7_only_system = system == "keepalived" || system == "pacemaker";
    if (scenarios.empty()) {
        scenarios = s7_only_system ? std::vector<std::string>{"S7"} : std::vector<std::string>{"S1", "S2", "S3", "S4", "S5", "S6", "S8"};
    }
    const bool s7_only = std::all_of(scenarios.begin(), scenarios.end(), [](const std::string& s) { return s == "S7"; });
    if (s7_only_system && !s7_only) {
        std::cerr << "hbbench: " << system << " has no client agent: only S7\n";
        return 2;
    }
    const std::string bin = own_dir();
    const std::string agent = s7_only ? "" : bin + "/" + kAgents.at(system);
    if (!s7_only && !std::filesystem::exists(agent)) {
        std::cerr << "hbbench: no agent for " << system << " (" << agent << " was not built: see bench/agents)\n";
        return 2;
    }
    if (work.empty()) {
        char tmpl[] = "/tmp/hbbench-XXXXXX";
        if (!mkdtemp(tmpl)) {
            std::perror("hbbench: mkdtemp");
            return 1;
        }
        work = tmpl;
    }
    work = std::filesystem::absolute(work).string();  // drivers hand it to daemons that change directory
    setenv("HBB_BIN", bin.c_str(), 1);  // our driver starts the daemon built beside us
    const std::string vip_driver = systems_dir + "/vip/" + system + ".sh";
    std::filesystem::create_directories(work + "/" + system);
    std::optional<hbbench::System> sys;
    if (!s7_only) sys.emplace(system, systems_dir + "/" + system + ".sh", agent, work + "/" + system);
    nlohmann::json run{{"system", system},
                       {"version", sys ? sys->version() : hbbench::s7_version(vip_driver, work + "/" + system)},
                       {"results", nlohmann::json::object()}};
    std::cerr << "hbbench: " << run["version"].get<std::string>() << ", files in " << work << "\n";
    const std::map<std::string, nlohmann::json (*)(hbbench::System&, const hbbench::Options&)> kScenarios{
        {"S1", hbbench::s1_detection}, {"S2", hbbench::s2_throughput}, {"S3", hbbench::s3_round_trip},
        {"S4", hbbench::s4_footprint}, {"S5", hbbench::s5_api_cost},   {"S6", hbbench::s6_scale},
        {"S8", hbbench::s8_faults}};
    for (const auto& s : scenarios) {
        auto it = kScenarios.find(s);
        if (s == "S7") {
            if (!std::filesystem::exists(vip_driver)) {
                run["results"][s] = {{"error", "no S7 driver for " + system}};
            } else {
                run["results"][s] = hbbench::s7_failover(system, vip_driver, HBB_S7_PROBE, work + "/" + system, o);
            }
        } else if (it == kScenarios.end()) {
            std::cerr << "hbbench: unknown scenario " << s << " (S1..S8)\n";
            return 2;
        } else {
            run["results"][s] = it->second(*sys, o);
        }
        if (!json_path.empty()) std::ofstream(json_path) << run.dump(2) << "\n";  // what is done so far survives
    }
    if (sys) sys->stop();
    std::cout << hbbench::table(run);
    return 0;
}
