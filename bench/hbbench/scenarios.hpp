// The scenarios of hbbench, each against one System, each returning its figures as JSON
// (an "error" member instead when the system could not do it; the report shows why).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "system.hpp"

namespace hbbench {

using Json = nlohmann::json;

struct Options {
    std::vector<std::pair<int, int>> timings{{1000, 3000}, {100, 500}};  // keepalive/deadtime ms
    int trials = 20;          // S1 kills per timing
    int soak_s = 300;         // S1 false-death soak under load, at the shortest timing
    int soak_nodes = 3;       // S1 soak cluster size
    int send_ms = 5000;       // S2 sending time
    int round_trips = 10000;  // S3
    int idle_s = 60;          // S4
    int api_calls = 10000;    // S5, per call kind
    std::vector<int> scale{8, 16, 32, 64};  // S6 cluster sizes
    int scale_idle_s = 20;    // S6 CPU sampling time per size
    int fault_send_ms = 3000;  // S8 sending time per fault
    std::pair<int, int> s7_timing{-1, -1};  // S7 keepalive/deadtime ms (default: s7_default_timing)
    int s7_trials = 20;                     // S7 failovers, and switchovers
    int s7_soak_s = 300;                    // S7 false-failover soak under load
};

Json s1_detection(System& sys, const Options& o);
Json s2_throughput(System& sys, const Options& o);
Json s3_round_trip(System& sys, const Options& o);
Json s4_footprint(System& sys, const Options& o);
Json s5_api_cost(System& sys, const Options& o);
Json s6_scale(System& sys, const Options& o);
Json s8_faults(System& sys, const Options& o);
// S7 needs no agent: only its driver bench/systems/vip/<system>.sh and the probe script.
std::pair<int, int> s7_default_timing(const std::string& system);
Json s7_failover(const std::string& system, const std::string& script, const std::string& probe_py, const std::string& work,
                 const Options& o);
std::string s7_version(const std::string& script, const std::string& work);

}  // namespace hbbench
