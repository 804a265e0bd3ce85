#include "daemon/metrics.hpp"

#include <vector>

#include "daemon/exposition.hpp"

namespace hb::daemon {

namespace {

using Type = Exposition::Type;

bool alive(core::NodeStatus s) { return s == core::NodeStatus::active || s == core::NodeStatus::up; }

// One sample per peer of a figure of its tally.
void per_peer(Exposition& out, const std::vector<core::NodeView>& views, const char* name, const char* help,
              std::uint64_t core::PeerTally::*field) {
    out.family(name, help, Type::counter);
    for (const auto& v : views) out.sample({{"peer", v.name}}, static_cast<double>(v.tally.*field));
}

// A counter's metric name. "us" reads as microseconds to promtool's lint, so one is renamed.
std::string metric_name(std::string_view counter) {
    return counter == "dropped_not_for_us" ? std::string("dropped_not_for_this_node") : std::string(counter);
}

}  // namespace

std::string metrics_text(core::Micros now, const core::Core& core, const Settings& settings, const ClientRegistry& clients) {
    Exposition out;
    for (const auto& f : core::kCounterFields) {
        out.family("heartbeat_" + metric_name(f.name) + "_total", std::string("core counter ") + f.name, Type::counter);
        out.sample({}, static_cast<double>(core.counters().*f.field));
    }
    for (const auto& f : kApiCounterFields) {
        out.family(std::string("heartbeat_api_") + f.name + "_total", std::string("API server counter ") + f.name,
                   Type::counter);
        out.sample({}, static_cast<double>(clients.counters().*f.field));
    }
    const auto views = core.node_views();
    out.family("heartbeat_nodes", "nodes in the cluster (ha.cf node lines)", Type::gauge);
    out.sample({}, static_cast<double>(settings.core.nodes.size()));
    double alive_count = alive(core.local_status()) ? 1 : 0;
    for (const auto& v : views) alive_count += alive(v.status) ? 1 : 0;
    out.family("heartbeat_nodes_alive", "nodes this node sees up or active, itself included", Type::gauge);
    out.sample({}, alive_count);
    out.family("heartbeat_node_up", "1 while this node sees the node up or active", Type::gauge);
    out.sample({{"peer", settings.core.node}}, alive(core.local_status()) ? 1 : 0);
    for (const auto& v : views) out.sample({{"peer", v.name}}, alive(v.status) ? 1 : 0);
    out.family("heartbeat_link_up", "1 while the peer is heard on the link", Type::gauge);
    for (const auto& v : views) {
        for (std::size_t l = 0; l < v.links.size() && l < settings.core.links.size(); ++l) {
            out.sample({{"peer", v.name}, {"link", settings.core.links[l]}}, v.links[l] == core::LinkStatus::up ? 1 : 0);
        }
    }
    out.family("heartbeat_peer_last_heard_seconds", "time since the peer's last authenticated packet", Type::gauge);
    for (const auto& v : views) {
        if (v.last_heard >= 0) out.sample({{"peer", v.name}}, static_cast<double>(now - v.last_heard) / 1e6);
    }
    out.family("heartbeat_peer_heartbeat_interval_seconds", "time between the peer's heartbeats", Type::histogram);
    for (const auto& v : views) {
        if (!v.intervals) continue;
        const core::IntervalHistogram& h = *v.intervals;
        std::vector<std::pair<double, std::uint64_t>> cumulative;
        std::uint64_t running = 0;
        for (std::size_t b = 0; b < std::size(core::kIntervalBucketsMs); ++b) {
            running += h.counts[b];
            cumulative.emplace_back(static_cast<double>(core::kIntervalBucketsMs[b]) / 1e3, running);
        }
        out.histogram({{"peer", v.name}}, cumulative, h.count, static_cast<double>(h.sum) / 1e6);
    }
    per_peer(out, views, "heartbeat_peer_deaths_total", "times this node declared the peer dead", &core::PeerTally::deaths);
    per_peer(out, views, "heartbeat_peer_late_heartbeats_total", "the peer's heartbeats that came after warntime",
             &core::PeerTally::late_heartbeats);
    per_peer(out, views, "heartbeat_peer_rexmit_requests_total", "retransmissions this node asked of the peer",
             &core::PeerTally::rexmit_requests);
    per_peer(out, views, "heartbeat_peer_duplicates_total", "the peer's packets seen again", &core::PeerTally::duplicates);
    std::size_t signed_on = 0;
    for (const auto& [key, c] : clients.all()) signed_on += c->signed_on && c->closing.empty();
    out.family("heartbeat_api_clients", "clients signed on to the API socket", Type::gauge);
    out.sample({}, static_cast<double>(signed_on));
    out.family("heartbeat_api_connections_waiting", "connections that have not signed on yet", Type::gauge);
    out.sample({}, static_cast<double>(clients.pending()));
    return out.text();
}

}  // namespace hb::daemon
