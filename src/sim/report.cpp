#include "sim/report.hpp"

#include <cstdio>

#include "common/numbered_name.hpp"

namespace hb::sim {

core::Micros Report::detection_percentile(double p) const {
    if (detection_us.empty()) return 0;
    auto idx = static_cast<std::size_t>(p * static_cast<double>(detection_us.size() - 1) + 0.5);
    return detection_us[std::min(idx, detection_us.size() - 1)];
}

bool Report::membership_converged() const {
    for (std::size_t o = 0; o < final_view.size(); ++o) {
        if (!running_at_end[o]) continue;
        for (std::size_t n = 0; n < final_view[o].size(); ++n) {
            if (n == o) continue;
            const bool seen_alive = final_view[o][n] != core::NodeStatus::dead;
            if (seen_alive != running_at_end[n]) return false;
        }
    }
    return true;
}

namespace {
std::string ms(core::Micros us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(us) / 1000.0);
    return buf;
}
std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
std::string_view failback_name(config::AutoFailback a) {
    switch (a) {
        case config::AutoFailback::on: return "on";
        case config::AutoFailback::off: return "off";
        case config::AutoFailback::legacy: return "legacy";
    }
    return "on";
}

// Only with resource groups: a run without them prints what it printed before they existed.
std::string format_resources(const Report& r) {
    const SimOptions& o = r.options;
    const ResourceReport& x = r.resources;
    std::string out;
    out += "resources: " + std::to_string(o.resource_groups) + " groups, auto_failback " +
           std::string(failback_name(o.auto_failback)) + ", script " + num(o.script_ms) + " ms, script failure probability " +
           num(o.script_fail) + "\n";
    out += "resources: overlap while connected " + ms(x.overlap_while_connected_us) + " ms (" +
           std::to_string(x.overlap_while_connected_episodes) + " episodes), split brain " +
           std::to_string(x.split_brain_episodes) + " episodes (" + ms(x.split_brain_us) + " ms, " +
           ms(x.split_brain_after_heal_us) + " ms of it after they heard each other again)\n";
    out += "resources: takeovers " + std::to_string(x.takeovers) + ", standbys " + std::to_string(x.standbys) +
           ", scripts run " + std::to_string(x.scripts_run) + " (failed " + std::to_string(x.script_failures) +
           "), start failures " + std::to_string(x.start_failures) + ", stop failures " +
           std::to_string(x.stop_failures) + ", messages sent " + std::to_string(x.messages_sent) + " (refused " +
           std::to_string(x.messages_refused) + ")\n";
    out += "resources: at the end, after " + ms(x.quiet_us) + " ms without a scenario event:";
    for (std::size_t g = 0; g < x.final_owner.size(); ++g) {
        out.append(g ? ", " : " ").append(numbered_name("g", g + 1)).append(" ");
        out.append(x.final_owner[g] < 0 ? std::string("-") : numbered_name("n", x.final_owner[g] + 1));
    }
    out += "\n";
    out += std::string("resources: final ") + (x.final_ok ? "OK" : "NOT OK");
    if (!x.final_ok) out += x.final_failures_explained ? " (script failures only)" : " (not explained by script failures)";
    out += "\n";
    for (const auto& f : x.final_failures) out += "  " + f + "\n";
    if (o.timeline) {
        out += "resources: log, " + std::to_string(x.log.size()) + " lines\n";
        for (const auto& line : x.log) out += "  " + line + "\n";
    }
    return out;
}
}  // namespace

std::string format_report(const Report& r) {
    const SimOptions& o = r.options;
    std::string out;
    out += "hbsim: " + std::to_string(o.nodes) + " nodes, seed " + std::to_string(o.seed) + ", " + num(o.duration_s) +
           " s, keepalive " + std::to_string(o.keepalive_ms) + " ms, deadtime " + std::to_string(o.deadtime_ms) +
           " ms, links " + std::to_string(o.links) + ", loss " + num(o.loss) + ", dup " + num(o.dup) + ", reorder " +
           num(o.reorder) + ", delay " + num(o.delay_ms) + " ms, jitter " + num(o.jitter_ms) + " ms\n";
    out += "timeline: " + std::to_string(r.timeline.size()) + " membership changes\n";
    const bool full = o.timeline || r.timeline.size() <= 60;
    for (std::size_t i = 0; i < r.timeline.size() && full; ++i) {
        const auto& e = r.timeline[i];
        out += "  " + ms(e.t) + " ms  n" + std::to_string(e.observer + 1) + " sees n" + std::to_string(e.node + 1) +
               ": " + std::string(to_string(e.from)) + " -> " + std::string(to_string(e.to)) + "\n";
    }
    out += "detection: " + std::to_string(r.detection_us.size()) + " samples";
    if (!r.detection_us.empty()) {
        out += ", min " + ms(r.detection_us.front()) + " ms, median " + ms(r.detection_percentile(0.5)) + " ms, p99 " +
               ms(r.detection_percentile(0.99)) + " ms, max " + ms(r.detection_us.back()) + " ms";
    }
    out += ", undetected " + std::to_string(r.undetected) + "\n";
    out += "false deaths: " + std::to_string(r.false_deaths) + ", partition deaths: " +
           std::to_string(r.partition_deaths) + "\n";
    for (const auto& d : r.false_death_details) out += "  " + d + "\n";
    out += "messages: sent " + std::to_string(r.msgs_sent) + ", refused " + std::to_string(r.msgs_refused) +
           ", delivered " + std::to_string(r.deliveries) + " (expected " + std::to_string(r.expected_deliveries) +
           "), lost " + std::to_string(r.lost) + ", duplicated " + std::to_string(r.duplicated) +
           ", out of order " + std::to_string(r.out_of_order) + "\n";
    const auto& c = r.totals;
    out += "core: received " + std::to_string(c.packets_received) + "; dropped: duplicate " +
           std::to_string(c.dropped_duplicate) + ", not for us " + std::to_string(c.dropped_not_for_us) +
           ", replay " + std::to_string(c.dropped_replay) + ", malformed " + std::to_string(c.dropped_malformed) +
           ", unknown node " + std::to_string(c.dropped_unknown_node) + "; rexmit requests " +
           std::to_string(c.rexmit_requests_sent) + ", retransmissions " + std::to_string(c.retransmissions_sent) +
           ", naks " + std::to_string(c.naks_sent) + ", acks " + std::to_string(c.acks_sent) + ", gaps given up " +
           std::to_string(c.gaps_given_up) + ", late heartbeats " + std::to_string(c.late_heartbeats) + "\n";
    out += std::string("final membership: ") + (r.membership_converged() ? "converged" : "NOT converged") + "\n";
    if (r.resources.enabled) out += format_resources(r);
    return out;
}

}  // namespace hb::sim
