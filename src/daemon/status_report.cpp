#include "daemon/status_report.hpp"

#include <nlohmann/json.hpp>

namespace hb::daemon {

namespace {

using nlohmann::json;

// Milliseconds since `then`, or null for never.
json ms_ago(core::Micros now, core::Micros then) {
    if (then < 0) return nullptr;
    return (now - then) / core::kMillis;
}

json ms(std::int64_t micros) { return micros < 0 ? json(nullptr) : json(micros / core::kMillis); }

json peer_json(core::Micros now, const core::NodeView& v, const Settings& settings) {
    json links = json::array();
    for (std::size_t l = 0; l < v.links.size() && l < settings.core.links.size(); ++l) {
        links.push_back({{"name", settings.core.links[l]},
                         {"status", std::string(to_string(v.links[l]))},
                         {"last_heard_ms_ago", ms_ago(now, l < v.link_last_heard.size() ? v.link_last_heard[l] : -1)}});
    }
    const core::PeerTally& t = v.tally;
    return {{"name", v.name},
            {"status", std::string(to_string(v.status))},
            {"generation", v.generation},
            {"deadtime_ms", v.deadtime / core::kMillis},
            {"last_heard_ms_ago", ms_ago(now, v.last_heard)},
            {"heartbeat_interval_ms", ms(t.last_interval)},
            {"heartbeat_interval_max_ms", ms(t.max_interval)},
            {"heartbeats", t.statuses},
            {"late_heartbeats", t.late_heartbeats},
            {"duplicates", t.duplicates},
            {"rexmit_requests", t.rexmit_requests},
            {"gaps_given_up", t.gaps_given_up},
            {"deaths", t.deaths},
            {"links", links}};
}

json client_json(core::Micros now, const ApiClient& c) {
    return {{"id", c.id},
            {"pid", c.peer.pid},
            {"uid", c.peer.uid},
            {"signed_on", c.signed_on},
            {"casual", c.casual},
            {"connected_ms_ago", ms_ago(now, c.connected_at)},
            {"queued", c.queued},
            {"queue_limit", c.queue_limit},
            {"delivered", c.delivered},
            {"behind", c.behind}};
}

}  // namespace

std::string status_report(core::Micros now, const core::Core& core, const Settings& settings,
                          const ClientRegistry& clients, const std::string& resources,
                          const std::string& children) {
    json core_counters = json::object();
    for (const auto& f : core::kCounterFields) core_counters[f.name] = core.counters().*f.field;
    json api_counters = json::object();
    for (const auto& f : kApiCounterFields) api_counters[f.name] = clients.counters().*f.field;
    json peers = json::array();
    for (const auto& v : core.node_views()) peers.push_back(peer_json(now, v, settings));
    json ping_nodes = json::array();
    for (const auto& v : core.ping_views()) {
        json addresses = json::array();
        for (const auto& spec : settings.core.ping_nodes) {
            if (spec.name == v.name) addresses = spec.addresses;
        }
        ping_nodes.push_back({{"name", v.name},
                              {"status", std::string(to_string(v.status))},
                              {"addresses", addresses},
                              {"last_heard_ms_ago", ms_ago(now, v.last_heard)}});
    }
    json client_list = json::array();
    for (const auto& [key, c] : clients.all()) {
        if (c->closing.empty()) client_list.push_back(client_json(now, *c));
    }
    json doc = {{"node", settings.core.node},
                {"status", std::string(to_string(core.local_status()))},
                {"counters", core_counters},
                {"api", api_counters},
                {"peers", peers},
                {"ping_nodes", ping_nodes},
                {"clients", client_list}};
    json rsc = resources.empty() ? json(nullptr) : json::parse(resources, nullptr, false);
    doc["resources"] = rsc.is_discarded() ? json(nullptr) : rsc;
    json kids = children.empty() ? json::array() : json::parse(children, nullptr, false);
    doc["children"] = kids.is_discarded() ? json::array() : kids;
    return doc.dump();
}

}  // namespace hb::daemon
