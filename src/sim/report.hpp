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

// The resource managers' side of a run (SimOptions::resource_groups > 0): the invariants
// (sim/resource_checks.hpp says how they are measured) and the managers' counters, summed.
struct ResourceReport {
    bool enabled = false;
    core::Micros overlap_while_connected_us = 0;  // must be 0
    int overlap_while_connected_episodes = 0;
    int split_brain_episodes = 0;
    core::Micros split_brain_us = 0;
    core::Micros split_brain_after_heal_us = 0;  // of split_brain_us: while the nodes heard each other again
    bool final_ok = false;
    std::vector<int> final_owner;             // per group: the one node running all of it, or -1
    std::vector<std::string> final_failures;  // one line per group that is not where it must be
    std::vector<std::size_t> final_failed_groups;
    // Every final failure is a group that a manager marked failed (a start or a stop of it did not
    // succeed, which leaves it down as heartbeat does): script failures, not a protocol fault.
    bool final_failures_explained = true;
    core::Micros quiet_us = 0;                // from the scenario's last event to the end of the run
    std::uint64_t takeovers = 0;
    std::uint64_t standbys = 0;
    std::uint64_t scripts_run = 0;
    std::uint64_t script_failures = 0;
    std::uint64_t start_failures = 0;
    std::uint64_t stop_failures = 0;
    std::uint64_t messages_sent = 0;
    std::uint64_t messages_refused = 0;  // resource messages the core would not take
    std::vector<std::string> log;        // with SimOptions::timeline: the managers' log lines, timed
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
    ResourceReport resources;

    core::Micros detection_percentile(double p) const;
    // Every running node sees every other running node `up` or `active`, and no dead node alive.
    bool membership_converged() const;
};

std::string format_report(const Report& r);

}  // namespace hb::sim
