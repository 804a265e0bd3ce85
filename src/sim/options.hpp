// What a simulation run is made of: the cluster, the network's faults, the schedule of node
// events and client traffic, and the resource groups the nodes' resource managers share.
// Everything else follows from `seed`.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.hpp"

namespace hb::sim {

struct Partition {
    double at_s = 0;
    double heal_s = 0;
    // Two-way: group[node] says which side each node is on (packets cross no side).
    // One-way: packets from a node in `from` to a node in `to` are lost; the other way passes.
    std::vector<int> group;
    bool one_way = false;
    std::vector<bool> from, to;
};

struct NodeEvent {
    enum class Kind { crash, restart, leave };
    Kind kind = Kind::crash;
    int node = 0;  // 0-based
    double at_s = 0;
};

struct SimOptions {
    int nodes = 3;
    std::uint64_t seed = 1;
    double duration_s = 10;
    int keepalive_ms = 1000;
    int deadtime_ms = 3000;
    int warntime_ms = 0;   // 0: deadtime / 2
    int initdead_ms = 0;   // 0: 2 x deadtime
    int links = 1;
    double loss = 0;       // per packet, per receiver, per link
    double dup = 0;        // probability a packet arrives twice
    double reorder = 0;    // probability a packet is held back past later ones
    double delay_ms = 1;
    double jitter_ms = 0;  // uniform extra delay in [0, jitter]
    std::vector<Partition> partitions;
    std::vector<NodeEvent> events;
    double msgs_per_sec = 0;
    bool node_msgs = false;  // client messages to one random peer instead of the cluster
    bool timeline = false;   // print every membership change
    // Resource management (haresources failover), for exactly 2 nodes as heartbeat's protocol is.
    // 0: off, the run is what it was without it. N: N groups, group g preferred by node g % 2,
    // of 1 + g % 3 resources, run by a simulated script runner.
    int resource_groups = 0;
    config::AutoFailback auto_failback = config::AutoFailback::on;
    double script_ms = 50;   // mean duration of a script call (each drawn from [0.5, 1.5] x mean)
    double script_fail = 0;  // probability a start or stop call fails (status calls never do)
};

}  // namespace hb::sim
