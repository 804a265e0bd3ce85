// hbconfig: check or show a heartbeat configuration directory (ha.cf, authkeys, haresources).
//   hbconfig check [-c DIR] [-n NODE]   exit 0 when valid, 2 on any error (file:line and a fix)
//   hbconfig show  [-c DIR] [-n NODE] [--json]

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "agents/script_check.hpp"
#include "config/config_dir.hpp"

namespace {

const char* medium_kind(hb::config::MediumKind k) {
    switch (k) {
        case hb::config::MediumKind::ucast: return "ucast";
        case hb::config::MediumKind::ucast6: return "ucast6";
        case hb::config::MediumKind::bcast: return "bcast";
        case hb::config::MediumKind::mcast: return "mcast";
        case hb::config::MediumKind::mcast6: return "mcast6";
        case hb::config::MediumKind::serial: return "serial";
    }
    return "?";
}

nlohmann::json to_json(const hb::config::Config& c) {
    nlohmann::json media = nlohmann::json::array();
    for (const auto& m : c.media) {
        media.push_back({{"kind", medium_kind(m.kind)}, {"device", m.device}, {"address", m.address},
                         {"port", m.port}, {"line", m.line}});
    }
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : c.authkeys.keys) keys.push_back({{"index", k.index}, {"method", hb::auth::method_name(k.method)}});
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : c.resources) {
        nlohmann::json rs = nlohmann::json::array();
        for (const auto& r : g.resources) rs.push_back({{"type", r.type}, {"args", r.args}});
        groups.push_back({{"node", g.node}, {"resources", rs}});
    }
    return {{"nodes", c.nodes},
            {"media", media},
            {"keepalive_ms", c.keepalive_ms},
            {"deadtime_ms", c.deadtime_ms},
            {"warntime_ms", c.warntime_ms},
            {"initdead_ms", c.initdead_ms},
            {"udpport", c.udpport},
            {"bind", c.bind_address},
            {"auth", {{"sign_index", c.authkeys.sign_index}, {"keys", keys}}},
            {"resources", groups},
            {"parameters", c.parameters}};
}


}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Check or show a heartbeat configuration directory"};
    app.set_help_all_flag("--help-all", "print the help of every sub-command too");
    app.require_subcommand(1);
    std::string dir = "/etc/ha.d", node;
    bool json = false;
    for (auto* sub : {app.add_subcommand("check", "validate; exit 2 on any error"),
                      app.add_subcommand("show", "print the validated configuration")}) {
        sub->add_option("-c,--config-dir", dir, "directory with ha.cf, authkeys, haresources");
        sub->add_option("-n,--node", node, "this node's name (default: any declared node)");
        sub->add_flag("--json", json, "JSON output (show)");
    }
    CLI11_PARSE(app, argc, argv);

    auto loaded = hb::config::load_config_dir(dir, node);
    if (!loaded.config.pacemaker) {
        hb::agents::Lookup lookup;
        lookup.resource_dir = dir + "/resource.d";
        hb::agents::check_scripts(loaded.config.resources, dir + "/haresources", lookup, loaded.diagnostics);
    }
    for (const auto& d : loaded.diagnostics.items()) std::cerr << hb::config::format(d) << '\n';
    if (!loaded.ok()) return 2;
    if (app.got_subcommand("check")) {
        std::cout << dir << ": configuration OK (" << loaded.config.nodes.size() << " nodes, "
                  << loaded.config.media.size() << " media)\n";
        return 0;
    }
    const auto j = to_json(loaded.config);
    if (json) {
        std::cout << j.dump(2) << '\n';
    } else {
        for (const auto& [k, v] : j.items()) std::cout << k << ": " << v.dump() << '\n';
    }
    return 0;
}
