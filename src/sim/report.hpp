// What a simulation run observed, and its deterministic text rendering.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "core/types.hpp"
#include "sim/options.hpp"

namespace hb::sim {

struct TimelineEntry {
    core::Micros t = 0;
    int observer = 0;
    int node = 0;
    core::NodeStatus from = core::NodeStatus::dead;
    core::NodeStatus to = core::NodeStatus::dead;
};

struct Report {
    SimOptions options;
    std::vector<TimelineEntry> timeline;
    std::vector<core::Micros> detection_us;  // one per (crash, observer), sorted
    int undetected = 0;
    int false_deaths = 0;
    int partition_deaths = 0;
    std::vector<std::string> false_death_details;
    std::uint64_t msgs_sent = 0;
    std::uint64_t msgs_refused = 0;
    std::uint64_t deliveries = 0;
    std::uint64_t expected_deliveries = 0;
    std::uint64_t lost = 0;
    std::uint64_t duplicated = 0;
    std::uint64_t out_of_order = 0;
    core::Counters totals;
    // At the end: for each node that is running, its view of every node (itself: its own status).
    std::vector<bool> running_at_end;
    std::vector<std::vector<core::NodeStatus>> final_view;
    double node_seconds = 0;

    core::Micros detection_percentile(double p) const;
    // Every running node sees every other running node `up` or `active`, and no dead node alive.
    bool membership_converged() const;
};

std::string format_report(const Report& r);

}  // namespace hb::sim
