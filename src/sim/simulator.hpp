// N protocol cores in one process on simulated time: the deterministic counterpart of the daemon.
// Same options and seed, same run, byte for byte.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "core/core.hpp"
#include "sim/event_queue.hpp"
#include "sim/network.hpp"
#include "sim/options.hpp"
#include "sim/report.hpp"

namespace hb::sim {

class Simulator {
public:
    explicit Simulator(SimOptions options);
    Report run();

private:
    struct Node {
        std::unique_ptr<core::Core> core;
        bool running = false;
        std::uint64_t generation = 1;
        core::Micros timer_at = core::kNever;
        std::uint64_t timer_version = 0;
        std::vector<core::Micros> down_at;  // crash and leave times
        std::vector<core::Micros> up_at;    // start and restart times
        std::uint64_t app_counter = 0;      // per-sender order of client messages
    };
    struct Sent {
        int sender = 0;
        int dest = -1;  // -1: the whole cluster
        core::Micros at = 0;
    };
    struct Crash {
        int node = 0;
        core::Micros at = 0;
        std::vector<bool> detected;
    };

    core::CoreConfig config_for(int i) const;
    void start_node(int i, core::Micros now);
    void apply(int i, core::Effects effects, core::Micros now);
    void send_packet(int from, core::Send& s, core::Micros now);
    void deliver(int to, const Event& e, core::Micros now);
    void on_node_change(int observer, const core::NodeChange& c, core::Micros now);
    void on_client_delivery(int receiver, const Message& msg);
    void client_traffic(core::Micros now);
    void rearm(int i);
    bool down_within(int node, core::Micros from, core::Micros to) const;
    // Up without a break over [from, to] (a node that started just before `from` counts as up).
    bool up_throughout(int node, core::Micros from, core::Micros to) const;
    void finish(core::Micros end);

    SimOptions o_;
    std::mt19937_64 rng_;
    Network net_;
    EventQueue queue_;
    std::vector<Node> nodes_;
    std::vector<std::string> names_;
    std::map<std::string, int> index_;
    std::vector<Crash> crashes_;
    std::vector<Sent> sent_;
    std::vector<std::vector<std::uint32_t>> delivered_;  // [message id][receiver] -> count
    std::vector<std::vector<std::uint64_t>> last_order_;  // [receiver][sender] -> last app counter
    std::vector<core::Micros> arrival_scratch_;
    core::Micros traffic_end_ = 0;
    Report report_;
};

}  // namespace hb::sim
