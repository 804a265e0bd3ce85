#include "daemon/settings_from_config.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>

#include "io/icmp_echo.hpp"

namespace hb::daemon {

std::string local_node_name() {
    utsname u{};
    uname(&u);
    std::string name = u.nodename;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

std::vector<io::LinkSpec> links_from_media(const config::Config& cfg, const std::string& bind) {
    std::vector<io::LinkSpec> links;
    for (const auto& m : cfg.media) {
        io::MediumKind kind;
        switch (m.kind) {
            case config::MediumKind::ucast: kind = io::MediumKind::ucast; break;
            case config::MediumKind::ucast6: kind = io::MediumKind::ucast6; break;
            case config::MediumKind::bcast: kind = io::MediumKind::bcast; break;
            case config::MediumKind::mcast: kind = io::MediumKind::mcast; break;
            case config::MediumKind::mcast6: kind = io::MediumKind::mcast6; break;
            default: continue;  // serial: accepted, not acted on
        }
        const bool unicast = kind == io::MediumKind::ucast || kind == io::MediumKind::ucast6;
        auto same = std::find_if(links.begin(), links.end(), [&](const io::LinkSpec& l) {
            return unicast && l.kind == kind && l.device == m.device && l.port == m.port;
        });
        if (same != links.end()) {
            same->peers.push_back(m.address);
            continue;
        }
        io::LinkSpec l;
        l.name = m.device;
        l.kind = kind;
        l.device = m.device;
        l.bind_address = bind;
        l.port = static_cast<std::uint16_t>(m.port);
        if (unicast) l.peers.push_back(m.address);
        l.group = unicast ? std::string() : m.address;
        l.ttl = m.ttl;
        l.loop = m.loop;
        links.push_back(std::move(l));
    }
    return links;
}

Settings settings_from_config(const config::Config& cfg, const CommandLine& cmd, const std::string& node) {
    Settings s;
    s.core.node = node;
    s.core.nodes = cfg.nodes;
    s.core.keepalive = cfg.keepalive_ms * core::kMillis;
    s.core.deadtime = cfg.deadtime_ms * core::kMillis;
    s.core.warntime = cfg.warntime_ms * core::kMillis;
    s.core.initdead = cfg.initdead_ms * core::kMillis;
    s.core.deadping = cfg.deadping_ms * core::kMillis;
    for (const auto& address : cfg.ping_nodes) {
        const std::string a = io::numeric_address(address);
        s.core.ping_nodes.push_back({a, {a}});
    }
    for (const auto& group : cfg.ping_groups) {
        core::PingNodeSpec spec{group.name, {}};
        for (const auto& address : group.addresses) spec.addresses.push_back(io::numeric_address(address));
        s.core.ping_nodes.push_back(std::move(spec));
    }
    s.core.max_rexmit_delay = cfg.max_rexmit_delay_ms * core::kMillis;
    s.core.hopfudge = cfg.hopfudge;
    s.core.compression = compression_from_name(cfg.compression).value_or(Compression::zlib);
    s.core.traditional_compression = cfg.traditional_compression;
    s.core.compression_threshold = static_cast<std::size_t>(cfg.compression_threshold_kib) * 1024;
    s.links = links_from_media(cfg, cmd.bind.empty() ? cfg.bind_address : cmd.bind);
    for (const auto& l : s.links) s.core.links.push_back(l.name);
    s.keys = cfg.authkeys.keyring();
    s.inner_auth = !cfg.msgfmt_netstring;
    s.log.syslog_facility = cfg.logfacility;
    s.log.logfile = cfg.logfile;
    s.log.debugfile = cfg.debugfile;
    s.log.to_stderr = cmd.foreground;
    s.debug_level = std::max(cfg.debug, cmd.debug);
    s.state_dir = cmd.state_dir;
    s.pidfile = cmd.pidfile;
    s.api_socket = cmd.socket;
    s.config_dir = cmd.config_dir;
    s.realtime = cfg.realtime;
    s.parameters = cfg.parameters;
    s.apiauth = cfg.apiauth;
    s.manage_resources = !cfg.pacemaker;
    s.resource_groups = cfg.resources;
    s.auto_failback = cfg.auto_failback;
    s.resource_timeouts_ms = cfg.resource_timeouts_ms;
    s.native_ipaddr = cfg.native_ipaddr;
    s.metrics_address = cfg.metrics_address;
    s.metrics_port = cfg.metrics_port;
    s.script_env = cfg.env;
    s.children = cfg.respawn;
    s.stonith = cfg.stonith;
    s.logfacility_name = cfg.parameter("logfacility").value_or("");
    return s;
}

}  // namespace hb::daemon
