#include "sim/report.hpp"

#include <cstdio>

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
    return out;
}

}  // namespace hb::sim
